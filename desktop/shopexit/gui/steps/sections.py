"""What each step shows from the vault, and the small tools some steps need (the notice date, the goodbye
draft, the links table, the platform worksheet, the advisers log, the purge).

Each section gets the page's fresh `StepPageData` in `show_facts` and changes the vault only through
`page.write(change)`, which runs on the vault thread and redraws the page from what was saved.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from shopexit.core import facts as facts_mod
from shopexit.core import plan, step_facts
from shopexit.core.money import to_minor
from shopexit.core.records import exit_steps
from shopexit.core.step_facts import StepPageData
from shopexit.core.vault import Conn, list_backups
from shopexit.gui import style
from shopexit.gui.forms import Field, FormDialog
from shopexit.gui.steps.charts import MAX_MONTHS, ChartBox, major, month_label
from shopexit.gui.steps.common import Table, age, day, in_days, moment, money, plural

if TYPE_CHECKING:
    from shopexit.gui.steps.page import StepPage


class Section(QWidget):
    def __init__(self, page: StepPage) -> None:
        super().__init__(page)
        self.page = page
        self.ctx = page.ctx
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setSpacing(style.SPACE + 4)

    def show_facts(self, data: StepPageData) -> None:
        raise NotImplementedError

    def flush(self) -> None:
        """Save anything typed and not yet saved."""

    def ask(self, title: str, fields: list[Field], intro: str = "", ok: str = "Save") -> dict[str, Any] | None:
        answer = self.ctx.dialogs.ask(FormDialog(self, title, fields, intro, ok))
        return answer if isinstance(answer, dict) else None


def _button(parent: QWidget, text: str, slot: Callable[[], Any], kind: str = "", name: str = "") -> QPushButton:
    """A button that runs `slot`; `kind` ("primary", "danger") is the object name the style sheet colours."""
    button = QPushButton(text, parent)
    if kind:
        button.setObjectName(kind)
    if name:
        button.setAccessibleName(name)
    button.clicked.connect(slot)
    return button


@dataclass(frozen=True)
class Rows:
    """The `exit_steps` functions that write one kind of row the user keeps in a table, and the words for it."""

    add: Callable[..., Any]
    update: Callable[..., Any]
    remove: Callable[[Conn, int], Any]
    add_title: str
    edit_title: str = ""
    evidence_kind: str = ""  # what a row's proof is linked to (besides the step)


class TableSection(Section):
    """A card listing rows the user keeps (places, platforms, advisers…): a table, a line in its place while it
    is empty, and buttons under it, some acting on the chosen row.

    One scaffold, so the four lists look and behave alike: adding asks `_fields()`, editing asks
    `_fields(row)`, removing asks `_question(row)` to confirm; each then writes through `rows`.
    """

    rows: Rows
    table: Table
    none: QLabel

    def __init__(self, page: StepPage) -> None:
        super().__init__(page)
        self._rows: Sequence[Any] = []
        self._for_row: tuple[QPushButton, ...] = ()

    def _table(self, card: style.Card, headers: tuple[str, ...], name: str, empty: str, *, stretch: int = -1,
               on_activate: bool = True, on_select: bool = True) -> None:
        """The table (Enter or a double click edits the row) and the line shown instead while it is empty."""
        self.table = Table(headers, card, name, copy=self.ctx.copy_text, stretch=stretch)
        if on_activate:
            self.table.itemActivated.connect(lambda _i: self._edit())
        if on_select:
            self.table.itemSelectionChanged.connect(self._selection)
        card.add(self.table)
        self.none = style.muted(empty, card)
        card.add(self.none)

    def _buttons(self, card: style.Card, *buttons: QPushButton | None,
                 for_row: tuple[QPushButton, ...] = ()) -> None:
        """The row of buttons (None is the gap), which closes the card; `for_row` need a chosen row."""
        card.add(style.row(*buttons))
        self.layout_.addWidget(card)
        self._for_row = for_row

    def _show_table(self) -> None:
        self.table.setVisible(bool(self._rows))
        self.none.setVisible(not self._rows)

    def _current(self) -> Any:
        row_id = self.table.current_data()
        return next((r for r in self._rows if r.id == row_id), None)

    def _selection(self) -> None:
        current = self._current()
        for b in self._for_row:
            b.setEnabled(current is not None)

    def _fields(self, row: Any = None) -> list[Field]:
        raise NotImplementedError

    def _values(self, answer: dict[str, Any]) -> dict[str, Any]:
        """The answer as the `rows` functions take it."""
        return answer

    def _question(self, row: Any) -> str:
        raise NotImplementedError

    def _add(self) -> None:
        answer = self.ask(self.rows.add_title, self._fields())
        if answer:
            values = self._values(answer)
            self.page.write(lambda tx: self.rows.add(tx, **values))

    def _edit(self) -> None:
        current = self._current()
        if current is None:
            return
        answer = self.ask(self.rows.edit_title, self._fields(current))
        if answer:
            values = self._values(answer)
            self.page.write(lambda tx: self.rows.update(tx, current.id, **values))

    def _attach(self) -> None:
        current = self._current()
        if current is not None:
            self.page.host.add_evidence([(self.rows.evidence_kind, current.id), ("step", self.page.number)],
                                        self.page.reload)

    def _remove(self) -> None:
        current = self._current()
        if current is not None and self.ctx.dialogs.confirm(self, "Remove", self._question(current), "Remove"):
            self.page.write(lambda tx: self.rows.remove(tx, current.id))


def _figures_row(parent: QWidget, figures: list[style.Figure]) -> QGridLayout:
    grid = QGridLayout()
    grid.setHorizontalSpacing(style.SPACE * 2)
    grid.setVerticalSpacing(style.SPACE)
    columns = 4 if len(figures) > 4 else len(figures)
    for index, figure in enumerate(figures):
        grid.addWidget(figure, index // columns, index % columns, Qt.AlignmentFlag.AlignTop)
    for c in range(columns):
        grid.setColumnStretch(c, 1)
    return grid


def _good(parent: QWidget, text: str) -> style.Card:
    card = style.Card("", parent, kind="good")
    label = style.paragraph(text, card)
    card.add(label)
    return card


def _notice(parent: QWidget, text: str = "") -> tuple[style.Card, QLabel]:
    card = style.Card("", parent, kind="notice")
    label = style.paragraph(text, card)
    card.add(label)
    return card, label


# -- 1. review status ------------------------------------------------------------------------------------------------
class ReviewSection(Section):
    def __init__(self, page: StepPage) -> None:
        super().__init__(page)
        card = style.Card("Where the shop stands", self)
        self.orders = style.Figure("Orders", parent=card)
        self.open = style.Figure("Still open", parent=card)
        self.lines = style.Figure("Order lines", parent=card)
        self.products = style.Figure("Products sold", parent=card)
        self.messages = style.Figure("Messages kept", parent=card)
        self.evidence = style.Figure("Evidence items", parent=card)
        self.period = style.Figure("Sales period", parent=card)
        self.files = style.Figure("Files imported", parent=card)
        card.add(_figures_row(card, [self.orders, self.open, self.lines, self.products, self.period, self.files,
                                     self.messages, self.evidence]))
        self.layout_.addWidget(card)

        self.empty, self.empty_text = _notice(self, "Nothing is imported yet. Start with the Orders export from "
                                                    "Seller Center: Import in the toolbar (Ctrl+I), or drop the "
                                                    "file on this window.")
        import_button = _button(self.empty, "Import files…", lambda: page.host.open_import())
        self.empty.add(style.row(import_button, None))
        self.layout_.addWidget(self.empty)

        middle = QHBoxLayout()
        middle.setSpacing(style.SPACE + 4)
        status_card = style.Card("Orders by status", self)
        self.status_grid = QGridLayout()
        self.status_grid.setHorizontalSpacing(style.SPACE)
        status_card.add(self.status_grid)
        status_card.body.addStretch(1)
        self.sales = ChartBox("Sales by month", self, height=240)
        middle.addWidget(status_card, 2)
        middle.addWidget(self.sales, 3)
        self.layout_.addLayout(middle)

        imports = style.Card("Files imported", self)
        self.best = style.muted("", imports)
        self.imports = Table(("Kind", "File", "Imported", "Rows", "New", "Updated"), imports, "Files imported",
                             copy=self.ctx.copy_text, stretch=1)
        imports.add(self.imports)
        imports.add(self.best)
        self.imports_card = imports
        self.layout_.addWidget(imports)

    def show_facts(self, data: StepPageData) -> None:
        f: step_facts.ReviewFacts = data.facts
        o = f.orders
        self.orders.set(f"{o.total:,}")
        self.open.set(f"{o.open:,}", warn=o.open > 0)
        self.lines.set(f"{o.lines:,}")
        self.products.set(f"{f.products:,}")
        self.messages.set(f"{f.messages:,}")
        self.evidence.set(f"{f.evidence:,}")
        self.files.set(f"{len(f.imports):,}")
        self.period.set(f"{day(f.first_order)} –\n{day(f.last_order)}" if f.first_order else "—")
        self.period.value.setFont(style.scaled_font(self.period, 1.0, bold=True))
        self.empty.setVisible(not f.imports)
        style.clear_layout(self.status_grid)
        total = max(1, o.total)
        for r, (status, n) in enumerate(o.by_status.items()):
            name = QLabel(status, self)
            bar = _bar(self, n, total, warn=status not in facts_mod.CLOSED_STATUSES)
            count = QLabel(f"{n:,}", self)
            count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.status_grid.addWidget(name, r, 0)
            self.status_grid.addWidget(bar, r, 1)
            self.status_grid.addWidget(count, r, 2)
        if not o.by_status:
            self.status_grid.addWidget(style.muted("No orders yet.", self), 0, 0)
        self.status_grid.setColumnStretch(1, 1)
        months = f.sales_by_month[-MAX_MONTHS:]
        self.sales.bars([month_label(m.month) for m in months],
                        [(f"Sales ({f.currency})", [major(m.amount, f.currency) for m in months])])
        self.imports.fill([(i.kind.replace("_", " "), i.name, moment(i.imported_at), f"{i.rows:,}", f"{i.new:,}",
                            f"{i.updated:,}") for i in f.imports], align_right=(3, 4, 5))
        self.imports_card.setVisible(bool(f.imports))
        self.best.setText("Most ordered: " + ", ".join(f.product_names) if f.product_names else "")


def _bar(parent: QWidget, value: int, total: int, warn: bool = False) -> QWidget:
    """A thin proportional bar: kinder to read than a column of numbers."""
    from PySide6.QtWidgets import QProgressBar

    bar = QProgressBar(parent)
    bar.setRange(0, total)
    bar.setValue(value)
    bar.setTextVisible(False)
    bar.setFixedHeight(8)
    bar.setMinimumWidth(80)
    if warn:
        bar.setStyleSheet(f"QProgressBar::chunk {{ background: {style.WARN}; border-radius: 4px; }}")
    return bar


# -- 2. fulfil pending orders ----------------------------------------------------------------------------------------
class FulfilSection(Section):
    def __init__(self, page: StepPage) -> None:
        super().__init__(page)
        self.good = _good(self, "")
        self.layout_.addWidget(self.good)
        card = style.Card("Open orders", self,
                          subtitle="Awaiting shipment first, oldest first. Ctrl+C copies the selected row.")
        self.count = style.Figure("Open", parent=card)
        self.to_ship = style.Figure("To ship", parent=card)
        self.oldest = style.Figure("Oldest", parent=card)
        self.statuses = style.muted("", card)
        card.add(_figures_row(card, [self.count, self.to_ship, self.oldest]))
        card.add(self.statuses)
        self.table = Table(("Order", "Status", "Placed", "Age", "Amount", "Tracking", "Buyer"), card,
                           "Open orders", copy=self.ctx.copy_text)
        self.table.itemActivated.connect(self._open)
        card.add(self.table)
        self.more = style.muted("", card)
        card.add(self.more)
        self.card = card
        self.layout_.addWidget(card)

    def show_facts(self, data: StepPageData) -> None:
        f: step_facts.FulfilFacts = data.facts
        none_open = f.open_count == 0
        self.good.setVisible(none_open)
        self.card.setVisible(not none_open)
        if none_open:
            self.good.body.itemAt(0).widget().setText(  # type: ignore[union-attr]
                "No open orders: every order is Completed or Cancelled. You can mark this step done."
                if f.total_orders else "No orders are imported yet, so none can be open. Import the Orders "
                "export to check.")
            return
        awaiting = sum(n for s, n in f.by_status.items() if s in step_facts.AWAITING_FIRST)
        self.count.set(f"{f.open_count:,}", warn=True)
        self.to_ship.set(f"{awaiting:,}", warn=awaiting > 0)
        self.oldest.set(age(f.oldest_days), warn=(f.oldest_days or 0) > 7)
        self.statuses.setText(" · ".join(f"{s}: {n:,}" for s, n in f.by_status.items()))
        rows = [(o.order_id, o.status + (f" ({o.substatus})" if o.substatus and o.substatus != o.status else ""),
                 day(o.created_at), age(o.age_days), money(o.amount, o.currency), o.tracking_id or "—",
                 o.buyer or "—") for o in f.orders]
        self.table.fill(rows, data=[o.id for o in f.orders], align_right=(3, 4),
                        emphasis=lambda r: "strong" if f.orders[r].awaiting_shipment else None)
        self.more.setText(f"Showing the first {len(f.orders):,} of {f.open_count:,}; the Orders view lists them "
                          "all." if f.truncated else "")
        self.more.setVisible(f.truncated)

    def _open(self, item: QTableWidgetItem) -> None:
        record = self.table.item(item.row(), 0)
        if record is not None:
            self.page.host.show_record("order", int(record.data(Qt.ItemDataRole.UserRole)))


# -- 3. withdraw funds -----------------------------------------------------------------------------------------------
class FundsSection(Section):
    def __init__(self, page: StepPage) -> None:
        super().__init__(page)
        self.empty, _ = _notice(self, "No settlement, on-hold or withdrawal exports are imported yet. Import "
                                      "Finance › Income, the on-hold statement and your withdrawals to see the "
                                      "balance.")
        self.layout_.addWidget(self.empty)
        self.currencies = QVBoxLayout()
        self.currencies.setSpacing(style.SPACE + 4)
        self.layout_.addLayout(self.currencies)
        card = style.Card("Withdrawals", self)
        self.table = Table(("Date", "Reference", "Status", "Amount", "Source"), card, "Withdrawals",
                           copy=self.ctx.copy_text)
        card.add(self.table)
        self.none = style.muted("No withdrawals recorded yet.", card)
        card.add(self.none)
        add = _button(card, "Add a withdrawal by hand…", self._add, name="Add a withdrawal by hand")
        card.add(style.row(add, None))
        self.layout_.addWidget(card)

    def show_facts(self, data: StepPageData) -> None:
        f: step_facts.FundsFacts = data.facts
        style.clear_layout(self.currencies)
        self.empty.setVisible(not f.currencies)
        for currency in f.currencies:
            self.currencies.addWidget(self._currency_card(currency, f.funds.get(currency),
                                                          f.commissions.get(currency)))
        self.table.fill([(day(w.created_at), w.withdrawal_id, w.status.title(), money(w.amount, w.currency),
                          "entered by hand" if w.by_hand else "imported") for w in f.withdrawals],
                        align_right=(3,), emphasis=lambda r: None if f.withdrawals[r].succeeded else style.WARN)
        self.table.setVisible(bool(f.withdrawals))
        self.none.setVisible(not f.withdrawals)

    def _currency_card(self, currency: str, funds: facts_mod.Funds | None,
                       commissions: facts_mod.Commissions | None) -> QWidget:
        card = style.Card(f"Money in {currency}", self)
        figures: list[style.Figure] = []
        if funds is not None:
            available = funds.available_estimate
            settled = style.Figure("Settled to you", money(funds.settled, currency), card)
            held = style.Figure("On hold", money(funds.on_hold, currency), card,
                                "released after orders complete" if funds.on_hold else "")
            held.set(money(funds.on_hold, currency), held.note.text(), warn=funds.on_hold > 0)
            withdrawn = style.Figure("Withdrawn", money(funds.withdrawn, currency), card,
                                     f"{money(funds.withdrawals_pending, currency)} on its way"
                                     if funds.withdrawals_pending else "")
            left = style.Figure("Left to withdraw (estimate)", money(max(0, available), currency), card)
            note = "settled minus withdrawn" if available >= 0 else \
                "more withdrawn than settled: an export may be missing"
            left.set(money(available, currency), note, warn=available != 0)
            figures += [settled, held, withdrawn, left]
        if commissions is not None:
            figures += [
                style.Figure("Commission estimated", money(commissions.estimated, currency), card),
                style.Figure("Commission earned", money(commissions.earned, currency), card),
                style.Figure("Ineligible orders", f"{commissions.ineligible_orders:,}", card),
                style.Figure("Pending orders", f"{commissions.pending_orders:,}", card),
            ]
            figures[-1].set(f"{commissions.pending_orders:,}", warn=commissions.pending_orders > 0)
        card.add(_figures_row(card, figures))
        return card

    def _add(self) -> None:
        currency = self.page.data.currency if self.page.data else "USD"
        answer = self.ask("Add a withdrawal by hand", [
            Field("when", "&Date", "date"),
            Field("amount", "&Amount", "amount", required=True, placeholder="e.g. 412.37"),
            Field("currency", "&Currency", "choice", currency,
                  choices=tuple(dict.fromkeys([currency, "USD", "GBP", "EUR"])), editable_choice=True),
            Field("status", "&Status", "choice", "Succeeded", choices=("Succeeded", "Processing", "Failed")),
            Field("reference", "&Reference", placeholder="the withdrawal ID, if you have it"),
            Field("note", "&Note", "multiline", placeholder="e.g. arrived in my bank on…"),
        ], intro="For a payout your exports don't show yet. It counts in the balance like an imported one.",
            ok="Add withdrawal")
        if answer is None:
            return
        values = dict(answer)
        self.page.write(lambda tx: _add_withdrawal(tx, values))


def _add_withdrawal(conn: Any, values: dict[str, Any]) -> Any:
    """Through the finance records' own function (it keeps the audit entry and the by-hand mark)."""
    from shopexit.core.records import finance

    status = {"Succeeded": "SUCCESS", "Processing": "PROCESSING", "Failed": "FAILED"}[values["status"]]
    return finance.add_withdrawal(conn, amount=Decimal(values["amount"]), currency=str(values["currency"]),
                                  created=values["when"], status=status, withdrawal_id=values["reference"],
                                  note=values["note"])


# -- 4. close the shop -----------------------------------------------------------------------------------------------
class CloseSection(Section):
    def __init__(self, page: StepPage) -> None:
        super().__init__(page)
        top = style.Card("Earliest closure date", self)
        self.earliest = style.heading("—", 2.0, top)
        self.earliest.setAccessibleName("Earliest closure date")
        self.when = style.muted("", top)
        top.add(self.earliest)
        top.add(self.when)
        notice_row = QHBoxLayout()
        notice_row.setSpacing(style.SPACE)
        notice_label = QLabel("The closure notice went up on", top)
        self.notice_date = QDateEdit(top)
        self.notice_date.setCalendarPopup(True)
        self.notice_date.setDisplayFormat("d MMM yyyy")
        self.notice_date.setAccessibleName("Date the closure notice went up")
        self.notice_date.setMaximumDate(QDate.currentDate())
        notice_label.setBuddy(self.notice_date)
        self.save_notice = _button(top, "Save date", self._save_notice, name="Save the notice date")
        self.clear_notice = _button(top, "Not posted yet",
                                    lambda: self.page.write(lambda tx: exit_steps.set_notice_date(tx, None)),
                                    name="The notice is not posted yet")
        notice_row.addWidget(notice_label)
        notice_row.addWidget(self.notice_date)
        notice_row.addWidget(self.save_notice)
        notice_row.addWidget(self.clear_notice)
        notice_row.addStretch(1)
        top.add(notice_row)
        self.layout_.addWidget(top)

        conditions = style.Card("TikTok's closure conditions", self,
                                subtitle="✓ holds now   ○ still in the way — with the day it will hold, where "
                                         "time alone settles it")
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(style.SPACE)
        self.grid.setVerticalSpacing(style.SPACE - 2)
        conditions.add(self.grid)
        self.layout_.addWidget(conditions)

    def show_facts(self, data: StepPageData) -> None:
        f: step_facts.CloseFacts = data.facts
        c = f.closure
        if c.earliest:
            self.earliest.setText(day(c.earliest))
            days = f.days_left or 0
            self.when.setText("The time-based conditions all hold: you may request closure now, once nothing "
                              "below is blocking." if days <= 0 else
                              f"{in_days(days).capitalize()}, if nothing below is still blocking then.")
        else:
            self.earliest.setText(f"Not before {day(c.not_before)}")
            self.when.setText("The 90-day wait starts only when every order is Completed or Cancelled; the date "
                              "moves later by each day an order stays open.")
        if f.notice_posted_on:
            self.notice_date.setDate(QDate(f.notice_posted_on.year, f.notice_posted_on.month,
                                           f.notice_posted_on.day))
        elif not self.notice_date.hasFocus():
            self.notice_date.setDate(QDate.currentDate())
        self.clear_notice.setVisible(f.notice_posted_on is not None)
        self.save_notice.setText("Change date" if f.notice_posted_on else "Save date")
        style.clear_layout(self.grid)
        for r, cond in enumerate(c.conditions):
            mark = QLabel("✓" if cond.met else "○", self)
            mark.setFont(style.scaled_font(mark, 1.3, bold=True))
            mark.setStyleSheet(f"color: {style.GOOD if cond.met else style.WARN};")
            mark.setAccessibleName("met" if cond.met else "not met")
            label = QLabel(cond.label, self)
            label.setFont(style.scaled_font(label, 1.0, bold=True))
            detail = style.muted(cond.detail, self)
            when = QLabel(day(cond.date, "") if cond.date else "", self)
            when.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.grid.addWidget(mark, r, 0, Qt.AlignmentFlag.AlignTop)
            texts = QVBoxLayout()
            texts.setSpacing(0)
            texts.addWidget(label)
            texts.addWidget(detail)
            self.grid.addLayout(texts, r, 1)
            self.grid.addWidget(when, r, 2, Qt.AlignmentFlag.AlignTop)
        self.grid.setColumnStretch(1, 1)

    def _save_notice(self) -> None:
        q = self.notice_date.date()
        posted = date(q.year(), q.month(), q.day())
        self.page.write(lambda tx: exit_steps.set_notice_date(tx, posted))


def _wrap(name: str, width: int = 16) -> str:
    """A criterion's name on up to two lines, so a worksheet of long names still fits without scrolling."""
    import textwrap

    lines = textwrap.wrap(name, width) or [name]
    return lines[0] if len(lines) == 1 else lines[0] + "\n" + " ".join(lines[1:])


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# -- 5. tell followers -----------------------------------------------------------------------------------------------
TEMPLATE = """Some news: {shop} is closing its TikTok Shop.

Every order already placed will still be shipped, and if you're waiting for one, message me and I'll help.
The last day to order is [date].

You'll find me and my products at [new place] from now on. Thank you for every order, every comment and every
video — it meant a lot."""


class AnnounceSection(TableSection):
    rows = Rows(exit_steps.add_announcement, exit_steps.update_announcement, exit_steps.remove_announcement,
                "Where you posted the announcement", "Edit where you posted it")

    def __init__(self, page: StepPage) -> None:
        super().__init__(page)
        from shopexit.gui.steps.page import AutosaveText

        card = style.Card("Your announcement", self,
                          subtitle="A draft kept in the vault until you post it. Saved as you type.")
        self.draft = AutosaveText(card, self._save, "Announcement draft",
                                  "Say the shop is closing, when the last orders ship, and where people can find "
                                  "you next.")
        self.draft.setMinimumHeight(170)
        card.add(self.draft)
        self.template = _button(card, "Start from a suggestion", self._template)
        copy = _button(card, "Copy text", lambda: self.ctx.copy_text(self.draft.toPlainText()),
                       name="Copy the announcement")
        self.state = style.muted("", card)
        card.add(style.row(self.template, copy, self.state, None))
        self.layout_.addWidget(card)

        posted = style.Card("Where you posted it", self)
        self._table(posted, ("Date", "Where", "Link", "Note"), "Where the announcement was posted",
                    "Not posted anywhere yet.", stretch=3, on_select=False)
        add = _button(posted, "Add a place…", self._add)
        self.edit_button = _button(posted, "Edit…", self._edit)
        self.remove_button = _button(posted, "Remove", self._remove, "danger")
        self._buttons(posted, add, self.edit_button, None, self.remove_button)

    def show_facts(self, data: StepPageData) -> None:
        f: step_facts.AnnounceFacts = data.facts
        self._shop = f.shop_name
        self.draft.load(f.draft)
        self.template.setVisible(not f.draft.strip() and not self.draft.toPlainText().strip())
        self._rows = f.announcements
        self.table.fill([(day(a.posted_on, "not yet"), a.place, a.url, a.note) for a in f.announcements],
                        data=[a.id for a in f.announcements])
        self._show_table()
        self.edit_button.setEnabled(bool(f.announcements))
        self.remove_button.setEnabled(bool(f.announcements))

    def _save(self, text: str) -> None:
        self.state.setText("Saving…")
        self.page.write(lambda tx: exit_steps.save_draft(tx, text), lambda _r: self.state.setText("Saved."))

    def flush(self) -> None:
        self.draft.flush()

    def _template(self) -> None:
        self.draft.setPlainText(TEMPLATE.format(shop=getattr(self, "_shop", "") or "my shop"))
        self.draft.setFocus()

    def _fields(self, a: exit_steps.Announcement | None = None) -> list[Field]:
        return [
            Field("place", "&Where", "choice", a.place if a else "",
                  choices=("TikTok video", "TikTok bio", "Pinned comment", "Instagram", "YouTube", "Newsletter",
                           "Website"), editable_choice=True, required=True),
            Field("posted_on", "&Posted on", "optional_date", a.posted_on if a else date.today()),
            Field("url", "&Link", value=a.url if a else "", placeholder="https://…"),
            Field("note", "&Note", value=a.note if a else ""),
        ]

    def _question(self, a: exit_steps.Announcement) -> str:
        return f"Remove “{a.place}” from the list?"


# -- 6. update links -------------------------------------------------------------------------------------------------
USUAL_PLACES = ("TikTok bio", "Link-in-bio page", "Instagram bio", "YouTube channel description",
                "Email signature", "Website")


class LinksSection(TableSection):
    rows = Rows(exit_steps.add_link_place, exit_steps.update_link_place, exit_steps.remove_link_place,
                "A place your shop link lived", "Edit the place", "link_place")

    def __init__(self, page: StepPage) -> None:
        super().__init__(page)
        card = style.Card("Places your shop link lived", self)
        self.progress = style.muted("", card)
        card.add(self.progress)
        self._table(card, ("Place", "Old link", "Now points to", "Updated", "Proof"), "Link places",
                    "No places listed yet. Add the usual ones to start, then add any others.", stretch=2)
        self.usual = _button(card, "Add the usual places", self._add_usual)
        add = _button(card, "Add a place…", self._add)
        self.toggle = _button(card, "Mark updated", self._toggle)
        self.edit_button = _button(card, "Edit…", self._edit)
        self.proof = _button(card, "Attach proof…", self._attach)
        self.remove_button = _button(card, "Remove", self._remove, "danger")
        self._buttons(card, self.usual, add, self.toggle, self.edit_button, self.proof, None, self.remove_button,
                      for_row=(self.toggle, self.edit_button, self.proof, self.remove_button))

    def show_facts(self, data: StepPageData) -> None:
        f: step_facts.LinksFacts = data.facts
        selected = self.table.current_data()
        self._rows = f.places
        self.table.fill([(p.place, p.old_url or "—", p.new_destination or "—",
                          f"✓ {day(p.done_at)}" if p.done else "not yet",
                          plural(p.evidence, "item") if p.evidence else "—") for p in f.places],
                        data=[p.id for p in f.places],
                        emphasis=lambda r: style.GOOD if f.places[r].done else None)
        for r, p in enumerate(f.places):
            if p.id == selected:
                self.table.selectRow(r)
        self.progress.setText(f"{f.done} of {len(f.places)} updated" if f.places else "")
        self._show_table()
        existing = {p.place for p in f.places}
        self.usual.setVisible(any(u not in existing for u in USUAL_PLACES))
        self._selection()

    def _selection(self) -> None:
        super()._selection()
        current = self._current()
        self.toggle.setText("Mark not updated" if current and current.done else "Mark updated")

    def _fields(self, p: exit_steps.LinkPlace | None = None) -> list[Field]:
        return [
            Field("place", "&Place", value=p.place if p else "", required=True, placeholder="e.g. Pinterest"),
            Field("old_url", "&Old link", value=p.old_url if p else "", placeholder="the shop link that was there"),
            Field("new_destination", "&Now points to", value=p.new_destination if p else "",
                  placeholder="your new shop, your website, or nowhere"),
        ]

    def _add_usual(self) -> None:
        existing = {p.place for p in self._rows}
        missing = [u for u in USUAL_PLACES if u not in existing]

        def change(tx: Any) -> None:
            for place in missing:
                exit_steps.add_link_place(tx, place)

        self.page.write(change)

    def _toggle(self) -> None:
        current = self._current()
        if current is not None:
            self.page.write(lambda tx: exit_steps.update_link_place(tx, current.id, done=not current.done))

    def _question(self, p: exit_steps.LinkPlace) -> str:
        return f"Remove “{p.place}” from the list?"


# -- 7. learn from analytics -----------------------------------------------------------------------------------------
class AnalyticsSection(Section):
    def __init__(self, page: StepPage) -> None:
        super().__init__(page)
        card = style.Card("The shop in figures", self)
        self.revenue = style.Figure("Sales (orders not cancelled)", parent=card)
        self.fees = style.Figure("Platform fees", parent=card)
        self.commission = style.Figure("Affiliate commission", parent=card)
        self.months_fig = style.Figure("Months of sales", parent=card)
        card.add(_figures_row(card, [self.revenue, self.fees, self.commission, self.months_fig]))
        self.currency_note = style.muted("", card)
        card.add(self.currency_note)
        self.layout_.addWidget(card)
        self.empty, _ = _notice(self, "No orders or settlements are imported yet, so there is nothing to chart.")
        self.layout_.addWidget(self.empty)
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(style.SPACE + 4)
        self.revenue_chart = ChartBox("Revenue by month", self)
        self.orders_chart = ChartBox("Orders, cancellations and refunds", self)
        self.costs_chart = ChartBox("Fees and commission, % of revenue", self)
        self.products_chart = ChartBox("Top products by revenue", self)
        grid.addWidget(self.revenue_chart, 0, 0)
        grid.addWidget(self.orders_chart, 0, 1)
        grid.addWidget(self.costs_chart, 1, 0)
        grid.addWidget(self.products_chart, 1, 1)
        self.charts = QWidget(self)
        self.charts.setLayout(grid)
        self.layout_.addWidget(self.charts)
        tables = QHBoxLayout()
        tables.setContentsMargins(0, 0, 0, 0)
        tables.setSpacing(style.SPACE + 4)
        sold = style.Card("What sold", self)
        self.sold = Table(("Product", "Units", "Revenue", "Returned"), sold, "What sold", copy=self.ctx.copy_text,
                          stretch=0)
        sold.add(self.sold)
        slow = style.Card("What didn't", self)
        self.slow = Table(("Product", "Units", "Cancelled"), slow, "What didn't sell", copy=self.ctx.copy_text,
                          stretch=0)
        slow.add(self.slow)
        self.slow_none = style.muted("Every product you sold is in the list of best sellers.", slow)
        slow.add(self.slow_none)
        tables.addWidget(sold, 3)
        tables.addWidget(slow, 2)
        self.tables = QWidget(self)
        self.tables.setLayout(tables)
        self.layout_.addWidget(self.tables)

    def show_facts(self, data: StepPageData) -> None:
        f: step_facts.AnalyticsFacts = data.facts
        c = f.currency
        has = bool(f.months)
        self.empty.setVisible(not has)
        self.charts.setVisible(has)
        self.tables.setVisible(bool(f.top_products))
        self.revenue.set(money(f.total_revenue, c))
        self.fees.set(money(f.total_fees, c), f"{f.fee_share}% of settled revenue" if f.settled_revenue else "")
        self.commission.set(money(f.total_commission, c),
                            f"{f.commission_share}% of settled revenue" if f.settled_revenue else "")
        self.months_fig.set(f"{sum(1 for m in f.months if m.orders):,}")
        self.currency_note.setText(f"Figures in {c}; orders in {', '.join(f.other_currencies)} are counted but "
                                   "not added to the amounts." if f.other_currencies else "")
        self.currency_note.setVisible(bool(f.other_currencies))
        months = f.months[-MAX_MONTHS:]
        costs = f.costs[-MAX_MONTHS:]
        labels = [month_label(m.month) for m in months]
        self.revenue_chart.bars(labels, [(f"Revenue ({c})", [major(m.revenue, c) for m in months])])
        self.orders_chart.bars(labels, [("Orders", [m.orders for m in months]),
                                        ("Cancelled", [m.cancelled for m in months]),
                                        ("Refunded or returned", [m.refunded for m in months])])
        self.costs_chart.lines([month_label(m.month) for m in costs],
                               [("Fees", [float(m.fee_share) for m in costs]),
                                ("Commission", [float(m.commission_share) for m in costs])])
        self.products_chart.horizontal([p.name for p in f.top_products],
                                       [major(p.revenue, c) for p in f.top_products], f"Revenue ({c})")
        self.sold.fill([(p.name, f"{p.units:,}", money(p.revenue, c), f"{p.returned:,}") for p in f.top_products],
                       align_right=(1, 2, 3))
        self.slow.fill([(p.name, f"{p.units:,}", f"{p.orders_cancelled:,}") for p in f.slow_products],
                       align_right=(1, 2))
        self.slow.setVisible(bool(f.slow_products))
        self.slow_none.setVisible(not f.slow_products)


# -- 8. pick the next platform ---------------------------------------------------------------------------------------
class PlatformSection(TableSection):
    rows = Rows(exit_steps.add_platform, exit_steps.update_platform, exit_steps.remove_platform, "Add a platform")

    def __init__(self, page: StepPage) -> None:
        super().__init__(page)
        card = style.Card("Your comparison", self, subtitle="Score each platform from 0 (poor) to 5 (excellent) "
                                                            "on each criterion; type in a cell to change it. The "
                                                            "total is the weighted average.")
        self.summary = QLabel("", card)
        self.summary.setWordWrap(True)
        card.add(self.summary)
        self._table(card, ("Platform",), "Platform worksheet",
                    "No platforms yet. Add the ones you're considering — your own website, another marketplace, a "
                    "social shop elsewhere.", on_activate=False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.itemChanged.connect(self._cell_changed)
        add = _button(card, "Add a platform…", self._add)
        criteria = _button(card, "Criteria and weights…", self._criteria)
        self.notes_button = _button(card, "Notes…", self._notes)
        self.choose = _button(card, "Choose this platform", self._choose, "primary")
        self.remove_button = _button(card, "Remove", self._remove, "danger")
        self._buttons(card, add, criteria, self.notes_button, None, self.remove_button, self.choose,
                      for_row=(self.notes_button, self.choose, self.remove_button))
        self._facts: step_facts.PlatformFacts | None = None
        self._filling = False

    def show_facts(self, data: StepPageData) -> None:
        f: step_facts.PlatformFacts = data.facts
        self._facts = f
        self._rows = f.platforms
        names = [c.name for c in f.criteria]
        headers = ["Platform", *[f"{_wrap(c.name)} ×{c.weight}" for c in f.criteria], "Total", "Chosen"]
        selected = (self.table.currentRow(), self.table.currentColumn())
        self._filling = True
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setRowCount(len(f.platforms))
        for r, p in enumerate(f.platforms):
            name = QTableWidgetItem(p.name)
            name.setFlags(name.flags() & ~Qt.ItemFlag.ItemIsEditable)
            name.setData(Qt.ItemDataRole.UserRole, p.id)
            if p.notes:
                name.setToolTip(p.notes)
            self.table.setItem(r, 0, name)
            for c, criterion in enumerate(names, start=1):
                score = p.scores.get(criterion)
                item = QTableWidgetItem("" if score is None else str(score))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                item.setData(Qt.ItemDataRole.UserRole, criterion)
                item.setToolTip(f"{p.name}: {criterion}, 0–5")
                self.table.setItem(r, c, item)
            total = QTableWidgetItem(f"{p.total}" if p.scores else "—")
            total.setFlags(total.flags() & ~Qt.ItemFlag.ItemIsEditable)
            total.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            chosen = QTableWidgetItem("✓ chosen" if p.chosen else "")
            chosen.setFlags(chosen.flags() & ~Qt.ItemFlag.ItemIsEditable)
            if p.chosen:
                chosen.setForeground(Qt.GlobalColor.darkGreen)
            self.table.setItem(r, len(names) + 1, total)
            self.table.setItem(r, len(names) + 2, chosen)
        self._filling = False
        header = self.table.horizontalHeader()
        for column in range(1, len(names) + 3):  # criteria share the width; long names wrap onto two lines
            if column <= len(names):
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
            heading = self.table.horizontalHeaderItem(column)
            if heading is not None:
                heading.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
        self.table.fit_height()
        if 0 <= selected[0] < self.table.rowCount():
            self.table.setCurrentCell(selected[0], min(selected[1], self.table.columnCount() - 1))
        self._show_table()
        chosen_p, leader = f.chosen, f.leader
        parts = []
        if leader:
            parts.append(f"Highest score: <b>{_html(leader.name)}</b> ({leader.total} of 5).")
        if chosen_p:
            parts.append(f"Your choice: <b>{_html(chosen_p.name)}</b>.")
        elif f.platforms:
            parts.append("No choice recorded yet.")
        self.summary.setText(" ".join(parts))
        self.summary.setVisible(bool(parts))
        self._selection()

    def _selection(self) -> None:
        super()._selection()
        current = self._current()
        self.choose.setText("Undo the choice" if current and current.chosen else "Choose this platform")

    def _cell_changed(self, item: QTableWidgetItem) -> None:
        if self._filling or item.column() == 0:
            return
        criterion = item.data(Qt.ItemDataRole.UserRole)
        name_item = self.table.item(item.row(), 0)
        if not isinstance(criterion, str) or name_item is None:
            return
        platform_id = int(name_item.data(Qt.ItemDataRole.UserRole))
        text = item.text().strip()
        if text and not (text.isdigit() and 0 <= int(text) <= exit_steps.MAX_SCORE):
            self.ctx.dialogs.warn(self, "Scores", "Scores are whole numbers from 0 to 5.")
            self.page.reload()
            return
        score = int(text) if text else None
        self.page.write(lambda tx: exit_steps.set_score(tx, platform_id, criterion, score))

    def _fields(self, _p: exit_steps.Platform | None = None) -> list[Field]:
        return [Field("name", "&Platform", required=True, placeholder="e.g. my own website, Etsy, Instagram Shop")]

    def _notes(self) -> None:
        current = self._current()
        if current is None:
            return
        answer = self.ask(f"Notes on {current.name}", [Field("notes", "&Notes", "multiline", current.notes)])
        if answer is not None:
            self.page.write(lambda tx: exit_steps.update_platform(tx, current.id, notes=answer["notes"]))

    def _choose(self) -> None:
        current = self._current()
        if current is not None:
            self.page.write(lambda tx: exit_steps.choose_platform(tx, None if current.chosen else current.id))

    def _question(self, p: exit_steps.Platform) -> str:
        return f"Remove {p.name} and its scores?"

    def _criteria(self) -> None:
        if self._facts is None:
            return
        current = self._facts.criteria
        fields = []
        for i in range(6):
            c = current[i] if i < len(current) else None
            fields.append(Field(f"name{i}", f"Criterion &{i + 1}", value=c.name if c else ""))
            fields.append(Field(f"weight{i}", "  weight", "int", c.weight if c else 1, minimum=0, maximum=5))
        answer = self.ask("Criteria and weights", fields, intro="What matters to you, and how much (weight 0–5). "
                                                                 "Leave a name empty to drop a criterion.")
        if answer is None:
            return
        chosen = [exit_steps.Criterion(answer[f"name{i}"], int(answer[f"weight{i}"])) for i in range(6)
                  if answer[f"name{i}"]]
        self.page.write(lambda tx: exit_steps.set_criteria(tx, chosen))


# -- 9. get advice ---------------------------------------------------------------------------------------------------
class AdviceSection(TableSection):
    rows = Rows(exit_steps.add_adviser, exit_steps.update_adviser, exit_steps.remove_adviser, "Log a conversation",
                "Edit the conversation", "adviser")

    def __init__(self, page: StepPage) -> None:
        super().__init__(page)
        card = style.Card("Advice log", self)
        self.total = style.muted("", card)
        card.add(self.total)
        self._table(card, ("Date", "Who", "What they said", "Cost", "Proof"), "Advice log",
                    "No advice logged yet. An accountant, a lawyer, an experienced seller, TikTok Shop support — note "
                    "who said what, and when.", stretch=2)
        add = _button(card, "Log a conversation…", self._add)
        self.edit_button = _button(card, "Edit…", self._edit)
        self.proof = _button(card, "Attach proof…", self._attach)
        self.remove_button = _button(card, "Remove", self._remove, "danger")
        self._buttons(card, add, self.edit_button, self.proof, None, self.remove_button,
                      for_row=(self.edit_button, self.proof, self.remove_button))
        self._currency = "USD"

    def show_facts(self, data: StepPageData) -> None:
        f: step_facts.AdviceFacts = data.facts
        self._rows = f.advisers
        self._currency = f.currency
        self.table.fill([(day(a.consulted_on), a.who, " ".join(a.advice.split())[:200] or "—",
                          money(a.cost, a.currency) if a.cost else "—",
                          plural(a.evidence, "item") if a.evidence else "—") for a in f.advisers],
                        data=[a.id for a in f.advisers], align_right=(3,))
        self._show_table()
        totals = f.total_cost()
        self.total.setText("Spent on advice: " + ", ".join(money(v, c) for c, v in totals.items()) if totals else "")
        self.total.setVisible(bool(totals))
        self._selection()

    def _fields(self, a: exit_steps.Adviser | None = None) -> list[Field]:
        currency = a.currency if a else self._currency
        cost = ""
        if a and a.cost:
            from shopexit.core.money import from_minor
            cost = str(from_minor(a.cost, a.currency))
        return [
            Field("who", "&Who", value=a.who if a else "", required=True, placeholder="name, and their role"),
            Field("consulted_on", "&When", "date", a.consulted_on if a else date.today()),
            Field("advice", "What they &said", "multiline", a.advice if a else ""),
            Field("cost", "&Cost", "amount", cost, placeholder="0 if free"),
            Field("currency", "C&urrency", "choice", currency, choices=tuple(dict.fromkeys([currency, "USD", "GBP",
                                                                                             "EUR"])),
                  editable_choice=True),
        ]

    def _values(self, answer: dict[str, Any]) -> dict[str, Any]:
        currency = str(answer["currency"]).upper() or "USD"
        return {"who": answer["who"], "consulted_on": answer["consulted_on"], "advice": answer["advice"],
                "cost": to_minor(Decimal(answer["cost"] or 0), currency), "currency": currency}

    def _question(self, a: exit_steps.Adviser) -> str:
        return f"Remove the entry for {a.who}?"


# -- 10. keep records ------------------------------------------------------------------------------------------------
class RecordsSection(Section):
    def __init__(self, page: StepPage) -> None:
        super().__init__(page)
        holds = style.Card("What an archive of the whole vault will hold", self)
        self.holds = QGridLayout()
        self.holds.setHorizontalSpacing(style.SPACE * 2)
        self.holds.setVerticalSpacing(style.SPACE)
        holds.add(self.holds)
        self.layout_.addWidget(holds)

        last = style.Card("Your archives", self)
        self.last = style.paragraph("", last)
        self.last.setTextFormat(Qt.TextFormat.RichText)
        last.add(self.last)
        export = _button(last, "Export archive…", lambda: page.host.open_export(), "primary",
                         "Export a signed archive")
        last.add(style.row(export, None))
        self.layout_.addWidget(last)

        purge = style.Card("Buyer personal data", self)
        self.purge_text = style.paragraph("", purge)
        self.purge_text.setTextFormat(Qt.TextFormat.RichText)
        purge.add(self.purge_text)
        self.purge_button = _button(purge, "Remove buyer data…", self._purge, "danger", "Remove buyer personal data")
        purge.add(style.row(self.purge_button, None))
        self.layout_.addWidget(purge)
        self._preview: exit_steps.PurgePreview | None = None

    def show_facts(self, data: StepPageData) -> None:
        f: step_facts.RecordsFacts = data.facts
        style.clear_layout(self.holds)
        for index, (label, n) in enumerate(f.holds.items()):
            figure = style.Figure(label, f"{n:,}", self)
            self.holds.addWidget(figure, index // 4, index % 4, Qt.AlignmentFlag.AlignTop)
        for c in range(4):
            self.holds.setColumnStretch(c, 1)
        if f.last_export:
            e = f.last_export
            verdict = e.verdict or "not checked yet"
            color = style.GOOD if (e.verdict or "").startswith("valid") else style.WARN
            self.last.setText(
                f"Last archive: <b>{_html(e.file_name)}</b>, made {moment(e.made_at)} "
                f"({_html(e.scope)}).<br>SHA-256 {e.sha256[:16]}…<br>"
                f"Verification: <span style='color:{color}'><b>{_html(verdict)}</b></span>"
                + (f", {moment(e.verified_at)}" if e.verified_at else "")
                + f"<br>{plural(f.exports, 'archive')} made so far.")
        else:
            self.last.setText("No archive made yet. Make one now, another after your last order completes, and a "
                              "final one after the shop closes.")
        p = f.purge
        self._preview = p
        if not p.needed:
            text = ("No buyer personal data is kept: "
                    + (f"it was removed from {plural(p.orders_purged, 'order')}." if p.orders_purged
                       else "no orders are imported."))
        elif not p.allowed:
            text = (f"{_still_hold(p.orders_with_buyer_data)} buyer names, usernames, phone numbers or addresses. "
                    f"They are kept while a case is open: <b>{_html(p.open_cases[0])}</b>"
                    + (f" and {len(p.open_cases) - 1} more" if len(p.open_cases) > 1 else "") + ".")
        else:
            text = (f"{_still_hold(p.orders_with_buyer_data)} buyer names, usernames, phone numbers or addresses"
                    + (f", and {plural(p.source_files, 'imported file')} "
                       f"{'contains' if p.source_files == 1 else 'contain'} them" if p.source_files else "")
                    + (f". {plural(p.buyer_threads, 'conversation')} with buyers "
                       f"({plural(p.buyer_messages, 'message')}) would be deleted" if p.buyer_threads else "")
                    + ". No case is open, so you can remove them now. Orders, amounts, dates and tracking stay.")
        if f.cases_open and f.next_deadline:
            text += f"<br>Next case deadline: {day(f.next_deadline)}."
        self.purge_text.setText(text)
        self.purge_button.setEnabled(p.needed and p.allowed)

    def _purge(self) -> None:
        p = self._preview
        if p is None or not p.allowed or not p.needed:
            return
        message = (
            f"This removes buyer names, usernames, phone numbers, addresses and buyer messages from "
            f"{plural(p.orders_with_buyer_data, 'order')}"
            + (f", deletes {plural(p.buyer_threads, 'direct-message conversation')} with buyers "
               f"({plural(p.buyer_messages, 'message')})" if p.buyer_threads else "")
            + (f", and replaces {plural(p.source_files, 'imported file')} with a note of its fingerprint"
               if p.source_files else "")
            + ".\n\nIt cannot be undone. Orders, amounts, dates and tracking numbers stay, and archives you made "
              "before keep what they hold. Encrypted backups made before still contain the data; you can replace "
              "them with a fresh one afterwards.\n\nRemove buyer data now?")
        if not self.ctx.dialogs.confirm(self, "Remove buyer personal data", message, "Remove buyer data"):
            return
        self.page.write(exit_steps.purge_buyer_data, self._purged)

    def _purged(self, result: exit_steps.PurgeResult) -> None:
        done = (f"Removed buyer data from {plural(result.orders, 'order')}"
                + (f", deleted {plural(result.threads, 'conversation')} with buyers" if result.threads else "")
                + (f" and replaced {plural(result.source_files, 'imported file')}" if result.source_files else "")
                + ".")
        self.ctx.vaults.submit(lambda vault, _p: len(list_backups(vault.path)),
                               on_done=lambda older: self._offer_fresh_backup(done, older))

    def _offer_fresh_backup(self, done: str, older: int) -> None:
        """Backups made before the purge still hold what it removed: offer to replace them with one new one."""
        if not older:
            self.ctx.dialogs.info(self, "Buyer data removed", done)
            return
        question = (f"{done}\n\n{plural(older, 'backup')} made before still "
                    f"{'holds' if older == 1 else 'hold'} it. Write a fresh backup now and delete the older "
                    f"{'one' if older == 1 else 'ones'}?")
        if not self.ctx.dialogs.confirm(self, "Buyer data removed", question, "Replace backups"):
            return
        self.ctx.vaults.submit(
            lambda vault, _p: vault.backup(reason="purged", keep=1),
            on_done=lambda path: self.ctx.dialogs.info(
                self, "Backups replaced", f"The older backups are deleted; the fresh one is {path.name}."),
            on_error=lambda message: self.ctx.dialogs.warn(self, "No backup written", message))


def _still_hold(n: int) -> str:
    return f"{plural(n, 'order')} still {'holds' if n == 1 else 'hold'}"


_SECTIONS: dict[int, type[Section]] = {
    1: ReviewSection, 2: FulfilSection, 3: FundsSection, 4: CloseSection, 5: AnnounceSection, 6: LinksSection,
    7: AnalyticsSection, 8: PlatformSection, 9: AdviceSection, 10: RecordsSection,
}


def make_section(number: int, page: StepPage) -> Section:
    section = _SECTIONS[number](page)
    section.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    return section


def closure_label(c: plan.Closure) -> str:
    return day(c.earliest) if c.earliest else "not known yet"
