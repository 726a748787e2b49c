"""The record views' queries: one page of rows at a time, sorted and filtered in SQL.

A view never loads a whole table: 100,000 orders are read 200 at a time as the user scrolls, each page
starting right after the last row of the one before (keyset paging, over an index where the sort has one).
Sorting and filtering happen here, in SQLite, never by loading rows into the GUI. Every SQL fragment is a
constant of this module; what the user types is bound as a parameter (text filters go through
`search.build_match` or a LIKE pattern with escapes).

The detail readers below gather what a record's pane shows in one call, so the GUI makes one job per click.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from shopexit.core.evidence import EvidenceItem, get_item, items_for, links_of
from shopexit.core.records import raw
from shopexit.core.records.cases import CaseSummary, cases_for, record_label
from shopexit.core.records.manual import Note, notes_for
from shopexit.core.search import build_match, filter_ids_sql
from shopexit.core.vault import Conn

TEXT, INT, MONEY, DATETIME, DATE, FLAG, BYTES = "text", "int", "money", "datetime", "date", "flag", "bytes"


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    sql: str
    type: str = TEXT
    currency: str = "currency"
    """For MONEY: the SQL expression naming the currency."""
    sortable: bool = True
    width: int = 0
    """A hint for the view, in average characters; 0 = stretch or default."""


@dataclass(frozen=True)
class Choice:
    """A drop-down filter: `sql` is compared with the chosen value; `values` fixed, else read from the data."""

    key: str
    label: str
    sql: str
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class View:
    name: str
    kind: str
    """The record kind a row opens (for links, notes and evidence)."""
    source: str
    columns: tuple[Column, ...]
    default_sort: str
    default_descending: bool = True
    search_kind: str = ""
    """FTS kind for the text filter; when empty, `like` columns are matched instead."""
    like: tuple[str, ...] = ()
    choices: tuple[Choice, ...] = ()
    text_sql: str = ""
    """Custom text filter taking the FTS match expression `n_text_params` times."""
    n_text_params: int = 1
    noun: str = "records"

    def column(self, key: str) -> Column:
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(key)


@dataclass(frozen=True)
class Query:
    text: str = ""
    choices: dict[str, str] = field(default_factory=dict)
    sort: str = ""
    descending: bool = True

    @property
    def filtered(self) -> bool:
        return bool(self.text.strip()) or any(self.choices.values())


@dataclass(frozen=True)
class Row:
    id: int
    values: tuple[Any, ...]
    currencies: tuple[str | None, ...]


def _money(key: str, title: str, sql: str, currency: str = "currency", width: int = 11) -> Column:
    return Column(key, title, sql, MONEY, currency, width=width)


_BY_STATUS = Choice("status", "Status", "status")
_BY_CURRENCY = Choice("currency", "Currency", "currency")


ORDERS = View(
    "orders", "order", "orders",
    (
        Column("order_id", "Order ID", "order_id", width=18),
        Column("created_at", "Created", "created_at", DATE, width=10),
        Column("status", "Status", "status", width=13),
        _money("amount", "Amount", "order_amount", width=10),
        Column("buyer", "Buyer", "coalesce(nullif(recipient, ''), buyer_username)", width=13),
        Column("items", "Items", "(SELECT coalesce(sum(quantity), 0) FROM order_lines WHERE order_ref = orders.id)",
               INT, width=3),
        Column("proof", "Proof", "(SELECT count(*) FROM attachment_links WHERE target_kind = 'order'"
               " AND target_id = orders.id)", INT, width=3),
        Column("tracking", "Tracking", "tracking_id", width=18),
    ),
    "created_at", search_kind="order",
    choices=(_BY_STATUS,),
    noun="orders",
)

SETTLEMENTS = View(
    "settlements", "settlement", "settlements",
    (
        Column("settled_at", "Settled", "settled_at", DATE, width=10),
        Column("reference_id", "Reference", "reference_id", width=20),
        Column("order_id", "Order", "order_id", width=20),
        Column("type", "Type", "type", width=12),
        _money("revenue", "Revenue", "revenue"),
        _money("fees", "Fees", "fees", width=9),
        _money("commission", "Commission", "affiliate_commission", width=10),
        _money("amount", "Settled", "settlement_amount"),
    ),
    "settled_at", like=("reference_id", "order_id", "type"),
    choices=(Choice("type", "Type", "type"), _BY_CURRENCY),
    noun="settlements",
)

ON_HOLD = View(
    "on_hold", "on_hold", "on_hold",
    (
        Column("order_id", "Order", "order_id", width=20),
        Column("status", "Status", "status", width=18),
        Column("expected_at", "Expected", "expected_at", DATE, width=10),
        _money("amount", "Amount", "amount"),
    ),
    "expected_at", default_descending=False, like=("order_id", "status"),
    choices=(_BY_STATUS, _BY_CURRENCY),
    noun="amounts on hold",
)

WITHDRAWALS = View(
    "withdrawals", "withdrawal", "withdrawals",
    (
        Column("created_at", "Requested", "created_at", DATE, width=10),
        Column("withdrawal_id", "Withdrawal ID", "withdrawal_id", width=18),
        Column("type", "Type", "type", width=10),
        Column("status", "Status", "status", width=10),
        _money("amount", "Amount", "amount"),
        Column("by_hand", "Entered by hand", "entered_by_hand", FLAG, width=6),
        Column("note", "Note", "note", width=20),
    ),
    "created_at", like=("withdrawal_id", "status", "note"),
    choices=(_BY_STATUS, _BY_CURRENCY),
    noun="withdrawals",
)

COMMISSIONS = View(
    "commissions", "commission", "commissions",
    (
        Column("order_at", "Ordered", "order_at", DATE, width=10),
        Column("order_id", "Order", "order_id", width=20),
        Column("product", "Product", "product_name", width=24),
        Column("counterpart", "Partner", "counterpart", width=14),
        Column("status", "Status", "settlement_status", width=10),
        _money("estimated", "Estimated", "estimated", width=10),
        _money("earned", "Earned", "earned", width=10),
    ),
    "order_at", like=("order_id", "product_name", "counterpart"),
    choices=(Choice("status", "Status", "settlement_status"), Choice("layout", "As", "layout", ("creator", "seller"))),
    noun="commissions",
)

THREADS = View(
    "threads", "thread", "threads",
    (
        Column("counterpart", "With", "counterpart", width=18),
        Column("channel", "Channel", "channel", width=7),
        Column("last_at", "Last message", "(SELECT max(sent_at) FROM messages WHERE thread_id = threads.id)",
               DATETIME, width=16),
        Column("count", "Messages", "(SELECT count(*) FROM messages WHERE thread_id = threads.id)", INT, width=5),
        Column("last", "Latest", "(SELECT substr(body, 1, 120) FROM messages WHERE thread_id = threads.id"
               " ORDER BY sent_at DESC, id DESC LIMIT 1)", sortable=False),
    ),
    "last_at", choices=(Choice("channel", "Channel", "channel", ("direct", "shop", "email", "phone", "other")),),
    text_sql="(id IN (SELECT ref FROM search_index WHERE search_index MATCH ? AND kind = 'thread')"
             " OR id IN (SELECT thread_id FROM messages WHERE id IN"
             " (SELECT ref FROM search_index WHERE search_index MATCH ? AND kind = 'message')))",
    n_text_params=2,
    noun="conversations",
)

CASES = View(
    "cases", "case", "cases",
    (
        Column("title", "Case", "title", width=26),
        Column("kind", "Kind", "kind", width=13),
        Column("status", "Status", "status", width=8),
        Column("deadline", "Deadline", "deadline", DATETIME, width=22),
        Column("checklist", "Checklist",
               "(SELECT sum(done) || ' of ' || count(*) FROM case_checklist WHERE case_id = cases.id)", width=6,
               sortable=False),
        Column("opened_at", "Opened", "opened_at", DATE, width=10),
    ),
    "deadline", default_descending=False, search_kind="case",
    choices=(Choice("status", "Status", "status", ("open", "submitted", "won", "lost", "closed")),
             Choice("kind", "Kind", "kind", ("dispute", "return", "not_received", "appeal", "chargeback"))),
    noun="cases",
)

EVIDENCE = View(
    "evidence", "evidence", "attachments",
    (
        Column("name", "Name", "original_name", width=26),
        Column("type", "Type", "media_type", width=14),
        Column("size", "Size", "size", BYTES, width=8),
        Column("added_at", "Added", "added_at", DATETIME, width=16),
        Column("captured_at", "Taken", "captured_at", DATETIME, width=16),
        Column("caption", "Caption", "caption", width=24),
        Column("links", "Linked to", "(SELECT count(*) FROM attachment_links WHERE attachment_id = attachments.id)",
               INT, width=6),
    ),
    "added_at", search_kind="evidence",
    choices=(
        Choice("group", "Type", "CASE WHEN media_type LIKE 'image/%' THEN 'Images' WHEN media_type ="
               " 'application/pdf' THEN 'PDFs' ELSE 'Other files' END", ("Images", "PDFs", "Other files")),
        Choice("origin", "Source", "origin", ("file", "drop", "paste", "screen", "import")),
    ),
    noun="evidence items",
)

VIEWS: dict[str, View] = {v.name: v for v in (ORDERS, SETTLEMENTS, ON_HOLD, WITHDRAWALS, COMMISSIONS, THREADS, CASES,
                                             EVIDENCE)}


def _like_pattern(text: str) -> str:
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _where(view: View, query: Query) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    text = query.text.strip()
    if text:
        if view.text_sql or view.search_kind:
            match = build_match(text)
            if match is None:
                clauses.append("0")
            else:
                clauses.append(view.text_sql or filter_ids_sql(view.search_kind))
                params += [match] * (view.n_text_params if view.text_sql else 1)
        elif view.like:
            clauses.append("(" + " OR ".join(f"{c} LIKE ? ESCAPE '\\'" for c in view.like) + ")")
            params += [_like_pattern(text)] * len(view.like)
    for choice in view.choices:
        value = query.choices.get(choice.key)
        if value:
            clauses.append(f"{choice.sql} = ?")
            params.append(value)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def sort_column(view: View, query: Query) -> Column:
    """The column a query sorts by: its own when the view has it and it is sortable, else the view's default."""
    try:
        col = view.column(query.sort or view.default_sort)
    except KeyError:
        col = view.column(view.default_sort)
    return col if col.sortable else view.column(view.default_sort)


def _sort_sql(col: Column) -> str:
    return f"{col.sql} COLLATE NOCASE" if col.type == TEXT else col.sql


def _order_by(view: View, query: Query) -> str:
    direction = "DESC" if query.descending else "ASC"
    return f" ORDER BY {_sort_sql(sort_column(view, query))} {direction} NULLS LAST, id {direction}"


def default_query(view: View) -> Query:
    return Query(sort=view.default_sort, descending=view.default_descending)


Cursor = tuple[Any, int]
"""Where a page ends: the last row's sort value and id. The next page starts right after it."""


def cursor_of(view: View, query: Query, row: Row) -> Cursor:
    """The cursor after `row` (a row of this view read with this query's sort)."""
    return row.values[view.columns.index(sort_column(view, query))], row.id


def _page_ids(conn: Conn, view: View, query: Query, offset: int, limit: int, after: Cursor | None) -> list[int]:
    """The ids of one page, in the query's order.

    With `after`, by key ("keyset" paging): the rows whose (sort value, id) come after the cursor's, so page k
    costs what page 1 costs, where `OFFSET` makes SQLite walk past every earlier row again (reading 100,000 orders
    page by page was quadratic). The rows with a sort value come first, then those without one (NULLS LAST): each
    part is its own query, ordered plainly by (value, id) — what an index on the sort column gives, in either
    direction — and the second runs only when the first leaves the page short. The ids break ties, so every row
    is read exactly once, in the same order a single query without paging gives.

    Without `after`, `offset` rows are skipped (a jump; the first page has offset 0).
    """
    where, params = _where(view, query)
    if after is None and offset:
        return [int(r[0]) for r in conn.execute(
            f"SELECT id FROM {view.source}{where}{_order_by(view, query)} LIMIT ? OFFSET ?",
            (*params, limit, offset))]
    column = sort_column(view, query)
    direction, beyond = ("DESC", "<") if query.descending else ("ASC", ">")
    if column.sql.isidentifier():  # a plain column: compared and ordered where it is, so its index serves
        expr, source, joiner = _sort_sql(column), view.source, " AND " if where else " WHERE "
    else:
        # A computed value (a count, a sum, a fallback name) is worked out once per row in a subquery, not once
        # for each of the three places it appears. LIMIT -1 keeps SQLite from merging the subquery back in.
        expr, joiner = "sort_key", " WHERE "
        source = f"(SELECT id, {_sort_sql(column)} AS sort_key FROM {view.source}{where} LIMIT -1)"
        where = ""
    ids: list[int] = []
    if after is None or after[0] is not None:
        clause, extra = f"{expr} IS NOT NULL", []
        if after is not None:
            clause += f" AND ({expr}, id) {beyond} (?, ?)"
            extra = [after[0], after[1]]
        ids = [int(r[0]) for r in conn.execute(
            f"SELECT id FROM {source}{where}{joiner}{clause} ORDER BY {expr} {direction}, id {direction}"
            f" LIMIT ?", (*params, *extra, limit))]
    if len(ids) < limit:
        clause, extra = f"{expr} IS NULL", []
        if after is not None and after[0] is None:
            clause += f" AND id {beyond} ?"
            extra = [after[1]]
        ids += [int(r[0]) for r in conn.execute(
            f"SELECT id FROM {source}{where}{joiner}{clause} ORDER BY id {direction} LIMIT ?",
            (*params, *extra, limit - len(ids)))]
    return ids


def fetch_page(conn: Conn, view: View, query: Query, offset: int, limit: int,
               after: Cursor | None = None) -> list[Row]:
    """Up to `limit` rows of the view in the query's order: those after the cursor `after` (the last row of the
    page before, see `cursor_of`), or without one rows `offset`..`offset+limit`.

    Two steps: the page's ids first (the sort touches only the sort key and the id), then the columns of those
    ids alone — so the per-row subqueries (items, evidence counts) run 200 times, not once per row sorted.
    """
    ids = _page_ids(conn, view, query, offset, limit, after)
    if not ids:
        return []
    money = [c for c in view.columns if c.type == MONEY]
    select = ", ".join([c.sql for c in view.columns] + [c.currency for c in money])
    fetched = {int(row[0]): row for row in conn.execute(
        f"SELECT id, {select} FROM {view.source} WHERE id IN ({','.join('?' * len(ids))})", ids)}
    n = len(view.columns)
    out = []
    for record_id in ids:
        row = fetched[record_id]
        values = tuple(row[1:n + 1])
        extra = iter(row[n + 1:])
        currencies = tuple(next(extra) if c.type == MONEY else None for c in view.columns)
        out.append(Row(record_id, values, currencies))
    return out


def count(conn: Conn, view: View, query: Query) -> int:
    where, params = _where(view, query)
    return int(conn.execute(f"SELECT count(*) FROM {view.source}{where}", params).fetchone()[0])


def total(conn: Conn, view: View) -> int:
    """Every record of the view, whatever the filters."""
    return count(conn, view, Query())


def choice_values(conn: Conn, view: View, key: str, limit: int = 50) -> list[str]:
    """The values a drop-down offers: fixed ones, else the most common in the data."""
    choice = next(c for c in view.choices if c.key == key)
    if choice.values:
        return list(choice.values)
    rows = conn.execute(
        f"SELECT {choice.sql} AS v FROM {view.source} WHERE v IS NOT NULL AND v != ''"
        f" GROUP BY v ORDER BY count(*) DESC, v LIMIT ?", (limit,)).fetchall()
    return [str(r[0]) for r in rows]


def with_sort(query: Query, key: str, descending: bool) -> Query:
    return replace(query, sort=key, descending=descending)


# -- what a detail pane shows -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Attachments:
    items: list[EvidenceItem]
    thumbs: dict[int, bytes]


@dataclass(frozen=True)
class RecordDetail:
    """Everything one record's pane shows: its fields, notes, evidence and the cases it is part of."""

    kind: str
    id: int
    title: str
    fields: list[tuple[str, str]]
    notes: list[Note]
    evidence: Attachments
    cases: list[CaseSummary]
    lines: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def _thumbs(conn: Conn, attachment_ids: list[int]) -> dict[int, bytes]:
    """The stored thumbnails of these attachments (those that have one), by attachment id."""
    if not attachment_ids:
        return {}
    marks = ",".join("?" * len(attachment_ids))
    return {int(i): bytes(p) for i, p in conn.execute(
        f"SELECT attachment_id, png FROM attachment_thumbs WHERE attachment_id IN ({marks})", attachment_ids)}


def attachments(conn: Conn, kind: str, target_id: int) -> Attachments:
    items = items_for(conn, kind, target_id)
    return Attachments(items, _thumbs(conn, [i.id for i in items]))


def _shown(fields: list[tuple[str, Any]]) -> list[tuple[str, str]]:
    """The fields worth a line in the pane: those with a value, as text."""
    return [(label, str(value)) for label, value in fields if value]


def _linked_detail(conn: Conn, kind: str, record_id: int, title: str, fields: list[tuple[str, Any]], *,
                   lines: list[dict[str, Any]] | None = None, extra: dict[str, Any] | None = None) -> RecordDetail:
    """A record's pane: its fields, then the notes, evidence and cases linked to it (orders, money, threads)."""
    return RecordDetail(kind, record_id, title, _shown(fields), notes_for(conn, kind, record_id),
                        attachments(conn, kind, record_id), cases_for(conn, kind, record_id), lines or [],
                        extra or {})


def _record(conn: Conn, table: str, record_id: int) -> dict[str, Any]:
    cur = conn.execute(f"SELECT * FROM {table} WHERE id = ?", (record_id,))
    row = cur.fetchone()
    if row is None:
        from shopexit.core.errors import NotFound

        raise NotFound(f"{table} #{record_id}: no longer in this vault.")
    return dict(zip([d[0] for d in cur.description], row, strict=True))


def _raw_fields(conn: Conn, raw_json: str, skip: set[str]) -> list[tuple[str, str]]:
    """The export's own columns, for anything our columns do not show (either stored form: `records.raw`)."""
    data = raw.decode_row(conn, raw_json)
    return [(str(k).strip(), str(v).strip()) for k, v in data.items()
            if str(k).strip() not in skip and v not in (None, "") and str(v).strip()]


def order_detail(conn: Conn, order_ref: int) -> RecordDetail:
    o = _record(conn, "orders", order_ref)
    lines = [dict(zip(("product", "variation", "seller_sku", "sku_id", "quantity", "returned", "unit_price",
                       "subtotal"), r, strict=True))
             for r in conn.execute(
                 "SELECT product_name, variation, seller_sku, sku_id, quantity, returned_quantity, unit_price,"
                 " subtotal FROM order_lines WHERE order_ref = ? ORDER BY id", (order_ref,))]
    fields = [
        ("Status", " · ".join(x for x in (o["status"], o["substatus"]) if x)),
        ("Created", o["created_at"] or ""), ("Paid", o["paid_at"] or ""), ("Shipped", o["shipped_at"] or ""),
        ("Delivered", o["delivered_at"] or ""), ("Cancelled", o["cancelled_at"] or ""),
        ("Buyer", o["buyer_username"]), ("Recipient", o["recipient"]), ("Phone", o["phone"]),
        ("Address", o["address"]), ("Country", o["country"]),
        ("Carrier", o["shipping_provider"]), ("Tracking", o["tracking_id"]),
        ("Buyer's message", o["buyer_message"]), ("Cancel reason", o["cancel_reason"]),
    ]
    money = {"amount": o["order_amount"], "taxes": o["taxes"], "shipping": o["shipping_fee"],
             "refund": o["refund_amount"], "currency": o["currency"]}
    return _linked_detail(conn, "order", order_ref, f"Order {o['order_id']}", fields, lines=lines,
                          extra={"money": money, "buyer_purged": bool(o["buyer_purged"]), "order_id": o["order_id"]})


_MONEY_TABLES = {"settlement": "settlements", "on_hold": "on_hold", "withdrawal": "withdrawals",
                 "commission": "commissions"}
_MONEY_TITLES = {"settlement": "Settlement", "on_hold": "On hold", "withdrawal": "Withdrawal",
                 "commission": "Commission"}
_HIDDEN = {"id", "raw_json", "import_id", "natural_key"}


def money_detail(conn: Conn, kind: str, record_id: int) -> RecordDetail:
    """A settlement, amount on hold, withdrawal or commission: its columns, then the export's own fields."""
    table = _MONEY_TABLES[kind]
    r = _record(conn, table, record_id)
    currency = r.get("currency") or ""
    money_cols = {"settlement_amount", "revenue", "fees", "affiliate_commission", "amount", "estimated", "earned"}
    fields: list[tuple[str, Any]] = []
    for key, value in r.items():
        if key in _HIDDEN or key == "currency" or value in (None, ""):
            continue
        if key in money_cols:
            from shopexit.core.money import format_display

            value = format_display(int(value), currency)
        elif key == "entered_by_hand":
            value = "yes" if value else "no"
        fields.append((key.replace("_", " ").capitalize(), str(value)))
    ident = r.get("reference_id") or r.get("withdrawal_id") or r.get("order_id") or record_id
    return _linked_detail(conn, kind, record_id, f"{_MONEY_TITLES[kind]} {ident}", fields,
                          extra={"raw": _raw_fields(conn, r.get("raw_json", ""), set())})


@dataclass(frozen=True)
class Message:
    id: int
    direction: str
    sender: str
    sent_at: str | None
    body: str
    by_hand: bool
    evidence: int


def thread_detail(conn: Conn, thread_id: int, limit: int = 2000) -> RecordDetail:
    """A conversation with its latest `limit` messages, oldest first, as a chat reads."""
    t = _record(conn, "threads", thread_id)
    rows = conn.execute(
        "SELECT id, direction, sender, sent_at, body, entered_by_hand,"
        " (SELECT count(*) FROM attachment_links WHERE target_kind = 'message' AND target_id = m.id)"
        " FROM messages m WHERE thread_id = ? ORDER BY sent_at DESC NULLS LAST, id DESC LIMIT ?",
        (thread_id, limit)).fetchall()
    messages = [Message(int(i), d, s, at, b, bool(h), int(n)) for i, d, s, at, b, h, n in reversed(rows)]
    total_messages = int(conn.execute("SELECT count(*) FROM messages WHERE thread_id = ?", (thread_id,)).fetchone()[0])
    fields = [("With", t["counterpart"]), ("Channel", t["channel"]), ("Subject", t["subject"])]
    return _linked_detail(conn, "thread", thread_id, f"Conversation with {t['counterpart']}", fields,
                          extra={"messages": messages, "total": total_messages, "channel": t["channel"],
                                 "counterpart": t["counterpart"]})


def thread_of_message(conn: Conn, message_id: int) -> int | None:
    row = conn.execute("SELECT thread_id FROM messages WHERE id = ?", (message_id,)).fetchone()
    return int(row[0]) if row else None


def evidence_detail(conn: Conn, attachment_id: int) -> RecordDetail:
    item = get_item(conn, attachment_id)
    links = [(k, t, record_label(conn, k, t) if k in ("order", "thread", "message", "withdrawal", "settlement")
              else _other_label(conn, k, t)) for k, t in links_of(conn, attachment_id)]
    fields = [("Type", item.media_type), ("Size", human_size(item.size)), ("SHA-256", item.sha256),
              ("Original name", item.original_name), ("Added", item.added_at),
              ("Taken", item.captured_at or ""), ("Added by", ORIGINS.get(item.origin, item.origin))]
    if item.width and item.height:
        fields.insert(2, ("Pixels", f"{item.width:,} × {item.height:,}"))
    return RecordDetail("evidence", attachment_id, item.original_name, _shown(fields),
                        notes_for(conn, "attachment", attachment_id),
                        Attachments([item], _thumbs(conn, [attachment_id])), [], extra={"item": item, "links": links})


ORIGINS = {"file": "Added from a file", "drop": "Dropped in", "paste": "Pasted", "screen": "Screen capture",
           "import": "Imported export file"}


def _other_label(conn: Conn, kind: str, target_id: int) -> str:
    if kind == "case":
        row = conn.execute("SELECT title FROM cases WHERE id = ?", (target_id,)).fetchone()
        return f"Case: {row[0]}" if row else f"Case #{target_id}"
    if kind == "step":
        return f"Step {target_id}"
    if kind in ("on_hold", "commission"):
        row = conn.execute(f"SELECT order_id FROM {_MONEY_TABLES[kind]} WHERE id = ?", (target_id,)).fetchone()
        label = _MONEY_TITLES[kind]
        return f"{label}, order {row[0]}" if row else f"{label} #{target_id}"
    return f"{kind.replace('_', ' ').capitalize()} #{target_id}"


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"  # pragma: no cover


def change_mark(conn: Conn) -> int:
    """A number that grows with every change to the vault (each change appends to the audit log): a page
    shown again reloads only when it differs from the one it loaded at."""
    return int(conn.execute("SELECT coalesce(max(id), 0) FROM audit_log").fetchone()[0])
