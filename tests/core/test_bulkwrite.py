"""Bulk writes (an import, a folder of photos): a rollback journal and a writeback thread while the job runs, the
vault back in WAL with full sync afterwards, and nothing changed when the switch cannot be made."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
import sqlcipher3

from shopexit.core import bulkwrite, evidence
from shopexit.core.cipher import derive_key, raw_key
from shopexit.core.connection import read_salt
from shopexit.core.doctor import examine
from shopexit.core.importers import import_file
from shopexit.core.vault import Vault, restore
from tests.conftest import PASSPHRASE
from tests.hardening.importing import write_orders_csv


def _modes(vault: Vault) -> tuple[str, int]:
    conn = vault.conn
    return str(conn.execute("PRAGMA journal_mode").fetchone()[0]), int(conn.execute("PRAGMA synchronous").fetchone()[0])


def _writeback_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "shopexit-writeback"]


FULL, EXTRA = 2, 3


def test_inside_a_bulk_write_the_journal_rolls_back_and_the_vault_returns_to_wal(vault: Vault) -> None:
    assert _modes(vault) == ("wal", FULL)
    with bulkwrite.bulk_writes(vault.conn, vault.path):
        assert _modes(vault) == ("delete", EXTRA)
        assert not Path(f"{vault.path}-wal").exists()  # the WAL was folded in before the switch
        if sys.platform.startswith("linux"):
            assert len(_writeback_threads()) == 1
        with vault.transaction():
            evidence.attach_bytes(vault, os.urandom(300_000), "in-bulk.bin")
    assert _modes(vault) == ("wal", FULL)
    assert _writeback_threads() == []
    assert vault.conn.execute("SELECT count(*) FROM attachments").fetchone()[0] == 1
    assert examine(vault.conn).ok


def test_a_failure_inside_rolls_back_and_still_returns_to_wal(vault: Vault) -> None:
    with pytest.raises(RuntimeError), bulkwrite.bulk_writes(vault.conn, vault.path), vault.transaction():
        evidence.attach_bytes(vault, os.urandom(300_000), "never-kept.bin")
        raise RuntimeError("cut short")
    assert _modes(vault) == ("wal", FULL)
    assert _writeback_threads() == []
    assert vault.conn.execute("SELECT count(*) FROM attachments").fetchone()[0] == 0


def test_inside_a_transaction_nothing_switches(vault: Vault) -> None:
    with vault.transaction(), bulkwrite.bulk_writes(vault.conn, vault.path):
        assert _modes(vault) == ("wal", FULL)
        assert _writeback_threads() == []
    assert _modes(vault) == ("wal", FULL)


def test_another_program_holding_the_file_keeps_wal_and_the_job_still_runs(vault: Vault) -> None:
    """A SQLCipher browser with the vault open: SQLite refuses to leave WAL, so the job runs as it always did."""
    salt = read_salt(vault.path)
    other = sqlcipher3.connect(str(vault.path), isolation_level=None)
    try:
        other.execute(f'PRAGMA key = "{raw_key(derive_key(PASSPHRASE, salt), salt)}"')
        other.execute("SELECT count(*) FROM sqlite_master").fetchone()
        with bulkwrite.bulk_writes(vault.conn, vault.path):
            assert _modes(vault) == ("wal", FULL)
            with vault.transaction():
                evidence.attach_bytes(vault, b"kept anyway", "kept.txt")
        assert other.execute("SELECT count(*) FROM attachments").fetchone()[0] == 1
    finally:
        other.close()
    assert _modes(vault) == ("wal", FULL)


def test_an_import_and_a_big_attach_end_in_wal_with_everything_kept(vault: Vault, tmp_path: Path) -> None:
    source = write_orders_csv(tmp_path / "orders.csv", orders=300)
    summary = import_file(vault, source)
    assert summary.new == 300
    folder = tmp_path / "scans"
    folder.mkdir()
    paths = []
    for n in range(3):
        path = folder / f"scan-{n}.bin"
        path.write_bytes(b"%PDF-1.4\n" + os.urandom(evidence.BULK_BYTES // 2))
        paths.append(path)
    outcome = evidence.attach_files(vault, paths)
    assert len(outcome.added) == 3
    assert _modes(vault) == ("wal", FULL)
    assert examine(vault.conn).ok
    assert vault.conn.execute("SELECT count(*) FROM orders").fetchone()[0] == 300


def test_restore_after_a_bulk_write_was_cut_short_replays_nothing_onto_the_backup(vault_path: Path,
                                                                                 vault: Vault) -> None:
    """A kill mid-import leaves a hot journal and half-written pages. The copy set aside is rolled back to its
    last commit, and the journal is not left beside the restored vault, where SQLite would replay it."""
    evidence.attach_bytes(vault, b"committed before the crash", "kept.txt")
    backup = vault.backup()
    vault.lock()
    script = textwrap.dedent(f"""
        import os
        from pathlib import Path
        from shopexit.core import bulkwrite, evidence
        from shopexit.core.vault import Vault
        vault = Vault.open(Path({str(vault_path)!r}), {PASSPHRASE!r})
        vault.conn.execute("PRAGMA cache_size = 20")  # spill: pages reach the file before any commit
        with bulkwrite.bulk_writes(vault.conn, vault.path):
            vault.conn.execute("BEGIN IMMEDIATE")
            for n in range(8):
                evidence.attach_bytes(vault, os.urandom(400_000), f"lost-{{n}}.bin")
            os._exit(0)  # no commit, no rollback: as after a kill
    """)
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)
    journal = Path(f"{vault_path}-journal")
    assert journal.stat().st_size > 4096  # pages that existed were copied there before being overwritten
    assert b"kept.txt" not in journal.read_bytes()  # the journaled page holding that row is encrypted too
    done = restore(vault_path, backup, PASSPHRASE)
    assert not journal.exists()
    assert done.set_aside is not None
    with Vault.open(done.set_aside, PASSPHRASE) as aside:
        names = [r[0] for r in aside.conn.execute("SELECT original_name FROM attachments")]
        assert names == ["kept.txt"]
        assert examine(aside.conn).ok
    with Vault.open(vault_path, PASSPHRASE) as restored:
        assert [r[0] for r in restored.conn.execute("SELECT original_name FROM attachments")] == ["kept.txt"]
        assert examine(restored.conn).ok
