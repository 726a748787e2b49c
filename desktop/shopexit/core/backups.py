"""Backups of a vault and putting one back: the rolling copies, a copy on request, and `restore`.

A backup is the encrypted file itself (after folding its WAL in), so the passphrase the vault had when the copy
was made opens it, with any SQLCipher 4 tool. Every copy is written under a temporary name, flushed and renamed
into place, and a restore swaps the vault in one atomic rename after the backup proved whole, so a crash at any
instant leaves either the old file or the new one, never half of either.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlcipher3 import dbapi2 as sqlcipher

from shopexit.core import audit
from shopexit.core.cipher import derive_key
from shopexit.core.connection import APPLICATION_ID, acquire_lock, configure, connect, read_salt
from shopexit.core.durable import copy_durably, fsync_dir, fsync_file, link_or_copy
from shopexit.core.errors import (
    NotAVault,
    StorageError,
    VaultDamaged,
    VaultError,
    VaultMissing,
    VaultTooNew,
    WrongPassphrase,
)
from shopexit.core.passphrase import effective_passphrase
from shopexit.core.schema import LATEST_VERSION
from shopexit.core.storage import raise_if_storage_problem
from shopexit.core.timeutil import utc_now
from shopexit.core.vaultpaths import (
    RESTORE_SUFFIX,
    SIDE_FILES,
    backups_dir,
    clear_leftovers,
    make_private_dir,
    remove_with_side_files,
)

if TYPE_CHECKING:
    from shopexit.core.vault import Vault

DEFAULT_KEEP_BACKUPS = 5
ROLLING_BACKUP_EVERY = timedelta(hours=24)


def _stamped_name(path: Path, folder: Path, reason: str) -> Path:
    """`vault-20260101T120000123456Z-reason.shopexit`: names sort by time, so the oldest come first."""
    stamp = utc_now().strftime("%Y%m%dT%H%M%S%fZ")
    return folder / f"{path.stem}-{stamp}-{reason}{path.suffix}"


def backup(vault: Vault, dest: Path | None = None, reason: str = "manual", keep: int | None = None) -> Path:
    """An encrypted copy the same passphrase opens: the file itself, after folding the WAL into it.

    Written to a temporary name, flushed and renamed, so a crash never leaves a half backup that looks
    whole. Rolling backups beyond `keep` (oldest first) are removed.
    """
    try:
        vault.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        if dest is None:
            folder = backups_dir(vault.path)
            make_private_dir(folder)
            dest = _stamped_name(vault.path, folder, reason)
        dest = Path(dest).expanduser().absolute()
        if dest == vault.path:
            raise StorageError("A backup cannot overwrite the vault itself; choose another file.")
        copy_durably(vault.path, dest)
    except sqlcipher.Error as exc:
        raise_if_storage_problem(exc, vault.path, "The backup")
        raise
    except OSError as exc:
        raise_if_storage_problem(exc, dest or vault.path, "The backup")
        raise
    if keep is not None and dest.parent == backups_dir(vault.path):
        prune_backups(vault.path, keep)
    return dest


def backup_if_due(vault: Vault, keep: int = DEFAULT_KEEP_BACKUPS,
                  every: timedelta = ROLLING_BACKUP_EVERY) -> Path | None:
    """The rolling backup: a copy when the newest backup is older than `every` (a day), keeping `keep`.

    Only a vault whose every page authenticates is copied, so a damaged vault never pushes good backups out
    of the rotation.
    """
    newest = max((p.stat().st_mtime for p in list_backups(vault.path)), default=None)
    if newest is not None and utc_now().timestamp() - newest < every.total_seconds():
        return None
    if vault.conn.execute("PRAGMA cipher_integrity_check").fetchone() is not None:
        return None
    return backup(vault, reason="rolling", keep=keep)


def list_backups(path: Path) -> list[Path]:
    """The backups of the vault at `path`, oldest first (their names start with a UTC time stamp)."""
    folder = backups_dir(Path(path))
    if not folder.is_dir():
        return []
    side = (".partial", *SIDE_FILES)
    return sorted((p for p in folder.iterdir() if p.is_file() and not p.name.endswith(side)), key=lambda p: p.name)


def prune_backups(path: Path, keep: int = DEFAULT_KEEP_BACKUPS) -> list[Path]:
    removed = []
    backups = list_backups(path)
    for old in backups[: max(0, len(backups) - max(1, keep))]:
        remove_with_side_files(old)
        removed.append(old)
    return removed


@dataclass(frozen=True)
class Restored:
    vault: Path
    backup: Path
    set_aside: Path | None  # where the vault as it was now lives (None when there was none)


def restore(path: Path, backup: Path, passphrase: str, *, key_file: Path | None = None) -> Restored:
    """Put a backup in the vault's place, keeping the current vault aside in the backups folder.

    The backup is copied beside the vault first and must open with the passphrase (and key file) and pass the
    page-authentication and integrity checks before anything is swapped; the swap is one atomic rename. The
    vault must not be open anywhere (its lock is held throughout).
    """
    path = Path(path).expanduser().absolute()
    backup = Path(backup).expanduser().absolute()
    if not backup.is_file():
        raise VaultMissing(f"No backup at {backup}.")
    if path.exists() and os.path.samefile(path, backup):
        raise NotAVault(f"{backup.name} is the vault itself; name a backup to restore.")
    salt = read_salt(backup)
    secret = effective_passphrase(passphrase, key_file)
    key = derive_key(secret, salt)
    make_private_dir(path.parent)
    file_lock = acquire_lock(path, f"{path.name} is open in another shopexit window or process; close it there "
                                   "first, then restore.")
    partial = path.with_name(path.name + RESTORE_SUFFIX)
    try:
        clear_leftovers(path)
        copy_durably(backup, partial)
        _check_restorable(partial, backup, key, salt)
        set_aside = _set_aside(path, secret) if path.exists() else None
        os.replace(partial, path)  # the commit point
        fsync_dir(path.parent)
    except BaseException as exc:
        remove_with_side_files(partial)
        raise_if_storage_problem(exc, path, "Restoring")
        raise
    finally:
        file_lock.release()
    return Restored(path, backup, set_aside)


def _check_restorable(candidate: Path, backup: Path, key: bytes, salt: bytes) -> None:
    try:
        conn = connect(candidate, key, salt)
    except WrongPassphrase as exc:
        raise WrongPassphrase(f"The passphrase (or key file) does not open {backup.name}; a backup opens with the "
                              "passphrase the vault had when the backup was made.") from exc
    except VaultDamaged as exc:
        raise VaultDamaged(f"The backup {backup.name} is damaged too; try an older one.") from exc
    try:
        if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
            raise NotAVault(f"{backup.name} is not a shopexit vault.")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > LATEST_VERSION:
            raise VaultTooNew(f"{backup.name} was made by a newer shopexit (format {version}); update shopexit.")
        if conn.execute("PRAGMA cipher_integrity_check").fetchone() is not None:
            raise VaultDamaged(f"The backup {backup.name} is damaged too; try an older one.")
        if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise VaultDamaged(f"The backup {backup.name} is damaged too; try an older one.")
        configure(conn)
        conn.execute("BEGIN IMMEDIATE")
        audit.append(conn, "restore", "vault", "", backup=backup.name)
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    fsync_file(candidate)


def _set_aside(path: Path, secret: str) -> Path:
    """Keep the current vault (with its WAL or rollback journal, if it could not be folded in) under a new name
    in the backups folder, and leave nothing behind that SQLite could replay onto the restored file: a WAL's
    frames, or the pages of a hot journal (a bulk write cut short, see `bulkwrite`)."""
    folder = backups_dir(path)
    make_private_dir(folder)
    aside = _stamped_name(path, folder, "before-restore")
    pending = [path.with_name(path.name + side) for side in ("-wal", "-journal")]
    if any(_holds_data(p) for p in pending):
        _fold_side_files(path, secret)
    link_or_copy(path, aside)
    for side_file in pending:  # could not be folded (another passphrase, damage): keep it paired
        if _holds_data(side_file):
            link_or_copy(side_file, aside.with_name(aside.name + side_file.name[len(path.name):]))
    for side in SIDE_FILES:
        with contextlib.suppress(FileNotFoundError):
            path.with_name(path.name + side).unlink()
    fsync_dir(folder)
    return aside


def _holds_data(side_file: Path) -> bool:
    return side_file.exists() and side_file.stat().st_size > 0


def _fold_side_files(path: Path, secret: str) -> None:
    """Finish what a crashed session left when the restore's passphrase happens to open the vault: its WAL is
    checkpointed in, and a hot journal is rolled back (SQLite does that on the first read)."""
    with contextlib.suppress(VaultError, sqlcipher.Error, OSError):
        salt = read_salt(path)
        conn = connect(path, derive_key(secret, salt), salt)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
