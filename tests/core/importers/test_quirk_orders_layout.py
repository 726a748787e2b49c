"""The orders export's own quirks: description row, trailing TABs, BOM/CRLF, regional columns, lines vs orders."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from shopexit.core import sample_exports as se
from shopexit.core.importers import import_file
from shopexit.core.records.raw import decode_row
from shopexit.core.vault import ShopProfile, Vault
from tests.conftest import PASSPHRASE


@pytest.mark.parametrize("description_row", [True, False])
def test_description_row_is_not_an_order(vault: Vault, tmp_path: Path, shop: se.Shop,
                                         description_row: bool) -> None:
    quirks = se.Quirks(description_row=description_row)
    path = se.write_orders_csv(tmp_path / "orders.csv", shop.orders, shop.region, quirks)
    second_line = path.read_text(encoding="utf-8-sig").splitlines()[1]
    assert second_line.startswith("Platform unique order ID.") == description_row
    summary = import_file(vault, path)
    assert summary.refused == [] and summary.new == len(shop.orders)
    assert summary.rows_read == sum(len(o.lines) for o in shop.orders)


def test_trailing_tabs_leave_ids_and_times_clean(vault: Vault, tmp_path: Path, shop: se.Shop) -> None:
    path = se.write_orders_csv(tmp_path / "orders.csv", shop.orders, shop.region, se.Quirks(trailing_tabs=True))
    assert "\t," in path.read_text(encoding="utf-8-sig")
    import_file(vault, path)
    ids = {r[0] for r in vault.conn.execute("SELECT order_id FROM orders")}
    assert ids == {o.order_id for o in shop.orders}
    skus = {r[0] for r in vault.conn.execute("SELECT sku_id FROM order_lines")}
    assert all(s.isdigit() for s in skus)
    assert not vault.conn.execute("SELECT count(*) FROM orders WHERE created_text LIKE '%\t%'").fetchone()[0]


@pytest.mark.parametrize(("bom", "crlf"), [(True, True), (False, False), (True, False)])
def test_bom_and_line_ends(vault: Vault, tmp_path: Path, shop: se.Shop, bom: bool, crlf: bool) -> None:
    path = se.write_orders_csv(tmp_path / "orders.csv", shop.orders, shop.region, se.Quirks(bom=bom, crlf=crlf))
    assert path.read_bytes().startswith(b"\xef\xbb\xbf") == bom
    assert import_file(vault, path).new == len(shop.orders)


def test_order_money_counts_once_per_order(vault: Vault, tmp_path: Path) -> None:
    shop = se.make_shop(seed=5, orders=30, today=se.date(2026, 11, 1))
    multi = [o for o in shop.orders if len(o.lines) > 1]
    assert multi, "the generator makes orders of two lines"
    path = se.write_orders_csv(tmp_path / "orders.csv", shop.orders, shop.region)
    import_file(vault, path)
    total = vault.conn.execute("SELECT sum(order_amount) FROM orders").fetchone()[0]
    assert total == int(sum(o.amount for o in shop.orders) * 100)
    lines = vault.conn.execute("SELECT count(*) FROM order_lines").fetchone()[0]
    assert lines == sum(len(o.lines) for o in shop.orders)


@pytest.mark.parametrize("region", ["TH", "ID"])
def test_regional_columns_are_kept_not_refused(tmp_path: Path, region: str) -> None:
    shop = se.make_shop(seed=2, orders=12, region=region, today=se.date(2026, 11, 1))
    vault = Vault.create(tmp_path / "v.shopexit", PASSPHRASE, ShopProfile("c", "s", region, shop.currency))
    path = se.write_orders_csv(tmp_path / "orders.csv", shop.orders, shop.region)
    header = path.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert len(header) == (59 if region == "TH" else 65)
    summary = import_file(vault, path)
    assert summary.refused == [] and summary.new == 12
    raw = decode_row(vault.conn, vault.conn.execute("SELECT raw_json FROM orders LIMIT 1").fetchone()[0])
    assert "Small Order Fee" in raw and ("District" in raw or "Districts" in raw)
    assert vault.conn.execute("SELECT DISTINCT currency FROM orders").fetchall() == [(shop.currency,)]
    vault.lock()


def test_orders_as_xlsx(vault: Vault, tmp_path: Path, shop: se.Shop) -> None:
    path = se.write_orders_xlsx(tmp_path / "orders.xlsx", shop.orders, shop.region, replace(se.Quirks()))
    summary = import_file(vault, path)
    assert summary.label == "Orders export (XLSX)" and summary.new == len(shop.orders)


def test_unknown_and_extra_columns_are_kept(vault: Vault, tmp_path: Path, shop: se.Shop) -> None:
    rows = list(se.order_rows(shop.orders[:3], shop.region, se.Quirks(description_row=False)))
    rows[0] = [*rows[0], "Brand New Column"]
    rows[1] = [*rows[1], "kept", "beyond the header"]
    path = tmp_path / "orders.csv"
    path.write_bytes(se.csv_text(rows))
    assert import_file(vault, path).refused == []
    raws = [decode_row(vault.conn, r[0]) for r in vault.conn.execute("SELECT raw_json FROM orders ORDER BY id")]
    assert raws[0]["Brand New Column"] == "kept" and raws[0]["column 59"] == "beyond the header"
