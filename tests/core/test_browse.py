"""The record views' SQL: pages without overlap, sorting and filtering in SQLite, details in one read."""

from __future__ import annotations

from shopexit.core.records import browse
from shopexit.core.vault import Vault
from tests.helpers.records import add_order, fill_orders, seed_shop


def test_pages_follow_each_other_in_sql_order(vault: Vault) -> None:
    fill_orders(vault, 1_000)
    query = browse.default_query(browse.ORDERS)
    seen: list[int] = []
    for offset in range(0, 1_000, 300):
        seen += [r.id for r in browse.fetch_page(vault.conn, browse.ORDERS, query, offset, 300)]
    assert len(seen) == len(set(seen)) == 1_000
    by_amount = browse.fetch_page(vault.conn, browse.ORDERS, browse.Query(sort="amount", descending=False), 0, 5)
    amounts = [r.values[[c.key for c in browse.ORDERS.columns].index("amount")] for r in by_amount]
    assert amounts == sorted(amounts) and amounts[0] == 1000
    assert by_amount[0].currencies[[c.key for c in browse.ORDERS.columns].index("amount")] == "USD"
    assert browse.count(vault.conn, browse.ORDERS, browse.Query(choices={"status": "Shipped"})) == 1_000 // 6 + 1
    assert browse.choice_values(vault.conn, browse.ORDERS, "status")[0] == "Completed"
    # an unknown or unsortable sort key falls back to the default instead of reaching SQL
    assert len(browse.fetch_page(vault.conn, browse.ORDERS, browse.Query(sort="x; DROP TABLE orders"), 0, 3)) == 3


def test_text_filters_use_the_index_or_escaped_like(vault: Vault) -> None:
    ids = seed_shop(vault, orders=12)
    orders = browse.fetch_page(vault.conn, browse.ORDERS, browse.Query(text="marisol"), 0, 50)
    buyer = [c.key for c in browse.ORDERS.columns].index("buyer")
    assert orders and all(r.values[buyer] == "Marisol Vega" for r in orders)
    assert browse.count(vault.conn, browse.ORDERS, browse.Query(text="lavender")) > 0  # by a SKU line
    assert browse.count(vault.conn, browse.ORDERS, browse.Query(text="***")) == 0
    # conversations match on what was said in them, not only on who
    threads = browse.fetch_page(vault.conn, browse.THREADS, browse.Query(text="replacement"), 0, 10)
    assert [r.id for r in threads] == [ids["thread"]]
    # money tables: LIKE with % and _ taken literally
    assert browse.count(vault.conn, browse.WITHDRAWALS, browse.Query(text="WD2026000001")) == 1
    assert browse.count(vault.conn, browse.WITHDRAWALS, browse.Query(text="WD%")) == 0
    assert browse.count(vault.conn, browse.WITHDRAWALS, browse.Query(text="_")) == 0
    images = browse.count(vault.conn, browse.EVIDENCE, browse.Query(choices={"group": "Images"}))
    pdfs = browse.count(vault.conn, browse.EVIDENCE, browse.Query(choices={"group": "PDFs"}))
    assert (images, pdfs) == (2, 1)


def test_details_gather_a_records_pane_in_one_read(vault: Vault) -> None:
    ids = seed_shop(vault, orders=12)
    order = browse.order_detail(vault.conn, ids["orders"][3])
    assert order.title.startswith("Order 5764") and order.lines and order.cases
    assert [n.body for n in order.notes] == ["Called USPS on 7 May: claim 1184-22 opened."]
    assert [i.original_name for i in order.evidence.items] == ["usps-receipt.pdf"]
    thread = browse.thread_detail(vault.conn, ids["thread"])
    assert [m.id for m in thread.extra["messages"]] == ids["messages"] and thread.extra["total"] == 4
    assert [m.evidence for m in thread.extra["messages"]] == [0, 0, 0, 0]
    assert browse.thread_detail(vault.conn, ids["thread"], limit=2).extra["messages"][-1].id == ids["messages"][-1]
    item = browse.evidence_detail(vault.conn, ids["chat_png"])
    assert sorted(k for k, _t, _l in item.extra["links"]) == ["case", "thread"]
    assert dict(item.fields)["Added by"] == "Pasted"
    withdrawal = browse.money_detail(vault.conn, "withdrawal", 1)
    assert ("Amount", "420.00 USD") in withdrawal.fields
    settlement = browse.money_detail(vault.conn, "settlement", 1)
    assert ("Payment method", "Card") in settlement.extra["raw"]
    assert browse.change_mark(vault.conn) > 0
    before = browse.change_mark(vault.conn)
    add_order(vault, "999")  # SQL straight in: not audited, so the mark does not move…
    from shopexit.core.records import manual

    manual.add_note(vault, "order", ids["orders"][0], "x")  # …but every change through records does
    assert browse.change_mark(vault.conn) > before
