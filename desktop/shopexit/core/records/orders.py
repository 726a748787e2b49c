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

import queue
import re
import threading
from collections.abc import Callable, Sequence
from typing import Any

from shopexit.core.records import raw
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
_ORDER_RAW = ORDER_COLUMNS.index("raw_json")
_RAW_DIFFERS = "shopexit_raw_differs"
"""SQL function the line upsert compares `raw_json` with, by content rather than text (see `OrderWriter`)."""
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


class BatchPipe:
    """Runs write jobs in order on one background thread, at most `depth` waiting: parsing overlaps writing.

    sqlite3 lets go of the GIL while SQLite works on a statement, so a second thread that only writes keeps the
    second core busy with SQLCipher's encryption, the indexes and FTS5 while the caller goes on parsing. The
    connection is used by exactly one thread at a time: jobs run one after another on the writer, and the
    caller touches the connection only after `drain()`, `close()` or `abort()` returned (the writer then waits
    on the empty queue). A job's exception stops the writer running jobs (the rest are dropped) and is raised,
    the same object, by the caller's next `submit`, `drain` or `close`; `abort()` drops everything pending and
    returns once the writer has stopped, so a rollback after it is complete.
    """

    def __init__(self, depth: int = 2) -> None:
        self._queue: queue.Queue[tuple[Callable[[], object], threading.Event | None] | None] = queue.Queue(depth)
        self._error: BaseException | None = None
        self._stop = False
        self._thread: threading.Thread | None = threading.Thread(target=self._loop, name="import-writer",
                                                                 daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            fn, done = job
            if self._error is None and not self._stop:
                try:
                    fn()
                except BaseException as exc:  # handed to the caller, who re-raises it
                    self._error = exc
            if done is not None:
                done.set()

    def _raise(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def submit(self, fn: Callable[[], object]) -> None:
        """Queue a job; blocks while `depth` jobs wait (parsed batches never pile up in memory)."""
        self._raise()
        self._queue.put((fn, None))

    def drain(self) -> None:
        """Return once every job queued so far has run: the caller may then use the connection itself."""
        done = threading.Event()
        self._queue.put((lambda: None, done))
        done.wait()
        self._raise()

    def close(self) -> None:
        """Run what is queued, stop the writer and raise its error, if any."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        self._raise()

    def abort(self) -> None:
        """Drop what is queued (a job already running finishes) and stop the writer; never raises its error."""
        self._stop = True
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        self._error = None


ROWS_PER_STATEMENT = 100
"""Background writing: rows per multi-row INSERT. sqlite3 takes the GIL back after every statement step, and
the parser holds it in between; with `executemany` (one step per row) the writer waited for the GIL 200,000
times and ran at a fraction of its speed. 100 rows a step: 20 steps per batch, each long enough to overlap."""


class OrderWriter:
    """Collects one file's orders and lines and writes them; `outcomes()` tells new/updated/unchanged.

    With `background=True` the batches are written by a `BatchPipe` while the caller parses on; the caller
    must then end with `outcomes()` or, on any error, `abort()` before the transaction ends."""

    def __init__(self, conn: Conn, import_id: int, *, background: bool = False) -> None:
        self.conn = conn
        self.pipe: BatchPipe | None = None
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
        plain = [c for c in LINE_COLUMNS if c != "raw_json"]
        self._line_upsert = (
            f"{self._line_sql} ON CONFLICT(order_ref, line_key) DO UPDATE SET "
            + ", ".join(f"{c} = excluded.{c}" for c in LINE_COLUMNS)
            + f" WHERE ({', '.join(plain)}) IS NOT ({', '.join('excluded.' + c for c in plain)})"
            + f" OR {_RAW_DIFFERS}(raw_json, excluded.raw_json)"
        )
        # Rows stored before the compact form (objects) hold the same cells as a re-import's arrays: compared by
        # content, a file imported again is unchanged in any vault. Read after the importer added its layouts.
        self.layouts = raw.layouts(conn)
        self._differs_registered = False
        if background:
            self.pipe = BatchPipe()

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
            self._sync()
            if not self._differs_registered:
                self.conn.create_function(_RAW_DIFFERS, 2, self._raw_differs, deterministic=True)
                self._differs_registered = True
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
            self._sync()
            state = [existing, self._update(existing, order)]
        self.seen[order_id] = state
        return state

    def _update(self, row_id: int, order: Sequence[Any]) -> str:
        row = self.conn.execute(
            f"SELECT buyer_purged, {', '.join(ORDER_COLUMNS)} FROM orders WHERE id = ?", (row_id,)
        ).fetchone()
        purged, current = bool(row[0]), tuple(row[1:])
        columns: Sequence[int] = _KEEP_WHEN_PURGED if purged else range(len(ORDER_COLUMNS))
        if all(current[i] == order[i] or (i == _ORDER_RAW and raw.same(current[i], order[i], self.layouts))
               for i in columns):
            return "unchanged"
        sets = ", ".join(f"{ORDER_COLUMNS[i]} = ?" for i in columns)
        self.conn.execute(
            f"UPDATE orders SET {sets}, import_id = ?, updated_at = ? WHERE id = ?",
            (*(order[i] for i in columns), self.import_id, self.now, row_id),
        )
        return "updated"

    def _raw_differs(self, stored: str | None, new: str | None) -> bool:
        return not raw.same(stored, new, self.layouts)

    def _unregister(self) -> None:
        if self._differs_registered:
            self.conn.create_function(_RAW_DIFFERS, 2, None)
            self._differs_registered = False

    def _sync(self) -> None:
        """Before the caller's own use of the connection: every queued batch written."""
        if self.pipe is not None:
            self.pipe.drain()

    def flush(self) -> None:
        if not (self._new_orders or self._new_lines):
            return
        orders, lines = self._new_orders, self._new_lines
        self._new_orders, self._new_lines = [], []
        if self.pipe is None:
            self._write(orders, lines)
        else:
            self.pipe.submit(lambda: self._write_multi_row(orders, lines))

    def _write_multi_row(self, orders: list[tuple[Any, ...]], lines: list[tuple[Any, ...]]) -> None:
        """The batch as INSERTs of ROWS_PER_STATEMENT rows each (runs on the writer thread)."""
        for rows, sql in ((orders, self._order_sql), (lines, self._line_sql)):
            head, _, one = sql.partition(" VALUES ")
            for start in range(0, len(rows), ROWS_PER_STATEMENT):
                part = rows[start:start + ROWS_PER_STATEMENT]
                self.conn.execute(f"{head} VALUES {', '.join([one] * len(part))}", [v for row in part for v in row])
        self.index.catch_up()

    def _write(self, orders: list[tuple[Any, ...]], lines: list[tuple[Any, ...]]) -> None:
        if orders:
            self.conn.executemany(self._order_sql, orders)
        if lines:
            self.conn.executemany(self._line_sql, lines)
        self.index.catch_up()

    def outcomes(self) -> list[str]:
        """Write what is pending, index it for search, and say for each order: new, updated or unchanged."""
        self.flush()
        if self.pipe is not None:
            self.pipe.submit(self.index.finish)
            self.pipe.close()
            self.pipe = None
        else:
            self.index.finish()
        self._unregister()
        return [state[1] for state in self.seen.values()]

    def abort(self) -> None:
        """On an error: stop the background writer (what is queued is dropped) before the rollback."""
        if self.pipe is not None:
            pipe, self.pipe = self.pipe, None
            pipe.abort()
        self._unregister()
