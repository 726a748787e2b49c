"""Benchmark: export a big vault as a signed archive, then verify it.

    /work/venv/bin/python bench/bench_export.py                 # 10k, 50k and 100k order lines
    /work/venv/bin/python bench/bench_export.py --sizes 100000  # one size
    /work/venv/bin/python bench/bench_export.py --redact        # the redacted export instead

For each size the vault is generated with direct SQL (order lines; orders at two lines each; settlements,
withdrawals, commissions; messages at one per ten lines; images at two per thousand lines — so the 100k vault
holds 100,000 lines, 10,000 messages and 200 images), then the export and the verification each run in a fresh
process so their peak memory (`peak.py`) is their own. Targets (issue 6): export of the 100k vault ≤ 60 s and
≤ 1 GB, time linear in size; verify ≤ 5 s.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "desktop"))

PASSPHRASE = "bench passphrase for the archive 42"
BUYERS = [("marisol.v", "Marisol Vega"), ("kenji_t", "Kenji Tanaka"), ("zoe.a", "Zoë Ångström"),
          ("priya.k", "Priya Kapoor"), ("hana_y", "山田 花子"), ("sam.r", "Sam Rivera"), ("li.wei", "李伟"),
          ("olivia_b", "Olivia Brown"), ("noah.w", "Noah Williams"), ("amara.o", "Amara Okafor")]
PRODUCTS = [("Lavender soy candle", "8 oz", 1800), ("Cedar wick trimmer", "Brass", 1200),
            ("Sea salt room spray", "100 ml", 1450), ("Gift box: three candles, hand-poured, with a card", "Assorted",
                                                      4900), ("Matchbook set", "Pack of 5", 600),
            ("手作りキャンドル", "小", 2200)]
STATUSES = ["Completed", "Completed", "Completed", "Delivered", "Shipped", "Awaiting shipment", "Cancelled"]
NOW = "2026-07-01T09:00:00Z"


def generate(path: Path, lines: int) -> dict[str, int]:
    """A vault of `lines` order lines and everything around them, filled with executemany in a few transactions."""
    from PIL import Image, ImageDraw

    from shopexit.core import evidence
    from shopexit.core.vault import ShopProfile, Vault

    rng = random.Random(lines)
    orders = lines // 2
    messages = lines // 10
    images = max(1, lines // 500)
    vault = Vault.create(path, PASSPHRASE, ShopProfile("Mara Quill", "Harbor Goods Co", "US", "USD"))
    try:
        with vault.transaction() as tx:
            def order_rows() -> object:
                for i in range(orders):
                    user, name = BUYERS[i % len(BUYERS)]
                    month = 1 + (i * 24 // orders)
                    year = 2025 + (month - 1) // 12
                    created = f"{year}-{(month - 1) % 12 + 1:02d}-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00Z"
                    yield (f"5764{i:014d}", STATUSES[i % len(STATUSES)], "USD", 1000 + (i * 37) % 9000, 100, 499,
                           created, created, user, name, f"+1 555 01{i % 100:02d}",
                           f"{100 + i % 900} Main St, Springfield", "US", f"TRK{i:012d}", "USPS",
                           "Please gift-wrap it" if i % 9 == 0 else "", NOW)
            tx.executemany(
                "INSERT INTO orders(order_id, status, currency, order_amount, taxes, shipping_fee, created_at,"
                " created_text, buyer_username, recipient, phone, address, country, tracking_id, shipping_provider,"
                " buyer_message, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", order_rows())
            tx.executemany(
                "INSERT INTO order_lines(order_ref, line_key, sku_id, seller_sku, product_name, variation, quantity,"
                " unit_price, subtotal) VALUES (?,?,?,?,?,?,?,?,?)",
                ((1 + n // 2, str(n % 2), f"17290{n:010d}", f"HG-{n % 6:03d}", PRODUCTS[n % 6][0],
                  PRODUCTS[n % 6][1], 1 + n % 3, PRODUCTS[n % 6][2], (1 + n % 3) * PRODUCTS[n % 6][2])
                 for n in range(orders * 2)))
            tx.executemany(
                "INSERT INTO settlements(natural_key, reference_id, order_id, type, currency, settlement_amount,"
                " revenue, fees, settled_at, settled_text) VALUES (?,?,?,?,?,?,?,?,?,?)",
                ((f"s{i}", f"5764{i:014d}", f"5764{i:014d}", "Order", "USD", 900 + i % 8000, 1000 + i % 8000,
                  -100, f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}T00:00:00Z", "") for i in range(0, orders, 2)))
            tx.executemany(
                "INSERT INTO withdrawals(withdrawal_id, status, currency, amount, created_at) VALUES (?,?,?,?,?)",
                ((f"W-{i:05d}", "SUCCESS" if i % 5 else "PROCESSING", "USD", 50000 + i,
                  f"2026-{1 + i % 12:02d}-15T08:00:00Z") for i in range(max(1, lines // 1000))))
            tx.executemany(
                "INSERT INTO commissions(natural_key, layout, order_id, product_name, counterpart, currency,"
                " settlement_status, estimated, earned, order_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                ((f"c{i}", "creator", f"5773{i:014d}", PRODUCTS[i % 6][0], "Kitchen Crafts", "USD",
                  ("Settled", "Pending", "Ineligible")[i % 3], 450, 450 if i % 3 == 0 else 0,
                  f"2026-{1 + i % 12:02d}-02T00:00:00Z") for i in range(max(1, lines // 20))))
            threads = max(1, messages // 10)
            for t in range(threads):
                user, name = BUYERS[t % len(BUYERS)]
                tx.execute("INSERT INTO threads(thread_key, channel, counterpart, subject) VALUES (?,?,?,?)",
                           (f"dm:{t}", "direct", user if t % 2 else name, ""))
            words = ["order", "parcel", "thanks", "tracking", "refund", "photo", "candle", "lavender", "arrived",
                     "broken", "box", "label", "week", "soon", "please", "again", "happy"]
            tx.executemany(
                "INSERT INTO messages(thread_id, natural_key, direction, sender, sent_at, sent_text, body)"
                " VALUES (?,?,?,?,?,?,?)",
                ((1 + m % threads, f"m{m}", "in" if m % 2 else "out", "", f"2026-{1 + m % 12:02d}-"
                  f"{1 + m % 28:02d}T{m % 24:02d}:00:00Z", "",
                  " ".join(rng.choice(words) for _ in range(5 + m % 60))) for m in range(messages)))
        for k in range(images):
            img = Image.new("RGB", (1600, 1200), (200, 180 + k % 50, 160))
            draw = ImageDraw.Draw(img)
            for y in range(0, 1200, 40):
                draw.line((0, y, 1600, 1200 - y), fill=(k % 255, 80, 120), width=3)
            buf = io.BytesIO()
            img.save(buf, "JPEG", quality=85)
            evidence.attach_bytes(vault, buf.getvalue(), f"photo-{k:04d}.jpg", links=[("order", 1 + k)],
                                  caption=f"Parcel photo {k}")
    finally:
        vault.lock()
    return {"lines": orders * 2, "orders": orders, "messages": messages, "images": images}


def _child_export(vault_path: Path, out: Path, redact: bool) -> None:
    from peak import peak_mb
    from shopexit.core.archive import ExportOptions, export_archive
    from shopexit.core.vault import Vault

    with Vault.open(vault_path, PASSPHRASE) as vault:
        start = time.perf_counter()
        cpu = time.process_time()
        result = export_archive(vault, out, ExportOptions(redact_buyers=redact))
        seconds = time.perf_counter() - start
        cpu = time.process_time() - cpu
    peak = peak_mb()
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mb": peak, "pages": result.pages,
                      "files": result.embedded_files, "bytes": out.stat().st_size}))


def _child_verify(path: Path) -> None:
    from peak import peak_mb
    from shopexit.core.archive import verify_archive

    start = time.perf_counter()
    cpu = time.process_time()
    report = verify_archive(path)
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu
    peak = peak_mb()
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mb": peak, "ok": report.ok, "files": report.files_checked}))


def _num(value: object) -> float:
    return float(value)  # type: ignore[arg-type]


def _child(*args: str) -> dict[str, object]:
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,50000,100000", help="order-line counts, comma separated")
    parser.add_argument("--redact", action="store_true", help="measure the redacted export")
    parser.add_argument("--keep", metavar="DIR", help="keep the vaults and archives in DIR")
    parser.add_argument("--child-export", nargs=2, metavar=("VAULT", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--child-verify", metavar="PDF", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_export:
        _child_export(Path(args.child_export[0]), Path(args.child_export[1]), args.redact)
        return 0
    if args.child_verify:
        _child_verify(Path(args.child_verify))
        return 0

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-export-"))
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            vault_path = work / f"bench-{size}.shopexit"
            if vault_path.exists():
                shutil.rmtree(vault_path.with_name(vault_path.name + ".backups"), ignore_errors=True)
                for side in work.glob(f"bench-{size}.shopexit*"):
                    side.unlink() if side.is_file() else shutil.rmtree(side)
            start = time.perf_counter()
            made = generate(vault_path, size)
            gen = time.perf_counter() - start
            out = work / f"bench-{size}.pdf"
            export = _child("--child-export", str(vault_path), str(out), *(["--redact"] if args.redact else []))
            verify = _child("--child-verify", str(out))
            row: dict[str, object] = {
                "size": size, **made, "generate_s": round(gen, 1), "export_s": round(_num(export["seconds"]), 1),
                "export_cpu_s": round(_num(export["cpu"]), 1), "export_peak_mb": round(_num(export["peak_mb"])),
                "pages": export["pages"], "archive_mb": round(_num(export["bytes"]) / 1e6, 1),
                "verify_s": round(_num(verify["seconds"]), 2), "verify_cpu_s": round(_num(verify["cpu"]), 2),
                "verify_peak_mb": round(_num(verify["peak_mb"])), "verified": verify["ok"],
            }
            rows.append(row)
            print(json.dumps(row), flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print("| order lines | messages | images | pages | archive | export (wall / CPU) | CPU s per 10k lines "
          "| peak memory | verify (wall / CPU) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        per = _num(r["export_cpu_s"]) / (_num(r["lines"]) / 10_000)
        print(f"| {_num(r['lines']):,.0f} | {_num(r['messages']):,.0f} | {r['images']} | {_num(r['pages']):,.0f} "
              f"| {r['archive_mb']} MB | {r['export_s']} s / {r['export_cpu_s']} s | {per:.1f} "
              f"| {r['export_peak_mb']} MB | {r['verify_s']} s / {r['verify_cpu_s']} s |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
