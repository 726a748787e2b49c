"""The orders import writes on a background thread while it parses (records/orders.py `BatchPipe`).

Whatever stops an import part-way — a refused row, cancel, an error on the writer thread — must stop the writer
before the rollback and leave the vault exactly as it was. Batches are made small here (BATCH = 7) so several
have really been written by the writer thread when the stop comes.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest

from shopexit.core import sample_exports as se
from shopexit.core.errors import Cancelled
from shopexit.core.importers import ImportRefused, context, import_file
from shopexit.core.records import orders as records_orders
from shopexit.core.vault import Vault
from tests.core.importers.conftest import write_csv
from tests.helpers.vault_dump import dump

ORDERS = 120


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(records_orders, "BATCH", 7)
    monkeypatch.setattr(context, "PROGRESS_EVERY", 10)


@pytest.fixture
def rows() -> list[list[str]]:
    shop = se.make_shop(seed=5, orders=ORDERS, today=se.date(2026, 11, 1))
    return list(se.order_rows(shop.orders, shop.region, se.Quirks()))


def _writers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "import-writer"]


def _traced_threads(vault: Vault) -> set[int]:
    """Which threads ran INSERT INTO orders on the vault's connection (the trace runs on the thread stepping)."""
    seen: set[int] = set()

    def trace(sql: str) -> None:
        if sql.lstrip().upper().startswith("INSERT INTO ORDERS("):
            seen.add(threading.get_ident())

    vault.conn.set_trace_callback(trace)
    return seen


def test_batches_are_written_by_the_writer_thread(vault: Vault, tmp_path: Path, rows: list[list[str]]) -> None:
    path = write_csv(tmp_path / "orders.csv", rows)
    threads = _traced_threads(vault)
    interval = sys.getswitchinterval()
    summary = import_file(vault, path)
    vault.conn.set_trace_callback(None)
    assert summary.new == ORDERS
    assert threads and threading.get_ident() not in threads  # written by another thread, not this one
    assert vault.conn.execute("SELECT count(*) FROM orders").fetchone()[0] == ORDERS
    assert sys.getswitchinterval() == interval and not _writers()


def test_refused_row_mid_import_leaves_the_vault_unchanged(vault: Vault, tmp_path: Path,
                                                          rows: list[list[str]]) -> None:
    import_file(vault, write_csv(tmp_path / "first.csv", rows[:40]))  # something already in the vault
    before = dump(vault.conn)
    bad = len(rows) - 15  # well past several written batches
    col = rows[0].index("Order Amount")
    rows[bad][col] = "twelve dollars"
    threads = _traced_threads(vault)
    interval = sys.getswitchinterval()
    with pytest.raises(ImportRefused) as caught:
        import_file(vault, write_csv(tmp_path / "orders.csv", rows))
    vault.conn.set_trace_callback(None)
    assert str(caught.value) == f"orders.csv, row {bad + 1}, column 'Order Amount': {caught.value.message}"
    assert "\n" not in str(caught.value)
    assert threads - {threading.get_ident()}  # the writer had written batches before the refusal
    assert dump(vault.conn) == before
    assert sys.getswitchinterval() == interval and not _writers()


def test_cancel_mid_import_leaves_the_vault_unchanged(vault: Vault, tmp_path: Path, rows: list[list[str]]) -> None:
    path = write_csv(tmp_path / "orders.csv", rows)
    before = dump(vault.conn)
    seen: list[int] = []
    threads = _traced_threads(vault)
    with pytest.raises(Cancelled):
        import_file(vault, path, progress=lambda done, total: seen.append(done), cancelled=lambda: len(seen) >= 5)
    vault.conn.set_trace_callback(None)
    assert seen[-1] >= 40 and threads  # cancelled after batches were written
    assert dump(vault.conn) == before and not _writers()
    assert import_file(vault, path).new == ORDERS  # the vault is still usable, the triggers are back
    assert vault.conn.execute(
        "SELECT count(*) FROM search_index WHERE search_index MATCH ?", (f'"{rows[3][0].strip()}"',)).fetchone()[0]


def test_writer_error_is_raised_in_the_caller_and_rolls_back(vault: Vault, tmp_path: Path,
                                                             rows: list[list[str]]) -> None:
    # A real SQLite failure on the writer thread: this vault refuses one order's line.
    victim = rows[len(rows) - 20][0].strip()
    vault.conn.execute(
        "CREATE TRIGGER refuse_one BEFORE INSERT ON order_lines WHEN NEW.order_ref = "
        f"(SELECT id FROM orders WHERE order_id = '{victim}') BEGIN SELECT RAISE(ABORT, 'refused here'); END")
    before = dump(vault.conn)
    with pytest.raises(Exception, match="refused here"):
        import_file(vault, write_csv(tmp_path / "orders.csv", rows))
    assert dump(vault.conn) == before and not _writers()


def test_reimport_updates_through_the_writer(vault: Vault, tmp_path: Path, rows: list[list[str]]) -> None:
    """Orders already held are compared on the caller's thread between queued batches (the drain path)."""
    import_file(vault, write_csv(tmp_path / "half.csv", rows[: len(rows) // 2]))
    status = rows[0].index("Order Status")
    changed = rows[5][0].strip()
    for row in rows[1:]:
        if row[0].strip() == changed:
            row[status] = "Cancelled"
    summary = import_file(vault, write_csv(tmp_path / "all.csv", rows))
    assert summary.updated >= 1 and summary.new + summary.updated + summary.unchanged == ORDERS
    assert vault.conn.execute("SELECT status FROM orders WHERE order_id = ?", (changed,)).fetchone()[0] == "Cancelled"
    assert vault.conn.execute("SELECT count(*) FROM orders").fetchone()[0] == ORDERS
