"""Backups and restoring: copies the same passphrase opens, a rolling set of the last N, and a restore that
checks the backup before it swaps anything and keeps the current vault aside."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest

from shopexit.core import settings
from shopexit.core.doctor import examine
from shopexit.core.errors import VaultDamaged, VaultInUse, WrongPassphrase
from shopexit.core.evidence import attach_bytes
from shopexit.core.vault import ShopProfile, Vault, backups_dir, is_private, list_backups, restore
from tests.conftest import PASSPHRASE
from tests.hardening.vaultdump import dump, dump_file

PROFILE = ShopProfile("Zoë Ångström", "Harbor Goods Co")


def shopexit(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "SHOPEXIT_PASSPHRASE": PASSPHRASE, **env}
    return subprocess.run([sys.executable, "-m", "shopexit", *args], capture_output=True, text=True, env=full,
                          stdin=subprocess.DEVNULL, timeout=120)


def test_a_backup_is_a_private_vault_the_same_passphrase_opens(vault: Vault) -> None:
    attach_bytes(vault, b"receipt bytes", "receipt.txt")
    backup = vault.backup()
    assert backup.parent == backups_dir(vault.path)
    assert is_private(backup) and is_private(backup.parent)
    with Vault.open(backup, PASSPHRASE) as copy:
        assert dump(copy.conn) == dump(vault.conn)
        assert examine(copy.conn).ok


def test_rolling_backups_once_a_day_keep_the_last_n(vault: Vault) -> None:
    first = vault.backup_if_due(keep=3)
    assert first is not None and "rolling" in first.name
    assert vault.backup_if_due(keep=3) is None  # one a day
    for _ in range(5):
        vault.backup_if_due(keep=3, every=timedelta(0))
    kept = list_backups(vault.path)
    assert len(kept) == 3 and first not in kept


def test_a_damaged_vault_never_rotates_good_backups_out(vault_path: Path, tmp_path: Path) -> None:
    with Vault.create(vault_path, PASSPHRASE, PROFILE) as vault:
        attach_bytes(vault, os.urandom(200_000), "big.bin")
        vault.backup()
    with vault_path.open("r+b") as handle:  # damage a page in the middle
        handle.seek(20 * 4096 + 77)
        handle.write(b"\x00\x01\x02")
    with Vault.open(vault_path, PASSPHRASE) as vault:
        assert vault.backup_if_due(keep=1, every=timedelta(0)) is None
    assert len(list_backups(vault_path)) == 1


def test_cli_backup_uses_the_keep_setting_and_lists(tmp_path: Path) -> None:
    path = tmp_path / "v.shopexit"
    assert shopexit("init", "--vault", str(path), "--creator", "A", "--shop", "B").returncode == 0
    settings.save(settings.Settings(keep_backups=2))
    for _ in range(4):
        result = shopexit("backup", "--vault", str(path))
        assert result.returncode == 0 and "Backup written" in result.stdout
    assert len(list_backups(path)) == 2
    listing = shopexit("backup", "--list", "--vault", str(path)).stdout
    assert listing.count("manual") == 2
    assert shopexit("backup", "--keep", "1", "--vault", str(path)).returncode == 0
    assert len(list_backups(path)) == 1
    out = tmp_path / "elsewhere" / "copy.shopexit"
    out.parent.mkdir()
    assert shopexit("backup", "--out", str(out), "--vault", str(path)).returncode == 0
    assert dump_file(out, PASSPHRASE) == dump_file(path, PASSPHRASE)


def test_restore_brings_back_the_backup_and_keeps_the_current_vault_aside(vault_path: Path) -> None:
    with Vault.create(vault_path, PASSPHRASE, PROFILE) as vault:
        attach_bytes(vault, b"kept before the backup", "one.txt")
        backup = vault.backup()
        attach_bytes(vault, b"added after the backup", "two.txt")
        current = dump(vault.conn)
    backed_up = dump_file(backup, PASSPHRASE)
    done = restore(vault_path, backup, PASSPHRASE)
    with Vault.open(vault_path, PASSPHRASE) as restored:
        now = dump(restored.conn)
        assert examine(restored.conn).ok
        names = [r[0] for r in restored.conn.execute("SELECT original_name FROM attachments")]
        assert names == ["one.txt"]
        actions = [r[0] for r in restored.conn.execute("SELECT action FROM audit_log ORDER BY id")]
        assert actions[-1] == "restore"
    assert {t: v for t, v in now.items() if t != "audit_log"} == \
        {t: v for t, v in backed_up.items() if t != "audit_log"}
    assert done.set_aside is not None and is_private(done.set_aside)
    assert dump_file(done.set_aside, PASSPHRASE) == current
    assert backup.exists()  # the backup itself is untouched, ready for another restore


def test_restore_refuses_a_backup_the_passphrase_does_not_open(vault_path: Path) -> None:
    with Vault.create(vault_path, PASSPHRASE, PROFILE) as vault:
        backup = vault.backup()
        vault.rekey("a different long passphrase 2026")
    before = vault_path.read_bytes()
    with pytest.raises(WrongPassphrase, match="passphrase the vault had"):
        restore(vault_path, backup, "a different long passphrase 2026")
    assert vault_path.read_bytes() == before
    restore(vault_path, backup, PASSPHRASE)  # the passphrase of its day opens it
    Vault.open(vault_path, PASSPHRASE).lock()


def test_restore_refuses_a_damaged_backup_and_changes_nothing(vault_path: Path) -> None:
    with Vault.create(vault_path, PASSPHRASE, PROFILE) as vault:
        attach_bytes(vault, os.urandom(100_000), "x.bin")
        backup = vault.backup()
    data = bytearray(backup.read_bytes())
    data[10 * 4096 + 5] ^= 0xFF
    backup.write_bytes(bytes(data))
    before = vault_path.read_bytes()
    with pytest.raises(VaultDamaged, match="damaged too"):
        restore(vault_path, backup, PASSPHRASE)
    assert vault_path.read_bytes() == before
    assert not list(vault_path.parent.glob("*partial*"))


def test_restore_refuses_while_the_vault_is_open(vault: Vault) -> None:
    backup = vault.backup()
    with pytest.raises(VaultInUse):
        restore(vault.path, backup, PASSPHRASE)


def test_restore_into_a_missing_vault(tmp_path: Path, vault_path: Path) -> None:
    Vault.create(vault_path, PASSPHRASE, PROFILE).lock()
    moved = tmp_path / "elsewhere.shopexit"
    vault_path.rename(moved)
    done = restore(vault_path, moved, PASSPHRASE)
    assert done.set_aside is None
    Vault.open(vault_path, PASSPHRASE).lock()


def test_restore_keeps_what_a_crashed_session_left_in_the_wal(vault_path: Path) -> None:
    """A vault killed mid-session has committed changes only in its -wal: the copy set aside keeps them."""
    with Vault.create(vault_path, PASSPHRASE, PROFILE) as vault:
        backup = vault.backup()
    script = textwrap.dedent(f"""
        import os
        from pathlib import Path
        from shopexit.core.vault import Vault
        from shopexit.core.evidence import attach_bytes
        vault = Vault.open(Path({str(vault_path)!r}), {PASSPHRASE!r})
        attach_bytes(vault, b"only in the wal", "wal.txt")
        os._exit(0)  # no checkpoint, no close: as after a crash
    """)
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    assert Path(str(vault_path) + "-wal").stat().st_size > 0
    done = restore(vault_path, backup, PASSPHRASE)
    assert done.set_aside is not None
    with Vault.open(done.set_aside, PASSPHRASE) as aside:
        assert aside.conn.execute("SELECT count(*) FROM attachments WHERE original_name = 'wal.txt'").fetchone()[0]
    with Vault.open(vault_path, PASSPHRASE) as restored:
        assert restored.conn.execute("SELECT count(*) FROM attachments").fetchone()[0] == 0
        assert examine(restored.conn).ok


def test_cli_restore_by_name_as_the_readme_says(tmp_path: Path) -> None:
    path = tmp_path / "vault.shopexit"
    assert shopexit("init", "--vault", str(path), "--creator", "A", "--shop", "B").returncode == 0
    name = Path(shopexit("backup", "--vault", str(path)).stdout.split("Backup written: ")[1].strip()).name
    note = tmp_path / "later.txt"
    note.write_text("added later")
    assert shopexit("attach", str(note), "--vault", str(path)).returncode == 0
    result = shopexit("restore", name, "--vault", str(path))
    assert result.returncode == 0, result.stderr
    assert "Restored" in result.stdout and "kept at" in result.stdout
    assert '"attachments": 0' in shopexit("status", "--json", "--vault", str(path)).stdout
    doctor = shopexit("doctor", "--vault", str(path))
    assert doctor.returncode == 0 and "vault is healthy" in doctor.stdout
    wrong = shopexit("restore", name, "--vault", str(path), SHOPEXIT_PASSPHRASE="wrong passphrase")
    assert wrong.returncode == 1 and wrong.stderr.count("\n") == 1
    missing = shopexit("restore", "no-such-backup.shopexit", "--vault", str(path))
    assert missing.returncode == 1 and "No backup" in missing.stderr


def _readme_blocks() -> list[str]:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Backups and restoring", 1)[1].split("\n## ", 1)[0]
    return [block.split("\n", 1)[1].split("```", 1)[0] for block in section.split("```sh")[1:]]


def _crashed_vault_with_backup(folder: Path, crash: str = "wal") -> tuple[Path, Path]:
    """A vault whose last session was killed, and an older backup. `wal`: committed data only in its -wal;
    `journal`: killed in the middle of a bulk write (an import), a hot -journal beside half-written pages."""
    path = folder / "vault.shopexit"
    with Vault.create(path, PASSPHRASE, PROFILE) as vault:
        attach_bytes(vault, b"in the backup", "old.txt")
        backup = vault.backup()
    work = ('attach_bytes(vault, os.urandom(300_000), "after-the-backup.bin")' if crash == "wal" else
            'vault.conn.execute("PRAGMA cache_size = 20")\n'
            'with bulk_writes(vault.conn, vault.path):\n'
            '    vault.conn.execute("BEGIN IMMEDIATE")\n'
            '    for n in range(6):\n'
            '        attach_bytes(vault, os.urandom(300_000), f"cut-short-{n}.bin")\n'
            '    os._exit(0)')
    script = textwrap.dedent(f"""
        import os
        from pathlib import Path
        from shopexit.core.bulkwrite import bulk_writes
        from shopexit.core.vault import Vault
        from shopexit.core.evidence import attach_bytes
        vault = Vault.open(Path({str(path)!r}), {PASSPHRASE!r})
    """) + work + "\nos._exit(0)\n"
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    assert Path(f"{path}-{crash}").stat().st_size > 0
    return path, backup


@pytest.mark.parametrize("crash", ["wal", "journal"])
@pytest.mark.parametrize("way", ["with shopexit", "without shopexit"])
def test_the_readme_restore_steps_work_as_written(tmp_path: Path, way: str, crash: str) -> None:
    blocks = _readme_blocks()
    assert len(blocks) == 2
    path, backup = _crashed_vault_with_backup(tmp_path, crash)
    block = blocks[0] if way == "with shopexit" else blocks[1]
    script = block.replace("vault-20261127T101500000000Z-manual.shopexit", backup.name)
    shell = f'shopexit() {{ "{sys.executable}" -m shopexit "$@"; }}\nset -e\n{script}'
    result = subprocess.run(["sh", "-c", shell], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "SHOPEXIT_PASSPHRASE": PASSPHRASE})
    assert result.returncode == 0, result.stdout + result.stderr
    with Vault.open(path, PASSPHRASE) as vault:
        assert examine(vault.conn).ok
        names = [r[0] for r in vault.conn.execute("SELECT original_name FROM attachments")]
        assert names == ["old.txt"]
