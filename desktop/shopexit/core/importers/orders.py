"""Seller Center > Orders > Export (CSV or XLSX), any region's layout.

One row per SKU line; the order's own fields (status, Order Amount, Taxes, shipping, buyer, times) repeat on
every line of the order and are read once per order per file, so nothing is counted twice. Regional exports add
columns (Thailand: Small Order Fee, District; Indonesia: Buyer Service Fee, Handling Fee …): they are kept in
`raw_json` with every other column no field claims, as `[layout, cells …]` with the header names stored once
per file's layout (`records.raw`).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence

from shopexit.core import money
from shopexit.core.importers.columns import (
    CellProblem,
    Columns,
    Field,
    amount,
    decide_dates,
    integer,
    raw_encoder,
)
from shopexit.core.importers.context import Context
from shopexit.core.importers.dates import DateReader
from shopexit.core.importers.tabular import Table
from shopexit.core.records import raw
from shopexit.core.records.orders import OrderWriter

LABEL = "Orders export"
FIELDS: tuple[Field, ...] = (
    Field("order_id", ("order id",), required=True, display="Order ID"),
    Field("status", ("order status",), required=True, display="Order Status"),
    Field("order_amount", ("order amount",), required=True, display="Order Amount"),
    Field("substatus", ("order substatus",)),
    Field("currency", ("currency",)),
    Field("sku_id", ("sku id",)),
    Field("seller_sku", ("seller sku",)),
    Field("product_name", ("product name",)),
    Field("variation", ("variation",)),
    Field("quantity", ("quantity",)),
    Field("returned_quantity", ("sku quantity of return",)),
    Field("unit_price", ("sku unit original price",)),
    Field("subtotal", ("sku subtotal after discount",)),
    Field("subtotal_before", ("sku subtotal before discount",)),
    Field("platform_discount", ("sku platform discount",)),
    Field("seller_discount", ("sku seller discount",)),
    Field("shipping_fee", ("shipping fee after discount",)),
    Field("taxes", ("taxes",)),
    Field("refund_amount", ("order refund amount",)),
    Field("created", ("created time", "order created time", "create time")),
    Field("paid", ("paid time",)),
    Field("rts", ("rts time",)),
    Field("shipped", ("shipped time",)),
    Field("delivered", ("delivered time",)),
    Field("cancelled", ("cancelled time", "canceled time")),
    Field("cancel_reason", ("cancel reason",)),
    Field("tracking_id", ("tracking id",)),
    Field("shipping_provider", ("shipping provider name",)),
    Field("buyer_message", ("buyer message",)),
    Field("buyer_username", ("buyer username",)),
    Field("recipient", ("recipient",)),
    Field("phone", ("phone #", "phone", "phone number")),
    Field("country", ("country",)),
    Field("house", ("house name or number",)),
    Field("detail_address", ("detail address",)),
    Field("additional_address", ("additional address information",)),
    Field("village", ("villages", "village")),
    Field("district", ("district", "districts")),
    Field("city", ("city", "regency and city")),
    Field("state", ("state", "province")),
    Field("zipcode", ("zipcode", "zip code", "postcode", "postal code")),
    Field("package_id", ("package id",)),
)
DATE_FIELDS = ("created", "paid", "rts", "shipped", "delivered", "cancelled")
# Columns that describe a SKU line rather than the order; the rest describe the order and repeat per line.
LINE_FIELDS = ("sku_id", "seller_sku", "product_name", "variation", "quantity", "returned_quantity",
               "unit_price", "subtotal", "subtotal_before", "platform_discount", "seller_discount", "package_id")
ADDRESS_FIELDS = ("house", "detail_address", "additional_address", "village", "district", "city", "state",
                  "zipcode")


SWITCH_INTERVAL = 0.0002
"""Seconds between the interpreter's forced GIL hand-overs while an import runs (Python's default is 0.005).
The writer thread needs the GIL briefly between statements; with the default it waited up to 5 ms each time
and the import was no faster than writing in line (measured: 18.5 s against 11.5 s with 0.2 ms)."""


def run(ctx: Context, table: Table) -> None:
    """Parse on this thread while a writer thread writes the batches already parsed (see `BatchPipe`).

    The writer is the only user of the connection until `outcomes()` or `abort()` has joined it, so whatever
    ends the rows early (a refused row, cancel, a write error re-raised here) stops the writer first, and the
    driver's rollback then undoes every batch written."""
    cols = Columns(table.header, FIELDS)
    encoders = _raw_encoders(ctx, cols)  # before the writer, which reads every layout the vault holds
    writer = OrderWriter(ctx.conn, ctx.import_id, background=True)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
    try:
        _rows(ctx, table, cols, writer, encoders)
        outcomes = writer.outcomes()
    except BaseException:
        writer.abort()
        raise
    finally:
        sys.setswitchinterval(interval)
    for outcome in outcomes:
        ctx.counts.tally(outcome)


Encoders = tuple[Callable[[Sequence[str]], str], Callable[[Sequence[str]], str]]


def _split(cols: Columns) -> tuple[list[int], list[int]]:
    """The columns kept with each line, and those kept with the order (every other one)."""
    line_idx = sorted(cols.index[f] for f in LINE_FIELDS if f in cols.index)
    line_set = set(line_idx)
    return line_idx, [i for i in range(cols.width) if i not in line_set]


def _raw_encoders(ctx: Context, cols: Columns) -> Encoders:
    """The `raw_json` writers for lines and orders: two layouts per file (found or added once)."""
    line_idx, order_idx = _split(cols)
    return raw_encoder(ctx.conn, cols.header, line_idx), raw_encoder(ctx.conn, cols.header, order_idx)


def _rows(ctx: Context, table: Table, cols: Columns, writer: OrderWriter, encoders: Encoders) -> None:
    reader = DateReader(ctx.zone)
    header = cols.header
    _line_idx, order_idx = _split(cols)
    line_raw, order_raw = encoders
    order_headers = [header[i] for i in order_idx]
    at = cols.at
    i_order_id, i_currency, i_status = at("order_id"), at("currency"), at("status")
    i_sku, i_seller_sku, i_product, i_variation = at("sku_id"), at("seller_sku"), at("product_name"), at("variation")
    i_qty, i_returned = at("quantity"), at("returned_quantity")
    t_qty, t_returned = _title(cols, "quantity"), _title(cols, "returned_quantity")
    simple = [at(f) for f in ("substatus",)]
    people = [at(f) for f in ("buyer_username", "recipient", "phone")]
    after = [at(f) for f in ("country", "tracking_id", "shipping_provider", "buyer_message", "cancel_reason")]
    times = [(at(f), _title(cols, f), f in cols.utc) for f in ("created", "paid", "shipped", "delivered", "cancelled",
                                                                 "rts")]
    i_created = at("created")
    order_money = [(at(f), _title(cols, f)) for f in ORDER_MONEY]
    line_money = [(at(f), _title(cols, f)) for f in LINE_MONEY]
    address_idx = [at(f) for f in ADDRESS_FIELDS if f in cols.index]
    width = cols.width
    parse = reader.parse
    rows = decide_dates(ctx.rows(table, cols, "order_id"), reader, cols, DATE_FIELDS, ctx.path)
    for row_number, cells in rows:
        try:
            order_id = cells[i_order_id]
            if not order_id:
                raise CellProblem(header[i_order_id], "no order ID")
            currency = cells[i_currency].upper() or ctx.currency
            if len(currency) != 3 or not currency.isalpha():
                raise CellProblem(header[i_currency], f"not a currency code: {cells[i_currency]!r}")
            line_amounts, currency = _amounts(cells, line_money, currency)
            line = (
                cells[i_sku], cells[i_seller_sku], cells[i_product], cells[i_variation],
                _int(cells[i_qty], t_qty), _int(cells[i_returned], t_returned), *line_amounts,
                line_raw(cells),
            )
            order: Sequence[object] | None = None
            if not writer.seen_before(order_id):
                order_amounts, currency = _amounts(cells, order_money, currency)
                if len(cells) - 1 > width and any(cells[width:-1]):  # cells beyond the header: rare, slow path
                    # no layout has these extra columns, so the row keeps the object form {header: cell}
                    extra = dict(zip(order_headers, [cells[i] for i in order_idx], strict=True))
                    extra.update({f"column {i + 1}": cells[i] for i in range(width, len(cells) - 1) if cells[i]})
                    raw_text = raw.encode_object(extra)
                else:
                    raw_text = order_raw(cells)
                stamps: list[str | None] = []
                for i, title, utc in times:
                    text = cells[i]
                    if not text:
                        stamps.append(None)
                        continue
                    try:
                        stamps.append(parse(text, utc))
                    except ValueError as exc:
                        raise CellProblem(title, str(exc)) from exc
                order = (
                    cells[i_status], *[cells[i] for i in simple], currency, *order_amounts,
                    stamps[0], cells[i_created] or None, *stamps[1:5], *[cells[i] for i in people],
                    ", ".join([p for p in [cells[i] for i in address_idx] if p]), *[cells[i] for i in after],
                    raw_text,
                )
                if not order[0]:
                    raise CellProblem(header[i_status], "no order status")
        except CellProblem as problem:
            ctx.refuse_or_skip(row_number, problem)
            continue
        writer.add(order_id, order, cells[i_sku] or cells[i_seller_sku] or cells[i_product], line)


def _int(text: str, column: str) -> int:
    if text.isdigit() and text.isascii() and len(text) < 19:  # the common case, fast; 19 digits may overflow
        return int(text)
    return integer(text, column)


ORDER_MONEY = ("order_amount", "taxes", "shipping_fee", "refund_amount")
LINE_MONEY = ("unit_price", "subtotal")
FIELDS_BY_MONEY = ORDER_MONEY + LINE_MONEY


def _title(cols: Columns, name: str) -> str:
    return cols.title(name) if cols.has(name) else name


def _amounts(cells: list[str], where: list[tuple[int, str]], currency: str) -> tuple[list[int], str]:
    """Money cells in minor units, all in one currency (a suffix like "120 THB" names it for the row).

    The common row (every cell like "48.00" in a two-decimal currency) is checked by one compiled pattern over
    the cells joined, and each becomes an int with its point removed; any other row goes cell by cell."""
    texts = [cells[i] for i, _title in where]
    plain = _PLAIN_ROWS.get(currency)
    if plain is None:
        plain = _PLAIN_ROWS[currency] = _plain_row(money.exponent(currency))
    if plain.fullmatch("|".join(texts)) is not None:
        return [int(t.replace(".", "")) for t in texts], currency
    exp = money.exponent(currency)
    out: list[int] = []
    for text, (_i, title) in zip(texts, where, strict=True):
        whole, dot, frac = text.partition(".")
        if dot and len(frac) == exp and whole.isdigit() and frac.isdigit() and text.isascii() and len(whole) <= 15:
            out.append(int(whole + frac))
            continue
        minor, cur = amount(text, title, currency)
        if cur != currency:
            if any(out):
                raise CellProblem(title, f"{cur} here but {currency} elsewhere in the row")
            currency = cur
            exp = money.exponent(currency)
        out.append(minor)
    return out, currency


def _plain_row(exp: int) -> re.Pattern[str]:
    """Cells joined by "|", each ASCII digits (at most 15 before the point) with exactly `exp` decimals."""
    cell = r"[0-9]{1,15}" + (rf"\.[0-9]{{{exp}}}" if exp else "")
    return re.compile(rf"{cell}(?:\|{cell})*")


_PLAIN_ROWS: dict[str, re.Pattern[str]] = {}
