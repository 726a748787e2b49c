"""Orders and their SKU lines, written in bulk by the orders importer.

An orders export has one row per SKU line and repeats the order's own fields on each, so the writer keeps the
first occurrence of each order per file and one line per row. Orders new to the vault are inserted in batches
with ids assigned here (so their lines can point at them without a lookup); orders already held are compared
field by field and updated only when something changed: a later export that moves an order from Awaiting
shipment to Completed counts as updated, the same export imported twice as unchanged.

A buyer whose details were purged (`buyer_purged`) stays purged: a re-import updates the order's status and
money but never writes the buyer's details back.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from shopexit.core.timeutil import now_iso
from shopexit.core.vault import Conn

ORDER_COLUMNS: tuple[str, ...] = (
    "status", "substatus", "currency", "order_amount", "taxes", "shipping_fee", "refund_amount",
    "created_at", "created_text", "paid_at", "shipped_at", "delivered_at", "cancelled_at",
    "buyer_username", "recipient", "phone", "address", "country", "tracking_id", "shipping_provider",
    "buyer_message", "cancel_reason", "raw_json",
)
LINE_COLUMNS: tuple[str, ...] = (
    "sku_id", "seller_sku", "product_name", "variation", "quantity", "returned_quantity", "unit_price",
    "subtotal", "raw_json",
)
BUYER_COLUMNS = frozenset({"buyer_username", "recipient", "phone", "address", "buyer_message", "raw_json"})
_KEEP_WHEN_PURGED = tuple(i for i, c in enumerate(ORDER_COLUMNS) if c not in BUYER_COLUMNS)
BATCH = 2000
_INDEX_INSERT = re.compile(
    r"CREATE\s+TRIGGER\s+\w+\s+AFTER\s+INSERT\s+ON\s+(\w+)\s+BEGIN\s+INSERT\s+INTO\s+search_index\s*\(([^)]*)\)"
    r"\s*VALUES\s*\((.*)\)\s*;\s*END\s*;?\s*$", re.S | re.I)


class DeferredSearchIndex:
    """Fill the search index once for a whole import instead of by a trigger per row.

    The search index is kept current by AFTER INSERT triggers (see the schema). Run row by row over a
    100,000-line export they tripled the time of the inserts, measured here. Inside the import's transaction,
    this drops each table's insert trigger, and `finish()` indexes every row inserted since with one
    INSERT … SELECT built from the trigger's own statement, then puts the trigger back exactly as it was.
    If the trigger is not the one simple statement expected, it is left alone (rows index as usual). A
    rollback undoes the whole of it, triggers included.

    `catch_up()` indexes what was inserted since the last call: called after each batch, it reads the rows
    back while their pages are still in the page cache. Filled once at the end, the INSERT … SELECT re-read
    (and SQLCipher decrypted again) every page of a 100,000-line import's orders, which had left the cache.
    """

    def __init__(self, conn: Conn, tables: Sequence[str]) -> None:
        self.conn = conn
        self.pending: list[list[Any]] = []  # [trigger sql, fill sql, table, first id not yet indexed]
        for table in tables:
            rows = conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (table,)
            ).fetchall()
            inserts = [(name, sql) for name, sql in rows if re.search(r"AFTER\s+INSERT", sql or "", re.I)]
            if len(inserts) != 1:
                continue
            name, sql = inserts[0]
            m = _INDEX_INSERT.match(sql.strip())
            if m is None or m.group(1).lower() != table or ";" in m.group(3):
                continue
            values = re.sub(r"\bnew\.", "", m.group(3))
            fill = f"INSERT INTO search_index({m.group(2)}) SELECT {values} FROM {table} WHERE id >= ?"
            first = int(conn.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0])
            conn.execute(f'DROP TRIGGER "{name}"')
            self.pending.append([sql, fill, table, first])

    def catch_up(self) -> None:
        """Index the rows inserted since the last call (or since the triggers were dropped)."""
        for entry in self.pending:
            _sql, fill, table, first = entry
            self.conn.execute(fill, (first,))
            entry[3] = int(self.conn.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0])

    def finish(self) -> None:
        """Index what is left and put the triggers back."""
        self.catch_up()
        for sql, _fill, _table, _first in self.pending:
            self.conn.execute(sql)
        self.pending.clear()


class OrderWriter:
    """Collects one file's orders and lines and writes them; `outcomes()` tells new/updated/unchanged."""

    def __init__(self, conn: Conn, import_id: int) -> None:
        self.conn = conn
        self.import_id = import_id
        self.now = now_iso()
        self.index = DeferredSearchIndex(conn, ("orders", "order_lines"))
        self.existing: dict[str, int] = dict(conn.execute("SELECT order_id, id FROM orders"))
        self.next_id = int(conn.execute("SELECT coalesce(max(id), 0) FROM orders").fetchone()[0]) + 1
        self.seen: dict[str, list[Any]] = {}  # order_id -> [row id, outcome]
        self.occurrences: dict[tuple[str, str], int] = {}
        self._new_orders: list[tuple[Any, ...]] = []
        self._new_lines: list[tuple[Any, ...]] = []
        self._order_sql = (
            f"INSERT INTO orders(id, order_id, {', '.join(ORDER_COLUMNS)}, import_id, updated_at)"
            f" VALUES ({', '.join('?' * (len(ORDER_COLUMNS) + 4))})"
        )
        self._line_sql = (
            f"INSERT INTO order_lines(order_ref, line_key, {', '.join(LINE_COLUMNS)})"
            f" VALUES ({', '.join('?' * (len(LINE_COLUMNS) + 2))})"
        )
        cols = ", ".join(LINE_COLUMNS)
        self._line_upsert = (
            f"{self._line_sql} ON CONFLICT(order_ref, line_key) DO UPDATE SET "
            + ", ".join(f"{c} = excluded.{c}" for c in LINE_COLUMNS)
            + f" WHERE ({cols}) IS NOT ({', '.join('excluded.' + c for c in LINE_COLUMNS)})"
        )

    def seen_before(self, order_id: str) -> bool:
        return order_id in self.seen

    def add(self, order_id: str, order: Sequence[Any] | None, line_key_base: str, line: Sequence[Any]) -> None:
        """One row: the order's fields (None when this file already gave them) and the line's."""
        state = self.seen.get(order_id)
        if state is None:
            assert order is not None
            state = self._order(order_id, order)
        occurrence = self.occurrences.get((order_id, line_key_base), 0) + 1
        self.occurrences[(order_id, line_key_base)] = occurrence
        key = f"{line_key_base}#{occurrence}"
        if state[1] == "new":
            self._new_lines.append((state[0], key, *line))
            if len(self._new_lines) >= BATCH:
                self.flush()
        else:
            self.flush()
            cur = self.conn.execute(self._line_upsert, (state[0], key, *line))
            if cur.rowcount and state[1] == "unchanged":
                state[1] = "updated"

    def _order(self, order_id: str, order: Sequence[Any]) -> list[Any]:
        existing = self.existing.get(order_id)
        if existing is None:
            state: list[Any] = [self.next_id, "new"]
            self.next_id += 1
            self._new_orders.append((state[0], order_id, *order, self.import_id, self.now))
        else:
            state = [existing, self._update(existing, order)]
        self.seen[order_id] = state
        return state

    def _update(self, row_id: int, order: Sequence[Any]) -> str:
        row = self.conn.execute(
            f"SELECT buyer_purged, {', '.join(ORDER_COLUMNS)} FROM orders WHERE id = ?", (row_id,)
        ).fetchone()
        purged, current = bool(row[0]), tuple(row[1:])
        columns: Sequence[int] = _KEEP_WHEN_PURGED if purged else range(len(ORDER_COLUMNS))
        if all(current[i] == order[i] for i in columns):
            return "unchanged"
        sets = ", ".join(f"{ORDER_COLUMNS[i]} = ?" for i in columns)
        self.conn.execute(
            f"UPDATE orders SET {sets}, import_id = ?, updated_at = ? WHERE id = ?",
            (*(order[i] for i in columns), self.import_id, self.now, row_id),
        )
        return "updated"

    def flush(self) -> None:
        if not (self._new_orders or self._new_lines):
            return
        if self._new_orders:
            self.conn.executemany(self._order_sql, self._new_orders)
            self._new_orders.clear()
        if self._new_lines:
            self.conn.executemany(self._line_sql, self._new_lines)
            self._new_lines.clear()
        self.index.catch_up()

    def outcomes(self) -> list[str]:
        """Write what is pending, index it for search, and say for each order: new, updated or unchanged."""
        self.flush()
        self.index.finish()
        return [state[1] for state in self.seen.values()]
