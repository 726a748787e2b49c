"""Affiliate commission exports, in both layouts.

The creator's (Affiliate Center > Orders): Order settlement status, Est. standard commission, Total final
earned amount, Order date, Commission settlement date, the shop as counterpart. The seller's (Affiliate >
Orders): Est. Commission Payment, Actual Commission Payment, the creator as counterpart. Rows are keyed by
layout, order, SKU and content, so overlapping exports never count a commission twice.
"""

from __future__ import annotations

from shopexit.core.importers.columns import (
    CellProblem,
    Columns,
    Field,
    amount,
    currency_code,
    decide_dates,
    header_has,
    when,
)
from shopexit.core.importers.context import Context
from shopexit.core.importers.dates import DateReader
from shopexit.core.importers.tabular import Table
from shopexit.core.records.finance import raw_json, upsert_commission

LABEL = "Affiliate commissions"
CREATOR_FIELDS: tuple[Field, ...] = (
    Field("order_id", ("order id",), required=True, display="Order ID"),
    Field("status", ("order settlement status",), required=True, display="Order settlement status"),
    Field("estimated", ("est. standard commission", "estimated standard commission"), required=True,
          display="Est. standard commission"),
    Field("earned", ("total final earned amount",), required=True, display="Total final earned amount"),
    Field("sku_id", ("sku id",)),
    Field("product_name", ("product name",)),
    Field("counterpart", ("shop name",)),
    Field("currency", ("currency",)),
    Field("content_id", ("content id",)),
    Field("order_date", ("order date", "order created time")),
    Field("settled", ("commission settlement date", "commission settlement time")),
)
SELLER_FIELDS: tuple[Field, ...] = (
    Field("order_id", ("order id",), required=True, display="Order ID"),
    Field("estimated", ("est. commission payment", "estimated commission payment"), required=True,
          display="Est. Commission Payment"),
    Field("earned", ("actual commission payment",), required=True, display="Actual Commission Payment"),
    Field("status", ("order settlement status", "settlement status", "commission status")),
    Field("sku_id", ("sku id",)),
    Field("product_name", ("product name",)),
    Field("counterpart", ("creator username", "creator name", "affiliate partner", "creator")),
    Field("currency", ("currency",)),
    Field("content_id", ("content id",)),
    Field("order_date", ("time created", "order create time", "order created time", "order date")),
    Field("settled", ("commission settlement time", "commission settlement date", "settlement time")),
)
FIELDS = CREATOR_FIELDS  # for messages naming what a kind needs; `accepts` knows both layouts


def accepts(normalised: list[str]) -> bool:
    return header_has(normalised, CREATOR_FIELDS) or header_has(normalised, SELLER_FIELDS)


def layout_of(header: list[str]) -> str:
    from shopexit.core.importers.tabular import norm

    return "creator" if header_has([norm(h) for h in header], CREATOR_FIELDS) else "seller"


def run(ctx: Context, table: Table) -> None:
    layout = layout_of(table.header)
    cols = Columns(table.header, CREATOR_FIELDS if layout == "creator" else SELLER_FIELDS)
    reader = DateReader(ctx.zone)
    rows = decide_dates(ctx.rows(table, cols, "order_id"), reader, cols, ("order_date", "settled"), ctx.path)
    for row_number, cells in rows:
        try:
            order_id = cols.get(cells, "order_id")
            if not order_id:
                raise CellProblem(cols.title("order_id"), "no order ID")
            currency = currency_code(cols.get(cells, "currency"), "Currency", ctx.currency)
            estimated, currency = amount(cols.get(cells, "estimated"), cols.title("estimated"), currency)
            earned = amount(cols.get(cells, "earned"), cols.title("earned"), currency)[0]
            values = {
                "layout": layout, "order_id": order_id, "sku_id": cols.get(cells, "sku_id"),
                "product_name": cols.get(cells, "product_name"), "counterpart": cols.get(cells, "counterpart"),
                "currency": currency, "settlement_status": cols.get(cells, "status"),
                "estimated": estimated, "earned": earned,
                "order_at": when(reader, cols, cells, "order_date"),
                "order_text": cols.get(cells, "order_date") or None,
                "settled_at": when(reader, cols, cells, "settled"),
                "settled_text": cols.get(cells, "settled") or None,
                "raw_json": raw_json(cols.raw(cells)),
            }
        except CellProblem as problem:
            ctx.refuse_or_skip(row_number, problem)
            continue
        key = "|".join((layout, order_id, cols.get(cells, "sku_id"), cols.get(cells, "content_id")))
        ctx.counts.tally(upsert_commission(ctx.conn, key, values, ctx.import_id)[0])
