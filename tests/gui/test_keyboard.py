"""Everything by keyboard: toolbar actions carry their shortcut in their tooltip, and Tab alone walks every control
of a page — in the order they are shown, each with a name a screen reader can say — and comes back out."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QTextEdit,
    QToolBar,
    QToolButton,
    QWidget,
    QWidgetAction,
)

from shopexit.gui.main_window import MainWindow
from shopexit.gui.records.page import RecordPage
from tests.gui.conftest import TIMEOUT, App
from tests.helpers.records import seed_shop

_COMPOSITE = (QAbstractSpinBox, QComboBox, QAbstractItemView, QTextEdit, QPlainTextEdit)


def tab_walk(app: App, start: QWidget, limit: int = 150) -> list[QWidget]:
    """Press Tab from `start` until focus comes back to it; every widget focused on the way, in order."""
    start.setFocus(Qt.FocusReason.TabFocusReason)
    app.qtbot.waitUntil(lambda: QApplication.focusWidget() is start, timeout=TIMEOUT)
    seen: list[QWidget] = []
    for _ in range(limit):
        widget = QApplication.focusWidget()
        assert widget is not None
        seen.append(widget)
        app.qtbot.keyClick(widget, Qt.Key.Key_Tab)
        if QApplication.focusWidget() is start:
            return seen
    raise AssertionError(f"Tab never came back to {start.accessibleName()!r}; stuck at "
                         f"{type(QApplication.focusWidget()).__name__} after {[type(w).__name__ for w in seen[-5:]]}")


def tab_stops(page: QWidget) -> list[QWidget]:
    """The visible, enabled widgets of a page that Tab should reach (not the inner parts of a combo or a list)."""
    stops = []
    for widget in page.findChildren(QWidget):
        if not (widget.isVisible() and widget.isEnabled() and widget.focusPolicy() & Qt.FocusPolicy.TabFocus):
            continue
        parent, inner = widget.parentWidget(), False
        while parent is not None and parent is not page:
            inner = inner or isinstance(parent, _COMPOSITE)
            parent = parent.parentWidget()
        if not inner and widget.focusProxy() is None:
            stops.append(widget)
    return stops


def spoken(widget: QWidget) -> str:
    """What a screen reader announces: the accessible name, else a button's text, else a field's placeholder."""
    name = widget.accessibleName()
    if not name and isinstance(widget, QAbstractButton):
        name = widget.text().replace("&", "")
    if not name and isinstance(widget, QLineEdit):
        name = widget.placeholderText()
    return name


def test_toolbar_actions_show_their_shortcut(app_on: Callable[..., App]) -> None:
    app = app_on()
    main = app.unlock()
    toolbar = main.findChild(QToolBar, "mainToolbar")
    assert toolbar is not None
    actions = [a for a in toolbar.actions() if not isinstance(a, QWidgetAction) and not a.isSeparator()]
    assert [a.text() for a in actions] == ["Import…", "Add evidence…", "Export archive…", "Search", "Lock"]
    for action in actions:
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        assert keys, action.text()
        assert f"({keys})" in action.toolTip(), action.toolTip()
        button = toolbar.widgetForAction(action)
        assert isinstance(button, QToolButton) and keys in button.toolTip()
    # every menu entry can be reached by a key, too: a shortcut, or a letter in its menu
    for menu_action in main.menuBar().actions():
        menu = menu_action.menu()
        assert isinstance(menu, QMenu) and "&" in menu_action.text()
        for entry in menu.actions():
            if not entry.isSeparator():
                assert not entry.shortcut().isEmpty() or "&" in entry.text(), entry.text()


def test_tab_reaches_every_control_in_order_and_every_control_has_a_name(app_on: Callable[..., App]) -> None:
    app = app_on(seed_shop)
    main = app.unlock()
    main.activateWindow()
    app.qtbot.waitUntil(main.isActiveWindow, timeout=TIMEOUT)

    for number in (1, 5):
        step = app.page(number)
        app.wait_idle()
        app.qtbot.wait(50)  # widgets added to a shown page appear on the next turn of the event loop
        walked = tab_walk(app, main.sidebar.list)
        _check(walked, step, f"step {number}")
        boxes = list(step.checklist.boxes.values())
        order = [walked.index(w) for w in (step.done_button, *boxes, step.checklist.new_item, step.notes)]
        assert order == sorted(order), f"step {number}: Tab does not follow the page"

    for index, (title, page) in enumerate(main.record_pages):
        _show_records(app, main, index)
        walked = tab_walk(app, main.sidebar.list)
        _check(walked, page, title)
        tables = [w for w in walked if isinstance(w, QAbstractItemView) and w.accessibleName().lower() in (
            "orders", "settlements", "conversations", "cases", "evidence items")]
        assert len(tables) == 1, title
        # the list side (filter, its buttons, the table) first, then the detail pane's buttons
        inner = getattr(page, "tabs", None)
        shown = inner.currentWidget() if inner is not None else page
        assert isinstance(shown, RecordPage)
        pane = shown.detail_scroll
        detail = [w for w in walked if isinstance(w, QAbstractButton) and pane.isAncestorOf(w)]
        assert detail and walked.index(tables[0]) < walked.index(detail[0]), title
        new = [w for w in walked if isinstance(w, QAbstractButton) and w.text().startswith("New ")]
        assert all(walked.index(w) < walked.index(tables[0]) for w in new), title


def _show_records(app: App, main: MainWindow, index: int) -> None:
    """Alt+1…Alt+5 bring each record view forward; wait for its first record's detail."""
    action: QAction = main.record_actions[index]
    assert action.shortcut().toString() == f"Alt+{index + 1}"
    app.qtbot.keyClick(main, Qt.Key(Qt.Key.Key_1 + index), Qt.KeyboardModifier.AltModifier)
    page = main.record_pages[index][1]
    app.qtbot.waitUntil(lambda: main.stack.currentWidget() is page, timeout=TIMEOUT)
    inner = getattr(page, "tabs", None)
    shown = inner.currentWidget() if inner is not None else page
    app.qtbot.waitUntil(lambda: getattr(shown, "current_id", None) is not None, timeout=TIMEOUT)
    app.wait_idle()
    app.qtbot.wait(50)


def _check(walked: list[QWidget], page: QWidget, where: str) -> None:
    missing = [f"{type(w).__name__} {spoken(w)!r}" for w in tab_stops(page) if w not in walked]
    assert not missing, f"{where}: Tab never reaches {missing}"
    nameless = [type(w).__name__ for w in walked if not spoken(w)]
    assert not nameless, f"{where}: no accessible name for {nameless}"
