"""Search over the vault's FTS5 index: by a word, by a buyer's name, by part of an order id; never a syntax error."""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlcipher3 import dbapi2 as sqlcipher

from shopexit.core.records import manual
from shopexit.core.schema import m0001_initial, m0005_search_rowids
from shopexit.core.search import MARK_START, RANK_AT_MOST, build_match, filter_ids_sql, search
from shopexit.core.vault import Vault, _run_script
from tests.helpers.records import add_order, add_thread, fill_orders


def _seed(vault: Vault) -> dict[str, int]:
    order = add_order(vault, "576457646075230001", buyer="marisol.v", recipient="Marisol Vega",
                      tracking="9400111899223100001", lines=[("Lavender soy candle", 2, 1800)])
    other = add_order(vault, "576457646075230002", buyer="kenji_t", recipient="山田 花子")
    thread, msgs = add_thread(vault, "Marisol Vega", messages=[
        ("in", "Marisol Vega", "2026-05-02T09:00:00Z", "Hi, the box arrived crushed and the jar is cracked."),
        ("out", "Harbor Goods", "2026-05-02T10:00:00Z", "So sorry! Could you send a photo of the parcel?"),
    ])
    return {"order": order, "other": other, "thread": thread, "msg_in": msgs[0], "msg_out": msgs[1]}


def test_finds_a_message_by_a_word_in_it(vault: Vault) -> None:
    ids = _seed(vault)
    results = search(vault.conn, "crushed")
    assert [(h.kind, h.id) for h in results.hits()] == [("message", ids["msg_in"])]
    hit = results.groups["message"][0]
    assert hit.title.startswith("Marisol Vega · 2026-05-02")
    assert hit.plain_snippet().count("[crushed]") == 1
    # a prefix finds it too, whatever the case
    assert ("message", ids["msg_in"]) in [(h.kind, h.id) for h in search(vault.conn, "CRUSH").hits()]


def test_finds_messages_orders_and_conversation_by_buyer_name(vault: Vault) -> None:
    ids = _seed(vault)
    results = search(vault.conn, "marisol")
    assert [h.id for h in results.groups["message"]] == [ids["msg_in"]]
    assert [h.id for h in results.groups["order"]] == [ids["order"]]
    assert [h.id for h in results.groups["thread"]] == [ids["thread"]]
    assert results.groups["thread"][0].title == "Conversation with Marisol Vega"
    # accents and scripts: diacritics fold, CJK names are found whole
    assert [h.id for h in search(vault.conn, "山田").groups["order"]] == [ids["other"]]


def test_words_are_anded_and_order_ids_and_products_match(vault: Vault) -> None:
    ids = _seed(vault)
    assert search(vault.conn, "marisol cracked").hits()[0].id == ids["msg_in"]
    assert search(vault.conn, "marisol nonexistentword").total == 0
    assert sorted(h.id for h in search(vault.conn, "5764576460752300").groups["order"]) == [ids["order"], ids["other"]]
    assert [h.id for h in search(vault.conn, "576457646075230002").groups["order"]] == [ids["other"]]
    by_product = search(vault.conn, "lavender")
    assert [(h.kind, h.id) for h in by_product.hits()] == [("order", ids["order"])]
    assert by_product.hits()[0].plain_snippet() == "[Lavender] soy candle · HG-000 SKU10"


def test_notes_cases_and_evidence_captions_are_found(vault: Vault) -> None:
    from shopexit.core.evidence import attach_bytes
    from shopexit.core.records.cases import open_case

    ids = _seed(vault)
    note = manual.add_note(vault, "order", ids["order"], "Buyer phoned: wants a replacement, not a refund")
    case = open_case(vault, "return", order_id=ids["order"], description="Jar cracked in transit")
    item = attach_bytes(vault, b"%PDF-1.4 receipt", "receipt.pdf", caption="USPS receipt for the replacement")
    results = search(vault.conn, "replacement")
    assert [h.id for h in results.groups["note"]] == [note]
    assert (results.groups["note"][0].target_kind, results.groups["note"][0].target_id) == ("order", ids["order"])
    assert [h.id for h in results.groups["evidence"]] == [item.id]
    assert [h.id for h in search(vault.conn, "transit").groups["case"]] == [case]


def test_edits_and_deletes_keep_the_index_current(vault: Vault) -> None:
    ids = _seed(vault)
    vault.conn.execute("UPDATE orders SET recipient = '', buyer_username = '' WHERE id = ?", (ids["order"],))
    assert "order" not in search(vault.conn, "marisol").groups
    vault.conn.execute("UPDATE threads SET counterpart = 'M. Vega-Ortiz' WHERE id = ?", (ids["thread"],))
    assert [h.id for h in search(vault.conn, "ortiz").groups["thread"]] == [ids["thread"]]
    # removing one SKU line leaves the order findable by its other lines
    with vault.transaction() as tx:
        tx.execute("INSERT INTO order_lines(order_ref, line_key, product_name) VALUES (?, 'x', 'Cedar wick trimmer')",
                   (ids["order"],))
        tx.execute("DELETE FROM order_lines WHERE order_ref = ? AND line_key = '0'", (ids["order"],))
    assert "order" not in search(vault.conn, "lavender").groups
    assert [h.id for h in search(vault.conn, "cedar").groups["order"]] == [ids["order"]]
    vault.conn.execute("DELETE FROM messages WHERE id = ?", (ids["msg_in"],))
    assert search(vault.conn, "crushed").total == 0


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_any_typed_text_is_safe(text: str) -> None:
    match = build_match(text)
    conn = sqlcipher.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(body, tokenize = 'unicode61 remove_diacritics 2')")
    conn.execute("INSERT INTO t VALUES ('the box arrived crushed')")
    if match is not None:
        conn.execute("SELECT * FROM t WHERE t MATCH ?", (match,)).fetchall()  # never an FTS5 syntax error
    conn.close()


def test_fts_syntax_is_just_text(vault: Vault) -> None:
    _seed(vault)
    for text in ['"', "crushed*", "NEAR(crushed box)", "crushed OR", "-crushed", "AND", "title:box", "***", "(("]:
        search(vault.conn, text)  # no error
    assert build_match("  ** -- ") is None
    assert build_match('say "hi"') == '"say"* """hi"""*'
    assert search(vault.conn, "crushed OR").total == 0  # OR is a word here, and no message says "or…"


def test_many_results_are_capped_per_kind_and_each_kind_keeps_its_place(vault: Vault) -> None:
    fill_orders(vault, 300)
    add_thread(vault, "buyer7", messages=[("in", "buyer7", "2026-01-01T00:00:00Z", "where is my buyer gift")])
    results = search(vault.conn, "buyer", per_kind=5)
    assert len(results.groups["order"]) == 5 and results.more["order"]
    assert "message" in results.groups  # not crowded out by 300 orders


def test_a_word_thousands_share_lists_the_newest_first(vault: Vault) -> None:
    fill_orders(vault, RANK_AT_MOST + 50)  # every order holds the word "buyer"
    hits = search(vault.conn, "buyer", per_kind=5).groups["order"]
    newest = [row[0] for row in vault.conn.execute("SELECT id FROM orders ORDER BY id DESC LIMIT 5")]
    assert [h.id for h in hits] == newest
    few = search(vault.conn, "buyer", per_kind=5, kinds=("message",))
    assert few.groups == {}  # below the threshold nothing changes: best scored first (as the tests above show)


def test_a_one_letter_tail_is_a_whole_token_not_a_prefix_of_everything() -> None:
    assert build_match("kenji_t") == '"kenji_t"'  # "t*" would match half the index
    assert build_match("crush") == '"crush"*'
    assert build_match("山") == '"山"*'  # a CJK run is one token: one character must stay a prefix


def test_filter_sql_for_views(vault: Vault) -> None:
    ids = _seed(vault)
    rows = vault.conn.execute(f"SELECT id FROM orders WHERE {filter_ids_sql('order')}",
                              (build_match("candle"),)).fetchall()
    assert rows == [(ids["order"],)]
    hit = search(vault.conn, "candle").hits()[0]
    assert MARK_START + "candle" in hit.snippet.lower()


def test_updating_an_order_in_a_large_vault_costs_a_lookup_not_a_scan(vault: Vault) -> None:
    """Regression for m0001's triggers, which scanned the whole index on every update (67 ms each at 100k)."""
    fill_orders(vault, 20_000)
    start = time.perf_counter()
    with vault.transaction() as tx:
        for i in range(1, 201):
            tx.execute("UPDATE orders SET status = 'Completed', recipient = 'Renamed' WHERE id = ?", (i,))
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0, f"200 updates took {elapsed:.2f}s"
    assert len(search(vault.conn, "renamed", per_kind=500).groups["order"]) == 200


def test_migration_5_reindexes_an_existing_vault() -> None:
    conn = sqlcipher.connect(":memory:", isolation_level=None)
    _run_script(conn, m0001_initial.SQL)
    conn.execute("INSERT INTO orders(order_id, status, currency, recipient, updated_at) VALUES"
                 " ('111', 'Completed', 'USD', 'Zoë Ångström', 'x')")
    conn.execute("INSERT INTO threads(thread_key, channel, counterpart) VALUES ('k', 'shop', 'Zoë')")
    conn.execute("INSERT INTO messages(thread_id, natural_key, direction, body) VALUES (1, 'n', 'in', 'Hello there')")
    _run_script(conn, m0005_search_rowids.SQL)
    rows = conn.execute("SELECT rowid, kind, ref FROM search_index ORDER BY rowid").fetchall()
    assert rows == [(1 * 8 + 1, "order", 1), (1 * 8 + 3, "message", 1), (1 * 8 + 4, "thread", 1)]
    assert conn.execute("SELECT ref FROM search_index WHERE search_index MATCH '\"zoe\"*' AND kind = 'order'"
                        ).fetchall() == [(1,)]
