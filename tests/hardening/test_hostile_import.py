"""Hostile files through the import door: every input of the catalogue, detected and forced to every kind.
Each is refused with one line naming the file (the vault unchanged, compared by a full content dump), or, where
it is a valid export after all, imported whole. Bombs are refused without inflating them."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from shopexit.core.doctor import examine
from shopexit.core.errors import ShopexitError
from shopexit.core.vault import ShopProfile, Vault
from tests.conftest import PASSPHRASE
from tests.hardening.hostile import HOSTILE
from tests.hardening.vaultdump import dump

VALID_AFTER_ALL = {"huge_json"}  # a big but well-formed data export: importing it is right
BIG = {"huge_json", "csv_10mb_field"}
SECONDS = 30.0


def _kinds(name: str, slow: bool) -> list[str | None]:
    from shopexit.core.importers import KINDS

    if name in BIG and not slow:
        return [None, "orders", "data_export"]
    return [None, *KINDS]


@pytest.mark.parametrize("name", sorted(set(HOSTILE) - {"xlsx_zip_bomb"}))
def test_hostile_file_through_import(name: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    from shopexit.core.importers import import_file

    if name == "fifo" and os.name == "nt":
        pytest.skip("no FIFOs on Windows")
    (tmp_path / "in").mkdir()
    path = HOSTILE[name](tmp_path / "in")
    with Vault.create(tmp_path / "v.shopexit", PASSPHRASE, ShopProfile("A", "B")) as vault:
        for kind in _kinds(name, bool(request.config.getoption("--slow"))):
            before = dump(vault.conn)
            started = time.perf_counter()
            try:
                summary = import_file(vault, path, kind=kind)
            except ShopexitError as exc:
                message = str(exc)
                assert "\n" not in message and path.name in message, (kind, message)
                assert dump(vault.conn) == before, (kind, message)
            else:
                assert name in VALID_AFTER_ALL, (kind, f"{name} was imported: {summary.as_json()}")
            assert time.perf_counter() - started < SECONDS, (kind, "too slow")
        assert examine(vault.conn).ok


BOMB_SCRIPT = textwrap.dedent("""
    import resource, sys, time
    from pathlib import Path
    from shopexit.core.errors import ShopexitError
    from shopexit.core.importers import import_file
    from shopexit.core.vault import ShopProfile, Vault
    sys.path.insert(0, sys.argv[3])
    from tests.hardening.hostile import xlsx_zip_bomb
    folder = Path(sys.argv[1])
    bomb = folder / "income_order_details.xlsx"
    bomb.write_bytes(xlsx_zip_bomb())
    vault = Vault.create(folder / "v.shopexit", sys.argv[2], ShopProfile("A", "B"))
    kind = None if sys.argv[4] == "auto" else sys.argv[4]
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    try:
        import_file(vault, bomb, kind=kind)
        verdict = "imported"
    except ShopexitError as exc:
        verdict = "refused: " + str(exc)
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) // 1024
    print(f"{time.perf_counter() - started:.1f}|{grown}|{verdict}")
""")


@pytest.mark.parametrize("kind", ["auto", "settlements"])
def test_an_xlsx_zip_bomb_is_refused_without_inflating_it(kind: str, tmp_path: Path) -> None:
    """A 1 MB XLSX whose sheet inflates to 256 MB: refused quickly, in little memory (a fresh process, so the
    peak resident size is this import's)."""
    if os.name == "nt":
        pytest.skip("resource is POSIX")
    repo = str(Path(__file__).resolve().parents[2])
    try:
        out = subprocess.run([sys.executable, "-c", BOMB_SCRIPT, str(tmp_path), PASSPHRASE, repo, kind],
                             capture_output=True, text=True, timeout=25)
    except subprocess.TimeoutExpired:
        pytest.fail("importing a zip bomb ran for over 25 s (it inflates the sheet instead of refusing it)")
    assert out.returncode == 0, out.stderr[-2000:]
    seconds, grown_mb, verdict = out.stdout.strip().split("|", 2)
    assert verdict.startswith("refused: ") and "\n" not in verdict
    assert float(seconds) < 10, f"took {seconds} s"
    assert int(grown_mb) < 150, f"memory grew by {grown_mb} MB"


def test_cli_import_refusals_are_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "SHOPEXIT_PASSPHRASE": PASSPHRASE}
    vault = tmp_path / "v.shopexit"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "shopexit", *args, "--vault", str(vault)], env=env,
                              capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)

    assert run("init", "--creator", "A", "--shop", "B").returncode == 0
    for name in ("empty", "random_bytes", "truncated_xlsx", "nested_json", "cp1252_csv", "folder"):
        (tmp_path / name).mkdir()
        result = run("import", str(HOSTILE[name](tmp_path / name)))
        assert result.returncode == 1, (name, result.stdout, result.stderr)
        lines = [line for line in result.stderr.splitlines() if "warning" not in line]
        assert len(lines) == 1 and "Traceback" not in result.stderr, (name, result.stderr)
    assert '"orders": {"total": 0' in run("status", "--json").stdout.replace("\n", "").replace("  ", "")


@pytest.mark.parametrize("kind", ["orders", "settlements", "withdrawals"])
@pytest.mark.parametrize("amount", ["9" * 40, "1e30", "-99999999999999999999.99"])
def test_an_absurd_amount_is_refused_naming_row_and_column(kind: str, amount: str, tmp_path: Path) -> None:
    """Found by the hypothesis suite: an amount beyond SQLite's 64-bit integers (in minor units) must be a
    refusal naming the row and column, not an OverflowError from deep inside the write."""
    from shopexit.core.importers import ImportRefused, import_file
    from tests.hardening.importing import ORDER_COLUMNS, order_row, orders_csv_text
    from tests.hardening.layouts import SETTLEMENT_COLUMNS, WITHDRAWAL_COLUMNS, csv_bytes

    path = tmp_path / f"{kind}.csv"
    if kind == "orders":
        row = order_row(1)
        row[ORDER_COLUMNS.index("Order Amount")] = amount
        path.write_text(orders_csv_text([order_row(0), row]), encoding="utf-8")
    elif kind == "settlements":
        cells = ["5764576460752303423488", "Order", "05/13/2026 04:37:00 PM", "05/23/2026 04:37:00 PM", "USD", amount]
        path.write_bytes(csv_bytes([SETTLEMENT_COLUMNS, cells + ["0.00"] * 14], bom=False, crlf=True))
    else:
        cells = ["W-1", "WITHDRAW", "SUCCESS", "2026-09-01T16:20:00Z", "USD", amount]
        path.write_bytes(csv_bytes([WITHDRAWAL_COLUMNS, cells], bom=False, crlf=True))
    with Vault.create(tmp_path / "v.shopexit", PASSPHRASE, ShopProfile("A", "B")) as vault:
        before = dump(vault.conn)
        with pytest.raises(ImportRefused) as err:
            import_file(vault, path)
        assert err.value.row is not None and err.value.column, str(err.value)
        assert dump(vault.conn) == before
