"""Imported orders are findable: the search index is filled in one pass and its triggers are put back as they were."""

from __future__ import annotations

from pathlib import Path

from shopexit.core import sample_exports as se
from shopexit.core.importers import import_file
from shopexit.core.vault import Vault


def _triggers(vault: Vault) -> list[tuple[str, str]]:
    return vault.conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name").fetchall()


def test_orders_and_lines_are_indexed_and_triggers_restored(vault: Vault, exports: dict[str, Path],
                                                            shop: se.Shop) -> None:
    before = _triggers(vault)
    import_file(vault, exports["orders"])
    assert _triggers(vault) == before
    hits = vault.conn.execute("SELECT kind, count(*) FROM search_index WHERE search_index MATCH ? GROUP BY kind",
                              ('"Ångström"',)).fetchall()
    zoe = [o for o in shop.orders if o.buyer.username == "zoe.ang"]
    assert dict(hits).get("order") == len(zoe)
    lines = vault.conn.execute("SELECT count(*) FROM search_index WHERE kind = 'order_line'").fetchone()[0]
    assert lines == sum(len(o.lines) for o in shop.orders)
    # rows added later, one by one, are indexed by the restored trigger
    with vault.transaction() as tx:
        tx.execute("INSERT INTO orders(order_id, status, currency, recipient, updated_at)"
                   " VALUES ('X1', 'Completed', 'USD', 'Quentin Quux', 'now')")
    assert vault.conn.execute("SELECT count(*) FROM search_index WHERE search_index MATCH 'Quux'").fetchone()[0] == 1


def test_a_second_import_indexes_only_its_new_rows(vault: Vault, tmp_path: Path, shop: se.Shop) -> None:
    half = len(shop.orders) // 2
    import_file(vault, se.write_orders_csv(tmp_path / "a.csv", shop.orders[:half], shop.region))
    import_file(vault, se.write_orders_csv(tmp_path / "b.csv", shop.orders, shop.region))
    entries = vault.conn.execute("SELECT count(*) FROM search_index WHERE kind = 'order'").fetchone()[0]
    assert entries == len(shop.orders)
