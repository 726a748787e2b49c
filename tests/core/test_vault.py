"""The vault's life cycle on the real SQLCipher: create, reopen, wrong passphrase, rekey, backups, refusals."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sqlcipher3 import dbapi2 as sqlcipher

from shopexit.core import audit
from shopexit.core.doctor import examine
from shopexit.core.errors import (
    NotAVault,
    VaultExists,
    VaultInUse,
    VaultMissing,
    VaultTooNew,
    WrongPassphrase,
)
from shopexit.core.evidence import attach_bytes
from shopexit.core.schema import LATEST_VERSION, MIGRATIONS
from shopexit.core.vault import ShopProfile, Vault, list_backups
from tests.helpers import sqlcipher4

PROFILE = ShopProfile("山田 花子", "Sakura Crafts", "JP", "JPY")


def test_create_then_reopen_keeps_the_profile(vault_path: Path, passphrase: str) -> None:
    Vault.create(vault_path, passphrase, PROFILE).lock()
    with Vault.open(vault_path, passphrase) as vault:
        assert vault.profile() == ShopProfile("山田 花子", "Sakura Crafts", "JP", "JPY")
        assert vault.schema_version == LATEST_VERSION
        assert vault.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert vault.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert vault.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_wrong_passphrase_is_a_clear_error_costing_only_key_derivation(vault_path: Path, passphrase: str) -> None:
    Vault.create(vault_path, passphrase, PROFILE).lock()
    started = time.perf_counter()
    with pytest.raises(WrongPassphrase) as err:
        Vault.open(vault_path, "not the passphrase")
    elapsed = time.perf_counter() - started
    assert "Wrong passphrase" in str(err.value) and "\n" not in str(err.value)
    assert elapsed < 2.0  # one PBKDF2 run, not a retry loop; speed itself is measured in bench/
    # the refused attempt left the lock free
    Vault.open(vault_path, passphrase).lock()


def test_rekey_changes_the_passphrase_and_keeps_a_backup_under_the_old_one(vault_path: Path, passphrase: str) -> None:
    vault = Vault.create(vault_path, passphrase, PROFILE)
    backup = vault.rekey("a completely new passphrase 77")
    vault.lock()
    with pytest.raises(WrongPassphrase):
        Vault.open(vault_path, passphrase)
    with Vault.open(vault_path, "a completely new passphrase 77") as reopened:
        assert reopened.profile().shop_name == "Sakura Crafts"
        assert [row[0] for row in reopened.conn.execute("SELECT action FROM audit_log")][-1] == "rekey"
    assert backup.exists() and backup in list_backups(vault_path)
    assert oct(backup.stat().st_mode & 0o777) == "0o600"
    with Vault.open(backup, passphrase) as old:  # the backup is a vault the old passphrase opens
        assert old.profile().creator == "山田 花子"


def test_refusals_are_typed_and_one_line(tmp_path: Path, vault_path: Path, passphrase: str) -> None:
    with pytest.raises(VaultMissing):
        Vault.open(tmp_path / "nope.shopexit", passphrase)
    empty = tmp_path / "empty.shopexit"
    empty.write_bytes(b"")
    with pytest.raises(NotAVault):
        Vault.open(empty, passphrase)
    plain = tmp_path / "plain.db"
    sqlite3.connect(plain).execute("CREATE TABLE t(x)").connection.close()
    with pytest.raises(NotAVault, match="plain SQLite"):
        Vault.open(plain, passphrase)
    with pytest.raises(NotAVault, match=r"folder|not a file"):
        Vault.open(tmp_path, passphrase)
    Vault.create(vault_path, passphrase, PROFILE).lock()
    with pytest.raises(VaultExists):
        Vault.create(vault_path, passphrase, PROFILE)


def test_other_sqlcipher_database_is_not_a_vault(tmp_path: Path, passphrase: str) -> None:
    other = tmp_path / "other.db"
    conn = sqlcipher.connect(str(other))
    conn.execute(f"PRAGMA key = '{passphrase}'")
    conn.execute("CREATE TABLE t(x)")
    conn.commit()
    conn.close()
    with pytest.raises(NotAVault, match="not a shopexit vault"):
        Vault.open(other, passphrase)


def test_vault_from_a_newer_version_is_refused(vault_path: Path, passphrase: str) -> None:
    vault = Vault.create(vault_path, passphrase, PROFILE)
    vault.conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    vault.lock()
    with pytest.raises(VaultTooNew, match="newer shopexit"):
        Vault.open(vault_path, passphrase)


def test_migrations_run_from_an_empty_file(vault_path: Path, passphrase: str) -> None:
    with Vault.create(vault_path, passphrase, PROFILE) as vault:
        tables = {r[0] for r in vault.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"orders", "order_lines", "settlements", "on_hold", "withdrawals", "commissions", "threads",
                "messages", "cases", "attachments", "attachment_links", "steps", "audit_log"} <= tables
        assert vault.conn.execute("SELECT count(*) FROM steps").fetchone()[0] == 10
        actions = [r[0] for r in vault.conn.execute("SELECT action FROM audit_log ORDER BY id")]
        # one entry per migration (numbers are assigned per part, so they need not be consecutive)
        assert actions[: len(MIGRATIONS)] == ["migrate"] * len(MIGRATIONS) and actions[-1] == "create"


def test_vault_files_are_private(vault_path: Path, passphrase: str) -> None:
    Vault.create(vault_path, passphrase, PROFILE).lock()
    assert oct(vault_path.stat().st_mode & 0o777) == "0o600"
    assert oct(vault_path.parent.stat().st_mode & 0o777) == "0o700"


def test_canary_never_appears_in_the_vault_or_beside_it(vault_path: Path, passphrase: str) -> None:
    canary = b"CANARY-7f3a9c-never-in-plaintext"
    with Vault.create(vault_path, passphrase, PROFILE) as vault:
        attach_bytes(vault, canary * 100, "canary.txt", caption=canary.decode())
        vault.backup()
        # while open, the WAL and shared-memory files are scanned too
        for path in vault_path.parent.rglob("*"):
            if path.is_file():
                assert canary not in path.read_bytes(), path
    for path in vault_path.parent.rglob("*"):
        if path.is_file():
            assert canary not in path.read_bytes(), path


def test_another_sqlcipher4_implementation_opens_it_with_the_passphrase_alone(
    vault_path: Path, passphrase: str, tmp_path: Path
) -> None:
    Vault.create(vault_path, passphrase, PROFILE).lock()
    data = vault_path.read_bytes()
    with pytest.raises(sqlcipher4.HmacMismatch):
        sqlcipher4.decrypt(data, "wrong")
    plain = tmp_path / "plain.sqlite"
    plain.write_bytes(sqlcipher4.decrypt(data, passphrase))
    conn = sqlite3.connect(plain)
    assert conn.execute("SELECT creator, shop_name FROM shop").fetchone() == ("山田 花子", "Sakura Crafts")


def test_an_edited_audit_row_is_found_by_doctor(vault: Vault) -> None:
    with vault.transaction() as tx:
        audit.append(tx, "note", "step", 3, length=12)
    assert examine(vault.conn).ok
    conn = vault.conn
    conn.execute("DROP TRIGGER audit_log_no_update")  # what someone rewriting history would have to do
    conn.execute("UPDATE audit_log SET detail = '{\"length\":99}' WHERE action = 'note'")
    report = examine(conn)
    assert not report.ok
    assert any("audit log" in p and "changed" in p for p in report.problems)


def test_audit_log_refuses_edits(vault: Vault) -> None:
    with pytest.raises(sqlcipher.IntegrityError, match="append-only"):
        vault.conn.execute("DELETE FROM audit_log")


def test_a_second_process_gets_open_elsewhere(vault_path: Path, passphrase: str) -> None:
    vault = Vault.create(vault_path, passphrase, PROFILE)
    script = textwrap.dedent(f"""
        from pathlib import Path
        from shopexit.core.vault import Vault
        from shopexit.core.errors import VaultInUse
        try:
            Vault.open(Path({str(vault_path)!r}), {passphrase!r})
        except VaultInUse as exc:
            print("IN USE:", exc)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert "IN USE:" in out.stdout and "open in another" in out.stdout
    with pytest.raises(VaultInUse):
        Vault.open(vault_path, passphrase)  # a second window in the same process too
    vault.lock()
    Vault.open(vault_path, passphrase).lock()


def test_rolling_backups_keep_the_last_n(vault: Vault) -> None:
    for _ in range(4):
        vault.backup(keep=2)
    assert len(list_backups(vault.path)) == 2


def test_lock_drops_the_connection(vault: Vault) -> None:
    from shopexit.core.errors import VaultClosed

    vault.lock()
    with pytest.raises(VaultClosed):
        _ = vault.conn
    assert not os.path.exists(str(vault.path) + "-wal") or os.path.getsize(str(vault.path) + "-wal") == 0
