"""The vault: one SQLCipher 4 file with standard settings, so any SQLCipher 4 tool opens it with the
passphrase alone. This module owns the one connection and everything that touches the file as a whole:
create, open, lock, rekey, backup, migrate.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

from sqlcipher3 import dbapi2 as sqlcipher

from shopexit.core import audit
from shopexit.core.errors import (
    NotAVault,
    VaultClosed,
    VaultExists,
    VaultInUse,
    VaultMissing,
    VaultTooNew,
    WrongPassphrase,
)
from shopexit.core.filelock import FileLock
from shopexit.core.schema import LATEST_VERSION, MIGRATIONS
from shopexit.core.timeutil import now_iso, utc_now

Conn: TypeAlias = Any
"""A sqlcipher3 connection (the package ships no type information)."""

APPLICATION_ID = 0x53485058  # "SHPX": tells a shopexit vault from any other SQLCipher database
PLAIN_SQLITE_MAGIC = b"SQLite format 3\x00"
DEFAULT_KEEP_BACKUPS = 5


@dataclass(frozen=True)
class ShopProfile:
    creator: str
    shop_name: str
    region: str = "US"
    currency: str = "USD"


def _quote(passphrase: str) -> str:
    return "'" + passphrase.replace("'", "''") + "'"


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def backups_dir(path: Path) -> Path:
    return path.with_name(path.name + ".backups")


def _make_private_dir(folder: Path) -> None:
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700)


def _connect(path: Path, passphrase: str) -> Conn:
    """Open and key a connection, pinning SQLCipher 4's standard settings, then prove the key by reading."""
    conn = sqlcipher.connect(str(path), isolation_level=None, check_same_thread=False)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = {_quote(passphrase)}")
        conn.execute("PRAGMA cipher_compatibility = 4")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher.DatabaseError as exc:
        conn.close()
        raise WrongPassphrase(
            f"Wrong passphrase for {path.name} (or its first page is damaged; see the backups in "
            f"{backups_dir(path).name}/)."
        ) from exc
    return conn


def _configure(conn: Conn) -> None:
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA secure_delete = ON")
    conn.execute("PRAGMA temp_store = MEMORY")


class Vault:
    """An unlocked vault. Use from one thread at a time; `lock()` drops the connection and the file lock."""

    def __init__(self, path: Path, conn: Conn, file_lock: FileLock) -> None:
        self.path = path
        self._conn: Conn | None = conn
        self._lock = file_lock

    # -- life cycle ------------------------------------------------------------------------------------------
    @classmethod
    def create(cls, path: Path, passphrase: str, profile: ShopProfile) -> Vault:
        path = Path(path).expanduser().absolute()
        if path.exists():
            raise VaultExists(f"{path} already exists; choose another file or open it instead.")
        _make_private_dir(path.parent)
        file_lock = FileLock(lock_path(path))
        if not file_lock.acquire():
            raise VaultInUse(f"{path.name} is being created by another shopexit process.")
        try:
            os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
            conn = _connect(path, passphrase)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            _configure(conn)
            vault = cls(path, conn, file_lock)
            vault._migrate()
            with vault.transaction() as tx:
                tx.execute(
                    "INSERT INTO shop(id, creator, shop_name, region, currency, created_at) VALUES (1,?,?,?,?,?)",
                    (profile.creator, profile.shop_name, profile.region.upper(), profile.currency.upper(),
                     now_iso()),
                )
                tx.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('created_by', ?)", (_app_version(),))
                audit.append(tx, "create", "vault", "", region=profile.region, currency=profile.currency)
            return vault
        except BaseException:
            file_lock.release()
            for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()
            raise

    @classmethod
    def open(cls, path: Path, passphrase: str) -> Vault:
        path = Path(path).expanduser().absolute()
        if not path.exists():
            raise VaultMissing(f"No vault at {path}. Create one with `shopexit init`.")
        if not path.is_file():
            raise NotAVault(f"{path} is not a file.")
        with path.open("rb") as handle:
            head = handle.read(16)
        if len(head) < 16:
            raise NotAVault(f"{path.name} is empty or too short to be a shopexit vault.")
        if head == PLAIN_SQLITE_MAGIC:
            raise NotAVault(f"{path.name} is a plain SQLite database, not an encrypted shopexit vault.")
        file_lock = FileLock(lock_path(path))
        if not file_lock.acquire():
            raise VaultInUse(f"{path.name} is open in another shopexit window or process; close it there first.")
        try:
            conn = _connect(path, passphrase)
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if app_id != APPLICATION_ID:
                conn.close()
                raise NotAVault(f"{path.name} is a SQLCipher database but not a shopexit vault.")
            if version > LATEST_VERSION:
                conn.close()
                raise VaultTooNew(
                    f"{path.name} was made by a newer shopexit (format {version}; this one reads up to "
                    f"{LATEST_VERSION}). Update shopexit to open it."
                )
            _configure(conn)
            vault = cls(path, conn, file_lock)
            if version < LATEST_VERSION:
                vault.backup(reason=f"before-migration-{LATEST_VERSION}")
                vault._migrate()
            return vault
        except BaseException:
            file_lock.release()
            raise

    def lock(self) -> None:
        """Close the connection and drop the key; the object is useless afterwards."""
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
        """All or nothing: a write transaction, or a savepoint inside one already running."""
        conn = self.conn
        if conn.in_transaction:
            name = f"sp{id(conn)}_{utc_now().timestamp():.0f}".replace(".", "")
            conn.execute(f"SAVEPOINT {name}")
            try:
                yield conn
            except BaseException:
                conn.execute(f"ROLLBACK TO {name}")
                conn.execute(f"RELEASE {name}")
                raise
            conn.execute(f"RELEASE {name}")
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

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
        """An encrypted copy the same passphrase opens: the file itself, after folding the WAL into it.

        Written to a temporary name, flushed and renamed, so a crash never leaves a half backup that looks
        whole. Rolling backups beyond `keep` (oldest first) are removed.
        """
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        if dest is None:
            folder = backups_dir(self.path)
            _make_private_dir(folder)
            stamp = utc_now().strftime("%Y%m%dT%H%M%S%fZ")
            dest = folder / f"{self.path.stem}-{stamp}-{reason}{self.path.suffix}"
        dest = Path(dest)
        partial = dest.with_name(dest.name + ".partial")
        # No other process can write meanwhile: this one holds the vault's file lock.
        try:
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as out, self.path.open("rb") as src:
                shutil.copyfileobj(src, out, 1 << 20)
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, dest)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()
            raise
        _fsync_dir(dest.parent)
        if keep is not None and dest.parent == backups_dir(self.path):
            prune_backups(self.path, keep)
        return dest

    def rekey(self, new_passphrase: str) -> Path:
        """Change the passphrase after an encrypted backup; returns the backup's path."""
        backup = self.backup(reason="before-rekey")
        self.conn.execute(f"PRAGMA rekey = {_quote(new_passphrase)}")
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        with self.transaction() as tx:
            audit.append(tx, "rekey", "vault", "")
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


def list_backups(path: Path) -> list[Path]:
    folder = backups_dir(path)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.endswith(".partial"))


def prune_backups(path: Path, keep: int = DEFAULT_KEEP_BACKUPS) -> list[Path]:
    removed = []
    backups = list_backups(path)
    for old in backups[: max(0, len(backups) - keep)]:
        old.unlink()
        removed.append(old)
    return removed


def _fsync_dir(folder: Path) -> None:
    if os.name == "nt":  # pragma: no cover
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _app_version() -> str:
    from shopexit import __version__

    return __version__
