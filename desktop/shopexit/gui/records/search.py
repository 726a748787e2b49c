"""Ctrl+F: one box over orders, messages, conversations, cases, notes and evidence; results grouped by kind.

Typing searches (debounced) on the vault thread through `core.search`; Enter opens the chosen result (the first
when none is chosen) by emitting `open_record(kind, id)` for the main window to route (see `records.route`).
"""

from __future__ import annotations

import html
from typing import cast

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAbstractTextDocumentLayout, QKeyEvent, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QLineEdit,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from shopexit.core.search import KIND_LABELS, KIND_ORDER, MARK_END, MARK_START, Hit, Results, build_match, search
from shopexit.core.vault import Vault
from shopexit.gui.context import GuiContext
from shopexit.gui.worker import Progress

HIT_ROLE = Qt.ItemDataRole.UserRole + 30
PER_KIND = 10


def hit_html(hit: Hit) -> str:
    """Title, then the snippet with the matched words marked; all record text escaped."""
    snippet = html.escape(hit.snippet).replace(MARK_START, "<span style='background:#ffe98a'>").replace(
        MARK_END, "</span>")
    return (f"<b>{html.escape(hit.title)}</b>"
            + (f"<br><span style='color:#4b5560'>{snippet}</span>" if snippet else ""))


class _HtmlDelegate(QStyledItemDelegate):
    """Draws an item's HTML (for the highlighted snippets)."""

    def _document(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QTextDocument:
        doc = QTextDocument()
        doc.setDefaultFont(option.font)
        doc.setHtml(str(index.data(Qt.ItemDataRole.DisplayRole) or ""))
        width = option.rect.width()
        view = option.widget
        if width <= 0 and isinstance(view, QTreeWidget):  # sizeHint is asked without a rect: the row's width
            depth = 1 if index.parent().isValid() else 0
            width = view.viewport().width() - view.indentation() * depth
        doc.setTextWidth(max(200, width - 8))
        return doc

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        doc = self._document(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        ctx = QAbstractTextDocumentLayout.PaintContext()
        if opt.state & QStyle.StateFlag.State_Selected:
            ctx.palette.setColor(QPalette.ColorRole.Text,
                                 opt.palette.color(QPalette.ColorRole.HighlightedText))
        painter.save()
        rect = opt.rect
        painter.translate(rect.left() + 4, rect.top() + 2)
        doc.documentLayout().draw(painter, ctx)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        doc = self._document(opt, index)
        return QSize(int(doc.idealWidth()), int(doc.size().height()) + 6)


class SearchDialog(QDialog):
    """Find any record by a word in it; Enter opens it."""

    open_record = Signal(str, int)

    def __init__(self, ctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.results = Results("")
        self._generation = 0
        self._searching = False
        self._open_pending = False
        self.setWindowTitle("Search the vault")
        self.resize(720, 560)
        self.box = QLineEdit()
        self.box.setPlaceholderText("A word from a message, a buyer's name, part of an order ID, a product…")
        self.box.setClearButtonEnabled(True)
        self.box.setAccessibleName("Search")
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(False)
        self.tree.setItemDelegate(_HtmlDelegate(self.tree))
        self.tree.setAccessibleName("Search results")
        self.tree.setIndentation(12)
        self.status = QLabel("Type to search orders, messages, conversations, cases, notes and evidence captions.")
        self.status.setObjectName("countLabel")
        self.status.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.box)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.status)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(180)
        self._timer.timeout.connect(self.run_search)
        self.box.textChanged.connect(lambda _t: self._timer.start())
        self.box.returnPressed.connect(self.open_current)
        self.box.installEventFilter(self)
        self.tree.itemActivated.connect(lambda item, _col: self._open_item(item))
        ctx.vaults.locked.connect(self.clear_results)
        self.box.setFocus()  # typing starts at once, whichever widget had focus in the window behind

    # -- searching ---------------------------------------------------------------------------------------------------
    def run_search(self) -> None:
        self._timer.stop()
        text = self.box.text()
        self._generation += 1
        generation = self._generation
        if build_match(text) is None:
            self._searching = False
            self._show(Results(text))
            self.status.setText("Type to search orders, messages, conversations, cases, notes and evidence "
                                "captions.")
            return
        if not self.ctx.vaults.is_unlocked:
            self.status.setText("Unlock the vault to search it.")
            return

        def job(vault: Vault, _p: Progress) -> Results:
            return search(vault.conn, text, per_kind=PER_KIND)

        self._searching = True
        self.ctx.vaults.submit(job, on_done=lambda r: self._found(generation, r),
                               on_error=lambda msg: self._found(generation, None, msg))

    def _found(self, generation: int, results: Results | None, error: str = "") -> None:
        if generation != self._generation:
            return
        self._searching = False
        if results is None:
            self._open_pending = False
            self.status.setText(error)
            return
        self._show(results)
        if self._open_pending:
            self._open_pending = False
            self.open_current()

    def _show(self, results: Results) -> None:
        self.results = results
        self.tree.clear()
        first: QTreeWidgetItem | None = None
        for kind in KIND_ORDER:
            hits = results.groups.get(kind)
            if not hits:
                continue
            shown = f"{len(hits)} of {results.count_text(kind)}" if results.more.get(kind) else f"{len(hits)}"
            group = QTreeWidgetItem([f"<span style='color:#59636e'><b>{KIND_LABELS[kind]}</b> "
                                     f"({shown})</span>"])
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.tree.addTopLevelItem(group)
            for hit in hits:
                item = QTreeWidgetItem([hit_html(hit)])
                item.setData(0, HIT_ROLE, (hit.kind, hit.id, hit.target_kind, hit.target_id))
                item.setToolTip(0, hit.title)
                group.addChild(item)
                first = first or item
            group.setExpanded(True)
        if first is not None:
            self.tree.setCurrentItem(first)
        if results.query.strip():
            n = results.total
            found = sum(results.counts.get(kind, len(hits)) for kind, hits in results.groups.items())
            if not n:
                self.status.setText(f"Nothing matches “{results.query.strip()}”.")
            elif found > n:  # a lower bound when a kind's count stopped at the cap: say so with "+"
                self.status.setText(f"Showing {n} of {found:,}{'+' if results.capped else ''} — Enter opens the "
                                    "highlighted one; more words narrow the search")
            else:
                self.status.setText(f"{n} result{'s' if n != 1 else ''} — Enter opens the highlighted one")

    def clear_results(self) -> None:
        """Locking: no record text stays in the dialog."""
        self._generation += 1
        self.box.clear()
        self.tree.clear()
        self.results = Results("")

    # -- keyboard and opening -------------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.box and event.type() == QEvent.Type.KeyPress:
            key = cast(QKeyEvent, event).key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                self._move(1 if key == Qt.Key.Key_Down else -1)
                return True
        return super().eventFilter(watched, event)

    def _hit_items(self) -> list[QTreeWidgetItem]:
        items: list[QTreeWidgetItem] = []
        for g in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(g)
            if group is not None:
                items += [c for i in range(group.childCount()) if (c := group.child(i)) is not None]
        return items

    def _move(self, step: int) -> None:
        items = self._hit_items()
        if not items:
            return
        current = self.tree.currentItem()
        index = items.index(current) if current in items else -1
        self.tree.setCurrentItem(items[max(0, min(len(items) - 1, index + step))])

    def open_current(self) -> None:
        if self._timer.isActive() or self._searching:  # Enter right after typing: open the best hit when found
            self._open_pending = True
            if self._timer.isActive():
                self.run_search()
            return
        item = self.tree.currentItem()
        if item is None or item.data(0, HIT_ROLE) is None:
            items = self._hit_items()
            item = items[0] if items else None
        if item is not None:
            self._open_item(item)

    def _open_item(self, item: QTreeWidgetItem) -> None:
        data = item.data(0, HIT_ROLE)
        if not data:
            return
        kind, record_id, target_kind, target_id = data
        if kind == "note" and target_kind:
            kind, record_id = target_kind, target_id
        self.open_record.emit(str(kind), int(record_id))
        self.accept()
