"""Records put straight into a real vault with SQL in the schema's own columns, for tests of the views and search.

Kept deliberately plain (no importer involved), so a test of search or of a view fails only for its own reasons.
"""

from __future__ import annotations

import io
import json
import struct
import zlib
from collections.abc import Sequence
from typing import Any

from shopexit.core.vault import Vault

NOW = "2026-05-01T10:00:00Z"


def add_order(vault: Vault, order_id: str, *, status: str = "Completed", amount: int = 3241,
              currency: str = "USD", buyer: str = "", recipient: str = "", created_at: str = NOW,
              tracking: str = "", lines: list[tuple[str, int, int]] | None = None, **extra: Any) -> int:
    """One order; `lines` are (product name, quantity, unit price in minor units)."""
    with vault.transaction() as tx:
        cols = {"order_id": order_id, "status": status, "currency": currency, "order_amount": amount,
                "buyer_username": buyer, "recipient": recipient, "created_at": created_at,
                "created_text": created_at, "tracking_id": tracking, "updated_at": NOW,
                "raw_json": json.dumps({"Order ID": order_id}), **extra}
        cur = tx.execute(f"INSERT INTO orders({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                         tuple(cols.values()))
        ref = int(cur.lastrowid)
        for n, (name, qty, price) in enumerate(lines or []):
            tx.execute("INSERT INTO order_lines(order_ref, line_key, sku_id, seller_sku, product_name, quantity,"
                       " unit_price, subtotal) VALUES (?,?,?,?,?,?,?,?)",
                       (ref, str(n), f"SKU{ref}{n}", f"HG-{n:03d}", name, qty, price, qty * price))
    return ref


def add_thread(vault: Vault, counterpart: str, *, channel: str = "shop", subject: str = "",
               messages: Sequence[tuple[str, str, str, str]] = ()) -> tuple[int, list[int]]:
    """A conversation; messages are (direction, sender, sent_at, body). Returns (thread id, message ids)."""
    with vault.transaction() as tx:
        cur = tx.execute("INSERT INTO threads(thread_key, channel, counterpart, subject) VALUES (?,?,?,?)",
                         (f"t:{counterpart}:{subject}", channel, counterpart, subject))
        thread_id = int(cur.lastrowid)
        ids = []
        for n, (direction, sender, sent_at, body) in enumerate(messages):
            cur = tx.execute("INSERT INTO messages(thread_id, natural_key, direction, sender, sent_at, sent_text,"
                             " body) VALUES (?,?,?,?,?,?,?)",
                             (thread_id, f"m:{thread_id}:{n}", direction, sender, sent_at, sent_at, body))
            ids.append(int(cur.lastrowid))
    return thread_id, ids


def fill_orders(vault: Vault, count: int, start: int = 0, *, searchable: bool = True) -> None:
    """Many orders fast: one executemany inside one transaction.

    `searchable=False` leaves these rows out of the search index (its insert trigger is dropped for the bulk
    insert and put back): for tests of paging that never search them, it halves the time.
    """
    statuses = ("Completed", "Completed", "Completed", "Shipped", "Cancelled", "Awaiting shipment")
    # A big page cache for the bulk insert: with SQLCipher every page evicted and read again is decrypted
    # again, and six indexes grow at once. Restored afterwards.
    old_cache = vault.conn.execute("PRAGMA cache_size").fetchone()[0]
    vault.conn.execute("PRAGMA cache_size = -262144")
    try:
        if searchable:
            _fill(vault, count, start, statuses)
        else:
            trigger = vault.conn.execute("SELECT sql FROM sqlite_master WHERE name = 'orders_fts_ai'").fetchone()[0]
            with vault.transaction() as tx:
                tx.execute("DROP TRIGGER orders_fts_ai")
                _fill(vault, count, start, statuses)
                tx.execute(trigger)
    finally:
        vault.conn.execute(f"PRAGMA cache_size = {int(old_cache)}")


def _fill(vault: Vault, count: int, start: int, statuses: tuple[str, ...]) -> None:
    with vault.transaction() as tx:
        tx.executemany(
            "INSERT INTO orders(order_id, status, currency, order_amount, created_at, created_text, buyer_username,"
            " recipient, tracking_id, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
            ((f"5764{i:011d}", statuses[i % len(statuses)], "USD", 1000 + (i * 37) % 9000,
              f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00Z", "", f"buyer{i}",
              f"Buyer {i}", f"TRK{i:09d}", NOW)
             for i in range(start, start + count)))


def png_bytes(width: int, height: int, color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def bomb_png(width: int = 40_000, height: int = 40_000) -> bytes:
    """A valid-looking PNG that declares width × height pixels but carries a tiny IDAT: decoding it would need
    ~6.4 GB (RGBA), while the file is under 200 bytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def minimal_pdf(text: str = "Receipt") -> bytes:
    """A real one-page PDF (reportlab), so previews and sniffing meet a true PDF."""
    from reportlab.lib.pagesizes import A6
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A6)
    c.setFont("Helvetica", 14)
    c.drawString(20, 300, text)
    c.showPage()
    c.save()
    return out.getvalue()


BUYERS = [("marisol.v", "Marisol Vega"), ("kenji_t", "Kenji Tanaka"), ("zoe.a", "Zoë Ångström"),
          ("priya.k", "Priya Kapoor"), ("lucas_m", "Lucas Moreau"), ("amara.o", "Amara Okafor"),
          ("hana_y", "山田 花子"), ("sam.r", "Sam Rivera"), ("olivia_b", "Olivia Brown"), ("noah.w", "Noah Williams")]
PRODUCTS = [("Lavender soy candle", "8 oz", 1800), ("Cedar wick trimmer", "Brass", 1200),
            ("Sea salt room spray", "100 ml", 1450), ("Gift box: three candles", "Assorted", 4900),
            ("Matchbook set", "Pack of 5", 600)]
STATUSES = ["Completed", "Completed", "Completed", "Delivered", "Shipped", "Awaiting shipment", "Cancelled"]


def seed_shop(vault: Vault, orders: int = 60) -> dict[str, Any]:
    """A small, realistic shop: orders with SKU lines, money records, conversations, a case, evidence."""
    from shopexit.core import evidence
    from shopexit.core.records import cases, manual

    ids: dict[str, Any] = {"orders": []}
    for n in range(orders):
        user, name = BUYERS[n % len(BUYERS)]
        status = STATUSES[n % len(STATUSES)]
        lines = [PRODUCTS[(n + k) % len(PRODUCTS)][::2] for k in range(1 + n % 3)]
        line_rows = [(p, 1 + (n + k) % 2, price) for k, (p, price) in enumerate(lines)]
        amount = sum(q * p for _, q, p in line_rows)
        day = 1 + (n * 7) % 28
        month = 1 + n // 12
        ref = add_order(vault, f"5764{576460752303:012d}"[:8] + f"{423000 + n * 137:010d}", status=status,
                        amount=amount, buyer=user, recipient=name,
                        created_at=f"2026-{month:02d}-{day:02d}T{8 + n % 12:02d}:{(n * 13) % 60:02d}:00Z",
                        tracking=f"9400 1118 9922 {3100 + n:04d}" if status not in ("Awaiting shipment", "Cancelled")
                        else "", lines=line_rows,
                        refund_amount=amount if status == "Cancelled" else 0,
                        shipping_provider="USPS" if n % 2 else "UPS",
                        address=f"{100 + n} Harbor Street, Portland, OR 972{n % 10:02d}", country="US",
                        paid_at=f"2026-{month:02d}-{day:02d}T{9 + n % 12:02d}:00:00Z")
        ids["orders"].append(ref)
    with vault.transaction() as tx:
        for n in range(orders // 2):
            oid = vault.conn.execute("SELECT order_id, order_amount FROM orders WHERE id = ?",
                                     (ids["orders"][n],)).fetchone()
            fees = -(oid[1] * 8 // 100)
            comm = -(oid[1] * 10 // 100) if n % 3 == 0 else 0
            tx.execute("INSERT INTO settlements(natural_key, reference_id, order_id, type, currency,"
                       " settlement_amount, revenue, fees, affiliate_commission, settled_at, raw_json)"
                       " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                       (f"s{n}", oid[0], oid[0], "Order", "USD", oid[1] + fees + comm, oid[1], fees, comm,
                        f"2026-0{2 + n // 12}-{1 + n % 27:02d}T12:00:00Z",
                        json.dumps({"Order/adjustment ID  ": oid[0], "Type": "Order", "Payment method": "Card"})))
        for n in range(5):
            tx.execute("INSERT INTO on_hold(natural_key, order_id, currency, amount, status, expected_at)"
                       " VALUES (?,?,?,?,?,?)", (f"h{n}", f"57640000000{n}", "USD", 1200 + n * 350,
                                                "To be settled", f"2026-06-{10 + n:02d}T00:00:00Z"))
        for n, (status, amount) in enumerate([("SUCCESS", 42000), ("SUCCESS", 31550), ("PROCESSING", 12000),
                                              ("FAILED", 5000)]):
            tx.execute("INSERT INTO withdrawals(withdrawal_id, status, currency, amount, created_at) VALUES"
                       " (?,?,?,?,?)", (f"WD2026{n:06d}", status, "USD", amount, f"2026-0{3 + n}-15T16:00:00Z"))
        for n in range(8):
            tx.execute("INSERT INTO commissions(natural_key, layout, order_id, product_name, counterpart, currency,"
                       " settlement_status, estimated, earned, order_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                       (f"c{n}", "creator", f"57641111{n:06d}", PRODUCTS[n % 5][0], "Harbor Goods Co", "USD",
                        ("Settled", "Pending", "Ineligible")[n % 3], 270 + n * 15, 270 + n * 15 if n % 3 == 0 else 0,
                        f"2026-04-{1 + n:02d}T10:00:00Z"))
    thread, msgs = add_thread(vault, "Marisol Vega", messages=[
        ("in", "Marisol Vega", "2026-05-02T09:00:00Z",
         "Hi! My order arrived today but the box was crushed and the candle jar is cracked 😞"),
        ("out", "Harbor Goods Co", "2026-05-02T09:40:00Z",
         "I'm so sorry, Marisol! Could you send a photo of the parcel and the jar? I'll make it right."),
        ("in", "Marisol Vega", "2026-05-02T10:05:00Z", "Sure, photos attached. The outer box was wet too."),
        ("out", "Harbor Goods Co", "2026-05-03T08:15:00Z",
         "Thank you. A replacement ships tomorrow with tracking; no need to return the broken one."),
    ])
    ids["thread"], ids["messages"] = thread, msgs
    ids["dm_thread"], _ = add_thread(vault, "Kenji Tanaka", channel="direct", messages=[
        ("in", "Kenji Tanaka", "2026-04-20T18:00:00Z", "Do you ship the gift box to Canada?"),
        ("out", "Harbor Goods Co", "2026-04-20T19:30:00Z", "Not yet, sorry — US only for now."),
    ])
    email = manual.new_thread(vault, "email", "Priya Kapoor", "Order never arrived")
    manual.add_message(vault, email, body="Tracking says delivered but nothing came. Can you check?",
                       sent_at="2026-05-06T14:20:00Z")
    ids["email_thread"] = email
    from datetime import date, timedelta

    ids["case"] = cases.open_case(vault, "not_received", order_id=ids["orders"][3], thread_id=email,
                                  deadline=date.today() + timedelta(days=6),
                                  description="Buyer says the parcel never came; USPS shows delivered to the front "
                                  "door on 4 May.")
    ids["case2"] = cases.open_case(vault, "return", order_id=ids["orders"][0], thread_id=thread)
    cases.update_case(vault, ids["case2"], status="submitted")
    chat = chat_screenshot_png()
    ids["chat_png"] = evidence.attach_bytes(vault, chat, "chat-with-marisol.png", origin="paste",
                                            links=[("thread", thread), ("case", ids["case2"])],
                                            caption="Buyer's message about the crushed box").id
    ids["receipt_pdf"] = evidence.attach_bytes(vault, minimal_pdf("USPS receipt 9400 1118 9922 3103"),
                                               "usps-receipt.pdf", origin="file",
                                               links=[("order", ids["orders"][3]), ("case", ids["case"])],
                                               caption="Shipping receipt").id
    ids["bomb"] = evidence.attach_bytes(vault, bomb_png(), "huge.png", origin="drop").id
    manual.add_note(vault, "order", ids["orders"][3], "Called USPS on 7 May: claim 1184-22 opened.")
    return ids


def chat_screenshot_png() -> bytes:
    """A phone-sized picture of a chat (bubbles and text), like the screenshots sellers keep."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (390, 700), (245, 246, 248))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, 390, 64), fill=(255, 255, 255))
    draw.text((20, 24), "Marisol Vega", fill=(20, 20, 20))
    bubbles = [("in", "Hi! My order arrived today but the box"), ("in", "was crushed and the jar is cracked"),
               ("out", "I'm so sorry! Could you send a photo?"), ("in", "Sure, photos attached."),
               ("out", "A replacement ships tomorrow.")]
    y = 90
    for side, text in bubbles:
        x0, color, ink = (16, (255, 255, 255), (30, 30, 30)) if side == "in" else (120, (254, 44, 85), (255, 255, 255))
        draw.rounded_rectangle((x0, y, x0 + 254, y + 44), radius=14, fill=color)
        draw.text((x0 + 12, y + 15), text[:40], fill=ink)
        y += 64
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()
