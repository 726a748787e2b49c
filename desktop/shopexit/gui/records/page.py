"""The shape every record view shares: filter bar and lazily paged table on the left, the chosen record's detail
pane on the right. Subclasses say what a detail is (`detail_job`) and how to show it (`show_detail`).

Pages look after themselves across locking: on `locked` every decrypted row and detail is dropped; when shown
again after a change anywhere in the vault (the audit log grew), they reload.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QHelpEvent, QPainter, QPaintEvent, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionHeader,
    QStyleOptionViewItem,
    QTableView,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from shopexit.core.records import browse
from shopexit.core.vault import Vault
from shopexit.gui.context import GuiContext
from shopexit.gui.layouts import VerticalScrollArea, apply_tab_order
from shopexit.gui.records.model import PagedTableModel
from shopexit.gui.records.widgets import STYLE, FilterBar
from shopexit.gui.worker import Progress

DetailJob = Callable[[Vault, Progress], Any]
_Index = QModelIndex | QPersistentModelIndex

ID_COLUMNS = frozenset({"order_id", "reference_id", "withdrawal_id"})
"""Platform ids, 18-20 digits that differ mostly at the end: shown narrow, cut in the middle ("5764576…205263")."""
ID_WIDTH = 13  # characters
MIDDLE_ELIDED = ID_COLUMNS | {"name"}  # file names keep their extension: "Screenshot 20…chat.png"
FIRST_COLUMNS: dict[str, tuple[str, ...]] = {
    "settlements": ("settled_at", "order_id", "type", "amount", "revenue"),
    "commissions": ("order_at", "order_id", "status", "estimated", "earned"),
    "cases": ("title", "status", "deadline"),
}
"""Columns moved to the front, by view name: what a row is and what it is worth come before its details."""
WIDTHS: dict[str, dict[str, int]] = {"evidence": {"name": 20, "type": 12}}
"""Column widths (in characters) this view sets its own way, by view name and column key."""
HIDDEN_COLUMNS: dict[str, frozenset[str]] = {
    "orders": frozenset({"items", "proof", "tracking"}),
    "settlements": frozenset({"reference_id", "commission"}),
    "withdrawals": frozenset({"by_hand"}),
    "commissions": frozenset({"counterpart"}),
    "threads": frozenset({"count"}),
    "cases": frozenset({"kind", "checklist", "opened_at"}),
    "evidence": frozenset({"captured_at"}),
}
"""Columns a table starts without, by view name, so the ones that matter fit beside the detail pane at
1280 × 800; the detail pane shows them all. Every column can be shown again from the header's context menu
(right-click a column title)."""


def singular(noun: str) -> str:
    """ "1 case", "1 amount on hold", "1 evidence item": the plural noun of a view, for one."""
    words = noun.split()
    at = 0 if words[-1] in ("hold",) else len(words) - 1
    if words[at].endswith("s"):
        words[at] = words[at][:-1]
    return " ".join(words)


# State bits as plain ints: `&` on PySide's enum flags runs Python's enum machinery (~5 µs), once per cell per paint.
_SELECTED = QStyle.StateFlag.State_Selected.value
_FULL_PASS = QStyle.StateFlag.State_HasFocus.value  # the current cell's focus frame: drawn by the style, as before
_ENABLED = QStyle.StateFlag.State_Enabled.value
_ACTIVE = QStyle.StateFlag.State_Active.value
_NORMAL_GROUP, _INACTIVE_GROUP, _DISABLED_GROUP = (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive,
                                                   QPalette.ColorGroup.Disabled)
_HIGHLIGHT, _HIGHLIGHTED_TEXT, _TEXT = (QPalette.ColorRole.Highlight, QPalette.ColorRole.HighlightedText,
                                        QPalette.ColorRole.Text)
_COLOUR_BITS = _SELECTED | _ENABLED | _ACTIVE
_ALTERNATE = QStyleOptionViewItem.ViewItemFeature.Alternate.value
_ROW_PANEL = QStyle.PrimitiveElement.PE_PanelItemViewRow
_ELIDED_KEPT = 20_000  # elided texts kept per column delegate before the cache starts again


class ElidingDelegate(QStyledItemDelegate):
    """Paints a cell's kept text, cut with "…" (in the middle for ids); a cut cell shows its whole text as a
    tooltip.

    Why it paints by itself: `QStyledItemDelegate.paint` asks the model for ~7 roles through QVariants and runs
    the style sheet's whole item pass (rule matching, a QTextLayout per cell): ~0.2 ms a cell, ~30 ms a screenful,
    and a screenful is painted twice for every page of rows that arrives while the user scrolls a 100,000-order
    list. These cells have no icons, check boxes, colours or fonts of their own, so what shows is the selection
    fill, the text colour and the padding: this draws exactly that with a few QPainter calls, the text straight
    from `PagedTableModel.text`. The cell with keyboard focus (its focus frame) and multi-line text still take the
    style's full pass."""

    def __init__(self, parent: QTableView, model: PagedTableModel,
                 mode: Qt.TextElideMode = Qt.TextElideMode.ElideRight) -> None:
        super().__init__(parent)
        self.view = parent
        self.model = model
        self.mode = mode
        self._insets: tuple[int, int] | None = None  # text padding (left, right), measured once from the style
        self._alignments: dict[int, int] = {}  # by column, as the int drawText takes
        self._colours: dict[tuple[int, int], tuple[QBrush | None, QColor]] = {}  # by (palette, state bits)
        self._elided: dict[int, dict[str, str]] = {}
        """By width, each text and what of it fits: a cell repainted is not measured again. Dictionaries of strings
        alone, which Python's cycle collector does not track (tuples as keys made it visit ~20,000 of them at every
        full collection)."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: _Index) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = self.mode

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        # Every call below is picked for cost: PySide converts an enum argument and resolves overloads in Python
        # (drawText(QRect, AlignmentFlag, str) costs twice drawText(x, y, w, h, int, str)); colours are looked up
        # once per palette, not per cell.
        state = option.state.value
        column = index.column()
        text = self.model.text(index.row(), column)
        if state & _FULL_PASS or "\n" in text:
            super().paint(painter, option, index)
            return
        x, y, w, h = cast(tuple[int, int, int, int], option.rect.getRect())  # one call, not four
        left, right = self._insets or self._measure(option, index)
        width = w - left - right
        elided = self._elided.get(width) or self.elided_at(width)
        shown = elided.get(text)
        if shown is None:
            shown = option.fontMetrics.elidedText(text, self.mode, width)  # the text itself when it fits
            if len(elided) >= _ELIDED_KEPT:
                elided.clear()
            elided[text] = shown
        palette = option.palette
        key = (palette.cacheKey(), state & _COLOUR_BITS)
        fill, pen = self._colours.get(key) or self._colours_for(palette, key)
        if fill is not None:
            painter.fillRect(option.rect, fill)
        # No save()/restore(): every cell sets the pen and font it draws with, and the view's own drawing (row
        # backgrounds, grid, the focus cell's style pass) sets its own.
        painter.setPen(pen)
        painter.setFont(option.font)
        alignment = self._alignments.get(column)
        if alignment is None:
            alignment = self._alignment(column)
        painter.drawText(x + left, y, width, h, alignment, shown)

    def elided_at(self, width: int) -> dict[str, str]:
        """The texts cut to `width` so far (kept for a few widths: a column being resized passes through many)."""
        elided = self._elided.get(width)
        if elided is None:
            if len(self._elided) >= 16:
                self._elided.clear()
            elided = self._elided[width] = {}
        return elided

    def shown_texts(self) -> dict[str, str]:
        """Every text painted so far and what of it was shown (for tests and checks)."""
        return {text: shown for elided in self._elided.values() for text, shown in elided.items()}

    def forget_layout(self) -> None:
        """The view's style, font or direction changed: measure the padding, widths and alignment again."""
        self._insets = None
        self._alignments.clear()
        self._elided.clear()

    def _colours_for(self, palette: QPalette, key: tuple[int, int]) -> tuple[QBrush | None, QColor]:
        """The selection fill (None when not selected) and the text colour for a cell's state, from the palette
        the view paints with (the style sheet's selection colours are in it)."""
        state = key[1]
        group = (_NORMAL_GROUP if state & _ACTIVE else _INACTIVE_GROUP) if state & _ENABLED else _DISABLED_GROUP
        if len(self._colours) > 32:  # a new palette (theme change): the old entries are dead
            self._colours.clear()
        colours = ((palette.brush(group, _HIGHLIGHT), palette.color(group, _HIGHLIGHTED_TEXT)) if state & _SELECTED
                   else (None, palette.color(group, _TEXT)))
        self._colours[key] = colours
        return colours

    def _alignment(self, column: int) -> int:
        alignment = QStyle.visualAlignment(self.view.layoutDirection(), self.model.alignment(column)).value
        self._alignments[column] = alignment
        return alignment

    def _measure(self, option: QStyleOptionViewItem, index: _Index) -> tuple[int, int]:
        """Where the style puts a cell's text: the style sheet's item padding plus the style's text margin, as
        `QStyledItemDelegate` would lay it out."""
        full = QStyleOptionViewItem(option)
        self.initStyleOption(full, index)
        style = self.view.style()
        text_rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, full, self.view)
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self.view) + 1
        self._insets = (text_rect.left() - full.rect.left() + margin, full.rect.right() - text_rect.right() + margin)
        return self._insets

    def helpEvent(self, event: QHelpEvent, view: QAbstractItemView, option: QStyleOptionViewItem,
                  index: _Index) -> bool:
        if event.type() == QEvent.Type.ToolTip and index.isValid():
            text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
            if text and option.fontMetrics.horizontalAdvance(text) > option.rect.width() - 12:
                QToolTip.showText(event.globalPos(), text, view)
                return True
        return super().helpEvent(event, view, option, index)


_SORT_UP, _SORT_DOWN = QStyleOptionHeader.SortIndicator.SortUp, QStyleOptionHeader.SortIndicator.SortDown


class SortHeader(QHeaderView):
    """Column titles whose sort arrow points the way the rows run: down for newest / largest / Z first
    (descending), up for oldest / smallest / A first (ascending), as file managers show it.

    Why: `QHeaderView` hands the style `SortUp` for a descending sort (and `SortDown` for ascending), and Fusion
    draws `SortUp` as an arrow pointing up, so a list sorted newest first showed an upward arrow."""

    def initStyleOptionForIndex(self, option: QStyleOptionHeader, logicalIndex: int) -> None:
        super().initStyleOptionForIndex(option, logicalIndex)
        if option.sortIndicator == _SORT_UP:
            option.sortIndicator = _SORT_DOWN
        elif option.sortIndicator == _SORT_DOWN:
            option.sortIndicator = _SORT_UP


class RecordTable(QTableView):
    """A compact, sortable table for a paged model."""

    columns_changed = Signal()
    """The user moved, resized, showed or hid a column, or reset them."""

    def __init__(self, model: PagedTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._appended_below = False
        self.setHorizontalHeader(SortHeader(Qt.Orientation.Horizontal, self))
        self.setModel(model)
        for signal in (model.modelReset, model.layoutChanged, model.rowsRemoved, model.rowsMoved, model.dataChanged,
                       model.columnsInserted, model.columnsRemoved):
            signal.connect(self._forget_appended)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setTabKeyNavigation(False)  # Tab leaves the table for the detail pane; arrows move between rows
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionsMovable(True)
        char = self.fontMetrics().horizontalAdvance("0")  # ids and dates are digits: size columns by a digit
        self.setItemDelegate(ElidingDelegate(self, model))
        hidden = HIDDEN_COLUMNS.get(model.view.name, frozenset())
        widths = WIDTHS.get(model.view.name, {})
        for n, column in enumerate(model.view.columns):
            width = widths.get(column.key, column.width)
            if column.key in ID_COLUMNS:
                width = min(width or ID_WIDTH, ID_WIDTH)
            if column.key in MIDDLE_ELIDED:
                self.setItemDelegateForColumn(n, ElidingDelegate(self, model, Qt.TextElideMode.ElideMiddle))
            if width:
                title = self.fontMetrics().horizontalAdvance(column.title) + 26  # room for the sort arrow
                self.setColumnWidth(n, max(width * char + 24, title))  # + the cell padding
            self.setColumnHidden(n, column.key in hidden)
        keys = [c.key for c in model.view.columns]
        for visual, key in enumerate(FIRST_COLUMNS.get(model.view.name, ())):
            header.moveSection(header.visualIndex(keys.index(key)), visual)
        header.setStretchLastSection(True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._column_menu)
        header.setToolTip("Right-click a column title (or press the Menu key in the table) to show or hide columns")
        # the Menu key in the table offers the same choice: the header itself never has keyboard focus
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(
            lambda pos: self.column_menu().popup(self.viewport().mapToGlobal(pos)))
        section, order = model.sort_section()
        header.setSortIndicator(section, order)  # before enabling sorting, which sorts by the indicator at once
        self.setSortingEnabled(True)
        self.setAccessibleName(model.view.noun.capitalize())
        self._default_columns = self.column_state()
        self._restoring = False
        header.sectionMoved.connect(self._columns_touched)
        header.sectionResized.connect(self._columns_touched)

    # -- one paint per page of rows ------------------------------------------------------------------------------
    # A page of rows arriving while the user scrolls lands below the last row on screen. Qt answers any insertion
    # with a (delayed) items layout that repaints the whole viewport, although not one visible pixel changed; the
    # scroll that follows paints it again with the new rows. Skipping the first repaint halves the GUI thread's
    # painting per page (bench/README.md, Orders view). Anything else that lays the view out repaints as before.
    #
    # A page that arrives while the last row loaded before it is on screen (the user is at the end of the list, or
    # holds the scroll bar there) asks for the next page at once: Qt would ask only at the next scroll, right before
    # it paints, so the vault thread built that page while the GUI thread painted, both wanting the interpreter.
    # Asked now, it is built while the GUI thread waits for the user; one page ahead, no more (the rows just
    # arrived are below the screen, so the next page does not ask again until the user scrolls to it).
    def rowsInserted(self, parent: _Index, start: int, end: int) -> None:
        bottom = self.rowAt(self.viewport().height() - 1)  # -1: the rows do not fill the viewport
        self._appended_below = not parent.isValid() and 0 <= bottom < start
        at_end = self._appended_below and bottom == start - 1
        super().rowsInserted(parent, start, end)
        model = self.model()
        if at_end and model.canFetchMore(QModelIndex()):
            model.fetchMore(QModelIndex())

    def doItemsLayout(self) -> None:
        if self._appended_below and self.verticalHeader().updatesEnabled():
            self._appended_below = False
            offset = self.verticalOffset()
            self.updateGeometries()  # the scroll bar's range; the rows on screen are unchanged…
            moved = offset - self.verticalOffset()
            if moved:  # …but for the end of the list: held there, the rows move up to align the top row, by a few
                self.viewport().scroll(0, moved)  # pixels, and the first new row shows in part below the last
            return
        self._appended_below = False
        super().doItemsLayout()

    def _forget_appended(self, *_args: object) -> None:
        self._appended_below = False

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.StyleChange, QEvent.Type.FontChange, QEvent.Type.LayoutDirectionChange):
            for delegate in self.findChildren(ElidingDelegate):
                delegate.forget_layout()

    # -- the rows on screen, painted in one pass ---------------------------------------------------------------------
    # `QTableView.paintEvent` calls the delegate once per cell: each call wraps a painter, an option and an index
    # for Python, copies the option's palette, font and metrics, and asks the model for rowCount and columnCount
    # (~40 µs a cell before any drawing; ~130 cells a screen, a screen for every page of rows that arrives while
    # the user scrolls a 100,000-order list). This draws what that loop draws, cell for cell: the style's row
    # background (alternate rows, selection), then each cell's selection fill, colour and cut text as the
    # `ElidingDelegate` draws them — in one Python call, with a background and a pen per row and one `drawText` a
    # cell. The cell with the keyboard focus and multi-line texts still go through their delegate and the style's
    # full item pass; anything this does not draw (a grid, right-to-left, a drag's drop indicator, a delegate of
    # another kind) falls back to Qt's own loop.
    def paintEvent(self, event: QPaintEvent) -> None:
        if not self._paint_rows(event):
            super().paintEvent(event)

    def _paint_rows(self, event: QPaintEvent) -> bool:
        """Paint the dirty rows as `QTableView.paintEvent` would; False (nothing painted) when it cannot."""
        model = self.model()
        header, rows = self.horizontalHeader(), self.verticalHeader()
        if (not isinstance(model, PagedTableModel) or self.showGrid() or self.isRightToLeft()
                or self.state() == QAbstractItemView.State.DraggingState or not header.count() or not rows.count()
                or rows.sectionsHidden()):  # hidden rows: Qt counts alternate rows its own way
            return False
        area = event.rect()
        # the rows and columns the dirty area touches, as Qt's loop finds them (sections in their visual order)
        top, bottom = rows.visualIndexAt(area.top()), rows.visualIndexAt(area.bottom())
        if bottom == -1:
            bottom = rows.count() - 1
        if top == -1 or top > bottom:
            return True
        left, right = max(header.visualIndexAt(area.left()), 0), header.visualIndexAt(area.right())
        if right == -1:
            right = header.count() - 1
        default = self.itemDelegate()
        if not isinstance(default, ElidingDelegate):
            return False
        shown_columns: list[tuple[int, int, int, ElidingDelegate]] = []  # (column, x, width, delegate)
        for visual in range(left, right + 1):
            column = header.logicalIndex(visual)
            if header.isSectionHidden(column):
                continue
            delegate = self.itemDelegateForColumn(column) or default
            if not isinstance(delegate, ElidingDelegate):
                return False
            shown_columns.append((column, header.sectionViewportPosition(column), header.sectionSize(column),
                                  delegate))
        if not shown_columns:
            return True

        option = QStyleOptionViewItem()
        self.initViewItemOption(option)  # what every cell's option starts from in Qt's loop
        base = option.state.value
        palette = QPalette(option.palette)
        if base & _ENABLED:  # every row is enabled: Qt's loop sets the palette's group to Normal for each cell
            palette.setCurrentColorGroup(_NORMAL_GROUP)
        option.palette = palette
        metrics, font = option.fontMetrics, option.font
        alternate = self.alternatingRowColors()
        features = option.features.value
        states = {bits: QStyle.StateFlag(bits) for bits in (base, base | _SELECTED)}
        alternated = {False: QStyleOptionViewItem.ViewItemFeature(features & ~_ALTERNATE),
                      True: QStyleOptionViewItem.ViewItemFeature(features | _ALTERNATE)}
        current = self.currentIndex()
        focus = ((current.row(), current.column()) if current.isValid()
                 and (self.hasFocus() or self.viewport().hasFocus()) else None)
        ranges = self.selectionModel().selection()
        selection = [(r.top(), r.bottom(), r.left(), r.right()) for r in map(ranges.at, range(ranges.count()))]
        colours = default._colours
        palette_key = palette.cacheKey()
        first_row = rows.logicalIndex(top)

        def cell_option(x: int, y: int, w: int, h: int, bits: int) -> QStyleOptionViewItem:
            cell = QStyleOptionViewItem(option)
            cell.rect = QRect(x, y, w, h)
            cell.state = QStyle.StateFlag(bits)
            return cell

        # Each column's text box, alignment and cut texts, looked up once a paint rather than once a cell.
        cells: list[tuple[int, int, int, ElidingDelegate, int, int, int, dict[str, str]]] = []
        for column, x, w, delegate in shown_columns:
            insets = delegate._insets
            if insets is None:
                insets = delegate._measure(cell_option(x, 0, w, rows.sectionSize(first_row), base),
                                           model.index(first_row, column))
            width = w - insets[0] - insets[1]
            alignment = delegate._alignments.get(column)
            if alignment is None:
                alignment = delegate._alignment(column)
            cells.append((column, x, w, delegate, x + insets[0], width, alignment, delegate.elided_at(width)))
        first_x = min(c[1] for c in cells)
        last_x = max(c[1] + c[2] for c in cells)
        style = self.style()
        row_rect = QRect()
        painter = QPainter(self.viewport())
        try:
            painter.setFont(font)
            for visual_row in range(top, bottom + 1):
                row = rows.logicalIndex(visual_row)
                y, h = rows.sectionViewportPosition(row), rows.sectionSize(row)
                texts = model.row_texts(row)
                chosen = ([any(t <= row <= b and lo <= c[0] <= hi for t, b, lo, hi in selection) for c in cells]
                          if selection else [False] * len(cells))
                option.features = alternated[alternate and bool(visual_row & 1)]
                # The style's row background (alternate rows, selection): one rectangle for the row when every
                # cell has the same state, as it is one colour; else cell by cell, as Qt's loop draws it.
                if all(chosen) or not any(chosen):
                    row_rect.setRect(first_x, y, last_x - first_x, h)
                    option.rect = row_rect
                    option.state = states[base | (_SELECTED if chosen[0] else 0)]
                    style.drawPrimitive(_ROW_PANEL, option, painter, self)
                else:
                    for (_column, x, w, *_rest), on in zip(cells, chosen, strict=True):
                        option.rect = QRect(x, y, w, h)
                        option.state = states[base | (_SELECTED if on else 0)]
                        style.drawPrimitive(_ROW_PANEL, option, painter, self)
                pen_set: QColor | None = None
                for (column, x, w, delegate, text_x, width, alignment, elided), on in zip(cells, chosen, strict=True):
                    text = texts[column]
                    bits = base | (_SELECTED if on else 0)
                    if (row, column) == focus or "\n" in text:  # the style's full item pass, as before
                        focused = _FULL_PASS if (row, column) == focus else 0
                        delegate.paint(painter, cell_option(x, y, w, h, bits | focused), model.index(row, column))
                        painter.setFont(font)
                        pen_set = None
                        continue
                    shown = elided.get(text)
                    if shown is None:
                        shown = metrics.elidedText(text, delegate.mode, width)  # the text itself when it fits
                        if len(elided) >= _ELIDED_KEPT:
                            elided.clear()
                        elided[text] = shown
                    key = (palette_key, bits & _COLOUR_BITS)
                    fill, pen = colours.get(key) or default._colours_for(palette, key)
                    if fill is not None:
                        painter.fillRect(x, y, w, h, fill)
                    if pen is not pen_set:
                        painter.setPen(pen)
                        pen_set = pen
                    painter.drawText(text_x, y, width, h, alignment, shown)
        finally:
            painter.end()
        return True

    def column_menu(self) -> QMenu:
        """Show or hide each column (the last one shown stays), or put the columns back as they first were."""
        menu = QMenu(self)
        menu.setTitle("Columns")
        model = self.model()
        shown = [n for n in range(model.columnCount()) if not self.isColumnHidden(n)]
        for n in range(model.columnCount()):
            action = menu.addAction(str(model.headerData(n, Qt.Orientation.Horizontal)))
            action.setCheckable(True)
            action.setChecked(not self.isColumnHidden(n))
            action.setEnabled(shown != [n])
            action.toggled.connect(lambda on, column=n: self._show_column(column, on))
        menu.addSeparator()
        reset = menu.addAction("Reset columns")
        reset.setToolTip("Show, order and size the columns as they first were")
        reset.setEnabled(self.column_state() != self._default_columns)
        reset.triggered.connect(self.reset_columns)
        return menu

    # -- the column layout the user chose (kept in the settings by the page) ----------------------------------------
    def _show_column(self, column: int, shown: bool) -> None:
        self.setColumnHidden(column, not shown)
        self.columns_changed.emit()

    def _columns_touched(self, *_args: object) -> None:
        if not self._restoring:
            self.columns_changed.emit()

    def column_state(self) -> dict[str, Any]:
        """The columns as they are: keys in the order shown, the hidden ones, and each shown column's width in
        pixels, but the last one's (it stretches with the window). Column keys and sizes only."""
        header = self.horizontalHeader()
        keys = [c.key for c in cast(PagedTableModel, self.model()).view.columns]
        order = [keys[header.logicalIndex(visual)] for visual in range(len(keys))]
        shown = [key for key in order if not self.isColumnHidden(keys.index(key))]
        return {"order": order, "hidden": [key for key in order if key not in shown],
                "widths": {key: header.sectionSize(keys.index(key)) for key in shown[:-1]}}

    def restore_columns(self, state: Any) -> None:
        """Put the columns as `state` says (see `column_state`). Anything it does not know — a column renamed or
        gone, a bad width — is skipped, and at least one column stays shown: settings written by another version
        never break the table."""
        if not isinstance(state, dict):
            return
        header = self.horizontalHeader()
        keys = [c.key for c in cast(PagedTableModel, self.model()).view.columns]
        self._restoring = True
        try:
            order = state.get("order")
            if isinstance(order, list):
                known = [k for k in dict.fromkeys(order) if isinstance(k, str) and k in keys]
                for visual, key in enumerate(known):
                    header.moveSection(header.visualIndex(keys.index(key)), visual)
            hidden = state.get("hidden")
            if isinstance(hidden, list):
                hide = {k for k in hidden if isinstance(k, str) and k in keys}
                if len(hide) < len(keys):
                    for n, key in enumerate(keys):
                        self.setColumnHidden(n, key in hide)
            widths = state.get("widths")
            if isinstance(widths, dict):
                for key, width in widths.items():
                    if key in keys and isinstance(width, int) and not isinstance(width, bool):
                        self.setColumnWidth(keys.index(key), max(24, min(width, 2000)))
        finally:
            self._restoring = False

    def reset_columns(self) -> None:
        """Every column back where, as wide and as shown as it first was."""
        self.restore_columns(self._default_columns)
        self.columns_changed.emit()

    @property
    def default_columns(self) -> dict[str, Any]:
        return self._default_columns

    def _column_menu(self, pos: QPoint) -> None:
        self.column_menu().popup(self.horizontalHeader().mapToGlobal(pos))


class RecordPage(QWidget):
    """A paged, filterable list of one kind of record beside the detail of the chosen one."""

    open_record = Signal(str, int)
    """The user followed a link to another record (an order from a case, a case from an order…)."""

    kinds: frozenset[str] = frozenset()
    title = ""

    def __init__(self, ctx: GuiContext, view: browse.View, *, empty_text: str, parent: QWidget | None = None,
                 detail_width: int = 420) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.view = view
        self.empty_text = empty_text
        self.setStyleSheet(STYLE)
        self.model = PagedTableModel(ctx, view, self)
        self.filters = FilterBar(view)
        self.table = RecordTable(self.model)
        self.count_label = QLabel("")
        self.count_label.setObjectName("countLabel")
        self.empty = QWidget()
        self.empty_label = QLabel(empty_text)
        self.empty_label.setObjectName("emptyState")
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.clear_filter_button = QPushButton("Clear the filter")
        self.clear_filter_button.clicked.connect(self.clear_filter)
        empty_layout = QVBoxLayout(self.empty)
        empty_layout.addStretch(1)
        empty_layout.addWidget(self.empty_label)
        empty_layout.addWidget(self.clear_filter_button, 0, Qt.AlignmentFlag.AlignHCenter)
        empty_layout.addStretch(2)
        self.list_stack = QStackedWidget()
        self.list_stack.addWidget(self.table)
        self.list_stack.addWidget(self.empty)

        self.list_side = QWidget()
        left = self.list_layout = QVBoxLayout(self.list_side)
        left.setContentsMargins(0, 0, 4, 0)
        self.list_tools = QHBoxLayout()
        self.list_tools.addWidget(self.filters, 1)
        left.addLayout(self.list_tools)
        left.addWidget(self.list_stack, 1)
        left.addWidget(self.count_label)

        self.detail = QFrame()
        self.detail.setObjectName("detailPane")
        self.detail_layout = QVBoxLayout(self.detail)
        self.detail_layout.setContentsMargins(14, 10, 14, 10)
        self.detail_scroll = VerticalScrollArea()
        self.detail_scroll.setWidget(self.detail)
        self.detail_scroll.setAccessibleName(f"Details of the chosen {singular(view.noun)}")
        self._placeholder = f"Choose one of the {view.noun} to see everything about it here."
        self.detail_placeholder = QLabel(self._placeholder)
        self.detail_placeholder.setObjectName("emptyHint")
        self.detail_placeholder.setWordWrap(True)
        self.detail_placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail_stack = QStackedWidget()
        self.detail_stack.addWidget(self.detail_placeholder)
        self.detail_stack.addWidget(self.detail_scroll)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.list_side)
        self.splitter.addWidget(self.detail_stack)
        # The detail pane keeps its width; a wider window gives the table room for more columns.
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setSizes([1000 - detail_width, detail_width])
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        self.page_layout = layout
        layout.addWidget(self.splitter, 1)

        self.current_id: int | None = None
        self._tab_ordered = False
        self._pending: int | None = None
        self._detail_generation = 0
        self._loaded_mark: int | None = None
        self._select_timer = QTimer(self)
        self._select_timer.setSingleShot(True)
        self._select_timer.setInterval(60)
        self._select_timer.timeout.connect(self._load_selected)

        self._columns_timer = QTimer(self)
        self._columns_timer.setSingleShot(True)
        self._columns_timer.setInterval(400)  # a drag resizes a column many times: write the settings once
        self._columns_timer.timeout.connect(self._save_columns)
        self.table.restore_columns(ctx.settings.record_columns.get(view.name))
        self.table.columns_changed.connect(self._columns_timer.start)

        self.filters.changed.connect(self._filter_changed)
        self.model.counted.connect(self._counted)
        self.model.page_loaded.connect(self._page_loaded)
        self.model.failed.connect(lambda msg: self.count_label.setText(msg))
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        ctx.vaults.locked.connect(self.clear)
        ctx.vaults.unlocked.connect(self._unlocked)  # a bound slot: disconnected when the page is destroyed

    # -- the columns the user chose ---------------------------------------------------------------------------------
    def _save_columns(self) -> None:
        """Remember this table's columns in the settings file (forgotten again when back to the defaults)."""
        state = self.table.column_state()
        saved = self.ctx.settings.record_columns
        if state == self.table.default_columns:
            if self.view.name not in saved:
                return
            saved.pop(self.view.name)
        elif saved.get(self.view.name) == state:
            return
        else:
            saved[self.view.name] = state
        self.ctx.save_settings()

    # -- loading -------------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the list (keeping the filter and sort) and the shown record, and the drop-downs' values.
        A hidden page only notes that it must reload when it is next shown."""
        if not self.isVisible():
            self.mark_stale()
            return
        self._pending = self.current_id  # select the shown record again once its row is back
        self.model.set_query(self.filters.apply(self.model.query))
        self._load_choices()
        if self.current_id is not None:
            self.load_detail(self.current_id)
        self.ctx.vaults.submit(lambda vault, _p: browse.change_mark(vault.conn),
                               on_done=lambda mark: setattr(self, "_loaded_mark", mark))

    def _load_choices(self) -> None:
        for choice in self.view.choices:
            self._load_choice(choice.key)

    def _load_choice(self, key: str) -> None:
        view = self.view

        def job(vault: Vault, _p: Progress) -> list[str]:
            return browse.choice_values(vault.conn, view, key)

        self.ctx.vaults.submit(job, on_done=lambda values: self.filters.set_choices(key, values,
                                                                                    self.choice_label(key)))

    def choice_label(self, key: str) -> Callable[[str], str]:
        """How a drop-down shows a stored value (subclasses translate codes into words)."""
        return str

    def clear(self) -> None:
        """Lock: drop every row and the shown detail."""
        self.model.clear()
        self._select_timer.stop()
        self._detail_generation += 1
        self.current_id = None
        self._pending = None
        self._loaded_mark = None
        self.count_label.clear()
        self.clear_detail()
        self.detail_stack.setCurrentWidget(self.detail_placeholder)

    def reload_rows(self) -> None:
        """Reload the list after a change to the shown record (its counts), keeping it selected."""
        self._pending = self.current_id
        self.model.reload()

    def mark_stale(self) -> None:
        """Reload the next time the page is shown (something changed while it was hidden)."""
        self._loaded_mark = -1

    def _unlocked(self, _path: str = "") -> None:
        if self.isVisible():
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._tab_ordered:  # subclasses add their buttons after this class built the page
            self._tab_ordered = True
            apply_tab_order(self)
        if not self.ctx.vaults.is_unlocked:
            return
        if self._loaded_mark is None and not self.model.loading and not self.model.rowCount():
            self.refresh()
            return
        loaded = self._loaded_mark
        self.ctx.vaults.submit(lambda vault, _p: browse.change_mark(vault.conn),
                               on_done=lambda mark: self.refresh() if mark != loaded else None)

    def _filter_changed(self) -> None:
        self.model.set_query(self.filters.apply(self.model.query))

    def clear_filter(self) -> None:
        self.filters.reset()
        self._filter_changed()

    def _counted(self, n: int) -> None:
        filtered = self.model.query.filtered
        noun = self.view.noun if n != 1 else singular(self.view.noun)
        verb = "match" if n != 1 else "matches"
        self.count_label.setText(f"{n:,} {noun}" + (f" {verb} the filter" if filtered else "") if n or filtered
                                 else "")
        self.detail_placeholder.setText(self._placeholder if n else "")
        if n == 0:
            if filtered:
                self.empty_label.setText(f"No {self.view.noun} match this filter.")
                self.clear_filter_button.show()
            else:
                self.empty_label.setText(self.empty_text)
                self.clear_filter_button.hide()
            self.list_stack.setCurrentWidget(self.empty)
        else:
            self.list_stack.setCurrentWidget(self.table)

    def _page_loaded(self, _rows: int) -> None:
        if self._pending is not None:
            row = self.model.row_of(self._pending)
            if row is not None:
                self._select_row(row)
                self._pending = None
        elif self.current_id is None and self.model.rowCount() and not self.table.selectionModel().hasSelection():
            self._select_row(0)

    def _select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.table.selectionModel().select(
            index, self.table.selectionModel().SelectionFlag.ClearAndSelect
            | self.table.selectionModel().SelectionFlag.Rows)
        self.table.setCurrentIndex(index)
        self.table.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._select_timer.start()

    def _load_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        record_id = self.model.record_id(rows[0].row())
        if record_id is not None and record_id != self.current_id:
            self.load_detail(record_id)

    def selected_id_at(self, pos: QPoint) -> int | None:
        """The record under a point of the table's viewport (drops land on rows)."""
        index: QModelIndex = self.table.indexAt(pos)
        return self.model.record_id(index.row()) if index.isValid() else None

    # -- the detail pane ------------------------------------------------------------------------------------------
    def load_detail(self, record_id: int) -> None:
        self.current_id = record_id
        self._detail_generation += 1
        generation = self._detail_generation
        self.ctx.vaults.submit(self.detail_job(record_id),
                               on_done=lambda detail: self._detail_loaded(generation, detail),
                               on_error=lambda msg: self._detail_failed(generation, msg))

    def _detail_loaded(self, generation: int, detail: Any) -> None:
        if generation != self._detail_generation:
            return
        self.show_detail(detail)
        self.detail_stack.setCurrentWidget(self.detail_scroll)

    def _detail_failed(self, generation: int, message: str) -> None:
        if generation != self._detail_generation:
            return
        self.current_id = None
        self.clear_detail()
        self.detail_placeholder.setText(message)
        self.detail_stack.setCurrentWidget(self.detail_placeholder)

    def detail_job(self, record_id: int) -> DetailJob:
        raise NotImplementedError

    def show_detail(self, detail: Any) -> None:
        raise NotImplementedError

    def clear_detail(self) -> None:
        """Drop what the detail pane shows (subclasses clear their widgets)."""

    # -- opening a record from elsewhere ---------------------------------------------------------------------------
    def show_record(self, kind: str, record_id: int) -> bool:
        """Show one record: its detail at once, and its row selected when it is among the rows loaded.
        False (and nothing done) when this page does not show that kind of record."""
        if kind not in self.kinds:
            return False
        row = self.model.row_of(record_id)
        if row is not None:
            self._select_row(row)
        else:
            self._pending = record_id
            self.table.clearSelection()
        self.load_detail(record_id)
        return True

    def follow_link(self, href: str) -> None:
        from shopexit.gui.records.widgets import parse_link

        target = parse_link(href)
        if target is not None:
            kind, record_id = target
            if kind in self.kinds:
                self.show_record(kind, record_id)
            else:
                self.open_record.emit(kind, record_id)
