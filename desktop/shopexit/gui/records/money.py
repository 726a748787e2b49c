"""Money: settlements, amounts on hold, withdrawals and commissions, each a paged table, under a per-currency
summary of where the money stands. Withdrawals the exports never showed can be added by hand."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

from shopexit.core import facts
from shopexit.core.money import format_display
from shopexit.core.records import browse
from shopexit.core.records.browse import RecordDetail
from shopexit.core.vault import Vault
from shopexit.gui.context import GuiContext
from shopexit.gui.evidence.strip import EvidenceStrip
from shopexit.gui.records.dialogs import WithdrawalDialog, finance_module
from shopexit.gui.records.model import local_time
from shopexit.gui.records.orders import CasesList
from shopexit.gui.records.page import DetailJob, RecordPage
from shopexit.gui.records.widgets import STYLE, FactsForm, NotesBox, heading
from shopexit.gui.worker import Progress

EMPTY = {
    "settlement": "No settlements yet.\n\nImport Finance › Income (the “order details” export) to see what each "
                  "order paid out, after fees and commission.",
    "on_hold": "Nothing on hold.\n\nImport the on-hold (unsettled orders) export to see money not yet released.",
    "withdrawal": "No withdrawals yet.\n\nImport your withdrawal history, or add one by hand with Add withdrawal….",
    "commission": "No commissions yet.\n\nImport the affiliate orders export to see estimated and earned commission.",
}
VIEWS = {"settlement": browse.SETTLEMENTS, "on_hold": browse.ON_HOLD, "withdrawal": browse.WITHDRAWALS,
         "commission": browse.COMMISSIONS}
TAB_TITLES = {"settlement": "Settlements", "on_hold": "On hold", "withdrawal": "Withdrawals",
              "commission": "Commissions"}


class MoneyRecordsPage(RecordPage):
    """One kind of money record: its table and, for the chosen row, every field the export carried."""

    def __init__(self, ctx: GuiContext, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, VIEWS[kind], empty_text=EMPTY[kind], parent=parent, detail_width=380)
        self.kind = kind
        self.kinds = frozenset({kind})
        if kind == "settlement":
            self.model.titles["amount"] = "Amount"  # beside the "Settled" date column
        self.page_layout.setContentsMargins(0, 4, 0, 0)
        self.title_label = QLabel()
        self.title_label.setObjectName("recordTitle")
        self.title_label.setWordWrap(True)
        self.facts = FactsForm()
        self.raw_heading = heading("As exported")
        self.raw = FactsForm()
        self.cases_box = CasesList(self)
        self.cases_box.open_button.hide()
        self.notes = NotesBox(ctx)
        self.evidence = EvidenceStrip(ctx)
        self.evidence.changed.connect(lambda: self.load_detail(self.current_id) if self.current_id else None)
        d = self.detail_layout
        d.addWidget(self.title_label)
        d.addWidget(self.facts)
        d.addWidget(self.evidence)
        d.addWidget(self.notes)
        d.addWidget(self.cases_box)
        d.addWidget(self.raw_heading)
        d.addWidget(self.raw)
        d.addStretch(1)

    def detail_job(self, record_id: int) -> DetailJob:
        kind = self.kind
        return lambda vault, _p: browse.money_detail(vault.conn, kind, record_id)

    def show_detail(self, detail: RecordDetail) -> None:
        self.title_label.setText(detail.title)
        self.facts.set_rows([(k, local_time(v) if k.endswith(" at") else v) for k, v in detail.fields])
        raw = detail.extra.get("raw", [])
        self.raw.set_rows(raw)
        self.raw_heading.setVisible(bool(raw))
        self.notes.set_notes((detail.kind, detail.id), detail.notes)
        self.evidence.set_target(detail.kind, detail.id, detail.evidence)
        self.cases_box.set_cases(detail.cases)
        self.cases_box.setVisible(bool(detail.cases))

    def clear_detail(self) -> None:
        self.title_label.clear()
        self.facts.set_rows([])
        self.raw.set_rows([])
        self.notes.set_notes(None, [])
        self.evidence.clear()


class MoneyPage(QWidget):
    """The four money tables in tabs, under a summary of funds per currency."""

    open_record = Signal(str, int)
    kinds = frozenset(VIEWS)
    title = "Money"

    def __init__(self, ctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setStyleSheet(STYLE)
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setWordWrap(True)
        self.summary.setObjectName("recordSubtitle")
        self.add_withdrawal_button = QPushButton("Add withdrawal…")
        self.add_withdrawal_button.setToolTip("A withdrawal the exports do not show, entered by hand")
        self.add_withdrawal_button.clicked.connect(self.add_withdrawal)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Money records")
        self.tabs.tabBar().setAccessibleName("Kind of money record")
        self.pages: dict[str, MoneyRecordsPage] = {}
        for kind, title in TAB_TITLES.items():
            page = MoneyRecordsPage(ctx, kind)
            page.open_record.connect(self.open_record)
            self.pages[kind] = page
            self.tabs.addTab(page, title)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.add_withdrawal_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        self.currency = "USD"
        ctx.vaults.locked.connect(self.clear)
        ctx.vaults.unlocked.connect(self._unlocked)  # a bound slot: disconnected when the page is destroyed

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.ctx.vaults.is_unlocked:
            self._load_summary()

    def _unlocked(self, _path: str = "") -> None:
        if self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        if self.isVisible():
            self._load_summary()
        for page in self.pages.values():
            page.refresh()  # the hidden tabs reload when shown

    def clear(self) -> None:
        self.summary.clear()
        for page in self.pages.values():
            page.clear()

    def _load_summary(self) -> None:
        def job(vault: Vault, _p: Progress) -> tuple[dict[str, facts.Funds], dict[str, facts.Commissions], str]:
            return facts.funds(vault.conn), facts.commissions(vault.conn), vault.profile().currency

        self.ctx.vaults.submit(job, on_done=self._show_summary)

    def _show_summary(self, result: tuple[dict[str, facts.Funds], dict[str, facts.Commissions], str]) -> None:
        funds, commissions, currency = result
        self.currency = currency
        lines = []
        for cur, f in funds.items():
            parts = [f"settled {format_display(f.settled, cur)}", f"on hold {format_display(f.on_hold, cur)}",
                     f"withdrawn {format_display(f.withdrawn, cur)}"]
            if f.withdrawals_pending:
                parts.append(f"withdrawals in progress {format_display(f.withdrawals_pending, cur)}")
            lines.append(f"<b>{cur}</b> &nbsp; " + " · ".join(parts)
                         + f" · <b>available ≈ {format_display(f.available_estimate, cur)}</b>")
        for cur, c in commissions.items():
            lines.append(f"<b>Commission {cur}</b> &nbsp; estimated {format_display(c.estimated, cur)} · "
                         f"earned {format_display(c.earned, cur)}"
                         + (f" · {c.ineligible_orders} ineligible" if c.ineligible_orders else ""))
        self.summary.setText("<br>".join(lines) or "No money records yet: import your Finance exports to see "
                             "what was settled, what is on hold and what you withdrew.")
        self.add_withdrawal_button.setEnabled(finance_module() is not None)
        if finance_module() is None:
            self.add_withdrawal_button.setToolTip("Adding withdrawals by hand arrives with the finance importer.")

    def show_record(self, kind: str, record_id: int) -> bool:
        page = self.pages.get(kind)
        if page is None:
            return False
        self.tabs.setCurrentWidget(page)
        return page.show_record(kind, record_id)

    # -- a withdrawal by hand -----------------------------------------------------------------------------------------
    def add_withdrawal(self) -> None:
        finance = finance_module()
        if finance is None:
            return
        dialog = WithdrawalDialog(self.currency, self)
        if dialog.exec() != WithdrawalDialog.DialogCode.Accepted:
            return
        self.save_withdrawal(dialog.values())

    def save_withdrawal(self, values: dict[str, object]) -> None:
        finance = finance_module()
        if finance is None:
            return

        def job(vault: Vault, _p: Progress) -> object:
            with vault.transaction() as tx:
                return finance.add_withdrawal(tx, **values)

        def done(_result: object) -> None:
            self.tabs.setCurrentWidget(self.pages["withdrawal"])
            self.refresh()
            self.pages["withdrawal"].refresh()

        self.ctx.vaults.submit(job, on_done=done,
                               on_error=lambda msg: self.ctx.dialogs.warn(self, "Withdrawal not added", msg))
