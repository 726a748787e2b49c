"""The look: one light palette, one accent, one spacing scale, and small builders for the pieces every page
repeats (cards, headings, figures), so the pages stay consistent without each one styling itself.

Sizes are in points or relative to the system font, never fixed pixels for text, so the app reads the same on
a HiDPI screen.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from shopexit.core.paths import resource_path

ACCENT = "#0f766e"  # teal: calm, and legible as text on white
ACCENT_SOFT = "#ccebe7"
INK = "#1f2933"
MUTED = "#5f6b7a"
LINE = "#dde2e8"
WINDOW = "#f4f6f8"
CARD = "#ffffff"
WARN = "#b45309"  # amber for "needs attention"
WARN_SOFT = "#fdf1e0"
GOOD = "#15803d"
GOOD_SOFT = "#e3f4e8"
BAD = "#b42318"

SPACE = 12  # the one spacing unit; margins are multiples of it
SIDEBAR_WIDTH = 280
PAGE_MAX_WIDTH = 1040

_SHEET = f"""
QMainWindow, QWidget#page, QScrollArea#pageScroll, QWidget#pageBody {{ background: {WINDOW}; }}
QFrame#card {{ background: {CARD}; border: 1px solid {LINE}; border-radius: 8px; }}
QFrame#card QLabel {{ background: transparent; }}
QFrame#notice {{ background: {WARN_SOFT}; border: 1px solid #f3d19e; border-radius: 8px; }}
QFrame#good {{ background: {GOOD_SOFT}; border: 1px solid #b9e2c4; border-radius: 8px; }}
QLabel#eyebrow {{ color: {MUTED}; font-weight: 600; letter-spacing: 0.5px; }}
QLabel#muted {{ color: {MUTED}; }}
QLabel#figure {{ color: {INK}; font-weight: 600; }}
QLabel#warn {{ color: {WARN}; }}
QLabel#chip {{ border-radius: 10px; padding: 2px 10px; font-weight: 600; }}
QLabel#chip[state="todo"] {{ background: #eef1f4; color: {MUTED}; }}
QLabel#chip[state="doing"] {{ background: {ACCENT_SOFT}; color: {ACCENT}; }}
QLabel#chip[state="done"] {{ background: {GOOD_SOFT}; color: {GOOD}; }}
QListView#sidebar {{ background: {CARD}; border: none; border-right: 1px solid {LINE}; outline: 0; }}
QWidget#sidebarPanel {{ background: {CARD}; border-right: 1px solid {LINE}; }}
QPushButton {{ padding: 5px 14px; border-radius: 6px; border: 1px solid {LINE}; background: {CARD}; }}
QPushButton:hover {{ border-color: {ACCENT}; }}
QPushButton:focus {{ border: 2px solid {ACCENT}; }}
QPushButton:disabled {{ color: #9aa5b1; }}
QPushButton#primary {{ background: {ACCENT}; color: white; border: 1px solid {ACCENT}; font-weight: 600; }}
QPushButton#primary:hover {{ background: #115e59; }}
QPushButton#primary:focus {{ border: 2px solid {INK}; }}
QPushButton#danger {{ color: {BAD}; }}
QPushButton#danger:disabled {{ color: #c9a9a5; }}
QPushButton#primary:disabled {{ background: #9cc9c4; border-color: #9cc9c4; color: #f4f6f8; }}
QLineEdit, QPlainTextEdit, QTextEdit, QComboBox, QDateEdit, QSpinBox, QDoubleSpinBox {{
    padding: 4px 6px; border: 1px solid {LINE}; border-radius: 6px; background: {CARD};
}}
QComboBox::drop-down, QDateEdit::drop-down {{ border: none; width: 22px; }}
QComboBox::down-arrow, QDateEdit::down-arrow {{ image: url("{{chevron}}"); width: 12px; height: 12px; }}
QLineEdit:focus, QPlainTextEdit:focus, QTextEdit:focus, QComboBox:focus, QDateEdit:focus, QSpinBox:focus {{
    border: 1px solid {ACCENT};
}}
QTableView, QTableWidget, QListWidget, QTreeView {{
    border: 1px solid {LINE}; border-radius: 6px; background: {CARD}; gridline-color: #eef1f4;
    selection-background-color: {ACCENT_SOFT}; selection-color: {INK}; alternate-background-color: #fafbfc;
}}
QTableView::item {{ padding: 0px 4px; }}
QHeaderView::section {{ background: #f7f8fa; border: none; border-bottom: 1px solid {LINE}; padding: 5px 8px;
    color: {MUTED}; font-weight: 600; }}
QProgressBar {{ border: none; background: #e6eaee; border-radius: 4px; height: 8px; text-align: center; }}
QProgressBar::chunk {{ background: {ACCENT}; border-radius: 4px; }}
QToolBar {{ background: {CARD}; border: none; border-bottom: 1px solid {LINE}; spacing: 4px; padding: 4px 8px; }}
QToolButton {{ padding: 4px 10px; border-radius: 6px; }}
QToolButton:hover {{ background: #eef1f4; }}
QToolButton:focus {{ border: 1px solid {ACCENT}; }}
QStatusBar {{ background: {CARD}; border-top: 1px solid {LINE}; color: {MUTED}; }}
QCheckBox {{ spacing: 8px; }}
QCheckBox:focus {{ color: {ACCENT}; }}
"""


def apply(app: QApplication) -> None:
    """Fusion with a light palette everywhere: the same calm look on every desktop."""
    app.setStyle("Fusion")
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Window, QColor(WINDOW))
    palette.setColor(QPalette.ColorRole.WindowText, QColor(INK))
    palette.setColor(QPalette.ColorRole.Base, QColor(CARD))
    palette.setColor(QPalette.ColorRole.AlternateBase, QColor("#fafbfc"))
    palette.setColor(QPalette.ColorRole.Text, QColor(INK))
    palette.setColor(QPalette.ColorRole.Button, QColor(CARD))
    palette.setColor(QPalette.ColorRole.ButtonText, QColor(INK))
    palette.setColor(QPalette.ColorRole.Highlight, QColor(ACCENT))
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    palette.setColor(QPalette.ColorRole.ToolTipBase, QColor(CARD))
    palette.setColor(QPalette.ColorRole.ToolTipText, QColor(INK))
    palette.setColor(QPalette.ColorRole.PlaceholderText, QColor("#8a96a3"))
    palette.setColor(QPalette.ColorRole.Link, QColor(ACCENT))
    app.setPalette(palette)
    chevron = resource_path("icons", "ui", "chevron-down.svg").as_posix()
    app.setStyleSheet(_SHEET.replace("{chevron}", chevron))


def scaled_font(widget: QWidget, factor: float, bold: bool = False) -> QFont:
    font = QFont(widget.font())
    size = font.pointSizeF() if font.pointSizeF() > 0 else 10.0
    font.setPointSizeF(size * factor)
    font.setBold(bold)
    return font


def heading(text: str, factor: float = 1.5, parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    label.setFont(scaled_font(label, factor, bold=True))
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def eyebrow(text: str, parent: QWidget | None = None) -> QLabel:
    """The small grey caption above a heading or a figure."""
    label = QLabel(text.upper(), parent)
    label.setObjectName("eyebrow")
    label.setFont(scaled_font(label, 0.85, bold=True))
    return label


def muted(text: str = "", parent: QWidget | None = None, wrap: bool = True) -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName("muted")
    label.setWordWrap(wrap)
    return label


def paragraph(text: str = "", parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class Card(QFrame):
    """A white panel with a title: the unit every page is built from."""

    def __init__(self, title: str = "", parent: QWidget | None = None, kind: str = "card",
                 subtitle: str = "") -> None:
        super().__init__(parent)
        self.setObjectName(kind)
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(SPACE + 4, SPACE + 2, SPACE + 4, SPACE + 4)
        self.body.setSpacing(SPACE - 4)
        self.title_label: QLabel | None = None
        if title:
            self.title_label = heading(title, 1.15, self)
            self.body.addWidget(self.title_label)
            self.setAccessibleName(title)
        if subtitle:
            self.body.addWidget(muted(subtitle, self))
        self.body.addStretch(1)  # content stays at the top when a card beside it is taller

    def add(self, item: QWidget | QLayout, stretch: int = 0) -> None:
        at = self.body.count() - 1  # before the closing stretch
        if isinstance(item, QWidget):
            self.body.insertWidget(at, item, stretch)
        else:
            self.body.insertLayout(at, item, stretch)


class Figure(QWidget):
    """A figure with its caption: "ON HOLD / 258.08 USD"."""

    def __init__(self, caption: str, value: str = "—", parent: QWidget | None = None, note: str = "") -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.caption = eyebrow(caption, self)
        self.value = QLabel(value, self)
        self.value.setObjectName("figure")
        self.value.setFont(scaled_font(self.value, 1.45, bold=True))
        self.value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.note = muted(note, self)
        layout.addWidget(self.caption)
        layout.addWidget(self.value)
        layout.addWidget(self.note)
        self.note.setVisible(bool(note))
        self.setAccessibleName(caption)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)

    def set(self, value: str, note: str = "", warn: bool = False) -> None:
        self.value.setText(value)
        self.value.setStyleSheet(f"color: {WARN};" if warn else "")
        self.note.setText(note)
        self.note.setVisible(bool(note))
        self.setAccessibleDescription(f"{value} {note}".strip())


def row(*widgets: QWidget | None, spacing: int = SPACE, stretch_last: bool = False) -> QHBoxLayout:
    layout = QHBoxLayout()
    layout.setSpacing(spacing)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        if widget is None:
            layout.addStretch(1)
        else:
            layout.addWidget(widget)
    if stretch_last:
        layout.addStretch(1)
    return layout


def clear_layout(layout: QLayout) -> None:
    """Remove and delete every item of a layout (used when a list is redrawn from fresh data)."""
    while layout.count():
        item = layout.takeAt(0)
        if item is None:
            break
        widget = item.widget()
        if widget is not None:
            widget.setParent(None)
            widget.deleteLater()
        else:
            inner = item.layout()
            if inner is not None:
                clear_layout(inner)
