"""Small pieces the record pages share: the filter bar, a facts form, notes, headings, a text dialog."""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from shopexit.core.records import browse, manual
from shopexit.core.records.manual import Note
from shopexit.core.vault import Vault
from shopexit.gui.context import GuiContext
from shopexit.gui.layouts import WrapRow
from shopexit.gui.records.model import local_time
from shopexit.gui.worker import Progress

STYLE = """
QLabel#recordTitle { font-size: 17px; font-weight: 600; }
QLabel#recordSubtitle { color: #59636e; }
QLabel#sectionHeading { font-weight: 600; padding-top: 6px; }
QLabel#emptyHint, QLabel#previewMessage { color: #59636e; padding: 12px; }
QLabel#emptyState { color: #3d4650; font-size: 14px; padding: 24px; }
QLabel#countLabel { color: #59636e; }
QLabel#badge { border-radius: 9px; padding: 2px 10px; font-weight: 600; }
QFrame#detailPane { background: palette(base); }
"""

BADGE_COLORS = {
    "ok": ("#e6f4ea", "#1e6b34"), "warn": ("#fff4e0", "#8a5300"), "bad": ("#fde8e7", "#a8201a"),
    "neutral": ("#eef1f4", "#3d4650"), "info": ("#e7f0fb", "#1f4f8a"),
}


def badge(text: str, tone: str = "neutral") -> QLabel:
    label = QLabel(text)
    label.setObjectName("badge")
    set_badge(label, text, tone)
    return label


def set_badge(label: QLabel, text: str, tone: str) -> None:
    bg, fg = BADGE_COLORS.get(tone, BADGE_COLORS["neutral"])
    label.setText(text)
    label.setStyleSheet(f"background: {bg}; color: {fg};")
    label.setVisible(bool(text))


def status_tone(status: str) -> str:
    s = status.lower()
    if s in ("completed", "delivered", "success", "settled", "won", "paid"):
        return "ok"
    if s in ("cancelled", "canceled", "failed", "lost", "ineligible", "refunded"):
        return "bad"
    if s in ("awaiting shipment", "awaiting collection", "unpaid", "pending", "open", "processing",
             "to be settled", "in transit", "submitted"):
        return "warn"
    return "neutral"


def heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("sectionHeading")
    label.setIndent(0)  # the padding above would otherwise indent the text by half an "x", out of line
    return label


class FilterBar(QWidget):
    """A text filter (debounced) and a drop-down per choice; emits the new query."""

    changed = Signal()

    def __init__(self, view: browse.View, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.text = QLineEdit()
        self.text.setPlaceholderText(f"Filter {view.noun}…")
        self.text.setClearButtonEnabled(True)
        self.text.setAccessibleName(f"Filter {view.noun}")
        self.combos: dict[str, QComboBox] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text, 1)
        for choice in view.choices:
            combo = QComboBox()
            combo.setAccessibleName(choice.label)
            combo.addItem(f"Any {choice.label.lower()}", "")
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
            self.combos[choice.key] = combo
            layout.addWidget(combo)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self.changed)
        self.text.textChanged.connect(lambda _t: self._timer.start())
        self.text.returnPressed.connect(self._now)

    def _now(self) -> None:
        self._timer.stop()
        self.changed.emit()

    def set_choices(self, key: str, values: Sequence[str], label: Callable[[str], str] = str) -> None:
        combo = self.combos[key]
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        choice = next(c for c in self.view.choices if c.key == key)
        combo.addItem(f"Any {choice.label.lower()}", "")
        for value in values:
            combo.addItem(label(value), value)
        index = combo.findData(current)
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)

    def apply(self, query: browse.Query) -> browse.Query:
        choices = {key: str(combo.currentData() or "") for key, combo in self.combos.items()}
        return browse.Query(self.text.text(), {k: v for k, v in choices.items() if v}, query.sort, query.descending)

    def reset(self) -> None:
        self.text.blockSignals(True)
        self.text.clear()
        self.text.blockSignals(False)
        for combo in self.combos.values():
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)


class WrappedValue(QTextEdit):
    """A value with no spaces to wrap at — a SHA-256, a long id, a URL — shown whole, broken wherever the line
    ends. Selecting and copying it gives the exact text (a QLabel can only break at spaces, and would widen the
    pane to the value's full length)."""

    def __init__(self, text: str, name: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setPlainText(text)
        self.setAccessibleName(name)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setStyleSheet("QTextEdit { background: transparent; border: none; padding: 0; }")
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setLineWrapMode(QTextEdit.LineWrapMode.WidgetWidth)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # selectable, but not a stop for every Tab
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                     | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.document().setDocumentMargin(0)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        doc = self.document().clone(self)
        doc.setTextWidth(max(1, width - 2 * self.frameWidth()))
        height = math.ceil(doc.size().height()) + 2 * self.frameWidth()
        doc.deleteLater()
        return height

    def sizeHint(self) -> QSize:
        width = min(self.fontMetrics().horizontalAdvance(self.toPlainText()) + 4, 280)
        return QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:
        return QSize(self.fontMetrics().horizontalAdvance("0" * 8), self.fontMetrics().lineSpacing())

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        wanted = self.heightForWidth(self.width())
        if wanted != self.height():
            self.setFixedHeight(wanted)


class FactsForm(QWidget):
    """Label: value rows; values are selectable, empty ones are left out. Long labels and long values wrap, so
    the form fits a narrow pane."""

    LABEL_MAX_WIDTH = 150

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.form.setHorizontalSpacing(14)
        self.form.setVerticalSpacing(4)

    def set_rows(self, rows: Sequence[tuple[str, str]]) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        for key, value in rows:
            if not value:
                continue
            field: QWidget
            if any(len(word) > 24 for word in value.split()):
                field = WrappedValue(value, key)  # a hash or a long id: one unbroken word
            else:
                label = QLabel(value)
                label.setWordWrap(True)
                label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
                label.setAccessibleName(key)
                field = label
            name = QLabel(self._fold(key))
            name.setObjectName("recordSubtitle")
            name.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)  # beside a value's first line
            name.setAccessibleName(key)
            self.form.addRow(name, field)

    def _fold(self, key: str) -> str:
        """A long label ("Refund subtotal before seller discounts") on as many lines as it needs to stay within
        LABEL_MAX_WIDTH. The breaks are explicit: a word-wrapped label in a form row gets one line's height."""
        metrics = self.fontMetrics()
        lines: list[str] = []
        for word in key.split():
            if lines and metrics.horizontalAdvance(f"{lines[-1]} {word}") <= self.LABEL_MAX_WIDTH:
                lines[-1] = f"{lines[-1]} {word}"
            else:
                lines.append(word)
        return "\n".join(lines) or key

    def values(self) -> dict[str, str]:
        out = {}
        for row in range(self.form.rowCount()):
            label = self.form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            field = self.form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            name = label.widget() if label else None
            value = field.widget() if field else None
            if isinstance(name, QLabel) and isinstance(value, QLabel | QLineEdit):
                out[name.accessibleName()] = value.text()
            elif isinstance(name, QLabel) and isinstance(value, QTextEdit):
                out[name.accessibleName()] = value.toPlainText()
        return out


class TextDialog(QDialog):
    """A few lines of text from the user (a note, a timeline event)."""

    def __init__(self, title: str, prompt: str, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(460, 260)
        self.edit = QPlainTextEdit(text)
        self.edit.setAccessibleName(prompt)
        self.edit.setTabChangesFocus(True)  # Tab reaches Save; Enter makes new lines
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(prompt))
        layout.addWidget(self.edit, 1)
        layout.addWidget(buttons)

    def text(self) -> str:
        return self.edit.toPlainText().strip()


def ask_text(parent: QWidget, title: str, prompt: str, text: str = "") -> str | None:
    dialog = TextDialog(title, prompt, text, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.text():
        return None
    return dialog.text()


class NotesBox(QWidget):
    """The notes on one record: add, edit, delete — each change through `records.manual` with its audit entry."""

    changed = Signal()

    def __init__(self, ctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.target: tuple[str, int] | None = None
        self.notes: list[Note] = []
        self.heading = heading("Notes")
        self.add_button = QPushButton("Add note…")
        self.add_button.setAutoDefault(False)
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setAccessibleName("Notes on this record")
        self.list.setMaximumHeight(140)
        self.list.itemActivated.connect(lambda _i: self.edit_selected())
        self.edit_button = QPushButton("Edit…")
        self.delete_button = QPushButton("Delete")
        for b in (self.edit_button, self.delete_button):
            b.setAutoDefault(False)
            b.setEnabled(False)
        self.list.currentRowChanged.connect(self._selection)
        top = WrapRow().add_leading(self.heading).add_trailing(self.add_button, self.edit_button,
                                                               self.delete_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.list)
        self.add_button.clicked.connect(self._add)
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.set_notes(None, [])

    def set_notes(self, target: tuple[str, int] | None, notes: Sequence[Note]) -> None:
        self.target = target
        self.notes = list(notes)
        self.list.clear()
        for note in self.notes:
            item = QListWidgetItem(f"{note.body}\n— {local_time(note.updated_at)}")
            self.list.addItem(item)
        self.list.setVisible(bool(self.notes))
        self.heading.setText(f"Notes ({len(self.notes)})" if self.notes else "Notes")
        self.add_button.setEnabled(target is not None)
        self._selection(self.list.currentRow())

    def _selection(self, row: int) -> None:
        for b in (self.edit_button, self.delete_button):
            b.setEnabled(0 <= row < len(self.notes))
            b.setVisible(bool(self.notes))

    def _reload(self) -> None:
        if self.target is None:
            return
        kind, target_id = self.target
        self.ctx.vaults.submit(lambda vault, _p: manual.notes_for(vault.conn, kind, target_id),
                               on_done=lambda notes: self.set_notes((kind, target_id), notes)
                               if self.target == (kind, target_id) else None)
        self.changed.emit()

    def _fail(self, message: str) -> None:
        self.ctx.dialogs.warn(self, "Note not saved", message)

    def _add(self) -> None:
        text = ask_text(self, "Add a note", "What should this record remember? (a call, a promise, what support said)")
        if text:
            self.add_note_text(text)

    def add_note_text(self, text: str) -> None:
        if self.target is None:
            return
        kind, target_id = self.target

        def job(vault: Vault, _p: Progress) -> int:
            return manual.add_note(vault, kind, target_id, text)

        self.ctx.vaults.submit(job, on_done=lambda _id: self._reload(), on_error=self._fail)

    def edit_selected(self) -> None:
        row = self.list.currentRow()
        if not 0 <= row < len(self.notes):
            return
        note = self.notes[row]
        text = ask_text(self, "Edit note", "Note", note.body)
        if text:
            self.ctx.vaults.submit(lambda vault, _p: manual.edit_note(vault, note.id, text),
                                   on_done=lambda _r: self._reload(), on_error=self._fail)

    def delete_selected(self) -> None:
        row = self.list.currentRow()
        if not 0 <= row < len(self.notes):
            return
        note = self.notes[row]
        if self.ctx.dialogs.confirm(self, "Delete note", "Delete this note? The audit log keeps that it existed.",
                                    yes="Delete"):
            self.ctx.vaults.submit(lambda vault, _p: manual.delete_note(vault, note.id),
                                   on_done=lambda _r: self._reload(), on_error=self._fail)


def link_html(kind: str, record_id: int, text: str) -> str:
    return f'<a href="record:{kind}:{record_id}">{html.escape(text)}</a>'


def parse_link(href: str) -> tuple[str, int] | None:
    parts = href.split(":")
    if len(parts) == 3 and parts[0] == "record" and parts[2].lstrip("-").isdigit():
        return parts[1], int(parts[2])
    return None
