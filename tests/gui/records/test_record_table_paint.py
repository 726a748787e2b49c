"""How record tables paint: the light delegate draws exactly what the style would, a page of rows arriving below
the screen costs no repaint, and rows are kept ready to show (formatted on the vault thread, untracked by the
cycle collector) — the Orders view of a 100,000-order vault scrolls without stalling the GUI (issue 9)."""

from __future__ import annotations

import gc

import pytest
from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, QPoint, QRect, Qt
from PySide6.QtGui import QImage, QPaintEvent
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


def _as_the_style_paints(page: OrdersPage) -> QImage:
    """The viewport painted by Qt's own loop and the style's full item pass for every cell (what the tables painted
    with before), the light delegates put back afterwards."""
    table = page.table
    keys = [c.key for c in page.model.view.columns]
    light = [table.itemDelegateForColumn(n) for n in range(len(keys))]
    default = table.itemDelegate()
    table.setItemDelegate(StyleDelegate(table, Qt.TextElideMode.ElideRight))
    for n, key in enumerate(keys):
        if key in MIDDLE_ELIDED:
            table.setItemDelegateForColumn(n, StyleDelegate(table, Qt.TextElideMode.ElideMiddle))
    styled = _viewport_image(page)
    table.setItemDelegate(default)
    for n, delegate in enumerate(light):
        table.setItemDelegateForColumn(n, delegate)
    return styled


def _painted_in_one_pass(page: OrdersPage) -> tuple[QImage, list[bool]]:
    """The viewport as the table paints it now, and whether each paint took the one-pass path."""
    table = page.table
    passes: list[bool] = []
    one_pass = table._paint_rows

    def spy(event: QPaintEvent) -> bool:
        passes.append(one_pass(event))
        return passes[-1]

    table._paint_rows = spy  # type: ignore[method-assign]
    try:
        return _viewport_image(page), passes
    finally:
        del table._paint_rows


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

    light, passes = _painted_in_one_pass(page)
    assert passes and all(passes)  # the rows were painted in one pass, not by Qt's loop
    delegate = table.itemDelegate()
    assert isinstance(delegate, ElidingDelegate)
    assert any(shown.endswith("…") for shown in delegate.shown_texts().values())  # it painted, and cut some cells

    styled = _as_the_style_paints(page)
    assert light.size() == styled.size()
    assert light == styled, "the light delegate must paint pixel for pixel what the style paints"


def test_focus_moved_hidden_and_scrolled_columns_paint_as_the_style_does(qtbot: QtBot, make_ctx: MakeCtx) -> None:
    """The one-pass paint against the style's, cell for cell: the keyboard focus's frame on a cell of the chosen
    row, a column hidden, one moved, one cut in the middle, the table scrolled down and sideways; then the whole
    table disabled."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    configure(app)
    ctx, _ = make_ctx(_seed)
    page = shown_orders(qtbot, ctx)
    table, model = page.table, page.model
    keys = [c.key for c in model.view.columns]
    header = table.horizontalHeader()
    table.setColumnHidden(keys.index("status"), True)
    header.moveSection(header.visualIndex(keys.index("buyer")), 0)
    table.setColumnWidth(keys.index("order_id"), 60)  # an id cut in the middle
    table.setColumnWidth(keys.index("buyer"), 90)
    page.resize(700, 500)  # narrower than the columns: the table scrolls sideways
    qtbot.wait(20)
    table.horizontalScrollBar().setValue(37)
    table.verticalScrollBar().setValue(3)
    page.activateWindow()
    table.setFocus()
    qtbot.waitUntil(table.hasFocus, timeout=5_000)
    table.setCurrentIndex(model.index(5, keys.index("amount")))  # the focus frame on a cell of row 5, on screen
    qtbot.wait(20)
    assert table.currentIndex().row() == 5 and table.visualRect(table.currentIndex()).isValid()

    light, passes = _painted_in_one_pass(page)
    assert passes and all(passes)
    assert light == _as_the_style_paints(page), "focus, moved, hidden and scrolled columns paint as the style does"

    table.setEnabled(False)  # disabled rows: the palette's disabled colours
    qtbot.wait(20)
    light, passes = _painted_in_one_pass(page)
    assert passes and all(passes)
    assert light == _as_the_style_paints(page), "a disabled table paints as the style does"


def _shown_in_pages_of_60(qtbot: QtBot, make_ctx: MakeCtx, orders: int) -> OrdersPage:
    """The Orders page on screen with its first page of 60 rows, more than the screen shows."""
    ctx, _ = make_ctx(lambda vault: fill_orders(vault, orders, searchable=False))
    return shown_orders(qtbot, ctx, page_size=60)


def test_a_page_arriving_below_the_screen_is_not_repainted(qtbot: QtBot, make_ctx: MakeCtx) -> None:
    page = _shown_in_pages_of_60(qtbot, make_ctx, 300)
    model, table = page.model, page.table
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


def test_a_page_arriving_while_the_view_is_at_the_end_asks_for_the_next_at_once(qtbot: QtBot,
                                                                                make_ctx: MakeCtx) -> None:
    """Held at the bottom, the view asks for the page after the one arriving without waiting for another scroll
    (the vault thread builds it while the GUI thread is idle), and for one page ahead only."""
    page = _shown_in_pages_of_60(qtbot, make_ctx, 700)
    ctx, model, table = page.ctx, page.model, page.table
    assert model.rowCount() == 60
    bar = table.verticalScrollBar()
    moves: list[int] = []
    bar.valueChanged.connect(moves.append)
    arrived: list[int] = []
    model.page_loaded.connect(arrived.append)

    bar.setValue(bar.maximum())  # the user reaches the end: Qt asks for the next page
    last_shown = table.rowAt(table.viewport().height() - 1)
    assert last_shown == 59
    qtbot.waitUntil(lambda: len(arrived) == 2, timeout=20_000)  # …and that page asked for one more itself
    settle(qtbot, ctx)
    qtbot.wait(50)
    assert moves == [moves[0]]  # one scroll, no other
    assert arrived == [120, 180] and model.rowCount() == 180  # one page ahead, no further
    assert bar.value() == moves[0]  # the view stayed where the user left it
    # What the screen shows (the window's backing store) is what painting the viewport afresh gives: held at the
    # end, the rows moved up a few pixels to align the top row, and the first new row shows in part below the last.
    viewport = table.viewport()
    # (inside the frame's rounded corners, whose anti-aliasing a grab of part of the page blends otherwise)
    area = QRect(viewport.mapTo(page, QPoint(0, 0)), viewport.size()).adjusted(6, 6, -6, -6)
    on_screen = page.screen().grabWindow(page.winId(), area.x(), area.y(), area.width(), area.height())
    afresh = page.grab(area)  # the page painted again
    assert on_screen.toImage().convertToFormat(QImage.Format.Format_RGB32) == \
        afresh.toImage().convertToFormat(QImage.Format.Format_RGB32)

    table.scrollTo(model.index(90, 0))  # scrolled, but not to the end: nothing is asked for
    settle(qtbot, ctx)
    assert model.rowCount() == 180


def test_kept_rows_and_cut_texts_are_invisible_to_the_cycle_collector(qtbot: QtBot, make_ctx: MakeCtx) -> None:
    """A full collection (which holds the interpreter, stalling the GUI) does not visit the rows a model holds nor
    the texts a delegate kept cut, however many: they sit in containers the collector stops tracking."""
    ctx, _ = make_ctx(lambda vault: fill_orders(vault, 700, searchable=False))
    page = shown_orders(qtbot, ctx)
    model = page.model
    while model.canFetchMore():
        with qtbot.waitSignal(model.page_loaded, timeout=20_000):
            model.fetchMore()
    settle(qtbot, ctx)
    for row in (0, 255, 256, 511, 512, 699):  # chunked storage reads every row back in order
        assert model.record_id(row) == model.row_data(row).id  # type: ignore[union-attr]
    ids = [model.record_id(r) for r in range(model.rowCount())]
    assert len(ids) == len(set(ids)) == 700 and ids == [r[0] for r in model._rows]
    with pytest.raises(IndexError):
        model._rows[700]
    assert model._rows[-1][0] == ids[-1]
    _viewport_image(page)
    for _ in range(3):  # a row's inner tuples are untracked by the first collection, the row by the next, its chunk
        gc.collect()    # by the one after
    tracked = [o for o in gc.get_referents(*model._rows._chunks) if gc.is_tracked(o)]
    assert len(model._rows._chunks) == 2 and not any(gc.is_tracked(c) for c in model._rows._chunks)
    assert not tracked
    delegates = page.table.findChildren(ElidingDelegate)
    assert delegates and all(d.shown_texts() for d in delegates)
    assert not any(gc.is_tracked(texts) for d in delegates for texts in d._elided.values())


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
    assert model.text(5, buyer) in delegate.shown_texts()  # the last row was drawn


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
