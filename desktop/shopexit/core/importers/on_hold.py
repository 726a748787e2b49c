"""Finance > On-hold / unsettled orders export: money the platform still holds, as a snapshot.

Banner rows ("Download time", "Total Transactions") sit above the header; `/` in a money cell means nothing
there, i.e. 0. Rows are keyed by type, order or adjustment ID and SKU, so a later snapshot updates the amount
an earlier one recorded instead of adding to it. Money that has since settled is not counted as held: the
figures (`facts.funds`) leave out on-hold rows whose order has a settlement.
"""

from __future__ import annotations

from shopexit.core.importers.columns import CellProblem, Columns, Field, amount, currency_code, decide_dates, when
from shopexit.core.importers.context import Context
from shopexit.core.importers.dates import DateProblem, DateReader
from shopexit.core.importers.tabular import Table
from shopexit.core.records.finance import raw_json, upsert_on_hold

LABEL = "On-hold (unsettled) export"
FIELDS: tuple[Field, ...] = (
    Field("reference_id", ("order/adjustment id",), required=True, display="Order/adjustment ID"),
    Field("amount", ("total estimated settlement amount", "estimated settlement amount"), required=True,
          display="Total estimated settlement amount"),
    Field("type", ("type", "transaction type")),
    Field("order_id", ("related order id", "order id")),
    Field("created", ("creation date", "order created time", "created time")),
    Field("expected", ("estimated settle time", "estimated settlement time")),
    Field("reason", ("unsettled reasons", "unsettled reason")),
    Field("sku_id", ("sku id",)),
    Field("currency", ("currency",)),
)


def run(ctx: Context, table: Table) -> None:
    cols = Columns(table.header, FIELDS)
    reader = DateReader(ctx.zone)
    rows = decide_dates(ctx.rows(table, cols, "reference_id"), reader, cols, ("created", "expected"), ctx.path)
    for row_number, cells in rows:
        try:
            reference = cols.get(cells, "reference_id")
            if not reference:
                raise CellProblem(cols.title("reference_id"), "no order or adjustment ID")
            kind = cols.get(cells, "type")
            currency = currency_code(cols.get(cells, "currency"), cols.title("currency") if cols.has("currency")
                                     else "currency", ctx.currency)
            held, currency = amount(cols.get(cells, "amount"), cols.title("amount"), currency)
            expected_text = cols.get(cells, "expected")
            try:  # often a rule ("Delivered + 7 days") rather than a date: kept as text then
                expected_at = reader.parse(expected_text) if expected_text else None
            except DateProblem:
                expected_at = None
            values = {
                "order_id": cols.get(cells, "order_id") or reference, "currency": currency, "amount": held,
                "status": cols.get(cells, "reason"), "expected_at": expected_at,
                "expected_text": expected_text or None, "raw_json": raw_json(cols.raw(cells)),
            }
            when(reader, cols, cells, "created")  # checked; kept in raw_json (the table has no column for it)
        except CellProblem as problem:
            ctx.refuse_or_skip(row_number, problem)
            continue
        key = "|".join((kind.strip().casefold() or "order", reference, cols.get(cells, "sku_id")))
        ctx.counts.tally(upsert_on_hold(ctx.conn, key, values, ctx.import_id)[0])
