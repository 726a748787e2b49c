"""`shopexit export`, `verify` and `cert` as a user (and a recipient) runs them: real processes, a real vault."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PASSPHRASE
from tests.core.archive.fill import fill, make_vault


def run(*args: str, env: dict[str, str] | None = None, check: int | None = 0,
        passphrase: bool = True) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("SHOPEXIT_PASSPHRASE", "SHOPEXIT_VAULT")}
    if passphrase:
        base["SHOPEXIT_PASSPHRASE"] = PASSPHRASE
    result = subprocess.run([sys.executable, "-m", "shopexit", *args], capture_output=True, text=True,
                            env={**base, **(env or {})}, timeout=180, stdin=subprocess.DEVNULL)
    if check is not None:
        assert result.returncode == check, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(vault, archive, root.pem) made through the command line."""
    folder = tmp_path_factory.mktemp("cli-archive")
    vault_path = folder / "v.shopexit"
    vault = make_vault(vault_path, PASSPHRASE)
    fill(vault)
    vault.lock()
    out = run("export", "--vault", str(vault_path), "--out", str(folder / "archive.pdf")).stdout
    assert "Archive written" in out and "root certificate SHA-256" in out
    cert = run("cert", "--vault", str(vault_path), "--out", str(folder / "root.pem")).stdout
    assert "SHA-256 fingerprint" in cert
    return vault_path, folder / "archive.pdf", folder / "root.pem"


def test_verify_needs_no_vault_and_no_passphrase(exported: tuple[Path, Path, Path], tmp_path: Path) -> None:
    _, archive, root = exported
    result = run("verify", str(archive), "--trust", str(root), passphrase=False,
                 env={"SHOPEXIT_VAULT": str(tmp_path / "absent")})
    assert "VALID" in result.stdout and "NOT VALID" not in result.stdout
    assert "whole document signed:  yes" in result.stdout
    assert "under the trusted root: yes" in result.stdout
    assert result.stderr == ""


def test_verify_json(exported: tuple[Path, Path, Path]) -> None:
    _, archive, root = exported
    data = json.loads(run("verify", str(archive), "--trust", str(root), "--json", passphrase=False).stdout)
    assert data["ok"] is True and data["trusted"] is True and data["whole_document"] is True
    assert data["files_checked"] > 20 and data["problems"] == []
    assert root.read_text().startswith("-----BEGIN CERTIFICATE-----")


def test_verify_exits_1_on_a_changed_file(exported: tuple[Path, Path, Path], tmp_path: Path) -> None:
    _, archive, _ = exported
    bad = tmp_path / "bad.pdf"
    data = bytearray(archive.read_bytes())
    data[len(data) // 3] ^= 0x20
    bad.write_bytes(bytes(data))
    result = run("verify", str(bad), check=1, passphrase=False)
    assert "NOT VALID" in result.stdout and "PROBLEM" in result.stdout
    assert "Traceback" not in result.stderr


def test_verify_of_a_missing_file_is_one_line(tmp_path: Path) -> None:
    result = run("verify", str(tmp_path / "none.pdf"), check=1, passphrase=False)
    assert result.stderr.count("\n") == 1 and "cannot be read" in result.stderr


def test_export_options(exported: tuple[Path, Path, Path], tmp_path: Path) -> None:
    vault, _, _ = exported
    out = tmp_path / "case.pdf"
    run("export", "--vault", str(vault), "--out", str(out), "--case", "1", "--redact-buyers")
    from shopexit.core.archive import verify_archive

    assert verify_archive(out).ok
    assert run("export", "--vault", str(vault), "--out", str(tmp_path / "x.pdf"), "--from", "2026-13-01",
               check=2).returncode == 2
    missing = run("export", "--vault", str(vault), "--out", str(tmp_path / "y.pdf"), "--case", "99", check=1)
    assert "case:99" in missing.stderr and "Traceback" not in missing.stderr
    assert not (tmp_path / "y.pdf").exists()
