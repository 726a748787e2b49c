"""A keyed SQLCipher connection to a vault file: the small API below `Vault` that `backups` builds on too.

Opening a vault file has to be done the same way everywhere (the Vault itself, a backup checked before it is
restored, a crashed session's WAL folded in): refuse what cannot be a vault before deriving a key, take the
vault's file lock, key the connection with SQLCipher 4's standard settings and prove the key by reading, and
then pin the settings every connection runs with.

Crash safety. Every change is a SQLite transaction in WAL mode with `synchronous = FULL` (`configure`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeAlias

from sqlcipher3 import dbapi2 as sqlcipher

from shopexit.core.cipher import SALT_BYTES, raw_key
from shopexit.core.errors import NotAVault, StorageError, VaultInUse, VaultMissing
from shopexit.core.filelock import FileLock
from shopexit.core.pagecheck import diagnose
from shopexit.core.storage import raise_if_storage_problem
from shopexit.core.vaultpaths import lock_path

Conn: TypeAlias = Any
"""A sqlcipher3 connection (the package ships no type information)."""

APPLICATION_ID = 0x53485058  # "SHPX": tells a shopexit vault from any other SQLCipher database
PLAIN_SQLITE_MAGIC = b"SQLite format 3\x00"
PAGE_CACHE_KIB = 65_536


def read_salt(path: Path) -> bytes:
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


def acquire_lock(path: Path, busy_message: str) -> FileLock:
    """Take the vault's file lock (one shopexit process at a time), or raise VaultInUse with `busy_message`."""
    file_lock = FileLock(lock_path(path))
    try:
        acquired = file_lock.acquire()
    except OSError as exc:
        raise_if_storage_problem(exc, path, f"Opening {path.name}")
        raise
    if not acquired:
        raise VaultInUse(busy_message)
    return file_lock


def connect(path: Path, key: bytes, salt: bytes) -> Conn:
    """Open and key a connection, pinning SQLCipher 4's standard settings, then prove the key by reading.

    A key that does not read raises WrongPassphrase or VaultDamaged (`pagecheck.diagnose` tells which)."""
    try:
        conn = sqlcipher.connect(str(path), isolation_level=None, check_same_thread=False)
    except sqlcipher.Error as exc:
        raise_if_storage_problem(exc, path, f"Opening {path.name}")
        raise
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f'PRAGMA key = "{raw_key(key, salt)}"')
        conn.execute("PRAGMA cipher_compatibility = 4")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher.DatabaseError as exc:
        conn.close()
        raise_if_storage_problem(exc, path, f"Opening {path.name}")
        if "locked" in str(exc) or "busy" in str(exc):  # another program (a SQLCipher browser) holds it
            raise VaultInUse(f"{path.name} is in use by another program; close it there first.") from exc
        raise diagnose(path, key, salt) from exc
    return conn


def configure(conn: Conn) -> None:
    """The settings every vault connection runs with: WAL, full sync, secure delete, foreign keys."""
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA secure_delete = ON")
    conn.execute("PRAGMA temp_store = MEMORY")
    # Decrypting a page costs more than reading it: a 64 MB page cache keeps repeat queries off SQLCipher.
    conn.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")
