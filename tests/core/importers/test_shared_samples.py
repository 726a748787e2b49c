"""The real-layout samples beside the checkout (CI has them): every EXPECTED.json figure, exactly."""

from __future__ import annotations

import json
from pathlib import Path

from shopexit.core.importers import import_file
from shopexit.core.status import status
from shopexit.core.vault import Vault

SAMPLE_FILES = (
    "orders_us.csv", "income_order_details.xlsx", "Onhold-unsettled-orders-2026_10_01-2026_10_31(UTC-7).xlsx",
    "affiliate_creator_orders.csv", "withdrawals.csv", "tiktok_data_export.zip",
)


def test_importing_every_sample_gives_expected_json(vault: Vault, shared_samples: Path) -> None:
    expected = json.loads((shared_samples / "EXPECTED.json").read_text(encoding="utf-8"))
    kinds = set()
    for name in SAMPLE_FILES:
        summary = import_file(vault, shared_samples / name)
        assert summary.refused == []
        kinds.add(summary.kind)
    assert len(kinds) == 6
    data = status(vault.conn)
    orders = expected["orders"]
    assert data["orders"]["total"] == orders["orders_total"]
    assert data["orders"]["open"] == orders["orders_open"]
    assert data["orders"]["lines"] == orders["order_lines"]
    assert data["orders"]["by_status"] == orders["by_status"]
    usd = data["funds"]["USD"]
    assert usd["settled"] == expected["settled_usd"]
    assert usd["on_hold"] == expected["on_hold_usd"]
    assert usd["withdrawn"] == expected["withdrawn_usd_succeeded"]
    commissions = data["commissions"]["USD"]
    assert commissions["estimated"] == expected["affiliate"]["estimated_usd"]
    assert commissions["earned"] == expected["affiliate"]["earned_usd"]
    assert commissions["ineligible_orders"] == expected["affiliate"]["ineligible"]
    assert vault.conn.execute("SELECT count(*) FROM commissions").fetchone()[0] == expected["affiliate"]["rows"]
    assert data["messages"] == expected["messages"]["direct"] + expected["messages"]["shop"]
    total = vault.conn.execute("SELECT sum(order_amount) FROM orders").fetchone()[0]
    assert f"{total / 100:.2f}" == orders["order_amount_sum"]


def test_no_on_hold_order_of_the_samples_has_settled(vault: Vault, shared_samples: Path) -> None:
    """So on-hold and settled never hold the same money (facts.funds would leave such a row out)."""
    for name in SAMPLE_FILES[1:3]:
        import_file(vault, shared_samples / name)
    both = vault.conn.execute(
        "SELECT count(*) FROM on_hold WHERE order_id IN (SELECT reference_id FROM settlements)").fetchone()[0]
    assert both == 0


def test_sample_messages_keep_direction_counterpart_and_time(vault: Vault, shared_samples: Path) -> None:
    import_file(vault, shared_samples / "tiktok_data_export.zip")
    rows = vault.conn.execute(
        "SELECT t.channel, t.counterpart, m.direction, m.sender, m.sent_at FROM messages m"
        " JOIN threads t ON t.id = m.thread_id ORDER BY m.sent_at").fetchall()
    assert rows[0] == ("direct", "harborgoods_official", "in", "harborgoods_official", "2026-09-02T14:03:11Z")
    assert rows[1][2] == "out"
    shop = [r for r in rows if r[0] == "shop"]
    assert [r[2] for r in shop] == ["in", "out"] and shop[0][1] == "Lumen & Loom Support"
