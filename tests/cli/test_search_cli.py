"""`shopexit search TEXT [--json]` in a real process over a real vault."""

from __future__ import annotations

import json
from pathlib import Path

from shopexit.core.vault import ShopProfile, Vault
from tests.conftest import PASSPHRASE
from tests.helpers.cli import run
from tests.helpers.records import add_order, add_thread


def _vault(tmp_path: Path) -> Path:
    path = tmp_path / "s.shopexit"
    with Vault.create(path, PASSPHRASE, ShopProfile("Zoë", "Harbor Goods Co")) as vault:
        add_order(vault, "576457646075230001", recipient="Marisol Vega", lines=[("Lavender candle", 1, 1800)])
        add_thread(vault, "Marisol Vega", messages=[
            ("in", "Marisol Vega", "2026-05-02T09:00:00Z", "The box arrived crushed and the jar is cracked."),
        ])
    return path


def test_search_json_groups_results_by_kind(tmp_path: Path) -> None:
    path = _vault(tmp_path)
    data = json.loads(run("search", "marisol", "--json", "--vault", str(path)).stdout)
    assert data["query"] == "marisol"
    assert [g["kind"] for g in data["groups"]] == ["order", "message", "thread"]
    message = data["groups"][1]["hits"][0]
    assert message["kind"] == "message" and message["title"].startswith("Marisol Vega")
    assert "crushed" in message["snippet"]
    data = json.loads(run("search", "crush", "--json", "--vault", str(path)).stdout)
    assert [(g["kind"], len(g["hits"])) for g in data["groups"]] == [("message", 1)]
    assert "[crushed]" in data["groups"][0]["hits"][0]["snippet"]


def test_search_text_output_and_no_match_and_usage(tmp_path: Path) -> None:
    path = _vault(tmp_path)
    out = run("search", "lavender", "--vault", str(path)).stdout
    assert out.splitlines()[0] == "Orders — 1"
    assert "order:1  Order 576457646075230001 · Marisol Vega" in out
    assert "Nothing matches 'zebra'." in run("search", "zebra", "--vault", str(path)).stdout
    bad = run("search", "***", "--vault", str(path), check=2)
    assert "nothing to search for" in bad.stderr and "Traceback" not in bad.stderr


def test_search_says_how_many_match_when_it_shows_fewer(tmp_path: Path) -> None:
    path = _vault(tmp_path)
    with Vault.open(path, PASSPHRASE) as vault:
        for n in (2, 3):
            add_order(vault, f"57645764607523000{n}", recipient=f"Buyer {n}", lines=[("Lavender soap", 1, 900)])
    out = run("search", "lavender", "--limit", "2", "--vault", str(path)).stdout
    assert out.splitlines()[0] == "Orders — 2 of 3 (more: raise --limit)"
    data = json.loads(run("search", "lavender", "--limit", "2", "--json", "--vault", str(path)).stdout)
    assert [(g["kind"], len(g["hits"]), g["count"], g["count_capped"], g["more"]) for g in data["groups"]] == [
        ("order", 2, 3, False, True)]
