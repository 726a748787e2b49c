"""Damaged vaults: bytes flipped in a copy, a damaged first page, a cut-short file. `doctor` names the damaged
pages; opening gives one clear line that points to the backups; nothing crashes."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from shopexit.core.doctor import examine
from shopexit.core.errors import VaultDamaged, VaultError, WrongPassphrase
from shopexit.core.evidence import attach_bytes
from shopexit.core.vault import PAGE_SIZE, ShopProfile, Vault
from tests.conftest import PASSPHRASE

MESSAGES_FROM_PAGE: dict[Path, int] = {}


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small vault with evidence and then messages, closed (no WAL): ~120 pages, the last ones messages."""
    path = tmp_path_factory.mktemp("pristine") / "vault.shopexit"
    rng = random.Random(5)
    with Vault.create(path, PASSPHRASE, ShopProfile("Zoë", "Harbor Goods Co")) as vault:
        for n in range(3):
            attach_bytes(vault, rng.randbytes(100_000), f"receipt-{n}.bin")
        vault.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        MESSAGES_FROM_PAGE[path] = os.path.getsize(path) // PAGE_SIZE + 1
        with vault.transaction() as tx:
            tx.execute("INSERT INTO threads(thread_key, channel, counterpart) VALUES ('t', 'shop', 'buyer')")
            tx.executemany("INSERT INTO messages(thread_id, natural_key, direction, body) VALUES (1, ?, 'in', ?)",
                           [(f"m{n}", f"where is my parcel {n}? " * 10) for n in range(1500)])
    return path


def damaged_copy(pristine: Path, folder: Path, offsets: list[int]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / "vault.shopexit"
    shutil.copy(pristine, copy)
    with copy.open("r+b") as handle:
        for offset in offsets:
            handle.seek(offset)
            byte = handle.read(1)
            handle.seek(offset)
            handle.write(bytes([byte[0] ^ 0x5A]))
    return copy


def shopexit(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SHOPEXIT_PASSPHRASE": PASSPHRASE}
    return subprocess.run([sys.executable, "-m", "shopexit", *args], capture_output=True, text=True, env=env,
                          stdin=subprocess.DEVNULL, timeout=120)


def test_doctor_names_the_damaged_pages(pristine: Path, tmp_path: Path) -> None:
    pages = os.path.getsize(pristine) // PAGE_SIZE
    hit = [5, pages - 1]
    copy = damaged_copy(pristine, tmp_path, [(p - 1) * PAGE_SIZE + 700 for p in hit])
    with Vault.open(copy, PASSPHRASE) as vault:
        report = examine(vault.conn)
    assert not report.ok
    assert report.damaged_pages == hit
    assert any(f"page {hit[0]} fails its authentication" in p for p in report.problems)
    result = shopexit("doctor", "--vault", str(copy))
    assert result.returncode == 1
    assert f"pages {hit[0]}, {hit[1]}" in result.stdout
    assert result.stderr.count("\n") == 1 and "shopexit restore" in result.stderr, result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_damaged_first_page_is_named_and_points_to_backups(pristine: Path, tmp_path: Path) -> None:
    copy = damaged_copy(pristine, tmp_path, [2000])
    with pytest.raises(VaultDamaged) as err:
        Vault.open(copy, PASSPHRASE)
    message = str(err.value)
    assert "page 1 " in message and "shopexit restore" in message and "vault.shopexit.backups" in message
    assert "\n" not in message
    # a wrong passphrase on the same damaged file is still just "wrong passphrase"
    with pytest.raises(WrongPassphrase):
        Vault.open(copy, "not the passphrase at all")
    result = shopexit("doctor", "--vault", str(copy))
    assert result.returncode == 1 and result.stderr.count("\n") == 1 and "restore" in result.stderr
    assert result.stdout == ""


def test_a_damaged_salt_reads_as_a_wrong_passphrase_that_mentions_the_backups(pristine: Path, tmp_path: Path) -> None:
    copy = damaged_copy(pristine, tmp_path, [3])
    with pytest.raises(WrongPassphrase, match="backup"):
        Vault.open(copy, PASSPHRASE)


def test_a_cut_short_vault_fails_cleanly(pristine: Path, tmp_path: Path) -> None:
    copy = tmp_path / "vault.shopexit"
    data = pristine.read_bytes()
    copy.write_bytes(data[: len(data) // 2 + 1234])
    try:
        vault = Vault.open(copy, PASSPHRASE)
    except VaultError:
        return
    with vault:
        report = examine(vault.conn)
    assert not report.ok
    result = shopexit("doctor", "--vault", str(copy))
    assert result.returncode == 1 and "Traceback" not in result.stderr


def test_every_flipped_byte_is_detected(pristine: Path, tmp_path: Path) -> None:
    """SQLCipher authenticates every byte of every page: a flip anywhere is either refused at open or named by
    doctor, at the page it hit."""
    size = os.path.getsize(pristine)
    rng = random.Random(11)
    offsets = [0, 15, 16, PAGE_SIZE - 1, PAGE_SIZE, size - 1] + [rng.randrange(size) for _ in range(14)]
    for n, offset in enumerate(offsets):
        copy = damaged_copy(pristine, tmp_path / str(n), [offset])
        page = offset // PAGE_SIZE + 1
        try:
            vault = Vault.open(copy, PASSPHRASE)
        except (VaultDamaged, WrongPassphrase) as exc:
            assert page == 1 or "page" in str(exc), (offset, exc)
            continue
        with vault:
            report = examine(vault.conn)
        assert report.damaged_pages == [page], (offset, report.problems)


def test_reading_a_damaged_record_is_one_line_not_a_traceback(pristine: Path, tmp_path: Path) -> None:
    """`status` touches tables a damaged page may belong to: still one clear line."""
    pages = os.path.getsize(pristine) // PAGE_SIZE
    first = MESSAGES_FROM_PAGE[pristine]
    assert first < pages
    copy = damaged_copy(pristine, tmp_path, [(p - 1) * PAGE_SIZE + 100 for p in range(first, pages + 1)])
    result = shopexit("status", "--vault", str(copy))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "cannot be read (damaged)" in result.stderr and "shopexit doctor" in result.stderr, result.stderr
