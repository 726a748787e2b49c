"""The ten steps of a clean exit and the shop-closure rules, computed from what the vault holds.

TikTok Shop lets a shop close only when: the closure notice has been up for 30 days, every order is Completed
or Cancelled and 90 days have passed since the last one, no affiliate commission is still owed, and no money
is owed either way. `closure()` turns the records into the earliest date that satisfies all of these, plus a
plain list of what stands in the way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from shopexit.core import facts
from shopexit.core.money import format_display
from shopexit.core.records.steps import get_step
from shopexit.core.vault import Conn

STEP_TITLES: tuple[str, ...] = (
    "Review status",
    "Fulfil pending orders",
    "Withdraw funds",
    "Close the shop",
    "Tell followers",
    "Update links",
    "Learn from analytics",
    "Pick the next platform",
    "Get advice",
    "Keep records",
)
NOTICE_DAYS = 30
QUIET_DAYS_AFTER_LAST_ORDER = 90
CLOSURE_STEP = 4


@dataclass(frozen=True)
class Condition:
    key: str
    label: str
    met: bool
    date: date | None  # the day this condition is (or will be) met, when it depends on time
    detail: str


@dataclass(frozen=True)
class Closure:
    earliest: date | None
    blockers: list[str]
    conditions: list[Condition]
    not_before: date | None = None  # while orders are open: the soonest the shop could close at all

    def as_json(self) -> dict[str, object]:
        return {"earliest_close_date": self.earliest.isoformat() if self.earliest else None,
                "not_before": self.not_before.isoformat() if self.not_before else None,
                "blockers": list(self.blockers)}


def closure(conn: Conn, today: date | None = None, *, order_facts: facts.OrderFacts | None = None,
            funds: dict[str, facts.Funds] | None = None,
            commissions: dict[str, facts.Commissions] | None = None) -> Closure:
    """The earliest closure date and its blockers.

    The date is null while it cannot be known: while orders are still open, the 90-day clock has not started.
    What is known then is a bound: the last open order ends today at the soonest, so the shop cannot close
    before 90 days from today (or before the notice has been up long enough, if that is later).
    A notice not yet posted is assumed to go up today, so the date shows what posting it now would allow.
    A caller that already computed the order, funds or commission figures passes them in, so a screen showing
    both never reads the same index twice.
    """
    today = today or date.today()
    conditions: list[Condition] = []

    notice_text = get_step(conn, CLOSURE_STEP).data.get("notice_posted_on")
    notice = date.fromisoformat(notice_text) if notice_text else None
    notice_ready = (notice or today) + timedelta(days=NOTICE_DAYS)
    conditions.append(Condition(
        "notice", f"Closure notice up for {NOTICE_DAYS} days", notice is not None and notice_ready <= today,
        notice_ready,
        f"posted {notice.isoformat()}, up for {NOTICE_DAYS} days on {notice_ready.isoformat()}" if notice
        else "not posted yet: post it in Seller Center and record the date",
    ))

    order_facts = order_facts or facts.order_facts(conn)
    last = facts.last_order_activity(conn)
    quiet_from = last + timedelta(days=QUIET_DAYS_AFTER_LAST_ORDER) if last else None
    conditions.append(Condition(
        "orders_closed", "Every order Completed or Cancelled", order_facts.open == 0, None,
        "no open orders" if order_facts.open == 0 else f"{order_facts.open} order(s) still open",
    ))
    conditions.append(Condition(
        "quiet_period", f"{QUIET_DAYS_AFTER_LAST_ORDER} days since the last order",
        order_facts.open == 0 and (quiet_from is None or quiet_from <= today),
        quiet_from if order_facts.open == 0 else None,
        "no orders recorded" if last is None else f"last order activity {last.isoformat()}",
    ))

    commission_facts = facts.commissions(conn) if commissions is None else commissions
    pending = sum(c.pending_orders for c in commission_facts.values())
    conditions.append(Condition(
        "commissions", "No affiliate commission still owed", pending == 0, None,
        "none pending" if pending == 0 else f"{pending} commission(s) still pending",
    ))

    owed: list[str] = []
    for currency, f in (facts.funds(conn) if funds is None else funds).items():
        if f.on_hold:
            owed.append(f"{format_display(f.on_hold, currency)} still on hold")
        if f.withdrawals_pending:
            owed.append(f"{format_display(f.withdrawals_pending, currency)} in withdrawals not yet paid out")
        if f.available_estimate > 0:
            owed.append(f"{format_display(f.available_estimate, currency)} settled but not withdrawn")
        elif f.available_estimate < 0:
            owed.append(f"{format_display(-f.available_estimate, currency)} more withdrawn than settled: check"
                        " for missing settlement exports")
    conditions.append(Condition(
        "balance", "Nothing owed either way", not owed, None, "; ".join(owed) or "balance settled",
    ))

    blockers = [c.detail if c.key != "notice" or notice is None else f"{c.label}: {c.detail}"
                for c in conditions if not c.met]
    if order_facts.open:
        bound = max(notice_ready, today + timedelta(days=QUIET_DAYS_AFTER_LAST_ORDER))
        return Closure(None, blockers, conditions, bound)
    dates = [notice_ready, today] + ([quiet_from] if quiet_from else [])
    return Closure(max(dates), blockers, conditions)
