"""Search over the vault's FTS5 index: by a word, by a buyer's name, by part of an order id; never a syntax error."""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlcipher3 import dbapi2 as sqlcipher

from shopexit.core.records import manual
from shopexit.core.schema import m0001_initial, m0005_search_rowids
from shopexit.core.search import COUNT_AT_MOST, MARK_START, RANK_AT_MOST, build_match, filter_ids_sql, search
from shopexit.core.vault import Vault, _run_script
from tests.helpers.records import NOW, add_order, add_thread, fill_orders


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


# -- counts, the cap, and the same answers as one plain query per kind -----------------------------------------------
def _naive(vault: Vault, text: str, kind: str) -> list[tuple[float, int, int]]:
    """Every record of `kind` that matches, best first as `search` lists a small kind: (bm25, -rowid, id) of each
    record's best entry. Reads `kind` and `ref` from the index itself: slow, and independent of the rowid code."""
    index_kinds = ("order", "order_line") if kind == "order" else (kind,)
    best: dict[int, tuple[float, int, int]] = {}
    for rowid, ref, rank in vault.conn.execute(
            "SELECT rowid, ref, bm25(search_index, 4.0, 1.0) FROM search_index WHERE search_index MATCH ?"
            f" AND kind IN ({','.join('?' * len(index_kinds))})", (build_match(text), *index_kinds)):
        entry = (rank, -rowid, int(ref))
        best[int(ref)] = min(best.get(int(ref), entry), entry)
    return sorted(best.values())


def _bulk(vault: Vault, orders: int, lines_each: int, product: str, messages: int = 0, body: str = "") -> None:
    """Orders with several SKU lines each, and messages in one conversation, in one transaction (fast)."""
    with vault.transaction() as tx:
        first = int(tx.execute("SELECT coalesce(max(id), 0) FROM orders").fetchone()[0]) + 1
        tx.executemany("INSERT INTO orders(id, order_id, status, currency, buyer_username, updated_at)"
                       " VALUES (?, ?, 'Shipped', 'USD', ?, 'x')",
                       ((first + i, f"9900{first + i:010d}", f"shopper{i}") for i in range(orders)))
        tx.executemany("INSERT INTO order_lines(order_ref, line_key, seller_sku, product_name) VALUES (?,?,?,?)",
                       ((first + i, str(n), f"SK-{n}", f"{product} no. {n}")
                        for i in range(orders) for n in range(lines_each)))
        if messages:
            thread = tx.execute("INSERT INTO threads(thread_key, channel, counterpart) VALUES ('bulk', 'shop',"
                                " 'Many Buyers')").lastrowid
            tx.executemany("INSERT INTO messages(thread_id, natural_key, direction, sender, sent_at, body)"
                           " VALUES (?, ?, 'in', 'buyer', ?, ?)",
                           ((thread, f"bulk:{i}", f"2026-03-01T00:{i // 60 % 60:02d}:{i % 60:02d}Z",
                             f"{body} number {i}" + " padding words" * (i % 7)) for i in range(messages)))


def test_counts_say_how_many_records_of_each_kind_match(vault: Vault) -> None:
    _seed(vault)
    results = search(vault.conn, "marisol")
    assert results.counts == {"order": 1, "message": 1, "thread": 1}
    assert results.capped == set() and not any(results.more.values())
    # an order found by its own entry and by two of its SKU lines is one order
    add_order(vault, "576457646075239999", recipient="Vega Candles", lines=[("Vega jar", 1, 100), ("Vega wick", 1, 1)])
    assert search(vault.conn, "vega", kinds=("order",)).counts == {"order": 2}
    groups = search(vault.conn, "marisol", per_kind=1).as_json()["groups"]
    assert isinstance(groups, list)
    assert [(g["kind"], g["count"], g["count_capped"], g["more"]) for g in groups] == [
        ("order", 1, False, False), ("message", 1, False, False), ("thread", 1, False, False)]


def test_small_kinds_match_one_plain_query_per_kind(vault: Vault) -> None:
    """Same records, same order, same counts as a slow, plain query of each kind by its `kind` column."""
    _seed(vault)
    _bulk(vault, 120, 3, "Lavender soy candle", messages=260, body="my lavender candle arrived")
    add_thread(vault, "Lavender Fields", messages=[("in", "Lavender Fields", NOW, "Candle order question")])
    for text, per_kind in (("lavender", 20), ("lavender candle", 7), ("candle", 500), ("shopper1", 20),
                           ("marisol", 20), ("SK-2", 5)):
        results = search(vault.conn, text, per_kind=per_kind)
        for kind in ("order", "message", "thread"):
            naive = _naive(vault, text, kind)
            assert results.counts.get(kind, 0) == len(naive), (text, kind)
            assert [h.id for h in results.groups.get(kind, [])] == [ref for *_k, ref in naive[:per_kind]], (text, kind)
            assert results.more.get(kind, False) == (len(naive) > per_kind)
            for hit in results.groups.get(kind, []):  # every hit shown has its words marked
                assert MARK_START in hit.snippet, (text, kind, hit)


def test_a_plentiful_kind_is_counted_up_to_the_cap_and_shown_newest_first(vault: Vault) -> None:
    fill_orders(vault, COUNT_AT_MOST + 30)  # every order holds the word "buyer"
    results = search(vault.conn, "buyer", per_kind=3)
    assert results.counts["order"] == COUNT_AT_MOST and results.capped == {"order"}
    assert results.count_text("order") == f"{COUNT_AT_MOST:,}+"
    assert results.more["order"] and len(results.groups["order"]) == 3
    assert all(MARK_START in h.snippet for h in results.groups["order"])
    exact = search(vault.conn, "buyer", kinds=("message",))
    assert exact.counts == {} and exact.capped == set()


def test_many_lines_of_few_orders_are_counted_as_orders_not_as_lines(vault: Vault) -> None:
    """3 matching SKU lines each: more entries than `RANK_AT_MOST` (listed newest first), but fewer orders than
    the cap, so the count is exact: never "2,000+" for 700 orders."""
    orders = RANK_AT_MOST // 3 + 34
    _bulk(vault, orders, 3, "Cedar wick")
    results = search(vault.conn, "cedar", per_kind=4)
    assert results.counts["order"] == orders and results.capped == set()
    assert results.count_text("order") == f"{orders:,}"
    newest = [row[0] for row in vault.conn.execute("SELECT id FROM orders ORDER BY id DESC LIMIT 4")]
    assert [h.id for h in results.groups["order"]] == newest
    assert results.groups["order"][0].plain_snippet().startswith("[Cedar] wick no. 2")


def test_many_messages_are_counted_exactly_and_listed_newest_first_with_snippets(vault: Vault) -> None:
    ids = _seed(vault)
    _bulk(vault, 1, 1, "Pine", messages=RANK_AT_MOST + 5, body="the parcel arrived damaged")
    results = search(vault.conn, "parcel damaged", per_kind=6)
    assert results.counts == {"message": RANK_AT_MOST + 5} and results.capped == set()
    assert results.count_text("message") == f"{RANK_AT_MOST + 5:,}"
    newest = [row[0] for row in vault.conn.execute(
        "SELECT id FROM messages WHERE body LIKE '%damaged%' ORDER BY id DESC LIMIT 6")]
    assert [h.id for h in results.groups["message"]] == newest
    assert all(h.plain_snippet().startswith("the [parcel] arrived [damaged]") for h in results.groups["message"])
    # the one message among them that says "photo" is still found first by that word
    assert [h.id for h in search(vault.conn, "parcel photo").groups["message"]] == [ids["msg_out"]]


def test_only_the_kinds_asked_for_are_searched_and_counted(vault: Vault) -> None:
    ids = _seed(vault)
    assert search(vault.conn, "marisol", kinds=()).groups == {}
    only = search(vault.conn, "marisol", kinds=("thread", "message"))
    assert only.counts == {"message": 1, "thread": 1}
    assert [(h.kind, h.id) for h in only.hits()] == [("message", ids["msg_in"]), ("thread", ids["thread"])]
