"""--skip-bad-rows, dry runs (the GUI's preview), progress and cancel."""

from __future__ import annotations

from pathlib import Path

import pytest

from shopexit.core import sample_exports as se
from shopexit.core.errors import Cancelled
from shopexit.core.importers import ImportRefused, RowProblem, import_file
from shopexit.core.vault import Vault
from tests.core.importers.conftest import write_csv
from tests.helpers.vault_dump import dump


def _bad_orders(tmp_path: Path, shop: se.Shop) -> tuple[Path, set[str], tuple[int, int]]:
    rows = list(se.order_rows(shop.orders, shop.region, se.Quirks()))
    header = rows[0]
    # orders of one line (a skipped row is one line: another line of its order would still go in)
    firsts = [i for i in range(3, len(rows) - 1) if rows[i][0] not in (rows[i - 1][0], rows[i + 1][0])]
    a, b = firsts[0], firsts[2]
    rows[a][header.index("Order Amount")] = "12,34,5x"
    rows[b][header.index("Created Time")] = "31/31/2026 10:00:00 AM"
    bad_orders = {rows[a][0].strip(), rows[b][0].strip()}
    return write_csv(tmp_path / "orders.csv", rows), bad_orders, (a + 1, b + 1)


def test_skip_bad_rows_lists_each_and_imports_the_rest(vault: Vault, tmp_path: Path, shop: se.Shop) -> None:
    path, bad, (row_a, row_b) = _bad_orders(tmp_path, shop)
    with pytest.raises(ImportRefused):
        import_file(vault, path)
    summary = import_file(vault, path, skip_bad_rows=True)
    assert summary.refused == [
        RowProblem(row_a, "Order Amount", "not an amount: '12,34,5x'"),
        RowProblem(row_b, "Created Time", "not a date in this file's MM/DD/YYYY format: '31/31/2026 10:00:00 AM'"),
    ]
    assert str(summary.refused[0]) == f"row {row_a}, column 'Order Amount': not an amount: '12,34,5x'"
    imported = {r[0] for r in vault.conn.execute("SELECT order_id FROM orders")}
    assert imported == {o.order_id for o in shop.orders} - bad
    assert vault.conn.execute("SELECT rows_refused FROM imports").fetchone()[0] == 2


def test_dry_run_reports_everything_and_writes_nothing(vault: Vault, exports: dict[str, Path],
                                                       shop: se.Shop) -> None:
    before = dump(vault.conn)
    preview = import_file(vault, exports["orders"], dry_run=True)
    assert dump(vault.conn) == before
    assert preview.dry_run and preview.import_id is None and preview.new == len(shop.orders)
    real = import_file(vault, exports["orders"])
    assert (real.new, real.rows_read) == (preview.new, preview.rows_read)


def test_progress_is_reported(vault: Vault, tmp_path: Path) -> None:
    shop = se.make_shop(seed=1, orders=5000, today=se.date(2026, 11, 1))
    path = se.write_orders_csv(tmp_path / "orders.csv", shop.orders, shop.region)
    calls: list[tuple[int, int]] = []
    summary = import_file(vault, path, progress=lambda done, total: calls.append((done, total)))
    assert len(calls) >= 3 and calls[-1] == (summary.rows_read, summary.rows_read)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert all(total >= done for done, total in calls)


def test_cancel_leaves_nothing_behind(vault: Vault, tmp_path: Path) -> None:
    shop = se.make_shop(seed=1, orders=5000, today=se.date(2026, 11, 1))
    path = se.write_orders_csv(tmp_path / "orders.csv", shop.orders, shop.region)
    before = dump(vault.conn)
    seen: list[int] = []
    with pytest.raises(Cancelled):
        import_file(vault, path, progress=lambda done, total: seen.append(done), cancelled=lambda: len(seen) >= 1)
    assert seen and dump(vault.conn) == before
    assert import_file(vault, path).new == 5000  # and the vault is still usable
