"""Export files of an invented shop, written in the real TikTok Shop layouts, quirks included.

Used by the tests (so they pass without ../shared/samples), by `shopexit demo`, by the self-test and by the
benchmarks. Everything is deterministic from `seed` (and `today`). The files carry exactly the columns and
quirks of the real exports (see ../shared/samples/README.md): UTF-8 BOM and CRLF, a row of field descriptions
under the orders header, ID and time cells ending in a TAB, banner rows above the on-hold header, `/` for
nothing in a money cell, drifting settlement headers, both affiliate layouts, and the "Download your data" zip
with `user_data_tiktok.json` inside a folder. Each quirk can be switched off or varied through `Quirks`.

    paths = write_exports(folder, seed=7, orders=60, region="US", today=date(2026, 11, 1))
    paths["orders"]  # Path of the orders CSV; keys are the importer kinds
    expected_figures(make_shop(seed=7, orders=60, region="US", today=date(2026, 11, 1)))  # what status shows

Nothing but the standard library and openpyxl; no Qt.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from shopexit.core.money import exponent
from shopexit.core.timeutil import REGION_ZONES

KINDS = ("orders", "settlements", "on_hold", "commissions", "withdrawals", "data_export")

# -- layouts ------------------------------------------------------------------------------------------------------
ORDER_COLUMNS: tuple[str, ...] = (
    "Order ID", "Order Status", "Order Substatus", "Cancelation/Return Type", "Normal or Pre-order", "SKU ID",
    "Seller SKU", "Product Name", "Variation", "Quantity", "Sku Quantity of return", "SKU Unit Original Price",
    "SKU Subtotal Before Discount", "SKU Platform Discount", "SKU Seller Discount", "SKU Subtotal After Discount",
    "Shipping Fee After Discount", "Original Shipping Fee", "Shipping Fee Seller Discount",
    "Shipping Fee Platform Discount", "Payment platform discount", "Retail Delivery Fee", "Taxes", "Order Amount",
    "Order Refund Amount", "Created Time", "Paid Time", "RTS Time", "Shipped Time", "Delivered Time",
    "Cancelled Time", "Cancel By", "Cancel Reason", "Fulfillment Type", "Warehouse Name", "Tracking ID",
    "Delivery Option Type", "Delivery Option", "Shipping Provider Name", "Buyer Message", "Buyer Username",
    "Recipient", "Phone #", "Country", "State", "City", "Zipcode", "Detail Address",
    "Additional address information", "House Name or Number", "Delivery Instruction", "Payment Method",
    "Weight(kg)", "Product Category", "Package ID", "Seller Note", "Shipping Information",
)
ORDER_DESCRIPTIONS = {
    "Order ID": "Platform unique order ID.", "Order Status": "Current status of the order.",
    "SKU ID": "Platform unique SKU ID.", "Quantity": "SKU sold quantity.",
    "Order Amount": "Total amount the buyer paid for the order.", "Created Time": "Order creation time.",
}
# Regional exports add columns after these ones (name to insert after, new columns).
REGIONAL_COLUMNS: dict[str, list[tuple[str, list[str]]]] = {
    "TH": [("Retail Delivery Fee", ["Small Order Fee"]), ("City", ["District"])],
    "ID": [("Retail Delivery Fee", ["Small Order Fee", "Buyer Service Fee", "Handling Fee", "Shipping Insurance",
                                    "Item Insurance", "Seller Discount Voucher"]),
           ("City", ["Districts", "Villages"])],
    "VN": [("City", ["District", "Ward"])],
}
SETTLEMENT_COLUMNS: tuple[str, ...] = (
    "Order/adjustment ID  ", "Type", "Order created time", "Order settled time", "Currency",
    "Total settlement amount", "Total Revenue", "Subtotal after seller discounts", "Subtotal before discounts",
    "Seller discounts", "Refund subtotal after seller discounts", "Refund subtotal before seller discounts",
    "Refund of seller discounts", "Total Fees", "Transaction fee", "TikTok Shop commission fee",
    "Seller shipping fee", "Actual shipping fee", "Platform shipping fee", "Affiliate commission ",
)
ON_HOLD_COLUMNS: tuple[str, ...] = (
    "Type", "Order/adjustment ID", "Related order ID", "creation date", "Total estimated settlement amount",
    "Estimated Settle time", "unsettled reasons", "SKU ID", "Quantity", "Product name", "SKU name", "Net sales",
    "Gross sales", "Fees",
)
CREATOR_AFFILIATE_COLUMNS: tuple[str, ...] = (
    "Order ID", "SKU ID", "Product ID", "Product name", "Shop name", "Shop code", "Affiliate partner", "Agency",
    "Currency", "Order type", "Order settlement status", "Commission type", "Content type", "Content ID",
    "Standard", "Price", "Items sold", "Items refunded", "GMV", "Est. standard commission",
    "Est. Shop Ads commission", "Est. creator commission reward fee", "Standard commission",
    "Total final earned amount", "Order date", "Commission settlement date",
)
SELLER_AFFILIATE_COLUMNS: tuple[str, ...] = (
    "Order ID", "SKU ID", "Product name", "Product ID", "Creator username", "Currency", "Order status",
    "Order settlement status", "Content type", "Content ID", "Price", "Items sold", "Items refunded",
    "Payment amount", "Standard commission rate", "Est. Commission Payment", "Est. standard commission payment",
    "Est. Shop Ads commission payment", "Actual Commission Payment", "Actual standard commission payment",
    "Time created", "Commission settlement time",
)
WITHDRAWAL_COLUMNS: tuple[str, ...] = ("id", "type", "status", "create_time", "currency", "amount")

DATE_FORMATS = {
    "mdy": "%m/%d/%Y %I:%M:%S %p",  # US Seller Center
    "dmy": "%d/%m/%Y %H:%M:%S",  # South-East Asia, and every creator affiliate export
    "ymd": "%Y/%m/%d %H:%M:%S",
}


@dataclass(frozen=True)
class Region:
    code: str
    currency: str
    date_style: str
    country: str
    tax_rate: Decimal
    price_scale: Decimal  # catalogue prices are in USD-ish units, scaled to the local currency


REGIONS: dict[str, Region] = {
    "US": Region("US", "USD", "mdy", "United States", Decimal("0.0725"), Decimal(1)),
    "GB": Region("GB", "GBP", "dmy", "United Kingdom", Decimal(0), Decimal("0.8")),
    "TH": Region("TH", "THB", "dmy", "Thailand", Decimal(0), Decimal(35)),
    "ID": Region("ID", "IDR", "dmy", "Indonesia", Decimal(0), Decimal(15000)),
    "VN": Region("VN", "VND", "ymd", "Vietnam", Decimal(0), Decimal(25000)),
    "MY": Region("MY", "MYR", "dmy", "Malaysia", Decimal(0), Decimal("4.5")),
    "PH": Region("PH", "PHP", "dmy", "Philippines", Decimal(0), Decimal(55)),
    "SG": Region("SG", "SGD", "dmy", "Singapore", Decimal(0), Decimal("1.3")),
}


@dataclass(frozen=True)
class Quirks:
    """The real exports' quirks, each on by default as the samples carry them."""

    bom: bool = True
    crlf: bool = True
    description_row: bool = True
    trailing_tabs: bool = True
    date_style: str | None = None  # "mdy" / "dmy" / "ymd"; None: the region's
    currency_suffix: bool = False  # money cells as "120.00 THB"
    settlement_id_header: str = "Order/adjustment ID  "  # or "Order\\adjustment ID", "Order/Adjustment ID"
    settlement_type_header: str = "Type"  # or "Transaction type"
    settlement_times_utc: bool = False  # header "Order created time(UTC)", values in UTC
    on_hold_banner: bool = True
    slash_for_zero: bool = True
    broken_dimension: bool = False  # XLSX sheets claim <dimension ref="A1"/>
    affiliate_layout: str = "creator"  # or "seller"
    data_export_member: str = "user_data_tiktok.json"  # or "user_data.json"
    ambiguous_dates: bool = False  # every day of month <= 12, so no value tells DD/MM from MM/DD


# -- the shop -----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Product:
    """`category` is the path Seller Center writes ("Home Supplies/Home Decor/…")."""

    sku_id: str
    seller_sku: str
    name: str
    variation: str
    price: Decimal
    category: str


CATALOGUE: tuple[Product, ...] = (
    Product("1729384756102", "LL-THROW-SND", 'Linen Throw, "Sand" 50x60', "Sand", Decimal("48.00"),
            "Home Supplies/Home Textiles/Throws & Blankets"),
    Product("1729384756103", "LL-MUG-2PK", "Stoneware Mug (2-pack)", "Speckled", Decimal("26.50"),
            "Kitchenware/Drinkware/Mugs & Cups"),
    Product("1729384756104", "LL-CANDLE-FIG", "Fig & Cedar Candle 8oz", "8oz", Decimal("22.00"),
            "Home Supplies/Home Decor/Candles & Holders"),
    Product("1729384756105", "LL-TOTE-CNV", "Canvas Market Tote", "Natural", Decimal("18.99"),
            "Womenswear & Underwear/Bags/Tote Bags"),
    Product("1729384756106", "LL-VASE-S", "Ribbed Bud Vase — small", "Sage", Decimal("14.50"),
            "Home Supplies/Home Decor/Vases"),
    Product("1729384756107", "LL-CLOTH-3", "Waffle Dish Cloths (3)", "Oat", Decimal("12.00"),
            "Kitchenware/Kitchen Textiles/Dish Cloths"),
)


@dataclass(frozen=True)
class Buyer:
    username: str
    recipient: str
    phone: str
    state: str
    city: str
    zipcode: str
    address: str


BUYERS: tuple[Buyer, ...] = (
    Buyer("mike_r", "Mike O'Reilly", "(312) 555-0199", "IL", "Chicago", "60614", "1950 N Halsted St, Apt 3"),
    Buyer("hanako_y", "山田 花子", "(206) 555-0188", "WA", "Seattle", "98104", "410 6th Ave S"),
    Buyer("priya.k", "Priya Kumar", "(512) 555-0142", "TX", "Austin", "78704", "1600 S Congress Ave"),
    Buyer("dan_smith", "Daniel Smith", "(617) 555-0107", "MA", "Boston", "02118", "55 Union Park"),
    Buyer("zoe.ang", "Zoë Ångström", "(415) 555-0134", "CA", "San Francisco", "94110", "2207 Folsom St"),
    Buyer("somchai_th", "สมชาย ใจดี", "(646) 555-0171", "NY", "New York", "10002", "88 Orchard St"),
    Buyer("olena.k", "Олена Коваль", "(773) 555-0123", "IL", "Chicago", "60622", "1425 N Milwaukee Ave"),
)
MESSAGES = ("", "", "", "Love it 😍", "Gift — please no receipt", 'Leave at the "side" door, thanks!', "🎁🎁")
STATUS_CYCLE = (
    "Completed", "Completed", "Completed", "Completed", "Completed", "Completed", "Completed", "Completed",
    "Cancelled", "Delivered", "In transit", "Awaiting shipment", "Awaiting collection",
)
OPEN_STATUSES = ("Delivered", "In transit", "Awaiting shipment", "Awaiting collection")


@dataclass
class Line:
    product: Product
    quantity: int
    unit_price: Decimal
    seller_discount: Decimal

    @property
    def before(self) -> Decimal:
        return self.unit_price * self.quantity

    @property
    def after(self) -> Decimal:
        return self.before - self.seller_discount


@dataclass
class Order:
    order_id: str
    status: str
    created: datetime  # shop-local, naive, as the export writes it
    lines: list[Line]
    shipping: Decimal
    taxes: Decimal
    buyer: Buyer
    message: str
    tracking: str

    @property
    def amount(self) -> Decimal:
        return sum((ln.after for ln in self.lines), Decimal(0)) + self.shipping + self.taxes

    @property
    def revenue(self) -> Decimal:
        return sum((ln.after for ln in self.lines), Decimal(0))

    @property
    def before(self) -> Decimal:
        return sum((ln.before for ln in self.lines), Decimal(0))

    def times(self) -> dict[str, datetime | None]:
        c = self.created
        paid = c + timedelta(minutes=3)
        shipped = c + timedelta(days=2) if self.status in ("Completed", "Delivered", "In transit") else None
        rts = shipped - timedelta(hours=6) if shipped else (
            c + timedelta(days=1) if self.status == "Awaiting collection" else None)
        delivered = c + timedelta(days=5) if self.status in ("Completed", "Delivered") else None
        cancelled = c + timedelta(hours=5) if self.status == "Cancelled" else None
        return {"paid": paid, "rts": rts, "shipped": shipped, "delivered": delivered, "cancelled": cancelled}


@dataclass
class Commission:
    order_id: str
    product: Product
    quantity: int
    status: str  # Settled / Ineligible / Pending
    counterpart: str
    ordered: datetime
    rate: Decimal
    price: Decimal  # in the shop's currency
    currency: str

    @property
    def gmv(self) -> Decimal:
        return self.price * self.quantity

    @property
    def estimated(self) -> Decimal:
        return (self.gmv * self.rate).quantize(Decimal(1).scaleb(-exponent(self.currency)), ROUND_HALF_UP)

    @property
    def earned(self) -> Decimal:
        return self.estimated if self.status == "Settled" else Decimal(0)


@dataclass
class Withdrawal:
    ident: str
    status: str
    created: datetime  # UTC
    amount: Decimal


@dataclass
class Chat:
    channel: str  # direct / shop
    name: str
    messages: list[tuple[datetime, str, str]]  # (UTC time, sender or direction, text)
    shop_name: str = ""


@dataclass
class Shop:
    seed: int
    region: Region
    today: date
    username: str
    shop_name: str
    orders: list[Order]
    commissions: list[Commission]
    withdrawals: list[Withdrawal]
    chats: list[Chat]

    @property
    def currency(self) -> str:
        return self.region.currency

    def q(self, value: Decimal) -> Decimal:
        return value.quantize(Decimal(1).scaleb(-exponent(self.currency)), ROUND_HALF_UP)

    def settled_orders(self) -> list[Order]:
        return [o for o in self.orders if o.status == "Completed"]

    def held_orders(self) -> list[Order]:
        return [o for o in self.orders if o.status in ("Delivered", "In transit")]

    def fees(self, order: Order) -> tuple[Decimal, Decimal]:
        """(transaction fee, commission fee), both negative, as the income export writes them."""
        return -self.q(order.revenue * Decimal("0.0311")), -self.q(order.revenue * Decimal("0.06"))

    def settlement(self, order: Order) -> Decimal:
        tx, commission = self.fees(order)
        return order.revenue + tx + commission

    def on_hold(self, order: Order) -> Decimal:
        return self.q(order.revenue * Decimal("0.93"))


def _price(value: Decimal, region: Region) -> Decimal:
    scaled = value * region.price_scale
    return scaled.quantize(Decimal(1).scaleb(-exponent(region.currency)), ROUND_HALF_UP)


def iter_orders(seed: int, count: int, region: Region, today: date, *,
                ambiguous_dates: bool = False) -> Iterator[Order]:
    """`count` orders, oldest first over the ~6 months before `today`; streamed (the bench makes 60,000)."""
    rng = random.Random(seed * 7919 + count)
    start = datetime.combine(today, time()) - timedelta(days=180)
    span = 170 * 24 * 3600
    zero = Decimal(0)
    open_from = max(0, count - max(4, count // 5))
    for n in range(count):
        if n >= open_from and count >= 8:
            status = OPEN_STATUSES[n % len(OPEN_STATUSES)]
        else:
            status = STATUS_CYCLE[n % len(STATUS_CYCLE)]
            if status in OPEN_STATUSES:
                status = "Completed"
        created = start + timedelta(seconds=int(span * (n + rng.random()) / max(count, 1)))
        if status in OPEN_STATUSES:
            created = datetime.combine(today, time()) - timedelta(days=rng.randint(2, 9), minutes=rng.randint(0, 900))
        if ambiguous_dates and created.day > 5:
            created = created.replace(day=rng.randint(1, 5))
        if n == 0 and not ambiguous_dates:
            created = created.replace(day=max(created.day, 13))  # one value tells day from month
        created = created.replace(microsecond=0)
        n_lines = 1 if rng.random() < 0.7 else 2
        lines = []
        for _ in range(n_lines):
            product = CATALOGUE[rng.randrange(len(CATALOGUE))]
            price = _price(product.price, region)
            discount = _price(Decimal(2), region) if rng.random() < 0.15 else zero
            lines.append(Line(product, 1 if rng.random() < 0.7 else 2, price, discount))
        subtotal = sum((ln.after for ln in lines), zero)
        shipping = zero if subtotal >= _price(Decimal(35), region) else _price(Decimal("5.99"), region)
        taxes = ((subtotal + shipping) * region.tax_rate).quantize(
            Decimal(1).scaleb(-exponent(region.currency)), ROUND_HALF_UP)
        buyer = BUYERS[rng.randrange(len(BUYERS))]
        yield Order(
            order_id=f"576457646075{2303423488 + n * 7919:010d}", status=status, created=created, lines=lines,
            shipping=shipping, taxes=taxes, buyer=buyer, message=MESSAGES[rng.randrange(len(MESSAGES))],
            tracking=f"94000{rng.randrange(10**17):017d}",
        )


def make_shop(*, seed: int = 7, orders: int = 60, region: str = "US", today: date | None = None,
              ambiguous_dates: bool = False) -> Shop:
    """A coherent invented shop: orders in every status (some still open), settlements for the completed ones,
    money on hold for the recent ones, withdrawals (one still processing), affiliate commissions (Settled,
    Ineligible, Pending), and direct messages and shop chats with non-Latin names and emoji."""
    reg = REGIONS[region.upper()]
    today = today or date.today()
    rng = random.Random(seed)
    order_list = list(iter_orders(seed, orders, reg, today, ambiguous_dates=ambiguous_dates))
    shop = Shop(seed, reg, today, "lumenloom", "Lumen & Loom", order_list, [], [], [])
    # affiliate commissions: the creator promoted other shops' products
    shops = ("Harbor Goods Co", "Maison Sora ソラ", "Kedai Batik Ayu")
    n_comm = max(6, orders // 4)
    base = datetime.combine(today, time(15)) - timedelta(days=150)
    for n in range(n_comm):
        status = ("Settled", "Settled", "Ineligible", "Settled", "Pending")[n % 5]
        ordered = base + timedelta(days=int(n * 140 / n_comm), hours=rng.randint(0, 9))
        if ambiguous_dates and ordered.day > 12:
            ordered = ordered.replace(day=rng.randint(1, 12))
        if n == 0 and not ambiguous_dates:
            ordered = ordered.replace(day=max(ordered.day, 13))
        shop.commissions.append(Commission(
            f"5773100000{seed:04d}{n:04d}", CATALOGUE[n % 4], 1 + (n % 7 == 3), status, shops[n % len(shops)],
            ordered, Decimal("0.15"), _price(CATALOGUE[n % 4].price, reg), reg.currency))
    # withdrawals: most of what settled has been paid out; one request still processing, one failed
    settled = sum((shop.settlement(o) for o in shop.settled_orders()), Decimal(0))
    unit = _price(Decimal(50), reg)
    paid = (settled * Decimal("0.5") // unit) * unit
    when = datetime.combine(today, time(16, 20)) - timedelta(days=60)
    shop.withdrawals.append(Withdrawal(f"W-{when:%Y%m%d}-01", "SUCCESS", when, paid))
    failed = datetime.combine(today, time(9, 55)) - timedelta(days=20)
    shop.withdrawals.append(Withdrawal(f"W-{failed:%Y%m%d}-01", "FAILED", failed, unit))
    pending = datetime.combine(today, time(9, 55)) - timedelta(days=12)
    shop.withdrawals.append(Withdrawal(f"W-{pending:%Y%m%d}-02", "PROCESSING", pending,
                                       shop.q(settled * Decimal("0.2"))))
    # messages (UTC)
    t0 = datetime.combine(today, time(14, 3, 11)) - timedelta(days=40)
    shop.chats = [
        Chat("direct", "harborgoods_official", [
            (t0, "harborgoods_official", "Hi! Your commission for last month is delayed, we are checking."),
            (t0 + timedelta(hours=1, minutes=37), "lumenloom", "Thanks, could you send the order IDs affected?"),
            (t0 + timedelta(days=2), "harborgoods_official", "Sure — both are marked Ineligible 🙏"),
        ]),
        Chat("direct", "山田花子_hanako", [
            (t0 + timedelta(days=9), "山田花子_hanako", "箱が潰れて届きました 😢 the box was crushed"),
            (t0 + timedelta(days=9, minutes=43), "lumenloom", "So sorry! Could you send a photo of the box & label?"),
        ]),
        Chat("direct", "somchai.ใจดี", [
            (t0 + timedelta(days=15), "somchai.ใจดี", "ได้รับของแล้วครับ ขอบคุณ 👍"),
        ]),
        Chat("shop", "Lumen & Loom Support", [
            (t0 + timedelta(days=18), "received", "Your withdrawal request is under review (reserve hold)."),
            (t0 + timedelta(days=18, minutes=15), "sent", "Please confirm when the reserve will be released."),
        ], shop_name="TikTok Shop Seller Support"),
    ]
    return shop


def expected_figures(shop: Shop) -> dict[str, Any]:
    """What `status --json` shows after importing every file `write_shop` wrote (EXPECTED.json's shape)."""
    c = shop.currency

    def s(value: Decimal) -> str:
        return str(shop.q(value))

    by_status: dict[str, int] = {}
    for o in shop.orders:
        by_status[o.status] = by_status.get(o.status, 0) + 1
    return {
        "currency": c,
        "orders": {
            "orders_total": len(shop.orders),
            "orders_open": sum(1 for o in shop.orders if o.status not in ("Completed", "Cancelled")),
            "by_status": by_status,
            "order_lines": sum(len(o.lines) for o in shop.orders),
            "order_amount_sum": s(sum((o.amount for o in shop.orders), Decimal(0))),
        },
        "settled": s(sum((shop.settlement(o) for o in shop.settled_orders()), Decimal(0))),
        "withdrawn_succeeded": s(sum((w.amount for w in shop.withdrawals if w.status == "SUCCESS"), Decimal(0))),
        "on_hold": s(sum((shop.on_hold(o) for o in shop.held_orders()), Decimal(0))),
        "affiliate": {
            "rows": len(shop.commissions),
            "ineligible": sum(1 for m in shop.commissions if m.status == "Ineligible"),
            "earned": s(sum((m.earned for m in shop.commissions), Decimal(0))),
            "estimated": s(sum((m.estimated for m in shop.commissions), Decimal(0))),
        },
        "messages": {
            "direct": sum(len(ch.messages) for ch in shop.chats if ch.channel == "direct"),
            "shop": sum(len(ch.messages) for ch in shop.chats if ch.channel == "shop"),
        },
    }


# -- writing ------------------------------------------------------------------------------------------------------
def write_exports(folder: Path, *, seed: int = 7, orders: int = 60, region: str = "US", today: date | None = None,
                  quirks: Quirks | None = None, orders_format: str = "csv") -> dict[str, Path]:
    """Write one file of every kind for an invented shop into `folder`; returns {kind: path}."""
    shop = make_shop(seed=seed, orders=orders, region=region, today=today,
                     ambiguous_dates=bool(quirks and quirks.ambiguous_dates))
    return write_shop(shop, folder, quirks or Quirks(), orders_format=orders_format)


def write_shop(shop: Shop, folder: Path, quirks: Quirks | None = None, *,
               orders_format: str = "csv") -> dict[str, Path]:
    quirks = quirks or Quirks()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    region = shop.region.code.lower()
    paths: dict[str, Path] = {}
    if orders_format == "xlsx":
        paths["orders"] = write_orders_xlsx(folder / f"orders_{region}.xlsx", shop.orders, shop.region, quirks)
    else:
        paths["orders"] = write_orders_csv(folder / f"orders_{region}.csv", shop.orders, shop.region, quirks)
    paths["settlements"] = write_settlements_xlsx(folder / "income_order_details.xlsx", shop, quirks)
    first = shop.today.replace(day=1)
    end = shop.today
    offset = _utc_offset(shop.region, datetime.combine(end, time()))
    paths["on_hold"] = write_on_hold_xlsx(
        folder / f"Onhold-unsettled-orders-{first:%Y_%m_%d}-{end:%Y_%m_%d}(UTC{offset}).xlsx", shop, quirks)
    layout = quirks.affiliate_layout
    paths["commissions"] = write_commissions_csv(folder / f"affiliate_{layout}_orders.csv", shop, quirks)
    paths["withdrawals"] = write_withdrawals_csv(folder / "withdrawals.csv", shop)
    paths["data_export"] = write_data_export_zip(folder / "tiktok_data_export.zip", shop, quirks)
    return paths


def _utc_offset(region: Region, moment: datetime) -> str:
    zone = ZoneInfo(REGION_ZONES.get(region.code, "UTC"))
    hours = int((moment.replace(tzinfo=zone).utcoffset() or timedelta(0)).total_seconds() // 3600)
    return f"{hours:+d}" if hours else ""


def _money(value: Decimal, currency: str, quirks: Quirks) -> str:
    text = str(value.quantize(Decimal(1).scaleb(-exponent(currency)), ROUND_HALF_UP))
    return f"{text} {currency}" if quirks.currency_suffix else text


def _time(moment: datetime | None, style: str) -> str:
    return moment.strftime(DATE_FORMATS[style]) if moment else ""


def _columns_for(region: Region) -> list[str]:
    cols = list(ORDER_COLUMNS)
    for after, extra in REGIONAL_COLUMNS.get(region.code, []):
        at = cols.index(after) + 1
        cols[at:at] = extra
    return cols


def order_rows(orders: Iterable[Order], region: Region, quirks: Quirks) -> Iterator[list[str]]:
    """The orders export's header, its description row (when on), then one row per SKU line."""
    cols = _columns_for(region)
    yield cols
    if quirks.description_row:
        yield [ORDER_DESCRIPTIONS.get(c, "") for c in cols]
    tab = "\t" if quirks.trailing_tabs else ""
    style = quirks.date_style or region.date_style
    cur = region.currency
    index = {c: i for i, c in enumerate(cols)}
    zero = _money(Decimal(0), cur, quirks)
    for order in orders:
        t = order.times()
        common = [""] * len(cols)
        values = {
            "Order ID": order.order_id + tab, "Order Status": order.status, "Order Substatus": order.status,
            "Cancelation/Return Type": "Cancel" if order.status == "Cancelled" else "",
            "Normal or Pre-order": "Normal", "Shipping Fee After Discount": _money(order.shipping, cur, quirks),
            "Original Shipping Fee": _money(order.shipping, cur, quirks), "Shipping Fee Seller Discount": zero,
            "Shipping Fee Platform Discount": zero, "Payment platform discount": zero, "Retail Delivery Fee": zero,
            "Taxes": _money(order.taxes, cur, quirks), "Order Amount": _money(order.amount, cur, quirks),
            "Order Refund Amount": zero, "Created Time": _time(order.created, style) + tab,
            "Paid Time": _time(t["paid"], style) + tab,
            "RTS Time": (_time(t["rts"], style) + tab) if t["rts"] else "",
            "Shipped Time": (_time(t["shipped"], style) + tab) if t["shipped"] else "",
            "Delivered Time": (_time(t["delivered"], style) + tab) if t["delivered"] else "",
            "Cancelled Time": (_time(t["cancelled"], style) + tab) if t["cancelled"] else "",
            "Cancel By": "Buyer" if order.status == "Cancelled" else "",
            "Cancel Reason": "No longer needed" if order.status == "Cancelled" else "",
            "Fulfillment Type": "Fulfillment by seller", "Warehouse Name": "Lumen & Loom home studio",
            "Tracking ID": order.tracking if t["shipped"] else "", "Delivery Option Type": "Standard",
            "Delivery Option": "Standard shipping", "Shipping Provider Name": "USPS" if t["shipped"] else "",
            "Buyer Message": order.message, "Buyer Username": order.buyer.username,
            "Recipient": order.buyer.recipient, "Phone #": order.buyer.phone, "Country": region.country,
            "State": order.buyer.state, "City": order.buyer.city, "Zipcode": order.buyer.zipcode,
            "Detail Address": order.buyer.address, "Payment Method": "Credit card",
            "Delivery Instruction": "Leave with the concierge if no one answers" if order.message else "",
            "Small Order Fee": zero, "Buyer Service Fee": zero, "Handling Fee": zero,
        }
        for name, value in values.items():
            i = index.get(name)
            if i is not None:
                common[i] = value
        for line in order.lines:
            row = list(common)
            for name, value in (
                ("SKU ID", line.product.sku_id + tab), ("Seller SKU", line.product.seller_sku),
                ("Product Name", line.product.name), ("Variation", line.product.variation),
                ("Quantity", str(line.quantity)), ("Sku Quantity of return", "0"),
                ("SKU Unit Original Price", _money(line.unit_price, cur, quirks)),
                ("SKU Subtotal Before Discount", _money(line.before, cur, quirks)),
                ("SKU Platform Discount", zero), ("SKU Seller Discount", _money(line.seller_discount, cur, quirks)),
                ("SKU Subtotal After Discount", _money(line.after, cur, quirks)), ("Weight(kg)", "0.8"),
                ("Product Category", line.product.category), ("Package ID", "PKG" + order.order_id[-8:]),
            ):
                row[index[name]] = value
            yield row


def _write_csv(path: Path, rows: Iterable[Sequence[str]], quirks: Quirks) -> Path:
    with path.open("w", encoding="utf-8-sig" if quirks.bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n" if quirks.crlf else "\n")
        writer.writerows(rows)
    return path


def write_orders_csv(path: Path, orders: Iterable[Order], region: Region, quirks: Quirks | None = None) -> Path:
    return _write_csv(Path(path), order_rows(orders, region, quirks or Quirks()), quirks or Quirks())


def write_orders_xlsx(path: Path, orders: Iterable[Order], region: Region, quirks: Quirks | None = None) -> Path:
    quirks = quirks or Quirks()
    return write_xlsx(Path(path), "OrderSKUList", order_rows(orders, region, quirks), quirks)


def write_xlsx(path: Path, sheet: str, rows: Iterable[Sequence[str | None]], quirks: Quirks) -> Path:
    """An XLSX with text cells (as the exports write them), streamed; optionally with a wrong <dimension>."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet)
    for row in rows:
        ws.append([cell if cell not in ("", None) else None for cell in row])
    book.save(path)
    if quirks.broken_dimension:
        set_dimension(path, "A1")
    return path


def set_dimension(path: Path, ref: str) -> None:
    """Rewrite every sheet's `<dimension>` to `ref` (inserting one if absent), as some real exports carry."""
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            with src.open(info) as member:
                data = member.read()
            if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", info.filename):
                text = data.decode("utf-8")
                tag = f'<dimension ref="{ref}"/>'
                if "<dimension " in text:
                    text = re.sub(r"<dimension [^>]*/>", tag, text, count=1)
                else:
                    text = re.sub(r"(<sheetViews|<sheetFormatPr|<cols|<sheetData)", tag + r"\1", text, count=1)
                data = text.encode("utf-8")
            dst.writestr(info, data)
    tmp.replace(path)


def settlement_rows(shop: Shop, quirks: Quirks) -> Iterator[list[str]]:
    cols = list(SETTLEMENT_COLUMNS)
    cols[0] = quirks.settlement_id_header
    cols[1] = quirks.settlement_type_header
    if quirks.settlement_times_utc:
        cols[2], cols[3] = "Order created time(UTC)", "Order settled time(UTC)"
    yield cols
    style = quirks.date_style or shop.region.date_style
    cur = shop.currency
    zone = ZoneInfo(REGION_ZONES.get(shop.region.code, "UTC"))
    for order in shop.settled_orders():
        created = order.created
        settled = created + timedelta(days=13)
        if quirks.settlement_times_utc:
            created = created.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)
            settled = settled.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)
        tx, commission = shop.fees(order)
        discounts = sum((ln.seller_discount for ln in order.lines), Decimal(0))
        zero = _money(Decimal(0), cur, quirks)
        yield [
            order.order_id, "Order", _time(created, style), _time(settled, style), cur,
            _money(shop.settlement(order), cur, quirks), _money(order.revenue, cur, quirks),
            _money(order.revenue, cur, quirks), _money(order.before, cur, quirks), _money(-discounts, cur, quirks),
            zero, zero, zero, _money(tx + commission, cur, quirks), _money(tx, cur, quirks),
            _money(commission, cur, quirks), zero, zero, zero, zero,
        ]


def write_settlements_xlsx(path: Path, shop: Shop, quirks: Quirks | None = None) -> Path:
    quirks = quirks or Quirks()
    return write_xlsx(Path(path), "order details", settlement_rows(shop, quirks), quirks)


def write_settlements_csv(path: Path, shop: Shop, quirks: Quirks | None = None) -> Path:
    quirks = quirks or Quirks()
    return _write_csv(Path(path), settlement_rows(shop, quirks), quirks)


def on_hold_rows(shop: Shop, quirks: Quirks, orders: Sequence[Order] | None = None) -> Iterator[list[str]]:
    held = list(orders if orders is not None else shop.held_orders())
    if quirks.on_hold_banner:
        yield ["Download time", datetime.combine(shop.today, time(8)).strftime("%Y/%m/%d %H:%M:%S")]
        yield ["Total Transactions", str(len(held))]
        yield []
    yield list(ON_HOLD_COLUMNS)
    style = quirks.date_style or shop.region.date_style
    cur = shop.currency
    for order in held:
        line = order.lines[0]
        nothing = "/" if quirks.slash_for_zero else _money(Decimal(0), cur, quirks)
        yield [
            "Order", order.order_id, order.order_id, _time(order.created, style),
            _money(shop.on_hold(order), cur, quirks), "Delivered + 7 days", "Waiting for package delivery",
            line.product.sku_id, str(line.quantity), line.product.name, line.product.variation,
            _money(order.revenue, cur, quirks), _money(order.revenue, cur, quirks), nothing,
        ]


def write_on_hold_xlsx(path: Path, shop: Shop, quirks: Quirks | None = None,
                       orders: Sequence[Order] | None = None) -> Path:
    quirks = quirks or Quirks()
    return write_xlsx(Path(path), "Unsettled order and adjustment", on_hold_rows(shop, quirks, orders), quirks)


def commission_rows(shop: Shop, quirks: Quirks) -> Iterator[list[str]]:
    style = quirks.date_style or "dmy"
    cur = shop.currency

    def m(value: Decimal) -> str:
        return _money(value, cur, quirks)

    if quirks.affiliate_layout == "seller":
        yield list(SELLER_AFFILIATE_COLUMNS)
        for n, c in enumerate(shop.commissions):
            settled = c.ordered + timedelta(days=20) if c.status == "Settled" else None
            yield [
                c.order_id, c.product.sku_id, c.product.name, f"173000000000{n % 4}", f"creator_{n % 3}",
                cur, "Completed", c.status, "Video", f"73000000000000{n:05d}", m(c.price),
                str(c.quantity), "1" if c.status == "Ineligible" else "0", m(c.gmv), "15%", m(c.estimated),
                m(c.estimated), m(Decimal(0)), m(c.earned), m(c.earned), _time(c.ordered, style),
                _time(settled, style),
            ]
        return
    yield list(CREATOR_AFFILIATE_COLUMNS)
    for n, c in enumerate(shop.commissions):
        settled = c.ordered + timedelta(days=20) if c.status == "Settled" else None
        yield [
            c.order_id, c.product.sku_id, f"173000000000{n % 4}", c.product.name, c.counterpart,
            f"USHGC{n % 3:02d}", "", "", cur, "Affiliate order", c.status, "Standard", "Video",
            f"73000000000000{n:05d}", "15%", m(c.price), str(c.quantity),
            "1" if c.status == "Ineligible" else "0", m(c.gmv), m(c.estimated), m(Decimal(0)), m(Decimal(0)),
            m(c.earned), m(c.earned), _time(c.ordered, style), _time(settled, style),
        ]


def write_commissions_csv(path: Path, shop: Shop, quirks: Quirks | None = None) -> Path:
    quirks = quirks or Quirks()
    # The affiliate exports come without a BOM, with LF line ends.
    return _write_csv(Path(path), commission_rows(shop, quirks), replace(quirks, bom=False, crlf=False))


def write_withdrawals_csv(path: Path, shop: Shop) -> Path:
    rows: list[list[str]] = [list(WITHDRAWAL_COLUMNS)]
    for w in shop.withdrawals:
        rows.append([w.ident, "WITHDRAW", w.status, w.created.strftime("%Y-%m-%dT%H:%M:%SZ"), shop.currency,
                     str(shop.q(w.amount))])
    return _write_csv(Path(path), rows, Quirks(bom=False, crlf=False))


def data_export_json(shop: Shop) -> dict[str, Any]:
    chats: dict[str, list[dict[str, str]]] = {}
    shops: dict[str, list[dict[str, str]]] = {}
    for chat in shop.chats:
        if chat.channel == "direct":
            chats[f"Chat History with {chat.name}:"] = [
                {"Date": t.strftime("%Y-%m-%d %H:%M:%S"), "From": who, "Content": text}
                for t, who, text in chat.messages]
        else:
            shops[chat.name] = [
                {"send_time": t.strftime("%Y-%m-%d %H:%M:%S"), "shop_name": chat.shop_name, "direction": who,
                 "content": text} for t, who, text in chat.messages]
    return {
        "Profile": {"Profile Info": {"ProfileMap": {"userName": shop.username}}},
        "Activity": {"Like List": {"ItemFavoriteList": []}},
        "Direct Message": {"Direct Messages": {"ChatHistory": chats}},
        "TikTok Shop": {"Communication With Shops": {"CommunicationHistories": shops}},
    }


def write_data_export_zip(path: Path, shop: Shop, quirks: Quirks | None = None) -> Path:
    quirks = quirks or Quirks()
    body = json.dumps(data_export_json(shop), ensure_ascii=False, indent=1).encode("utf-8")
    folder = f"TikTok_Data_{1730000000 + shop.seed}"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{folder}/{quirks.data_export_member}", body)
    return path


def write_data_export_json(path: Path, shop: Shop) -> Path:
    Path(path).write_text(json.dumps(data_export_json(shop), ensure_ascii=False, indent=1), encoding="utf-8")
    return Path(path)


# -- for the benchmarks: big files, streamed ------------------------------------------------------------------------
def write_orders_file(path: Path, *, lines: int, seed: int = 7, region: str = "US", fmt: str = "csv",
                      today: date | None = None, quirks: Quirks | None = None) -> Path:
    """An orders export of about `lines` SKU lines, written as it is generated (never held whole)."""
    reg = REGIONS[region.upper()]
    quirks = quirks or Quirks()
    today = today or date(2026, 11, 1)
    orders = _orders_for_lines(seed, lines, reg, today)
    if fmt == "xlsx":
        return write_orders_xlsx(Path(path), orders, reg, quirks)
    return write_orders_csv(Path(path), orders, reg, quirks)


def _orders_for_lines(seed: int, lines: int, region: Region, today: date) -> Iterator[Order]:
    written = 0
    for order in iter_orders(seed, lines, region, today):  # at most `lines` orders; stop at `lines` lines
        if written >= lines:
            return
        if written + len(order.lines) > lines:
            order.lines = order.lines[: lines - written]
        written += len(order.lines)
        yield order


def csv_text(rows: Iterable[Sequence[str]], *, bom: bool = True, crlf: bool = True) -> bytes:
    """Rows as the bytes of a CSV export (for tests that build one small odd file)."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n" if crlf else "\n").writerows(rows)
    return ("\ufeff" if bom else "").encode("utf-8") + buf.getvalue().encode("utf-8")
