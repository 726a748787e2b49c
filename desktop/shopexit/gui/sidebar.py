"""The left column: the shop, overall progress, the ten steps with their state and one line from the vault,
then the record views.

Each step row reads "② Fulfil pending orders / 12 open · 3 to ship" with a warning tint where the vault shows a
problem, so the creator sees what is left without opening anything.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from shopexit.core.step_facts import Overview
from shopexit.core.step_texts import load as load_text
from shopexit.gui import style

KIND = Qt.ItemDataRole.UserRole
VALUE = Qt.ItemDataRole.UserRole + 1
STATUS = Qt.ItemDataRole.UserRole + 2
HINT = Qt.ItemDataRole.UserRole + 3
WARNING = Qt.ItemDataRole.UserRole + 4
STATUS_WORDS = {"todo": "to do", "doing": "in progress", "done": "done"}

Index = QModelIndex | QPersistentModelIndex


class _Delegate(QStyledItemDelegate):
    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        fm = QFontMetrics(option.font)
        kind = index.data(KIND)
        # Compact enough that the ten steps and the five record views fit in 800 px on most systems.
        if kind == "step":
            return QSize(200, fm.height() * 2 + 8)
        if kind == "header":
            return QSize(200, fm.height() + 8)
        return QSize(200, fm.height() + 8)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        rect: QRect = option.rect
        state = option.state
        base_font = QFont(option.font)
        kind = index.data(KIND)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if kind == "header":
            font = QFont(base_font)
            font.setPointSizeF(max(6.0, base_font.pointSizeF() * 0.85))
            font.setBold(True)
            painter.setFont(font)
            painter.setPen(QColor(style.MUTED))
            painter.drawText(rect.adjusted(18, 4, -8, 0), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             str(index.data(Qt.ItemDataRole.DisplayRole)).upper())
            painter.restore()
            return
        selected = bool(state & QStyle.StateFlag.State_Selected)
        inner = rect.adjusted(8, 2, -8, -2)
        if selected:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(style.ACCENT_SOFT))
            painter.drawRoundedRect(inner, 6, 6)
        elif state & QStyle.StateFlag.State_MouseOver:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#f2f4f7"))
            painter.drawRoundedRect(inner, 6, 6)
        if state & QStyle.StateFlag.State_HasFocus:
            painter.setPen(QPen(QColor(style.ACCENT), 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(inner.adjusted(0, 0, -1, -1), 6, 6)
        fm = QFontMetrics(base_font)
        if kind == "step":
            self._paint_step(painter, inner, index, base_font, fm)
        else:
            painter.setFont(base_font)
            painter.setPen(QColor(style.INK))
            dot = QRect(inner.left() + 12, inner.center().y() - 3, 6, 6)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#94a3b8"))
            painter.drawEllipse(dot)
            painter.setPen(QColor(style.INK))
            painter.drawText(inner.adjusted(30, 0, -8, 0), Qt.AlignmentFlag.AlignVCenter,
                             str(index.data(Qt.ItemDataRole.DisplayRole)))
        painter.restore()

    def _paint_step(self, painter: QPainter, inner: QRect, index: Index, base_font: QFont,
                    fm: QFontMetrics) -> None:
        number = int(index.data(VALUE))
        status = str(index.data(STATUS) or "todo")
        hint = str(index.data(HINT) or "")
        warning = index.data(WARNING)
        size = int(fm.height() * 1.55)
        circle = QRect(inner.left() + 10, inner.center().y() - size // 2, size, size)
        number_font = QFont(base_font)
        number_font.setBold(True)
        number_font.setPointSizeF(max(6.0, base_font.pointSizeF() * 0.9))
        if status == "done":
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(style.GOOD))
            painter.drawEllipse(circle)
            painter.setPen(QColor("#ffffff"))
            painter.setFont(number_font)
            painter.drawText(circle, Qt.AlignmentFlag.AlignCenter, "✓")
        else:
            color = QColor(style.ACCENT if status == "doing" else "#aab4bf")
            painter.setPen(QPen(color, 2))
            painter.setBrush(QColor(style.ACCENT_SOFT) if status == "doing" else Qt.BrushStyle.NoBrush)
            painter.drawEllipse(circle.adjusted(1, 1, -1, -1))
            painter.setPen(QColor(style.ACCENT if status == "doing" else style.MUTED))
            painter.setFont(number_font)
            painter.drawText(circle, Qt.AlignmentFlag.AlignCenter, str(number))
        text_left = circle.right() + 12
        title_rect = QRect(text_left, inner.top() + 2, inner.right() - text_left - 8, fm.height())
        title_font = QFont(base_font)
        title_font.setWeight(QFont.Weight.DemiBold)
        painter.setFont(title_font)
        painter.setPen(QColor(style.INK))
        painter.drawText(title_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         QFontMetrics(title_font).elidedText(str(index.data(Qt.ItemDataRole.DisplayRole)),
                                                             Qt.TextElideMode.ElideRight, title_rect.width()))
        hint_font = QFont(base_font)
        hint_font.setPointSizeF(max(6.0, base_font.pointSizeF() * 0.9))
        painter.setFont(hint_font)
        hint_rect = QRect(text_left, title_rect.bottom(), title_rect.width(), fm.height())
        if warning:
            dot = QRect(hint_rect.left(), hint_rect.center().y() - 3, 7, 7)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(style.WARN))
            painter.drawEllipse(dot)
            hint_rect = hint_rect.adjusted(12, 0, 0, 0)
            painter.setPen(QColor(style.WARN))
        else:
            painter.setPen(QColor(style.MUTED))
        painter.drawText(hint_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         QFontMetrics(hint_font).elidedText(hint, Qt.TextElideMode.ElideRight, hint_rect.width()))


class Sidebar(QWidget):
    step_chosen = Signal(int)
    record_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidebarPanel")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setFixedWidth(style.SIDEBAR_WIDTH)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, style.SPACE, 0, 0)
        layout.setSpacing(4)
        head = QVBoxLayout()
        head.setContentsMargins(style.SPACE + 6, 0, style.SPACE + 6, style.SPACE // 2)
        head.setSpacing(4)
        self.shop = style.heading("", 1.25, self)
        self.shop.setAccessibleName("Shop")
        self.creator = style.muted("", self)
        head.addWidget(self.shop)
        head.addWidget(self.creator)
        head.addSpacing(6)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 10)
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(8)
        self.progress.setAccessibleName("Steps done")
        self.progress_text = QLabel("", self)
        self.progress_text.setFont(style.scaled_font(self.progress_text, 0.95, bold=True))
        self.close_text = style.muted("", self)
        progress_row = style.row(self.progress_text, self.progress, spacing=style.SPACE)
        progress_row.setAlignment(self.progress, Qt.AlignmentFlag.AlignVCenter)
        head.addLayout(progress_row)
        head.addWidget(self.close_text)
        layout.addLayout(head)

        self.list = QListWidget(self)
        self.list.setObjectName("sidebar")
        self.list.setAccessibleName("Steps and records")
        self.list.setItemDelegate(_Delegate(self.list))
        self.list.setMouseTracking(True)
        # Whole rows: the first row shown is never cut in half when a record view lower down is chosen.
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerItem)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setUniformItemSizes(False)
        layout.addWidget(self.list, 1)
        self._steps: dict[int, QListWidgetItem] = {}
        self._records: list[QListWidgetItem] = []
        self._header("Your exit")
        for number in range(1, 11):
            item = QListWidgetItem(load_text(number).title)
            item.setData(KIND, "step")
            item.setData(VALUE, number)
            item.setData(STATUS, "todo")
            self.list.addItem(item)
            self._steps[number] = item
        self.list.currentItemChanged.connect(self._changed)

    def _header(self, text: str) -> None:
        item = QListWidgetItem(text)
        item.setData(KIND, "header")
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        self.list.addItem(item)

    def set_records(self, titles: list[str]) -> None:
        if not titles:
            return
        self._header("Records")
        for index, title in enumerate(titles):
            item = QListWidgetItem(title)
            item.setData(KIND, "record")
            item.setData(VALUE, index)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, f"Records: {title}")
            self.list.addItem(item)
            self._records.append(item)

    def set_overview(self, overview: Overview) -> None:
        self.shop.setText(overview.shop_name)
        self.creator.setText(overview.creator)
        self.progress.setValue(overview.done)
        self.progress_text.setText(f"{overview.done} of 10 steps done")
        self.progress.setAccessibleDescription(f"{overview.done} of 10 steps done")
        if overview.earliest_close:
            e = overview.earliest_close
            self.close_text.setText(f"Earliest closure date: {e.day} {e:%b %Y}")
        elif overview.close_not_before:  # orders are still open
            e = overview.close_not_before
            self.close_text.setText(f"Earliest closure: not before {e.day} {e:%b %Y}")
        for s in overview.steps:
            item = self._steps[s.number]
            item.setData(STATUS, s.status)
            item.setData(HINT, s.hint)
            item.setData(WARNING, s.warning)
            spoken = f"Step {s.number}, {s.title}, {STATUS_WORDS[s.status]}. {s.hint}"
            if s.warning:
                spoken += ". Needs attention"
            item.setData(Qt.ItemDataRole.AccessibleTextRole, spoken)
            item.setToolTip(f"{s.hint}" + (f"\nNeeds attention: {s.warning}" if s.warning else ""))
        self.list.viewport().update()

    def select_step(self, number: int) -> None:
        self.list.setCurrentItem(self._steps[number])

    def select_record(self, index: int) -> None:
        if 0 <= index < len(self._records):
            self.list.setCurrentItem(self._records[index])

    def current(self) -> tuple[str, int] | None:
        item = self.list.currentItem()
        if item is None:
            return None
        return str(item.data(KIND)), int(item.data(VALUE))

    def _changed(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if item is None:
            return
        kind, value = item.data(KIND), int(item.data(VALUE))
        if kind == "step":
            self.step_chosen.emit(value)
        elif kind == "record":
            self.record_chosen.emit(value)
