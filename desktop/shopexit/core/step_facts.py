"""What each step page shows, as plain data computed from the vault: no Qt, no formatting beyond what a person
reads in one glance.

The GUI calls these on the vault thread and draws the result; the same figures come from `facts` and `plan`
(which `status --json` and the archive use too), so a page can never disagree with them. Each step's facts
stay within ~100 ms on a 100,000-order vault: they read covering indexes (migration 4), never whole tables of
raw rows.

The figures change only when records do, so `page_for` and `overview_for` remember what they computed on the
vault's `FactsCache`, valid while the vault's change mark (`state_mark`) stays the same: a page shown again costs
two index seeks; the aggregates several pages share (orders by month, products, funds) are read once per change,
not once per page, and survive changes the audit log shows cannot move them (a checklist tick, a note …).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from shopexit.core import facts, plan, step_texts
from shopexit.core.money import format_display
from shopexit.core.records import exit_steps
from shopexit.core.records.steps import StepState, all_steps
from shopexit.core.timeutil import iso_date
from shopexit.core.vault import Conn

if TYPE_CHECKING:
    from shopexit.core.vault import Vault

OPEN_ORDER_LIMIT = 500
AWAITING_FIRST = ("Awaiting shipment", "Awaiting collection", "Unpaid", "On hold")
REFUNDISH = ("refund", "return")
TOP_PRODUCTS = 8
CASE_DEADLINE_WARN_DAYS = 7


T = TypeVar("T")


# -- remembering what was computed, per vault and per state of its records ------------------------------------------
def state_mark(conn: Conn) -> tuple[int, int, int]:
    """A value that differs whenever the records may differ from the last time it was read.

    Three parts, each cheap: the audit log's head (`browse.change_mark`: every change the app makes appends to the
    log in the same transaction), the rows this connection has ever written (`total_changes`: also moves for a
    write that keeps no audit entry, and for one rolled back, after which the log's head can come back to an
    earlier number), and SQLite's `data_version` (moves when another connection commits).
    """
    from shopexit.core.records.browse import change_mark  # the record views' module: not needed before this

    version = int(conn.execute("PRAGMA data_version").fetchone()[0])
    return change_mark(conn), int(conn.total_changes), version


class FactsCache:
    """What the step pages and the sidebar computed from one state of a vault's records.

    One per open vault, in the vault's `session`: it is decrypted data, so locking the vault empties it.
    """

    def __init__(self) -> None:
        self.mark: tuple[int, int, int] | None = None
        self.values: dict[Hashable, Any] = {}
        self.hits = 0
        self.misses = 0

    def clear(self) -> None:
        self.mark = None
        self.values.clear()

    def value(self, key: Hashable, compute: Callable[[], T]) -> T:
        if key in self.values:
            self.hits += 1
            return self.values[key]
        self.misses += 1
        result = compute()
        self.values[key] = result
        return result


_SESSION_KEY = "step_facts"
_ACTIVE: ContextVar[FactsCache | None] = ContextVar("step_facts_cache", default=None)


def cache_of(vault: Vault) -> FactsCache | None:
    """The vault's cache, if anything was computed through it yet (tests and the bench look inside)."""
    cache = vault.session.get(_SESSION_KEY)
    return cache if isinstance(cache, FactsCache) else None


def forget(vault: Vault) -> None:
    """Drop what was remembered for this vault (the bench times a first computation with it)."""
    cache = vault.session.pop(_SESSION_KEY, None)
    if isinstance(cache, FactsCache):
        cache.clear()


# What each remembered aggregate reads, said the other way round: the kinds of change (audit log entities) that
# cannot move it. Ticking a checklist item, writing a note or an announcement, scoring a platform … keep the
# figures over orders and money (the page itself is always recomputed); anything not listed drops the aggregate.
_PER_STEP_CHANGES = frozenset({
    "step", "step_checklist", "announcement", "link_place", "platform", "criterion", "adviser", "note", "archive",
})
_ORDERS_UNTOUCHED = _PER_STEP_CHANGES | {"case", "message", "thread", "attachment"}
_KEPT_ACROSS: dict[str, frozenset[str]] = {
    **dict.fromkeys(("month_rows", "months_of_sales", "products", "order_facts", "funds", "commissions",
                     "analytics"), _ORDERS_UNTOUCHED),
    "purge_preview": _PER_STEP_CHANGES,  # also reads cases, conversations and the kept source files
    "archive_holds": _PER_STEP_CHANGES,  # counts of every kind of record
}


def _changes_since(conn: Conn, before: tuple[int, int, int] | None, now: tuple[int, int, int]) -> frozenset[str] | None:
    """The kinds of change the audit log records since `before`, or None when the log cannot account for them
    all: a commit by another connection, a write with no audit entry or one rolled back (rows were written but the
    log's head did not grow)."""
    if before is None or before[2] != now[2] or now[0] <= before[0]:
        return None
    return frozenset(kind for (kind,) in conn.execute(
        "SELECT DISTINCT entity FROM audit_log WHERE id > ? AND id <= ?", (before[0], now[0])))


def _still_holds(key: Hashable, changes: frozenset[str] | None) -> bool:
    return changes is not None and isinstance(key, str) and changes <= _KEPT_ACROSS.get(key, frozenset())


@contextmanager
def _remembering(vault: Vault) -> Iterator[FactsCache | None]:
    """Make the vault's cache the one `_shared` uses, after emptying it if the records have changed since.

    Inside a transaction nothing is remembered: what it has written may still be rolled back.
    """
    conn = vault.conn
    if conn.in_transaction:
        yield None
        return
    cache = cache_of(vault)
    if cache is None:
        cache = vault.session[_SESSION_KEY] = FactsCache()
    mark = state_mark(conn)
    if cache.mark != mark:
        changes = _changes_since(conn, cache.mark, mark)
        for key in [k for k in cache.values if not _still_holds(k, changes)]:
            del cache.values[key]
        cache.mark = mark
    token = _ACTIVE.set(cache)
    try:
        yield cache
    finally:
        _ACTIVE.reset(token)


@contextmanager
def _one_call() -> Iterator[None]:
    """Outside `page_for`/`overview_for`, still read each shared aggregate only once per call."""
    if _ACTIVE.get() is not None:
        yield
        return
    token = _ACTIVE.set(FactsCache())
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def _shared(key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`, or what it gave earlier for the same state of the records while a cache is active."""
    cache = _ACTIVE.get()
    return compute() if cache is None else cache.value(key, compute)


def page_for(vault: Vault, number: int, today: date | None = None) -> StepPageData:
    """`step_page`, remembered until the records change (or the day does)."""
    day = today or date.today()
    with _remembering(vault):
        return _shared(("page", number, day), lambda: step_page(vault.conn, number, day))


def overview_for(vault: Vault, today: date | None = None) -> Overview:
    """`overview`, remembered until the records change (or the day does)."""
    with _remembering(vault):
        return _shared(("overview", today, date.today()), lambda: overview(vault.conn, today))


def _order_facts(conn: Conn) -> facts.OrderFacts:
    """`facts.order_facts`; when the month rows are already read, its counts by status are summed from them (the
    same figures) rather than read with another pass over the orders."""
    def compute() -> facts.OrderFacts:
        if not _read_already("month_rows"):
            return facts.order_facts(conn)
        by_status: dict[str, int] = {}
        for r in _all_month_rows(conn):
            by_status[r.status] = by_status.get(r.status, 0) + r.orders
        ordered = dict(sorted(by_status.items(), key=lambda kv: (-kv[1], kv[0])))
        total = sum(ordered.values())
        closed = sum(n for s, n in ordered.items() if s in facts.CLOSED_STATUSES)
        lines = int(conn.execute("SELECT count(*) FROM order_lines").fetchone()[0])
        return facts.OrderFacts(total, total - closed, lines, ordered)

    return _shared("order_facts", compute)


def _read_already(key: str) -> bool:
    cache = _ACTIVE.get()
    return cache is not None and key in cache.values


def _months_of_sales(conn: Conn) -> int:
    """How many months have orders: from the month rows when a page has read them already, else a lighter pass
    (the sidebar alone needs no sums)."""
    if _read_already("month_rows"):
        return len({r.month for r in _month_rows(conn)})
    return _shared("months_of_sales", lambda: int(conn.execute(
        "SELECT count(*) FROM (SELECT substr(created_at, 1, 7) AS m FROM orders WHERE m IS NOT NULL AND m != ''"
        " GROUP BY m)").fetchone()[0]))


def _funds(conn: Conn) -> dict[str, facts.Funds]:
    return _shared("funds", lambda: facts.funds(conn))


def _commissions(conn: Conn) -> dict[str, facts.Commissions]:
    return _shared("commissions", lambda: facts.commissions(conn))


# -- the sidebar: every step at a glance -----------------------------------------------------------------------------
@dataclass(frozen=True)
class StepSummary:
    number: int
    title: str
    status: str  # todo / doing / done
    done_at: str | None
    hint: str  # one short line: what the vault says about this step
    warning: str | None  # set when the vault shows a problem here (open orders, money held …)


@dataclass(frozen=True)
class Overview:
    shop_name: str
    creator: str
    steps: list[StepSummary]
    earliest_close: date | None
    close_not_before: date | None = None  # while orders are open: the soonest the shop could close

    @property
    def done(self) -> int:
        return sum(s.status == "done" for s in self.steps)


def _short_date(day: date | str | None) -> str:
    if day is None:
        return ""
    if isinstance(day, str):
        parsed = iso_date(day) if "T" in day else date.fromisoformat(day[:10])
        if parsed is None:
            return ""
        day = parsed
    return f"{day.day} {day:%b %Y}"


def overview(conn: Conn, today: date | None = None) -> Overview:
    with _one_call():
        return _overview(conn, today)


def _overview(conn: Conn, today: date | None) -> Overview:
    given_today = today  # case deadlines count in shop time unless a test fixes the day
    today = today or date.today()
    states = all_steps(conn)
    orders = _order_facts(conn)
    months = _months_of_sales(conn)
    funds = _funds(conn)
    commissions = _commissions(conn)
    closure = plan.closure(conn, today, order_facts=orders, funds=funds, commissions=commissions)
    shop = conn.execute("SELECT shop_name, creator FROM shop WHERE id = 1").fetchone() or ("", "")

    hints: dict[int, tuple[str, str | None]] = {}
    imports = facts.count(conn, "imports")
    hints[1] = (f"{orders.total:,} orders · {imports} file{'s' if imports != 1 else ''} imported" if imports
                else "Nothing imported yet", None)
    if orders.open:
        awaiting = sum(n for s, n in orders.by_status.items() if s in AWAITING_FIRST)
        text = f"{orders.open:,} open" + (f" · {awaiting:,} to ship" if awaiting else "")
        hints[2] = (text, f"{orders.open:,} orders are still open")
    else:
        hints[2] = ("No open orders" if orders.total else "No orders imported", None)
    hints[3] = _funds_hint(funds, commissions)
    hints[4] = (f"Earliest close {_short_date(closure.earliest)}" if closure.earliest
                else f"Not before {_short_date(closure.not_before)}", None)
    posted = facts.count(conn, "announcements", "posted_at IS NOT NULL")
    draft = bool(exit_steps.draft(conn).strip())
    hints[5] = (f"Posted in {posted} place{'s' if posted != 1 else ''}" if posted
                else ("Draft written" if draft else "Not announced yet"), None)
    places, places_done = conn.execute("SELECT count(*), coalesce(sum(done), 0) FROM link_places").fetchone()
    hints[6] = (f"{places_done} of {places} links updated" if places else "No links listed yet", None)
    hints[7] = (f"{months} month{'s' if months != 1 else ''} of sales" if months else "No sales to chart yet", None)
    chosen = conn.execute("SELECT name FROM platforms WHERE chosen = 1").fetchone()
    compared = facts.count(conn, "platforms")
    hints[8] = (f"Chosen: {chosen[0]}" if chosen else (f"{compared} compared" if compared else "Nothing compared yet"),
                None)
    advisers = facts.count(conn, "advisers")
    hints[9] = (f"{advisers} consulted" if advisers else "No advice logged yet", None)
    hints[10] = _records_hint(conn, given_today)

    steps = [StepSummary(s.number, plan.STEP_TITLES[s.number - 1], s.status, s.done_at, *hints[s.number])
             for s in states]
    return Overview(shop[0], shop[1], steps, closure.earliest, closure.not_before)


def _funds_hint(funds: dict[str, facts.Funds], commissions: dict[str, facts.Commissions]
                ) -> tuple[str, str | None]:
    held = [(f.on_hold, c) for c, f in funds.items() if f.on_hold]
    available = [(f.available_estimate, c) for c, f in funds.items() if f.available_estimate > 0]
    pending = sum(m.pending_orders for m in commissions.values())
    if held:
        text = f"{format_display(*held[0])} on hold"
        return text, f"{text}; withdraw when it settles"
    if available:
        text = f"{format_display(*available[0])} to withdraw"
        return text, text
    if any(f.withdrawals_pending for f in funds.values()):
        return "Withdrawal in progress", "a withdrawal has not been paid out yet"
    if pending:
        return f"{pending} commission{'s' if pending != 1 else ''} pending", "affiliate commission still pending"
    return ("Balance settled" if funds else "No money imported yet"), None


def _records_hint(conn: Conn, today: date | None) -> tuple[str, str | None]:
    from shopexit.core.records.cases import days_left

    warning = None
    region = str((conn.execute("SELECT region FROM shop WHERE id = 1").fetchone() or ("US",))[0])
    soon = conn.execute(
        "SELECT deadline FROM cases WHERE status IN ('open', 'submitted') AND deadline IS NOT NULL"
        " ORDER BY deadline LIMIT 1").fetchone()
    days = days_left(soon[0], region, today) if soon else None
    if days is not None and days <= CASE_DEADLINE_WARN_DAYS:
        warning = (f"case deadline passed {-days} day{'s' if days != -1 else ''} ago" if days < 0 else
                   "case deadline today" if days == 0 else f"case deadline in {days} day{'s' if days != 1 else ''}")
    last = conn.execute("SELECT made_at FROM exports ORDER BY made_at DESC LIMIT 1").fetchone()
    text = f"Last archive {_short_date(last[0])}" if last else "No archive yet"
    if warning:
        text = warning[0].upper() + warning[1:]
    return text, warning


# -- one step page ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EvidenceRef:
    id: int
    name: str
    media_type: str
    caption: str
    added_at: str
    size: int


@dataclass(frozen=True)
class StepPageData:
    number: int
    text: step_texts.StepText
    state: StepState
    checklist: list[exit_steps.ChecklistItem]
    evidence: list[EvidenceRef]
    facts: Any  # one of the *Facts classes below, per step
    currency: str  # the shop's default currency


def step_page(conn: Conn, number: int, today: date | None = None) -> StepPageData:
    today = today or date.today()
    state = all_steps(conn)[number - 1]
    builder = _BUILDERS[number]
    with _one_call():
        return StepPageData(number, step_texts.load(number), state, exit_steps.checklist(conn, number),
                            evidence_for(conn, "step", number), builder(conn, today), shop_currency(conn))


def evidence_for(conn: Conn, kind: str, target: int) -> list[EvidenceRef]:
    return [EvidenceRef(*row) for row in conn.execute(
        "SELECT a.id, a.original_name, a.media_type, a.caption, a.added_at, a.size FROM attachment_links l"
        " JOIN attachments a ON a.id = l.attachment_id WHERE l.target_kind = ? AND l.target_id = ?"
        " ORDER BY a.added_at, a.id", (kind, target))]


# step 1 ------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MonthSales:
    month: str  # YYYY-MM
    orders: int
    amount: int  # minor units of the main currency, cancelled orders excluded


@dataclass(frozen=True)
class ImportRow:
    kind: str
    name: str
    imported_at: str
    rows: int
    new: int
    updated: int


@dataclass(frozen=True)
class ReviewFacts:
    orders: facts.OrderFacts
    currency: str
    first_order: str | None
    last_order: str | None
    sales_by_month: list[MonthSales]
    products: int
    product_names: list[str]  # most ordered first, a few
    imports: list[ImportRow]
    messages: int
    evidence: int


def shop_currency(conn: Conn) -> str:
    return str((conn.execute("SELECT currency FROM shop WHERE id = 1").fetchone() or ("USD",))[0])


@dataclass(frozen=True)
class _MonthRow:
    month: str
    currency: str
    status: str
    substatus: str
    orders: int
    amount: int
    with_refund: int


def _all_month_rows(conn: Conn) -> list[_MonthRow]:
    """Orders grouped by month, currency and status, streamed out of the `orders_sales` index (one pass); orders
    without a date have the month ''. The counts by status, the months of sales and both step pages' figures
    all come from this one pass."""
    return _shared("month_rows", lambda: [
        _MonthRow(m or "", c, s, ss or "", int(n), int(a or 0), int(r or 0)) for m, c, s, ss, n, a, r in conn.execute(
            "SELECT substr(created_at, 1, 7) AS m, currency, status, substatus, count(*), sum(order_amount),"
            " sum(refund_amount > 0) FROM orders GROUP BY 1, 2, 3, 4")])


def _month_rows(conn: Conn) -> list[_MonthRow]:
    return [r for r in _all_month_rows(conn) if r.month]


def _main_currency(rows: list[_MonthRow], default: str) -> str:
    """The currency most orders were paid in, else the shop's default."""
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.currency] = counts.get(r.currency, 0) + r.orders
    return max(sorted(counts), key=lambda c: counts[c]) if counts else default


def _refundish(status: str, substatus: str) -> bool:
    text = f"{status} {substatus}".lower()
    return any(word in text for word in REFUNDISH)


def _by_month(rows: list[_MonthRow], currency: str) -> dict[str, MonthFigures]:
    acc: dict[str, list[int]] = {}
    for r in rows:
        figures = acc.setdefault(r.month, [0, 0, 0, 0])
        figures[0] += r.orders
        cancelled = r.status == "Cancelled"
        if not cancelled and r.currency == currency:
            figures[1] += r.amount
        figures[2] += r.orders if cancelled else 0
        figures[3] += r.orders if _refundish(r.status, r.substatus) else r.with_refund
    return {m: MonthFigures(m, *v) for m, v in sorted(acc.items())}


def main_currency(conn: Conn) -> str:
    return _main_currency(_month_rows(conn), shop_currency(conn))


def _product_totals(conn: Conn) -> list[tuple[str, int, int, int]]:
    """(name, units, returned, subtotal) over every line, streamed out of the `order_lines_product` index."""
    return _shared("products", lambda: [(n, int(u or 0), int(r or 0), int(v or 0)) for n, u, r, v in conn.execute(
        "SELECT product_name, sum(quantity), sum(returned_quantity), sum(subtotal) FROM order_lines"
        " WHERE product_name != '' GROUP BY product_name")])


def review_facts(conn: Conn, today: date) -> ReviewFacts:
    rows = _month_rows(conn)
    currency = _main_currency(rows, shop_currency(conn))
    # Two queries, not one: SQLite answers a lone min() or max() with one index seek, both together with a scan.
    first = conn.execute("SELECT min(created_at) FROM orders").fetchone()[0]
    last = conn.execute("SELECT max(created_at) FROM orders").fetchone()[0]
    products = _product_totals(conn)
    names = [n for n, *_ in sorted(products, key=lambda p: (-p[1], p[0]))[:6]]
    imports = [ImportRow(*row) for row in conn.execute(
        "SELECT i.kind, a.original_name, i.imported_at, i.rows_read, i.records_new, i.records_updated"
        " FROM imports i JOIN attachments a ON a.id = i.attachment_id ORDER BY i.imported_at DESC, i.id DESC"
        " LIMIT 20")]
    months = [MonthSales(m.month, m.orders, m.revenue) for m in _by_month(rows, currency).values()]
    return ReviewFacts(_order_facts(conn), currency, first, last, months, len(products), names, imports,
                       facts.count(conn, "messages"), facts.count(conn, "attachments", "origin != 'import'"))


# step 2 ------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class OpenOrder:
    id: int
    order_id: str
    status: str
    substatus: str
    created_at: str | None
    age_days: int | None
    amount: int
    currency: str
    tracking_id: str
    buyer: str

    @property
    def awaiting_shipment(self) -> bool:
        return self.status in AWAITING_FIRST


@dataclass(frozen=True)
class FulfilFacts:
    total_orders: int
    open_count: int
    by_status: dict[str, int]  # open statuses only, awaiting shipment first
    orders: list[OpenOrder]  # at most OPEN_ORDER_LIMIT
    oldest_days: int | None

    @property
    def truncated(self) -> bool:
        return self.open_count > len(self.orders)


def _status_rank(status: str) -> int:
    return AWAITING_FIRST.index(status) if status in AWAITING_FIRST else len(AWAITING_FIRST)


def fulfil_facts(conn: Conn, today: date) -> FulfilFacts:
    order_facts = _order_facts(conn)
    open_by_status = {s: n for s, n in order_facts.by_status.items() if s not in facts.CLOSED_STATUSES}
    ranked = dict(sorted(open_by_status.items(), key=lambda kv: (_status_rank(kv[0]), -kv[1], kv[0])))
    orders: list[OpenOrder] = []
    oldest: int | None = None
    # Each status waiting for the seller is its own group, in rank order; every other open status shares one
    # group. Within a group, oldest first: the (status, created_at) index serves each group without a table scan.
    groups = [[s] for s in ranked if s in AWAITING_FIRST] + [[s for s in ranked if s not in AWAITING_FIRST]]
    for group in groups:
        if not group:
            continue
        marks = ",".join("?" * len(group))
        first = conn.execute(f"SELECT min(created_at) FROM orders WHERE status IN ({marks})", group).fetchone()[0]
        first_day = iso_date(first)
        if first_day:
            oldest = max(oldest or 0, (today - first_day).days)
        room = OPEN_ORDER_LIMIT - len(orders)
        if room <= 0:
            continue
        for row_id, order_id, status, sub, created, amount, currency, tracking, buyer in conn.execute(
                "SELECT id, order_id, status, substatus, created_at, order_amount, currency, tracking_id,"
                f" coalesce(nullif(buyer_username, ''), recipient) FROM orders WHERE status IN ({marks})"
                " ORDER BY created_at, id LIMIT ?", (*group, room)):
            created_day = iso_date(created)
            age = (today - created_day).days if created_day else None
            orders.append(OpenOrder(row_id, order_id, status, sub, created, age, int(amount), currency, tracking,
                                    buyer or ""))
    return FulfilFacts(order_facts.total, order_facts.open, ranked, orders, oldest)


# step 3 ------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class WithdrawalRow:
    id: int
    withdrawal_id: str
    status: str
    amount: int
    currency: str
    created_at: str | None
    by_hand: bool
    succeeded: bool


@dataclass(frozen=True)
class FundsFacts:
    funds: dict[str, facts.Funds]
    commissions: dict[str, facts.Commissions]
    withdrawals: list[WithdrawalRow]
    currency: str

    @property
    def currencies(self) -> list[str]:
        names = set(self.funds) | set(self.commissions)
        return sorted(names, key=lambda c: (c != self.currency, c))


def funds_facts(conn: Conn, today: date) -> FundsFacts:
    withdrawals = [
        WithdrawalRow(i, w, s, int(a), c, t, bool(h), s.upper() in facts.SUCCEEDED_WITHDRAWAL)
        for i, w, s, a, c, t, h in conn.execute(
            "SELECT id, withdrawal_id, status, amount, currency, created_at, entered_by_hand FROM withdrawals"
            " ORDER BY coalesce(created_at, '') DESC, id DESC LIMIT 50")]
    return FundsFacts(_funds(conn), _commissions(conn), withdrawals, shop_currency(conn))


# step 4 ------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CloseFacts:
    closure: plan.Closure
    notice_posted_on: date | None
    today: date

    @property
    def days_left(self) -> int | None:
        return (self.closure.earliest - self.today).days if self.closure.earliest else None


def close_facts(conn: Conn, today: date) -> CloseFacts:
    from shopexit.core.records.steps import get_step

    notice = get_step(conn, plan.CLOSURE_STEP).data.get("notice_posted_on")
    closure = plan.closure(conn, today, order_facts=_order_facts(conn), funds=_funds(conn),
                           commissions=_commissions(conn))
    return CloseFacts(closure, date.fromisoformat(notice) if notice else None, today)


# step 5 ------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AnnounceFacts:
    draft: str
    announcements: list[exit_steps.Announcement]
    shop_name: str


def announce_facts(conn: Conn, today: date) -> AnnounceFacts:
    shop = conn.execute("SELECT shop_name FROM shop WHERE id = 1").fetchone()
    return AnnounceFacts(exit_steps.draft(conn), exit_steps.announcements(conn), shop[0] if shop else "")


# step 6 ------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LinksFacts:
    places: list[exit_steps.LinkPlace]

    @property
    def done(self) -> int:
        return sum(p.done for p in self.places)


def links_facts(conn: Conn, today: date) -> LinksFacts:
    return LinksFacts(exit_steps.link_places(conn))


# step 7 ------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MonthFigures:
    month: str
    orders: int
    revenue: int  # minor units: order amounts of orders not cancelled
    cancelled: int
    refunded: int  # orders with a refund or a return


@dataclass(frozen=True)
class MonthCosts:
    month: str
    revenue: int
    fees: int  # positive minor units paid to the platform
    commission: int  # positive minor units paid to affiliates

    @property
    def fee_share(self) -> Decimal:
        return _share(self.fees, self.revenue)

    @property
    def commission_share(self) -> Decimal:
        return _share(self.commission, self.revenue)


def _share(part: int, whole: int) -> Decimal:
    if whole <= 0:
        return Decimal(0)
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class ProductFigures:
    name: str
    units: int
    returned: int
    revenue: int  # minor units of the main currency
    orders_cancelled: int  # lines of the product in cancelled orders (one per order, in practice)


@dataclass(frozen=True)
class AnalyticsFacts:
    currency: str
    other_currencies: list[str]
    months: list[MonthFigures]
    costs: list[MonthCosts]
    top_products: list[ProductFigures]
    slow_products: list[ProductFigures]  # what didn't sell: fewest units, most cancellations
    total_revenue: int
    total_fees: int
    total_commission: int
    settled_revenue: int

    @property
    def fee_share(self) -> Decimal:
        return _share(self.total_fees, self.settled_revenue)

    @property
    def commission_share(self) -> Decimal:
        return _share(self.total_commission, self.settled_revenue)


def _month_range(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return out


def analytics_facts(conn: Conn, today: date) -> AnalyticsFacts:
    rows = _month_rows(conn)
    currency = _main_currency(rows, shop_currency(conn))
    others = sorted({r.currency for r in rows} - {currency})
    by_month = _by_month(rows, currency)
    costs_by_month: dict[str, MonthCosts] = {}
    for m, r, f, a in conn.execute(
            "SELECT substr(coalesce(settled_at, order_created_at), 1, 7) AS m, sum(revenue), sum(fees),"
            " sum(affiliate_commission) FROM settlements WHERE currency = ? GROUP BY m", (currency,)):
        if m:
            costs_by_month[m] = MonthCosts(m, int(r or 0), -int(f or 0), -int(a or 0))
    all_months = sorted(set(by_month) | set(costs_by_month))
    months: list[MonthFigures] = []
    costs: list[MonthCosts] = []
    if all_months:
        for m in _month_range(all_months[0], all_months[-1]):
            months.append(by_month.get(m, MonthFigures(m, 0, 0, 0, 0)))
            costs.append(costs_by_month.get(m, MonthCosts(m, 0, 0, 0)))
    # Every line counts once, then the lines of cancelled orders (and of orders in other currencies) are taken
    # back out. Both passes read only the `order_lines_product` index: `+order_ref` keeps SQLite from looking
    # lines up one order at a time, which on 100,000 lines costs ten times as much.
    totals = {n: [u, r, v, 0] for n, u, r, v in _product_totals(conn)}
    for n, u, v, cancelled_orders in conn.execute(
            "SELECT product_name, sum(quantity), sum(subtotal), count(*) FROM order_lines"
            " WHERE product_name != '' AND +order_ref IN (SELECT id FROM orders WHERE status = 'Cancelled')"
            " GROUP BY product_name"):
        if n in totals:
            totals[n][0] -= int(u or 0)
            totals[n][2] -= int(v or 0)
            totals[n][3] += int(cancelled_orders or 0)
    if others:
        for n, v in conn.execute(
                "SELECT product_name, sum(subtotal) FROM order_lines WHERE product_name != '' AND +order_ref IN"
                " (SELECT id FROM orders WHERE status != 'Cancelled' AND currency != ?) GROUP BY product_name",
                (currency,)):
            if n in totals:
                totals[n][2] -= int(v or 0)
    products = [ProductFigures(n, u, r, v, c) for n, (u, r, v, c) in totals.items()]
    top = sorted(products, key=lambda p: (-p.revenue, -p.units, p.name))[:TOP_PRODUCTS]
    top_names = {p.name for p in top}
    slow = sorted((p for p in products if p.name not in top_names),
                  key=lambda p: (p.units - p.returned, -p.orders_cancelled, p.name))[:5]
    return AnalyticsFacts(currency, others, months, costs, top, slow, sum(m.revenue for m in months),
                          sum(c.fees for c in costs), sum(c.commission for c in costs),
                          sum(c.revenue for c in costs))


# step 8 ------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlatformFacts:
    criteria: list[exit_steps.Criterion]
    platforms: list[exit_steps.Platform]

    @property
    def chosen(self) -> exit_steps.Platform | None:
        return next((p for p in self.platforms if p.chosen), None)

    @property
    def leader(self) -> exit_steps.Platform | None:
        scored = [p for p in self.platforms if p.scores]
        return max(scored, key=lambda p: p.total) if scored else None


def platform_facts(conn: Conn, today: date) -> PlatformFacts:
    return PlatformFacts(exit_steps.criteria(conn), exit_steps.platforms(conn))


# step 9 ------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AdviceFacts:
    advisers: list[exit_steps.Adviser]
    currency: str

    def total_cost(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for a in self.advisers:
            totals[a.currency] = totals.get(a.currency, 0) + a.cost
        return {c: v for c, v in totals.items() if v}


def advice_facts(conn: Conn, today: date) -> AdviceFacts:
    return AdviceFacts(exit_steps.advisers(conn), shop_currency(conn))


# step 10 -----------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ExportRow:
    made_at: str
    file_name: str
    sha256: str
    scope: str
    verified_at: str | None
    verdict: str | None


@dataclass(frozen=True)
class RecordsFacts:
    holds: dict[str, int]  # what an archive of the whole vault would hold, by kind
    last_export: ExportRow | None
    exports: int
    purge: exit_steps.PurgePreview
    cases_open: int
    next_deadline: date | None
    today: date = field(default_factory=date.today)


_ARCHIVE_KINDS: tuple[tuple[str, str, str], ...] = (
    ("Orders", "orders", "1"),
    ("Order lines", "order_lines", "1"),
    ("Settlements", "settlements", "1"),
    ("On-hold entries", "on_hold", "1"),
    ("Withdrawals", "withdrawals", "1"),
    ("Commissions", "commissions", "1"),
    ("Message threads", "threads", "1"),
    ("Messages", "messages", "1"),
    ("Cases", "cases", "1"),
    ("Evidence items", "attachments", "origin != 'import'"),
    ("Imported source files", "imports", "1"),
)


def records_facts(conn: Conn, today: date) -> RecordsFacts:
    holds = _shared("archive_holds", lambda: {label: facts.count(conn, table, where)
                                              for label, table, where in _ARCHIVE_KINDS})
    last = conn.execute("SELECT made_at, file_name, sha256, scope, verified_at, verdict FROM exports"
                        " ORDER BY made_at DESC, id DESC LIMIT 1").fetchone()
    deadline = conn.execute("SELECT min(deadline) FROM cases WHERE status IN ('open', 'submitted')").fetchone()[0]
    next_deadline = None
    if deadline and "T" in deadline:
        # the day in shop time, as the Cases page shows it (the stored instant is the end of that day, in UTC)
        from shopexit.core.records.cases import deadline_day

        region = conn.execute("SELECT region FROM shop WHERE id = 1").fetchone()
        next_deadline = deadline_day(deadline, region[0] if region else "US")
    elif deadline:
        next_deadline = date.fromisoformat(deadline[:10])
    purge = _shared("purge_preview", lambda: exit_steps.purge_preview(conn))
    return RecordsFacts(holds, ExportRow(*last) if last else None, facts.count(conn, "exports"),
                        purge, facts.count(conn, "cases", "status IN ('open', 'submitted')"),
                        next_deadline, today)


def _analytics(conn: Conn, today: date) -> AnalyticsFacts:
    """Step 7's figures read nothing but orders, lines and settlements: kept across changes that leave those be."""
    return _shared("analytics", lambda: analytics_facts(conn, today))


_BUILDERS: dict[int, Any] = {
    1: review_facts, 2: fulfil_facts, 3: funds_facts, 4: close_facts, 5: announce_facts, 6: links_facts,
    7: _analytics, 8: platform_facts, 9: advice_facts, 10: records_facts,
}

