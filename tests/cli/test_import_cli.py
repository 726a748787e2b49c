"""`shopexit import` as a user's script runs it: a real process, a real vault, files in the real layouts."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from shopexit.core import sample_exports as se
from tests.helpers.cli import run


@pytest.fixture
def vault_file(tmp_path: Path) -> Path:
    path = tmp_path / "cli.shopexit"
    run("init", "--vault", str(path), "--creator", "Zoë Ångström", "--shop", "Lumen & Loom")
    return path


@pytest.fixture
def exports(tmp_path: Path) -> dict[str, Path]:
    return se.write_exports(tmp_path / "exports", seed=3, orders=25, today=date(2026, 11, 1))


def test_import_everything_then_status(vault_file: Path, exports: dict[str, Path]) -> None:
    result = run("import", "--vault", str(vault_file), *map(str, exports.values()))
    out = result.stdout
    assert "orders_us.csv: Orders export (CSV)" in out
    assert "income_order_details.xlsx: Income / settlement export (XLSX)" in out
    assert "rows read" in out and "records new" in out and "rows refused 0" in out
    data = json.loads(run("status", "--json", "--vault", str(vault_file)).stdout)
    shop = se.make_shop(seed=3, orders=25, today=date(2026, 11, 1))
    expected = se.expected_figures(shop)
    assert data["orders"]["total"] == expected["orders"]["orders_total"]
    assert data["funds"]["USD"]["settled"] == expected["settled"]
    assert data["messages"] == expected["messages"]["direct"] + expected["messages"]["shop"]
    again = run("import", "--vault", str(vault_file), "--json", *map(str, exports.values()))
    report = json.loads(again.stdout)
    assert report["refused"] == [] and all(s["new"] == 0 and s["updated"] == 0 for s in report["imported"])


def test_a_refused_file_exits_1_and_the_others_stay(vault_file: Path, exports: dict[str, Path],
                                                    tmp_path: Path) -> None:
    bad = tmp_path / "orders_bad.csv"
    rows = list(se.order_rows(se.make_shop(seed=3, orders=5, today=date(2026, 11, 1)).orders,
                              se.REGIONS["US"], se.Quirks()))
    rows[3][rows[0].index("Order Amount")] = "abc"
    bad.write_bytes(se.csv_text(rows))
    result = run("import", "--vault", str(vault_file), str(exports["withdrawals"]), str(bad),
                 str(exports["settlements"]), check=1)
    assert "orders_bad.csv, row 4, column 'Order Amount': not an amount: 'abc'" in result.stderr
    assert "1 of 3 files refused" in result.stderr and "Traceback" not in result.stderr
    data = json.loads(run("status", "--json", "--vault", str(vault_file)).stdout)
    assert data["orders"]["total"] == 0 and data["funds"]["USD"]["settled"] != "0.00"


def test_skip_bad_rows_lists_them(vault_file: Path, tmp_path: Path) -> None:
    shop = se.make_shop(seed=3, orders=6, today=date(2026, 11, 1))
    rows = list(se.order_rows(shop.orders, shop.region, se.Quirks()))
    rows[2][rows[0].index("Order Amount")] = "abc"
    path = tmp_path / "orders.csv"
    path.write_bytes(se.csv_text(rows))
    result = run("import", "--vault", str(vault_file), "--skip-bad-rows", str(path))
    assert "skipped row 3, column 'Order Amount': not an amount: 'abc'" in result.stdout
    assert "rows refused 1" in result.stdout


def test_dry_run_writes_nothing(vault_file: Path, exports: dict[str, Path]) -> None:
    result = run("import", "--vault", str(vault_file), "--dry-run", str(exports["orders"]))
    assert "dry run: nothing was written" in result.stdout and "records new 25" in result.stdout
    data = json.loads(run("status", "--json", "--vault", str(vault_file)).stdout)
    assert data["orders"]["total"] == 0


def test_unknown_file_names_the_kinds(vault_file: Path, tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("just some notes\n", encoding="utf-8")
    result = run("import", "--vault", str(vault_file), str(path), check=1)
    assert "not an export shopexit knows" in result.stderr and "Order ID, Order Status, Order Amount" in result.stderr
    assert result.stderr.count("\n") == 1


def test_kind_option(vault_file: Path, exports: dict[str, Path]) -> None:
    result = run("import", "--vault", str(vault_file), "--kind", "withdrawals", "--json", str(exports["withdrawals"]))
    assert json.loads(result.stdout)["imported"][0]["kind"] == "withdrawals"
    assert run("import", "--vault", str(vault_file), "--kind", "nope", "x", check=2).returncode == 2


def test_all_shared_samples_through_the_command(vault_file: Path, shared_samples: Path) -> None:
    files = [p for p in shared_samples.iterdir() if p.is_file() and p.suffix in (".csv", ".xlsx", ".zip")]
    run("import", "--vault", str(vault_file), *map(str, files))
    data = json.loads(run("status", "--json", "--vault", str(vault_file)).stdout)
    expected = json.loads((shared_samples / "EXPECTED.json").read_text(encoding="utf-8"))
    assert data["orders"]["total"] == expected["orders"]["orders_total"]
    assert data["funds"]["USD"]["on_hold"] == expected["on_hold_usd"]
    assert data["commissions"]["USD"]["earned"] == expected["affiliate"]["earned_usd"]
