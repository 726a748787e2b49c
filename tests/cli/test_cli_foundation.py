"""The `shopexit` command end to end, as a user's script runs it: a real process, a real vault."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.cli import run


@pytest.fixture
def vault_file(tmp_path: Path) -> Path:
    path = tmp_path / "cli.shopexit"
    run("init", "--vault", str(path), "--creator", "Zoë Ångström", "--shop", "Harbor Goods Co")
    return path


def test_init_then_status_json_needs_no_prompt(vault_file: Path) -> None:
    data = json.loads(run("status", "--json", "--vault", str(vault_file)).stdout)
    assert data["orders"] == {"total": 0, "open": 0, "lines": 0, "by_status": {}}
    assert data["funds"] == {} and data["messages"] == 0 and data["attachments"] == 0 and data["cases_open"] == 0
    assert [s["number"] for s in data["steps"]] == list(range(1, 11))
    assert {s["status"] for s in data["steps"]} == {"todo"}
    assert data["steps"][3]["title"] == "Close the shop"
    assert set(data["closure"]) == {"earliest_close_date", "not_before", "blockers"}


def test_vault_comes_from_the_environment_when_not_given(vault_file: Path) -> None:
    out = run("status", env={"SHOPEXIT_VAULT": str(vault_file)}).stdout
    assert "Harbor Goods Co" in out and "Earliest closure date" in out


def test_wrong_passphrase_is_one_line_and_exit_1(vault_file: Path) -> None:
    result = run("status", "--vault", str(vault_file), env={"SHOPEXIT_PASSPHRASE": "nope"}, check=1)
    assert result.stderr.count("\n") == 1 and "Wrong passphrase" in result.stderr
    assert "Traceback" not in result.stderr


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run("status", "--bogus", check=2).returncode == 2
    result = run("attach", "x", "--to", "nonsense", "--vault", str(tmp_path / "v"), check=None)
    assert result.returncode in (1, 2) and "Traceback" not in result.stderr


def test_no_passphrase_and_no_terminal_is_a_clear_error(vault_file: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "SHOPEXIT_PASSPHRASE"}
    result = subprocess.run([sys.executable, "-m", "shopexit", "status", "--vault", str(vault_file)],
                            capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=60)
    assert result.returncode == 1 and "SHOPEXIT_PASSPHRASE" in result.stderr


def test_weak_passphrase_refused_at_init(tmp_path: Path) -> None:
    result = run("init", "--vault", str(tmp_path / "w.shopexit"), "--creator", "A", "--shop", "B",
                 env={"SHOPEXIT_PASSPHRASE": "password1"}, check=1)
    assert "too weak" in result.stderr and not (tmp_path / "w.shopexit").exists()


def test_attach_links_and_status_counts(vault_file: Path, tmp_path: Path) -> None:
    receipt = tmp_path / "receipt.png"
    receipt.write_bytes(b"%PDF-1.4\n% a PDF that claims to be a PNG\n")
    out = run("attach", str(receipt), "--to", "step:3", "--note", "withdrawal receipt", "--vault",
              str(vault_file)).stdout
    assert "application/pdf" in out
    again = run("attach", str(receipt), "--vault", str(vault_file)).stdout
    assert "already kept" in again
    assert json.loads(run("status", "--json", "--vault", str(vault_file)).stdout)["attachments"] == 1
    missing = run("attach", str(tmp_path / "missing.png"), "--vault", str(vault_file), check=1)
    assert "no such file" in missing.stderr


def test_rekey_and_doctor(vault_file: Path, tmp_path: Path) -> None:
    new_file = tmp_path / "new.txt"
    new_file.write_text("a brand new long passphrase 2026\n")
    out = run("rekey", "--vault", str(vault_file), "--new-passphrase-file", str(new_file)).stdout
    assert "Passphrase changed" in out
    run("doctor", "--vault", str(vault_file), check=1)  # old passphrase no longer opens it
    doctor = run("doctor", "--vault", str(vault_file), env={"SHOPEXIT_PASSPHRASE": "a brand new long passphrase 2026"})
    assert "vault is healthy" in doctor.stdout and "audit chain: ok" in doctor.stdout
