"""Records the user adds by hand: a conversation held by email or phone, a message in it, a note on any record.

Imported records are what the platform said and are never edited here; what the user enters is marked
`entered_by_hand`, can be corrected, and every change lands with its audit entry (ids and sizes, never words).
Cases are edited through `records.cases`; hand-entered withdrawals through `records.finance`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shopexit.core import audit
from shopexit.core.errors import NotFound, ShopexitError
from shopexit.core.timeutil import now_iso, to_utc_iso
from shopexit.core.vault import Conn, Vault

CHANNELS: dict[str, str] = {
    "email": "Email", "phone": "Phone call", "direct": "TikTok direct message", "shop": "TikTok Shop chat",
    "other": "Other",
}
DIRECTIONS: dict[str, str] = {"in": "From them", "out": "From me", "unknown": "Not sure"}

NOTE_KINDS = frozenset({
    "order", "settlement", "on_hold", "withdrawal", "commission", "thread", "message", "case", "step",
    "link_place", "adviser", "platform", "attachment",
})
_TABLES = {
    "order": "orders", "settlement": "settlements", "on_hold": "on_hold", "withdrawal": "withdrawals",
    "commission": "commissions", "thread": "threads", "message": "messages", "case": "cases",
    "link_place": "link_places", "adviser": "advisers", "platform": "platforms", "attachment": "attachments",
}


class ManualEntryError(ShopexitError):
    """What was typed cannot be kept as a record (say what is missing)."""


def _key() -> str:
    return "manual:" + uuid.uuid4().hex


def _when(value: datetime | str | None) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return to_utc_iso(value)
    return to_utc_iso(datetime.fromisoformat(str(value).replace("Z", "+00:00")))


# -- conversations and messages ---------------------------------------------------------------------------------
def new_thread(vault: Vault, channel: str, counterpart: str, subject: str = "") -> int:
    """A conversation that happened outside TikTok (email, phone) or was not in any export."""
    if channel not in CHANNELS:
        raise ManualEntryError(f"unknown channel {channel!r}; channels: {', '.join(CHANNELS)}.")
    if not counterpart.strip():
        raise ManualEntryError("say who the conversation was with.")
    with vault.transaction() as tx:
        cur = tx.execute("INSERT INTO threads(thread_key, channel, counterpart, subject) VALUES (?,?,?,?)",
                         (_key(), channel, counterpart.strip(), subject.strip()))
        thread_id = int(cur.lastrowid)
        audit.append(tx, "add", "thread", thread_id, channel=channel, by_hand=True)
    return thread_id


def add_message(
    vault: Vault,
    thread_id: int,
    *,
    body: str,
    direction: str = "in",
    sender: str = "",
    sent_at: datetime | str | None = None,
    sent_text: str | None = None,
) -> int:
    """One message into a conversation: what the buyer wrote in an email, what was said on the phone."""
    if direction not in DIRECTIONS:
        raise ManualEntryError(f"unknown direction {direction!r}; use in, out or unknown.")
    if not body.strip():
        raise ManualEntryError("the message is empty; write what was said.")
    row = vault.conn.execute("SELECT counterpart FROM threads WHERE id = ?", (thread_id,)).fetchone()
    if row is None:
        raise NotFound(f"conversation #{thread_id}: no such conversation in this vault.")
    try:
        when = _when(sent_at)
    except ValueError as exc:
        raise ManualEntryError(f"when: {sent_at!r} is not a date and time.") from exc
    if not sender.strip():
        sender = row[0] if direction == "in" else ""
    with vault.transaction() as tx:
        cur = tx.execute(
            "INSERT INTO messages(thread_id, natural_key, direction, sender, sent_at, sent_text, body,"
            " entered_by_hand) VALUES (?,?,?,?,?,?,?,1)",
            (thread_id, _key(), direction, sender.strip(), when, sent_text, body.strip()),
        )
        message_id = int(cur.lastrowid)
        audit.append(tx, "add", "message", message_id, thread=thread_id, direction=direction, by_hand=True,
                     length=len(body.strip()))
    return message_id


def edit_message(vault: Vault, message_id: int, *, body: str | None = None, sender: str | None = None,
                 sent_at: datetime | str | None = None, direction: str | None = None) -> None:
    """Correct a message entered by hand. Imported messages are what the platform recorded: not editable."""
    row = vault.conn.execute("SELECT entered_by_hand FROM messages WHERE id = ?", (message_id,)).fetchone()
    if row is None:
        raise NotFound(f"message #{message_id}: no such message in this vault.")
    if not row[0]:
        raise ManualEntryError("this message came from an export and is kept as it was; add a note instead.")
    sets: dict[str, Any] = {}
    if body is not None:
        if not body.strip():
            raise ManualEntryError("the message is empty; write what was said.")
        sets["body"] = body.strip()
    if sender is not None:
        sets["sender"] = sender.strip()
    if sent_at is not None:
        sets["sent_at"] = _when(sent_at)
    if direction is not None:
        if direction not in DIRECTIONS:
            raise ManualEntryError(f"unknown direction {direction!r}; use in, out or unknown.")
        sets["direction"] = direction
    if not sets:
        return
    with vault.transaction() as tx:
        tx.execute(f"UPDATE messages SET {', '.join(f'{k} = ?' for k in sets)} WHERE id = ?",
                   (*sets.values(), message_id))
        audit.append(tx, "edit", "message", message_id, fields=sorted(sets))


# -- notes --------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Note:
    id: int
    target_kind: str
    target_id: int
    body: str
    created_at: str
    updated_at: str


def _check_target(conn: Conn, kind: str, target_id: int) -> None:
    if kind not in NOTE_KINDS:
        raise ManualEntryError(f"cannot put a note on {kind!r}.")
    if kind == "step":
        if not 1 <= target_id <= 10:
            raise NotFound(f"step {target_id}: steps are numbered 1 to 10.")
        return
    if conn.execute(f"SELECT 1 FROM {_TABLES[kind]} WHERE id = ?", (target_id,)).fetchone() is None:
        raise NotFound(f"{kind} #{target_id}: no such record in this vault.")


def add_note(vault: Vault, target_kind: str, target_id: int, body: str) -> int:
    """A note on any record: a phone call, a promise made, what support said."""
    if not body.strip():
        raise ManualEntryError("the note is empty.")
    _check_target(vault.conn, target_kind, target_id)
    now = now_iso()
    with vault.transaction() as tx:
        cur = tx.execute("INSERT INTO notes(target_kind, target_id, body, created_at, updated_at) VALUES (?,?,?,?,?)",
                         (target_kind, target_id, body.strip(), now, now))
        note_id = int(cur.lastrowid)
        audit.append(tx, "add", "note", note_id, target_kind=target_kind, target_id=target_id,
                     length=len(body.strip()))
    return note_id


def edit_note(vault: Vault, note_id: int, body: str) -> None:
    if not body.strip():
        raise ManualEntryError("the note is empty; delete it instead.")
    with vault.transaction() as tx:
        cur = tx.execute("UPDATE notes SET body = ?, updated_at = ? WHERE id = ?", (body.strip(), now_iso(), note_id))
        if not cur.rowcount:
            raise NotFound(f"note #{note_id}: no such note.")
        audit.append(tx, "edit", "note", note_id, length=len(body.strip()))


def delete_note(vault: Vault, note_id: int) -> None:
    with vault.transaction() as tx:
        cur = tx.execute("DELETE FROM notes WHERE id = ?", (note_id,))
        if not cur.rowcount:
            raise NotFound(f"note #{note_id}: no such note.")
        audit.append(tx, "delete", "note", note_id)


def notes_for(conn: Conn, target_kind: str, target_id: int) -> list[Note]:
    return [Note(int(i), k, int(t), b, c, u) for i, k, t, b, c, u in conn.execute(
        "SELECT id, target_kind, target_id, body, created_at, updated_at FROM notes"
        " WHERE target_kind = ? AND target_id = ? ORDER BY created_at, id", (target_kind, target_id))]


def get_note(conn: Conn, note_id: int) -> Note:
    row = conn.execute("SELECT id, target_kind, target_id, body, created_at, updated_at FROM notes WHERE id = ?",
                       (note_id,)).fetchone()
    if row is None:
        raise NotFound(f"note #{note_id}: no such note.")
    return Note(int(row[0]), row[1], int(row[2]), row[3], row[4], row[5])
