"""`shopexit purge`: step 10's removal of buyer data from a script — a dry run by default, refused while a case
is open, and able to replace the backups that still hold the data."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from shopexit.core import sample_exports as se
from shopexit.core.vault import Vault, list_backups
from tests.conftest import PASSPHRASE
from tests.helpers.cli import run


def _everything(path: Path) -> str:
    """Every text and blob in a vault (or a backup of it), as one string to search."""
    parts: list[str] = []
    with Vault.open(path, PASSPHRASE) as vault:
        tables = [t for (t,) in vault.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'search_index_%'")]
        for table in tables:
            for row in vault.conn.execute(f"SELECT * FROM {table}"):
                parts.extend(v.decode("utf-8", "replace") if isinstance(v, bytes) else v
                             for v in row if isinstance(v, bytes | str))
    return "\n".join(parts)


def test_purge_dry_run_then_purge_and_replace_backups(tmp_path: Path) -> None:
    vault_file = tmp_path / "shop.shopexit"
    run("init", "--vault", str(vault_file), "--creator", "Zoë Ångström", "--shop", "Lumen & Loom")
    exports = se.write_exports(tmp_path / "exports", seed=3, orders=25, today=date(2026, 11, 1))
    run("import", "--vault", str(vault_file), *map(str, exports.values()))
    buyer = se.make_shop(seed=3, orders=25, today=date(2026, 11, 1)).orders[0].buyer.username
    run("backup", "--vault", str(vault_file))
    assert buyer in _everything(vault_file)

    dry = run("purge", "--vault", str(vault_file)).stdout
    assert "Would remove: buyer names" in dry and "Nothing was changed" in dry and "backup" in dry
    assert buyer in _everything(vault_file)

    with Vault.open(vault_file, PASSPHRASE) as vault, vault.transaction() as tx:
        tx.execute("INSERT INTO cases(kind, title, opened_at) VALUES ('dispute', 'Crushed lamp', '2026-11-01')")
    refused = run("purge", "--vault", str(vault_file), "--yes", check=1)
    assert "Crushed lamp" in refused.stderr and "Traceback" not in refused.stderr
    assert buyer in _everything(vault_file)

    with Vault.open(vault_file, PASSPHRASE) as vault, vault.transaction() as tx:
        tx.execute("UPDATE cases SET status = 'won'")
    older = list_backups(vault_file)
    done = run("purge", "--vault", str(vault_file), "--yes", "--replace-backups").stdout
    assert "Removed buyer data from 25 orders" in done and "deleted" in done
    assert buyer not in _everything(vault_file)
    backups = list_backups(vault_file)
    assert len(backups) == 1 and backups[0] not in older
    assert buyer not in _everything(backups[0])
    assert "No buyer personal data" in run("purge", "--vault", str(vault_file), "--yes").stdout
