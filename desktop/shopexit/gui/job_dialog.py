"""The frame of a dialog that runs one long job on the vault thread: a title and a line on what it does, the
dialog's own choices, then a progress bar, a status line, Cancel and the button that starts the job.

Import and Export share it, so they stop a job the same way: Cancel asks the running job to stop (the job
checks `progress.cancelled()` and rolls back whole) and says so, and closing the dialog while a job runs (the
window's close button, Esc) cancels the job too, so nothing carries on writing behind a closed window.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QDialog, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from shopexit.core.vault import Vault
from shopexit.gui import style
from shopexit.gui.context import GuiContext
from shopexit.gui.worker import Progress, Ticket


class JobDialog(QDialog):
    def __init__(self, ctx: GuiContext, parent: QWidget | None, title: str, intro: str) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._ticket: Ticket | None = None
        self._running = False
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.body = QVBoxLayout(self)
        self.body.setSpacing(style.SPACE)
        self.body.addWidget(style.heading(title, 1.3, self))
        self.body.addWidget(style.muted(intro, self))

    def _job_controls(self, noun: str, action: str, stretch: bool = False) -> QPushButton:
        """The progress bar, status line and buttons under the dialog's own choices; returns the action button,
        which runs `start`. `noun` names the bar and the line for a screen reader ("Import progress")."""
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName(f"{noun} progress")
        self.progress.setVisible(False)
        self.status = QLabel("", self)
        self.status.setWordWrap(True)
        self.status.setAccessibleName(f"{noun} status")
        self.body.addWidget(self.progress)
        self.body.addWidget(self.status)
        if stretch:
            self.body.addStretch(1)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.clicked.connect(self._cancel)
        button = QPushButton(action, self)
        button.setObjectName("primary")
        button.setDefault(True)
        button.clicked.connect(self.start)
        self.body.addLayout(style.row(None, self.cancel_button, button))
        return button

    def start(self) -> None:
        raise NotImplementedError

    def _run(self, job: Callable[[Vault, Progress], Any], on_done: Callable[[Any], None],
             on_error: Callable[[str], None], status: str) -> None:
        """Submit `job` with the bar busy (no total yet) and `status` shown until the job reports."""
        self._running = True
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        self.status.setText(status)
        self._ticket = self.ctx.vaults.submit(job, on_done=on_done, on_error=on_error, on_progress=self._progressed)

    def _progressed(self, done: int, total: int, text: str) -> None:
        """The job's report: fills the bar once the total is known; subclasses add the status line."""
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))

    def _was_cancelled(self) -> bool:
        return self._ticket is not None and self._ticket.progress.cancelled()

    def _stopped(self) -> None:
        """The job is over: done, failed or cancelled."""
        self._running = False
        self._ticket = None
        self.progress.setVisible(False)

    def _cancel(self) -> None:
        if self._running and self._ticket is not None:
            self._ticket.cancel()
            self.status.setText("Cancelling…")
            return
        self.reject()

    def reject(self) -> None:
        if self._running and self._ticket is not None:
            self._ticket.cancel()
        super().reject()
