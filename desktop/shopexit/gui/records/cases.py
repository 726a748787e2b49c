"""Cases: disputes, returns, "not received" claims, appeals and chargebacks, each with its deadline, checklist,
linked records, evidence and timeline — and "Export this case…" as a signed archive of its own."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressDialog,
    QPushButton,
    QWidget,
)

from shopexit.core.records import browse, cases
from shopexit.core.records.cases import CaseDetail
from shopexit.core.vault import Vault
from shopexit.gui.context import GuiContext
from shopexit.gui.evidence.strip import EvidenceStrip
from shopexit.gui.layouts import WrapRow
from shopexit.gui.records.dialogs import CaseDialog, edit_case_dialog, submit_open_case
from shopexit.gui.records.model import local_time
from shopexit.gui.records.page import DetailJob, RecordPage
from shopexit.gui.records.widgets import ask_text, badge, heading, link_html, set_badge
from shopexit.gui.worker import Progress

EMPTY = ("No cases yet.\n\nWhen a buyer disputes an order, asks for a refund, says a parcel never came, or the "
         "platform holds money you want to appeal, open a case from the order or the conversation (Open a case…), "
         "or here with New case…. shopexit keeps its deadline, checklist and proof together.")
CHECK_ROLE = Qt.ItemDataRole.UserRole + 20


def deadline_tone(days: int | None) -> str:
    if days is None:
        return "neutral"
    if days <= 2:
        return "bad"
    return "warn" if days <= 7 else "ok"


def archive_api() -> tuple[Any, Any] | None:
    """(export_archive, ExportOptions) once the archive part is installed, else None."""
    try:
        from shopexit.core.archive import ExportOptions, export_archive
    except (ImportError, AttributeError):
        return None
    return export_archive, ExportOptions


class CasesPage(RecordPage):
    kinds = frozenset({"case"})
    title = "Cases"

    def __init__(self, ctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, browse.CASES, empty_text=EMPTY, parent=parent, detail_width=460)
        self.region = "US"
        self.detail_data: CaseDetail | None = None
        self.model.formatters["kind"] = lambda v, _r: cases.KINDS.get(str(v), str(v))
        self.model.formatters["status"] = lambda v, _r: cases.STATUSES.get(str(v), str(v))
        self.model.formatters["deadline"] = self._deadline_cell
        self.new_button = QPushButton("New case…")
        self.new_button.clicked.connect(self.new_case)
        self.list_tools.addWidget(self.new_button)

        self.title_label = QLabel()
        self.title_label.setObjectName("recordTitle")
        self.title_label.setWordWrap(True)
        self.status_badge = badge("")
        self.days_badge = badge("")
        self.days_badge.setAccessibleName("Days left")
        self.deadline_label = QLabel()
        self.deadline_label.setObjectName("recordSubtitle")
        self.deadline_label.setWordWrap(True)
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.description.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.edit_button = QPushButton("Edit…")
        self.edit_button.clicked.connect(self.edit_case)
        self.event_button = QPushButton("Add event…")
        self.event_button.setToolTip("Record something that happened: a reply sent, a call with support")
        self.event_button.clicked.connect(self.add_event)
        self.export_button = QPushButton("Export this case…")
        self.export_button.setToolTip("A signed PDF archive holding this case, its records and its evidence")
        self.export_button.clicked.connect(self.export_case)
        self.checklist_heading = heading("Evidence checklist")
        self.checklist = QListWidget()
        self.checklist.setAccessibleName("Evidence checklist")
        self.checklist.itemChanged.connect(self._check_changed)
        self.add_item_button = QPushButton("Add item…")
        self.add_item_button.clicked.connect(self.add_checklist_item)
        self.links_label = QLabel()
        self.links_label.setWordWrap(True)
        self.links_label.setTextFormat(Qt.TextFormat.RichText)
        self.links_label.linkActivated.connect(self.follow_link)
        self.links_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)  # Tab reaches the links
        self.links_label.setAccessibleName("Linked records")
        self.evidence = EvidenceStrip(ctx)
        self.evidence.changed.connect(lambda: self.load_detail(self.current_id) if self.current_id else None)
        self.timeline = QLabel()
        self.timeline.setWordWrap(True)
        self.timeline.setTextFormat(Qt.TextFormat.RichText)

        self.status_badge.setAccessibleName("Case status")
        head = WrapRow().add_leading(self.title_label).add_trailing(self.status_badge)
        due = QHBoxLayout()
        due.addWidget(self.days_badge, 0, Qt.AlignmentFlag.AlignTop)
        due.addWidget(self.deadline_label, 1)
        actions = WrapRow().add_leading(self.edit_button, self.event_button).add_trailing(self.export_button)
        check_head = WrapRow().add_leading(self.checklist_heading).add_trailing(self.add_item_button)
        d = self.detail_layout
        d.addLayout(head)
        d.addLayout(due)
        d.addLayout(actions)
        d.addWidget(self.description)
        d.addLayout(check_head)
        d.addWidget(self.checklist)
        d.addWidget(heading("Linked records"))
        d.addWidget(self.links_label)
        d.addWidget(self.evidence)
        d.addWidget(heading("Timeline"))
        d.addWidget(self.timeline)
        d.addStretch(1)

    def choice_label(self, key: str) -> Callable[[str], str]:
        labels = cases.STATUSES if key == "status" else cases.KINDS
        return lambda value: labels.get(value, value)

    def refresh(self) -> None:
        self.ctx.vaults.submit(lambda vault, _p: vault.profile().region,
                               on_done=lambda region: setattr(self, "region", region))
        super().refresh()

    def _deadline_cell(self, value: Any, row: browse.Row) -> str:
        status = row.values[2]
        if not value:
            return "—"
        day = cases.deadline_day(str(value), self.region)
        if status in cases.CLOSED:
            return str(day)
        days = cases.days_left(str(value), self.region)
        return f"{day} · {cases.days_left_text(days).lower()}"

    # -- detail ----------------------------------------------------------------------------------------------------
    def detail_job(self, record_id: int) -> DetailJob:
        return lambda vault, _p: cases.get_case(vault.conn, record_id)

    def show_detail(self, detail: CaseDetail) -> None:
        self.detail_data = detail
        s = detail.summary
        self.title_label.setText(s.title)
        set_badge(self.status_badge, cases.STATUSES.get(s.status, s.status),
                  {"won": "ok", "lost": "bad", "submitted": "info"}.get(s.status, "warn" if s.is_open else "neutral"))
        if s.is_open:
            set_badge(self.days_badge, s.deadline_text, deadline_tone(s.days_left))
        else:
            self.days_badge.hide()
        due = (f"deadline {cases.deadline_day(s.deadline, self.region)} (end of day, shop time)" if s.deadline
               else "no deadline set (Edit… to add one)")
        self.deadline_label.setText(f"{s.kind_label} · opened {local_time(s.opened_at, with_time=False)} · {due}")
        self.description.setText(detail.description)
        self.description.setVisible(bool(detail.description))
        self.checklist.blockSignals(True)
        self.checklist.clear()
        for item in detail.checklist:
            entry = QListWidgetItem(item.text)
            entry.setFlags(entry.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            entry.setCheckState(Qt.CheckState.Checked if item.done else Qt.CheckState.Unchecked)
            entry.setData(CHECK_ROLE, item.id)
            self.checklist.addItem(entry)
        self.checklist.blockSignals(False)
        rows = max(1, len(detail.checklist))
        row_height = self.checklist.sizeHintForRow(0) if detail.checklist else self.checklist.fontMetrics().height()
        self.checklist.setFixedHeight(rows * row_height + 2 * self.checklist.frameWidth() + 4)
        self.checklist_heading.setText(f"Evidence checklist ({detail.checklist_done} of {len(detail.checklist)})")
        self.links_label.setText("<br>".join(link_html(link.kind, link.id, link.label) for link in detail.links)
                                 or "Nothing linked yet. Open a case from an order or a conversation to link it.")
        self.evidence.set_target("case", s.id)  # reads its own thumbnails
        self.timeline.setText("<br>".join(
            f"<span style='color:#59636e'>{local_time(e.at)}</span> &nbsp;{html.escape(e.text)}"
            for e in detail.events))
        self.export_button.setEnabled(True)

    def clear_detail(self) -> None:
        self.detail_data = None
        self.title_label.clear()
        self.description.clear()
        self.checklist.clear()
        self.links_label.clear()
        self.timeline.clear()
        self.evidence.clear()

    def _check_changed(self, entry: QListWidgetItem) -> None:
        item_id = int(entry.data(CHECK_ROLE))
        done = entry.checkState() == Qt.CheckState.Checked
        self.ctx.vaults.submit(lambda vault, _p: cases.set_checklist_done(vault, item_id, done),
                               on_done=lambda _r: self._reload_current(),
                               on_error=lambda msg: self.ctx.dialogs.warn(self, "Not saved", msg))

    def _reload_current(self) -> None:
        if self.current_id is not None:
            self.load_detail(self.current_id)
        self.reload_rows()

    # -- actions -----------------------------------------------------------------------------------------------------
    def new_case(self) -> None:
        dialog = CaseDialog(self)
        if dialog.exec() != CaseDialog.DialogCode.Accepted:
            return
        submit_open_case(self.ctx, self, dialog.values(), on_done=self._opened)

    def _opened(self, case_id: int) -> None:
        self.refresh()
        self.show_record("case", case_id)

    def edit_case(self) -> None:
        if self.detail_data is not None:
            edit_case_dialog(self.ctx, self, self.detail_data, on_done=lambda _r: self._reload_current())

    def add_event(self) -> None:
        if self.current_id is None:
            return
        text = ask_text(self, "Add to the timeline", "What happened? (a reply sent, a call with support, a decision)")
        if text:
            self.save_event(text)

    def save_event(self, text: str) -> None:
        case_id = self.current_id
        if case_id is None:
            return
        self.ctx.vaults.submit(lambda vault, _p: cases.add_event(vault, case_id, text),
                               on_done=lambda _r: self._reload_current(),
                               on_error=lambda msg: self.ctx.dialogs.warn(self, "Not added", msg))

    def add_checklist_item(self) -> None:
        case_id = self.current_id
        if case_id is None:
            return
        text = ask_text(self, "Add to the checklist", "What else does this case need?")
        if text:
            self.ctx.vaults.submit(lambda vault, _p: cases.add_checklist_item(vault, case_id, text),
                                   on_done=lambda _r: self._reload_current(),
                                   on_error=lambda msg: self.ctx.dialogs.warn(self, "Not added", msg))

    def export_case(self) -> None:
        """Export this case alone as a signed archive, on the vault thread, with a progress dialog."""
        if self.detail_data is None:
            return
        api = archive_api()
        if api is None:
            self.ctx.dialogs.info(self, "Export this case", "Archive export is not available in this build.")
            return
        export_archive, options_type = api
        s = self.detail_data.summary
        slug = re.sub(r"[^A-Za-z0-9]+", "-", s.title).strip("-")[:40] or "case"
        out = self.ctx.dialogs.save_file(self, "Export this case", f"case-{s.id}-{slug}.pdf", "PDF archive (*.pdf)")
        if out is None:
            return
        progress_dialog = QProgressDialog("Writing the signed archive…", "Cancel", 0, 0, self)
        progress_dialog.setWindowTitle("Export this case")
        progress_dialog.setMinimumDuration(300)
        case_id = s.id

        def job(vault: Vault, progress: Progress) -> Any:
            return export_archive(vault, out, options_type(case_id=case_id),
                                  progress=lambda done, total, text: progress.report(done, total, text),
                                  cancelled=progress.cancelled)

        def done(result: Any) -> None:
            progress_dialog.reset()
            pages = getattr(result, "pages", 0)
            self.ctx.dialogs.info(self, "Case exported",
                                  f"Saved {out.name}" + (f" ({pages} pages)" if pages else "") + ". Anyone can check "
                                  "its signature with `shopexit verify` or a PDF reader.")

        def failed(message: str) -> None:
            progress_dialog.reset()
            self.ctx.dialogs.warn(self, "Case not exported", message)

        def step(done_n: int, total: int, text: str) -> None:
            progress_dialog.setMaximum(total)
            progress_dialog.setValue(min(done_n, total))
            if text:
                progress_dialog.setLabelText(text)

        ticket = self.ctx.vaults.submit(job, on_done=done, on_error=failed, on_progress=step)
        progress_dialog.canceled.connect(ticket.cancel)
