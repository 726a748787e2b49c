"""`shopexit --self-test` from source: the same run the build makes on the frozen bundle."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from shopexit.selftest import CHECKS, _private_environment


def test_self_test_passes_from_source(tmp_path: Path) -> None:
    """The real thing: a vault, the demo imports, evidence, a signed archive, the unlock window (~10 s)."""
    env = {**os.environ, "TMPDIR": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-m", "shopexit", "--self-test"], capture_output=True, text=True,
                            env=env, timeout=180, check=False)
    lines = result.stdout.splitlines()
    assert result.returncode == 0, result.stdout + result.stderr
    for name, _ in CHECKS:
        assert any(line.startswith("PASS") and line.split()[1] == name for line in lines), name
    assert lines[-1].startswith("self-test passed")
    assert not list(tmp_path.iterdir()), "the self-test removes its temporary folder"


def test_self_test_is_a_top_level_option() -> None:
    result = subprocess.run([sys.executable, "-m", "shopexit", "--help"], capture_output=True, text=True,
                            check=False, timeout=60)
    assert result.returncode == 0 and "--self-test" in result.stdout


def test_checks_keep_away_from_the_users_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", "/users/config")
    monkeypatch.setenv("SHOPEXIT_VAULT", "/users/vault.shopexit")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    with _private_environment(tmp_path):
        assert Path(os.environ["XDG_CONFIG_HOME"]).is_relative_to(tmp_path)
        assert Path(os.environ["XDG_CACHE_HOME"]).is_relative_to(tmp_path)
        assert "SHOPEXIT_VAULT" not in os.environ
    assert os.environ["XDG_CONFIG_HOME"] == "/users/config"
    assert os.environ["SHOPEXIT_VAULT"] == "/users/vault.shopexit"
    assert "XDG_CACHE_HOME" not in os.environ
