"""The creator's own records of the exit: checklists, the goodbye announcement, the links to update, the
platforms compared, the advisers consulted, and the purge of buyer data at the end.

Every function takes the connection of a transaction the caller opened (`with vault.transaction() as tx`), and
writes its audit entry in that same transaction. Audit details name ids, counts and field names — never what
the user wrote.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from shopexit.core import audit, step_texts
from shopexit.core.errors import NotFound, ShopexitError
from shopexit.core.records import raw
from shopexit.core.records.steps import get_step, set_data, set_status
from shopexit.core.timeutil import now_iso
from shopexit.core.vault import Conn

ANNOUNCE_STEP = 5
PLATFORM_STEP = 8
MAX_SCORE = 5
DEFAULT_CRITERIA: tuple[tuple[str, int], ...] = (
    ("Fees on a typical order", 2), ("Reaches my audience", 2), ("Effort to set up", 1), ("Payout speed", 1),
)


class InvalidEntry(ShopexitError):
    """Something typed into a step's form cannot be kept as it is (an empty name, a score out of range)."""


class DisputeOpen(ShopexitError):
    """Buyer data is still needed: a case is open."""


# -- checklists --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ChecklistItem:
    id: int
    step: int
    key: str | None
    text: str
    done: bool
    done_at: str | None
    custom: bool


def ensure_defaults(conn: Conn, step: int | None = None) -> int:
    """Add the default checklist items that are not in the vault yet (all steps, or one); returns how many.

    Keys make this safe to run on every unlock: an item the user ticked keeps its tick, a reworded text does
    not duplicate it.
    """
    added = 0
    numbers = [step] if step else range(1, step_texts.STEP_COUNT + 1)
    for number in numbers:
        defaults = step_texts.load(number).checklist
        existing = {k for (k,) in conn.execute(
            "SELECT item_key FROM step_checklist WHERE step = ? AND item_key IS NOT NULL", (number,))}
        position = _next_position(conn, number)
        for item in defaults:
            if item.key in existing:
                continue
            conn.execute(
                "INSERT INTO step_checklist(step, position, item_key, text) VALUES (?,?,?,?)",
                (number, position, item.key, item.text),
            )
            position += 1
            added += 1
    if added:
        audit.append(conn, "seed", "step_checklist", step or "", items=added)
    return added


def _next_position(conn: Conn, step: int) -> int:
    return int(conn.execute("SELECT coalesce(max(position), 0) + 1 FROM step_checklist WHERE step = ?",
                            (step,)).fetchone()[0])


def checklist(conn: Conn, step: int) -> list[ChecklistItem]:
    """Default items take their current wording from resources; the user's own items are shown as written."""
    texts = {d.key: d.text for d in step_texts.load(step).checklist}
    rows = conn.execute(
        "SELECT id, step, item_key, text, done, done_at, custom FROM step_checklist WHERE step = ?"
        " ORDER BY position, id", (step,)).fetchall()
    return [ChecklistItem(i, s, k, texts.get(k, t) if k else t, bool(d), da, bool(c))
            for i, s, k, t, d, da, c in rows]


def add_item(conn: Conn, step: int, text: str) -> int:
    text = text.strip()
    if not text:
        raise InvalidEntry("A checklist item needs some text.")
    _check_step(step)
    cur = conn.execute("INSERT INTO step_checklist(step, position, text, custom) VALUES (?,?,?,1)",
                       (step, _next_position(conn, step), text))
    item_id = int(cur.lastrowid)
    audit.append(conn, "add", "step_checklist", item_id, step=step)
    return item_id


def set_item_done(conn: Conn, item_id: int, done: bool) -> None:
    """Tick or untick; the first tick on a step that was still 'to do' moves it to 'doing'."""
    row = conn.execute("SELECT step FROM step_checklist WHERE id = ?", (item_id,)).fetchone()
    if row is None:
        raise NotFound(f"checklist item {item_id} does not exist.")
    conn.execute("UPDATE step_checklist SET done = ?, done_at = ? WHERE id = ?",
                 (int(done), now_iso() if done else None, item_id))
    audit.append(conn, "tick" if done else "untick", "step_checklist", item_id, step=row[0])
    if done:
        start_step(conn, int(row[0]))


def remove_item(conn: Conn, item_id: int) -> None:
    """Only the user's own items can go; the defaults are part of the guide (untick them instead)."""
    row = conn.execute("SELECT step, custom FROM step_checklist WHERE id = ?", (item_id,)).fetchone()
    if row is None:
        raise NotFound(f"checklist item {item_id} does not exist.")
    if not row[1]:
        raise InvalidEntry("Items from the guide stay on the list; leave them unticked if they don't apply.")
    conn.execute("DELETE FROM step_checklist WHERE id = ?", (item_id,))
    audit.append(conn, "remove", "step_checklist", item_id, step=row[0])


# -- step state ----------------------------------------------------------------------------------------------------
def _check_step(step: int) -> None:
    if not 1 <= step <= step_texts.STEP_COUNT:
        raise NotFound(f"step {step}: steps are numbered 1 to {step_texts.STEP_COUNT}.")


def start_step(conn: Conn, step: int) -> None:
    """'to do' becomes 'doing' once the user works on a step; a done step stays done."""
    if get_step(conn, step).status == "todo":
        set_status(conn, step, "doing")


def mark_done(conn: Conn, step: int) -> None:
    _check_step(step)
    set_status(conn, step, "done")


def undo_done(conn: Conn, step: int) -> None:
    """Back to 'doing': the step was worked on, the date it was marked done is dropped."""
    _check_step(step)
    if get_step(conn, step).status == "done":
        set_status(conn, step, "doing")


def set_notice_date(conn: Conn, posted_on: date | None) -> None:
    """Step 4: the day the shop-closure notice went up in Seller Center (None: not posted yet)."""
    if posted_on is not None and posted_on > date.today():
        raise InvalidEntry("The closure notice date cannot be in the future.")
    set_data(conn, 4, notice_posted_on=posted_on.isoformat() if posted_on else None)
    start_step(conn, 4)


# -- generic helpers for the small per-step tables -------------------------------------------------------------
def _update(conn: Conn, table: str, entity: str, row_id: int, allowed: set[str], values: dict[str, Any]) -> None:
    unknown = set(values) - allowed
    if unknown:
        raise InvalidEntry(f"cannot change {', '.join(sorted(unknown))} of a {entity}.")
    if not values:
        return
    assignments = ", ".join(f"{name} = ?" for name in values)
    cur = conn.execute(f"UPDATE {table} SET {assignments} WHERE id = ?", (*values.values(), row_id))
    if not cur.rowcount:
        raise NotFound(f"{entity} {row_id} does not exist.")
    audit.append(conn, "edit", entity, row_id, fields=sorted(values))


def _remove(conn: Conn, table: str, entity: str, row_id: int) -> None:
    cur = conn.execute(f"DELETE FROM {table} WHERE id = ?", (row_id,))
    if not cur.rowcount:
        raise NotFound(f"{entity} {row_id} does not exist.")
    # The evidence stays in the vault; only the link to the removed row goes.
    links = conn.execute("DELETE FROM attachment_links WHERE target_kind = ? AND target_id = ?",
                         (entity, row_id)).rowcount
    audit.append(conn, "remove", entity, row_id, links_removed=links)


def _date_text(value: date | str | None, what: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError as exc:
        raise InvalidEntry(f"{what}: '{value}' is not a date (YYYY-MM-DD).") from exc


def _evidence_counts(conn: Conn, kind: str) -> dict[int, int]:
    return dict(conn.execute(
        "SELECT target_id, count(*) FROM attachment_links WHERE target_kind = ? GROUP BY target_id", (kind,)))


# -- step 5: the goodbye ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Announcement:
    id: int
    place: str
    posted_on: str | None
    url: str
    note: str


def draft(conn: Conn) -> str:
    return str(get_step(conn, ANNOUNCE_STEP).data.get("draft", ""))


def save_draft(conn: Conn, text: str) -> None:
    if text == draft(conn):
        return
    set_data(conn, ANNOUNCE_STEP, draft=text or None)
    start_step(conn, ANNOUNCE_STEP)


def announcements(conn: Conn) -> list[Announcement]:
    return [Announcement(i, p, d, u, n) for i, p, d, u, n in conn.execute(
        "SELECT id, place, posted_at, url, note FROM announcements ORDER BY coalesce(posted_at, '9'), id")]


def add_announcement(conn: Conn, place: str, posted_on: date | str | None = None, url: str = "",
                     note: str = "") -> int:
    place = place.strip()
    if not place:
        raise InvalidEntry("Say where the announcement was posted.")
    cur = conn.execute("INSERT INTO announcements(place, posted_at, url, note) VALUES (?,?,?,?)",
                       (place, _date_text(posted_on, "posted on"), url.strip(), note.strip()))
    row_id = int(cur.lastrowid)
    audit.append(conn, "add", "announcement", row_id)
    start_step(conn, ANNOUNCE_STEP)
    return row_id


def update_announcement(conn: Conn, row_id: int, **values: Any) -> None:
    if "posted_on" in values:
        values["posted_at"] = _date_text(values.pop("posted_on"), "posted on")
    if "place" in values and not str(values["place"]).strip():
        raise InvalidEntry("Say where the announcement was posted.")
    _update(conn, "announcements", "announcement", row_id, {"place", "posted_at", "url", "note"}, values)


def remove_announcement(conn: Conn, row_id: int) -> None:
    _remove(conn, "announcements", "announcement", row_id)


# -- step 6: links -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LinkPlace:
    id: int
    place: str
    old_url: str
    new_destination: str
    done: bool
    done_at: str | None
    evidence: int = 0


def link_places(conn: Conn) -> list[LinkPlace]:
    counts = _evidence_counts(conn, "link_place")
    return [LinkPlace(i, p, o, n, bool(d), da, counts.get(i, 0)) for i, p, o, n, d, da in conn.execute(
        "SELECT id, place, old_url, new_destination, done, done_at FROM link_places ORDER BY id")]


def add_link_place(conn: Conn, place: str, old_url: str = "", new_destination: str = "") -> int:
    place = place.strip()
    if not place:
        raise InvalidEntry("Name the place where the link lived (e.g. TikTok bio).")
    cur = conn.execute("INSERT INTO link_places(place, old_url, new_destination) VALUES (?,?,?)",
                       (place, old_url.strip(), new_destination.strip()))
    row_id = int(cur.lastrowid)
    audit.append(conn, "add", "link_place", row_id)
    start_step(conn, 6)
    return row_id


def update_link_place(conn: Conn, row_id: int, **values: Any) -> None:
    if "done" in values:
        done = bool(values["done"])
        values["done"] = int(done)
        values["done_at"] = now_iso() if done else None
    if "place" in values and not str(values["place"]).strip():
        raise InvalidEntry("Name the place where the link lived (e.g. TikTok bio).")
    _update(conn, "link_places", "link_place", row_id, {"place", "old_url", "new_destination", "done", "done_at"},
            values)


def remove_link_place(conn: Conn, row_id: int) -> None:
    _remove(conn, "link_places", "link_place", row_id)


# -- step 8: platforms ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Criterion:
    name: str
    weight: int = 1


@dataclass(frozen=True)
class Platform:
    id: int
    name: str
    scores: dict[str, int]
    notes: str
    chosen: bool
    total: Decimal  # weighted mean on the 0..5 scale, over the criteria scored so far
    evidence: int = 0


def criteria(conn: Conn) -> list[Criterion]:
    raw = get_step(conn, PLATFORM_STEP).data.get("criteria")
    if not isinstance(raw, list):
        return [Criterion(n, w) for n, w in DEFAULT_CRITERIA]
    return [Criterion(str(c["name"]), int(c.get("weight", 1))) for c in raw if isinstance(c, dict) and c.get("name")]


def set_criteria(conn: Conn, items: list[Criterion]) -> None:
    names = [c.name.strip() for c in items]
    if any(not n for n in names):
        raise InvalidEntry("A criterion needs a name.")
    if len({n.casefold() for n in names}) != len(names):
        raise InvalidEntry("Two criteria have the same name.")
    if any(not 0 <= c.weight <= 5 for c in items):
        raise InvalidEntry("A criterion's weight is between 0 and 5.")
    set_data(conn, PLATFORM_STEP, criteria=[{"name": n, "weight": c.weight} for n, c in zip(names, items,
                                                                                             strict=True)])
    start_step(conn, PLATFORM_STEP)


def weighted_total(scores: dict[str, int], weights: list[Criterion]) -> Decimal:
    numerator = sum((Decimal(scores[c.name]) * c.weight for c in weights if c.name in scores), Decimal(0))
    denominator = Decimal(sum(c.weight for c in weights if c.name in scores))
    if not denominator:
        return Decimal(0)
    return (numerator / denominator).quantize(Decimal("0.1"))


def platforms(conn: Conn) -> list[Platform]:
    weights = criteria(conn)
    counts = _evidence_counts(conn, "platform")
    result = []
    for i, name, scores_json, notes, chosen in conn.execute(
            "SELECT id, name, scores_json, notes, chosen FROM platforms ORDER BY id"):
        scores = {str(k): int(v) for k, v in json.loads(scores_json or "{}").items()}
        result.append(Platform(i, name, scores, notes, bool(chosen), weighted_total(scores, weights),
                               counts.get(i, 0)))
    return result


def add_platform(conn: Conn, name: str) -> int:
    name = name.strip()
    if not name:
        raise InvalidEntry("A platform needs a name.")
    if conn.execute("SELECT 1 FROM platforms WHERE name = ?", (name,)).fetchone():
        raise InvalidEntry(f"{name} is already on the list.")
    cur = conn.execute("INSERT INTO platforms(name) VALUES (?)", (name,))
    row_id = int(cur.lastrowid)
    audit.append(conn, "add", "platform", row_id)
    start_step(conn, PLATFORM_STEP)
    return row_id


def set_score(conn: Conn, platform_id: int, criterion: str, score: int | None) -> None:
    if score is not None and not 0 <= score <= MAX_SCORE:
        raise InvalidEntry(f"Scores run from 0 to {MAX_SCORE}.")
    row = conn.execute("SELECT scores_json FROM platforms WHERE id = ?", (platform_id,)).fetchone()
    if row is None:
        raise NotFound(f"platform {platform_id} does not exist.")
    scores = json.loads(row[0] or "{}")
    if score is None:
        scores.pop(criterion, None)
    else:
        scores[criterion] = int(score)
    conn.execute("UPDATE platforms SET scores_json = ? WHERE id = ?", (json.dumps(scores, sort_keys=True),
                                                                        platform_id))
    audit.append(conn, "score", "platform", platform_id)


def update_platform(conn: Conn, platform_id: int, **values: Any) -> None:
    if "name" in values and not str(values["name"]).strip():
        raise InvalidEntry("A platform needs a name.")
    _update(conn, "platforms", "platform", platform_id, {"name", "notes"}, values)


def choose_platform(conn: Conn, platform_id: int | None) -> None:
    """Record the choice (one at most); None clears it."""
    if platform_id is not None and not conn.execute("SELECT 1 FROM platforms WHERE id = ?",
                                                    (platform_id,)).fetchone():
        raise NotFound(f"platform {platform_id} does not exist.")
    conn.execute("UPDATE platforms SET chosen = (id IS ?)", (platform_id,))
    audit.append(conn, "choose", "platform", platform_id or "")


def remove_platform(conn: Conn, platform_id: int) -> None:
    _remove(conn, "platforms", "platform", platform_id)


# -- step 9: advisers -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Adviser:
    id: int
    who: str
    consulted_on: str | None
    advice: str
    cost: int  # minor units
    currency: str
    evidence: int = 0


def advisers(conn: Conn) -> list[Adviser]:
    counts = _evidence_counts(conn, "adviser")
    return [Adviser(i, w, d, a, c, cur, counts.get(i, 0)) for i, w, d, a, c, cur in conn.execute(
        "SELECT id, who, consulted_on, advice, cost, currency FROM advisers ORDER BY coalesce(consulted_on, '9'),"
        " id")]


def add_adviser(conn: Conn, who: str, consulted_on: date | str | None = None, advice: str = "", cost: int = 0,
                currency: str = "USD") -> int:
    who = who.strip()
    if not who:
        raise InvalidEntry("Say who you consulted.")
    if cost < 0:
        raise InvalidEntry("A cost cannot be negative.")
    cur = conn.execute("INSERT INTO advisers(who, consulted_on, advice, cost, currency) VALUES (?,?,?,?,?)",
                       (who, _date_text(consulted_on, "consulted on"), advice.strip(), int(cost),
                        currency.upper()))
    row_id = int(cur.lastrowid)
    audit.append(conn, "add", "adviser", row_id)
    start_step(conn, 9)
    return row_id


def update_adviser(conn: Conn, row_id: int, **values: Any) -> None:
    if "consulted_on" in values:
        values["consulted_on"] = _date_text(values["consulted_on"], "consulted on")
    if "who" in values and not str(values["who"]).strip():
        raise InvalidEntry("Say who you consulted.")
    if "cost" in values and int(values["cost"]) < 0:
        raise InvalidEntry("A cost cannot be negative.")
    _update(conn, "advisers", "adviser", row_id, {"who", "consulted_on", "advice", "cost", "currency"}, values)


def remove_adviser(conn: Conn, row_id: int) -> None:
    _remove(conn, "advisers", "adviser", row_id)


# -- step 10: purging buyer personal data ----------------------------------------------------------------------------
BUYER_COLUMNS = ("buyer_username", "recipient", "phone", "address", "buyer_message")
# Words in the keys of an export's original row (kept in raw_json) that mark a buyer's personal data: "Phone #",
# "Detail Address", "buyer_nickname", "Zipcode" are all caught; "Warehouse Name" or "Order Status" are not.
_BUYER_WORDS = frozenset({
    "buyer", "recipient", "phone", "mobile", "address", "zip", "zipcode", "postcode", "postal", "street",
    "district", "districts", "village", "villages", "city", "state", "province", "email", "nickname", "username",
    "receiver", "contact", "instruction",
})
REMOVED_CAPTION = "Source file removed when buyer data was purged"
_SOURCE_NOTE = (
    "This source file was removed from the vault on {day}, when buyer personal data was purged.\n"
    "It held buyer names, usernames, phone numbers, addresses or conversations with buyers. The records imported\n"
    "from it that are not buyer data remain.\n"
    "Original file: {name}\nOriginal size: {size} bytes\nOriginal SHA-256: {sha256}\n"
)


def _is_buyer_key(key: str) -> bool:
    words = [w.lower() for w in re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])", key)]
    if any(w in _BUYER_WORDS for w in words):
        return True
    return "house" in words and ("name" in words or "number" in words)


def strip_buyer_fields(raw: Any) -> tuple[Any, int]:
    """The same structure with every buyer field blanked; returns it and how many values were removed."""
    if isinstance(raw, dict):
        out: dict[str, Any] = {}
        removed = 0
        for key, value in raw.items():
            if _is_buyer_key(str(key)) and value not in ("", None):
                out[key] = ""
                removed += 1
            else:
                out[key], n = strip_buyer_fields(value)
                removed += n
        return out, removed
    if isinstance(raw, list):
        items = [strip_buyer_fields(v) for v in raw]
        return [v for v, _ in items], sum(n for _, n in items)
    return raw, 0


@dataclass(frozen=True)
class PurgePreview:
    orders_with_buyer_data: int  # orders not purged yet
    orders_purged: int
    source_files: int  # imported files that hold buyer data and will be replaced by a note
    open_cases: list[str] = field(default_factory=list)  # titles of the cases that block a purge
    buyer_threads: int = 0  # direct-message conversations with a buyer of an order
    buyer_messages: int = 0  # the messages in them

    @property
    def allowed(self) -> bool:
        return not self.open_cases

    @property
    def needed(self) -> bool:
        return bool(self.orders_with_buyer_data or self.source_files or self.buyer_threads)

    def refuse_if_not_allowed(self) -> None:
        if self.open_cases:
            raise DisputeOpen(f"A case is still open ({self.open_cases[0]}); buyer data is kept until every case "
                              "is closed.")


@dataclass(frozen=True)
class PurgeResult:
    orders: int
    lines: int
    source_files: int
    fields_removed: int
    threads: int = 0
    messages: int = 0


def _buyer_sources(conn: Conn) -> list[tuple[int, int]]:
    """(import id, attachment id) of every imported orders export that still holds its original bytes.

    Chosen by the import's kind (the orders export is the one carrying names, phones and addresses), not by
    looking for orders that point at it: `orders.import_id` has no index, and step 10 asks this on every visit.
    """
    return [(int(i), int(a)) for i, a in conn.execute(
        "SELECT i.id, i.attachment_id FROM imports i JOIN attachments a ON a.id = i.attachment_id"
        " WHERE a.caption != ? AND i.kind LIKE '%order%' AND i.kind NOT LIKE '%affiliate%'"
        " AND i.kind NOT LIKE '%commission%'", (REMOVED_CAPTION,))]


# Direct-message conversations whose counterpart is the buyer of an order: TikTok usernames are ASCII, so
# SQLite's ASCII-only lower() compares them as the app shows them ("@Q.Canary" and "q.canary" are one buyer).
# One index seek per conversation (schema m0006 indexes this very expression).
_BUYER_THREADS = (
    "SELECT t.id FROM threads t WHERE t.channel = 'direct' AND EXISTS (SELECT 1 FROM orders o"
    " WHERE o.buyer_username != '' AND lower(ltrim(trim(o.buyer_username), '@'))"
    " = lower(ltrim(trim(t.counterpart), '@')))")
_IDS = "SELECT value FROM json_each(?)"


def _buyer_threads(conn: Conn) -> tuple[list[int], int]:
    """Ids of the conversations with buyers, and how many messages they hold."""
    ids = [int(i) for (i,) in conn.execute(_BUYER_THREADS)]
    if not ids:
        return [], 0
    messages = conn.execute(f"SELECT count(*) FROM messages WHERE thread_id IN ({_IDS})", (json.dumps(ids),))
    return ids, int(messages.fetchone()[0])


def _conversation_sources(conn: Conn, thread_ids: list[int]) -> list[tuple[int, int]]:
    """(import id, attachment id) of every kept data export that brought in a message of a buyer conversation:
    the file holds the conversation too, so it goes the way of the imported order files."""
    if not thread_ids:
        return []
    return [(int(i), int(a)) for i, a in conn.execute(
        "SELECT i.id, i.attachment_id FROM imports i JOIN attachments a ON a.id = i.attachment_id"
        " WHERE a.caption != ? AND i.id IN (SELECT DISTINCT import_id FROM messages"
        f" WHERE import_id IS NOT NULL AND thread_id IN ({_IDS}))", (REMOVED_CAPTION, json.dumps(thread_ids)))]


def _purge_sources(conn: Conn, thread_ids: list[int]) -> list[tuple[int, int]]:
    return sorted(set(_buyer_sources(conn)) | set(_conversation_sources(conn, thread_ids)))


def purge_preview(conn: Conn) -> PurgePreview:
    open_cases = [t for (t,) in conn.execute(
        "SELECT title FROM cases WHERE status IN ('open', 'submitted') ORDER BY deadline, id")]
    unpurged = int(conn.execute("SELECT count(*) FROM orders WHERE buyer_purged = 0").fetchone()[0])
    total = int(conn.execute("SELECT count(*) FROM orders").fetchone()[0])
    threads, messages = _buyer_threads(conn)
    sources = _purge_sources(conn, threads)
    return PurgePreview(unpurged, total - unpurged, len(sources), open_cases, len(threads), messages)


def _delete_conversations(conn: Conn, thread_ids: list[int]) -> int:
    """Delete the conversations and what points at them (case and evidence links, notes); returns the number
    of messages deleted. Cases are all closed by now (the purge is refused otherwise) and keep their own text."""
    ids = json.dumps(thread_ids)
    messages = f"SELECT id FROM messages WHERE thread_id IN ({_IDS})"
    for table in ("case_links", "attachment_links", "notes"):
        conn.execute(f"DELETE FROM {table} WHERE (target_kind = 'thread' AND target_id IN ({_IDS}))"
                     f" OR (target_kind = 'message' AND target_id IN ({messages}))", (ids, ids))
    deleted = conn.execute(f"DELETE FROM messages WHERE id IN ({messages})", (ids,)).rowcount
    conn.execute(f"DELETE FROM threads WHERE id IN ({_IDS})", (ids,))
    return int(deleted)


def purge_buyer_data(conn: Conn, today: date | None = None) -> PurgeResult:
    """Remove buyers' names, usernames, phones, addresses and messages from orders, their lines and the
    imported order files, and delete the direct-message conversations with buyers; amounts, dates, statuses and
    tracking stay.

    Refused while a case is open, since its evidence may need exactly this data. Imported files that held
    buyer data are replaced by a short note carrying the original's name, size and SHA-256, so the archive can
    still say where each figure came from. The search index is rebuilt so no removed word stays findable.
    """
    purge_preview(conn).refuse_if_not_allowed()
    day = (today or date.today()).isoformat()
    # FTS5 keeps deleted tokens in its segments until they are merged; secure-delete drops them at once.
    conn.execute("INSERT INTO search_index(search_index, rank) VALUES ('secure-delete', 1)")
    # Conversations are told by the buyers' usernames, so they are found before the orders lose them, and so
    # are the data exports that brought them in.
    thread_ids, _ = _buyer_threads(conn)
    sources = _purge_sources(conn, thread_ids)
    messages = _delete_conversations(conn, thread_ids) if thread_ids else 0
    # One UPDATE per table, with the JSON stripping done by a Python function SQLite calls per row: a vault of
    # 100,000 orders is purged in seconds, not one statement per order.
    removed = [0]
    # Rows in the compact form name a layout instead of carrying their header names: which cells are a buyer's
    # is decided once per layout, from its header names, by the same rule as an object's keys.
    buyer_cells = {lid: frozenset(i for i, name in enumerate(names) if _is_buyer_key(name))
                   for lid, names in raw.layouts(conn).items()}

    def strip(text: str | None) -> str:
        stripped, n = _strip_json(text or "{}", buyer_cells)
        removed[0] += n
        return stripped

    conn.create_function("shopexit_strip_buyer", 1, strip, deterministic=True)
    try:
        lines = conn.execute(
            "UPDATE order_lines SET raw_json = shopexit_strip_buyer(raw_json)"
            " WHERE order_ref IN (SELECT id FROM orders WHERE buyer_purged = 0) AND raw_json NOT IN ('', '{}')"
        ).rowcount
        orders = conn.execute(
            "UPDATE orders SET " + ", ".join(f"{c} = ''" for c in BUYER_COLUMNS)
            + ", raw_json = shopexit_strip_buyer(raw_json), buyer_purged = 1 WHERE buyer_purged = 0").rowcount
    finally:
        conn.create_function("shopexit_strip_buyer", 1, None)
    fields_removed = removed[0]
    for import_id, attachment_id in sources:
        _replace_source(conn, import_id, attachment_id, day)
    conn.execute("INSERT INTO search_index(search_index) VALUES ('optimize')")
    audit.append(conn, "purge_buyer_data", "vault", "", orders=orders, lines=lines, source_files=len(sources),
                 fields=fields_removed, threads=len(thread_ids), messages=messages)
    return PurgeResult(int(orders), int(lines), len(sources), fields_removed, len(thread_ids), messages)


def _strip_json(text: str, buyer_cells: Mapping[int, frozenset[int]]) -> tuple[str, int]:
    """A stored row (either form of `records.raw`) with its buyer values blanked, and how many there were."""
    layout, value = raw.parse(text)
    if layout is None:
        if value is None:
            return "{}", 1  # not JSON: nothing in it can be told safe, so none of it is kept
        stripped, removed = strip_buyer_fields(value)
        if not removed:
            return text, 0  # untouched rows keep their original text exactly
        return json.dumps(stripped, ensure_ascii=False), removed
    # A layout the vault does not hold (only a damaged vault has one) cannot say which cells are safe: all go.
    blank: Collection[int] = buyer_cells[layout] if layout in buyer_cells else range(len(value))
    removed = sum(1 for i in blank if i < len(value) and value[i] not in ("", None))
    if not removed:
        return text, 0
    return raw.encode(layout, ["" if i in blank else cell for i, cell in enumerate(value)]), removed


def _replace_source(conn: Conn, import_id: int, attachment_id: int, day: str) -> None:
    name, size, sha256 = conn.execute(
        "SELECT original_name, size, sha256 FROM attachments WHERE id = ?", (attachment_id,)).fetchone()
    note = _SOURCE_NOTE.format(day=day, name=name, size=size, sha256=sha256).encode("utf-8")
    note_sha = hashlib.sha256(note).hexdigest()
    existing = conn.execute("SELECT id FROM attachments WHERE sha256 = ?", (note_sha,)).fetchone()
    if existing:
        new_id = int(existing[0])
    else:
        new_id = int(conn.execute(
            "INSERT INTO attachments(sha256, size, media_type, original_name, added_at, caption, origin, data)"
            " VALUES (?,?,?,?,?,?,'import',?)",
            (note_sha, len(note), "text/plain", f"{name} (removed).txt", now_iso(),
             REMOVED_CAPTION, note),
        ).lastrowid)
    conn.execute("UPDATE imports SET attachment_id = ? WHERE id = ?", (new_id, import_id))
    conn.execute("UPDATE attachment_links SET attachment_id = ? WHERE attachment_id = ? AND NOT EXISTS ("
                 " SELECT 1 FROM attachment_links l WHERE l.attachment_id = ? AND l.target_kind ="
                 " attachment_links.target_kind AND l.target_id = attachment_links.target_id)",
                 (new_id, attachment_id, new_id))
    still_used = conn.execute("SELECT 1 FROM imports WHERE attachment_id = ?", (attachment_id,)).fetchone()
    if not still_used:
        conn.execute("DELETE FROM attachments WHERE id = ?", (attachment_id,))
    audit.append(conn, "replace_source", "import", import_id, old_sha256=sha256, new_attachment=new_id)
