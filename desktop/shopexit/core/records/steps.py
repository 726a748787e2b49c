"""Progress through the ten steps: status, dates, notes and each step's small facts."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from shopexit.core import audit
from shopexit.core.timeutil import now_iso
from shopexit.core.vault import Conn

STATUSES = ("todo", "doing", "done")


@dataclass(frozen=True)
class StepState:
    number: int
    status: str
    started_at: str | None
    done_at: str | None
    notes: str
    data: dict[str, Any] = field(default_factory=dict)


def all_steps(conn: Conn) -> list[StepState]:
    rows = conn.execute(
        "SELECT number, status, started_at, done_at, notes, data_json FROM steps ORDER BY number"
    ).fetchall()
    return [StepState(n, s, st, d, notes, json.loads(data or "{}")) for n, s, st, d, notes, data in rows]


def get_step(conn: Conn, number: int) -> StepState:
    return all_steps(conn)[number - 1]


def set_status(conn: Conn, number: int, status: str) -> None:
    """Mark a step todo/doing/done; 'done' is timestamped, and undoing it clears the stamp."""
    if status not in STATUSES:
        raise ValueError(f"unknown step status {status!r}")
    now = now_iso()
    conn.execute(
        "UPDATE steps SET status = ?,"
        " started_at = CASE WHEN ? != 'todo' THEN coalesce(started_at, ?) ELSE started_at END,"
        " done_at = CASE WHEN ? = 'done' THEN ? ELSE NULL END WHERE number = ?",
        (status, status, now, status, now, number),
    )
    audit.append(conn, "status", "step", number, status=status)


def set_notes(conn: Conn, number: int, notes: str) -> None:
    conn.execute("UPDATE steps SET notes = ? WHERE number = ?", (notes, number))
    audit.append(conn, "notes", "step", number, length=len(notes))


def set_data(conn: Conn, number: int, **values: Any) -> None:
    """Merge small facts into a step's data (e.g. step 4's `notice_posted_on`); None removes a key."""
    data = get_step(conn, number).data
    for key, value in values.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    conn.execute("UPDATE steps SET data_json = ? WHERE number = ?", (json.dumps(data, sort_keys=True), number))
    audit.append(conn, "data", "step", number, keys=sorted(values))
