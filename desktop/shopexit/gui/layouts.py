"""Layouts that fit narrow panes — a row that wraps instead of growing wider, a scroll area that only scrolls
down — and a Tab order that follows the layouts.

A detail pane beside a table may be 360 px wide on a laptop and 700 px on a big screen. A QHBoxLayout of a
heading and three buttons asks for its full width and, inside a scroll area, makes the whole pane scroll
sideways — buttons cut off at the right edge. `WrapRow` keeps the one-line look when there is room (leading
widgets on the left, trailing ones on the right) and otherwise moves the trailing widgets onto the next lines,
so its minimum width is that of its widest single widget. `VerticalScrollArea` never scrolls sideways: its
content is always exactly as wide as what is visible.
"""

from __future__ import annotations

from itertools import pairwise

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QLayout,
    QLayoutItem,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QTextEdit,
    QWidget,
    QWidgetItem,
)


class WrapRow(QLayout):
    """Leading widgets on the left and trailing widgets on the right of one line, when they fit in it; otherwise
    the leading widgets flow first and the trailing ones flow on the lines below, left-aligned.

    A leading widget whose text wraps (a title) gets the room left on its line, and the height it needs there.
    """

    def __init__(self, parent: QWidget | None = None, spacing: int = 8, line_spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._trailing: set[int] = set()  # ids of the trailing items
        self._h = spacing
        self._v = line_spacing
        self.setContentsMargins(0, 0, 0, 0)

    # -- building ------------------------------------------------------------------------------------------------
    def add_leading(self, *widgets: QWidget) -> WrapRow:
        for widget in widgets:
            self.addWidget(widget)
        return self

    def add_trailing(self, *widgets: QWidget) -> WrapRow:
        for widget in widgets:
            self.addChildWidget(widget)
            item = QWidgetItem(widget)
            self._items.append(item)
            self._trailing.add(id(item))
        self.invalidate()
        return self

    # -- QLayout ---------------------------------------------------------------------------------------------------
    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        if not 0 <= index < len(self._items):
            return None
        item = self._items.pop(index)
        self._trailing.discard(id(item))
        return item

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation.Horizontal

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, apply=True)

    def sizeHint(self) -> QSize:
        shown = self._shown()
        if not shown:
            return QSize(0, 0)
        width = sum(i.sizeHint().width() for i in shown) + self._h * (len(shown) - 1)
        height = max(i.sizeHint().height() for i in shown)
        m = self.contentsMargins()
        return QSize(width + m.left() + m.right(), height + m.top() + m.bottom())

    def minimumSize(self) -> QSize:
        shown = self._shown()
        if not shown:
            return QSize(0, 0)
        width = max(self._min_width(i) for i in shown)
        m = self.contentsMargins()
        return QSize(width + m.left() + m.right(), self.heightForWidth(width + m.left() + m.right()))

    # -- arranging -------------------------------------------------------------------------------------------------
    def _shown(self) -> list[QLayoutItem]:
        return [i for i in self._items if not i.isEmpty()]

    @staticmethod
    def _min_width(item: QLayoutItem) -> int:
        widget = item.widget()
        if item.hasHeightForWidth() or (widget is not None and widget.sizePolicy().horizontalPolicy()
                                        in (QSizePolicy.Policy.Ignored,)):
            return item.minimumSize().width()
        return max(item.minimumSize().width(), item.sizeHint().width())

    @staticmethod
    def _stretches(item: QLayoutItem) -> bool:
        """Text that wraps, or a widget that asks for width: it takes the room left on its line."""
        return item.hasHeightForWidth() or bool(item.expandingDirections() & Qt.Orientation.Horizontal)

    def _height(self, item: QLayoutItem, width: int) -> int:
        if item.hasHeightForWidth():
            return max(item.heightForWidth(width), item.minimumSize().height())
        return item.sizeHint().height()

    def _arrange(self, rect: QRect, *, apply: bool) -> int:
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        width = max(1, area.width())
        shown = self._shown()
        leading = [i for i in shown if id(i) not in self._trailing]
        trailing = [i for i in shown if id(i) in self._trailing]
        hints = {id(i): i.sizeHint().width() for i in shown}
        # On one line a title may wrap (down to its minimum width); buttons never shrink.
        narrowest = sum(self._min_width(i) if self._stretches(i) else hints[id(i)] for i in shown)
        if narrowest + self._h * max(0, len(shown) - 1) <= width or len(shown) <= 1:
            return self._one_line(area, leading, trailing, hints, apply) + m.top() + m.bottom()
        y = area.top()
        y = self._flow(area, leading, y, apply, stretch_last=True)
        if trailing:
            y = self._flow(area, trailing, y + (self._v if leading else 0), apply, stretch_last=False)
        return y - area.top() + m.top() + m.bottom()

    def _one_line(self, area: QRect, leading: list[QLayoutItem], trailing: list[QLayoutItem],
                  hints: dict[int, int], apply: bool) -> int:
        trailing_width = sum(hints[id(i)] for i in trailing) + self._h * max(0, len(trailing) - 1)
        widths = {id(i): hints[id(i)] for i in leading}
        if leading:  # the last leading widget takes what the trailing block leaves, or gives back what it must
            last = leading[-1]
            used = sum(widths[id(i)] for i in leading[:-1]) + self._h * (len(leading) - 1)
            room = area.width() - used - (trailing_width + self._h if trailing else 0)
            if self._stretches(last):
                widths[id(last)] = max(min(room, last.maximumSize().width()), 0)
            else:
                widths[id(last)] = max(min(widths[id(last)], room), 0)
        heights = [self._height(i, widths[id(i)]) for i in leading] + \
                  [i.sizeHint().height() for i in trailing]
        line = max(heights) if heights else 0
        if apply:
            x = area.left()
            for item in leading:
                w = widths[id(item)]
                h = self._height(item, w)
                item.setGeometry(QRect(QPoint(x, area.top() + (line - h) // 2), QSize(w, h)))
                x += w + self._h
            x = area.right() + 1 - trailing_width
            for item in trailing:
                w, h = hints[id(item)], item.sizeHint().height()
                item.setGeometry(QRect(QPoint(x, area.top() + (line - h) // 2), QSize(w, h)))
                x += w + self._h
        return line

    def _flow(self, area: QRect, items: list[QLayoutItem], top: int, apply: bool, *, stretch_last: bool) -> int:
        """Left to right, wrapping; an item wider than the line gets the whole line (and wraps its text)."""
        x, y, line = area.left(), top, 0
        for n, item in enumerate(items):
            w = min(item.sizeHint().width(), area.width())
            if x > area.left() and x + w > area.right() + 1:
                x, y, line = area.left(), y + line + self._v, 0
            if stretch_last and n == len(items) - 1 and self._stretches(item):
                w = min(area.right() + 1 - x, item.maximumSize().width())
            h = self._height(item, w)
            if apply:
                item.setGeometry(QRect(QPoint(x, y), QSize(w, h)))
            x += w + self._h
            line = max(line, h)
        return y + line


class VerticalScrollArea(QScrollArea):
    """Scrolls down, never sideways: the content is kept exactly as wide as the visible area, so text wraps
    and rows of buttons wrap (`WrapRow`) instead of running off the right edge."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QScrollArea.Shape.NoFrame)

    def viewportEvent(self, event: QEvent) -> bool:
        # The viewport narrows when the vertical scroll bar appears, without the area itself resizing: follow
        # the viewport, not the area.
        if event.type() == QEvent.Type.Resize:
            content = self.widget()
            if content is not None:
                content.setMaximumWidth(max(1, self.viewport().width()))
        return super().viewportEvent(event)

    def minimumSizeHint(self) -> QSize:
        return QSize(120, 80)  # the splitter may make the pane narrow: the content wraps to fit


_LEAVES = (QAbstractButton, QAbstractItemView, QAbstractSpinBox, QComboBox, QLineEdit, QPlainTextEdit, QTextEdit)
"""Controls that take focus as a whole: their inner parts (a combo's line edit, a view's viewport) are theirs."""


def focus_order(root: QWidget) -> list[QWidget]:
    """The widgets under `root` that Tab should stop at, in the order the layouts place them — left to right,
    top to bottom, pane by pane — whatever order they were created in."""
    order: list[QWidget] = []

    def visit(widget: QWidget) -> None:
        if widget is not root and widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            order.append(widget)
        if isinstance(widget, _LEAVES):
            return
        if isinstance(widget, QScrollArea):
            inner = widget.widget()
            if inner is not None:
                visit(inner)
            return
        if isinstance(widget, QSplitter | QStackedWidget):
            for n in range(widget.count()):
                child = widget.widget(n)
                if child is not None:
                    visit(child)
            return
        if isinstance(widget, QTabWidget):
            visit(widget.tabBar())
            for n in range(widget.count()):
                page = widget.widget(n)
                if page is not None:
                    visit(page)
            return
        layout = widget.layout()
        if layout is not None:
            visit_layout(layout)

    def visit_layout(layout: QLayout) -> None:
        for n in range(layout.count()):
            item = layout.itemAt(n)
            if item is None:
                continue
            child, inner = item.widget(), item.layout()
            if child is not None:
                visit(child)
            elif inner is not None:
                visit_layout(inner)

    visit(root)
    return order


def apply_tab_order(root: QWidget) -> list[QWidget]:
    """Make Tab follow `focus_order(root)` (call again after widgets are added or replaced)."""
    chain = focus_order(root)
    for first, second in pairwise(chain):
        QWidget.setTabOrder(first, second)
    return chain
