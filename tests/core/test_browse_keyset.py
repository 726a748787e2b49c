"""Keyset paging: every view, every sort column, both directions, read page by page (each starting after the
last row of the one before) gives exactly the rows, in exactly the order, of one query without paging — through
ties in the sort column (broken by id), NULLs (always last), letter case (text sorts ignore it) and filters."""

from __future__ import annotations

import pytest

from shopexit.core.records import browse
from shopexit.core.vault import Vault
from tests.helpers.records import fill_orders, seed_shop


def _unpaged(vault: Vault, view: browse.View, query: browse.Query) -> list[int]:
    where, params = browse._where(view, query)
    return [int(r[0]) for r in vault.conn.execute(
        f"SELECT id FROM {view.source}{where}{browse._order_by(view, query)}", params)]


def _paged(vault: Vault, view: browse.View, query: browse.Query, limit: int) -> list[int]:
    rows = browse.fetch_page(vault.conn, view, query, 0, limit)
    seen = [r.id for r in rows]
    while len(rows) == limit:
        rows = browse.fetch_page(vault.conn, view, query, len(seen), limit, browse.cursor_of(view, query, rows[-1]))
        seen += [r.id for r in rows]
    return seen


def _ties_and_nulls(vault: Vault) -> None:
    """3,000 orders whose dates, amounts, statuses and buyers repeat, some without a date, a tracking number or a
    buyer, with names that differ only in letter case, and line counts and evidence counts that tie."""
    fill_orders(vault, 3_000, searchable=False)
    with vault.transaction() as tx:
        tx.execute("UPDATE orders SET created_at = NULL WHERE id % 17 = 0")
        tx.execute("UPDATE orders SET tracking_id = '' WHERE id % 5 = 0")
        tx.execute("UPDATE orders SET created_at = '2026-03-03T03:03:00Z' WHERE id % 11 = 0 AND id % 17 != 0")
        tx.execute("UPDATE orders SET recipient = '', buyer_username = '' WHERE id % 13 = 0")
        tx.execute("UPDATE orders SET recipient = CASE id % 3 WHEN 0 THEN 'zoë' WHEN 1 THEN 'Zoë' ELSE 'ZOË' END"
                   " WHERE id % 7 = 0 AND id % 13 != 0")
        tx.execute("UPDATE orders SET status = lower(status) WHERE id % 4 = 0")
        tx.executemany("INSERT INTO order_lines(order_ref, line_key, sku_id, quantity, unit_price, subtotal)"
                       " VALUES (?, '1', 'S', ?, 100, 100)", [(i, i % 4) for i in range(1, 3_001, 3)])


@pytest.mark.parametrize("descending", [True, False])
def test_orders_page_by_key_exactly_as_one_query_orders_them(vault: Vault, descending: bool) -> None:
    _ties_and_nulls(vault)
    view = browse.ORDERS
    for column in view.columns:
        if not column.sortable:
            continue
        query = browse.Query(sort=column.key, descending=descending)
        expected = _unpaged(vault, view, query)
        assert len(expected) == 3_000
        assert _paged(vault, view, query, 200) == expected, column.key
    # with a filter too: the cursor is one more condition beside it
    query = browse.Query(choices={"status": "Completed"}, sort="created_at", descending=descending)
    expected = _unpaged(vault, view, query)
    assert 0 < len(expected) < 3_000 and _paged(vault, view, query, 97) == expected


def test_every_view_pages_by_key_as_one_query_orders_it(vault: Vault) -> None:
    seed_shop(vault, orders=40)
    with vault.transaction() as tx:  # NULLs and ties in the money tables' sort columns
        tx.execute("UPDATE settlements SET settled_at = NULL, fees = 0 WHERE id % 4 = 0")
        tx.execute("UPDATE on_hold SET expected_at = NULL WHERE id % 2 = 0")
        tx.execute("UPDATE commissions SET order_at = '2026-04-01T10:00:00Z' WHERE id % 2 = 0")
    for view in browse.VIEWS.values():
        for column in view.columns:
            if not column.sortable:
                continue
            for descending in (True, False):
                query = browse.Query(sort=column.key, descending=descending)
                expected = _unpaged(vault, view, query)
                assert expected, view.name
                assert _paged(vault, view, query, 3) == expected, (view.name, column.key, descending)


def test_the_cursor_after_a_row_without_a_sort_value_reads_on_among_the_nulls(vault: Vault) -> None:
    _ties_and_nulls(vault)
    view, query = browse.ORDERS, browse.Query(sort="created_at", descending=True)
    expected = _unpaged(vault, view, query)
    nulls = [i for i in expected if i % 17 == 0]
    assert expected[-len(nulls):] == nulls  # NULLs last, by id
    page = browse.fetch_page(vault.conn, view, query, 0, 5, (None, nulls[2]))
    assert [r.id for r in page] == nulls[3:8]


def test_paging_by_date_reads_the_date_index_from_the_cursor_on(vault: Vault) -> None:
    """Newest first (the Orders view's default) and oldest first both walk `orders_created` from the cursor,
    without a sort of their own: page 500 costs what page 1 does."""
    fill_orders(vault, 50, searchable=False)
    view = browse.ORDERS
    for descending in (True, False):
        query = browse.Query(sort="created_at", descending=descending)
        statements: list[str] = []
        vault.conn.set_trace_callback(statements.append)
        try:
            first = browse.fetch_page(vault.conn, view, query, 0, 10)
            browse.fetch_page(vault.conn, view, query, 10, 10, browse.cursor_of(view, query, first[-1]))
        finally:
            vault.conn.set_trace_callback(None)
        keyed = next(s for s in statements if "(created_at, id)" in s)
        # the statement as run (the trace shows it with its parameters in place)
        plan = " ".join(str(r[-1]) for r in vault.conn.execute("EXPLAIN QUERY PLAN " + keyed))
        assert "orders_created" in plan and "TEMP B-TREE" not in plan, plan
