"""A demo vault: an invented shop part-way through its exit, so a newcomer sees the app populated.

Nothing here writes records directly. The shop's exports are written in TikTok's real layouts by
`sample_exports` and read back through the real importers; messages, evidence, a case and the exit's progress
go through the same functions the app uses. The demo therefore shows exactly what a real vault would.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from shopexit.core import evidence
from shopexit.core.records import exit_steps
from shopexit.core.records.steps import set_notes
from shopexit.core.vault import ShopProfile, Vault

if TYPE_CHECKING:
    from shopexit.core.importers.base import ImportSummary

DEMO_CREATOR = "Mara Lindqvist"
DEMO_SHOP = "Lumen & Loom"
DEMO_ORDERS = 240
DEMO_SEED = 21
Report = Callable[[str], None]


@dataclass(frozen=True)
class DemoSummary:
    path: Path
    orders: int
    open_orders: int
    messages: int
    evidence: int
    imports: int


def create_demo(path: Path, passphrase: str, *, today: date | None = None, orders: int = DEMO_ORDERS,
                report: Report | None = None) -> DemoSummary:
    """Create the demo vault at `path` (which must not exist yet)."""
    today = today or date.today()
    say = report or (lambda _text: None)
    vault = Vault.create(path, passphrase, ShopProfile(DEMO_CREATOR, DEMO_SHOP, "US", "USD"))
    try:
        say("Writing the shop's exports and importing them")
        _import_exports(vault, today, orders)
        say("Adding messages, evidence and a case")
        _conversation(vault, today)
        _evidence_and_case(vault, today)
        say("Recording the exit so far")
        _progress(vault, today)
        conn = vault.conn
        summary = DemoSummary(
            vault.path,
            int(conn.execute("SELECT count(*) FROM orders").fetchone()[0]),
            int(conn.execute("SELECT count(*) FROM orders WHERE status NOT IN ('Completed', 'Cancelled')"
                             ).fetchone()[0]),
            int(conn.execute("SELECT count(*) FROM messages").fetchone()[0]),
            int(conn.execute("SELECT count(*) FROM attachments WHERE origin != 'import'").fetchone()[0]),
            int(conn.execute("SELECT count(*) FROM imports").fetchone()[0]),
        )
    finally:
        vault.lock()
    return summary


def import_exports(vault: Vault, folder: Path, *, today: date | None = None, orders: int = DEMO_ORDERS,
                   orders_format: str = "csv") -> dict[str, ImportSummary]:
    """Write the demo shop's exports into `folder`, one file of every kind in TikTok's real layouts, and import
    each through the real importers (orders first, so later files find their orders). Returns {kind: summary}.

    The self-test runs this too (with the orders as XLSX), so what it proves about a bundle is what the demo
    needs."""
    from shopexit.core.importers import import_file
    from shopexit.core.sample_exports import write_exports

    paths = write_exports(folder, seed=DEMO_SEED, orders=orders, region="US", today=today,
                          orders_format=orders_format)
    return {kind: import_file(vault, path) for kind, path in paths.items()}


def _import_exports(vault: Vault, today: date, orders: int) -> None:
    # The files are invented, but they are written to a private temporary folder and removed at once anyway.
    with tempfile.TemporaryDirectory(prefix="shopexit-demo-") as folder:
        import_exports(vault, Path(folder), today=today, orders=orders)


def _conversation(vault: Vault, today: date) -> None:
    from shopexit.core.records import manual

    thread = manual.new_thread(vault, "email", "Priya Raman", "Order arrived with a cracked mug")
    start = datetime.combine(today - timedelta(days=9), time(15, 12))
    manual.add_message(vault, thread, direction="in", sent_at=start,
                       body="Hi, my order arrived today but one of the two mugs is cracked. Can you help?")
    manual.add_message(vault, thread, direction="out", sent_at=start + timedelta(hours=2),
                       body="I'm so sorry! Could you send me a photo of the mug and the box? I'll sort it out.")
    manual.add_message(vault, thread, direction="in", sent_at=start + timedelta(days=1, hours=1),
                       body="Photos attached. The box was dented on one corner.")


def photo_jpeg(when: datetime, size: tuple[int, int] = (960, 720)) -> bytes:
    """A photo-like JPEG (a parcel on a table) carrying an EXIF capture time."""
    from PIL import Image, ImageDraw, ImageFilter

    width, height = size
    img = Image.new("RGB", size, (0, 0, 0))
    draw = ImageDraw.Draw(img)
    for y in range(height):  # warm wall fading into a wooden table
        shade = int(205 - 60 * y / height)
        colour = (shade + 25, shade + 5, shade - 30) if y < height * 0.55 else (150 - y // 12, 100 - y // 16, 60)
        draw.line([(0, y), (width, y)], fill=colour)
    box = [int(width * 0.28), int(height * 0.32), int(width * 0.72), int(height * 0.78)]
    draw.rectangle([box[0] + 18, box[1] + 18, box[2] + 18, box[3] + 18], fill=(70, 50, 35))  # shadow
    draw.rectangle(box, fill=(196, 160, 112), outline=(120, 90, 60), width=4)
    draw.rectangle([box[0], box[1] + 60, box[2], box[1] + 100], fill=(214, 190, 150))  # tape
    draw.polygon([(box[2] - 90, box[1]), (box[2], box[1]), (box[2], box[1] + 80)], fill=(150, 118, 80))  # dent
    draw.rectangle([box[0] + 40, box[3] - 110, box[0] + 230, box[3] - 40], fill=(245, 245, 240))  # label
    for row in range(4):
        draw.line([(box[0] + 55, box[3] - 98 + row * 16), (box[0] + 210, box[3] - 98 + row * 16)],
                  fill=(80, 80, 80), width=3)
    img = img.filter(ImageFilter.GaussianBlur(1.2))
    exif = Image.Exif()
    exif[0x0110] = "Demo camera"
    exif[0x0132] = when.strftime("%Y:%m:%d %H:%M:%S")
    exif.get_ifd(0x8769)[0x9003] = when.strftime("%Y:%m:%d %H:%M:%S")
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85, exif=exif)
    return out.getvalue()


def screenshot_png(lines: list[tuple[str, str]], title: str, size: tuple[int, int] = (720, 900)) -> bytes:
    """A phone-screenshot-like PNG of a conversation: (who, text) bubbles under a title bar."""
    from PIL import Image, ImageDraw, ImageFont

    width, height = size
    img = Image.new("RGB", size, (248, 248, 250))
    draw = ImageDraw.Draw(img)
    try:
        font = ImageFont.load_default(size=26)
        small = ImageFont.load_default(size=20)
    except TypeError:  # an older Pillow without sized default fonts
        font = small = ImageFont.load_default()
    draw.rectangle([0, 0, width, 110], fill=(255, 255, 255))
    draw.line([(0, 110), (width, 110)], fill=(225, 225, 230), width=2)
    draw.text((32, 40), title, fill=(20, 20, 30), font=font)
    y = 150
    for who, text in lines:
        mine = who == "me"
        words, rows, current = text.split(), [], ""
        for word in words:
            trial = f"{current} {word}".strip()
            if draw.textlength(trial, font=font) > width * 0.62:
                rows.append(current)
                current = word
            else:
                current = trial
        rows.append(current)
        bubble_h = 24 + 34 * len(rows)
        bubble_w = int(max(draw.textlength(r, font=font) for r in rows)) + 40
        x0 = width - bubble_w - 30 if mine else 30
        fill = (15, 118, 110) if mine else (232, 233, 238)
        draw.rounded_rectangle([x0, y, x0 + bubble_w, y + bubble_h], radius=22, fill=fill)
        for n, row_text in enumerate(rows):
            draw.text((x0 + 20, y + 12 + 34 * n), row_text, fill=(255, 255, 255) if mine else (25, 25, 35),
                      font=font)
        y += bubble_h + 28
        if y > height - 120:
            break
    draw.text((32, height - 50), "screenshot", fill=(160, 160, 170), font=small)
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def _evidence_and_case(vault: Vault, today: date) -> None:
    from shopexit.core.records import cases

    conn = vault.conn
    completed = conn.execute("SELECT id, order_id FROM orders WHERE status = 'Completed' ORDER BY created_at DESC"
                             " LIMIT 1").fetchone()
    thread = conn.execute("SELECT id FROM threads WHERE counterpart = 'Priya Raman'").fetchone()
    taken = datetime.combine(today - timedelta(days=8), time(10, 24, 5))
    photo = evidence.attach_bytes(vault, photo_jpeg(taken), "IMG_4471.jpg", origin="file",
                                  caption="The parcel as it arrived: dented corner",
                                  links=[("order", int(completed[0]))] if completed else [])
    chat = screenshot_png([
        ("them", "Your withdrawal request is under review (reserve hold)."),
        ("me", "Please confirm when the reserve will be released."),
        ("them", "Reserves are released 30 days after the last order completes."),
    ], "TikTok Shop Seller Support")
    shot = evidence.attach_bytes(vault, chat, "Screenshot 2026-support-chat.png", origin="paste",
                                 caption="Support says when the reserve is released", links=[("step", 3)])
    notice = screenshot_png([("them", "Your shop closure notice is now visible to buyers."),
                             ("them", "Shops may request closure 30 days after posting the notice.")],
                            "Seller Center · Notifications")
    evidence.attach_bytes(vault, notice, "closure-notice.png", origin="screen",
                          caption="The closure notice, as shown in Seller Center", links=[("step", 4)])
    receipt = screenshot_png([("them", "USPS Priority Mail · tracking 9400 1000 0000 0000 0000 00"),
                              ("them", "Delivered, front porch")], "USPS Tracking", size=(720, 560))
    evidence.attach_bytes(vault, receipt, "usps-tracking.png", origin="file", caption="Carrier tracking record",
                          links=[("order", int(completed[0]))] if completed else [])
    case_id = cases.open_case(vault, "return", title="Cracked mug: refund or replacement",
                              order_id=int(completed[0]) if completed else None,
                              thread_id=int(thread[0]) if thread else None, deadline=today + timedelta(days=6),
                              description="The buyer reports one of two mugs arrived cracked; photos received.")
    with vault.transaction() as tx:
        evidence.link(tx, photo.id, "case", case_id)
        evidence.link(tx, shot.id, "step", 10)


def _progress(vault: Vault, today: date) -> None:
    def tick(tx: object, step: int, keys: tuple[str, ...]) -> None:
        for item in exit_steps.checklist(tx, step):
            if item.key in keys:
                exit_steps.set_item_done(tx, item.id, True)

    with vault.transaction() as tx:
        exit_steps.ensure_defaults(tx)
        tick(tx, 1, ("import-orders", "import-finance", "import-messages", "campaigns", "ads"))
        exit_steps.mark_done(tx, 1)
        tick(tx, 2, ("tracking", "answer-buyers"))
        set_notes(tx, 2, "Four parcels left to pack on Thursday; the printer needs new labels.")
        tick(tx, 3, ("check-bank",))
        exit_steps.set_notice_date(tx, today - timedelta(days=12))
        tick(tx, 4, ("post-notice", "notice-screenshot"))
        exit_steps.save_draft(tx, (
            f"Some news: {DEMO_SHOP} is closing its TikTok Shop.\n\n"
            "Every order already placed will still be shipped — if you're waiting for one, message me and I'll "
            "help. From next month you'll find the whole collection on my own website, lumenandloom.example, "
            "with free shipping on your first order.\n\nThank you for every order and every video!"))
        exit_steps.add_announcement(tx, "TikTok video", today - timedelta(days=3),
                                    "https://www.tiktok.com/@lumenloom/video/demo")
        exit_steps.add_announcement(tx, "Newsletter", today - timedelta(days=2), note="Sent to 1,240 subscribers")
        tick(tx, 5, ("draft", "video"))
        for place, old, new, done in (
                ("TikTok bio", "https://shop.tiktok.com/lumenloom", "https://lumenandloom.example", True),
                ("Link-in-bio page", "https://links.example/lumenloom", "https://lumenandloom.example", True),
                ("Instagram bio", "https://shop.tiktok.com/lumenloom", "https://lumenandloom.example", False),
                ("YouTube channel description", "https://shop.tiktok.com/lumenloom", "", False),
                ("Email signature", "https://shop.tiktok.com/lumenloom", "https://lumenandloom.example", False)):
            place_id = exit_steps.add_link_place(tx, place, old, new)
            if done:
                exit_steps.update_link_place(tx, place_id, done=True)
        tick(tx, 6, ("bio", "link-in-bio"))
        set_notes(tx, 7, "Linen throws carried the shop in spring; candles only sold with a discount.")
        tick(tx, 7, ("best-sellers",))
        exit_steps.set_criteria(tx, [exit_steps.Criterion("Fees on a typical order", 3),
                                     exit_steps.Criterion("Reaches my audience", 2),
                                     exit_steps.Criterion("Effort to set up", 1),
                                     exit_steps.Criterion("Payout speed", 1)])
        for name, scores, notes in (
                ("Own website", (5, 2, 2, 4), "Full control of the customer list; needs marketing."),
                ("Etsy", (3, 4, 4, 3), "Buyers already search for handmade home goods."),
                ("Instagram Shop", (4, 3, 3, 3), "")):
            platform_id = exit_steps.add_platform(tx, name)
            for criterion, score in zip(("Fees on a typical order", "Reaches my audience", "Effort to set up",
                                         "Payout speed"), scores, strict=True):
                exit_steps.set_score(tx, platform_id, criterion, score)
            if notes:
                exit_steps.update_platform(tx, platform_id, notes=notes)
            if name == "Own website":
                exit_steps.choose_platform(tx, platform_id)
        tick(tx, 8, ("shortlist", "criteria", "fees"))
        exit_steps.add_adviser(tx, "Jonah Okafor, accountant", today - timedelta(days=6),
                               "Keep every payout statement; final payouts count for this tax year.", 12000, "USD")
        exit_steps.add_adviser(tx, "TikTok Shop seller support (chat)", today - timedelta(days=4),
                               "Closure can be requested 30 days after the notice if no orders are open.", 0, "USD")
        tick(tx, 9, ("tax", "support"))
