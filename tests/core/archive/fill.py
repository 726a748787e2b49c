"""A small vault with something of everything an archive holds, put in with SQL in the schema's own columns
(and evidence through `shopexit.core.evidence`), so archive tests do not depend on the importers.

Buyers include "山田 花子" and "Zoë Ångström" (scripts DejaVu lacks and accents it has); one buyer's note is a
spreadsheet formula, another Korean with emoji; one buyer writes their own name in a message; the imported source
file names buyers too.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw

from shopexit.core import evidence
from shopexit.core.records.steps import set_data, set_status
from shopexit.core.vault import ShopProfile, Vault

CREATOR = "Mara Quill"
SHOP = "Harbor Goods Co"
NOW = "2026-07-01T09:00:00Z"

BUYERS = {
    "hanako": {"username": "hanako_yamada", "recipient": "山田 花子", "phone": "+81 90-1234-5678",
               "address": "1-2-3 Jingumae, Shibuya-ku, Tokyo"},
    "zoe": {"username": "zoe.angstrom", "recipient": "Zoë Ångström", "phone": "+46 70 123 45 67",
            "address": "Storgatan 12, 114 51 Stockholm"},
    "li": {"username": "liwei_88", "recipient": "李伟", "phone": "+86 138 0013 8000",
           "address": "88 Nanjing Road, Shanghai"},
}
THAI_NOTE = "ส่งของแล้วครับ คุณสมชาย ใจดี ขอบคุณที่สั่งซื้อสินค้ากับเรา"  # Thai, no spaces inside phrases
HANGUL_EMOJI_NOTE = "감사합니다! 잘 받았어요 😍🎁 Love it"  # Korean (Nanum Gothic) and emoji beyond U+FFFF (Symbola)
FORMULA_NOTE = '=HYPERLINK("http://evil.example/x","click")'
LONG_PRODUCT = ("Hand-thrown stoneware serving bowl with a speckled oatmeal glaze, dishwasher safe, 28 cm across "
                "— a very long product name that has to wrap inside its column")


@dataclass
class Filled:
    vault: Vault
    orders: dict[str, int] = field(default_factory=dict)  # order_id -> row id
    threads: dict[str, int] = field(default_factory=dict)
    cases: dict[str, int] = field(default_factory=dict)
    evidence: dict[str, int] = field(default_factory=dict)  # name -> attachment id
    source_id: int = 0


def png_bytes(text: str, size: tuple[int, int] = (900, 600), colour: str = "#dbeafe") -> bytes:
    img = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(img)
    draw.rectangle((20, 20, size[0] - 20, 90), fill="#1e3a8a")
    draw.text((40, 45), text, fill="white")
    for i in range(6):
        draw.rectangle((40, 120 + i * 70, size[0] - 200 + (i % 3) * 60, 160 + i * 70), fill="#93c5fd")
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def jpeg_bytes(size: tuple[int, int] = (1600, 1200)) -> bytes:
    img = Image.new("RGB", size, "#fde68a")
    draw = ImageDraw.Draw(img)
    for i in range(0, size[0], 80):
        draw.line((i, 0, size[0] - i, size[1]), fill="#b45309", width=6)
    exif = Image.Exif()
    exif[0x0132] = "2026:05:14 16:20:00"
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80, exif=exif)
    return buf.getvalue()


def pdf_bytes(text: str) -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 720, text)
    c.save()
    return buf.getvalue()


SOURCE_CSV = (
    "Order ID,Order Status,Buyer Username,Recipient\r\n"
    "576460752303423001,Completed,hanako_yamada,山田 花子\r\n"
    "576460752303423002,Awaiting shipment,zoe.angstrom,Zoë Ångström\r\n"
).encode("utf-8-sig")


def make_vault(path: Path, passphrase: str) -> Vault:
    return Vault.create(path, passphrase, ShopProfile(CREATOR, SHOP, "US", "USD"))


def fill(vault: Vault) -> Filled:
    f = Filled(vault)
    src = evidence.attach_bytes(vault, SOURCE_CSV, "orders_export.csv", origin="import")
    f.source_id = src.id
    with vault.transaction() as tx:
        cur = tx.execute("INSERT INTO imports(attachment_id, kind, imported_at, rows_read, records_new)"
                         " VALUES (?, 'orders', ?, 2, 2)", (src.id, NOW))
        import_id = int(cur.lastrowid)

        def order(order_id: str, buyer: str, status: str, created: str, amount: int,
                  lines: list[tuple[str, str, int, int]], **extra: object) -> int:
            b = BUYERS[buyer]
            cols = {"order_id": order_id, "status": status, "currency": "USD", "order_amount": amount,
                    "taxes": amount // 10, "shipping_fee": 499, "created_at": created, "created_text": created,
                    "buyer_username": b["username"], "recipient": b["recipient"], "phone": b["phone"],
                    "address": b["address"], "country": "US", "tracking_id": f"TRK{order_id[-4:]}",
                    "shipping_provider": "USPS", "raw_json": json.dumps({"Recipient": b["recipient"]},
                                                                         ensure_ascii=False),
                    "import_id": import_id, "updated_at": NOW, **extra}
            ref = int(tx.execute(f"INSERT INTO orders({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                                 tuple(cols.values())).lastrowid)
            for n, (name, variation, qty, price) in enumerate(lines):
                tx.execute("INSERT INTO order_lines(order_ref, line_key, sku_id, seller_sku, product_name, variation,"
                           " quantity, unit_price, subtotal) VALUES (?,?,?,?,?,?,?,?,?)",
                           (ref, str(n), f"17290{ref}{n}", f"HG-{ref:03d}-{n}", name, variation, qty, price,
                            qty * price))
            f.orders[order_id] = ref
            return ref

        order("576460752303423001", "hanako", "Completed", "2026-03-04T10:15:00Z", 6480,
              [("Linen tote bag", "Natural", 2, 1990), ("Ceramic mug 350 ml", "Sea green", 1, 2500)],
              delivered_at="2026-03-09T15:00:00Z", buyer_message=HANGUL_EMOJI_NOTE)
        order("576460752303423002", "zoe", "Awaiting shipment", "2026-05-20T18:40:00Z", 8900,
              [(LONG_PRODUCT, "", 1, 8900)], buyer_message=FORMULA_NOTE)
        order("576460752303423003", "li", "Cancelled", "2026-04-11T07:05:00Z", 1990,
              [("Linen tote bag", "Charcoal", 1, 1990)], cancel_reason="Buyer changed their mind",
              cancelled_at="2026-04-11T09:00:00Z")
        for i in range(4, 40):
            b = ("hanako", "zoe", "li")[i % 3]
            order(f"5764607523034230{i:02d}", b, "Completed", f"2026-0{1 + i % 6}-{10 + i % 18:02d}T12:00:00Z",
                  1500 + i * 37, [("Beeswax candle", "Lavender", 1 + i % 3, 500 + i)])

        tx.executemany(
            "INSERT INTO settlements(natural_key, reference_id, order_id, type, currency, settlement_amount, revenue,"
            " fees, affiliate_commission, settled_at, settled_text, order_created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            [("s1", "576460752303423001", "576460752303423001", "Order", "USD", 5710, 6480, -770, 0,
              "2026-03-20T00:00:00Z", "2026/03/20", "2026-03-04T10:15:00Z"),
             ("s2", "ADJ-2026-0412", "", "Logistics reimbursement", "USD", 350, 0, 0, 0,
              "2026-04-12T00:00:00Z", "2026/04/12", None),
             ("s3", "576460752303423004", "576460752303423004", "Order", "USD", 1400, 1648, -248, 0,
              "2026-05-28T00:00:00Z", "2026/05/28", "2026-05-14T12:00:00Z")])
        tx.execute("INSERT INTO on_hold(natural_key, order_id, currency, amount, status, expected_at, expected_text)"
                   " VALUES ('h1', '576460752303423002', 'USD', 7900, 'Awaiting delivery', '2026-06-15T00:00:00Z',"
                   " '2026/06/15')")
        tx.executemany(
            "INSERT INTO withdrawals(withdrawal_id, type, status, currency, amount, created_at, created_text)"
            " VALUES (?,?,?,?,?,?,?)",
            [("W-1001", "WITHDRAW", "SUCCESS", "USD", 5000, "2026-04-01T08:00:00Z", "1775030400"),
             ("W-1002", "WITHDRAW", "PROCESSING", "USD", 700, "2026-06-02T08:00:00Z", "1780387200"),
             ("W-1003", "WITHDRAW", "FAILED", "USD", 999, "2026-06-03T08:00:00Z", "1780473600")])
        tx.executemany(
            "INSERT INTO commissions(natural_key, layout, order_id, sku_id, product_name, counterpart, currency,"
            " settlement_status, estimated, earned, order_at, order_text) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            [("c1", "creator", "580001", "9001", "Bamboo cutting board", "Kitchen Crafts", "USD", "Settled",
              450, 450, "2026-02-02T00:00:00Z", "02/02/2026 00:00:00"),
             ("c2", "creator", "580002", "9002", "Cast iron pan", "Kitchen Crafts", "USD", "Pending", 900, 0,
              "2026-05-30T00:00:00Z", "30/05/2026 00:00:00"),
             ("c3", "creator", "580003", "9003", "Oven mitt", "Kitchen Crafts", "USD", "Ineligible", 120, 0,
              "2026-03-15T00:00:00Z", "15/03/2026 00:00:00")])

        def thread(key: str, channel: str, counterpart: str, subject: str,
                   msgs: list[tuple[str, str, str, str]]) -> int:
            tid = int(tx.execute("INSERT INTO threads(thread_key, channel, counterpart, subject) VALUES (?,?,?,?)",
                                 (key, channel, counterpart, subject)).lastrowid)
            for n, (direction, sender, at, body) in enumerate(msgs):
                tx.execute("INSERT INTO messages(thread_id, natural_key, direction, sender, sent_at, sent_text, body)"
                           " VALUES (?,?,?,?,?,?,?)", (tid, f"{key}:{n}", direction, sender, at, at, body))
            f.threads[key] = tid
            return tid

        thread("dm:hanako", "direct", "hanako_yamada", "", [
            ("in", "hanako_yamada", "2026-03-10T08:00:00Z", "こんにちは、山田花子です。マグカップが割れて届きました。"),
            ("out", CREATOR, "2026-03-10T09:30:00Z", "I'm so sorry! Could you send a photo of the mug, please?"),
            ("in", "hanako_yamada", "2026-03-10T10:02:00Z", "Photo attached. Thanks for the quick reply! " * 12),
        ])
        thread("dm:zoe", "direct", "Zoë Ångström", "Where is my order?", [
            ("in", "Zoë Ångström", "2026-05-25T12:00:00Z", "Hi! It's ZOË ÅNGSTRÖM here, any news on the bowl?"),
            ("out", CREATOR, "2026-05-25T13:00:00Z", "It ships on Monday, tracking to follow."),
        ])
        thread("shop:supplies", "shop", "Harbor Supplies", "Restock", [
            ("out", CREATOR, "2026-02-01T10:00:00Z", "Do you have the linen totes in charcoal again?"),
            ("in", "Harbor Supplies", "2026-02-01T11:00:00Z", "Yes, 40 units, shipping Friday."),
            ("in", "Harbor Supplies", "2026-02-02T09:00:00Z", THAI_NOTE),
        ])

        def case(key: str, kind: str, title: str, opened: str, description: str,
                 links: list[tuple[str, int]], events: list[tuple[str, str]]) -> int:
            cid = int(tx.execute("INSERT INTO cases(kind, title, status, opened_at, deadline, description)"
                                 " VALUES (?,?,?,?,?,?)", (kind, title, "open", opened, "2026-07-30T00:00:00Z",
                                                            description)).lastrowid)
            for target_kind, target in links:
                tx.execute("INSERT INTO case_links(case_id, target_kind, target_id) VALUES (?,?,?)",
                           (cid, target_kind, target))
            for at, text in events:
                tx.execute("INSERT INTO case_events(case_id, at, text) VALUES (?,?,?)", (cid, at, text))
            tx.execute("INSERT INTO case_checklist(case_id, position, text, done) VALUES (?, 1, 'Photo of damage',"
                       " 1), (?, 2, 'Carrier claim', 0)", (cid, cid))
            f.cases[key] = cid
            return cid

        case("mug", "dispute", "Broken mug — order 576460752303423001", "2026-03-11T09:00:00Z",
             "山田 花子 reported the mug arrived broken. Refund requested; we asked for photos.",
             [("order", f.orders["576460752303423001"]), ("thread", f.threads["dm:hanako"])],
             [("2026-03-11T09:05:00Z", "Buyer opened a return request"),
              ("2026-03-12T10:00:00Z", "Submitted photos and the chat to TikTok Shop")])
        case("bowl", "not_received", "Bowl not received", "2026-06-01T09:00:00Z", "Waiting on USPS.",
             [("order", f.orders["576460752303423002"])], [("2026-06-02T10:00:00Z", "Carrier trace opened")])
        tx.execute("INSERT INTO notes(target_kind, target_id, body, created_at, updated_at) VALUES"
                   " ('case', ?, 'Called USPS: parcel scanned in Denver.', ?, ?)", (f.cases["bowl"], NOW, NOW))
        set_status(tx, 1, "done")
        set_status(tx, 2, "doing")
        set_data(tx, 4, notice_posted_on="2026-06-01")

    shot = evidence.attach_bytes(vault, png_bytes("Chat: mug arrived broken"), "chat-screenshot.png",
                                 links=[("case", f.cases["mug"]), ("thread", f.threads["dm:hanako"])],
                                 caption="Chat where the buyer reports the broken mug")
    photo = evidence.attach_bytes(vault, jpeg_bytes(), "parcel-photo.jpg",
                                  links=[("order", f.orders["576460752303423002"])], caption="Parcel as packed")
    receipt = evidence.attach_bytes(vault, pdf_bytes("USPS receipt TRK3002"), "usps-receipt.pdf",
                                    links=[("order", f.orders["576460752303423001"])], caption="Shipping receipt")
    f.evidence = {"chat-screenshot.png": shot.id, "parcel-photo.jpg": photo.id, "usps-receipt.pdf": receipt.id}
    return f
