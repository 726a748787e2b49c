"""Finance > Income export, sheet "order details": one row per order or adjustment settled.

Headers drift between months (`Order/adjustment ID  ` with trailing spaces, `Order\\adjustment ID`,
`Order/Adjustment ID`; `Type` or `Transaction type`; `Order created time(UTC)`), which `columns` absorbs.
Weekly exports overlap and repeat rows: each row is keyed by its ID and type, so a repeated row is found
unchanged rather than counted again.
"""

from __future__ import annotations

from shopexit.core.importers.columns import CellProblem, Columns, Field, amount, currency_code, decide_dates, when
from shopexit.core.importers.context import Context
from shopexit.core.importers.dates import DateReader
from shopexit.core.importers.tabular import Table
from shopexit.core.records.finance import raw_json, upsert_settlement

LABEL = "Income / settlement export"
FIELDS: tuple[Field, ...] = (
    Field("reference_id", ("order/adjustment id", "order/adjustment id.", "statement/adjustment id"), required=True,
          display="Order/adjustment ID"),
    Field("settlement_amount", ("total settlement amount", "settlement amount"), required=True,
          display="Total settlement amount"),
    Field("type", ("type", "transaction type")),
    Field("order_id", ("related order id", "order id")),
    Field("currency", ("currency",)),
    Field("revenue", ("total revenue",)),
    Field("fees", ("total fees",)),
    Field("affiliate_commission", ("affiliate commission",)),
    Field("order_created", ("order created time", "order create time")),
    Field("settled", ("order settled time", "settled time", "statement time")),
)
DATE_FIELDS = ("order_created", "settled")


def run(ctx: Context, table: Table) -> None:
    cols = Columns(table.header, FIELDS)
    reader = DateReader(ctx.zone)
    rows = decide_dates(ctx.rows(table, cols, "reference_id"), reader, cols, DATE_FIELDS, ctx.path)
    for row_number, cells in rows:
        try:
            reference = cols.get(cells, "reference_id")
            if not reference:
                raise CellProblem(cols.title("reference_id"), "no order or adjustment ID")
            kind = cols.get(cells, "type")
            currency = currency_code(cols.get(cells, "currency"), _t(cols, "currency"), ctx.currency)
            settled, currency = amount(cols.get(cells, "settlement_amount"), cols.title("settlement_amount"),
                                       currency)
            revenue = amount(cols.get(cells, "revenue"), _t(cols, "revenue"), currency)[0]
            fees = amount(cols.get(cells, "fees"), _t(cols, "fees"), currency)[0]
            affiliate = amount(cols.get(cells, "affiliate_commission"), _t(cols, "affiliate_commission"), currency)[0]
            is_order = kind.strip().lower() in ("", "order")
            values = {
                "reference_id": reference,
                "order_id": cols.get(cells, "order_id") or (reference if is_order else ""),
                "type": kind, "currency": currency, "settlement_amount": settled, "revenue": revenue,
                "fees": fees, "affiliate_commission": affiliate,
                "settled_at": when(reader, cols, cells, "settled"), "settled_text": cols.get(cells, "settled"),
                "order_created_at": when(reader, cols, cells, "order_created"),
                "raw_json": raw_json(cols.raw(cells)),
            }
        except CellProblem as problem:
            ctx.refuse_or_skip(row_number, problem)
            continue
        key = f"{reference}|{kind.strip().casefold() or 'order'}"
        ctx.counts.tally(upsert_settlement(ctx.conn, key, values, ctx.import_id)[0])


def _t(cols: Columns, name: str) -> str:
    return cols.title(name) if cols.has(name) else name
