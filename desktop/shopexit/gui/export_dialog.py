"""Export a signed archive: the same choices as `shopexit export` (whole vault, one case, a date range; leave
buyers out; include evidence files), a progress bar with Cancel, then the archive checked exactly as a recipient
would check it, and the verdict recorded in the vault (step 10 shows it).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QWidget,
)

from shopexit.core.vault import Vault
from shopexit.gui import style
from shopexit.gui.context import GuiContext
from shopexit.gui.job_dialog import JobDialog
from shopexit.gui.optional import optional
from shopexit.gui.worker import Progress


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _pydate(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


def default_archive_path(ctx: GuiContext, today: date | None = None) -> Path:
    today = today or date.today()
    folder = Path.home() / "Documents"
    if not folder.is_dir():
        folder = Path.home()
    return folder / f"shopexit-archive-{today.isoformat()}.pdf"


class ExportDialog(JobDialog):
    exported = Signal()
    finished_all = Signal(bool)  # True when an archive was written and verified

    def __init__(self, ctx: GuiContext, parent: QWidget | None) -> None:
        super().__init__(ctx, parent, "Export a signed archive",
                         "One PDF that reads well to a person, carries every original file byte for byte, and is "
                         "signed so anyone can check that nothing in it was changed.")
        self.setMinimumWidth(620)
        layout = self.body

        grid = QGridLayout()
        grid.setHorizontalSpacing(style.SPACE)
        self.scope = QButtonGroup(self)
        self.whole = QRadioButton("The whole vault", self)
        self.whole.setChecked(True)
        self.one_case = QRadioButton("One case", self)
        self.ranged = QRadioButton("A date range", self)
        for index, button in enumerate((self.whole, self.one_case, self.ranged)):
            self.scope.addButton(button, index)
        self.case = QComboBox(self)
        self.case.setAccessibleName("Case to export")
        self.case.setEnabled(False)
        self.date_from = QDateEdit(self)
        self.date_to = QDateEdit(self)
        for edit, name in ((self.date_from, "From"), (self.date_to, "To")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMM yyyy")
            edit.setAccessibleName(f"{name} date")
            edit.setEnabled(False)
        self.date_from.setDate(QDate.currentDate().addMonths(-12))
        self.date_to.setDate(QDate.currentDate())
        grid.addWidget(self.whole, 0, 0)
        grid.addWidget(self.one_case, 1, 0)
        grid.addWidget(self.case, 1, 1, 1, 3)
        grid.addWidget(self.ranged, 2, 0)
        grid.addWidget(self.date_from, 2, 1)
        grid.addWidget(QLabel("to", self), 2, 2)
        grid.addWidget(self.date_to, 2, 3)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        layout.addLayout(grid)
        self.one_case.toggled.connect(self.case.setEnabled)
        self.ranged.toggled.connect(self.date_from.setEnabled)
        self.ranged.toggled.connect(self.date_to.setEnabled)

        self.redact = QCheckBox("Leave out buyer names, usernames, phone numbers and addresses", self)
        self.images = QCheckBox("Include evidence files (screenshots, photos, receipts)", self)
        self.images.setChecked(True)
        self.redact.toggled.connect(lambda on: self.images.setChecked(not on))
        layout.addWidget(self.redact)
        layout.addWidget(self.images)
        layout.addWidget(style.muted("When buyers are left out, evidence files are listed but not included unless "
                                     "you tick the box: a screenshot may show a name.", self))

        self.out = QLineEdit(str(default_archive_path(ctx)), self)
        self.out.setAccessibleName("Save the archive as")
        browse = QPushButton("Choose…", self)
        browse.setAccessibleName("Choose where to save the archive")
        browse.clicked.connect(self._browse)
        save_label = QLabel("&Save as", self)
        save_label.setBuddy(self.out)
        layout.addLayout(style.row(save_label, self.out, browse))

        self.export_button = self._job_controls("Export", "Export")

        self._available = optional("shopexit.core.archive", "export_archive") is not None
        if not self._available:
            self.status.setText("Archives arrive with the next part of shopexit; nothing can be exported yet.")
            self.export_button.setEnabled(False)
        self._load_cases()

    def _load_cases(self) -> None:
        def job(vault: Vault, _progress: Progress) -> list[tuple[int, str, str]]:
            return [(int(i), str(t), str(s)) for i, t, s in vault.conn.execute(
                "SELECT id, title, status FROM cases ORDER BY status IN ('open', 'submitted') DESC, id DESC")]

        def done(rows: list[tuple[int, str, str]]) -> None:
            self.case.clear()
            for case_id, title, status in rows:
                self.case.addItem(f"{title} ({status})", case_id)
            self.one_case.setEnabled(bool(rows))
            if not rows:
                self.one_case.setText("One case (no cases yet)")

        self.ctx.vaults.submit(job, on_done=done)

    def _browse(self) -> None:
        chosen = self.ctx.dialogs.save_file(self, "Save the archive as", self.out.text(), "PDF files (*.pdf)")
        if chosen:
            self.out.setText(str(chosen if chosen.suffix.lower() == ".pdf" else chosen.with_suffix(".pdf")))

    def options(self) -> Any:
        export_options = optional("shopexit.core.archive", "ExportOptions")
        case_id = self.case.currentData() if self.one_case.isChecked() else None
        date_from = _pydate(self.date_from.date()) if self.ranged.isChecked() else None
        date_to = _pydate(self.date_to.date()) if self.ranged.isChecked() else None
        return export_options(case_id=case_id, date_from=date_from, date_to=date_to,
                              redact_buyers=self.redact.isChecked(), include_images=self.images.isChecked())

    def start(self) -> None:
        if self._running or not self._available:
            return
        text = self.out.text().strip()
        if not text:
            self.status.setText("Choose where to save the archive.")
            return
        out = Path(text).expanduser()
        if out.suffix.lower() != ".pdf":
            out = out.with_suffix(".pdf")
        if out.exists() and not self.ctx.dialogs.confirm(self, "Replace the file?",
                                                         f"{out.name} already exists. Replace it?", "Replace"):
            return
        if self.ranged.isChecked() and self.date_from.date() > self.date_to.date():
            self.status.setText("The range starts after it ends.")
            return
        options = self.options()
        export_archive = optional("shopexit.core.archive", "export_archive")
        verify_archive = optional("shopexit.core.archive", "verify_archive")
        record_verification = optional("shopexit.core.archive", "record_verification")

        def job(vault: Vault, progress: Progress) -> tuple[Any, Any]:
            result = export_archive(vault, out, options, progress=progress.report, cancelled=progress.cancelled)
            progress.report(1, 1, "Checking the signature")
            report = verify_archive(result.path)
            if record_verification is not None:
                record_verification(vault.conn, result.sha256, report.verdict)
            return result, report

        for w in (self.export_button, self.whole, self.one_case, self.ranged, self.case, self.date_from,
                  self.date_to, self.redact, self.images, self.out):
            w.setEnabled(False)
        self._run(job, self._done, self._failed, "Preparing…")

    def _progressed(self, done: int, total: int, text: str) -> None:
        super()._progressed(done, total, text)
        if text:
            self.status.setText(f"{text}…")

    def _done(self, value: tuple[Any, Any]) -> None:
        result, report = value
        self._stopped()
        ok = bool(getattr(report, "ok", False))
        self.status.setText(
            f"Archive written: {result.path}\n{result.pages} pages, {result.embedded_files} files inside.\n"
            f"Checked: {report.verdict}.\nRoot certificate fingerprint: {result.root_fingerprint}")
        self.status.setTextInteractionFlags(self.status.textInteractionFlags()
                                            | self.status.textInteractionFlags().TextSelectableByMouse)
        self.cancel_button.setText("Close")
        self.export_button.setVisible(False)
        self.exported.emit()
        self.finished_all.emit(ok)

    def _failed(self, message: str) -> None:
        self._stopped()
        self.status.setText(message)
        for w in (self.export_button, self.whole, self.ranged, self.redact, self.images, self.out):
            w.setEnabled(True)
        self.one_case.setEnabled(self.case.count() > 0)
        self.case.setEnabled(self.one_case.isChecked())
        self.date_from.setEnabled(self.ranged.isChecked())
        self.date_to.setEnabled(self.ranged.isChecked())
        self.finished_all.emit(False)
