"""Import speed: a 100,000-line orders export, CSV and XLSX, against `sqlite3`'s own `.import` of the same CSV.

    python bench/bench_import.py                 # 100,000 lines, CSV and XLSX
    python bench/bench_import.py --lines 20000 --skip-xlsx

The export files are written once by `shopexit.core.sample_exports` (the real US layout: BOM, CRLF, description
row, TABs) into bench/out/import/ and reused. Each shopexit import runs in a fresh child process into a new vault
(key derivation not timed), so its peak memory (`peak.py`) is the import's own. `sqlite3 .import` of the same CSV
into a plain, unencrypted database with no index is timed in the same run, before and after ours (the machine
is shared: its load moves), and the median is the reference. Goals (issue 3): CSV <= 4x sqlite3 .import,
XLSX <= 15 s, peak memory <= 300 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "desktop") not in sys.path:
    sys.path.insert(0, str(ROOT / "desktop"))

OUT = ROOT / "bench" / "out" / "import"
PASSPHRASE = "bench passphrase: correct horse battery staple"


def ensure_file(lines: int, fmt: str) -> Path:
    from shopexit.core.sample_exports import write_orders_file

    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"orders-{lines}.{fmt}"
    if not path.exists():
        started = time.perf_counter()
        partial = path.with_name(path.name + ".partial")
        write_orders_file(partial, lines=lines, fmt=fmt)
        partial.replace(path)
        print(f"wrote {path.name} ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.0f} s",
              flush=True)
    return path


PREFIX: list[str] = []  # ["chrt", "-r", "10"] with --rt: both tools get the CPU the moment they ask


def sqlite_import(csv_path: Path) -> dict[str, float]:
    sqlite = shutil.which("sqlite3")
    if sqlite is None:
        raise SystemExit("the sqlite3 command is missing: apt-get install -y sqlite3")
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "plain.db"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run([*PREFIX, sqlite, str(db), f".import --csv {csv_path} orders"], check=True,
                       capture_output=True)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"wall": wall, "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)}


def shopexit_import(path: Path) -> dict[str, Any]:
    result = subprocess.run([*PREFIX, sys.executable, __file__, "--child", str(path)], check=True,
                            capture_output=True, text=True)
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def child(path: Path) -> None:
    """Runs in its own process: a new vault, one import, the figures as one JSON line."""
    from peak import peak_mb
    from shopexit.core.importers import import_file
    from shopexit.core.vault import ShopProfile, Vault

    with tempfile.TemporaryDirectory() as tmp:
        vault = Vault.create(Path(tmp) / "bench.shopexit", PASSPHRASE, ShopProfile("Bench", "Bench shop"))
        with vault:
            rss_before = peak_mb()
            cpu = time.process_time()
            started = time.perf_counter()
            summary = import_file(vault, path)
            wall = time.perf_counter() - started
            cpu = time.process_time() - cpu
            rss = peak_mb()
    print(json.dumps({"wall": wall, "cpu": cpu, "peak_mb": rss, "peak_before_mb": rss_before,
                      "rows": summary.rows_read, "orders": summary.new, "label": summary.label}))


def machine() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "cpu_model": model, "python": platform.python_version(),
            "load_average": os.getloadavg()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--skip-xlsx", action="store_true")
    parser.add_argument("--child", metavar="FILE", help=argparse.SUPPRESS)
    parser.add_argument("--json", metavar="OUT", help="also write the figures to this file")
    parser.add_argument("--rt", action="store_true",
                        help="run both imports under `chrt -r 10` (round-robin priority, needs root): on a shared, "
                             "loaded machine this stands in for the same machine idle")
    args = parser.parse_args()
    if args.rt:
        PREFIX[:] = ["chrt", "-r", "10"]
    if args.child:
        child(Path(args.child))
        return 0

    info = machine()
    print(f"machine: {info['cpus']} cores, {info['cpu_model']}, Python {info['python']}, "
          f"load {info['load_average'][0]:.1f}{', chrt -r 10' if args.rt else ''}", flush=True)
    csv_path = ensure_file(args.lines, "csv")
    xlsx_path = None if args.skip_xlsx else ensure_file(args.lines, "xlsx")

    references = [sqlite_import(csv_path)]
    ours_csv = shopexit_import(csv_path)
    references.append(sqlite_import(csv_path))
    ours_xlsx = shopexit_import(xlsx_path) if xlsx_path else None
    references.append(sqlite_import(csv_path))
    reference = statistics.median(r["wall"] for r in references)
    reference_cpu = statistics.median(r["cpu"] for r in references)

    figures: dict[str, Any] = {
        "machine": {**info, "load_average_after": os.getloadavg()}, "realtime_priority": bool(args.rt),
        "lines": args.lines,
        "csv_mb": csv_path.stat().st_size / 1e6,
        "sqlite3_import_s": reference, "sqlite3_import_cpu_s": reference_cpu,
        "sqlite3_runs_s": [r["wall"] for r in references],
        "csv": ours_csv, "csv_ratio": ours_csv["wall"] / reference, "csv_cpu_ratio": ours_csv["cpu"] / reference_cpu,
    }
    print(f"CSV  {figures['csv_mb']:.1f} MB, {args.lines:,} lines ({ours_csv['orders']:,} orders)")
    print(f"  sqlite3 .import        {reference:7.2f} s wall  {reference_cpu:6.2f} s CPU  "
          f"(runs: {', '.join(f'{r:.2f}' for r in figures['sqlite3_runs_s'])})")
    print(f"  shopexit import        {ours_csv['wall']:7.2f} s wall  {ours_csv['cpu']:6.2f} s CPU  "
          f"= {figures['csv_ratio']:.1f}x wall, {figures['csv_cpu_ratio']:.1f}x CPU   (goal <= 4x)")
    print(f"  peak memory            {ours_csv['peak_mb']:7.0f} MB  (goal <= 300)")
    if ours_xlsx and xlsx_path:
        figures["xlsx"] = ours_xlsx
        figures["xlsx_mb"] = xlsx_path.stat().st_size / 1e6
        print(f"XLSX {figures['xlsx_mb']:.1f} MB")
        print(f"  shopexit import        {ours_xlsx['wall']:7.2f} s wall  {ours_xlsx['cpu']:6.2f} s CPU  "
              "(goal <= 15 s)")
        print(f"  peak memory            {ours_xlsx['peak_mb']:7.0f} MB  (goal <= 300)")
    print(f"load average after: {figures['machine']['load_average_after'][0]:.1f}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
