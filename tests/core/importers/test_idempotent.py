"""Re-imports and overlapping exports never count anything twice; a later export updates what changed."""

from __future__ import annotations

from pathlib import Path

from shopexit.core import sample_exports as se
from shopexit.core.importers import import_file
from shopexit.core.status import status
from shopexit.core.vault import Vault


def test_same_file_twice_is_one_attachment_and_all_unchanged(vault: Vault, exports: dict[str, Path]) -> None:
    first = import_file(vault, exports["settlements"])
    second = import_file(vault, exports["settlements"])
    assert (second.new, second.updated, second.unchanged) == (0, 0, first.new)
    attachments = vault.conn.execute("SELECT id, origin FROM attachments").fetchall()
    assert len(attachments) == 1 and attachments[0][1] == "import"
    imports = vault.conn.execute("SELECT attachment_id, kind, records_new, records_unchanged FROM imports"
                                 " ORDER BY id").fetchall()
    assert imports == [(attachments[0][0], "settlements", first.new, 0),
                       (attachments[0][0], "settlements", 0, first.new)]
    # records keep the import that wrote them; the file is linked to both imports
    assert {r[0] for r in vault.conn.execute("SELECT DISTINCT import_id FROM settlements")} == {first.import_id}
    links = vault.conn.execute("SELECT target_kind, target_id FROM attachment_links ORDER BY target_id").fetchall()
    assert links == [("import", first.import_id), ("import", second.import_id)]


def test_overlapping_weekly_settlement_exports(vault: Vault, tmp_path: Path, shop: se.Shop) -> None:
    rows = list(se.settlement_rows(shop, se.Quirks()))
    header, body = rows[0], rows[1:]
    third = len(body) // 3
    week1 = tmp_path / "week1.csv"
    week2 = tmp_path / "week2.csv"
    week1.write_bytes(se.csv_text([header, *body[: 2 * third]]))
    week2.write_bytes(se.csv_text([header, *body[third:], body[-1]]))  # overlaps week 1, repeats a row
    a = import_file(vault, week1)
    b = import_file(vault, week2)
    assert a.new == 2 * third
    assert b.new == len(body) - 2 * third and b.unchanged == third + 1
    settled = status(vault.conn)["funds"]["USD"]["settled"]
    assert settled == se.expected_figures(shop)["settled"]


def test_later_export_moves_an_order_to_completed(vault: Vault, tmp_path: Path, shop: se.Shop) -> None:
    waiting = [o for o in shop.orders if o.status == "Awaiting shipment"]
    assert waiting
    early = se.write_orders_csv(tmp_path / "early.csv", shop.orders, shop.region)
    import_file(vault, early)
    open_before = status(vault.conn)["orders"]["open"]
    for order in waiting:
        order.status = "Completed"
    later = se.write_orders_csv(tmp_path / "later.csv", shop.orders, shop.region)
    summary = import_file(vault, later)
    assert summary.updated == len(waiting)
    assert summary.unchanged == len(shop.orders) - len(waiting) and summary.new == 0
    assert status(vault.conn)["orders"]["open"] == open_before - len(waiting)
    row = vault.conn.execute("SELECT status, import_id FROM orders WHERE order_id = ?",
                             (waiting[0].order_id,)).fetchone()
    assert row == ("Completed", summary.import_id)
    assert vault.conn.execute("SELECT count(*) FROM order_lines").fetchone()[0] == sum(
        len(o.lines) for o in shop.orders)


def test_withdrawal_status_moves_on(vault: Vault, tmp_path: Path, shop: se.Shop) -> None:
    path = se.write_withdrawals_csv(tmp_path / "w1.csv", shop)
    import_file(vault, path)
    withdrawn = status(vault.conn)["funds"]["USD"]["withdrawn"]
    pending = next(w for w in shop.withdrawals if w.status == "PROCESSING")
    pending.status = "SUCCESS"
    summary = import_file(vault, se.write_withdrawals_csv(tmp_path / "w2.csv", shop))
    assert (summary.new, summary.updated) == (0, 1)
    now = status(vault.conn)["funds"]["USD"]["withdrawn"]
    assert se.Decimal(now) == se.Decimal(withdrawn) + pending.amount


def test_on_hold_money_that_settled_is_not_held_twice(vault: Vault, tmp_path: Path, shop: se.Shop) -> None:
    """An older on-hold snapshot holds an order that a later income export shows settled."""
    completed = shop.settled_orders()[:2]
    snapshot = se.write_on_hold_xlsx(tmp_path / "old_onhold.xlsx", shop, orders=completed + shop.held_orders())
    import_file(vault, snapshot)
    import_file(vault, se.write_settlements_xlsx(tmp_path / "income.xlsx", shop))
    funds = status(vault.conn)["funds"]["USD"]
    assert funds["on_hold"] == se.expected_figures(shop)["on_hold"]
    assert funds["settled"] == se.expected_figures(shop)["settled"]
