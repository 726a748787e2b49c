"""The table model pages by key: scrolled to the end it holds every row once, in the order one SQL query gives;
and the cell texts it formats on the vault thread read as before."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from shopexit.core.records import browse
from shopexit.core.vault import Vault
from shopexit.gui.records.model import local_time
from shopexit.gui.records.orders import OrdersPage
from tests.gui.records.conftest import MakeCtx, ask, settle
from tests.helpers.records import fill_orders


def _seed(vault: Vault) -> None:
    fill_orders(vault, 1_100, searchable=False)
    with vault.transaction() as tx:  # ties and rows without a date, where pages meet
        tx.execute("UPDATE orders SET created_at = '2026-02-02T02:02:00Z' WHERE id BETWEEN 150 AND 260")
        tx.execute("UPDATE orders SET created_at = NULL WHERE id % 9 = 0")


def _unpaged(vault: Vault, query: browse.Query) -> list[int]:
    where, params = browse._where(browse.ORDERS, query)
    return [int(r[0]) for r in vault.conn.execute(
        f"SELECT id FROM orders{where}{browse._order_by(browse.ORDERS, query)}", params)]


def _unpaged_of(query: browse.Query) -> Callable[[Vault], list[int]]:
    return lambda vault: _unpaged(vault, query)


def test_scrolling_to_the_end_reads_every_row_once_in_sql_order(qtbot: QtBot, make_ctx: MakeCtx) -> None:
    ctx, _ = make_ctx(_seed)
    page = OrdersPage(ctx)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    model = page.model
    keys = [c.key for c in browse.ORDERS.columns]
    for key, order in (("created_at", Qt.SortOrder.DescendingOrder), ("buyer", Qt.SortOrder.AscendingOrder)):
        if model.rowCount():
            with qtbot.waitSignal(model.page_loaded, timeout=20_000):
                page.table.sortByColumn(keys.index(key), order)
        else:
            with qtbot.waitSignal(model.page_loaded, timeout=20_000):
                page.show()
        while model.canFetchMore():
            with qtbot.waitSignal(model.page_loaded, timeout=20_000):
                model.fetchMore()
        settle(qtbot, ctx)
        query = model.query
        assert query.sort == key
        expected = ask(qtbot, ctx, _unpaged_of(query))
        assert [model.record_id(r) for r in range(model.rowCount())] == expected


def test_local_time_reads_as_strftime_did() -> None:
    for text in ("2026-05-01T10:00:00Z", "2026-12-31T23:59:00+00:00", "2026-01-01T00:00:00", "2026-03-29T01:30:00Z"):
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if moment.tzinfo is not None:
            moment = moment.astimezone()
        assert local_time(text) == moment.strftime("%Y-%m-%d %H:%M")
        assert local_time(text, with_time=False) == moment.strftime("%Y-%m-%d")
    assert local_time("") == "" and local_time(None) == "" and local_time("last Tuesday") == "last Tuesday"
