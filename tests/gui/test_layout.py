"""Nothing is cut off at 1280 × 800: every button, label, field and table of a record's detail pane and of each
step page lies inside the visible width of its scroll area, which never scrolls sideways — also when the
detail pane is dragged narrow, where rows of buttons wrap instead."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QLabel,
    QLineEdit,
    QScrollArea,
    QTextEdit,
    QWidget,
)

from shopexit.core.vault import Vault
from shopexit.gui.records.orders import OrdersPage
from shopexit.gui.records.page import RecordPage
from tests.gui.conftest import TIMEOUT, App
from tests.helpers.records import add_order, seed_shop

WIDTH, HEIGHT = 1280, 800
CONTROLS = (QAbstractButton, QLabel, QLineEdit, QTextEdit, QComboBox, QAbstractItemView)


def clipped(area: QScrollArea) -> list[str]:
    """The controls in a scroll area's content that reach outside its visible width, and why."""
    viewport, content = area.viewport(), area.widget()
    assert content is not None
    found = []
    if content.width() > viewport.width():
        found.append(f"content {content.width()} px in a viewport of {viewport.width()} px")
    for widget in content.findChildren(QWidget):
        if not isinstance(widget, CONTROLS) or not widget.isVisibleTo(content) or widget.width() == 0:
            continue
        left = widget.mapTo(viewport, QPoint(0, 0)).x()
        if left < 0 or left + widget.width() > viewport.width():
            text = getattr(widget, "text", lambda: "")() or widget.accessibleName()
            found.append(f"{type(widget).__name__} {text[:30]!r}: x {left}..{left + widget.width()} "
                         f"of {viewport.width()}")
    return found


LONG_ORDER = "576457646075230520526317"


def _seed(vault: Vault) -> int:
    seed_shop(vault, orders=24)
    # the longest things a detail pane meets: a Thai buyer, a long product name with a variation, a long id
    ref = add_order(vault, LONG_ORDER, status="Awaiting collection", recipient="สมชาย ใจดี",
                    buyer="somchai.jaidee_official_shop", created_at="2026-06-30T10:00:00Z", amount=1234567,
                    lines=[("Hand-poured lavender and cedarwood soy candle in a reusable amber glass jar", 12, 4599),
                           ("Matchbook set", 1, 600)])
    with vault.transaction() as tx:
        tx.execute("UPDATE order_lines SET variation = 'Amber jar, 8 oz, gift-wrapped' WHERE order_ref = ?"
                   " AND line_key = '0'", (ref,))
    return ref


def _detail_pages(page: QWidget) -> list[RecordPage]:
    if isinstance(page, RecordPage):
        return [page]
    return list(getattr(page, "pages", {}).values())  # Money: one table and detail per tab


def _wait_for_detail(app: App, page: RecordPage) -> None:
    app.qtbot.waitUntil(lambda: page.current_id is not None and page.detail_stack.currentWidget()
                        is page.detail_scroll, timeout=TIMEOUT)
    app.wait_idle()
    app.qtbot.wait(50)  # the layout settles on the event loop


def test_record_detail_panes_fit_the_window(app_on: Callable[..., App]) -> None:
    app = app_on(_seed)
    main = app.unlock()
    main.resize(WIDTH, HEIGHT)
    for index, (title, page) in enumerate(main.record_pages):
        main.sidebar.select_record(index)
        for record_page in _detail_pages(page):
            tabs = getattr(page, "tabs", None)
            if tabs is not None:
                tabs.setCurrentWidget(record_page)
            _wait_for_detail(app, record_page)
            assert clipped(record_page.detail_scroll) == [], title

    # the order with the long product lines: its items table fits without a sideways scroll bar
    orders = main.record_pages[0][1]
    assert isinstance(orders, OrdersPage)
    long_ref = app.seeded
    assert main.show_record("order", long_ref)
    app.qtbot.waitUntil(lambda: orders.detail_data is not None and orders.detail_data.id == long_ref,
                        timeout=TIMEOUT)
    _wait_for_detail(app, orders)
    assert clipped(orders.detail_scroll) == []
    assert orders.lines.horizontalHeader().length() <= orders.lines.viewport().width()
    assert "\n" in orders.lines.item(0, 0).text()  # type: ignore[union-attr]  # the variation under the name

    # columns left out to make room come back from the header's (or the table's) menu
    keys = [c.key for c in orders.view.columns]
    assert orders.table.isColumnHidden(keys.index("tracking"))
    menu = orders.table.column_menu()
    tracking = next(a for a in menu.actions() if a.text() == "Tracking")
    assert not tracking.isChecked()
    tracking.trigger()
    assert not orders.table.isColumnHidden(keys.index("tracking"))

    # dragged narrow, the pane wraps its rows of buttons rather than cutting them off
    total = sum(orders.splitter.sizes())
    orders.splitter.setSizes([total - 300, 300])
    app.qtbot.waitUntil(lambda: orders.detail_scroll.width() <= 310, timeout=TIMEOUT)
    app.qtbot.wait(50)
    assert clipped(orders.detail_scroll) == []
    evidence_buttons = [orders.evidence.add_button, orders.evidence.paste_button, orders.evidence.capture_button]
    heading = orders.evidence.heading.mapTo(orders.detail, QPoint(0, 0)).y()
    assert all(b.mapTo(orders.detail, QPoint(0, 0)).y() > heading for b in evidence_buttons)  # moved below it


def test_step_pages_fit_the_window(app_on: Callable[..., App]) -> None:
    app = app_on(_seed)
    main = app.unlock()
    main.resize(WIDTH, HEIGHT)
    for number in range(1, 11):
        page = app.page(number)
        app.wait_idle()
        app.qtbot.wait(50)
        area = page.findChild(QScrollArea, "pageScroll")
        assert area is not None
        assert clipped(area) == [], f"step {number}"
