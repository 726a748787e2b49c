"""The vault: one SQLCipher 4 file with standard settings, so any SQLCipher 4 tool opens it with the
passphrase alone. This module owns the one connection and everything that touches the file as a whole:
create, open, lock, rekey, backup, restore, migrate.

Keying. shopexit runs the standard SQLCipher 4 key derivation itself (PBKDF2-HMAC-SHA512, 256,000 iterations,
over the passphrase and the 16-byte salt at the start of the file) and hands SQLCipher the raw key with that
salt. The file is byte-for-byte what `PRAGMA key = 'passphrase'` would make; doing the derivation here means
that when a page fails to authenticate we can tell a wrong passphrase from a damaged file without paying for
the derivation twice.

Crash safety. Every change is a SQLite transaction in WAL mode with `synchronous = FULL`. Whole-file changes
(rekey, restore, backups) write a complete new file under a temporary name, flush it, and move it into place
with one atomic rename, so a crash at any instant leaves either the old file or the new one.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import hashlib
import hmac
import os
import shutil
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeAlias

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from sqlcipher3 import dbapi2 as sqlcipher

from shopexit.core import audit
from shopexit.core.durable import fsync_dir
from shopexit.core.errors import (
    NotAVault,
    StorageError,
    VaultClosed,
    VaultDamaged,
    VaultError,
    VaultExists,
    VaultInUse,
    VaultMissing,
    VaultTooNew,
    WrongPassphrase,
)
from shopexit.core.filelock import FileLock
from shopexit.core.passphrase import effective_passphrase
from shopexit.core.schema import LATEST_VERSION, MIGRATIONS
from shopexit.core.timeutil import now_iso, utc_now

Conn: TypeAlias = Any
"""A sqlcipher3 connection (the package ships no type information)."""

APPLICATION_ID = 0x53485058  # "SHPX": tells a shopexit vault from any other SQLCipher database
PLAIN_SQLITE_MAGIC = b"SQLite format 3\x00"
DEFAULT_KEEP_BACKUPS = 5
ROLLING_BACKUP_EVERY = timedelta(hours=24)

# SQLCipher 4 defaults (https://www.zetetic.net/sqlcipher/sqlcipher-api/#cipher_compatibility)
KDF_ITERATIONS = 256_000
SALT_BYTES = 16
PAGE_SIZE = 4096
_IV_BYTES = 16
_HMAC_BYTES = 64
_RESERVE = _IV_BYTES + _HMAC_BYTES

# Names of files that only ever exist while a whole-file change is under way.
REKEY_SUFFIX = ".rekey-partial"
RESTORE_SUFFIX = ".restore-partial"
_SIDE_FILES = ("-wal", "-shm", "-journal")


class _SameKeyFile:
    """Marker: keep the key file the vault was opened with."""


SAME_KEY_FILE = _SameKeyFile()


@dataclass(frozen=True)
class ShopProfile:
    creator: str
    shop_name: str
    region: str = "US"
    currency: str = "USD"


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def backups_dir(path: Path) -> Path:
    return path.with_name(path.name + ".backups")


def _make_private_dir(folder: Path) -> None:
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700)


# -- keys ------------------------------------------------------------------------------------------------------
def derive_key(secret: str, salt: bytes) -> bytes:
    """SQLCipher 4's key derivation: PBKDF2-HMAC-SHA512, 256,000 iterations, 32 bytes."""
    return PBKDF2HMAC(hashes.SHA512(), 32, salt, KDF_ITERATIONS).derive(secret.encode("utf-8"))


def _raw_key(key: bytes, salt: bytes) -> str:
    """SQLCipher's raw-key form: 32 key bytes then the 16 salt bytes, as a hex blob literal."""
    return f"x'{key.hex()}{salt.hex()}'"


def _hmac_key(key: bytes, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha512", key, bytes(b ^ 0x3A for b in salt), 2, 32)


def _page_authentic(page: bytes, number: int, hmac_key: bytes) -> bool:
    """Checks one page's HMAC as SQLCipher 4 does (ciphertext, IV, little-endian page number)."""
    if len(page) != PAGE_SIZE:
        return False
    body = page[SALT_BYTES if number == 1 else 0: PAGE_SIZE - _RESERVE]
    iv = page[PAGE_SIZE - _RESERVE: PAGE_SIZE - _HMAC_BYTES]
    mac = page[PAGE_SIZE - _HMAC_BYTES:]
    expected = hmac.new(hmac_key, body + iv + number.to_bytes(4, "little"), hashlib.sha512).digest()
    return hmac.compare_digest(mac, expected)


def damaged_pages(path: Path, key: bytes, salt: bytes) -> list[int]:
    """Page numbers in the main file whose authentication fails under this key (all of them: wrong key)."""
    mac_key = _hmac_key(key, salt)
    bad = []
    with path.open("rb") as handle:
        number = 0
        while page := handle.read(PAGE_SIZE):
            number += 1
            if not _page_authentic(page, number, mac_key):
                bad.append(number)
    return bad


def _describe_pages(pages: list[int]) -> str:
    shown = ", ".join(str(p) for p in pages[:8])
    more = f" and {len(pages) - 8} more" if len(pages) > 8 else ""
    return f"page{'s' if len(pages) > 1 else ''} {shown}{more}"


def restore_hint(path: Path) -> str:
    return f"restore a backup with `shopexit restore BACKUP` (backups are in {backups_dir(path).name}/)"


def _diagnose(path: Path, key: bytes, salt: bytes) -> VaultError:
    """Why the first read failed: a wrong passphrase, or a right one and a damaged file."""
    mac_key = _hmac_key(key, salt)
    with path.open("rb") as handle:
        first, second = handle.read(PAGE_SIZE), handle.read(PAGE_SIZE)
    if not (_page_authentic(first, 1, mac_key) or _page_authentic(second, 2, mac_key)):
        return WrongPassphrase(
            f"Wrong passphrase or key file for {path.name}. If you are sure they are right, the file is "
            f"damaged: {restore_hint(path)}."
        )
    bad = damaged_pages(path, key, salt)
    if bad:
        return VaultDamaged(
            f"{path.name} is damaged: {_describe_pages(bad)} {'fail' if len(bad) > 1 else 'fails'} the "
            f"authentication check; {restore_hint(path)}."
        )
    return VaultDamaged(
        f"{path.name} cannot be read although the passphrase is right (its {path.name}-wal file may be "
        f"damaged); {restore_hint(path)}."
    )


# -- storage errors ----------------------------------------------------------------------------------------------
_SQLITE_FULL = ("database or disk is full",)
_SQLITE_READONLY = ("attempt to write a readonly database", "readonly database")
_SQLITE_IO = ("disk I/O error", "unable to open database file")


def storage_problem(exc: BaseException, where: Path, what: str) -> StorageError | None:
    """A clear StorageError when `exc` is the disk refusing a write (full, read-only, failing), else None.

    `what` names the job for the message ("the backup", "the import"). Callers undo their work first and then
    raise the result, so its promise ("nothing was changed") holds.
    """
    folder = where if where.is_dir() else where.parent
    kind = None
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
            kind = "full"
        elif exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            kind = "readonly"
        elif exc.errno == errno.EIO:
            kind = "io"
    elif isinstance(exc, sqlcipher.Error):
        text = str(exc)
        if any(m in text for m in _SQLITE_FULL):
            kind = "full"
        elif any(m in text for m in _SQLITE_READONLY):
            kind = "readonly"
        elif any(m in text for m in _SQLITE_IO):
            kind = "io"
    if kind == "full":
        return StorageError(f"{what} failed: the disk holding {folder} is full. Nothing was changed; free some "
                            "space and try again.")
    if kind == "readonly":
        return StorageError(f"{what} failed: {folder} cannot be written to (read-only or not yours). Nothing "
                            "was changed; use a folder you can write to.")
    if kind == "io":
        return StorageError(f"{what} failed: the disk holding {folder} reported an error. Nothing was changed; "
                            "check the disk, then try again.")
    return None


def _translate(exc: BaseException, where: Path, what: str) -> None:
    problem = storage_problem(exc, where, what)
    if problem is not None:
        raise problem from exc


# -- connections -----------------------------------------------------------------------------------------------
def _connect(path: Path, key: bytes, salt: bytes) -> Conn:
    """Open and key a connection, pinning SQLCipher 4's standard settings, then prove the key by reading."""
    try:
        conn = sqlcipher.connect(str(path), isolation_level=None, check_same_thread=False)
    except sqlcipher.Error as exc:
        _translate(exc, path, f"Opening {path.name}")
        raise
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f'PRAGMA key = "{_raw_key(key, salt)}"')
        conn.execute("PRAGMA cipher_compatibility = 4")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher.DatabaseError as exc:
        conn.close()
        _translate(exc, path, f"Opening {path.name}")
        if "locked" in str(exc) or "busy" in str(exc):  # another program (a SQLCipher browser) holds it
            raise VaultInUse(f"{path.name} is in use by another program; close it there first.") from exc
        raise _diagnose(path, key, salt) from exc
    return conn


PAGE_CACHE_KIB = 65_536


def _configure(conn: Conn) -> None:
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA secure_delete = ON")
    conn.execute("PRAGMA temp_store = MEMORY")
    # Decrypting a page costs more than reading it: a 64 MB page cache keeps repeat queries off SQLCipher.
    conn.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")


def _read_salt(path: Path) -> bytes:
    """The file's first 16 bytes (SQLCipher's salt), after refusing what cannot be a vault."""
    if not path.exists():
        raise VaultMissing(f"No vault at {path}. Create one with `shopexit init`.")
    if not path.is_file():
        raise NotAVault(f"{path} is not a file.")
    try:
        with path.open("rb") as handle:
            head = handle.read(SALT_BYTES)
    except OSError as exc:
        raise StorageError(f"{path.name} cannot be read ({exc.strerror}).") from exc
    if len(head) < SALT_BYTES:
        raise NotAVault(f"{path.name} is empty or too short to be a shopexit vault.")
    if head == PLAIN_SQLITE_MAGIC:
        raise NotAVault(f"{path.name} is a plain SQLite database, not an encrypted shopexit vault.")
    return head


def _acquire(path: Path, busy_message: str) -> FileLock:
    file_lock = FileLock(lock_path(path))
    try:
        acquired = file_lock.acquire()
    except OSError as exc:
        _translate(exc, path, f"Opening {path.name}")
        raise
    if not acquired:
        raise VaultInUse(busy_message)
    return file_lock


def _remove_with_side_files(path: Path) -> None:
    for leftover in (path, *(path.with_name(path.name + s) for s in _SIDE_FILES)):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()


def _clear_leftovers(path: Path) -> None:
    """Half-written files a crash may have left (a rekey, a restore, a backup cut short). Called only while
    holding the vault's lock, so nothing else can be writing them."""
    for suffix in (REKEY_SUFFIX, RESTORE_SUFFIX):
        for leftover in path.parent.glob(glob.escape(path.name + suffix) + "*"):
            with contextlib.suppress(OSError):
                leftover.unlink()
    folder = backups_dir(path)
    if folder.is_dir():
        for partial in folder.glob("*.partial"):
            with contextlib.suppress(OSError):
                partial.unlink()


class Vault:
    """An unlocked vault. Use from one thread at a time; `lock()` drops the connection and the file lock."""

    def __init__(self, path: Path, conn: Conn, file_lock: FileLock, key_file: Path | None = None) -> None:
        self.path = path
        self._conn: Conn | None = conn
        self._lock = file_lock
        self._key_file = key_file

    # -- life cycle ------------------------------------------------------------------------------------------
    @classmethod
    def create(cls, path: Path, passphrase: str, profile: ShopProfile, *, key_file: Path | None = None) -> Vault:
        path = Path(path).expanduser().absolute()
        if path.exists():
            raise VaultExists(f"{path} already exists; choose another file or open it instead.")
        secret = effective_passphrase(passphrase, key_file)  # a bad key file stops us before any file exists
        try:
            _make_private_dir(path.parent)
        except OSError as exc:
            _translate(exc, path.parent, f"Creating {path.name}")
            raise
        file_lock = _acquire(path, f"{path.name} is being created by another shopexit process.")
        conn: Conn | None = None
        try:
            os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
            salt = os.urandom(SALT_BYTES)
            conn = _connect(path, derive_key(secret, salt), salt)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            _configure(conn)
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
            _remove_with_side_files(path)
            _translate(exc, path, f"Creating {path.name}")
            raise

    @classmethod
    def open(cls, path: Path, passphrase: str, *, key_file: Path | None = None) -> Vault:
        path = Path(path).expanduser().absolute()
        salt = _read_salt(path)
        secret = effective_passphrase(passphrase, key_file)
        file_lock = _acquire(path, f"{path.name} is open in another shopexit window or process; close it there "
                                   "first.")
        try:
            _clear_leftovers(path)
            conn = _connect(path, derive_key(secret, salt), salt)
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
                _configure(conn)
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
            _translate(exc, path, f"Opening {path.name}")
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
            _translate(exc, self.path, "Saving the change")
            raise
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                with contextlib.suppress(sqlcipher.Error):
                    conn.execute("ROLLBACK")
            _translate(exc, self.path, "Saving the change")
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
        """An encrypted copy the same passphrase opens: the file itself, after folding the WAL into it.

        Written to a temporary name, flushed and renamed, so a crash never leaves a half backup that looks
        whole. Rolling backups beyond `keep` (oldest first) are removed.
        """
        try:
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            if dest is None:
                folder = backups_dir(self.path)
                _make_private_dir(folder)
                stamp = utc_now().strftime("%Y%m%dT%H%M%S%fZ")
                dest = folder / f"{self.path.stem}-{stamp}-{reason}{self.path.suffix}"
            dest = Path(dest).expanduser().absolute()
            if dest == self.path:
                raise StorageError("A backup cannot overwrite the vault itself; choose another file.")
            _copy_durably(self.path, dest)
        except sqlcipher.Error as exc:
            _translate(exc, self.path, "The backup")
            raise
        except OSError as exc:
            _translate(exc, dest or self.path, "The backup")
            raise
        if keep is not None and dest.parent == backups_dir(self.path):
            prune_backups(self.path, keep)
        return dest

    def backup_if_due(self, keep: int = DEFAULT_KEEP_BACKUPS, every: timedelta = ROLLING_BACKUP_EVERY) -> Path | None:
        """The rolling backup: a copy when the newest backup is older than `every` (a day), keeping `keep`.

        Only a vault whose every page authenticates is copied, so a damaged vault never pushes good backups out
        of the rotation.
        """
        newest = max((p.stat().st_mtime for p in list_backups(self.path)), default=None)
        if newest is not None and utc_now().timestamp() - newest < every.total_seconds():
            return None
        if self.conn.execute("PRAGMA cipher_integrity_check").fetchone() is not None:
            return None
        return self.backup(reason="rolling", keep=keep)

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
            _remove_with_side_files(partial)
            os.close(os.open(partial, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
            conn.execute("ATTACH DATABASE ? AS rekeyed KEY ?", (str(partial), _raw_key(key, salt)))
            try:
                conn.execute("SELECT sqlcipher_export('rekeyed')")
                conn.execute(f"PRAGMA rekeyed.application_id = {APPLICATION_ID}")
                conn.execute(f"PRAGMA rekeyed.user_version = {self.schema_version}")
            finally:
                conn.execute("DETACH DATABASE rekeyed")
            fresh = _connect(partial, key, salt)
            try:
                _configure(fresh)
                fresh.execute("BEGIN IMMEDIATE")
                audit.append(fresh, "rekey", "vault", "", key_file=new_key_file is not None)
                fresh.execute("COMMIT")
                fresh.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                fresh.close()
            _fsync_file(partial)
            # The old connection's WAL must be empty before the new file takes the name: SQLite finds a
            # database's WAL by name, and old frames replayed onto the new file would destroy it.
            busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            wal = self.path.with_name(self.path.name + "-wal")
            if busy or (wal.exists() and wal.stat().st_size):
                raise StorageError("The passphrase was not changed: the vault is busy; try again.")
            os.replace(partial, self.path)  # the commit point; until here the old connection is untouched
        except BaseException as exc:
            _remove_with_side_files(partial)
            _translate(exc, self.path, "Changing the passphrase")
            raise
        with contextlib.suppress(OSError):  # the rename happened; a refused directory flush changes nothing
            fsync_dir(self.path.parent)
        conn.close()
        self._conn = None
        self._conn = _connect(self.path, key, salt)
        _configure(self._conn)
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


# -- backups and restoring ---------------------------------------------------------------------------------------
def list_backups(path: Path) -> list[Path]:
    """The backups of the vault at `path`, oldest first (their names start with a UTC time stamp)."""
    folder = backups_dir(Path(path))
    if not folder.is_dir():
        return []
    side = (".partial", *_SIDE_FILES)
    return sorted((p for p in folder.iterdir() if p.is_file() and not p.name.endswith(side)), key=lambda p: p.name)


def prune_backups(path: Path, keep: int = DEFAULT_KEEP_BACKUPS) -> list[Path]:
    removed = []
    backups = list_backups(path)
    for old in backups[: max(0, len(backups) - max(1, keep))]:
        _remove_with_side_files(old)
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
    salt = _read_salt(backup)
    secret = effective_passphrase(passphrase, key_file)
    key = derive_key(secret, salt)
    _make_private_dir(path.parent)
    file_lock = _acquire(path, f"{path.name} is open in another shopexit window or process; close it there "
                               "first, then restore.")
    partial = path.with_name(path.name + RESTORE_SUFFIX)
    try:
        _clear_leftovers(path)
        _copy_durably(backup, partial)
        _check_restorable(partial, backup, key, salt)
        set_aside = _set_aside(path, secret) if path.exists() else None
        os.replace(partial, path)  # the commit point
        fsync_dir(path.parent)
    except BaseException as exc:
        _remove_with_side_files(partial)
        _translate(exc, path, "Restoring")
        raise
    finally:
        file_lock.release()
    return Restored(path, backup, set_aside)


def _check_restorable(candidate: Path, backup: Path, key: bytes, salt: bytes) -> None:
    try:
        conn = _connect(candidate, key, salt)
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
        _configure(conn)
        conn.execute("BEGIN IMMEDIATE")
        audit.append(conn, "restore", "vault", "", backup=backup.name)
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    _fsync_file(candidate)


def _set_aside(path: Path, secret: str) -> Path:
    """Keep the current vault (with its WAL, if it could not be folded in) under a new name in the backups
    folder, and leave no WAL behind that could be replayed onto the restored file."""
    folder = backups_dir(path)
    _make_private_dir(folder)
    stamp = utc_now().strftime("%Y%m%dT%H%M%S%fZ")
    aside = folder / f"{path.stem}-{stamp}-before-restore{path.suffix}"
    wal = path.with_name(path.name + "-wal")
    if wal.exists() and wal.stat().st_size:
        _fold_wal(path, secret)
    _link_or_copy(path, aside)
    if wal.exists() and wal.stat().st_size:  # could not be folded (another passphrase, damage): keep it paired
        _link_or_copy(wal, aside.with_name(aside.name + "-wal"))
    for side in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            path.with_name(path.name + side).unlink()
    fsync_dir(folder)
    return aside


def _fold_wal(path: Path, secret: str) -> None:
    """Checkpoint a crashed session's WAL into the vault when the restore's passphrase happens to open it."""
    with contextlib.suppress(VaultError, sqlcipher.Error, OSError):
        salt = _read_salt(path)
        conn = _connect(path, derive_key(secret, salt), salt)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()


def _link_or_copy(src: Path, dest: Path) -> None:
    try:
        os.link(src, dest)
    except OSError:
        _copy_durably(src, dest)


def _copy_durably(src: Path, dest: Path) -> None:
    """Copy to `dest.partial`, fsync, rename: a crash never leaves a half copy under the final name."""
    partial = dest.with_name(dest.name + ".partial")
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out, src.open("rb") as source:
            shutil.copyfileobj(source, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, dest)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
        raise
    fsync_dir(dest.parent)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def is_private(path: Path) -> bool:
    """POSIX: only the owner may read or write (a vault 0600, its folder 0700)."""
    mode = stat.S_IMODE(path.stat().st_mode)
    return not mode & (stat.S_IRWXG | stat.S_IRWXO)


def _app_version() -> str:
    from shopexit import __version__

    return __version__
