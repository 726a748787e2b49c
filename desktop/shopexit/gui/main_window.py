"""The main window: the steps and records on the left, the current page in the centre, the toolbar above and the
vault's name and lock timer below.

It lives only while the vault is unlocked. Locking destroys it with every page in it — the simplest way to be
sure no decrypted record survives in a widget — and unlocking builds a new one.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QStackedWidget,
    QToolBar,
    QWidget,
)

from shopexit.core import step_facts
from shopexit.core.records import exit_steps
from shopexit.core.step_facts import Overview
from shopexit.core.vault import Vault
from shopexit.gui import style
from shopexit.gui.context import GuiContext
from shopexit.gui.idle import IdleWatcher
from shopexit.gui.optional import optional
from shopexit.gui.sidebar import Sidebar
from shopexit.gui.steps.page import StepPage
from shopexit.gui.worker import Progress


def _initial_load(vault: Vault, _progress: Progress) -> Overview:
    """First job after unlock: the guide's checklist items, and the sidebar's figures."""
    with vault.transaction() as tx:
        exit_steps.ensure_defaults(tx)
    return step_facts.overview_for(vault)


class MainWindow(QMainWindow):
    lock_requested = Signal()
    quit_requested = Signal()
    overview_loaded = Signal()

    def __init__(self, ctx: GuiContext, idle: IdleWatcher, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.idle = idle
        self.locking = False
        self.overview: Overview | None = None
        self.search_dialog: Any = None  # records.search.SearchDialog, made on the first Ctrl+F
        vault_path = ctx.vaults.vault_path or ctx.default_vault
        self.setWindowTitle(f"shopexit — {vault_path.name}")
        self.setAccessibleName("shopexit")
        self.setAcceptDrops(True)
        self.setMinimumSize(1000, 640)

        self.sidebar = Sidebar(self)
        self.stack = QStackedWidget(self)
        centre = QWidget(self)
        centre.setObjectName("page")
        layout = QHBoxLayout(centre)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.sidebar)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(centre)

        self.pages: dict[int, StepPage] = {}
        self.record_pages: list[tuple[str, QWidget]] = []
        build_pages = optional("shopexit.gui.records", "build_pages")
        if build_pages is not None:
            self.record_pages = list(build_pages(ctx, self.stack))
            for _title, page in self.record_pages:
                self.stack.addWidget(page)
                signal = getattr(page, "open_record", None)
                if signal is not None:
                    signal.connect(self.show_record)
            self.sidebar.set_records([title for title, _page in self.record_pages])

        self._build_actions()
        self.vault_label = QLabel(str(vault_path.name), self)
        self.vault_label.setToolTip(str(vault_path))
        self.timer_label = QLabel("", self)
        self.timer_label.setAccessibleName("Lock timer")
        self.statusBar().setContentsMargins(style.SPACE, 0, style.SPACE, 0)
        self.statusBar().addWidget(self.vault_label)
        self.statusBar().addPermanentWidget(self.timer_label)
        self.idle.tick.connect(self._show_timer)
        self._show_timer(self.idle.remaining_ms())

        self.sidebar.step_chosen.connect(self.show_step)
        self.sidebar.record_chosen.connect(self.show_records)
        self.resize(1280, 800)
        self.ctx.vaults.submit(_initial_load, on_done=self._first_overview, on_error=self._overview_failed)
        keep = self.ctx.settings.keep_backups
        self.ctx.vaults.submit(lambda vault, _p: vault.backup_if_due(keep), on_done=self._backup_made,
                               on_error=lambda message: self.statusBar().showMessage(f"No daily backup: {message}"))

    # -- actions ------------------------------------------------------------------------------------------------
    def _action(self, text: str, slot: Callable[[], Any],
                shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
                tip: str = "", enabled: bool = True) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{tip or text.replace('…', '').replace('&', '')}" + (f" ({keys})" if keys else ""))
        action.triggered.connect(slot)
        action.setEnabled(enabled)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        search_available = optional("shopexit.gui.records.search", "SearchDialog") is not None
        self.import_action = self._action("Import…", lambda: self.open_import(), "Ctrl+I",
                                          "Import exports from TikTok Shop")
        self.evidence_action = self._action("Add evidence…", self._add_evidence_here, "Ctrl+Shift+A",
                                            "Keep a screenshot, photo or receipt")
        self.export_action = self._action("Export archive…", self.open_export, "Ctrl+E",
                                          "Export a signed PDF archive")
        self.search_action = self._action("Search", self.open_search,
                                          _standard(QKeySequence.StandardKey.Find, "Ctrl+F"),
                                          "Search every record", enabled=search_available)
        self.lock_action = self._action("Lock", self.lock_requested.emit, "Ctrl+L", "Lock the vault now")
        self.backup_action = self._action("&Back up now", self.back_up_now, None,
                                          "Write an encrypted copy to the vault's backups folder")
        self.quit_action = self._action("&Quit", self.close, _standard(QKeySequence.StandardKey.Quit, "Ctrl+Q"))
        self.preferences_action = self._action("&Preferences…", self.open_preferences,
                                               _standard(QKeySequence.StandardKey.Preferences, "Ctrl+,"))
        self.next_action = self._action("Next step", lambda: self._step_by(1), "Ctrl+PgDown")
        self.prev_action = self._action("Previous step", lambda: self._step_by(-1), "Ctrl+PgUp")
        self.step_actions = [self._action(f"Step {n}", self._go_to(n), f"Ctrl+{n % 10}") for n in range(1, 11)]
        mnemonic = {"Orders": "&Orders", "Money": "&Money", "Messages": "M&essages", "Cases": "&Cases",
                    "Evidence": "E&vidence"}
        self.record_actions = [self._action(mnemonic.get(title, title), self._records_at(n), f"Alt+{n + 1}",
                                            f"Show {title.lower()}")
                               for n, (title, _page) in enumerate(self.record_pages)]

        toolbar = QToolBar("Main", self)
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        toolbar.setAccessibleName("Main toolbar")
        for action in (self.import_action, self.evidence_action, self.export_action, self.search_action):
            toolbar.addAction(action)
        spacer = QWidget(toolbar)
        spacer.setSizePolicy(spacer.sizePolicy().Policy.Expanding, spacer.sizePolicy().Policy.Preferred)
        toolbar.addWidget(spacer)
        toolbar.addAction(self.lock_action)
        self.addToolBar(toolbar)

        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        for action in (self.import_action, self.evidence_action, self.export_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(self.backup_action)
        file_menu.addAction(self.preferences_action)
        file_menu.addAction(self.lock_action)
        file_menu.addAction(self.quit_action)
        go = bar.addMenu("&Go")
        go.addAction(self.search_action)
        go.addSeparator()
        go.addAction(self.prev_action)
        go.addAction(self.next_action)
        go.addSeparator()
        for action in self.step_actions:
            go.addAction(action)
        go.addSeparator()
        for action in self.record_actions:
            go.addAction(action)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self._action("&About shopexit", self._about))

    # -- the overview ---------------------------------------------------------------------------------------------
    def _first_overview(self, overview: Overview) -> None:
        self._show_overview(overview)
        first = next((s.number for s in overview.steps if s.status != "done"), 1)
        self.go_step(first)

    def _overview_failed(self, message: str) -> None:
        self.ctx.dialogs.warn(self, "shopexit", message)

    def refresh_overview(self) -> None:
        self.ctx.vaults.submit(lambda v, _p: step_facts.overview_for(v),
                               on_done=self._show_overview)

    def _show_overview(self, overview: Overview) -> None:
        self.overview = overview
        self.sidebar.set_overview(overview)
        self.vault_label.setText(f"{overview.shop_name} · {(self.ctx.vaults.vault_path or Path('')).name}")
        self.overview_loaded.emit()

    def refresh_all(self) -> None:
        """After an import or new evidence: every figure may have moved."""
        self.refresh_overview()
        current = self.stack.currentWidget()
        if isinstance(current, StepPage):
            current.reload()
        for _title, page in self.record_pages:
            for name in ("reload", "refresh"):
                method = getattr(page, name, None)
                if callable(method):
                    method()
                    break

    # -- navigation ------------------------------------------------------------------------------------------------
    def go_step(self, number: int) -> None:
        self.sidebar.select_step(number)
        self.show_step(number)

    def show_step(self, number: int) -> None:
        previous = self.stack.currentWidget()
        if isinstance(previous, StepPage):
            previous.flush()
        page = self.pages.get(number)
        if page is None:
            page = StepPage(self.ctx, number, self, self.stack)
            page.changed.connect(self.refresh_overview)
            self.pages[number] = page
            self.stack.addWidget(page)
        if self.stack.currentWidget() is not page:
            self.stack.setCurrentWidget(page)
        page.reload()

    def show_records(self, index: int) -> None:
        previous = self.stack.currentWidget()
        if isinstance(previous, StepPage):
            previous.flush()
        if 0 <= index < len(self.record_pages):
            self.stack.setCurrentWidget(self.record_pages[index][1])

    def current_step(self) -> int | None:
        current = self.stack.currentWidget()
        return current.number if isinstance(current, StepPage) else None

    def _go_to(self, number: int) -> Callable[[], None]:
        return lambda: self.go_step(number)

    def _records_at(self, index: int) -> Callable[[], None]:
        def show() -> None:
            self.sidebar.select_record(index)
            self.show_records(index)

        return show

    def _step_by(self, delta: int) -> None:
        number = self.current_step() or 1
        self.go_step(min(10, max(1, number + delta)))

    # -- what pages ask of the window (steps.common.Host) -----------------------------------------------------------
    def add_evidence(self, links: list[tuple[str, int]], on_added: Callable[[], None]) -> None:
        dialog = optional("shopexit.gui.evidence", "add_evidence_dialog")
        if dialog is None:
            self._attach_files(links, on_added)
            return

        def done(_ids: list[int]) -> None:
            on_added()
            self.refresh_overview()

        dialog(self.ctx, self, links, on_done=done)

    def _attach_files(self, links: list[tuple[str, int]], on_added: Callable[[], None]) -> None:
        """The plain way while the evidence dialog is not there: pick files, keep them, link them."""
        from shopexit.core.errors import EvidenceRefused
        from shopexit.core.evidence import attach_files

        paths = self.ctx.dialogs.open_files(self, "Add evidence")
        if not paths:
            return
        limit = self.ctx.settings.max_evidence_bytes

        def job(vault: Vault, progress: Progress) -> int:
            outcome = attach_files(vault, paths, links=links, max_size=limit, keep_going=False,
                                   progress=progress.report, cancelled=progress.cancelled)
            if outcome.refused:  # the files before it are kept
                raise EvidenceRefused(outcome.refused[0])
            return len(outcome.added)

        def done(_n: int) -> None:
            on_added()
            self.refresh_overview()

        self.ctx.vaults.submit(job, on_done=done,
                               on_error=lambda m: self.ctx.dialogs.warn(self, "Evidence not added", m))

    def _add_evidence_here(self) -> None:
        number = self.current_step()
        page = self.pages.get(number) if number else None
        links = [("step", number)] if number else []
        self.add_evidence(links, page.reload if page else self.refresh_all)

    def back_up_now(self) -> None:
        keep = self.ctx.settings.keep_backups
        self.backup_action.setEnabled(False)

        def done(path: Path) -> None:
            self.backup_action.setEnabled(True)
            self.ctx.dialogs.info(self, "Backup written",
                                  f"An encrypted copy of the vault is in {path.parent.name}/ as {path.name}.\n"
                                  f"The same passphrase opens it; the last {keep} backups are kept.")

        def failed(message: str) -> None:
            self.backup_action.setEnabled(True)
            self.ctx.dialogs.warn(self, "No backup written", message)

        self.ctx.vaults.submit(lambda vault, _p: vault.backup(keep=keep), on_done=done, on_error=failed)

    def _backup_made(self, path: Path | None) -> None:
        if path is not None:
            self.statusBar().showMessage(f"Daily backup written: {path.name}", 8000)

    def open_import(self, paths: list[Any] | None = None) -> None:
        from shopexit.gui.import_dialog import ImportDialog

        dialog = ImportDialog(self.ctx, self, [Path(p) for p in paths or []])
        dialog.imported.connect(self.refresh_all)
        dialog.open()

    def open_export(self) -> None:
        from shopexit.gui.export_dialog import ExportDialog

        dialog = ExportDialog(self.ctx, self)
        dialog.exported.connect(self.refresh_all)
        dialog.open()

    def open_search(self) -> None:
        """Ctrl+F: the search window, brought back with its words selected when it is already open."""
        search = optional("shopexit.gui.records.search", "SearchDialog")
        if search is None:
            return
        dialog = self.search_dialog
        if dialog is None:
            dialog = self.search_dialog = search(self.ctx, self)
            dialog.open_record.connect(self.show_record)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        dialog.box.setFocus()
        dialog.box.selectAll()

    def show_record(self, kind: str, record_id: int) -> bool:
        """Route a link or a search hit to the page that shows that kind of record."""
        if kind == "step" and 1 <= record_id <= 10:
            self.go_step(record_id)
            return True
        for index, (_title, page) in enumerate(self.record_pages):
            show = getattr(page, "show_record", None)
            if callable(show) and show(kind, record_id):
                self.sidebar.select_record(index)
                self.stack.setCurrentWidget(page)
                return True
        return False

    def open_preferences(self) -> None:
        from shopexit.gui.forms import Field, FormDialog

        s = self.ctx.settings
        answer = self.ctx.dialogs.ask(FormDialog(self, "Preferences", [
            Field("idle_lock_minutes", "&Lock after (minutes without input)", "int", s.idle_lock_minutes, minimum=1,
                  maximum=240),
            Field("max_evidence_mb", "&Largest evidence file (MB)", "int", s.max_evidence_mb, minimum=1,
                  maximum=4096),
            Field("keep_backups", "&Backups to keep", "int", s.keep_backups, minimum=1, maximum=100),
        ], intro="Stored on this computer, outside the vault."))
        if not isinstance(answer, dict):
            return
        s.idle_lock_minutes = int(answer["idle_lock_minutes"])
        s.max_evidence_mb = int(answer["max_evidence_mb"])
        s.keep_backups = int(answer["keep_backups"])
        try:
            self.ctx.save_settings()
        except OSError as exc:
            self.ctx.dialogs.warn(self, "Preferences", f"Could not save the preferences ({exc.strerror}).")
        self.idle.set_interval(s.idle_lock_minutes * 60_000)

    def _about(self) -> None:
        from shopexit import __version__

        self.ctx.dialogs.info(self, "About shopexit",
                              f"shopexit {__version__}\n\nLeave TikTok Shop cleanly, and keep the proof.\n"
                              "Your records stay in an encrypted vault on this computer.")

    # -- the lock timer ------------------------------------------------------------------------------------------
    def _show_timer(self, remaining_ms: int) -> None:
        seconds = max(0, remaining_ms // 1000)
        self.timer_label.setText(f"Locks when idle in {seconds // 60}:{seconds % 60:02d}")

    # -- leaving -------------------------------------------------------------------------------------------------
    def flush(self) -> None:
        """Save anything typed and not yet saved, before the vault closes."""
        for page in self.pages.values():
            page.flush()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.flush()
        event.accept()
        if not self.locking:
            self.quit_requested.emit()

    # -- drag and drop: files dropped on the window are imported ---------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.open_import(paths)


def _standard(key: QKeySequence.StandardKey, fallback: str) -> QKeySequence:
    """The platform's keys for a standard action, or `fallback` where the platform has none (Preferences on
    Linux and Windows; Quit where the desktop's theme is not loaded)."""
    keys = QKeySequence(key)
    return keys if not keys.isEmpty() else QKeySequence(fallback)


def spacer_widget(parent: QWidget) -> QWidget:
    widget = QWidget(parent)
    widget.setMinimumWidth(style.SPACE)
    return widget
