"""Settlement headers drift between months; each spelling is read the same."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from shopexit.core import sample_exports as se
from shopexit.core.importers import detect, import_file
from shopexit.core.vault import Vault


def _settled(vault: Vault) -> int:
    return int(vault.conn.execute("SELECT coalesce(sum(settlement_amount), 0) FROM settlements").fetchone()[0])


def _truth(shop: se.Shop) -> int:
    return int(sum(shop.settlement(o) for o in shop.settled_orders()) * 100)


@pytest.mark.parametrize("header", ["Order/adjustment ID  ", "Order\\adjustment ID", "Order/Adjustment ID",
                                    "order/adjustment id"])
def test_order_adjustment_id_spellings(vault: Vault, tmp_path: Path, shop: se.Shop, header: str) -> None:
    path = se.write_settlements_xlsx(tmp_path / "income.xlsx", shop, se.Quirks(settlement_id_header=header))
    assert detect(path).kind == "settlements"
    summary = import_file(vault, path)
    assert summary.new == len(shop.settled_orders())
    assert _settled(vault) == _truth(shop)


@pytest.mark.parametrize("header", ["Type", "Transaction type"])
def test_type_or_transaction_type(vault: Vault, tmp_path: Path, shop: se.Shop, header: str) -> None:
    path = se.write_settlements_xlsx(tmp_path / "income.xlsx", shop, se.Quirks(settlement_type_header=header))
    import_file(vault, path)
    assert {r[0] for r in vault.conn.execute("SELECT type FROM settlements")} == {"Order"}


def test_utc_header_is_not_shifted_again(vault: Vault, tmp_path: Path, shop: se.Shop) -> None:
    local = se.write_settlements_csv(tmp_path / "local.csv", shop, se.Quirks())
    utc = se.write_settlements_csv(tmp_path / "utc.csv", shop, se.Quirks(settlement_times_utc=True))
    assert "Order created time(UTC)" in utc.read_text(encoding="utf-8-sig").splitlines()[0]
    import_file(vault, local)
    first = dict(vault.conn.execute("SELECT reference_id, settled_at FROM settlements"))
    vault.conn.execute("DELETE FROM settlements")
    import_file(vault, utc)
    second = dict(vault.conn.execute("SELECT reference_id, settled_at FROM settlements"))
    assert first == second and len(first) == len(shop.settled_orders())


def test_settlements_as_csv_too(vault: Vault, tmp_path: Path, shop: se.Shop) -> None:
    path = se.write_settlements_csv(tmp_path / "income.csv", shop, replace(se.Quirks(), bom=False))
    assert detect(path).label == "Income / settlement export (CSV)"
    import_file(vault, path)
    assert _settled(vault) == _truth(shop)
