"""How record tables paint: the light delegate draws exactly what the style would, a page of rows arriving below
the screen costs no repaint, and rows are kept ready to show (formatted on the vault thread, untracked by the
cycle collector) — the Orders view of a 100,000-order vault scrolls without stalling the GUI (issue 9)."""

from __future__ import annotations

import gc

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QStyledItemDelegate, QStyleOptionViewItem, QWidget
from pytestqt.qtbot import QtBot

from shopexit.core.records import browse
from shopexit.core.vault import Vault
from shopexit.gui.main import configure
from shopexit.gui.records.model import format_cell, stored_page
from shopexit.gui.records.orders import OrdersPage
from shopexit.gui.records.page import MIDDLE_ELIDED, ElidingDelegate
from tests.gui.records.conftest import MakeCtx, ask, settle, shown_orders
from tests.helpers.records import add_order, fill_orders


class StyleDelegate(QStyledItemDelegate):
    """What the tables painted with before: Qt's own delegate and the style's full item pass, elided by mode."""

    def __init__(self, parent: QWidget, mode: Qt.TextElideMode) -> None:
        super().__init__(parent)
        self.mode = mode

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = self.mode


class PaintCounter(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.paints = 0

    def eventFilter(self, _obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.paints += 1
        return False


def _seed(vault: Vault) -> None:
    fill_orders(vault, 40)
    # what the plain rows do not have: a long name to cut, other scripts, a big amount, a cancelled order
    add_order(vault, "576499999999999001", recipient="Marisol Vega de la Fuente Ångström-Østergaard",
              amount=123_456_789, created_at="2026-12-30T23:30:00Z")
    add_order(vault, "576499999999999002", recipient="สมชาย ใจดี", status="Cancelled", created_at="2026-12-29T10:00:00Z")
    add_order(vault, "576499999999999003", recipient="山田 花子", currency="EUR", created_at="2026-12-28T10:00:00Z")


def _viewport_image(page: OrdersPage) -> QImage:
    page.table.viewport().repaint()
    return page.table.viewport().grab().toImage()


def test_cells_look_exactly_as_the_style_draws_them(qtbot: QtBot, make_ctx: MakeCtx) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    configure(app)  # the app's fonts, palette and style sheet (selection colours, cell padding)
    ctx, _ = make_ctx(_seed)
    page = shown_orders(qtbot, ctx)
    table = page.table
    keys = [c.key for c in page.model.view.columns]
    table.setColumnWidth(keys.index("status"), 70)  # "Awaiting shipment" and "Completed" are cut
    table.selectRow(2)
    table.clearFocus()
    qtbot.wait(20)

    light = _viewport_image(page)
    delegate = table.itemDelegate()
    assert isinstance(delegate, ElidingDelegate)
    assert any(shown.endswith("…") for shown in delegate._elided.values())  # it painted, and cut some cells

    table.setItemDelegate(StyleDelegate(table, Qt.TextElideMode.ElideRight))
    for n, key in enumerate(keys):
        if key in MIDDLE_ELIDED:
            table.setItemDelegateForColumn(n, StyleDelegate(table, Qt.TextElideMode.ElideMiddle))
    styled = _viewport_image(page)
    assert light.size() == styled.size()
    assert light == styled, "the light delegate must paint pixel for pixel what the style paints"


def test_a_page_arriving_below_the_screen_is_not_repainted(qtbot: QtBot, make_ctx: MakeCtx) -> None:
    ctx, _ = make_ctx(lambda vault: fill_orders(vault, 300, searchable=False))
    page = OrdersPage(ctx)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    model, table = page.model, page.table
    model.page_size = 60  # more rows than the screen shows
    with qtbot.waitSignal(model.page_loaded, timeout=20_000):
        page.show()
    settle(qtbot, ctx)
    assert table.rowAt(table.viewport().height() - 1) >= 0  # the screen is full of rows
    counter = PaintCounter()
    table.viewport().installEventFilter(counter)
    bar = table.verticalScrollBar()
    maximum = bar.maximum()

    with qtbot.waitSignal(model.page_loaded, timeout=20_000):
        model.fetchMore()
    qtbot.wait(50)  # the view's delayed layout runs
    assert model.rowCount() == 120
    assert bar.maximum() > maximum  # the scroll bar knows the new rows…
    assert counter.paints == 0  # …and nothing on screen was painted again for them

    bar.setValue(bar.maximum())  # scrolling to them paints them
    qtbot.waitUntil(lambda: counter.paints > 0, timeout=5_000)
    last = table.rowAt(table.viewport().height() - 1)
    assert last >= 100


def test_rows_that_arrive_on_screen_are_painted(qtbot: QtBot, make_ctx: MakeCtx) -> None:
    ctx, _ = make_ctx(lambda vault: fill_orders(vault, 6, searchable=False))
    page = OrdersPage(ctx)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    model, table = page.model, page.table
    model.page_size = 4  # the first page leaves most of the screen empty: the view asks for the next at once
    counter = PaintCounter()
    table.viewport().installEventFilter(counter)
    arrived: list[tuple[int, int]] = []
    model.page_loaded.connect(lambda rows: arrived.append((rows, counter.paints)))
    page.show()
    qtbot.waitUntil(lambda: model.rowCount() == 6, timeout=20_000)
    settle(qtbot, ctx)
    paints_when_last_arrived = dict(arrived)[6]
    qtbot.waitUntil(lambda: counter.paints > paints_when_last_arrived, timeout=5_000)
    buyer = [c.key for c in model.view.columns].index("buyer")
    delegate = table.itemDelegate()
    assert isinstance(delegate, ElidingDelegate)
    assert model.text(5, buyer) in {text for text, _width in delegate._elided}  # the last row was drawn


def test_pages_arrive_formatted_and_invisible_to_the_cycle_collector(make_ctx: MakeCtx, qtbot: QtBot) -> None:
    ctx, _ = make_ctx(_seed)
    view = browse.ORDERS
    rows = ask(qtbot, ctx, lambda vault: browse.fetch_page(vault.conn, view, browse.default_query(view), 0, 50))
    amount = [c.key for c in view.columns].index("amount")
    stored = stored_page(view, rows, own=frozenset({amount}))
    assert len(stored) == len(rows) == 43
    for (record_id, values, currencies, texts), row in zip(stored, rows, strict=True):
        assert (record_id, values, currencies) == (row.id, row.values, row.currencies)
        for n, column in enumerate(view.columns):
            expected = None if n == amount else format_cell(column, row.values[n], row.currencies[n])
            assert texts[n] == expected
    assert stored[0][3][view.columns.index(view.column("created_at"))] != ""  # a local date, not raw ISO text
    gc.collect()  # the inner tuples are untracked by the first collection that sees them, the row by the next
    gc.collect()
    assert not any(gc.is_tracked(r) for r in stored)  # a full collection never walks 100,000 of them


def test_a_pages_own_formatter_is_asked_when_the_cell_is_shown(qtbot: QtBot, make_ctx: MakeCtx) -> None:
    ctx, _ = make_ctx(_seed)
    page = OrdersPage(ctx)
    qtbot.addWidget(page)
    keys = [c.key for c in page.model.view.columns]
    page.model.formatters["status"] = lambda value, row: f"{value} #{row.id}"
    page.resize(1280, 800)
    with qtbot.waitSignal(page.model.page_loaded, timeout=20_000):
        page.show()
    settle(qtbot, ctx)
    model = page.model
    status = keys.index("status")
    row = model.row_data(0)
    assert row is not None
    assert model.text(0, status) == f"{row.values[status]} #{row.id}"
    assert model.data(model.index(0, status)) == model.text(0, status)
    assert model.text(0, keys.index("amount")) == model.data(model.index(0, keys.index("amount")))
    assert model.text(-1, 0) == model.text(0, 99) == model.text(10_000, 0) == ""
