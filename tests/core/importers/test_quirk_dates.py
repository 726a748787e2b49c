"""Each date format, decided per file from its values; a file no value decides is refused, not guessed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from shopexit.core import sample_exports as se
from shopexit.core.importers import ImportRefused, import_file
from shopexit.core.importers.dates import DateProblem, DateReader
from shopexit.core.timeutil import zone_for_region
from shopexit.core.vault import Vault
from tests.helpers.vault_dump import dump


@pytest.mark.parametrize("style", ["mdy", "dmy", "ymd"])
def test_each_date_format_reads_the_same_moments(vault: Vault, tmp_path: Path, shop: se.Shop, style: str) -> None:
    path = se.write_orders_csv(tmp_path / f"orders_{style}.csv", shop.orders, shop.region,
                               se.Quirks(date_style=style))
    import_file(vault, path)
    zone = zone_for_region("US")
    for order in shop.orders[:10]:
        stored = vault.conn.execute("SELECT created_at FROM orders WHERE order_id = ?",
                                    (order.order_id,)).fetchone()[0]
        expected = order.created.replace(tzinfo=zone).astimezone(se.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        assert stored == expected


def test_ambiguous_dates_are_refused_naming_the_column(vault: Vault, tmp_path: Path) -> None:
    shop = se.make_shop(seed=4, orders=6, today=date(2026, 11, 1), ambiguous_dates=True)
    path = se.write_orders_csv(tmp_path / "orders.csv", shop.orders, shop.region)
    before = dump(vault.conn)
    with pytest.raises(ImportRefused) as caught:
        import_file(vault, path)
    assert caught.value.column == "Created Time" and "ambiguous" in str(caught.value)
    assert str(caught.value).startswith("orders.csv, column 'Created Time': dates are ambiguous")
    assert dump(vault.conn) == before


def test_one_late_value_decides_for_the_whole_file(vault: Vault, tmp_path: Path) -> None:
    """Rows before the deciding value are held, then read with the decided order."""
    shop = se.make_shop(seed=4, orders=6, today=date(2026, 11, 1), ambiguous_dates=True)
    shop.orders[-1].created = shop.orders[-1].created.replace(month=10, day=25)
    path = se.write_orders_csv(tmp_path / "orders.csv", shop.orders, shop.region, se.Quirks(date_style="dmy"))
    assert import_file(vault, path).new == 6
    first = shop.orders[0]
    stored = vault.conn.execute("SELECT created_at FROM orders WHERE order_id = ?", (first.order_id,)).fetchone()[0]
    assert stored[5:10] == f"{first.created.month:02d}-{first.created.day:02d}" or stored[5:7] == (
        f"{first.created.month:02d}")


def test_a_contradicting_value_is_named() -> None:
    reader = DateReader(zone_for_region("US"))
    assert reader.parse("05/21/2026 01:00:00 PM") == "2026-05-21T20:00:00Z"
    with pytest.raises(DateProblem, match="MM/DD/YYYY"):
        reader.parse("21/05/2026 01:00:00 PM")


@pytest.mark.parametrize(("text", "utc", "expected"), [
    ("05/21/2026 12:00:00 AM", False, "2026-05-21T07:00:00Z"),
    ("05/21/2026 12:30:00 PM", False, "2026-05-21T19:30:00Z"),
    ("01/13/2026 11:59:59 PM", False, "2026-01-14T07:59:59Z"),  # winter: UTC-8
    ("2026/01/13 23:59:59", False, "2026-01-14T07:59:59Z"),
    ("2026-05-21T16:20:00Z", False, "2026-05-21T16:20:00Z"),
    ("2026-05-21 16:20:00+07:00", False, "2026-05-21T09:20:00Z"),
    ("05/21/2026 16:20:00", True, "2026-05-21T16:20:00Z"),
    ("05/21/2026", False, "2026-05-21T07:00:00Z"),
])
def test_times_become_utc(text: str, utc: bool, expected: str) -> None:
    reader = DateReader(zone_for_region("US"))
    assert reader.parse(text, utc) == expected


@pytest.mark.parametrize("text", ["13/13/2026", "02/30/2026 10:00:00", "05/21/2026 13:00:00 PM", "yesterday",
                                  "05/21/2026 10:61:00 AM"])
def test_impossible_times_are_problems(text: str) -> None:
    reader = DateReader(zone_for_region("US"))
    reader.learn("05/21/2026", "x")
    with pytest.raises(DateProblem):
        reader.parse(text)
