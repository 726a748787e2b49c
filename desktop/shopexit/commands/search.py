"""`shopexit search TEXT [--json]`: the app's Ctrl+F from the command line."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from shopexit import cli

# core.search opens the vault module (SQLCipher): read its kinds only when they are needed.
KINDS = cli.LazyChoices("shopexit.core.search", "KIND_ORDER")


def cmd_search(args: argparse.Namespace) -> int:
    from shopexit.core.search import KIND_LABELS, KIND_ORDER, build_match, search

    text = " ".join(args.text)
    if args.limit < 1:
        raise cli.UsageError("--limit must be 1 or more.")
    if build_match(text) is None:
        raise cli.UsageError(f"nothing to search for in {text!r}: give a word, a name or part of an order id.")
    kinds = tuple(args.kind) if args.kind else KIND_ORDER
    with cli.open_vault(args) as vault:
        results = search(vault.conn, text, per_kind=args.limit, kinds=kinds)
    if args.json:
        cli.print_json(results.as_json())
        return 0
    if not results.total:
        print(f"Nothing matches {text!r}.")
        return 0
    for kind in KIND_ORDER:
        hits = results.groups.get(kind)
        if not hits:
            continue
        more = f" of {results.count_text(kind)} (more: raise --limit)" if results.more.get(kind) else ""
        print(f"{KIND_LABELS[kind]} — {len(hits)}{more}")
        for hit in hits:
            print(f"  {hit.kind}:{hit.id}  {hit.title}")
            if hit.snippet:
                print(f"      {hit.plain_snippet()}")
    return 0


def register(add: Callable[..., Any]) -> None:
    p = add("search", cmd_search, "find orders, messages, notes, cases and evidence by any word in them")
    p.add_argument("text", nargs="+", metavar="TEXT", help="words to find (each may be the start of a word)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--limit", type=int, default=20, metavar="N", help="at most N results of each kind (default 20)")
    p.add_argument("--kind", action="append", choices=KINDS, metavar="KIND",
                   help="only this kind (repeatable): %(choices)s")
