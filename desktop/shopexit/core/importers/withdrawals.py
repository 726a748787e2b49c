"""Withdrawals, in the Partner API's field names: `id,type,status,create_time,currency,amount`.

`create_time` is a Unix timestamp in the API and ISO-8601 text in some tools that save it; both are read.
Only withdrawals whose status says they succeeded have left the balance (`facts.funds` decides that); a later
file that moves one from PROCESSING to SUCCESS updates it.
"""

from __future__ import annotations

from shopexit.core.importers.columns import CellProblem, Columns, Field, amount, currency_code
from shopexit.core.importers.context import Context
from shopexit.core.importers.dates import DateProblem, parse_unix_or_iso
from shopexit.core.importers.tabular import Table
from shopexit.core.records.finance import raw_json, upsert_withdrawal

LABEL = "Withdrawals"
FIELDS: tuple[Field, ...] = (
    Field("id", ("id", "withdrawal id"), required=True, display="id"),
    Field("status", ("status",), required=True, display="status"),
    Field("create_time", ("create_time", "create time"), required=True, display="create_time"),
    Field("amount", ("amount",), required=True, display="amount"),
    Field("type", ("type",)),
    Field("currency", ("currency",)),
)


def run(ctx: Context, table: Table) -> None:
    cols = Columns(table.header, FIELDS)
    for row_number, cells in ctx.rows(table, cols, "id"):
        try:
            ident = cols.get(cells, "id")
            if not ident:
                raise CellProblem(cols.title("id"), "no withdrawal ID")
            status = cols.get(cells, "status").upper()
            if not status:
                raise CellProblem(cols.title("status"), "no status")
            currency = currency_code(cols.get(cells, "currency"), "currency", ctx.currency)
            value, currency = amount(cols.get(cells, "amount"), cols.title("amount"), currency)
            created_text = cols.get(cells, "create_time")
            try:
                created_at = parse_unix_or_iso(created_text, ctx.zone)
            except DateProblem as exc:
                raise CellProblem(cols.title("create_time"), str(exc)) from exc
            values = {
                "type": cols.get(cells, "type") or "WITHDRAW", "status": status, "currency": currency,
                "amount": abs(value), "created_at": created_at, "created_text": created_text or None,
                "raw_json": raw_json(cols.raw(cells)),
            }
        except CellProblem as problem:
            ctx.refuse_or_skip(row_number, problem)
            continue
        ctx.counts.tally(upsert_withdrawal(ctx.conn, ident, values, ctx.import_id)[0])
