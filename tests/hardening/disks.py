"""Real full and read-only file systems for tests: a small tmpfs, a read-only bind mount.

Mounting needs root (or CAP_SYS_ADMIN); where the machine does not allow it the tests that need a real one skip
cleanly, and the injected-error tests beside them still run.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


def _mount(*args: str) -> bool:
    if os.name == "nt" or not shutil.which("mount"):
        return False
    return subprocess.run(["mount", *args], capture_output=True, timeout=30).returncode == 0


def _umount(target: Path) -> None:
    subprocess.run(["umount", "-l", str(target)], capture_output=True, timeout=30)


@contextlib.contextmanager
def small_disk(folder: Path, size_kb: int) -> Iterator[Path]:
    """A tmpfs of `size_kb` KiB at `folder` (mode 0700), unmounted afterwards."""
    folder.mkdir(parents=True, exist_ok=True)
    if not _mount("-t", "tmpfs", "-o", f"size={size_kb}k,mode=0700", "tmpfs", str(folder)):
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        yield folder
    finally:
        _umount(folder)


@contextlib.contextmanager
def read_only_view(source: Path, folder: Path) -> Iterator[Path]:
    """`source` seen read-only at `folder` (a read-only bind mount): writes there fail with EROFS, even as root."""
    folder.mkdir(parents=True, exist_ok=True)
    if not _mount("--bind", str(source), str(folder)):
        pytest.skip("cannot bind-mount here (needs root)")
    try:
        if not _mount("-o", "remount,bind,ro", str(folder)):
            pytest.skip("cannot make a read-only bind mount here")
        yield folder
    finally:
        _umount(folder)


def fill(folder: Path, leave_kb: int) -> Path:
    """Fill the file system holding `folder` until about `leave_kb` KiB are free."""
    filler = folder / "filler.bin"
    stats = os.statvfs(folder)
    free = stats.f_bavail * stats.f_frsize
    with filler.open("wb") as out:
        out.write(b"\0" * max(0, free - leave_kb * 1024))
    return filler
