"""Cases: a dispute, return, "not received" claim, appeal or chargeback, gathered in one place before its deadline.

A case is opened from the order or conversation it is about, links the records that prove the seller's side,
carries the checklist of evidence such a case usually needs, and keeps a timeline. Deadlines are what the
platform or bank gave; a date alone means the end of that day in the shop's region, where the platform counts
its days. Every change lands with its audit entry; the log records ids and kinds, never the case's words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from shopexit.core import audit
from shopexit.core.errors import NotFound, ShopexitError
from shopexit.core.timeutil import now_iso, parse_iso, to_utc_iso, utc_now, zone_for_region
from shopexit.core.vault import Conn, Vault

KINDS: dict[str, str] = {
    "dispute": "Dispute",
    "return": "Return or refund",
    "not_received": "Not received claim",
    "appeal": "Appeal",
    "chargeback": "Chargeback",
}
STATUSES: dict[str, str] = {
    "open": "Open", "submitted": "Submitted", "won": "Won", "lost": "Lost", "closed": "Closed",
}
CLOSED = ("won", "lost", "closed")
LINK_KINDS = ("order", "thread", "message", "withdrawal", "settlement")

CHECKLISTS: dict[str, tuple[str, ...]] = {
    "dispute": (
        "Messages with the buyer about this order",
        "Order details: items, price, date",
        "Tracking record from the carrier",
        "Proof of delivery (photo, signature or GPS scan)",
        "Photos of the item as it was sent",
        "Your short written account of what happened",
    ),
    "return": (
        "The buyer's return or refund request and its reason",
        "Messages with the buyer",
        "Photos of the item as it was sent",
        "Photos of the item as it came back",
        "Return tracking record",
        "Receipt or invoice for the item",
    ),
    "not_received": (
        "Tracking record showing delivery",
        "Proof of delivery (photo, signature or GPS scan)",
        "Shipping receipt with the address used",
        "Carrier's written confirmation or investigation result",
        "Messages with the buyer",
    ),
    "appeal": (
        "The platform's notice or decision being appealed",
        "Your account of what happened, with dates",
        "Order and settlement records concerned",
        "Messages with platform support",
        "Invoices, receipts or licences that support you",
    ),
    "chargeback": (
        "Order details and invoice",
        "Settlement record showing the payment",
        "Tracking record and proof of delivery",
        "Messages with the buyer",
        "The return and refund policy shown at purchase",
        "Photos of the item as it was sent",
    ),
}


class CaseError(ShopexitError):
    """A case could not be opened or changed as asked."""


@dataclass(frozen=True)
class CaseSummary:
    id: int
    kind: str
    title: str
    status: str
    opened_at: str
    deadline: str | None
    closed_at: str | None
    days_left: int | None

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED

    @property
    def deadline_text(self) -> str:
        return days_left_text(self.days_left) if self.is_open else STATUSES.get(self.status, self.status)


@dataclass(frozen=True)
class ChecklistItem:
    id: int
    text: str
    done: bool


@dataclass(frozen=True)
class LinkedRecord:
    kind: str
    id: int
    label: str


@dataclass(frozen=True)
class CaseEvent:
    id: int
    at: str
    text: str


@dataclass(frozen=True)
class CaseDetail:
    summary: CaseSummary
    description: str
    checklist: list[ChecklistItem] = field(default_factory=list)
    links: list[LinkedRecord] = field(default_factory=list)
    evidence: list[tuple[int, str, str]] = field(default_factory=list)
    """(attachment id, original name, media type)"""
    events: list[CaseEvent] = field(default_factory=list)

    @property
    def checklist_done(self) -> int:
        return sum(1 for item in self.checklist if item.done)


# -- deadlines ---------------------------------------------------------------------------------------------------
def _region(conn: Conn) -> str:
    row = conn.execute("SELECT region FROM shop WHERE id = 1").fetchone()
    return str(row[0]) if row else "US"


def deadline_from_date(day: date, region: str) -> str:
    """The end of `day` in the shop's region, as UTC ISO text."""
    return to_utc_iso(datetime.combine(day, time(23, 59, 59), tzinfo=zone_for_region(region)))


def normalise_deadline(value: date | datetime | str | None, region: str) -> str | None:
    """Accept a date (end of that day, shop time), an aware datetime, or ISO text of either."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return to_utc_iso(value, zone_for_region(region))
    if isinstance(value, date):
        return deadline_from_date(value, region)
    text = str(value).strip()
    try:
        if len(text) == 10:
            return deadline_from_date(date.fromisoformat(text), region)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise CaseError(f"deadline {text!r}: write a date as YYYY-MM-DD.") from exc
    return to_utc_iso(moment, zone_for_region(region))


def days_left(deadline: str | None, region: str, today: date | None = None) -> int | None:
    """Whole days from today to the deadline's day, both in shop time: 0 means today, negative means passed."""
    if not deadline:
        return None
    zone = zone_for_region(region)
    today = today or utc_now().astimezone(zone).date()
    return (parse_iso(deadline).astimezone(zone).date() - today).days


def deadline_day(deadline: str | None, region: str) -> date | None:
    """The deadline's day as the platform counts it (shop time) — what the user typed, what to show."""
    if not deadline:
        return None
    return parse_iso(deadline).astimezone(zone_for_region(region)).date()


def days_left_text(days: int | None) -> str:
    if days is None:
        return "No deadline"
    if days < 0:
        return f"Deadline passed {-days} day{'s' if days != -1 else ''} ago"
    if days == 0:
        return "Due today"
    return f"{days} day{'s' if days != 1 else ''} left"


# -- reading -----------------------------------------------------------------------------------------------------
_SUMMARY_COLUMNS = "id, kind, title, status, opened_at, deadline, closed_at"


def _summary(row: Any, region: str, today: date | None) -> CaseSummary:
    case_id, kind, title, status, opened_at, deadline, closed_at = row
    left = days_left(deadline, region, today) if status not in CLOSED else None
    return CaseSummary(int(case_id), kind, title, status, opened_at, deadline, closed_at, left)


def list_cases(conn: Conn, today: date | None = None, *, include_closed: bool = True) -> list[CaseSummary]:
    """Open cases first, soonest deadline first; then closed ones, newest first."""
    where = "" if include_closed else f" WHERE status NOT IN ({','.join('?' * len(CLOSED))})"
    rows = conn.execute(
        f"SELECT {_SUMMARY_COLUMNS} FROM cases{where} ORDER BY status IN ('won', 'lost', 'closed'),"
        " deadline IS NULL, deadline, opened_at DESC, id DESC",
        () if include_closed else CLOSED,
    ).fetchall()
    region = _region(conn)
    return [_summary(r, region, today) for r in rows]


def upcoming_deadlines(conn: Conn, today: date | None = None) -> list[CaseSummary]:
    """Open cases with a deadline, soonest first: what the sidebar warns about."""
    return [c for c in list_cases(conn, today, include_closed=False) if c.deadline]


def get_case(conn: Conn, case_id: int, today: date | None = None) -> CaseDetail:
    row = conn.execute(f"SELECT {_SUMMARY_COLUMNS}, description FROM cases WHERE id = ?", (case_id,)).fetchone()
    if row is None:
        raise NotFound(f"case {case_id}: no such case in this vault.")
    summary = _summary(row[:7], _region(conn), today)
    checklist = [ChecklistItem(int(i), t, bool(d)) for i, t, d in conn.execute(
        "SELECT id, text, done FROM case_checklist WHERE case_id = ? ORDER BY position, id", (case_id,))]
    links = [LinkedRecord(k, int(t), record_label(conn, k, int(t))) for k, t in conn.execute(
        "SELECT target_kind, target_id FROM case_links WHERE case_id = ?"
        " ORDER BY CASE target_kind WHEN 'order' THEN 0 WHEN 'thread' THEN 1 WHEN 'message' THEN 2 ELSE 3 END,"
        " target_id", (case_id,))]
    evidence = [(int(i), n, m) for i, n, m in conn.execute(
        "SELECT a.id, a.original_name, a.media_type FROM attachment_links l JOIN attachments a"
        " ON a.id = l.attachment_id WHERE l.target_kind = 'case' AND l.target_id = ? ORDER BY l.linked_at, a.id",
        (case_id,))]
    events = [CaseEvent(int(i), a, t) for i, a, t in conn.execute(
        "SELECT id, at, text FROM case_events WHERE case_id = ? ORDER BY at, id", (case_id,))]
    return CaseDetail(summary, row[7], checklist, links, evidence, events)


def record_label(conn: Conn, kind: str, target_id: int) -> str:
    """How a linked record is named to a person."""
    row: Any
    if kind == "order":
        row = conn.execute("SELECT order_id, status FROM orders WHERE id = ?", (target_id,)).fetchone()
        return f"Order {row[0]} ({row[1]})" if row else f"Order #{target_id} (removed)"
    if kind == "thread":
        row = conn.execute("SELECT counterpart, channel FROM threads WHERE id = ?", (target_id,)).fetchone()
        return f"Conversation with {row[0]} ({row[1]})" if row else f"Conversation #{target_id} (removed)"
    if kind == "message":
        row = conn.execute("SELECT sender, sent_at FROM messages WHERE id = ?", (target_id,)).fetchone()
        return f"Message from {row[0] or 'unknown'}, {(row[1] or '')[:10]}".rstrip(", ") if row else \
            f"Message #{target_id} (removed)"
    if kind == "withdrawal":
        row = conn.execute("SELECT withdrawal_id, amount, currency FROM withdrawals WHERE id = ?",
                           (target_id,)).fetchone()
        if row:
            from shopexit.core.money import format_display

            return f"Withdrawal {row[0]} ({format_display(row[1], row[2])})"
        return f"Withdrawal #{target_id} (removed)"
    if kind == "settlement":
        row = conn.execute("SELECT reference_id, order_id FROM settlements WHERE id = ?", (target_id,)).fetchone()
        return f"Settlement {row[0]}" if row else f"Settlement #{target_id} (removed)"
    return f"{kind} #{target_id}"


# -- writing -----------------------------------------------------------------------------------------------------
def _event(conn: Conn, case_id: int, text: str, at: str | None = None) -> int:
    cur = conn.execute("INSERT INTO case_events(case_id, at, text) VALUES (?,?,?)", (case_id, at or now_iso(), text))
    return int(cur.lastrowid)


def _require(conn: Conn, case_id: int) -> None:
    if conn.execute("SELECT 1 FROM cases WHERE id = ?", (case_id,)).fetchone() is None:
        raise NotFound(f"case {case_id}: no such case in this vault.")


def _default_title(conn: Conn, kind: str, order_id: int | None, thread_id: int | None) -> str:
    label = KINDS[kind]
    if order_id is not None:
        row = conn.execute("SELECT order_id FROM orders WHERE id = ?", (order_id,)).fetchone()
        if row:
            return f"{label}: order {row[0]}"
    if thread_id is not None:
        row = conn.execute("SELECT counterpart FROM threads WHERE id = ?", (thread_id,)).fetchone()
        if row:
            return f"{label}: {row[0]}"
    return label


def open_case(
    vault: Vault,
    kind: str,
    *,
    title: str = "",
    order_id: int | None = None,
    thread_id: int | None = None,
    deadline: date | datetime | str | None = None,
    description: str = "",
) -> int:
    """Open a case about an order and/or a conversation; returns its id.

    Only the records the user named are linked, so a case never claims proof nobody looked at; the kind's
    evidence checklist is added, ready to tick.
    """
    if kind not in KINDS:
        raise CaseError(f"unknown case kind {kind!r}; kinds: {', '.join(KINDS)}.")
    conn = vault.conn
    if order_id is not None and conn.execute("SELECT 1 FROM orders WHERE id = ?", (order_id,)).fetchone() is None:
        raise NotFound(f"order #{order_id}: no such order in this vault.")
    if thread_id is not None and conn.execute("SELECT 1 FROM threads WHERE id = ?", (thread_id,)).fetchone() is None:
        raise NotFound(f"conversation #{thread_id}: no such conversation in this vault.")
    due = normalise_deadline(deadline, _region(conn))
    with vault.transaction() as tx:
        cur = tx.execute(
            "INSERT INTO cases(kind, title, status, opened_at, deadline, description) VALUES (?,?,?,?,?,?)",
            (kind, title.strip() or _default_title(tx, kind, order_id, thread_id), "open", now_iso(), due,
             description),
        )
        case_id = int(cur.lastrowid)
        for position, text in enumerate(CHECKLISTS[kind]):
            tx.execute("INSERT INTO case_checklist(case_id, position, text) VALUES (?,?,?)", (case_id, position, text))
        if order_id is not None:
            tx.execute("INSERT INTO case_links(case_id, target_kind, target_id) VALUES (?, 'order', ?)",
                       (case_id, order_id))
        if thread_id is not None:
            tx.execute("INSERT INTO case_links(case_id, target_kind, target_id) VALUES (?, 'thread', ?)",
                       (case_id, thread_id))
        _event(tx, case_id, f"{KINDS[kind]} opened")
        audit.append(tx, "open", "case", case_id, kind=kind, order=order_id, thread=thread_id,
                     has_deadline=due is not None)
    return case_id


_UNSET: Any = object()


def update_case(
    vault: Vault,
    case_id: int,
    *,
    title: str | None = None,
    description: str | None = None,
    status: str | None = None,
    deadline: date | datetime | str | None = _UNSET,
    kind: str | None = None,
) -> None:
    """Change what was given (deadline=None removes it). Status and deadline changes go on the timeline."""
    conn = vault.conn
    _require(conn, case_id)
    old = conn.execute("SELECT kind, status, deadline FROM cases WHERE id = ?", (case_id,)).fetchone()
    changed: list[str] = []
    with vault.transaction() as tx:
        if title is not None:
            if not title.strip():
                raise CaseError("a case needs a title.")
            tx.execute("UPDATE cases SET title = ? WHERE id = ?", (title.strip(), case_id))
            changed.append("title")
        if description is not None:
            tx.execute("UPDATE cases SET description = ? WHERE id = ?", (description, case_id))
            changed.append("description")
        if kind is not None and kind != old[0]:
            if kind not in KINDS:
                raise CaseError(f"unknown case kind {kind!r}; kinds: {', '.join(KINDS)}.")
            tx.execute("UPDATE cases SET kind = ? WHERE id = ?", (kind, case_id))
            _event(tx, case_id, f"Now a {KINDS[kind].lower()}")
            changed.append("kind")
        if status is not None and status != old[1]:
            if status not in STATUSES:
                raise CaseError(f"unknown case status {status!r}; statuses: {', '.join(STATUSES)}.")
            closed_at = now_iso() if status in CLOSED else None
            tx.execute("UPDATE cases SET status = ?, closed_at = ? WHERE id = ?", (status, closed_at, case_id))
            _event(tx, case_id, f"Status: {STATUSES[status]}")
            changed.append("status")
        if deadline is not _UNSET:
            due = normalise_deadline(deadline, _region(tx))
            if due != old[2]:
                tx.execute("UPDATE cases SET deadline = ? WHERE id = ?", (due, case_id))
                _event(tx, case_id, f"Deadline set to {due[:10]}" if due else "Deadline removed")
                changed.append("deadline")
        if changed:
            audit.append(tx, "edit", "case", case_id, fields=changed, status=status, kind=kind)


def add_event(vault: Vault, case_id: int, text: str, at: datetime | str | None = None) -> int:
    """Something that happened (a reply sent, a call with support), on the case's timeline."""
    if not text.strip():
        raise CaseError("an event needs a few words saying what happened.")
    _require(vault.conn, case_id)
    when = to_utc_iso(at) if isinstance(at, datetime) else (at or None)
    with vault.transaction() as tx:
        event_id = _event(tx, case_id, text.strip(), when)
        audit.append(tx, "event", "case", case_id, event=event_id)
    return event_id


def set_checklist_done(vault: Vault, item_id: int, done: bool) -> None:
    with vault.transaction() as tx:
        row = tx.execute("SELECT case_id FROM case_checklist WHERE id = ?", (item_id,)).fetchone()
        if row is None:
            raise NotFound(f"checklist item {item_id}: no such item.")
        tx.execute("UPDATE case_checklist SET done = ? WHERE id = ?", (int(done), item_id))
        audit.append(tx, "check" if done else "uncheck", "case", row[0], item=item_id)


def add_checklist_item(vault: Vault, case_id: int, text: str) -> int:
    if not text.strip():
        raise CaseError("a checklist item needs some text.")
    _require(vault.conn, case_id)
    with vault.transaction() as tx:
        position = tx.execute("SELECT coalesce(max(position), -1) + 1 FROM case_checklist WHERE case_id = ?",
                              (case_id,)).fetchone()[0]
        cur = tx.execute("INSERT INTO case_checklist(case_id, position, text) VALUES (?,?,?)",
                         (case_id, position, text.strip()))
        audit.append(tx, "checklist_add", "case", case_id, item=int(cur.lastrowid))
    return int(cur.lastrowid)


def link_record(vault: Vault, case_id: int, kind: str, target_id: int) -> bool:
    """Link an order, conversation, message, withdrawal or settlement; True when the link is new."""
    if kind not in LINK_KINDS:
        raise CaseError(f"a case links {', '.join(LINK_KINDS)}, not {kind!r}.")
    _require(vault.conn, case_id)
    with vault.transaction() as tx:
        cur = tx.execute("INSERT OR IGNORE INTO case_links(case_id, target_kind, target_id) VALUES (?,?,?)",
                         (case_id, kind, target_id))
        if cur.rowcount:
            _event(tx, case_id, f"Linked {record_label(tx, kind, target_id)}")
            audit.append(tx, "link", "case", case_id, target_kind=kind, target_id=target_id)
    return bool(cur.rowcount)


def unlink_record(vault: Vault, case_id: int, kind: str, target_id: int) -> bool:
    with vault.transaction() as tx:
        cur = tx.execute("DELETE FROM case_links WHERE case_id = ? AND target_kind = ? AND target_id = ?",
                         (case_id, kind, target_id))
        if cur.rowcount:
            audit.append(tx, "unlink", "case", case_id, target_kind=kind, target_id=target_id)
    return bool(cur.rowcount)


def cases_for(conn: Conn, kind: str, target_id: int) -> list[CaseSummary]:
    """The cases a record is part of (an order's detail pane lists them)."""
    rows = conn.execute(
        f"SELECT {', '.join('c.' + c.strip() for c in _SUMMARY_COLUMNS.split(','))} FROM case_links l"
        " JOIN cases c ON c.id = l.case_id WHERE l.target_kind = ? AND l.target_id = ? ORDER BY c.opened_at",
        (kind, target_id)).fetchall()
    region = _region(conn)
    return [_summary(r, region, None) for r in rows]
