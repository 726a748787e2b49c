"""Import: choose (or drop) exports, see what each one is and what it would change, then import.

Nothing is written until the user presses Import: each file is first read in a dry run on the vault thread,
and the table shows the detected kind and the summary (rows read, new, updated, unchanged, refused). The import
itself runs one file at a time with a progress bar; Cancel stops the file being read, which the importer rolls
back whole, and skips the rest.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QCheckBox, QPushButton, QWidget

from shopexit.core.vault import Vault
from shopexit.gui import style
from shopexit.gui.context import GuiContext
from shopexit.gui.job_dialog import JobDialog
from shopexit.gui.steps.common import Table
from shopexit.gui.worker import Progress

FILTER = "TikTok Shop exports (*.csv *.xlsx *.zip *.json);;All files (*)"


@dataclass
class _File:
    path: Path
    kind: str = ""
    summary: Any = None
    problem: str = ""
    done: Any = None  # the summary of the real import
    state: str = "reading"  # reading, ready, refused, importing, imported, cancelled, failed
    notes: list[str] = field(default_factory=list)


def importers() -> Any:
    """The importers package, or None while it is not there."""
    try:
        from shopexit.core import importers as module
    except ImportError:
        return None
    return module if hasattr(module, "import_file") else None


def call_import(vault: Vault, path: Path, **options: Any) -> Any:
    """`import_file` with the options this version of the importers understands."""
    module = importers()
    if module is None:
        raise RuntimeError("the importers are not installed")
    accepted = inspect.signature(module.import_file).parameters
    return module.import_file(vault, path, **{k: v for k, v in options.items() if k in accepted})


def _summary_cells(summary: Any) -> tuple[str, str, str, str, str]:
    refused = getattr(summary, "refused", [])
    return (f"{getattr(summary, 'rows_read', 0):,}", f"{getattr(summary, 'new', 0):,}",
            f"{getattr(summary, 'updated', 0):,}", f"{getattr(summary, 'unchanged', 0):,}",
            f"{len(refused):,}" if isinstance(refused, list) else str(refused))


class ImportDialog(JobDialog):
    imported = Signal()  # at least one file went in
    previewed = Signal()  # every file has been read (tests wait for it)
    finished_all = Signal()

    def __init__(self, ctx: GuiContext, parent: QWidget | None, paths: list[Path] | None = None) -> None:
        super().__init__(ctx, parent, "Import exports",
                         "Choose files exported from Seller Center (orders, income, on-hold, affiliate commissions, "
                         "withdrawals) or TikTok's “Download your data”. shopexit recognises each file from its "
                         "contents and shows what it would add. Nothing is written until you press Import.")
        self.setMinimumSize(980, 420)
        self.setAcceptDrops(True)
        self.files: list[_File] = []
        self._any_imported = False

        layout = self.body
        self.table = Table(("File", "Detected as", "Rows", "New", "Updated", "Unchanged", "Refused", "Note"), self,
                           "Files to import", stretch=7)
        layout.addWidget(self.table)
        self.add_button = QPushButton("Add files…", self)
        self.add_button.setAccessibleName("Add files to import")
        self.add_button.clicked.connect(self._choose)
        self.remove_button = QPushButton("Remove", self)
        self.remove_button.clicked.connect(self._remove)
        self.skip_bad = QCheckBox("Skip rows that cannot be read (each one is listed)", self)
        layout.addLayout(style.row(self.add_button, self.remove_button, None, self.skip_bad))
        self.problems = style.muted("", self)
        self.problems.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.problems)
        self.import_button = self._job_controls("Import", "Import", stretch=True)
        self.import_button.setEnabled(False)
        if importers() is None:
            self.status.setText("Importing arrives with the next part of shopexit; nothing can be imported yet.")
            self.add_button.setEnabled(False)
        elif paths:
            self.add_paths(paths)

    # -- choosing files -------------------------------------------------------------------------------------------
    def _choose(self) -> None:
        self.add_paths(self.ctx.dialogs.open_files(self, "Choose exports to import", FILTER))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if not self._running and event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        self.add_paths([Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()])

    def add_paths(self, paths: list[Path]) -> None:
        known = {f.path for f in self.files}
        new = [_File(p) for p in paths if p not in known]
        self.files.extend(new)
        self._redraw()
        for item in new:
            self._preview(item)

    def _remove(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.files) and not self._running:
            del self.files[row]
            self._redraw()

    def _preview(self, item: _File) -> None:
        skip = self.skip_bad.isChecked()

        def job(vault: Vault, _progress: Progress) -> tuple[str, Any]:
            module = importers()
            detection = module.detect(item.path) if module is not None and hasattr(module, "detect") else None
            summary = call_import(vault, item.path, dry_run=True, skip_bad_rows=skip)
            label = getattr(detection, "label", "") or getattr(summary, "label", "") or getattr(summary, "kind", "")
            return str(label), summary

        def done(result: tuple[str, Any]) -> None:
            item.kind, item.summary = result
            item.state = "ready"
            self._redraw()

        def failed(message: str) -> None:
            item.problem = message
            item.state = "refused"
            self._redraw()

        self.ctx.vaults.submit(job, on_done=done, on_error=failed)

    # -- importing ------------------------------------------------------------------------------------------------
    def start(self) -> None:
        if self._running or not any(f.state == "ready" for f in self.files):
            return
        self._running = True
        self.import_button.setEnabled(False)
        self.add_button.setEnabled(False)
        self.remove_button.setEnabled(False)
        self.skip_bad.setEnabled(False)
        self._next()

    def _next(self) -> None:
        pending = next((f for f in self.files if f.state == "ready"), None)
        if pending is None:
            self._finish()
            return
        pending.state = "importing"
        self._redraw()
        skip = self.skip_bad.isChecked()

        def job(vault: Vault, progress: Progress) -> Any:
            def report(done: int, total: int, *_rest: Any) -> None:
                progress.report(done, total, pending.path.name)

            return call_import(vault, pending.path, progress=report, cancelled=progress.cancelled,
                               skip_bad_rows=skip)

        def done(summary: Any) -> None:
            pending.done = summary
            pending.state = "imported"
            self._any_imported = True
            self._redraw()
            self._next()

        def failed(message: str) -> None:
            pending.problem = message
            pending.state = "cancelled" if self._was_cancelled() else "failed"
            self._redraw()
            if pending.state == "cancelled":
                for f in self.files:
                    if f.state == "ready":
                        f.state = "cancelled"
                        f.problem = "not imported: cancelled"
                self._finish()
            else:
                self._next()

        self._run(job, done, failed, f"Importing {pending.path.name}…")

    def _progressed(self, done: int, total: int, text: str) -> None:
        super()._progressed(done, total, text)
        self.status.setText(f"Importing {text}… {done:,} of {total:,} rows" if total else f"Importing {text}…")

    def _finish(self) -> None:
        self._stopped()
        imported = [f for f in self.files if f.state == "imported"]
        cancelled = any(f.state == "cancelled" for f in self.files)
        parts = [f"Imported {len(imported)} file{'s' if len(imported) != 1 else ''}."]
        if cancelled:
            parts.append("Cancelled: the file being read was left out whole, and the rest were skipped.")
        self.status.setText(" ".join(parts))
        self.cancel_button.setText("Close")
        if self._any_imported:
            self.imported.emit()
        self.finished_all.emit()

    # -- drawing --------------------------------------------------------------------------------------------------
    def _redraw(self) -> None:
        rows = []
        tones: list[str | None] = []
        for f in self.files:
            summary = f.done if f.done is not None else f.summary
            cells = _summary_cells(summary) if summary is not None else ("", "", "", "", "")
            note = {"reading": "reading…", "ready": "would be imported", "importing": "importing…",
                    "imported": "imported", "refused": f.problem, "failed": f.problem,
                    "cancelled": f.problem or "cancelled"}[f.state]
            rows.append((f.path.name, f.kind or ("—" if f.state in ("refused", "failed") else "…"), *cells, note))
            tones.append(style.BAD if f.state in ("refused", "failed") else
                         style.GOOD if f.state == "imported" else None)
        self.table.fill(rows, align_right=(2, 3, 4, 5, 6), emphasis=lambda r: tones[r])
        problems = []
        for f in self.files:
            summary = f.done if f.done is not None else f.summary
            for problem in list(getattr(summary, "refused", []) or [])[:5]:
                problems.append(f"{f.path.name}, {problem}")
        self.problems.setText("Rows that cannot be read:\n" + "\n".join(problems) if problems else "")
        self.problems.setVisible(bool(problems))
        reading = any(f.state == "reading" for f in self.files)
        ready = any(f.state == "ready" for f in self.files)
        can_import = ready and not reading and not self._running
        newly = can_import and not self.import_button.isEnabled()
        self.import_button.setEnabled(can_import)
        if newly and self.focusWidget() in (None, self.table):
            self.import_button.setFocus()  # Enter imports; no cell of the table looks chosen
        if not self._running:
            self.status.setText("Reading the files…" if reading else
                                "Ready: press Import to add what is shown." if ready else self.status.text())
        if not reading and self.files and not self._running:
            self.previewed.emit()

