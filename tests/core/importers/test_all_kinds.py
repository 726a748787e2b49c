"""Every kind of export from the generator, in several regions: figures exact to the cent, re-import unchanged."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from shopexit.core import sample_exports as se
from shopexit.core.importers import detect, import_file
from shopexit.core.status import status
from shopexit.core.vault import ShopProfile, Vault
from tests.conftest import PASSPHRASE

LABELS = {
    "orders": "Orders export (CSV)", "settlements": "Income / settlement export (XLSX)",
    "on_hold": "On-hold (unsettled) export (XLSX)", "commissions": "Affiliate commissions (CSV)",
    "withdrawals": "Withdrawals (CSV)", "data_export": "Download your data (ZIP)",
}


def assert_figures(vault: Vault, expected: dict[str, Any], currency: str) -> None:
    data = status(vault.conn)
    orders = expected["orders"]
    assert data["orders"]["total"] == orders["orders_total"]
    assert data["orders"]["open"] == orders["orders_open"]
    assert data["orders"]["lines"] == orders["order_lines"]
    assert data["orders"]["by_status"] == orders["by_status"]
    funds = data["funds"][currency]
    assert funds["settled"] == expected["settled"]
    assert funds["on_hold"] == expected["on_hold"]
    assert funds["withdrawn"] == expected["withdrawn_succeeded"]
    commissions = data["commissions"][currency]
    assert commissions["estimated"] == expected["affiliate"]["estimated"]
    assert commissions["earned"] == expected["affiliate"]["earned"]
    assert commissions["ineligible_orders"] == expected["affiliate"]["ineligible"]
    assert data["messages"] == expected["messages"]["direct"] + expected["messages"]["shop"]
    amount = vault.conn.execute("SELECT sum(order_amount) FROM orders").fetchone()[0]
    from shopexit.core.money import format_minor

    assert format_minor(amount, currency) == orders["order_amount_sum"]


@pytest.mark.parametrize("region", ["US", "TH", "ID", "VN"])
def test_every_kind_gives_the_shops_true_figures(tmp_path: Path, region: str) -> None:
    shop = se.make_shop(seed=3, orders=30, region=region, today=date(2026, 11, 1))
    paths = se.write_shop(shop, tmp_path / "exports")
    vault = Vault.create(tmp_path / "v.shopexit", PASSPHRASE, ShopProfile("c", "s", region, shop.currency))
    with vault:
        for kind, path in paths.items():
            assert detect(path).kind == kind
            summary = import_file(vault, path)
            assert summary.kind == kind and summary.refused == [] and summary.updated == 0
            assert summary.new + summary.unchanged > 0
        assert_figures(vault, se.expected_figures(shop), shop.currency)


def test_labels_and_counts(vault: Vault, exports: dict[str, Path], shop: se.Shop) -> None:
    for kind, path in exports.items():
        summary = import_file(vault, path)
        assert summary.label == LABELS[kind]
        assert summary.import_id is not None and not summary.dry_run
    lines = sum(len(o.lines) for o in shop.orders)
    orders = import_file(vault, exports["orders"])
    assert (orders.rows_read, orders.new, orders.updated, orders.unchanged) == (lines, 0, 0, len(shop.orders))


def test_reimporting_everything_changes_nothing(vault: Vault, exports: dict[str, Path], shop: se.Shop) -> None:
    for path in exports.values():
        import_file(vault, path)
    before = status(vault.conn)
    counts = {t: vault.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("orders", "order_lines", "settlements", "on_hold", "withdrawals", "commissions",
                        "threads", "messages", "attachments")}
    for path in exports.values():
        summary = import_file(vault, path)
        assert summary.new == 0 and summary.updated == 0 and summary.unchanged > 0
    assert status(vault.conn)["funds"] == before["funds"]
    assert status(vault.conn)["orders"] == before["orders"]
    assert {t: vault.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in counts} == counts
    assert_figures(vault, se.expected_figures(shop), "USD")


def test_orders_fill_the_columns_the_archive_and_gui_use(vault: Vault, exports: dict[str, Path],
                                                        shop: se.Shop) -> None:
    import_file(vault, exports["orders"])
    order = next(o for o in shop.orders if o.status == "Completed")
    row = vault.conn.execute(
        "SELECT buyer_username, recipient, phone, address, country, tracking_id, shipping_provider, created_text,"
        " created_at, delivered_at, currency, order_amount FROM orders WHERE order_id = ?", (order.order_id,)
    ).fetchone()
    b = order.buyer
    assert row[:7] == (b.username, b.recipient, b.phone, f"{b.address}, {b.city}, {b.state}, {b.zipcode}",
                       "United States", order.tracking, "USPS")
    assert row[7] == order.created.strftime("%m/%d/%Y %I:%M:%S %p")  # the original text, without its TAB
    assert row[8].endswith("Z") and row[9] is not None
    assert row[10] == "USD" and row[11] == int(order.amount * 100)

