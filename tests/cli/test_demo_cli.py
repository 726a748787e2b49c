"""`shopexit demo`: a vault holding an invented shop, made through the real importers and record functions."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from shopexit import cli
from shopexit.core.paths import data_dir
from shopexit.core.records import exit_steps
from shopexit.core.records.steps import all_steps
from shopexit.core.vault import Vault
from tests.conftest import PASSPHRASE


def test_demo_makes_a_populated_vault_and_prints_no_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SHOPEXIT_PASSPHRASE", PASSPHRASE)
    path = tmp_path / "demo.shopexit"
    assert cli.main(["demo", "--vault", str(path), "--orders", "40"]) == 0
    out, err = capsys.readouterr()
    assert f"Created the demo vault {path}" in out and "40 orders" in out
    assert PASSPHRASE not in out + err

    with Vault.open(path, PASSPHRASE) as vault:
        conn = vault.conn
        profile = vault.profile()
        assert (profile.creator, profile.shop_name) == ("Mara Lindqvist", "Lumen & Loom")
        assert conn.execute("SELECT count(*) FROM orders").fetchone()[0] == 40
        kinds = {k for (k,) in conn.execute("SELECT kind FROM imports")}
        assert kinds == {"orders", "settlements", "on_hold", "commissions", "withdrawals", "data_export"}
        assert conn.execute("SELECT count(*) FROM messages").fetchone()[0] >= 10
        photo = conn.execute("SELECT media_type, captured_at, width FROM attachments WHERE original_name = ?",
                             ("IMG_4471.jpg",)).fetchone()
        assert photo[0] == "image/jpeg" and photo[1] and photo[2] == 960  # EXIF time read back from the photo
        assert conn.execute("SELECT count(*) FROM attachments WHERE media_type = 'image/png'").fetchone()[0] >= 3
        case = conn.execute("SELECT kind, status, deadline FROM cases").fetchone()
        assert case[0] == "return" and case[1] == "open" and case[2]
        steps = {s.number: s for s in all_steps(conn)}
        assert steps[1].status == "done" and steps[4].data.get("notice_posted_on")
        assert {s.status for n, s in steps.items() if n in (2, 5, 6, 8, 9)} == {"doing"}
        assert exit_steps.draft(conn).startswith("Some news")
        assert [p.name for p in exit_steps.platforms(conn) if p.chosen] == ["Own website"]
        ticked = conn.execute("SELECT count(*) FROM step_checklist WHERE done = 1").fetchone()[0]
        assert ticked >= 10

    capsys.readouterr()
    assert cli.main(["status", "--json", "--vault", str(path)]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["orders"]["total"] == 40 and status["orders"]["open"] > 0
    assert status["closure"]["earliest_close_date"] is None  # orders are still open in the demo
    assert status["closure"]["not_before"] > date.today().isoformat()  # but the soonest date is known


def test_demo_never_overwrites_and_refuses_a_weak_passphrase(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "existing.shopexit"
    path.write_bytes(b"something else")
    monkeypatch.setenv("SHOPEXIT_PASSPHRASE", PASSPHRASE)
    assert cli.main(["demo", "--vault", str(path)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert path.read_bytes() == b"something else"

    monkeypatch.setenv("SHOPEXIT_PASSPHRASE", "demo")
    assert cli.main(["demo", "--vault", str(tmp_path / "weak.shopexit")]) == 1
    assert "too weak" in capsys.readouterr().err
    assert not (tmp_path / "weak.shopexit").exists()


def test_demo_goes_beside_the_default_vault_not_over_it(monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SHOPEXIT_PASSPHRASE", PASSPHRASE)
    assert cli.main(["demo", "--orders", "12", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert (data_dir() / "demo.shopexit").is_file()
    assert not (data_dir() / "vault.shopexit").exists()
    assert "…" not in out  # --quiet prints only the result
