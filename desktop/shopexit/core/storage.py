"""The disk refusing a write (full, read-only, failing), told apart from every other failure.

SQLite and the OS report these tersely and in many forms ("database or disk is full", ENOSPC, EROFS …). Every
whole-file job (create, open, save, backup, rekey, restore) passes its failure through here, so the user reads
one clear line that names the folder and promises that nothing was changed.
"""

from __future__ import annotations

import errno
from pathlib import Path

from sqlcipher3 import dbapi2 as sqlcipher

from shopexit.core.errors import StorageError

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


def raise_if_storage_problem(exc: BaseException, where: Path, what: str) -> None:
    """Raise the clear StorageError for `exc` (chained to it) when it is the disk refusing; else return, and
    the caller re-raises `exc` itself."""
    problem = storage_problem(exc, where, what)
    if problem is not None:
        raise problem from exc
