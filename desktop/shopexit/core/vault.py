"""The vault: one SQLCipher 4 file with standard settings, so any SQLCipher 4 tool opens it with the
passphrase alone. `Vault` owns the one connection and the jobs that change the file as a whole: create, open,
lock, migrate, rekey (and, through `backups`, backup).

The work is shared out so that each module has one job:
    cipher       SQLCipher 4's key derivation (shopexit derives the key itself and hands SQLCipher the raw key)
    pagecheck    why a file will not open: a wrong passphrase, or damaged pages (named)
    connection   a keyed connection to a vault file, its file lock, the settings every connection runs with
    vaultpaths   the files beside a vault (lock, backups folder, half-written files) and clearing leftovers
    storage      the disk refusing a write, as one clear line
    durable      flushing, copying and renaming so a crash leaves the old file or the new one
    backups      backup, the rolling backup, restore
The names those modules offer are importable from here too, as they always were.

Crash safety. Every change is a SQLite transaction in WAL mode with `synchronous = FULL`. Whole-file changes
(rekey, restore, backups) write a complete new file under a temporary name, flush it, and move it into place
with one atomic rename, so a crash at any instant leaves either the old file or the new one.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlcipher3 import dbapi2 as sqlcipher

from shopexit.core import audit, backups
from shopexit.core.backups import (
    DEFAULT_KEEP_BACKUPS,
    ROLLING_BACKUP_EVERY,
    Restored,
    list_backups,
    prune_backups,
    restore,
)
from shopexit.core.cipher import KDF_ITERATIONS, PAGE_SIZE, SALT_BYTES, derive_key, raw_key
from shopexit.core.connection import (
    APPLICATION_ID,
    PAGE_CACHE_KIB,
    PLAIN_SQLITE_MAGIC,
    Conn,
    acquire_lock,
    configure,
    connect,
    read_salt,
)
from shopexit.core.durable import fsync_dir, fsync_file
from shopexit.core.errors import NotAVault, StorageError, VaultClosed, VaultExists, VaultTooNew
from shopexit.core.filelock import FileLock
from shopexit.core.pagecheck import damaged_pages
from shopexit.core.passphrase import effective_passphrase
from shopexit.core.schema import LATEST_VERSION, MIGRATIONS
from shopexit.core.storage import raise_if_storage_problem, storage_problem
from shopexit.core.timeutil import now_iso, utc_now
from shopexit.core.vaultpaths import (
    REKEY_SUFFIX,
    RESTORE_SUFFIX,
    backups_dir,
    clear_leftovers,
    is_private,
    lock_path,
    make_private_dir,
    remove_with_side_files,
    restore_hint,
)

# What this module defines, and the names of its parts that were always importable from here.
__all__ = [
    "APPLICATION_ID", "DEFAULT_KEEP_BACKUPS", "KDF_ITERATIONS", "PAGE_CACHE_KIB", "PAGE_SIZE", "PLAIN_SQLITE_MAGIC",
    "REKEY_SUFFIX", "RESTORE_SUFFIX", "ROLLING_BACKUP_EVERY", "SALT_BYTES", "SAME_KEY_FILE", "Conn", "Restored",
    "ShopProfile", "Vault", "backups_dir", "damaged_pages", "derive_key", "is_private", "list_backups", "lock_path",
    "prune_backups", "restore", "restore_hint", "storage_problem",
]


class _SameKeyFile:
    """Marker: keep the key file the vault was opened with."""


SAME_KEY_FILE = _SameKeyFile()


@dataclass(frozen=True)
class ShopProfile:
    creator: str
    shop_name: str
    region: str = "US"
    currency: str = "USD"


class Vault:
    """An unlocked vault. Use from one thread at a time; `lock()` drops the connection and the file lock."""

    def __init__(self, path: Path, conn: Conn, file_lock: FileLock, key_file: Path | None = None) -> None:
        self.path = path
        self._conn: Conn | None = conn
        self._lock = file_lock
        self._key_file = key_file
        self.session: dict[str, Any] = {}
        """What the app worked out from the records while the vault is open (the step facts' cache): decrypted,
        so `lock()` empties it."""

    # -- life cycle ------------------------------------------------------------------------------------------
    @classmethod
    def create(cls, path: Path, passphrase: str, profile: ShopProfile, *, key_file: Path | None = None) -> Vault:
        path = Path(path).expanduser().absolute()
        if path.exists():
            raise VaultExists(f"{path} already exists; choose another file or open it instead.")
        secret = effective_passphrase(passphrase, key_file)  # a bad key file stops us before any file exists
        try:
            make_private_dir(path.parent)
        except OSError as exc:
            raise_if_storage_problem(exc, path.parent, f"Creating {path.name}")
            raise
        file_lock = acquire_lock(path, f"{path.name} is being created by another shopexit process.")
        conn: Conn | None = None
        try:
            os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
            salt = os.urandom(SALT_BYTES)
            conn = connect(path, derive_key(secret, salt), salt)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            configure(conn)
            vault = cls(path, conn, file_lock, key_file)
            vault._migrate()
            with vault.transaction() as tx:
                tx.execute(
                    "INSERT INTO shop(id, creator, shop_name, region, currency, created_at) VALUES (1,?,?,?,?,?)",
                    (profile.creator, profile.shop_name, profile.region.upper(), profile.currency.upper(),
                     now_iso()),
                )
                tx.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('created_by', ?)", (_app_version(),))
                audit.append(tx, "create", "vault", "", region=profile.region, currency=profile.currency)
                from shopexit.core.archive.keys import ensure_signing_keys  # here: keeps opening a vault quick

                ensure_signing_keys(tx)  # the archive's root and signing certificates (see core/archive/keys.py)
            return vault
        except BaseException as exc:
            if conn is not None:
                with contextlib.suppress(sqlcipher.Error):
                    conn.close()
            file_lock.release()
            remove_with_side_files(path)
            raise_if_storage_problem(exc, path, f"Creating {path.name}")
            raise

    @classmethod
    def open(cls, path: Path, passphrase: str, *, key_file: Path | None = None) -> Vault:
        path = Path(path).expanduser().absolute()
        salt = read_salt(path)
        secret = effective_passphrase(passphrase, key_file)
        file_lock = acquire_lock(path, f"{path.name} is open in another shopexit window or process; close it there "
                                        "first.")
        try:
            clear_leftovers(path)
            conn = connect(path, derive_key(secret, salt), salt)
            try:
                app_id = conn.execute("PRAGMA application_id").fetchone()[0]
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                if app_id != APPLICATION_ID:
                    raise NotAVault(f"{path.name} is a SQLCipher database but not a shopexit vault.")
                if version > LATEST_VERSION:
                    raise VaultTooNew(
                        f"{path.name} was made by a newer shopexit (format {version}; this one reads up to "
                        f"{LATEST_VERSION}). Update shopexit to open it."
                    )
                configure(conn)
            except BaseException:
                conn.close()
                raise
            vault = cls(path, conn, file_lock, key_file)
            if version < LATEST_VERSION:
                try:
                    vault.backup(reason=f"before-migration-{LATEST_VERSION}")
                    vault._migrate()
                except BaseException:
                    conn.close()
                    raise
            return vault
        except BaseException as exc:
            file_lock.release()
            raise_if_storage_problem(exc, path, f"Opening {path.name}")
            raise

    def lock(self) -> None:
        """Close the connection and drop the key; the object is useless afterwards."""
        self.session.clear()
        if self._conn is not None:
            with contextlib.suppress(sqlcipher.Error):
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._conn.close()
            self._conn = None
        self._lock.release()

    close = lock

    @property
    def is_open(self) -> bool:
        return self._conn is not None

    @property
    def key_file(self) -> Path | None:
        """The key file this vault was opened with (its path only; the digest is never kept)."""
        return self._key_file

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *exc: object) -> None:
        self.lock()

    # -- access ------------------------------------------------------------------------------------------------
    @property
    def conn(self) -> Conn:
        if self._conn is None:
            raise VaultClosed("The vault is locked.")
        return self._conn

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Conn]:
        """All or nothing: a write transaction, or a savepoint inside one already running.

        When the disk refuses the write (full, read-only), the work is rolled back and a StorageError with one
        clear line replaces SQLite's terse message.
        """
        conn = self.conn
        if conn.in_transaction:
            name = f"sp{id(conn)}_{utc_now().timestamp():.0f}".replace(".", "")
            conn.execute(f"SAVEPOINT {name}")
            try:
                yield conn
                conn.execute(f"RELEASE {name}")
            except BaseException:
                with contextlib.suppress(sqlcipher.Error):
                    conn.execute(f"ROLLBACK TO {name}")
                    conn.execute(f"RELEASE {name}")
                raise
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlcipher.Error as exc:
            raise_if_storage_problem(exc, self.path, "Saving the change")
            raise
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                with contextlib.suppress(sqlcipher.Error):
                    conn.execute("ROLLBACK")
            raise_if_storage_problem(exc, self.path, "Saving the change")
            raise

    def profile(self) -> ShopProfile:
        row = self.conn.execute("SELECT creator, shop_name, region, currency FROM shop WHERE id = 1").fetchone()
        return ShopProfile(*row)

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    # -- whole-file operations -----------------------------------------------------------------------------------
    def _migrate(self) -> None:
        conn = self.conn
        current = conn.execute("PRAGMA user_version").fetchone()[0]
        for migration in MIGRATIONS:
            if migration.version <= current:
                continue
            conn.execute("BEGIN IMMEDIATE")
            try:
                _run_script(conn, migration.sql)
                conn.execute(f"PRAGMA user_version = {migration.version}")
                audit.append(conn, "migrate", "vault", migration.version, name=migration.name)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def backup(self, dest: Path | None = None, reason: str = "manual", keep: int | None = None) -> Path:
        """An encrypted copy the same passphrase opens (see `backups.backup`)."""
        return backups.backup(self, dest, reason, keep)

    def backup_if_due(self, keep: int = DEFAULT_KEEP_BACKUPS, every: timedelta = ROLLING_BACKUP_EVERY) -> Path | None:
        """The rolling backup, when the newest is older than `every` (see `backups.backup_if_due`)."""
        return backups.backup_if_due(self, keep, every)

    def rekey(self, new_passphrase: str, *, key_file: Path | _SameKeyFile | None = SAME_KEY_FILE) -> Path:
        """Change the passphrase (and, if asked, the key file) after an encrypted backup; returns the backup.

        The vault is re-encrypted into a new file (`sqlcipher_export`), the change is written to its audit log,
        the file is flushed and then renamed over the vault in one atomic step. Killed at any instant, the vault
        is whole under exactly one of the old and the new passphrase. (`PRAGMA rekey` would rewrite the live
        file in place and log the change in a second transaction.)
        """
        new_key_file = self._key_file if isinstance(key_file, _SameKeyFile) else key_file
        secret = effective_passphrase(new_passphrase, new_key_file)
        backup = self.backup(reason="before-rekey")
        conn = self.conn
        partial = self.path.with_name(self.path.name + REKEY_SUFFIX)
        salt = os.urandom(SALT_BYTES)
        key = derive_key(secret, salt)
        try:
            remove_with_side_files(partial)
            os.close(os.open(partial, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
            conn.execute("ATTACH DATABASE ? AS rekeyed KEY ?", (str(partial), raw_key(key, salt)))
            try:
                conn.execute("SELECT sqlcipher_export('rekeyed')")
                conn.execute(f"PRAGMA rekeyed.application_id = {APPLICATION_ID}")
                conn.execute(f"PRAGMA rekeyed.user_version = {self.schema_version}")
            finally:
                conn.execute("DETACH DATABASE rekeyed")
            fresh = connect(partial, key, salt)
            try:
                configure(fresh)
                fresh.execute("BEGIN IMMEDIATE")
                audit.append(fresh, "rekey", "vault", "", key_file=new_key_file is not None)
                fresh.execute("COMMIT")
                fresh.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                fresh.close()
            fsync_file(partial)
            # The old connection's WAL must be empty before the new file takes the name: SQLite finds a
            # database's WAL by name, and old frames replayed onto the new file would destroy it.
            busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            wal = self.path.with_name(self.path.name + "-wal")
            if busy or (wal.exists() and wal.stat().st_size):
                raise StorageError("The passphrase was not changed: the vault is busy; try again.")
            os.replace(partial, self.path)  # the commit point; until here the old connection is untouched
        except BaseException as exc:
            remove_with_side_files(partial)
            raise_if_storage_problem(exc, self.path, "Changing the passphrase")
            raise
        with contextlib.suppress(OSError):  # the rename happened; a refused directory flush changes nothing
            fsync_dir(self.path.parent)
        conn.close()
        self._conn = None
        self._conn = connect(self.path, key, salt)
        configure(self._conn)
        self._key_file = new_key_file
        return backup


def _run_script(conn: Conn, script: str) -> None:
    """Run a migration's statements inside the caller's transaction (executescript would commit first)."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlcipher.complete_statement(statement):
            if statement.strip():
                conn.execute(statement)
            statement = ""
    if statement.strip():
        conn.execute(statement)


def _app_version() -> str:
    from shopexit import __version__

    return __version__
