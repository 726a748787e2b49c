"""The append-only change log. Each entry's hash covers the previous entry's hash, so rewriting, removing or
reordering history anywhere breaks the chain from that point on, and `doctor` says where.

Entries name what changed (kind, id, counts), never record contents: the log explains, it does not duplicate.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from shopexit.core.timeutil import now_iso

GENESIS = "0" * 64


def _entry_hash(prev_hash: str, at: str, action: str, entity: str, entity_id: str, detail: str) -> str:
    payload = json.dumps([prev_hash, at, action, entity, entity_id, detail], ensure_ascii=False,
                         separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def head_hash(conn: Any) -> str:
    row = conn.execute("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    return row[0] if row else GENESIS


def append(conn: Any, action: str, entity: str, entity_id: object = "", **detail: Any) -> str:
    """Add one entry; call inside the transaction that makes the change, so both land or neither does."""
    prev = head_hash(conn)
    at = now_iso()
    detail_text = json.dumps(detail, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    digest = _entry_hash(prev, at, action, entity, str(entity_id), detail_text)
    conn.execute(
        "INSERT INTO audit_log(at, action, entity, entity_id, detail, prev_hash, hash) VALUES (?,?,?,?,?,?,?)",
        (at, action, entity, str(entity_id), detail_text, prev, digest),
    )
    return digest


@dataclass(frozen=True)
class ChainReport:
    entries: int
    head: str
    broken_at: int | None  # id of the first entry that does not fit the chain
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain(conn: Any) -> ChainReport:
    prev = GENESIS
    count = 0
    for row in conn.execute(
        "SELECT id, at, action, entity, entity_id, detail, prev_hash, hash FROM audit_log ORDER BY id"
    ):
        entry_id, at, action, entity, entity_id, detail, prev_hash, digest = row
        count += 1
        if prev_hash != prev:
            return ChainReport(count, prev, entry_id, "does not follow the entry before it")
        if _entry_hash(prev_hash, at, action, entity, entity_id, detail) != digest:
            return ChainReport(count, prev, entry_id, "was changed after it was written")
        prev = digest
    return ChainReport(count, prev, None)
