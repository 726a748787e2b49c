"""The real export layouts, as hypothesis strategies: a header a real export carries, then rows whose cells are
drawn from what real cells hold (money with signs, slashes and currency suffixes; dates in every format seen)
and from what they must survive (any text, huge numbers, wrong types, short and long rows)."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime
from typing import Any

from hypothesis import strategies as st

from tests.hardening.importing import ORDER_COLUMNS

SETTLEMENT_COLUMNS = [
    "Order/adjustment ID  ", "Type", "Order created time", "Order settled time", "Currency",
    "Total settlement amount", "Total Revenue", "Subtotal after seller discounts", "Subtotal before discounts",
    "Seller discounts", "Refund subtotal after seller discounts", "Refund subtotal before seller discounts",
    "Refund of seller discounts", "Total Fees", "Transaction fee", "TikTok Shop commission fee",
    "Seller shipping fee", "Actual shipping fee", "Platform shipping fee", "Affiliate commission ",
]
ON_HOLD_COLUMNS = [
    "Type", "Order/adjustment ID", "Related order ID", "creation date", "Total estimated settlement amount",
    "Estimated Settle time", "unsettled reasons", "SKU ID", "Quantity", "Product name", "SKU name", "Net sales",
    "Gross sales", "Fees",
]
COMMISSION_COLUMNS = [
    "Order ID", "SKU ID", "Product ID", "Product name", "Shop name", "Shop code", "Affiliate partner", "Agency",
    "Currency", "Order type", "Order settlement status", "Commission type", "Content type", "Content ID",
    "Standard", "Price", "Items sold", "Items refunded", "GMV", "Est. standard commission",
    "Est. Shop Ads commission", "Est. creator commission reward fee", "Standard commission",
    "Total final earned amount", "Order date", "Commission settlement date",
]
WITHDRAWAL_COLUMNS = ["id", "type", "status", "create_time", "currency", "amount"]

HEADERS: dict[str, list[str]] = {
    "orders": ORDER_COLUMNS, "settlements": SETTLEMENT_COLUMNS, "on_hold": ON_HOLD_COLUMNS,
    "commissions": COMMISSION_COLUMNS, "withdrawals": WITHDRAWAL_COLUMNS,
}
BANNER: dict[str, list[list[str]]] = {
    "on_hold": [["Download time", "2026/11/01 08:00:00"], ["Total Transactions", "6"], []],
    "orders": [["Platform unique order ID.", "Current status of the order."]],
}

_MONEY_WORDS = ("amount", "fee", "price", "subtotal", "revenue", "commission", "gmv", "taxes", "refund",
                "discount", "sales", "settlement", "earned")
_DATE_WORDS = ("time", "date")
_ID_WORDS = (" id", "id ", "order id", "sku id")

STATUSES = ["Completed", "Cancelled", "Shipped", "Delivered", "Awaiting shipment", "In transit", "SUCCESS",
            "PROCESSING", "FAILED", "Settled", "Ineligible", "Pending", "Order", "Refund", "Adjustment"]

weird_text = st.sampled_from([
    "", " ", "\t", "NaN", "nan", "inf", "-inf", "1e308", "1e309", "-0", "0x1F", "½", "٣٤", "１２", "∞",
    "=HYPERLINK(\"http://x\")", "+1", "@SUM(A1)", "null", "None", "true", "\u202e", "\x00", "\ufeff",
    "9" * 40, "-" * 3, "1,2,3", "\"", "'", "\r\n", "😢", "山田 花子",
])

money = st.one_of(
    st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False).map(str),
    st.decimals(min_value=-10**6, max_value=10**6, places=2, allow_nan=False).map(lambda d: f"{d:,}"),
    st.sampled_from(["/", "0", "0.00", "-2.00", "120 THB", "$5.00", "5,00", "1.005", "12.3456"]),
    weird_text,
    st.text(max_size=12),
)


@st.composite
def a_date(draw: st.DrawFn) -> str:
    when = draw(st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2100, 12, 31)))
    style = draw(st.sampled_from(["us", "eu", "iso", "ymd", "z", "garbage"]))
    if style == "us":
        return when.strftime("%m/%d/%Y %I:%M:%S %p") + draw(st.sampled_from(["", "\t"]))
    if style == "eu":
        return when.strftime("%d/%m/%Y %H:%M:%S")
    if style == "iso":
        return when.strftime("%Y-%m-%d %H:%M:%S")
    if style == "ymd":
        return when.strftime("%Y/%m/%d")
    if style == "z":
        return when.strftime("%Y-%m-%dT%H:%M:%SZ")
    return draw(st.one_of(weird_text, st.text(max_size=20), st.sampled_from(["13/13/2026", "02/30/2026 10:00:00"])))


VALID_DATE_STYLE = {"orders": "%m/%d/%Y %I:%M:%S %p", "settlements": "%m/%d/%Y %I:%M:%S %p",
                    "on_hold": "%m/%d/%Y %I:%M:%S %p", "commissions": "%d/%m/%Y %H:%M:%S",
                    "withdrawals": "%Y-%m-%dT%H:%M:%SZ"}
dates_2026 = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 12, 31))


def cell_for(kind: str, column: str) -> st.SearchStrategy[str]:
    """Mostly what a real cell of this column holds (so rows get past the first check and deeper code runs),
    sometimes anything at all."""
    name = column.lower()
    junk: st.SearchStrategy[str]
    if any(w in name for w in _DATE_WORDS):
        valid = dates_2026.map(lambda d: d.strftime(VALID_DATE_STYLE[kind]))
        junk = a_date()
    elif any(w in name for w in _MONEY_WORDS):
        valid = st.decimals(min_value=-1000, max_value=10_000, places=2, allow_nan=False).map(str)
        junk = money
    elif "status" in name or name == "type":
        valid = st.sampled_from(STATUSES)
        junk = st.one_of(weird_text, st.text(max_size=15))
    elif "currency" in name:
        valid = st.just("USD")
        junk = st.one_of(st.sampled_from(["GBP", "JPY", "IDR", "usd", "", "US$", "XXX"]), st.text(max_size=4))
    elif any(w in f" {name} " for w in _ID_WORDS) or name == "id":
        valid = st.integers(10**17, 10**22).map(str)
        junk = st.one_of(st.integers(0, 10**22).map(lambda n: f"{n}\t"), weird_text, st.text(max_size=25))
    elif name in ("quantity", "items sold", "items refunded", "sku quantity of return"):
        valid = st.integers(0, 20).map(str)
        junk = st.one_of(weird_text, st.text(max_size=5))
    else:
        valid = st.text(max_size=40)
        junk = weird_text
    return st.one_of(valid, valid, valid, valid, junk)


@st.composite
def table_rows(draw: st.DrawFn, kind: str) -> list[list[str]]:
    header = HEADERS[kind]
    rows = []
    for _ in range(draw(st.integers(1, 6))):
        row = [draw(cell_for(kind, column)) for column in header]
        shape = draw(st.sampled_from(["whole"] * 8 + ["short", "long"]))
        if shape == "short":
            row = row[: draw(st.integers(0, len(row) - 1))]
        elif shape == "long":
            row += draw(st.lists(st.text(max_size=8), min_size=1, max_size=3))
        rows.append(row)
    return rows


def arrange(kind: str, header: list[str], banner: list[list[str]], rows: list[list[Any]]) -> list[list[Any]]:
    """Banner rows sit above the header in on-hold exports, a row of descriptions below it in order exports."""
    if kind == "on_hold":
        return [*banner, header, *rows]
    return [header, *banner, *rows]


def csv_bytes(lines: list[list[str]], *, bom: bool, crlf: bool) -> bytes:
    def cell(value: str) -> str:
        return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\r\n') else value

    newline = "\r\n" if crlf else "\n"
    text = ("\ufeff" if bom else "") + newline.join(",".join(cell(v) for v in line) for line in lines) + newline
    return text.encode("utf-8", errors="surrogatepass")


def xlsx_bytes(lines: list[list[Any]], sheet: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook()
    ws = book.active
    ws.title = sheet
    for row in lines:
        ws.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


xlsx_value = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True), st.integers(-(10**20), 10**20),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(2100, 1, 1)), st.none(), st.booleans(),
)


@st.composite
def tabular_file(draw: st.DrawFn, kind: str) -> tuple[str, bytes]:
    """(file name, bytes): an export of `kind` as CSV or XLSX, in the real layout, with drawn cells."""
    header = list(HEADERS[kind])
    if draw(st.integers(0, 3)) == 0:  # header names drift between months: case, spacing, a missing column
        header = [h.upper() if draw(st.booleans()) else h.strip() for h in header]
        if draw(st.booleans()):
            del header[draw(st.integers(0, len(header) - 1))]
    banner = BANNER.get(kind, []) if draw(st.booleans()) else []
    rows: list[list[Any]] = draw(table_rows(kind))
    if draw(st.booleans()):
        rows = [[draw(st.one_of(st.just(v), st.just(v), st.just(v), xlsx_value)) for v in row] for row in rows]
        name = {"settlements": "income_order_details.xlsx", "on_hold": "Onhold-unsettled-orders.xlsx"}.get(
            kind, f"{kind}.xlsx")
        sheet = "order details" if kind == "settlements" else "Sheet1"
        return name, xlsx_bytes(arrange(kind, header, banner, rows), sheet)
    text_rows = [[v if isinstance(v, str) else str(v) for v in row] for row in rows]
    return f"{kind}.csv", csv_bytes(arrange(kind, header, banner, text_rows), bom=draw(st.booleans()),
                                    crlf=draw(st.booleans()))


json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=30),
                      weird_text)
json_any = st.recursive(json_leaf, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                          st.dictionaries(st.text(max_size=10), inner, max_size=4)),
                        max_leaves=12)


@st.composite
def data_export_file(draw: st.DrawFn) -> tuple[str, bytes]:
    """(file name, bytes): TikTok's 'Download your data' JSON, bare or zipped, with drawn contents."""
    def message(keys: tuple[str, ...]) -> Any:
        if draw(st.integers(0, 9)) == 0:
            return draw(json_any)
        return {k: draw(st.one_of(a_date(), st.text(max_size=40), weird_text, json_leaf)) for k in keys
                if draw(st.integers(0, 9))}

    dms = {f"Chat History with {draw(st.text(max_size=12))}:":
           [message(("Date", "From", "Content")) for _ in range(draw(st.integers(0, 4)))]
           for _ in range(draw(st.integers(0, 3)))}
    shops = {draw(st.text(max_size=12)): [message(("send_time", "shop_name", "direction", "content"))
                                          for _ in range(draw(st.integers(0, 3)))]
             for _ in range(draw(st.integers(0, 2)))}
    tree: Any = {"Direct Message": {"Direct Messages": {"ChatHistory": dms}},
                 "TikTok Shop": {"Communication With Shops": {"CommunicationHistories": shops}}}
    if draw(st.integers(0, 5)) == 0:
        tree = draw(json_any)
    data = json.dumps(tree, ensure_ascii=draw(st.booleans())).encode("utf-8", errors="surrogatepass")
    if draw(st.booleans()):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(draw(st.sampled_from(["TikTok_Data_1/user_data_tiktok.json", "user_data.json",
                                              "x/y/user_data_tiktok.json"])), data)
        return "tiktok_data_export.zip", out.getvalue()
    return "user_data_tiktok.json", data


def export_file(kind: str) -> st.SearchStrategy[tuple[str, bytes]]:
    return data_export_file() if kind == "data_export" else tabular_file(kind)
