"""`purge`: remove buyers' personal data once every case is closed (step 10), from a script.

Without `--yes` it only says what would go, so a mistyped command never deletes anything.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def cmd_purge(args: argparse.Namespace) -> int:
    from shopexit.cli import open_vault
    from shopexit.core.records import exit_steps
    from shopexit.core.vault import list_backups

    with open_vault(args) as vault:
        preview = exit_steps.purge_preview(vault.conn)
        preview.refuse_if_not_allowed()
        if not preview.needed:
            print("No buyer personal data is kept in this vault.")
            return 0
        older = list_backups(vault.path)
        what = [f"buyer names, usernames, phones and addresses in {_plural(preview.orders_with_buyer_data, 'order')}"]
        if preview.buyer_threads:
            what.append(f"{_plural(preview.buyer_threads, 'conversation')} with buyers "
                        f"({_plural(preview.buyer_messages, 'message')})")
        if preview.source_files:
            what.append(f"{_plural(preview.source_files, 'imported file')} (a note of each one's SHA-256 stays)")
        if not args.yes:
            print("Would remove: " + "; ".join(what) + ".")
            if older:
                print(f"{_plural(len(older), 'backup')} made before would still hold them"
                      + ("; --replace-backups deletes them after writing a fresh one." if not args.replace_backups
                         else " and would be replaced by a fresh one."))
            print("Nothing was changed. Run again with --yes to remove it; this cannot be undone.")
            return 0
        with vault.transaction() as tx:
            result = exit_steps.purge_buyer_data(tx, today=date.today())
        print(f"Removed buyer data from {_plural(result.orders, 'order')}"
              + (f", deleted {_plural(result.threads, 'conversation')} with buyers" if result.threads else "")
              + (f", replaced {_plural(result.source_files, 'imported file')}" if result.source_files else "")
              + ".")
        if older and args.replace_backups:
            fresh = vault.backup(reason="purged", keep=1)
            print(f"Wrote a fresh backup ({fresh.name}) and deleted {_plural(len(older), 'older backup')}.")
        elif older:
            print(f"{_plural(len(older), 'backup')} made before still hold the removed data; "
                  "`shopexit backup --keep 1` replaces them with one fresh backup.")
    return 0


def register(add: Callable[[str, Callable[[argparse.Namespace], int], str], argparse.ArgumentParser]) -> None:
    p = add("purge", cmd_purge, "remove buyers' personal data once every case is closed (step 10)")
    p.add_argument("--yes", action="store_true", help="really remove it (without this, only say what would go)")
    p.add_argument("--replace-backups", action="store_true",
                   help="afterwards write a fresh backup and delete the older ones, which still hold the data")
