"""TikTok's "Download your data" export (JSON), as the zip or the JSON inside it.

The zip holds `user_data_tiktok.json` in a folder (older exports: `user_data.json`). Direct messages are under
"Direct Message" > "Direct Messages" > "ChatHistory", one list per "Chat History with NAME:", each message
{Date, From, Content}; shop communications under "TikTok Shop" > "Communication With Shops" >
"CommunicationHistories", one list per conversation of {send_time, shop_name, direction, content}. Both become
threads with a counterpart and messages with a direction and a UTC time (the export writes UTC).

Only these sections are read; the rest of the export (videos, likes, logins) is not kept. The file is read
whole, so it is limited in size; nesting too deep for the parser is refused like any other bad file.
"""

from __future__ import annotations

import json
import posixpath
import zipfile
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path
from typing import Any

from shopexit.core.importers.base import ImportRefused
from shopexit.core.importers.columns import CellProblem
from shopexit.core.importers.context import Context
from shopexit.core.importers.dates import DateProblem, DateReader
from shopexit.core.importers.tabular import open_zip, read_member
from shopexit.core.records.messages import message_key, thread_key, upsert_message, upsert_thread

LABEL = "Download your data"
MAX_JSON_BYTES = 256 << 20
MEMBER_NAMES = ("user_data_tiktok.json", "user_data.json")
SECTIONS = ("direct message", "tiktok shop", "profile")
REQUIRED_TEXT = "a JSON file (or zip holding user_data_tiktok.json) with 'Direct Message' or 'TikTok Shop'"


def find_member(zf: zipfile.ZipFile) -> str | None:
    names = {posixpath.basename(n).lower(): n for n in zf.namelist() if not n.endswith("/")}
    for wanted in MEMBER_NAMES:
        if wanted in names:
            return names[wanted]
    return None


def load(path: Path) -> dict[str, Any]:
    """The export's JSON, from the zip or the file itself, within the size limit."""
    with path.open("rb") as handle:
        head = handle.read(4)
    if head[:2] == b"PK":
        zf = open_zip(path)
        with zf:
            member = find_member(zf)
            if member is None:
                raise ImportRefused(path, "the zip holds no user_data_tiktok.json or user_data.json; is it "
                                          "TikTok's 'Download your data' export in JSON format?")
            data = read_member(zf, member, path, MAX_JSON_BYTES)
    else:
        size = path.stat().st_size
        if size > MAX_JSON_BYTES:
            raise ImportRefused(path, f"{size:,} bytes is over the {MAX_JSON_BYTES:,} this reads")
        data = path.read_bytes()
    try:
        parsed = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ImportRefused(path, f"is not UTF-8 JSON (byte {exc.start:,})") from exc
    except json.JSONDecodeError as exc:
        raise ImportRefused(path, f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
                            row=exc.lineno) from exc
    except RecursionError as exc:
        raise ImportRefused(path, "the JSON is nested too deeply to be an export") from exc
    if not isinstance(parsed, dict) or not any(_key(parsed, s) is not None for s in SECTIONS):
        raise ImportRefused(path, "this JSON is not TikTok's 'Download your data' export (no 'Direct Message' "
                                  "or 'TikTok Shop' section)")
    return parsed


def _key(obj: Any, name: str) -> Any:
    """obj[name], ignoring case and spaces; None when absent or obj is not an object."""
    if not isinstance(obj, dict):
        return None
    wanted = "".join(name.lower().split())
    for key, value in obj.items():
        if isinstance(key, str) and "".join(key.lower().split()) == wanted:
            return value
    return None


def _path(obj: Any, *names: str) -> Any:
    for name in names:
        obj = _key(obj, name)
    return obj


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (int, float)):
        return str(value)
    return ""


def messages(data: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any], str]]:
    """(channel, conversation name, message object, own username) for every message in the export."""
    me = _text(_path(data, "Profile", "Profile Info", "ProfileMap", "userName"))
    chats = _path(data, "Direct Message", "Direct Messages", "ChatHistory")
    if isinstance(chats, dict):
        for name, items in chats.items():
            counterpart = str(name).strip()
            if counterpart.lower().startswith("chat history with "):
                counterpart = counterpart[len("chat history with "):]
            counterpart = counterpart.rstrip(":").strip()
            for item in items if isinstance(items, list) else []:
                yield "direct", counterpart, item, me
    shops = _path(data, "TikTok Shop", "Communication With Shops", "CommunicationHistories")
    if isinstance(shops, dict):
        for name, items in shops.items():
            for item in items if isinstance(items, list) else []:
                yield "shop", str(name).strip(), item, me


def run(ctx: Context, path: Path) -> None:
    data = load(path)
    reader = DateReader(UTC)
    threads: dict[tuple[str, str], int] = {}
    occurrences: dict[str, int] = {}
    number = 0
    for channel, conversation, item, me in messages(data):
        number += 1
        ctx.counts.rows_read += 1
        if number % 2000 == 0:
            ctx.report(number, 0.0)
        if not isinstance(item, dict):
            ctx.refuse_or_skip(number, _problem("message", "is not an object"))
            continue
        if channel == "direct":
            sender = _text(_key(item, "From"))
            body = _text(_key(item, "Content"))
            sent_text = _text(_key(item, "Date"))
            time_field = "Date"
            if me and sender:
                direction = "out" if sender.casefold() == me.casefold() else "in"
            elif sender:
                direction = "in" if sender.casefold() == conversation.casefold() else "out"
            else:
                direction = "unknown"
            counterpart = conversation
        else:
            shop_name = _text(_key(item, "shop_name"))
            body = _text(_key(item, "content"))
            sent_text = _text(_key(item, "send_time"))
            time_field = "send_time"
            said = _text(_key(item, "direction")).lower()
            direction = {"received": "in", "receive": "in", "in": "in", "sent": "out", "send": "out",
                         "out": "out"}.get(said, "unknown")
            sender = (me if direction == "out" else shop_name) or ""
            counterpart = conversation
        try:
            sent_at = reader.parse(sent_text) if sent_text else None
        except DateProblem as exc:
            ctx.refuse_or_skip(number, _problem(time_field, str(exc)))
            continue
        tkey = (channel, counterpart)
        thread_id = threads.get(tkey)
        if thread_id is None:
            thread_id = upsert_thread(ctx.conn, channel, counterpart)[1]
            threads[tkey] = thread_id
        base = message_key(thread_key(channel, counterpart), sent_text, sender, body, 0)
        occurrence = occurrences.get(base, 0) + 1
        occurrences[base] = occurrence
        key = message_key(thread_key(channel, counterpart), sent_text, sender, body, occurrence)
        values = {"thread_id": thread_id, "direction": direction, "sender": sender, "sent_at": sent_at,
                  "sent_text": sent_text or None, "body": body}
        ctx.counts.tally(upsert_message(ctx.conn, key, values, ctx.import_id)[0])
    ctx.report(number, 1.0)


def _problem(column: str, message: str) -> CellProblem:
    return CellProblem(column, message)
