"""Conversation threads and their messages as the "Download your data" export gives them.

Threads are keyed by channel and counterpart, messages by thread, time, sender, a hash of the text and the
message's place among identical ones, so importing the same export twice (or a later export that repeats the
earlier months) adds nothing twice, and two identical messages sent in the same second both stay.
"""

from __future__ import annotations

import hashlib
from typing import Any

from shopexit.core.records.finance import upsert
from shopexit.core.vault import Conn

CHANNELS = ("direct", "shop", "email", "phone", "other")


def thread_key(channel: str, counterpart: str) -> str:
    return f"{channel}:{counterpart.strip().casefold()}"


def upsert_thread(conn: Conn, channel: str, counterpart: str) -> tuple[str, int]:
    """A thread with `counterpart` on `channel`; ("new"|"unchanged"|"updated", thread id).

    The subject is the user's to write, so a re-import never touches it."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    return upsert(conn, "threads", thread_key(channel, counterpart),
                  {"channel": channel, "counterpart": counterpart}, None)


def message_key(thread: str, sent_text: str | None, sender: str, body: str, occurrence: int) -> str:
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()[:24]
    return f"{thread}|{sent_text or ''}|{sender.casefold()}|{digest}|{occurrence}"


def upsert_message(conn: Conn, natural_key: str, values: dict[str, Any], import_id: int) -> tuple[str, int]:
    """`values`: thread_id, direction ('in'|'out'|'unknown'), sender, sent_at, sent_text, body."""
    return upsert(conn, "messages", natural_key, values, import_id)
