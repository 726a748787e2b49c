"""`shopexit import FILE... [--kind KIND] [--dry-run] [--skip-bad-rows] [--json]`.

Each file is imported on its own, all or nothing: a refused file is reported (file, row, column, what was wrong)
and the next file is still tried; files imported before it stay imported. Exit status 1 when any file was
refused.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shopexit import cli

if TYPE_CHECKING:
    from shopexit.core.importers import ImportSummary

# The importers (and SQLCipher with them) load only when the command runs: registering it stays cheap.
KINDS = cli.LazyChoices("shopexit.core.importers", "KINDS")


def cmd_import(args: argparse.Namespace) -> int:
    from shopexit.core.importers import ImportRefused, import_file

    summaries: list[ImportSummary] = []
    refusals: list[ImportRefused] = []
    with cli.open_vault(args) as vault:
        for name in args.files:
            try:
                summary = import_file(vault, Path(name), kind=args.kind, dry_run=args.dry_run,
                                      skip_bad_rows=args.skip_bad_rows)
            except ImportRefused as exc:
                refusals.append(exc)
                if not args.json:
                    print(f"shopexit: {exc}", file=sys.stderr)
                continue
            summaries.append(summary)
            if not args.json:
                print(describe(summary))
    if args.json:
        cli.print_json({
            "imported": [s.as_json() for s in summaries],
            "refused": [{"file": e.file, "row": e.row, "column": e.column, "message": e.message, "error": str(e)}
                        for e in refusals],
        })
    elif refusals and len(args.files) > 1:
        print(f"{len(refusals)} of {len(args.files)} files refused; the others were imported.", file=sys.stderr)
    return 1 if refusals else 0


def describe(summary: ImportSummary) -> str:
    """The summary a person reads: kind, rows read, records new/updated/unchanged, every row refused."""
    lines = [
        f"{summary.file.name}: {summary.label}",
        f"  rows read {summary.rows_read}; records new {summary.new}, updated {summary.updated}, "
        f"unchanged {summary.unchanged}; rows refused {len(summary.refused)}",
    ]
    for problem in summary.refused:
        lines.append(f"  skipped {problem}")
    if summary.dry_run:
        lines.append("  dry run: nothing was written")
    return "\n".join(lines)


def register(add: Callable[..., Any]) -> None:
    p = add("import", cmd_import, "import TikTok Shop exports (orders, income, on-hold, commissions, "
                                  "withdrawals, Download your data)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--kind", choices=KINDS, metavar="KIND",
                   help="the kind of export, when detection should not decide: %(choices)s")
    p.add_argument("--dry-run", action="store_true", help="read and check everything, then write nothing")
    p.add_argument("--skip-bad-rows", action="store_true",
                   help="import the good rows and list the bad ones instead of refusing the file")
    p.add_argument("--json", action="store_true", help="print one JSON object")
