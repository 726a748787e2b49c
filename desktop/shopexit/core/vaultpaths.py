"""The files that live beside a vault, and keeping them tidy and private.

`vault.shopexit` has company: its `-wal` and `-shm` files while open, a `.lock` file that keeps a second
process out, a `.backups/` folder, and files that only exist while a whole-file change (rekey, restore, a
backup) is under way. Their names are decided here, once, so the code that writes them and the code that
clears what a crash left behind cannot disagree.
"""

from __future__ import annotations

import contextlib
import glob
import stat
from pathlib import Path

# Names of files that only ever exist while a whole-file change is under way.
REKEY_SUFFIX = ".rekey-partial"
RESTORE_SUFFIX = ".restore-partial"
SIDE_FILES = ("-wal", "-shm", "-journal")
"""The files SQLite keeps beside a database, found by its name."""


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def backups_dir(path: Path) -> Path:
    return path.with_name(path.name + ".backups")


def restore_hint(path: Path) -> str:
    return f"restore a backup with `shopexit restore BACKUP` (backups are in {backups_dir(path).name}/)"


def make_private_dir(folder: Path) -> None:
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700)


def is_private(path: Path) -> bool:
    """POSIX: only the owner may read or write (a vault 0600, its folder 0700)."""
    mode = stat.S_IMODE(path.stat().st_mode)
    return not mode & (stat.S_IRWXG | stat.S_IRWXO)


def remove_with_side_files(path: Path) -> None:
    """Remove a database file and its WAL, shared-memory and journal files, whichever exist."""
    for leftover in (path, *(path.with_name(path.name + s) for s in SIDE_FILES)):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()


def clear_leftovers(path: Path) -> None:
    """Half-written files a crash may have left (a rekey, a restore, a backup cut short). Call only while
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
