"""Orders: every order with its SKU lines, notes, evidence and cases; drop proof straight onto a row."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from shopexit.core.money import format_display
from shopexit.core.records import browse, cases
from shopexit.core.records.browse import RecordDetail
from shopexit.gui.context import GuiContext
from shopexit.gui.evidence import install_evidence_drop, install_paste
from shopexit.gui.evidence.strip import EvidenceStrip
from shopexit.gui.layouts import WrapRow
from shopexit.gui.records.model import local_time
from shopexit.gui.records.page import DetailJob, RecordPage
from shopexit.gui.records.widgets import FactsForm, NotesBox, badge, heading, link_html, set_badge, status_tone

EMPTY = ("No orders yet.\n\nImport your Seller Center orders export (Orders › Export, CSV or Excel) with "
         "Import in the toolbar, and every order appears here with its SKU lines.")
_DATE_FIELDS = {"Created", "Paid", "Shipped", "Delivered", "Cancelled"}


class CasesList(QWidget):
    """The cases a record is part of, as links, and "Open a case…"."""

    def __init__(self, page: RecordPage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = heading("Cases")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.linkActivated.connect(page.follow_link)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)  # Tab reaches the links
        self.label.setAccessibleName("Cases this record is part of")
        self.open_button = QPushButton("Open a case…")
        self.open_button.setAutoDefault(False)
        top = WrapRow().add_leading(self.heading).add_trailing(self.open_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.label)

    def set_cases(self, found: list[cases.CaseSummary]) -> None:
        if not found:
            self.label.setText("Not part of any case.")
            self.heading.setText("Cases")
            return
        self.heading.setText(f"Cases ({len(found)})")
        self.label.setText("<br>".join(
            f"{link_html('case', c.id, c.title)} — {c.kind_label}, {c.deadline_text.lower()}" for c in found))


class OrdersPage(RecordPage):
    kinds = frozenset({"order"})
    title = "Orders"

    def __init__(self, ctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, browse.ORDERS, empty_text=EMPTY, parent=parent, detail_width=420)
        self.detail_data: RecordDetail | None = None
        self.title_label = QLabel()
        self.title_label.setObjectName("recordTitle")
        self.title_label.setWordWrap(True)
        self.title_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_badge = badge("")
        self.status_badge.setAccessibleName("Order status")
        self.purged_label = QLabel("Buyer details were removed when the shop closed (privacy).")
        self.purged_label.setObjectName("recordSubtitle")
        self.money_label = QLabel()
        self.money_label.setWordWrap(True)
        self.facts = FactsForm()
        # Four columns: the variation goes under the product's name, so the prices fit a narrow pane.
        self.lines = QTableWidget(0, 4)
        self.lines.setHorizontalHeaderLabels(["Product", "Qty", "Unit price", "Subtotal"])
        self.lines.verticalHeader().setVisible(False)
        self.lines.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.lines.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.lines.setWordWrap(False)
        self.lines.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.lines.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.lines.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.lines.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.lines.setAlternatingRowColors(True)
        self.lines.setShowGrid(False)
        self.lines.setAccessibleName("SKU lines of this order")
        hdr = self.lines.horizontalHeader()
        hdr.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        hdr.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        hdr.setMinimumSectionSize(24)
        for col in (1, 2, 3):
            hdr.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.lines.setMinimumWidth(0)
        self.lines_heading = heading("Items")
        self.cases_box = CasesList(self)
        self.cases_box.open_button.clicked.connect(self.open_case)
        self.notes = NotesBox(ctx)
        self.evidence = EvidenceStrip(ctx)
        self.evidence.changed.connect(self._evidence_changed)

        head = WrapRow().add_leading(self.title_label).add_trailing(self.status_badge)
        d = self.detail_layout
        d.addLayout(head)
        d.addWidget(self.money_label)
        d.addWidget(self.purged_label)
        d.addWidget(self.facts)
        d.addWidget(self.lines_heading)
        d.addWidget(self.lines)
        d.addWidget(self.evidence)
        d.addWidget(self.cases_box)
        d.addWidget(self.notes)
        d.addStretch(1)

        # Drop proof on a row of the table: it is kept and linked to that order.
        self.drop_target = install_evidence_drop(ctx, self.table.viewport(), self._links_at,
                                                 on_done=lambda _ids: self._evidence_changed())
        install_paste(ctx, self.table, self._selected_links, on_done=lambda _ids: self._evidence_changed())

    # -- evidence targets ----------------------------------------------------------------------------------------
    def _links_at(self, pos: QPoint) -> list[tuple[str, int]] | None:
        record_id = self.selected_id_at(pos)
        return [("order", record_id)] if record_id is not None else None

    def _selected_links(self) -> list[tuple[str, int]] | None:
        return [("order", self.current_id)] if self.current_id is not None else None

    def _evidence_changed(self) -> None:
        self.reload_rows()  # the Proof column counts links
        if self.current_id is not None:
            self.load_detail(self.current_id)

    # -- detail ----------------------------------------------------------------------------------------------------
    def detail_job(self, record_id: int) -> DetailJob:
        return lambda vault, _p: browse.order_detail(vault.conn, record_id)

    def show_detail(self, detail: RecordDetail) -> None:
        self.detail_data = detail
        self.title_label.setText(detail.title)
        fields = dict(detail.fields)
        status = " · ".join(dict.fromkeys(fields.get("Status", "").split(" · ")))  # "In transit · In transit"
        set_badge(self.status_badge, status, status_tone(status.split(" · ")[0]))
        m = detail.extra["money"]
        cur = m["currency"]
        parts = [f"<b>{format_display(m['amount'], cur)}</b>"]
        if m["taxes"]:
            parts.append(f"tax {format_display(m['taxes'], cur)}")
        if m["shipping"]:
            parts.append(f"shipping {format_display(m['shipping'], cur)}")
        if m["refund"]:
            parts.append(f"<span style='color:#a8201a'>refunded {format_display(m['refund'], cur)}</span>")
        self.money_label.setText(" · ".join(parts))
        self.purged_label.setVisible(bool(detail.extra.get("buyer_purged")))
        self.facts.set_rows([(k, local_time(v) if k in _DATE_FIELDS else v) for k, v in detail.fields
                             if k != "Status"])
        self.lines.setRowCount(len(detail.lines))
        two_lines = any(line["variation"] for line in detail.lines)
        for row, line in enumerate(detail.lines):
            name = line["product"] or line["seller_sku"] or line["sku_id"]
            qty = f"{line['quantity']}" + (f" ({line['returned']} returned)" if line["returned"] else "")
            product = f"{name}\n{line['variation']}" if line["variation"] else str(name)
            cells = [product, qty, format_display(line["unit_price"], cur), format_display(line["subtotal"], cur)]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(str(text))
                if col >= 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if col == 0:
                    variation = f" — {line['variation']}" if line["variation"] else ""
                    item.setToolTip(f"{name}{variation}\nSKU {line['sku_id']} · seller SKU {line['seller_sku']}")
                self.lines.setItem(row, col, item)
        self.lines_heading.setText(f"Items ({len(detail.lines)})" if detail.lines else "Items")
        self.lines.setVisible(bool(detail.lines))
        line_height = self.lines.fontMetrics().lineSpacing()
        row_height = (2 * line_height if two_lines else line_height) + 12
        for row in range(len(detail.lines)):
            self.lines.setRowHeight(row, row_height)
        header = self.lines.horizontalHeader().sizeHint().height()
        self.lines.setFixedHeight(header + max(1, len(detail.lines)) * row_height + 2 * self.lines.frameWidth() + 2)
        self.cases_box.set_cases(detail.cases)
        self.notes.set_notes(("order", detail.id), detail.notes)
        self.evidence.set_target("order", detail.id, detail.evidence)

    def clear_detail(self) -> None:
        self.detail_data = None
        self.title_label.clear()
        self.money_label.clear()
        self.facts.set_rows([])
        self.lines.setRowCount(0)
        self.notes.set_notes(None, [])
        self.evidence.clear()
        self.cases_box.set_cases([])

    # -- actions -----------------------------------------------------------------------------------------------------
    def open_case(self) -> None:
        if self.current_id is None:
            return
        from shopexit.gui.records.dialogs import open_case_dialog

        open_case_dialog(self.ctx, self, order_id=self.current_id,
                         about=self.detail_data.title if self.detail_data else "",
                         on_done=lambda case_id: self.open_record.emit("case", case_id))
