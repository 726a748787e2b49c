#!/usr/bin/env python3
"""The full crash run: SIGKILL a real `shopexit` process 20+ times per operation, reopen, prove the vault.

    .venv/bin/python bench/crash_kill.py                 # 20 kills per operation, 64 MB attach, 32 MB vault
    .venv/bin/python bench/crash_kill.py --kills 50 --only rekey attach
    .venv/bin/python bench/crash_kill.py --seed 1234     # repeat a run exactly (the seed is printed)

Operations: attach (a big file), rekey (a vault with some MB of data; afterwards exactly one of the old and new
passphrases must open it), backup, restore, and import (once `shopexit import` exists). After every kill the
vault must open, pass `doctor`, and hold all of the operation or none of it. Exit status 1 on the first failure,
with the reason. Figures are printed as a table and written to bench/results/crash_kill.json; SECURITY.md
quotes them.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.hardening import crashkit as ck  # noqa: E402
from tests.hardening.importing import write_orders_csv  # noqa: E402

OPERATIONS = ("attach", "rekey", "backup", "restore", "import")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=20, help="kills per operation (default 20)")
    parser.add_argument("--only", nargs="+", choices=OPERATIONS, default=list(OPERATIONS))
    parser.add_argument("--attach-mb", type=int, default=64, help="size of the attached file (default 64 MB)")
    parser.add_argument("--vault-mb", type=int, default=32, help="evidence in the template vault (default 32 MB)")
    parser.add_argument("--orders", type=int, default=20000, help="orders in the imported CSV (default 20,000)")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "crash_kill.json")
    args = parser.parse_args(argv)

    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 30)
    rng = random.Random(seed)
    print(f"seed {seed}")
    reports: list[ck.KillReport] = []
    with tempfile.TemporaryDirectory(prefix="shopexit-crash-") as tmp:
        scratch = Path(tmp)
        template = ck.make_template(scratch / "template", megabytes=args.vault_mb)
        for operation in args.only:
            case: ck.CrashCase
            if operation == "attach":
                case = ck.AttachCase(template, scratch, ck.random_file(scratch / "payload.bin", args.attach_mb))
            elif operation == "rekey":
                case = ck.RekeyCase(template, scratch)
            elif operation == "backup":
                case = ck.BackupCase(template, scratch)
            elif operation == "restore":
                case = ck.RestoreCase(template, scratch)
            else:
                case = ck.ImportCase(template, scratch, write_orders_csv(scratch / "orders.csv", args.orders))
            started = time.perf_counter()
            try:
                report = ck.run_kills(case, args.kills, rng)
            except AssertionError as exc:
                print(f"{operation}: FAILED after a kill: {exc}")
                print(f"repeat with --seed {seed} --only {operation}")
                return 1
            reports.append(report)
            row = report.as_dict()
            print(f"{operation:8} {row['kills']:3} kills survived ({row['killed_running']} while running, "
                  f"{row['killed_while_writing']} while writing, {row['killed_near_commit']} at the commit point); "
                  f"outcomes {row['outcomes']}; one run {row['reference_seconds']} s; "
                  f"{time.perf_counter() - started:.0f} s in all")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"seed": seed, "attach_mb": args.attach_mb, "vault_mb": args.vault_mb,
                                    "operations": [r.as_dict() for r in reports]}, indent=2) + "\n")
    print(f"figures written to {args.out.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
