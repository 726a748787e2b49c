"""The vault at a glance, as `shopexit status --json` prints it."""

from __future__ import annotations

from datetime import date
from typing import Any

from shopexit.core import facts, plan
from shopexit.core.records.steps import all_steps
from shopexit.core.vault import Conn


def status(conn: Conn, today: date | None = None) -> dict[str, Any]:
    orders = facts.order_facts(conn)
    funds = facts.funds(conn)
    commissions = facts.commissions(conn)
    return {
        "orders": {"total": orders.total, "open": orders.open, "lines": orders.lines,
                   "by_status": orders.by_status},
        "funds": {c: f.as_json() for c, f in funds.items()},
        "commissions": {c: m.as_json() for c, m in commissions.items()},
        "messages": facts.count(conn, "messages"),
        "attachments": facts.count(conn, "attachments", "origin != 'import'"),
        "cases_open": facts.count(conn, "cases", "status IN ('open', 'submitted')"),
        "steps": [{"number": s.number, "title": plan.STEP_TITLES[s.number - 1], "status": s.status,
                   "done_at": s.done_at} for s in all_steps(conn)],
        # the figures read above, handed on: the closure rules need the same ones, read once
        "closure": plan.closure(conn, today, order_facts=orders, funds=funds, commissions=commissions).as_json(),
    }
