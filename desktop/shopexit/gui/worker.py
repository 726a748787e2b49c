"""One thread owns the vault connection; the GUI sends it jobs and gets results back by signal.

Every vault operation — key derivation on unlock, queries for a page, imports, exports — runs on that thread,
so the window never freezes and SQLite is never touched from two threads. A job is a plain function
`job(vault, progress) -> result`; `progress.report()` feeds a progress bar and `progress.cancelled()` lets
long core work stop cleanly (the core rolls back what it started).
"""

from __future__ import annotations

import itertools
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from shopexit.core.errors import ShopexitError, VaultClosed
from shopexit.core.vault import ShopProfile, Vault

Job = Callable[[Vault, "Progress"], Any]
OpenJob = Callable[["Progress"], Vault]


class Progress:
    """Handed to a job: report how far it is, and ask whether the user pressed Cancel."""

    def __init__(self, ticket: int, emit: Callable[[int, int, int, str], None]) -> None:
        self._ticket = ticket
        self._emit = emit
        self._cancel = threading.Event()

    def report(self, done: int, total: int = 0, text: str = "") -> None:
        self._emit(self._ticket, done, total, text)

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()


@dataclass
class Ticket:
    """The GUI's handle on a submitted job."""

    id: int
    progress: Progress
    on_done: Callable[[Any], None] | None = None
    on_error: Callable[[str], None] | None = None
    on_progress: Callable[[int, int, str], None] | None = None
    done: bool = field(default=False)

    def cancel(self) -> None:
        self.progress.cancel()


class _Worker(QObject):
    """Lives on the vault thread. Holds the one `Vault`."""

    finished = Signal(int, object)
    failed = Signal(int, str)
    progressed = Signal(int, int, int, str)
    opened = Signal(str)
    closed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.vault: Vault | None = None

    @Slot(int, object, object, bool)
    def run(self, ticket: int, job: Any, progress: Progress, opens: bool) -> None:
        try:
            if opens:
                if self.vault is not None:
                    self.vault.lock()
                    self.vault = None
                self.vault = job(progress)
                self.opened.emit(str(self.vault.path))
                result: Any = None
            else:
                if self.vault is None:
                    raise VaultClosed("The vault is locked.")
                result = job(self.vault, progress)
        except ShopexitError as exc:
            self.failed.emit(ticket, str(exc))
            return
        except Exception as exc:  # a bug: say so in one line, keep the details off the user's screen
            detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
            self.failed.emit(ticket, f"Something went wrong ({type(exc).__name__}). {detail[:200]}")
            return
        self.finished.emit(ticket, result)

    @Slot()
    def close_vault(self) -> None:
        if self.vault is not None:
            self.vault.lock()
            self.vault = None
        self.closed.emit()


class VaultService(QObject):
    """The GUI side: submit jobs, open and lock the vault. Callbacks run on the GUI thread."""

    _dispatch = Signal(int, object, object, bool)
    _close = Signal()
    unlocked = Signal(str)  # vault path
    locked = Signal()
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread = QThread()
        self._thread.setObjectName("vault")
        self._worker = _Worker()
        self._worker.moveToThread(self._thread)
        self._dispatch.connect(self._worker.run)
        self._close.connect(self._worker.close_vault)
        self._worker.finished.connect(self._on_finished)
        self._worker.failed.connect(self._on_failed)
        self._worker.progressed.connect(self._on_progress)
        self._worker.opened.connect(self._on_opened)
        self._worker.closed.connect(self.locked)
        self._tickets: dict[int, Ticket] = {}
        self._ids = itertools.count(1)
        self._vault_path: Path | None = None
        self._thread.start()

    # -- state --------------------------------------------------------------------------------------------------
    @property
    def vault_path(self) -> Path | None:
        return self._vault_path

    @property
    def is_unlocked(self) -> bool:
        return self._vault_path is not None

    @property
    def busy(self) -> bool:
        return bool(self._tickets)

    # -- jobs ---------------------------------------------------------------------------------------------------
    def submit(
        self,
        job: Job,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[str], None] | None = None,
        on_progress: Callable[[int, int, str], None] | None = None,
    ) -> Ticket:
        return self._send(job, False, on_done, on_error, on_progress)

    def unlock(self, path: Path, passphrase: str, on_done: Callable[[Any], None] | None = None,
               on_error: Callable[[str], None] | None = None) -> Ticket:
        """Key derivation and the key check run on the vault thread, never on the GUI thread."""
        return self._send(lambda _p: Vault.open(path, passphrase), True, on_done, on_error, None)

    def create(self, path: Path, passphrase: str, profile: ShopProfile,
               on_done: Callable[[Any], None] | None = None,
               on_error: Callable[[str], None] | None = None) -> Ticket:
        return self._send(lambda _p: Vault.create(path, passphrase, profile), True, on_done, on_error, None)

    def lock(self) -> None:
        """Cancel what runs, then close the vault on its own thread; `locked` is emitted when done.

        Jobs still queued or running finish on the vault thread (a save submitted just before locking still
        lands), but their results are dropped: nothing decrypted reaches a view after the lock.
        """
        for ticket in self._tickets.values():
            ticket.cancel()
            ticket.on_done = ticket.on_error = ticket.on_progress = None
        self._vault_path = None
        self._close.emit()

    def shutdown(self) -> None:
        self.lock()
        self._thread.quit()
        self._thread.wait(10_000)

    def _send(self, job: Any, opens: bool, on_done: Callable[[Any], None] | None,
              on_error: Callable[[str], None] | None,
              on_progress: Callable[[int, int, str], None] | None) -> Ticket:
        ticket_id = next(self._ids)
        progress = Progress(ticket_id, self._worker.progressed.emit)
        ticket = Ticket(ticket_id, progress, on_done, on_error, on_progress)
        self._tickets[ticket_id] = ticket
        if len(self._tickets) == 1:
            self.busy_changed.emit(True)
        self._dispatch.emit(ticket_id, job, progress, opens)
        return ticket

    # -- results, on the GUI thread -----------------------------------------------------------------------------
    def _pop(self, ticket_id: int) -> Ticket | None:
        ticket = self._tickets.pop(ticket_id, None)
        if not self._tickets:
            self.busy_changed.emit(False)
        return ticket

    @Slot(int, object)
    def _on_finished(self, ticket_id: int, result: object) -> None:
        ticket = self._pop(ticket_id)
        if ticket and ticket.on_done:
            ticket.on_done(result)

    @Slot(int, str)
    def _on_failed(self, ticket_id: int, message: str) -> None:
        ticket = self._pop(ticket_id)
        if ticket and ticket.on_error:
            ticket.on_error(message)

    @Slot(int, int, int, str)
    def _on_progress(self, ticket_id: int, done: int, total: int, text: str) -> None:
        ticket = self._tickets.get(ticket_id)
        if ticket and ticket.on_progress:
            ticket.on_progress(done, total, text)

    @Slot(str)
    def _on_opened(self, path: str) -> None:
        self._vault_path = Path(path)
        self.unlocked.emit(path)
