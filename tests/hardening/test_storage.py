"""Full disks and read-only places: every job that writes fails with one clear line and loses nothing.

Real file systems where the machine allows (a small tmpfs, a read-only bind mount; both need root), and
injected OSErrors everywhere, so the same promises are checked on machines that cannot mount.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from shopexit.core.doctor import examine
from shopexit.core.errors import StorageError
from shopexit.core.evidence import attach_bytes, attach_file
from shopexit.core.vault import ShopProfile, Vault, list_backups
from tests.conftest import PASSPHRASE
from tests.hardening.disks import fill, read_only_view, small_disk
from tests.hardening.vaultdump import dump

PROFILE = ShopProfile("A", "B")


def shopexit(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "SHOPEXIT_PASSPHRASE": PASSPHRASE, **env}
    return subprocess.run([sys.executable, "-m", "shopexit", *args], capture_output=True, text=True, env=full,
                          stdin=subprocess.DEVNULL, timeout=120)


def no_partials(folder: Path) -> bool:
    return not [p for p in folder.rglob("*") if "partial" in p.name]


# -- a real full disk -------------------------------------------------------------------------------------------------
def test_attach_onto_a_full_disk_fails_cleanly_and_the_vault_carries_on(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", 4096) as disk:
        path = disk / "vault.shopexit"
        with Vault.create(path, PASSPHRASE, PROFILE) as vault:
            attach_bytes(vault, b"an early receipt", "early.txt")
            before = dump(vault.conn)
            fill(disk, leave_kb=600)
            big = tmp_path / "big.bin"
            big.write_bytes(os.urandom(3_000_000))
            with pytest.raises(StorageError, match="full") as err:
                attach_file(vault, big)
            assert "\n" not in str(err.value) and "Nothing was changed" in str(err.value)
            assert dump(vault.conn) == before
            assert examine(vault.conn).ok
            attach_bytes(vault, b"a small note still fits", "small.txt")  # the vault is still usable
        (disk / "filler.bin").unlink()
        with Vault.open(path, PASSPHRASE) as reopened:
            assert examine(reopened.conn).ok
            names = {r[0] for r in reopened.conn.execute("SELECT original_name FROM attachments")}
            assert names == {"early.txt", "small.txt"}


def test_cli_attach_onto_a_full_disk_is_one_line(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", 4096) as disk:
        path = disk / "vault.shopexit"
        Vault.create(path, PASSPHRASE, PROFILE).lock()
        fill(disk, leave_kb=400)
        big = tmp_path / "big.bin"
        big.write_bytes(os.urandom(2_000_000))
        result = shopexit("attach", str(big), "--vault", str(path))
        assert result.returncode == 1
        lines = [line for line in result.stderr.splitlines() if "warning" not in line]
        assert len(lines) == 1 and "full" in lines[0] and "Traceback" not in result.stderr, result.stderr
        (disk / "filler.bin").unlink()
        with Vault.open(path, PASSPHRASE) as vault:
            assert examine(vault.conn).ok
            assert vault.conn.execute("SELECT count(*) FROM attachments").fetchone()[0] == 0


def test_backup_onto_a_full_disk_leaves_no_half_copy(tmp_path: Path) -> None:
    path = tmp_path / "vault.shopexit"
    with Vault.create(path, PASSPHRASE, PROFILE) as vault:
        attach_bytes(vault, os.urandom(1_500_000), "photo.bin")
        before = dump(vault.conn)
        with small_disk(tmp_path / "disk", 1024) as disk:
            with pytest.raises(StorageError, match="full"):
                vault.backup(disk / "copy.shopexit")
            assert not list(disk.iterdir())
        assert dump(vault.conn) == before


def test_the_rolling_backup_on_a_full_disk_warns_and_the_job_goes_on(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", 4096) as disk:
        path = disk / "vault.shopexit"
        with Vault.create(path, PASSPHRASE, PROFILE) as vault:
            attach_bytes(vault, os.urandom(1_000_000), "photo.bin")
        fill(disk, leave_kb=200)
        result = shopexit("status", "--json", "--vault", str(path))
        assert result.returncode == 0 and '"attachments": 1' in result.stdout
        assert "warning: the daily backup was not written" in result.stderr and "full" in result.stderr
        assert list_backups(path) == [] and no_partials(disk)


def test_rekey_on_a_full_disk_keeps_the_old_passphrase(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", 4096) as disk:
        path = disk / "vault.shopexit"
        with Vault.create(path, PASSPHRASE, PROFILE) as vault:
            attach_bytes(vault, os.urandom(1_000_000), "photo.bin")
            before = dump(vault.conn)
            fill(disk, leave_kb=1300)  # room for the backup, not for the re-encrypted copy
            with pytest.raises(StorageError, match="full"):
                vault.rekey("a new passphrase that will not be")
            assert dump(vault.conn) == before  # still open, still usable under the old key
        with Vault.open(path, PASSPHRASE) as reopened:
            assert examine(reopened.conn).ok and dump(reopened.conn) == before
        assert not list(disk.glob("*rekey-partial*"))


def test_creating_a_vault_on_a_full_disk_leaves_nothing(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", 1024) as disk:
        fill(disk, leave_kb=8)
        path = disk / "vault.shopexit"
        with pytest.raises(StorageError, match="full"):
            Vault.create(path, PASSPHRASE, PROFILE)
        assert not path.exists() and not Path(str(path) + "-wal").exists()


# -- a real read-only place -------------------------------------------------------------------------------------------
def test_a_vault_in_a_read_only_place_is_refused_with_one_line(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    Vault.create(source / "vault.shopexit", PASSPHRASE, PROFILE).lock()
    original = (source / "vault.shopexit").read_bytes()
    with read_only_view(source, tmp_path / "ro") as ro:
        with pytest.raises(StorageError, match="cannot be written") as err:
            Vault.open(ro / "vault.shopexit", PASSPHRASE)
        assert "\n" not in str(err.value)
        result = shopexit("status", "--vault", str(ro / "vault.shopexit"))
        assert result.returncode == 1 and result.stderr.count("\n") == 1 and "read-only" in result.stderr
    assert (source / "vault.shopexit").read_bytes() == original


def test_backup_into_a_read_only_place_fails_cleanly(vault: Vault, tmp_path: Path) -> None:
    target = tmp_path / "target"
    target.mkdir()
    with read_only_view(target, tmp_path / "ro") as ro:
        with pytest.raises(StorageError, match="read-only"):
            vault.backup(ro / "copy.shopexit")
        result = shopexit("backup", "--out", str(ro / "copy.shopexit"), "--vault", str(tmp_path / "other"))
        assert result.returncode == 1 and "Traceback" not in result.stderr
    assert not list(target.iterdir())


def test_init_in_a_read_only_place(tmp_path: Path) -> None:
    target = tmp_path / "target"
    target.mkdir()
    with read_only_view(target, tmp_path / "ro") as ro:
        result = shopexit("init", "--vault", str(ro / "v.shopexit"), "--creator", "A", "--shop", "B")
        assert result.returncode == 1 and result.stderr.count("\n") == 1 and "read-only" in result.stderr
    assert not list(target.iterdir())


# -- injected errors (run everywhere) ---------------------------------------------------------------------------------
@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EIO])
def test_backup_with_an_injected_disk_error(vault: Vault, monkeypatch: pytest.MonkeyPatch, code: int) -> None:
    attach_bytes(vault, b"x" * 100_000, "x.bin")
    before = dump(vault.conn)

    def refuse(*_: object, **__: object) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(shutil, "copyfileobj", refuse)
    with pytest.raises(StorageError) as err:
        vault.backup()
    assert "\n" not in str(err.value) and "Nothing was changed" in str(err.value)
    monkeypatch.undo()
    assert dump(vault.conn) == before and no_partials(vault.path.parent)
    assert vault.backup().exists()


def test_rekey_with_an_injected_failure_at_the_commit_point(vault: Vault, monkeypatch: pytest.MonkeyPatch) -> None:
    real_replace = os.replace

    def refuse(src: object, dst: object) -> None:
        if str(src).endswith(".rekey-partial"):
            raise OSError(errno.EIO, "Input/output error")
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", refuse)
    before = dump(vault.conn)
    with pytest.raises(StorageError, match="reported an error"):
        vault.rekey("a new passphrase never applied")
    monkeypatch.undo()
    assert dump(vault.conn) == before
    path = vault.path
    vault.lock()
    Vault.open(path, PASSPHRASE).lock()
    assert not list(path.parent.glob("*rekey-partial*"))


# -- import and export, through their public entry points -------------------------------------------------------------
def test_import_into_a_vault_on_a_full_disk_keeps_nothing_and_says_why(tmp_path: Path) -> None:
    from tests.hardening.importing import import_into, write_orders_csv

    source = write_orders_csv(tmp_path / "orders.csv", orders=3000)
    with small_disk(tmp_path / "disk", 16384) as disk:
        path = disk / "vault.shopexit"
        with Vault.create(path, PASSPHRASE, PROFILE) as vault:
            before = dump(vault.conn)
            fill(disk, leave_kb=300)
            with pytest.raises(StorageError, match="full") as err:
                import_into(vault, source)
            assert "\n" not in str(err.value)
            assert dump(vault.conn) == before and examine(vault.conn).ok
        (disk / "filler.bin").unlink()
        with Vault.open(path, PASSPHRASE) as vault:  # and with room again, the same file imports whole
            summary = import_into(vault, source)
            assert summary.new > 0 and examine(vault.conn).ok


def _export(vault: Vault, out: Path) -> None:
    from shopexit.core.archive import export_archive

    export_archive(vault, out)


def test_export_onto_a_full_disk_leaves_nothing_behind(vault: Vault, tmp_path: Path) -> None:
    from shopexit.core.errors import ShopexitError

    attach_bytes(vault, os.urandom(600_000), "photo.bin")
    before = dump(vault.conn)
    with small_disk(tmp_path / "disk", 256) as disk:
        with pytest.raises(ShopexitError) as err:
            _export(vault, disk / "archive.pdf")
        assert "\n" not in str(err.value) and ("full" in str(err.value) or "space" in str(err.value))
        assert list(disk.iterdir()) == []
    assert dump(vault.conn) == before


def test_export_into_a_read_only_place_fails_cleanly(vault: Vault, tmp_path: Path) -> None:
    from shopexit.core.errors import ShopexitError

    target = tmp_path / "target"
    target.mkdir()
    before = dump(vault.conn)
    with read_only_view(target, tmp_path / "ro") as ro:
        with pytest.raises(ShopexitError) as err:
            _export(vault, ro / "archive.pdf")
        assert "\n" not in str(err.value)
    assert list(target.iterdir()) == [] and dump(vault.conn) == before


def test_cli_export_and_import_on_a_full_disk_are_one_line(tmp_path: Path) -> None:
    from tests.hardening.importing import write_orders_csv

    path = tmp_path / "vault.shopexit"
    assert shopexit("init", "--vault", str(path), "--creator", "A", "--shop", "B").returncode == 0
    assert shopexit("import", str(write_orders_csv(tmp_path / "o.csv", 50)), "--vault", str(path)).returncode == 0
    with small_disk(tmp_path / "disk", 64) as disk:
        result = shopexit("export", "--out", str(disk / "archive.pdf"), "--vault", str(path))
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert len([line for line in result.stderr.splitlines() if "warning" not in line]) == 1, result.stderr
        assert list(disk.iterdir()) == []
