"""The archive's records as data: one CSV and one JSON file per kind of record, for machines and spreadsheets.

Money is a plain decimal string beside its currency ("1266.13", "USD"), never a float; times are the stored
UTC ISO text beside the text the export carried. CSV files are UTF-8 with a byte-order mark, so spreadsheet
programs read non-Latin names correctly.

CSV cells that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage
return) get a leading apostrophe, the usual defence against formula injection: a buyer's note reading
`=HYPERLINK(...)` stays text. Plain numbers ("-3.30") are left alone: they cannot run, and a fee must stay a
number. JSON needs no such care and carries the exact text.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import operator
import re
import unicodedata
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from shopexit.core.archive.collect import Collection
from shopexit.core.money import exponent

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_FIRST = frozenset("=+-@\t\r ")  # a cell starting with none of these needs no look
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?\Z")


def neutralise(value: str) -> str:
    """Make a cell safe to open in a spreadsheet; see the module docstring."""
    if not value:
        return value
    stripped = value.lstrip(" ")
    if (value.startswith(_TRIGGERS) or stripped.startswith(_TRIGGERS)) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


@dataclass(frozen=True)
class DataFile:
    """A finished data file, kept Flate-compressed (as it goes into the PDF) with the size and SHA-256 of its
    bytes: a 100,000-order vault's CSV and JSON are ~170 MB of text that never need to sit in memory whole."""

    name: str
    packed: bytes  # zlib (FlateDecode) of the file's bytes
    size: int
    sha256: str
    media_type: str
    description: str

    @property
    def data(self) -> bytes:
        """The file's bytes (for tests and small files; the export itself never unpacks them)."""
        return zlib.decompress(self.packed)


class _Sink:
    """UTF-8 text compressed as it is written, its size and SHA-256 counted on the way."""

    def __init__(self) -> None:
        self._zip = zlib.compressobj()
        self._parts: list[bytes] = []
        self._sha = hashlib.sha256()
        self.size = 0

    def write(self, text: str) -> None:
        data = text.encode("utf-8")
        self._sha.update(data)
        self.size += len(data)
        out = self._zip.compress(data)
        if out:
            self._parts.append(out)

    def close(self) -> tuple[bytes, int, str]:
        self._parts.append(self._zip.flush())
        return b"".join(self._parts), self.size, self._sha.hexdigest()


_ENCODE = json.JSONEncoder(ensure_ascii=False).encode  # made once: json.dumps makes an encoder per call
_BATCH = 1000


class _Table:
    """One kind of record written as CSV and JSON at once, row by row; both are encoded, hashed and compressed a
    batch of rows at a time."""

    def __init__(self, name: str, columns: list[str], description: str) -> None:
        self.name = name
        self.columns = columns
        self.description = description
        self._pick: Callable[[dict[str, Any]], Any] = (operator.itemgetter(*columns) if len(columns) > 1
                                                        else lambda row: (row[columns[0]],))
        self._csv = io.StringIO()
        self._writer = csv.writer(self._csv, lineterminator="\r\n")
        self._csv.write("\ufeff")
        self._writer.writerow(columns)
        self._csv_sink = _Sink()
        self._json_sink = _Sink()
        self._json_sep = "["
        self._batch: list[dict[str, Any]] = []
        self.rows = 0

    def add(self, row: dict[str, Any]) -> None:
        try:
            values = self._pick(row)  # one C call when the row has every column (it nearly always has)
        except KeyError:
            values = tuple(row.get(c) for c in self.columns)
        cells = [v if v.__class__ is str else _cell(v) for v in values]
        self._writer.writerow([neutralise(c) if c and c[0] in _FIRST else c for c in cells])
        self._batch.append(dict(zip(self.columns, values, strict=True)))
        if len(self._batch) >= _BATCH:
            self._flush()
        self.rows += 1

    def _flush(self) -> None:
        if self._batch:
            self._json_sink.write(self._json_sep + _ENCODE(self._batch)[1:-1])  # the rows, without brackets
            self._json_sep = ",\n"
            self._batch = []
        self._csv_sink.write(self._csv.getvalue())
        self._csv.seek(0)
        self._csv.truncate()

    def files(self) -> list[DataFile]:
        self._flush()
        self._json_sink.write("[]\n" if self._json_sep == "[" else "]\n")
        csv_packed, csv_size, csv_sha = self._csv_sink.close()
        json_packed, json_size, json_sha = self._json_sink.close()
        return [
            DataFile(f"data/{self.name}.csv", csv_packed, csv_size, csv_sha, "text/csv", f"{self.description} (CSV)"),
            DataFile(f"data/{self.name}.json", json_packed, json_size, json_sha, "application/json",
                     f"{self.description} (JSON)"),
        ]


def _cell(value: object) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, dict)):
        return _ENCODE(value)
    return str(value)


_EXPONENTS: dict[str, int] = {}
_MINOR: dict[tuple[int, str], str] = {}  # amounts repeat (fees, shipping, prices): each is formatted once


def minor_text(minor: int, currency: str) -> str:
    """`money.format_minor` with integer arithmetic: the same text ("-0.50"), without a Decimal per cell."""
    key = (minor, currency)
    text = _MINOR.get(key)
    if text is not None:
        return text
    exp = _EXPONENTS.get(currency)
    if exp is None:
        exp = _EXPONENTS[currency] = exponent(currency)
    if exp == 0:
        text = str(minor)
    else:
        whole, frac = divmod(-minor if minor < 0 else minor, 10 ** exp)
        text = f"{'-' if minor < 0 else ''}{whole}.{frac:0{exp}d}"
    if len(_MINOR) >= 100_000:
        _MINOR.clear()
    _MINOR[key] = text
    return text


def _money(row: dict[str, Any], *fields: str, currency_key: str = "currency") -> dict[str, Any]:
    """The row with its money fields as decimal text, changed in place: each row is a fresh dict of its own."""
    currency = row[currency_key]
    for f in fields:
        row[f] = minor_text(int(row.get(f) or 0), currency)
    return row


ORDER_COLUMNS = [
    "order_id", "status", "substatus", "created_at", "created_text", "paid_at", "shipped_at", "delivered_at",
    "cancelled_at", "currency", "order_amount", "taxes", "shipping_fee", "refund_amount", "buyer_username",
    "recipient", "phone", "address", "country", "tracking_id", "shipping_provider", "buyer_message",
    "cancel_reason", "line_count",
]
LINE_COLUMNS = [
    "order_id", "line_key", "sku_id", "seller_sku", "product_name", "variation", "quantity",
    "returned_quantity", "currency", "unit_price", "subtotal",
]
SETTLEMENT_COLUMNS = [
    "reference_id", "order_id", "type", "currency", "settlement_amount", "revenue", "fees",
    "affiliate_commission", "settled_at", "settled_text", "order_created_at",
]
ON_HOLD_COLUMNS = ["order_id", "currency", "amount", "status", "expected_at", "expected_text"]
WITHDRAWAL_COLUMNS = [
    "withdrawal_id", "type", "status", "currency", "amount", "created_at", "created_text", "entered_by_hand",
    "note",
]
COMMISSION_COLUMNS = [
    "layout", "order_id", "sku_id", "product_name", "counterpart", "currency", "settlement_status",
    "estimated", "earned", "order_at", "order_text", "settled_at", "settled_text",
]
MESSAGE_COLUMNS = [
    "thread_id", "thread_key", "channel", "counterpart", "subject", "message_id", "direction", "sender",
    "sent_at", "sent_text", "body", "entered_by_hand",
]
CASE_COLUMNS = ["case_id", "kind", "title", "status", "opened_at", "deadline", "closed_at", "description",
                "links", "checklist", "events", "notes"]
STEP_COLUMNS = ["number", "title", "status", "started_at", "done_at", "notes"]
EVIDENCE_COLUMNS = ["evidence_id", "sha256", "size", "media_type", "original_name", "captured_at",
                    "captured_text", "added_at", "caption", "origin", "width", "height", "links", "embedded_as"]


def _ascii_name(original: str) -> str:
    """A plain-ASCII file name for the PDF's attachment list (viewers and tools differ on anything else);
    the original name stays in the manifest, on the pages and as the attachment's Unicode name."""

    def clean(text: str) -> str:
        folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
        return re.sub(r"[^A-Za-z0-9._()+,-]+", "_", folded).strip("._")

    stem, dot, ext = original.rpartition(".")
    if not dot or not stem or not re.fullmatch(r"[A-Za-z0-9]{1,12}", ext):
        stem, ext = original, ""
    stem, ext = clean(stem)[:80], clean(ext)[:12]
    if not stem.strip("_"):
        stem = "item"
    return stem + ("." + ext if ext else "")


def evidence_file_name(item: dict[str, Any]) -> str:
    """The embedded name of an evidence item: its id keeps names unique, the original name keeps it readable."""
    return f"evidence/{int(item['id']):05d}-{_ascii_name(str(item['original_name']))}"


def source_file_name(item: dict[str, Any]) -> str:
    return f"sources/{int(item['id']):05d}-{_ascii_name(str(item['original_name']))}"


def build_data_files(
    coll: Collection,
    tick: Callable[[int], None] = lambda n: None,
) -> list[DataFile]:
    """Every data file for the collection's scope. `tick(n)` reports n more records done (for progress)."""
    orders = _Table("orders", ORDER_COLUMNS, "Orders")
    lines = _Table("order_lines", LINE_COLUMNS, "Order lines (one per SKU)")
    for order in coll.orders():
        currency = order["currency"]
        row = _money(order, "order_amount", "taxes", "shipping_fee", "refund_amount")
        row["line_count"] = len(order["lines"])
        orders.add(row)
        for line in order["lines"]:
            line["order_id"] = order["order_id"]
            line["currency"] = currency
            lines.add(_money(line, "unit_price", "subtotal"))
        tick(1 + len(order["lines"]))
    tables = [orders, lines]

    def simple(name: str, columns: list[str], description: str, rows: Iterable[dict[str, Any]],
               money: tuple[str, ...]) -> None:
        table = _Table(name, columns, description)
        for r in rows:
            table.add(_money(r, *money))
            tick(1)
        tables.append(table)

    simple("settlements", SETTLEMENT_COLUMNS, "Settlements (Finance > Income)", coll.settlements(),
           ("settlement_amount", "revenue", "fees", "affiliate_commission"))
    simple("on_hold", ON_HOLD_COLUMNS, "Money on hold (not yet settled)", coll.on_hold(), ("amount",))
    simple("withdrawals", WITHDRAWAL_COLUMNS, "Withdrawals", coll.withdrawals(), ("amount",))
    simple("commissions", COMMISSION_COLUMNS, "Affiliate commissions", coll.commissions(),
           ("estimated", "earned"))

    messages = _Table("messages", MESSAGE_COLUMNS, "Messages, by thread")
    for thread in coll.threads():
        for msg in thread["messages"]:
            messages.add({
                "thread_id": thread["id"], "thread_key": thread["thread_key"], "channel": thread["channel"],
                "counterpart": thread["counterpart"], "subject": thread["subject"], "message_id": msg["id"],
                "direction": msg["direction"], "sender": msg["sender"], "sent_at": msg["sent_at"],
                "sent_text": msg["sent_text"], "body": msg["body"], "entered_by_hand": bool(msg["entered_by_hand"]),
            })
        tick(1 + len(thread["messages"]))
    tables.append(messages)

    cases = _Table("cases", CASE_COLUMNS, "Cases with their links, checklist, timeline and notes")
    for case in coll.cases():
        cases.add({**case, "case_id": case["id"]})
        tick(1)
    tables.append(cases)

    if coll.include_exit_status:
        steps = _Table("steps", STEP_COLUMNS, "The ten exit steps")
        for step in coll.steps():
            steps.add(step)
        tables.append(steps)

    evidence = _Table("evidence", EVIDENCE_COLUMNS, "Evidence items (metadata; originals under evidence/)")
    for item in coll.evidence():
        evidence.add({**item, "evidence_id": item["id"],
                      "links": [link["label"] for link in item["links"]],
                      "embedded_as": evidence_file_name(item) if item["embedded"] else ""})
    tables.append(evidence)

    out: list[DataFile] = []
    for table in tables:
        out.extend(table.files())
    return out
