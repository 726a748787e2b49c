"""Figures computed from the records: orders, funds and commissions per currency, counts.

Every screen, `status --json` and the archive read these same functions, so they can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shopexit.core.money import format_minor
from shopexit.core.vault import Conn

CLOSED_STATUSES = ("Completed", "Cancelled")
SUCCEEDED_WITHDRAWAL = ("SUCCESS", "SUCCEEDED", "SUCCESSFUL", "COMPLETED", "PAID")
INELIGIBLE = "Ineligible"
PENDING_COMMISSION = ("Pending", "Unsettled", "To be settled")


@dataclass(frozen=True)
class OrderFacts:
    total: int
    open: int
    lines: int
    by_status: dict[str, int]


@dataclass(frozen=True)
class Funds:
    """Minor units of one currency."""

    currency: str
    settled: int = 0
    on_hold: int = 0
    withdrawn: int = 0
    withdrawals_pending: int = 0

    @property
    def available_estimate(self) -> int:
        return self.settled - self.withdrawn

    def as_json(self) -> dict[str, str]:
        c = self.currency
        return {"settled": format_minor(self.settled, c), "on_hold": format_minor(self.on_hold, c),
                "withdrawn": format_minor(self.withdrawn, c),
                "available_estimate": format_minor(self.available_estimate, c)}


@dataclass(frozen=True)
class Commissions:
    currency: str
    estimated: int = 0
    earned: int = 0
    ineligible_orders: int = 0
    pending_orders: int = 0

    def as_json(self) -> dict[str, object]:
        c = self.currency
        return {"estimated": format_minor(self.estimated, c), "earned": format_minor(self.earned, c),
                "ineligible_orders": self.ineligible_orders}


def _placeholders(values: tuple[str, ...]) -> str:
    return ",".join("?" * len(values))


def order_facts(conn: Conn) -> OrderFacts:
    by_status = dict(conn.execute("SELECT status, count(*) FROM orders GROUP BY status ORDER BY 2 DESC"))
    total = sum(by_status.values())
    closed = sum(n for s, n in by_status.items() if s in CLOSED_STATUSES)
    lines = conn.execute("SELECT count(*) FROM order_lines").fetchone()[0]
    return OrderFacts(total, total - closed, lines, by_status)


def open_orders_sql() -> str:
    return f"status NOT IN ({_placeholders(CLOSED_STATUSES)})"


def funds(conn: Conn) -> dict[str, Funds]:
    """Per currency: settled, on hold, withdrawn (succeeded only) and withdrawals still in flight."""
    acc: dict[str, dict[str, int]] = {}

    def add(currency: str, key: str, minor: int) -> None:
        acc.setdefault(currency, {})[key] = acc.get(currency, {}).get(key, 0) + int(minor or 0)

    for currency, total in conn.execute("SELECT currency, sum(settlement_amount) FROM settlements GROUP BY 1"):
        add(currency, "settled", total)
    # An order held in an older on-hold snapshot that has since settled is settled, not held: counting it in
    # both would show the same money twice (on-hold keys start with the row's type, see importers.on_hold).
    for currency, total in conn.execute(
        "SELECT currency, sum(amount) FROM on_hold WHERE NOT (natural_key LIKE 'order|%' AND order_id IN"
        " (SELECT reference_id FROM settlements WHERE lower(type) IN ('', 'order'))) GROUP BY 1"
    ):
        add(currency, "on_hold", total)
    ok = SUCCEEDED_WITHDRAWAL
    for currency, total in conn.execute(
        f"SELECT currency, sum(amount) FROM withdrawals WHERE upper(status) IN ({_placeholders(ok)}) GROUP BY 1",
        ok,
    ):
        add(currency, "withdrawn", total)
    for currency, total in conn.execute(
        "SELECT currency, sum(amount) FROM withdrawals WHERE upper(status) NOT IN"
        f" ({_placeholders(ok)}, 'FAILED', 'FAIL', 'REJECTED', 'CANCELLED', 'CANCELED') GROUP BY 1",
        ok,
    ):
        add(currency, "withdrawals_pending", total)
    return {c: Funds(c, **values) for c, values in sorted(acc.items())}


def commissions(conn: Conn) -> dict[str, Commissions]:
    rows = conn.execute(
        "SELECT currency, sum(estimated), sum(earned),"
        " sum(settlement_status = ?),"
        f" sum(settlement_status IN ({_placeholders(PENDING_COMMISSION)}))"
        " FROM commissions GROUP BY currency ORDER BY currency",
        (INELIGIBLE, *PENDING_COMMISSION),
    ).fetchall()
    return {c: Commissions(c, int(e or 0), int(r or 0), int(i or 0), int(p or 0)) for c, e, r, i, p in rows}


def count(conn: Conn, table: str, where: str = "1") -> int:
    return int(conn.execute(f"SELECT count(*) FROM {table} WHERE {where}").fetchone()[0])


def last_order_activity(conn: Conn) -> date | None:
    """The day the last order last moved (delivered, cancelled, shipped or placed), for the 90-day rule."""
    row = conn.execute(
        "SELECT max(coalesce(delivered_at, cancelled_at, shipped_at, paid_at, created_at)) FROM orders"
    ).fetchone()
    return date.fromisoformat(row[0][:10]) if row and row[0] else None
