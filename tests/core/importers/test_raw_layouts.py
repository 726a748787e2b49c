"""The compact `raw_json` of orders and lines: `[layout id, cells …]` with the header names once per layout.

Every test imports real files in the real orders layout into a real vault. Rows written in the object form
{header: cell} (every vault before the compact form, and test helpers) must read, re-import and purge exactly as
the compact rows do.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

from shopexit.core import sample_exports as se
from shopexit.core.importers import import_file
from shopexit.core.records import browse, exit_steps, raw
from shopexit.core.schema import LATEST_VERSION
from shopexit.core.vault import ShopProfile, Vault
from tests.conftest import PASSPHRASE

ORDER_HEADERS = ("Order ID", "Order Status", "Buyer Username", "Recipient", "Phone #", "Warehouse Name")


def _file_rows(path: Path) -> list[dict[str, str]]:
    """The file as the user sees it in a spreadsheet: header → cell, one dict per data row."""
    text = path.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header = [h.strip() for h in rows[0]]
    body = [r for r in rows[1:] if not r[0].startswith("Platform unique order ID")]
    return [dict(zip(header, r, strict=False)) for r in body]


def _stored(vault: Vault, table: str) -> list[str]:
    return [r[0] for r in vault.conn.execute(f"SELECT raw_json FROM {table} ORDER BY id")]


def _decoded(vault: Vault, table: str) -> list[dict[str, str]]:
    known = raw.layouts(vault.conn)
    return [raw.decode(text, known) for text in _stored(vault, table)]


def _to_object_form(vault: Vault) -> None:
    """Rewrite every order and line as a vault before the compact form held them, with no layouts at all."""
    known = raw.layouts(vault.conn)
    with vault.transaction() as tx:
        for table in ("orders", "order_lines"):
            for row_id, text in tx.execute(f"SELECT id, raw_json FROM {table}").fetchall():
                tx.execute(f"UPDATE {table} SET raw_json = ? WHERE id = ?",
                           (json.dumps(raw.decode(text, known), ensure_ascii=False), row_id))
        tx.execute("DELETE FROM raw_layouts")


def test_an_import_stores_cells_after_their_layout(vault: Vault, tmp_path: Path, shop: se.Shop) -> None:
    path = se.write_orders_csv(tmp_path / "orders.csv", shop.orders, shop.region)
    import_file(vault, path)
    layouts = vault.conn.execute("SELECT id, columns FROM raw_layouts ORDER BY id").fetchall()
    assert len(layouts) == 2  # one for the order's columns, one for the line's
    names = {i: json.loads(c) for i, c in layouts}
    for table in ("orders", "order_lines"):
        for text in _stored(vault, table):
            value = json.loads(text)
            assert isinstance(value, list) and value[0] in names and len(value) == len(names[value[0]]) + 1
    # every cell of the file is kept under its own header: orders hold the order's, lines the line's
    file_rows = _file_rows(path)
    first = {r["Order ID"].strip(): r for r in reversed(file_rows)}
    for order in _decoded(vault, "orders"):
        source = first[order["Order ID"].strip()]
        # (the reader drops the TAB the export appends to ids and times, as it always did)
        assert order == {k: v.rstrip("\t") for k, v in source.items() if k in order}
        assert "Product Name" not in order and {"Order Status", "Recipient", "Phone #"} <= set(order)
    lines = _decoded(vault, "order_lines")
    assert len(lines) == len(file_rows)
    assert [line["SKU ID"] for line in lines] == [r["SKU ID"].rstrip("\t") for r in file_rows]
    assert "Order Status" not in lines[0] and "Product Name" in lines[0]
    # the point of it: far fewer bytes per row than the object form
    stored = sum(len(t) for t in _stored(vault, "orders"))
    as_objects = sum(len(json.dumps(o, ensure_ascii=False)) for o in _decoded(vault, "orders"))
    assert stored < as_objects * 0.6


def test_the_same_file_again_is_unchanged_and_adds_no_layout(vault: Vault, tmp_path: Path, shop: se.Shop) -> None:
    path = se.write_orders_csv(tmp_path / "orders.csv", shop.orders, shop.region)
    first = import_file(vault, path)
    before = (_stored(vault, "orders"), _stored(vault, "order_lines"))
    again = import_file(vault, path)
    assert (again.new, again.updated, again.unchanged) == (0, 0, first.new)
    assert (_stored(vault, "orders"), _stored(vault, "order_lines")) == before
    assert vault.conn.execute("SELECT count(*) FROM raw_layouts").fetchone()[0] == 2


def test_object_form_rows_read_and_reimport_unchanged(vault: Vault, tmp_path: Path, shop: se.Shop) -> None:
    path = se.write_orders_csv(tmp_path / "orders.csv", shop.orders, shop.region)
    first = import_file(vault, path)
    compact = {"orders": _decoded(vault, "orders"), "order_lines": _decoded(vault, "order_lines")}
    order_id = vault.conn.execute("SELECT id FROM orders ORDER BY id LIMIT 1").fetchone()[0]
    detail = browse.order_detail(vault.conn, order_id)
    _to_object_form(vault)
    assert all(t.startswith("{") for t in _stored(vault, "orders") + _stored(vault, "order_lines"))
    assert {"orders": _decoded(vault, "orders"), "order_lines": _decoded(vault, "order_lines")} == compact
    assert browse.order_detail(vault.conn, order_id) == detail
    # the same file imported into such a vault: nothing counts as updated, and no row is rewritten
    objects = (_stored(vault, "orders"), _stored(vault, "order_lines"))
    again = import_file(vault, path)
    assert (again.new, again.updated, again.unchanged) == (0, 0, first.new)
    assert (_stored(vault, "orders"), _stored(vault, "order_lines")) == objects
    # a change in one order still shows as one update, and that order is then stored in the compact form
    changed = shop.orders[0]
    changed.status = "Completed" if changed.status != "Completed" else "Cancelled"
    later = se.write_orders_csv(tmp_path / "later.csv", shop.orders, shop.region)
    summary = import_file(vault, later)
    assert (summary.new, summary.updated) == (0, 1)
    text = vault.conn.execute("SELECT raw_json FROM orders WHERE order_id = ?", (changed.order_id,)).fetchone()[0]
    assert raw.decode_row(vault.conn, text)["Order Status"] == changed.status and text.startswith("[")


def test_a_second_layout_gets_its_own_row_and_each_row_decodes_with_its_own(vault: Vault, tmp_path: Path,
                                                                            shop: se.Shop) -> None:
    us = se.write_orders_csv(tmp_path / "orders.csv", shop.orders[:20], shop.region)
    import_file(vault, us)
    # a later file with one more column, holding orders 11–30: 10 updated (new cell), 10 new
    rows = list(se.order_rows(shop.orders[10:30], shop.region, se.Quirks(description_row=False)))
    rows = [[*rows[0], "Gift Wrap"], *[[*r, f"wrap {n}"] for n, r in enumerate(rows[1:])]]
    wider = tmp_path / "wider.csv"
    wider.write_bytes(se.csv_text(rows))
    summary = import_file(vault, wider)
    assert (summary.new, summary.updated, summary.unchanged) == (10, 10, 0)
    layouts = raw.layouts(vault.conn)
    assert len(layouts) == 3  # two order layouts; the lines' columns are the same in both files: one layout
    assert sum("Gift Wrap" in names for names in layouts.values()) == 1
    by_id = {o["Order ID"].strip(): o for o in _decoded(vault, "orders")}
    for order in shop.orders[:10]:
        assert "Gift Wrap" not in by_id[order.order_id] and by_id[order.order_id]["Order Status"] == order.status
    for order in shop.orders[10:30]:
        assert by_id[order.order_id]["Gift Wrap"].startswith("wrap ")
        assert by_id[order.order_id]["Order Status"] == order.status
    line_layouts = {json.loads(t)[0] for t in _stored(vault, "order_lines")}
    assert len(line_layouts) == 1


def test_purge_blanks_buyer_cells_in_both_forms(vault: Vault, tmp_path: Path, shop: se.Shop) -> None:
    path = se.write_orders_csv(tmp_path / "orders.csv", shop.orders, shop.region)
    import_file(vault, path)
    # half the orders as an older vault stored them, half compact
    half = len(shop.orders) // 2
    known = raw.layouts(vault.conn)
    with vault.transaction() as tx:
        for row_id, text in tx.execute("SELECT id, raw_json FROM orders WHERE id % 2 = 0").fetchall():
            tx.execute("UPDATE orders SET raw_json = ? WHERE id = ?",
                       (json.dumps(raw.decode(text, known), ensure_ascii=False), row_id))
    forms = [t[0] for t in _stored(vault, "orders")]
    assert forms.count("{") == half and forms.count("[") == len(shop.orders) - half
    buyer = shop.orders[0].buyer
    everything = " ".join(_stored(vault, "orders"))
    assert buyer.recipient in everything and buyer.phone in everything

    with vault.transaction() as tx:
        result = exit_steps.purge_buyer_data(tx, today=date(2026, 11, 27))
    assert result.orders == len(shop.orders) and result.fields_removed > 0
    after = _stored(vault, "orders")
    assert [t[0] for t in after] == forms  # each row keeps its form
    everything = " ".join(after + _stored(vault, "order_lines"))
    for order in shop.orders:
        for secret in (order.buyer.recipient, order.buyer.phone, order.buyer.username, order.buyer.zipcode):
            assert secret not in everything, secret
    for order in _decoded(vault, "orders"):
        assert order["Recipient"] == order["Phone #"] == order["Buyer Username"] == order["Zipcode"] == ""
        assert order["Order Status"] and order["Order ID"] and order["Warehouse Name"]
    by_id = {o["Order ID"].strip(): o for o in _decoded(vault, "orders")}
    assert all(by_id[o.order_id]["Order Status"] == o.status for o in shop.orders)


def test_the_migration_applies_to_a_vault_made_before_it(tmp_path: Path, shop: se.Shop) -> None:
    path = tmp_path / "old.shopexit"
    vault = Vault.create(path, PASSPHRASE, ShopProfile("c", "s", "US", "USD"))
    import_file(vault, se.write_orders_csv(tmp_path / "orders.csv", shop.orders[:10], shop.region))
    _to_object_form(vault)
    decoded = _decoded(vault, "orders")
    vault.conn.execute("DROP TABLE raw_layouts")
    vault.conn.execute(f"PRAGMA user_version = {LATEST_VERSION - 1}")
    vault.lock()

    vault = Vault.open(path, PASSPHRASE)
    try:
        assert vault.schema_version == LATEST_VERSION == 7
        assert vault.conn.execute("SELECT count(*) FROM raw_layouts").fetchone()[0] == 0
        assert _decoded(vault, "orders") == decoded  # the old rows read as they are
        summary = import_file(vault, se.write_orders_csv(tmp_path / "more.csv", shop.orders[:20], shop.region))
        assert (summary.new, summary.updated, summary.unchanged) == (10, 0, 10)
        forms = [t[0] for t in _stored(vault, "orders")]
        assert forms == ["{"] * 10 + ["["] * 10
    finally:
        vault.lock()


def test_money_record_details_show_the_same_fields_for_both_forms(vault: Vault, exports: dict[str, Path]) -> None:
    import_file(vault, exports["settlements"])
    row_id, text = vault.conn.execute("SELECT id, raw_json FROM settlements ORDER BY id LIMIT 1").fetchone()
    before = browse.money_detail(vault.conn, "settlement", row_id)
    assert before.extra["raw"]
    fields = raw.decode_row(vault.conn, text)
    with vault.transaction() as tx:
        tx.execute("UPDATE settlements SET raw_json = ? WHERE id = ?",
                   (raw.encode(raw.layout_id(tx, list(fields)), list(fields.values())), row_id))
    assert vault.conn.execute("SELECT raw_json FROM settlements WHERE id = ?", (row_id,)).fetchone()[0][0] == "["
    assert browse.money_detail(vault.conn, "settlement", row_id) == before
