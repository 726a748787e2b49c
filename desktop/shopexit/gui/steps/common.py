"""Formatting and table helpers the step pages share: money, dates and ages the way a person reads them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from shopexit.core.money import format_display
from shopexit.core.timeutil import iso_date, parse_iso


class Host(Protocol):
    """What a step page may ask of the window that holds it."""

    def add_evidence(self, links: list[tuple[str, int]], on_added: Callable[[], None]) -> None: ...
    def open_export(self) -> None: ...
    def open_import(self, paths: list[Any] | None = None) -> None: ...
    def show_record(self, kind: str, record_id: int) -> bool: ...


def money(minor: int, currency: str) -> str:
    return format_display(minor, currency)


def day(value: date | str | None, empty: str = "—") -> str:
    """'12 Nov 2026' from a date, a date text or a UTC timestamp."""
    if value is None or value == "":
        return empty
    if isinstance(value, str):
        parsed = iso_date(value) if "T" in value else date.fromisoformat(value[:10])
        if parsed is None:
            return empty
        value = parsed
    return f"{value.day} {value:%b %Y}"


def moment(value: str | None, empty: str = "—") -> str:
    """'12 Nov 2026, 14:05' in the computer's time zone, from a UTC timestamp."""
    if not value:
        return empty
    local = parse_iso(value).astimezone()
    return f"{local.day} {local:%b %Y, %H:%M}"


def age(days: int | None) -> str:
    if days is None:
        return "—"
    if days <= 0:
        return "today"
    return "1 day" if days == 1 else f"{days} days"


def in_days(days: int) -> str:
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days < 0:
        return f"{-days} days ago"
    return f"in {days} days"


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


class Table(QTableWidget):
    """A read-only table that reads like a list: no grid, whole-row selection, Ctrl+C copies the row."""

    def __init__(self, headers: Sequence[str], parent: QWidget | None = None, name: str = "",
                 copy: Callable[[str], None] | None = None, stretch: int = -1) -> None:
        super().__init__(0, len(headers), parent)
        self.setHorizontalHeaderLabels(list(headers))
        self.setAccessibleName(name or "Table")
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setHighlightSections(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if stretch < 0:
            header.setStretchLastSection(True)
        else:  # this column takes the room left and elides; the others fit their contents
            header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
            self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setTabKeyNavigation(False)
        self._copy = copy

    def fill(self, rows: Sequence[Sequence[Any]], data: Sequence[Any] | None = None,
             align_right: Sequence[int] = (), emphasis: Callable[[int], str | None] | None = None) -> None:
        """Replace every row. `data[i]` is kept on the row's first cell (Qt.UserRole)."""
        self.setUpdatesEnabled(False)
        for c in range(self.columnCount()):  # a column of figures has its title over the figures, on the right
            header = self.horizontalHeaderItem(c)
            if header is not None:
                side = Qt.AlignmentFlag.AlignRight if c in align_right else Qt.AlignmentFlag.AlignLeft
                header.setTextAlignment(side | Qt.AlignmentFlag.AlignVCenter)
        self.setRowCount(len(rows))
        for r, values in enumerate(rows):
            tone = emphasis(r) if emphasis else None
            for c, value in enumerate(values):
                item = QTableWidgetItem("" if value is None else str(value))
                if c in align_right:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if tone == "strong":
                    font = QFont(item.font())
                    font.setBold(True)
                    item.setFont(font)
                elif tone:
                    item.setForeground(QColor(tone))
                if c == 0 and data is not None:
                    item.setData(Qt.ItemDataRole.UserRole, data[r])
                self.setItem(r, c, item)
        self.setUpdatesEnabled(True)
        self.fit_height()

    def fit_height(self, max_rows: int = 12) -> None:
        """Tall enough for its rows (up to `max_rows`), so a short table doesn't leave a blank box."""
        shown = max(1, min(self.rowCount(), max_rows))
        rows = sum(self.rowHeight(r) for r in range(min(self.rowCount(), shown))) or \
            self.verticalHeader().defaultSectionSize()
        header = self.horizontalHeader()
        height = max(header.sizeHint().height(), header.height() if header.isVisible() else 0) + rows \
            + 2 * self.frameWidth() + 2
        if self.horizontalScrollBarPolicy() != Qt.ScrollBarPolicy.ScrollBarAlwaysOff and \
                self.horizontalHeader().length() > self.viewport().width() > 0:
            height += self.horizontalScrollBar().sizeHint().height()
        self.setFixedHeight(height)

    def current_data(self) -> Any:
        row = self.currentRow()
        if row < 0:
            return None
        item = self.item(row, 0)
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def keyPressEvent(self, event: Any) -> None:
        if event.matches(QKeySequence.StandardKey.Copy) and self._copy is not None and self.currentRow() >= 0:
            cells = [self.item(self.currentRow(), c) for c in range(self.columnCount())]
            self._copy("\t".join(cell.text() for cell in cells if cell is not None))
            return
        super().keyPressEvent(event)
