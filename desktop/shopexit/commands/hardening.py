"""Commands that keep the vault safe: `rekey`, `doctor`, `backup`, `restore`, `keyfile`.

They share one rule with the rest of the command line: one clear line on failure, and nothing half done.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shopexit.core.errors import ShopexitError

if TYPE_CHECKING:
    from shopexit.core.vault import Vault


def keep_backups() -> int:
    """How many rolling backups to keep: the user's setting, else the default."""
    from shopexit.core.vault import DEFAULT_KEEP_BACKUPS

    try:
        from shopexit.core import settings
    except ImportError:  # pragma: no cover - settings arrive with the GUI
        return DEFAULT_KEEP_BACKUPS
    return int(settings.load().keep_backups)


def rolling_backup(vault: Vault) -> Path | None:
    """The daily copy, taken when a vault is opened. A failure here (a full disk) is reported but never stops
    the job the user asked for."""
    try:
        return vault.backup_if_due(keep_backups())
    except ShopexitError as exc:
        print(f"shopexit: warning: the daily backup was not written: {exc}", file=sys.stderr)
        return None


def _open(args: argparse.Namespace) -> Vault:
    """Open without the rolling backup (rekey and backup write their own; doctor only reads)."""
    from shopexit.cli import key_file, read_passphrase, vault_path
    from shopexit.core.vault import Vault

    return Vault.open(vault_path(args), read_passphrase(args), key_file=key_file(args))


# -- rekey --------------------------------------------------------------------------------------------------------
def cmd_rekey(args: argparse.Namespace) -> int:
    from shopexit.cli import UsageError, read_new_passphrase
    from shopexit.core.passphrase import require_strong
    from shopexit.core.vault import SAME_KEY_FILE

    if args.new_key_file and args.no_key_file:
        raise UsageError("give either --new-key-file or --no-key-file, not both.")
    new_key: Any = SAME_KEY_FILE
    if args.new_key_file:
        new_key = Path(args.new_key_file).expanduser()
    elif args.no_key_file:
        new_key = None
    with _open(args) as vault:
        new = read_new_passphrase(args)
        if not args.allow_weak:
            require_strong(new)
        backup = vault.rekey(new, key_file=new_key)
        uses_key_file = vault.key_file is not None
    print(f"Passphrase changed{' (with a key file)' if uses_key_file else ''}. The previous version is kept, "
          f"under the old passphrase, at {backup}")
    return 0


# -- doctor -------------------------------------------------------------------------------------------------------
def cmd_doctor(args: argparse.Namespace) -> int:
    from shopexit.core.doctor import examine
    from shopexit.core.vault import restore_hint

    with _open(args) as vault:
        report = examine(vault.conn)
        path = vault.path
    for line in report.checks:
        print(line)
    if report.audit_head:
        print(f"audit head: {report.audit_head}")
    for problem in report.problems:
        print(f"PROBLEM: {problem}")
    if report.ok:
        print("vault is healthy")
        return 0
    print(f"shopexit: the vault has problems; {restore_hint(path)}.", file=sys.stderr)
    return 1


# -- backup and restore --------------------------------------------------------------------------------------------
def cmd_backup(args: argparse.Namespace) -> int:
    from shopexit.cli import vault_path
    from shopexit.core.vault import list_backups

    if args.list:
        backups = list_backups(vault_path(args).expanduser().absolute())
        if not backups:
            print("no backups yet")
        for item in backups:
            info = item.stat()
            when = datetime.fromtimestamp(info.st_mtime, UTC).strftime("%Y-%m-%d %H:%M UTC")
            print(f"{item.name}\t{when}\t{info.st_size / 1_048_576:.1f} MB")
        return 0
    keep = args.keep if args.keep is not None else keep_backups()
    with _open(args) as vault:
        dest = vault.backup(Path(args.out) if args.out else None, keep=None if args.out else keep)
    print(f"Backup written: {dest}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from shopexit.cli import key_file, read_passphrase, vault_path
    from shopexit.core.vault import backups_dir, restore

    path = vault_path(args).expanduser().absolute()
    backup = Path(args.backup).expanduser()
    if not backup.exists() and (backups_dir(path) / args.backup).exists():
        backup = backups_dir(path) / args.backup
    done = restore(path, backup, read_passphrase(args, prompt="Passphrase of the backup: "),
                   key_file=key_file(args))
    print(f"Restored {done.vault} from {done.backup.name}.")
    if done.set_aside is not None:
        print(f"The vault as it was is kept at {done.set_aside}")
    return 0


# -- key files -------------------------------------------------------------------------------------------------------
def cmd_keyfile(args: argparse.Namespace) -> int:
    from shopexit.core.passphrase import write_new_key_file

    path = write_new_key_file(Path(args.file))
    print(f"Key file written: {path}. Keep a copy apart from the vault: without it the vault cannot be opened.")
    print(f"Use it with --key-file {path} (or SHOPEXIT_KEY_FILE) on init or rekey --new-key-file.")
    return 0


def register(add: Callable[[str, Callable[[argparse.Namespace], int], str], argparse.ArgumentParser]) -> None:
    p = add("rekey", cmd_rekey, "change the passphrase or key file (a backup is made first)")
    p.add_argument("--new-passphrase-file", metavar="F", help="read the new passphrase from this file")
    p.add_argument("--new-key-file", metavar="F", help="use this key file from now on")
    p.add_argument("--no-key-file", action="store_true", help="stop using a key file")
    p.add_argument("--allow-weak", action="store_true", help=argparse.SUPPRESS)

    add("doctor", cmd_doctor, "check every page's authentication, the database and the audit chain")

    p = add("backup", cmd_backup, "write an encrypted backup copy (the same passphrase opens it)")
    p.add_argument("--out", metavar="FILE", help="where to write it (default: the vault's backups folder)")
    p.add_argument("--keep", type=int, metavar="N",
                   help="rolling backups to keep in the backups folder (default: the setting, else 5)")
    p.add_argument("--list", action="store_true", help="list the backups in the vault's backups folder")

    p = add("restore", cmd_restore,
            "put a backup in the vault's place (checked first; the current vault is kept aside)")
    p.add_argument("backup", metavar="BACKUP", help="a backup file, or its name in the backups folder")

    p = add("keyfile", cmd_keyfile, "write a new random key file to use as a second factor")
    p.add_argument("file", metavar="FILE")
