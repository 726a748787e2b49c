"""Forms for records entered by hand: open or edit a case, a conversation held by email or phone, a message in
it, a withdrawal. Each form collects values; the write runs on the vault thread through `records.*`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QDate, QDateTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from shopexit.core.records import cases, manual
from shopexit.core.records.cases import CaseDetail
from shopexit.core.vault import Vault
from shopexit.gui.context import GuiContext
from shopexit.gui.worker import Progress


def _buttons(dialog: QDialog, ok: str) -> QDialogButtonBox:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    buttons.addButton(ok, QDialogButtonBox.ButtonRole.AcceptRole)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


class CaseDialog(QDialog):
    """Kind, title, deadline (or none), description — and status when editing."""

    def __init__(self, parent: QWidget | None = None, *, about: str = "", detail: CaseDetail | None = None) -> None:
        super().__init__(parent)
        editing = detail is not None
        self.setWindowTitle("Edit case" if editing else "Open a case")
        self.resize(520, 420)
        self.kind = QComboBox()
        for key, label in cases.KINDS.items():
            self.kind.addItem(label, key)
        self.title = QLineEdit()
        self.title.setPlaceholderText("Leave empty for a title made from the order or conversation")
        self.has_deadline = QCheckBox("Deadline")
        self.deadline = QDateEdit()
        self.deadline.setCalendarPopup(True)
        self.deadline.setDisplayFormat("yyyy-MM-dd")
        self.deadline.setDate(QDate.currentDate().addDays(7))
        self.deadline.setEnabled(False)
        self.has_deadline.toggled.connect(self.deadline.setEnabled)
        self.status = QComboBox()
        for key, label in cases.STATUSES.items():
            self.status.addItem(label, key)
        self.description = QPlainTextEdit()
        self.description.setPlaceholderText("What is claimed, and what you will show (optional)")
        self.description.setTabChangesFocus(True)  # Tab moves on to the buttons; Enter makes new lines
        form = QFormLayout()
        if about:
            form.addRow("About", QLabel(about))
        form.addRow("Kind", self.kind)
        form.addRow("Title", self.title)
        row = QHBoxLayout()
        row.addWidget(self.deadline)
        hint = QLabel("the last day to answer, in shop time")
        hint.setObjectName("recordSubtitle")
        row.addWidget(hint)
        row.addStretch(1)
        form.addRow(self.has_deadline, row)
        if editing:
            form.addRow("Status", self.status)
        form.addRow("Description", self.description)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(_buttons(self, "Save" if editing else "Open case"))
        if detail is not None:
            s = detail.summary
            self.kind.setCurrentIndex(self.kind.findData(s.kind))
            self.title.setText(s.title)
            self.status.setCurrentIndex(self.status.findData(s.status))
            self.description.setPlainText(detail.description)
            if s.deadline:
                local = datetime.fromisoformat(s.deadline.replace("Z", "+00:00")).astimezone()
                self.has_deadline.setChecked(True)
                self.deadline.setDate(QDate(local.year, local.month, local.day))

    def values(self) -> dict[str, Any]:
        qd = self.deadline.date()
        return {
            "kind": self.kind.currentData(),
            "title": self.title.text().strip(),
            "deadline": date(qd.year(), qd.month(), qd.day()) if self.has_deadline.isChecked() else None,
            "status": self.status.currentData(),
            "description": self.description.toPlainText().strip(),
        }


def open_case_dialog(ctx: GuiContext, parent: QWidget, *, order_id: int | None = None, thread_id: int | None = None,
                     about: str = "", on_done: Callable[[int], None] | None = None) -> None:
    dialog = CaseDialog(parent, about=about)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return
    submit_open_case(ctx, parent, dialog.values(), order_id=order_id, thread_id=thread_id, on_done=on_done)


def submit_open_case(ctx: GuiContext, parent: QWidget, values: dict[str, Any], *, order_id: int | None = None,
                     thread_id: int | None = None, on_done: Callable[[int], None] | None = None) -> None:
    def job(vault: Vault, _p: Progress) -> int:
        return cases.open_case(vault, values["kind"], title=values.get("title", ""), order_id=order_id,
                               thread_id=thread_id, deadline=values.get("deadline"),
                               description=values.get("description", ""))

    ctx.vaults.submit(job, on_done=on_done, on_error=lambda msg: ctx.dialogs.warn(parent, "Case not opened", msg))


def edit_case_dialog(ctx: GuiContext, parent: QWidget, detail: CaseDetail,
                     on_done: Callable[[Any], None] | None = None) -> None:
    dialog = CaseDialog(parent, detail=detail)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return
    v = dialog.values()
    case_id = detail.summary.id

    def job(vault: Vault, _p: Progress) -> None:
        cases.update_case(vault, case_id, title=v["title"] or detail.summary.title, description=v["description"],
                          status=v["status"], deadline=v["deadline"], kind=v["kind"])

    ctx.vaults.submit(job, on_done=on_done, on_error=lambda msg: ctx.dialogs.warn(parent, "Case not saved", msg))


class ThreadDialog(QDialog):
    """A conversation that happened outside the exports: by email, on the phone."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New conversation")
        self.resize(440, 200)
        self.channel = QComboBox()
        for key in ("email", "phone", "direct", "shop", "other"):
            self.channel.addItem(manual.CHANNELS[key], key)
        self.counterpart = QLineEdit()
        self.counterpart.setPlaceholderText("The buyer, the carrier, platform support…")
        self.subject = QLineEdit()
        self.subject.setPlaceholderText("e.g. Order 5764… arrived damaged (optional)")
        form = QFormLayout()
        form.addRow("How", self.channel)
        form.addRow("With", self.counterpart)
        form.addRow("Subject", self.subject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(_buttons(self, "Create"))

    def values(self) -> dict[str, str]:
        return {"channel": self.channel.currentData(), "counterpart": self.counterpart.text().strip(),
                "subject": self.subject.text().strip()}


class MessageDialog(QDialog):
    """One message into a conversation: who wrote (or said) it, when, and what."""

    def __init__(self, counterpart: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Add a message — {counterpart}")
        self.resize(520, 380)
        self.direction = QComboBox()
        self.direction.addItem(f"From {counterpart}", "in")
        self.direction.addItem("From me", "out")
        self.when = QDateTimeEdit(QDateTime.currentDateTime())
        self.when.setCalendarPopup(True)
        self.when.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.body = QPlainTextEdit()
        self.body.setPlaceholderText("Paste the email text, or write down what was said on the call")
        self.body.setTabChangesFocus(True)
        form = QFormLayout()
        form.addRow("Who", self.direction)
        form.addRow("When (your time)", self.when)
        form.addRow("Message", self.body)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(_buttons(self, "Add message"))

    def values(self) -> dict[str, Any]:
        moment = self.when.dateTime().toPython()
        if isinstance(moment, datetime) and moment.tzinfo is None:
            moment = moment.astimezone()  # the user's local time
        return {"direction": self.direction.currentData(), "sent_at": moment,
                "body": self.body.toPlainText().strip()}


def finance_module() -> Any | None:
    """`records.finance` (hand-entered withdrawals) once the importers part provides it."""
    try:
        from shopexit.core.records import finance
    except ImportError:
        return None
    return finance if hasattr(finance, "add_withdrawal") else None


class WithdrawalDialog(QDialog):
    """A withdrawal the exports do not show (made before the first export, or to a bank the app never sees)."""

    def __init__(self, currency: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add a withdrawal")
        self.resize(420, 260)
        self.when = QDateEdit(QDate.currentDate())
        self.when.setCalendarPopup(True)
        self.when.setDisplayFormat("yyyy-MM-dd")
        self.amount = QLineEdit()
        self.amount.setPlaceholderText("e.g. 1,250.00")
        self.currency = QLineEdit(currency)
        self.currency.setMaxLength(3)
        self.currency.setFixedWidth(60)
        self.status = QComboBox()
        self.status.addItem("Paid out", "SUCCESS")
        self.status.addItem("In progress", "PROCESSING")
        self.status.addItem("Failed", "FAILED")
        self.reference = QLineEdit()
        self.reference.setPlaceholderText("The platform's withdrawal ID, if you have it")
        self.note = QLineEdit()
        self.error = QLabel()
        self.error.setStyleSheet("color: #a8201a")
        money = QHBoxLayout()
        money.addWidget(self.amount, 1)
        money.addWidget(self.currency)
        form = QFormLayout()
        form.addRow("Date", self.when)
        form.addRow("Amount", money)
        form.addRow("Status", self.status)
        form.addRow("Reference", self.reference)
        form.addRow("Note", self.note)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(_buttons(self, "Add withdrawal"))

    def accept(self) -> None:
        from shopexit.core.money import AmountError, parse_amount

        try:
            amount, named = parse_amount(self.amount.text())
        except AmountError:
            self.error.setText("Write the amount as a number, e.g. 1250.00")
            return
        if amount <= 0:
            self.error.setText("The amount must be more than zero.")
            return
        self._amount = amount
        if named:
            self.currency.setText(named)
        super().accept()

    def values(self) -> dict[str, Any]:
        qd = self.when.date()
        return {"amount": getattr(self, "_amount", Decimal(0)), "currency": self.currency.text().strip().upper(),
                "created": date(qd.year(), qd.month(), qd.day()), "status": self.status.currentData(),
                "withdrawal_id": self.reference.text().strip(), "note": self.note.text().strip()}
