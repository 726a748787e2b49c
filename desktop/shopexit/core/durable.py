"""Making a write survive a power cut: flush the file, rename it into place, then flush the folder too (after
`os.replace` the folder's entry must reach the disk as well)."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entries (the rename that committed a file). Windows has no directory handles to flush."""
    if os.name == "nt":  # pragma: no cover
        return
    _fsync(folder)


def fsync_file(path: Path) -> None:
    """Flush a file's contents that were written through another handle (a SQLite connection, say)."""
    _fsync(path)


@contextlib.contextmanager
def replacing(dest: Path) -> Iterator[BinaryIO]:
    """Write `dest` through `dest.partial` (owner-only), flushed and renamed into place when the block ends.

    A crash or an error inside the block never leaves a half-written file under the final name, and the old
    file, if any, stays until the new one is whole.
    """
    partial = dest.with_name(dest.name + ".partial")
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise
    fsync_dir(dest.parent)


def copy_durably(src: Path, dest: Path) -> None:
    """Copy through `replacing`: a crash never leaves a half copy under the final name."""
    with replacing(dest) as out, src.open("rb") as source:
        shutil.copyfileobj(source, out, 1 << 20)


def link_or_copy(src: Path, dest: Path) -> None:
    """A second name for a file (a hard link, instant and free), or a durable copy where links are refused."""
    try:
        os.link(src, dest)
    except OSError:
        copy_durably(src, dest)
