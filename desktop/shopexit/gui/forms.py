"""Small add/edit forms (a withdrawal, a place a link lived, an adviser…) built from a list of fields.

One class instead of a dialog per record keeps every form alike: labels on the left, Enter to save, Escape to
cancel, the first field focused. Shown through `ctx.dialogs.ask`, so tests answer for the user.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from shopexit.core.money import AmountError, parse_amount
from shopexit.gui import style


@dataclass
class Field:
    name: str
    label: str
    kind: str = "text"  # text, multiline, date, optional_date, amount, choice, check, int
    value: Any = None
    choices: tuple[str, ...] = ()
    placeholder: str = ""
    required: bool = False
    editable_choice: bool = False
    minimum: int = 0
    maximum: int = 5
    widget: QWidget | None = field(default=None, repr=False)


class FormDialog(QDialog):
    def __init__(self, parent: QWidget | None, title: str, fields: list[Field], intro: str = "",
                 ok_text: str = "Save") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setMinimumWidth(460)
        self._fields = fields
        layout = QVBoxLayout(self)
        layout.setSpacing(style.SPACE)
        if intro:
            layout.addWidget(style.muted(intro, self))
        form = QFormLayout()
        form.setSpacing(style.SPACE - 4)
        for f in fields:
            f.widget = self._make(f)
            f.widget.setAccessibleName(f.label.replace("&", ""))
            form.addRow(f.label, f.widget)
        layout.addLayout(form)
        self.error = QLabel("", self)
        self.error.setObjectName("warn")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel,
                                   self)
        save = buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setText(ok_text)
        save.setObjectName("primary")
        buttons.accepted.connect(self._try_accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if fields and fields[0].widget is not None:
            fields[0].widget.setFocus()

    def _make(self, f: Field) -> QWidget:
        if f.kind == "multiline":
            w = QPlainTextEdit(self)
            w.setPlainText(str(f.value or ""))
            w.setPlaceholderText(f.placeholder)
            w.setTabChangesFocus(True)
            w.setMinimumHeight(90)
            return w
        if f.kind in ("date", "optional_date"):
            d = QDateEdit(self)
            d.setCalendarPopup(True)
            d.setDisplayFormat("d MMM yyyy")
            if f.kind == "optional_date":
                d.setMinimumDate(QDate(2000, 1, 1))
                d.setSpecialValueText("not set")
            value = f.value
            if isinstance(value, str) and value:
                value = date.fromisoformat(value[:10])
            if isinstance(value, date):
                d.setDate(QDate(value.year, value.month, value.day))
            elif f.kind == "optional_date":
                d.setDate(d.minimumDate())
            else:
                d.setDate(QDate.currentDate())
            return d
        if f.kind == "choice":
            c = QComboBox(self)
            c.setEditable(f.editable_choice)
            c.addItems(list(f.choices))
            if f.value:
                c.setCurrentText(str(f.value))
            return c
        if f.kind == "check":
            box = QCheckBox(self)
            box.setChecked(bool(f.value))
            return box
        if f.kind == "int":
            spin = QSpinBox(self)
            spin.setRange(f.minimum, f.maximum)
            spin.setValue(int(f.value or 0))
            return spin
        line = QLineEdit(self)
        line.setText("" if f.value is None else str(f.value))
        line.setPlaceholderText(f.placeholder)
        return line

    def _value(self, f: Field) -> Any:
        w = f.widget
        if isinstance(w, QPlainTextEdit):
            return w.toPlainText().strip()
        if isinstance(w, QDateEdit):
            if f.kind == "optional_date" and w.date() == w.minimumDate():
                return None
            q = w.date()
            return date(q.year(), q.month(), q.day())
        if isinstance(w, QComboBox):
            return w.currentText().strip()
        if isinstance(w, QCheckBox):
            return w.isChecked()
        if isinstance(w, QSpinBox):
            return w.value()
        assert isinstance(w, QLineEdit)
        text = w.text().strip()
        if f.kind == "amount":
            try:
                amount, _currency = parse_amount(text)
            except AmountError:
                raise ValueError(f"{f.label.replace('&', '')}: '{text}' is not an amount.") from None
            if amount < 0:
                raise ValueError(f"{f.label.replace('&', '')}: enter a positive amount.")
            return amount
        return text

    def answer(self) -> dict[str, Any]:
        return {f.name: self._value(f) for f in self._fields}

    def _try_accept(self) -> None:
        try:
            values = self.answer()
        except ValueError as exc:
            self._say(str(exc))
            return
        for f in self._fields:
            value = values[f.name]
            if f.required and (value is None or value == "" or (isinstance(value, Decimal) and value == 0)):
                self._say(f"{f.label.replace('&', '')} is needed.")
                if f.widget is not None:
                    f.widget.setFocus()
                return
        self.accept()

    def _say(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(True)
