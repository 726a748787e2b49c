"""The big synthetic vault the benchmarks measure, and the big files they import and attach.

    /work/venv/bin/python bench/bigvault.py --lines 100000 --messages 10000 --images 200 bench/out/big.shopexit

(The orders exports that the import is measured on are bench/bench_import.py's, written by
`sample_exports.write_orders_file`; the images the attach figure adds are `make_images` here.)

The bulk (orders, lines, settlements, on-hold, withdrawals, commissions, threads, messages) goes in with
`executemany` straight into the schema's columns, in one transaction, with the search index filled once at the
end the way the orders importer does it (`DeferredSearchIndex`) — minutes faster than importing, and the rows
look like imported ones: every order and line carries the `raw_json` of the export columns no field claims,
in the compact form an import writes (`records.raw`: `[layout id, cells …]`, header names once in `raw_layouts`).
Evidence goes through the real `evidence.attach_bytes`, so images are stored, sniffed and hashed as the app
stores them.

Shape for `lines` order lines: one line per order (so the Orders view of the 100k vault has 100,000 rows);
a settlement for every completed order and a few adjustments; on-hold amounts for delivered orders; a
withdrawal a week; affiliate commissions on one order in twenty; `messages` messages in threads of ten, in
words drawn from a Zipf-like vocabulary (so some search terms are rare and some match thousands of rows).

Everything is deterministic from `seed`. `ensure_vault` keeps a generated vault under bench/out and makes it
again only when its size, this generator or the schema version changed.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import shutil
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "desktop") not in sys.path:
    sys.path.insert(0, str(ROOT / "desktop"))

OUT = ROOT / "bench" / "out"
PASSPHRASE = "bench passphrase for the archive 42"
"""The same passphrase as bench/bench_export.py, so its export and verify children open our vaults too."""
GENERATOR_VERSION = 4
"""Bump when the generated data changes, so cached vaults are made again."""
START = datetime(2024, 11, 1, tzinfo=UTC)
DAYS = 730  # two years of trading

BUYERS: tuple[tuple[str, str], ...] = (
    ("marisol.v", "Marisol Vega"), ("kenji_t", "Kenji Tanaka"), ("zoe.ang", "Zoë Ångström"),
    ("priya.k", "Priya Kapoor"), ("hana_y", "山田 花子"), ("sam.r", "Sam Rivera"), ("li.wei", "李伟"),
    ("olivia_b", "Olivia Brown"), ("noah.w", "Noah Williams"), ("amara.o", "Amara Okafor"),
    ("somchai_th", "สมชาย ใจดี"), ("olena.k", "Олена Коваль"), ("dan_smith", "Daniel Smith"),
)
FIRST = ("Ava", "Ben", "Chloe", "Diego", "Elif", "Femi", "Grace", "Hiro", "Ines", "Jonas", "Kira", "Luca", "Maya",
         "Nils", "Omar", "Pia", "Quinn", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wen", "Xavi", "Yara", "Zane")
LAST = ("Adams", "Baker", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Hughes", "Ito", "Jensen", "Kowalski",
        "Lopez", "Moreau", "Nakamura", "Olsen", "Patel", "Quintero", "Rossi", "Silva", "Tanaka", "Ueda", "Vargas")
PRODUCTS: tuple[tuple[str, str, int], ...] = (
    ("Lavender soy candle", "8 oz", 1800), ("Cedar wick trimmer", "Brass", 1200),
    ("Sea salt room spray", "100 ml", 1450), ("Gift box: three candles, hand-poured, with a card", "Assorted", 4900),
    ("Matchbook set", "Pack of 5", 600), ("手作りキャンドル", "小", 2200), ("Beeswax taper pair", "Ivory", 1600),
    ("Reed diffuser", "Fig & cassis", 2600), ("Candle care kit", "Black", 2100), ("Travel tin candle", "Rose", 900),
)
STATUSES = ("Completed",) * 8 + ("Cancelled", "Delivered", "In transit", "Awaiting shipment", "Awaiting collection")
PROVIDERS = ("USPS", "UPS", "FedEx", "DHL eCommerce")
NOTES = ("", "", "", "", "Love it", "Gift, please no receipt", "Leave at the side door, thanks!",
         "Please gift-wrap it")
_VOCAB_TEXT = (
    "order parcel thanks tracking refund photo candle lavender arrived broken box label week soon please again happy"
    " wrong size colour smell wax wick glass lid crack leak melted late delivery courier driver door porch neighbour"
    " address postcode return replace exchange voucher discount code coupon promo sale bundle gift card note wrap"
    " ribbon birthday wedding christmas holiday mother father friend sister brother love great lovely beautiful"
    " amazing perfect disappointed sorry apologies update status shipped dispatched collected warehouse stock"
    " restock preorder backorder cancel cancelled payment paid charged twice invoice receipt tax vat customs duty"
    " international express standard weekend monday tuesday wednesday thursday friday saturday sunday morning"
    " evening tomorrow yesterday today scent fragrance cedar sea salt fig cassis rose ivory beeswax soy reed"
    " diffuser trimmer matchbook tin travel kit care burn hours tunnel soot flame jar reuse recycle eco vegan"
    " handmade small batch shop closing moving platform website newsletter follow link bio instagram etsy"
)
VOCAB = tuple(_VOCAB_TEXT.split())  # most common first: messages draw words with weight 1/rank
ORDER_EXTRA = ("Fulfillment Type", "Warehouse Name", "Delivery Option", "Payment Method", "Weight(kg)", "Package ID",
               "Product Category", "Purchase Channel")
LINE_EXTRA = ("SKU Unit Original Price", "SKU Platform Discount", "SKU Seller Discount", "Product Category")


@dataclass(frozen=True)
class BigVault:
    """What a generated vault holds (counts), and how it was made."""

    path: str
    lines: int
    orders: int
    settlements: int
    on_hold: int
    withdrawals: int
    commissions: int
    threads: int
    messages: int
    images: int
    image_bytes: int
    seconds: float
    generator: int = GENERATOR_VERSION
    schema: int = 0


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _us_text(moment: datetime) -> str:
    return moment.strftime("%m/%d/%Y %I:%M:%S %p")


def _order_rows(rng: random.Random, orders: int, now: str, layout: int) -> Iterator[tuple[object, ...]]:
    from shopexit.core.records import raw as raw_form

    for i in range(orders):
        created = START + timedelta(seconds=int(DAYS * 86400 * i / orders) + rng.randrange(3600))
        # the newest orders are still waiting to ship, as in any shop that is still trading
        status = STATUSES[rng.randrange(len(STATUSES))] if i < orders - min(400, orders // 20) else "Awaiting shipment"
        paid = created + timedelta(minutes=3)
        shipped = created + timedelta(days=2) if status in ("Completed", "Delivered", "In transit") else None
        delivered = created + timedelta(days=5) if status in ("Completed", "Delivered") else None
        cancelled = created + timedelta(hours=5) if status == "Cancelled" else None
        if i % 9 == 0:
            user, name = BUYERS[i % len(BUYERS)]
        else:
            first, last = FIRST[rng.randrange(len(FIRST))], LAST[rng.randrange(len(LAST))]
            user, name = f"{first.lower()}.{last.lower()}{i % 97}", f"{first} {last}"
        amount = rng.randrange(600, 12000)
        raw = ["Fulfillment by seller", "Harbor St warehouse", "Standard shipping",
               ("Card", "PayPal", "Apple Pay")[i % 3], f"{0.2 + (i % 30) / 10:.1f}", f"1153{i:014d}",
               "Home Supplies/Home Fragrance", "Mobile"]  # in the order of ORDER_EXTRA
        yield (f"5764{i:014d}", status, "", "USD", amount, amount * 8 // 100, 499 if i % 4 else 0,
               (amount if status == "Cancelled" else 0), _iso(created), _us_text(created) + "\t", _iso(paid),
               _iso(shipped) if shipped else None, _iso(delivered) if delivered else None,
               _iso(cancelled) if cancelled else None, user, name, f"(555) 01{i % 100:02d}-{i % 10000:04d}",
               f"{100 + i % 900} Main St, Springfield, IL 627{i % 100:02d}", "United States",
               f"9400{i:018d}" if shipped else "", PROVIDERS[i % len(PROVIDERS)] if shipped else "",
               NOTES[i % len(NOTES)], "Buyer changed their mind" if cancelled else "",
               raw_form.encode(layout, raw), now)


def _line_rows(rng: random.Random, lines: int, layout: int) -> Iterator[tuple[object, ...]]:
    from shopexit.core.records import raw as raw_form

    for n in range(lines):
        product, variation, price = PRODUCTS[n % len(PRODUCTS) if n % 3 else rng.randrange(len(PRODUCTS))]
        quantity = 1 + (n % 7 == 0) + (n % 31 == 0)
        raw = [f"{price / 100:.2f}", "0.00", "0.00", "Home Supplies/Home Fragrance"]  # in the order of LINE_EXTRA
        yield (1 + n, "0", f"17290{n % 400:010d}", f"HG-{n % len(PRODUCTS):03d}", product, variation, quantity,
               1 if n % 97 == 0 else 0, price, price * quantity, raw_form.encode(layout, raw))


def _image_bytes(rng: random.Random, index: int, size: tuple[int, int] = (1280, 960)) -> bytes:
    """A photo-like JPEG of ~0.5 MB (noise compresses like a real photo does), unique by its index."""
    from PIL import Image, ImageDraw

    base = _image_bytes.__dict__.setdefault("base", {})
    if size not in base:
        noise = Image.effect_noise(size, 40)
        gradient = Image.linear_gradient("L").resize(size)
        base[size] = Image.merge("RGB", (noise, gradient, Image.effect_noise(size, 25)))
    img = base[size].copy()
    draw = ImageDraw.Draw(img)
    x, y = rng.randrange(size[0] - 300), rng.randrange(size[1] - 150)
    draw.rectangle((x, y, x + 300, y + 150), fill=(index % 251, 90, 140))
    draw.text((x + 12, y + 12), f"parcel photo {index}", fill=(255, 255, 255))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85 + index % 6)
    return buf.getvalue()


def make_images(folder: Path, count: int, seed: int = 11) -> tuple[list[Path], int]:
    """`count` distinct JPEG files (~0.5 MB each, ~1 GB for 2,000) in `folder`; kept and reused when present.
    Returns the files and their total size."""
    folder.mkdir(parents=True, exist_ok=True)
    files = [folder / f"IMG_{k:05d}.jpg" for k in range(count)]
    rng = random.Random(seed)
    for k, path in enumerate(files):
        data = _image_bytes(rng, k) if not path.exists() else b""
        if data:
            tmp = path.with_suffix(".part")
            tmp.write_bytes(data)
            tmp.replace(path)
    return files, sum(p.stat().st_size for p in files)


def generate(path: Path, *, lines: int = 100_000, messages: int = 10_000, images: int = 200,
             seed: int = 9) -> BigVault:
    """Make a new vault at `path` holding `lines` order lines and everything around them (see the module)."""
    import time

    from shopexit.core import audit, evidence
    from shopexit.core.records import raw as raw_form
    from shopexit.core.records.orders import DeferredSearchIndex
    from shopexit.core.timeutil import now_iso
    from shopexit.core.vault import ShopProfile, Vault

    started = time.perf_counter()
    rng = random.Random(seed)
    orders = lines
    now = now_iso()
    vault = Vault.create(path, PASSPHRASE, ShopProfile("Mara Quill", "Harbor Goods Co", "US", "USD"))
    try:
        with vault.transaction() as tx:
            deferred = DeferredSearchIndex(tx, ("orders", "order_lines", "threads", "messages"))
            order_layout, line_layout = raw_form.layout_id(tx, ORDER_EXTRA), raw_form.layout_id(tx, LINE_EXTRA)
            tx.executemany(
                "INSERT INTO orders(order_id, status, substatus, currency, order_amount, taxes, shipping_fee,"
                " refund_amount, created_at, created_text, paid_at, shipped_at, delivered_at, cancelled_at,"
                " buyer_username, recipient, phone, address, country, tracking_id, shipping_provider,"
                " buyer_message, cancel_reason, raw_json, updated_at)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                _order_rows(rng, orders, now, order_layout))
            tx.executemany(
                "INSERT INTO order_lines(order_ref, line_key, sku_id, seller_sku, product_name, variation, quantity,"
                " returned_quantity, unit_price, subtotal, raw_json) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                _line_rows(rng, lines, line_layout))
            # Money: a settlement per completed order (order-level money, as Finance > Income lists it), plus
            # an adjustment every 500 orders; on hold: delivered orders not settled yet.
            tx.execute(
                "INSERT INTO settlements(natural_key, reference_id, order_id, type, currency, settlement_amount,"
                " revenue, fees, affiliate_commission, settled_at, settled_text, order_created_at, raw_json)"
                " SELECT 'o:' || order_id, order_id, order_id, 'Order', currency,"
                " order_amount - order_amount * 8 / 100 - (CASE WHEN id % 20 = 0 THEN order_amount / 10 ELSE 0 END),"
                " order_amount, -(order_amount * 8 / 100),"
                " -(CASE WHEN id % 20 = 0 THEN order_amount / 10 ELSE 0 END),"
                " strftime('%Y-%m-%dT%H:%M:%SZ', delivered_at, '+8 days'),"
                " strftime('%Y/%m/%d', delivered_at, '+8 days'), created_at,"
                " json_object('Subtotal before discounts', printf('%.2f', order_amount / 100.0),"
                "             'Transaction fee', printf('%.2f', -order_amount * 3 / 10000.0))"
                " FROM orders WHERE status = 'Completed'")
            tx.execute(
                "INSERT INTO settlements(natural_key, reference_id, type, currency, settlement_amount, settled_at,"
                " settled_text) SELECT 'a:' || id, 'ADJ' || printf('%012d', id), 'Logistics reimbursement', 'USD',"
                " 350, strftime('%Y-%m-%dT%H:%M:%SZ', created_at, '+12 days'), '' FROM orders WHERE id % 500 = 0")
            tx.execute(
                "INSERT INTO on_hold(natural_key, order_id, currency, amount, status, expected_at, expected_text)"
                " SELECT 'h:' || order_id, order_id, currency, order_amount - order_amount * 8 / 100,"
                " 'Delivered, awaiting the settlement period', strftime('%Y-%m-%dT%H:%M:%SZ', delivered_at, '+8 days'),"
                " strftime('%Y/%m/%d', delivered_at, '+8 days') FROM orders WHERE status = 'Delivered'")
            weeks = DAYS // 7
            tx.executemany(
                "INSERT INTO withdrawals(withdrawal_id, type, status, currency, amount, created_at, created_text)"
                " VALUES (?,?,?,?,?,?,?)",
                ((f"WD{w:010d}", "WITHDRAW", "SUCCESS" if w < weeks - 1 else "PROCESSING", "USD",
                  max(1000, lines * 55 // weeks + rng.randrange(-5000, 5000)),
                  _iso(START + timedelta(days=7 * w + 6)), str(int((START + timedelta(days=7 * w + 6)).timestamp())))
                 for w in range(weeks)))
            tx.execute(
                "INSERT INTO commissions(natural_key, layout, order_id, sku_id, product_name, counterpart, currency,"
                " settlement_status, estimated, earned, order_at, settled_at)"
                " SELECT 'c:' || o.order_id, 'seller', o.order_id, l.sku_id, l.product_name,"
                " 'creator_' || (o.id % 37), o.currency,"
                " CASE o.status WHEN 'Completed' THEN 'Settled' WHEN 'Cancelled' THEN 'Ineligible' ELSE 'Pending' END,"
                " o.order_amount / 10, CASE o.status WHEN 'Completed' THEN o.order_amount / 10 ELSE 0 END,"
                " o.created_at, CASE o.status WHEN 'Completed' THEN strftime('%Y-%m-%dT%H:%M:%SZ', o.delivered_at,"
                " '+15 days') END FROM orders o JOIN order_lines l ON l.order_ref = o.id WHERE o.id % 20 = 0")
            threads = max(1, messages // 10)
            tx.executemany(
                "INSERT INTO threads(thread_key, channel, counterpart, subject) VALUES (?,?,?,?)",
                ((f"dm:{t}", "direct" if t % 4 else "shop",
                  BUYERS[t % len(BUYERS)][t % 2] if t % 5 == 0 else f"{FIRST[t % len(FIRST)]} {LAST[t % len(LAST)]}",
                  "") for t in range(threads)))
            weights = [1 / (rank + 1) for rank in range(len(VOCAB))]
            tx.executemany(
                "INSERT INTO messages(thread_id, natural_key, direction, sender, sent_at, sent_text, body)"
                " VALUES (?,?,?,?,?,?,?)",
                ((1 + m % threads, f"m:{m}", "in" if m % 2 else "out", "" if m % 2 else "harborgoods",
                  _iso(START + timedelta(minutes=int(DAYS * 1440 * m / messages))), "",
                  " ".join(rng.choices(VOCAB, weights, k=4 + rng.randrange(40)))
                  + (f" order 5764{rng.randrange(orders):014d}" if m % 7 == 0 else ""))
                 for m in range(messages)))
            deferred.finish()
            audit.append(tx, "import", "bench", "", orders=orders, lines=lines, messages=messages)
        image_bytes = 0
        for k in range(images):
            data = _image_bytes(rng, k)
            image_bytes += len(data)
            evidence.attach_bytes(vault, data, f"parcel-{k:04d}.jpg", links=[("order", 1 + k * 37 % orders)],
                                  caption=f"Parcel photo {k} as it arrived", origin="file")
        counts = {table: int(vault.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
                  for table in ("orders", "order_lines", "settlements", "on_hold", "withdrawals", "commissions",
                                "threads", "messages")}
        schema = vault.schema_version
    finally:
        vault.lock()
    return BigVault(str(path), counts["order_lines"], counts["orders"], counts["settlements"], counts["on_hold"],
                    counts["withdrawals"], counts["commissions"], counts["threads"], counts["messages"], images,
                    image_bytes, round(time.perf_counter() - started, 1), GENERATOR_VERSION, schema)


def _remove_vault(path: Path) -> None:
    for side in path.parent.glob(path.name + "*"):
        if side.is_dir():
            shutil.rmtree(side)
        else:
            side.unlink()


def ensure_vault(path: Path, *, lines: int, messages: int, images: int, log: bool = True) -> BigVault:
    """The vault at `path`, made now unless one of this shape and generator is already there.

    One made under an older schema is brought up to date by opening it, as a user's vault is: the migrations
    run, and the records stay as they were written.
    """
    from shopexit.core.schema import LATEST_VERSION
    from shopexit.core.vault import Vault

    stamp = path.with_name(path.name + ".json")
    if stamp.exists() and path.exists():
        info = BigVault(**json.loads(stamp.read_text()))
        if (info.generator, info.orders, info.messages, info.images) == (GENERATOR_VERSION, lines, messages, images):
            if info.schema < LATEST_VERSION:
                with Vault.open(path, PASSPHRASE) as vault:
                    info = replace(info, schema=vault.schema_version)
                stamp.write_text(json.dumps(asdict(info), indent=1))
            if info.schema == LATEST_VERSION:
                return info
    _remove_vault(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if log:
        print(f"generating {path.name}: {lines:,} order lines, {messages:,} messages, {images:,} images …",
              file=sys.stderr, flush=True)
    info = generate(path, lines=lines, messages=messages, images=images)
    stamp.write_text(json.dumps(asdict(info), indent=1))
    if log:
        print(f"  made in {info.seconds:.0f} s ({path.stat().st_size / 1e6:.0f} MB)", file=sys.stderr, flush=True)
    return info


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--images", type=int, default=200)
    args = parser.parse_args()
    if args.path.exists():
        raise SystemExit(f"{args.path} exists")
    info = generate(args.path, lines=args.lines, messages=args.messages, images=args.images)
    print(json.dumps(asdict(info), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
