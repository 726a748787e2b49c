"""Money: a currency suffix ("120 THB"), "/" for nothing, negatives; never float."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from shopexit.core import sample_exports as se
from shopexit.core.importers import import_file
from shopexit.core.importers.columns import CellProblem, amount
from shopexit.core.status import status
from shopexit.core.vault import Vault


def test_currency_suffix_names_the_currency(vault: Vault, tmp_path: Path) -> None:
    """A US vault importing a Thai export whose cells say "THB": the money is THB, not the shop's USD."""
    shop = se.make_shop(seed=8, orders=10, region="TH", today=date(2026, 11, 1))
    path = se.write_orders_csv(tmp_path / "orders_th.csv", shop.orders, shop.region, se.Quirks(currency_suffix=True))
    assert " THB" in path.read_text(encoding="utf-8-sig")
    import_file(vault, path)
    assert vault.conn.execute("SELECT DISTINCT currency FROM orders").fetchall() == [("THB",)]
    total = vault.conn.execute("SELECT sum(order_amount) FROM orders").fetchone()[0]
    assert total == int(sum(o.amount for o in shop.orders) * 100)


def test_on_hold_slash_means_zero_and_banner_rows_are_skipped(vault: Vault, exports: dict[str, Path],
                                                              shop: se.Shop) -> None:
    summary = import_file(vault, exports["on_hold"])
    assert summary.new == len(shop.held_orders()) and summary.refused == []
    held = status(vault.conn)["funds"]["USD"]["on_hold"]
    assert held == str(sum(shop.on_hold(o) for o in shop.held_orders()))


@pytest.mark.parametrize(("text", "currency", "expected"), [
    ("12.50", "USD", (1250, "USD")), ("-3.30", "USD", (-330, "USD")), ("/", "USD", (0, "USD")),
    ("", "USD", (0, "USD")), ("120 THB", "USD", (12000, "THB")), ("1,234.56", "USD", (123456, "USD")),
    ("(3.30)", "USD", (-330, "USD")), ("25000", "VND", (25000, "VND")), ("7", "USD", (700, "USD")),
    ("0.1", "USD", (10, "USD")), ("$5.00", "GBP", (500, "USD")),
])
def test_amounts(text: str, currency: str, expected: tuple[int, str]) -> None:
    assert amount(text, "Order Amount", currency) == expected


@pytest.mark.parametrize("text", ["abc", "12.3.4", "1e5", "NaN", "--5", "9" * 40, "-99999999999999999999.99"])
def test_bad_amounts_name_the_column(text: str) -> None:
    with pytest.raises(CellProblem) as caught:
        amount(text, "Order Amount", "USD")
    assert caught.value.column == "Order Amount"


@pytest.mark.parametrize("text", ["inf", "-Infinity", "nan", "1.5", "9" * 40])
def test_a_count_that_is_not_a_whole_number_sqlite_can_hold_is_refused(text: str) -> None:
    """Found by the generated-input suite: "inf" in "Sku Quantity of return" crashed with OverflowError."""
    from shopexit.core.importers.columns import integer

    with pytest.raises(CellProblem):
        integer(text, "Sku Quantity of return")
    assert integer("1,200", "Quantity") == 1200 and integer("2.0", "Quantity") == 2
