"""Shared fixtures: a fresh, real SQLCipher vault per test, and isolated user folders."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from shopexit.core.vault import ShopProfile, Vault

REPO = Path(__file__).resolve().parents[1]
SHARED_SAMPLES = REPO.parent / "shared" / "samples"
PASSPHRASE = "correct horse battery staple 42"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--slow", action="store_true", help="run the full, long profiles too")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--slow"):
        return
    skip = pytest.mark.skip(reason="full profile: run with --slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep settings, caches and default vaults of the test run out of the real user's folders."""
    home = tmp_path_factory.mktemp("home")
    for var, sub in (("XDG_DATA_HOME", "data"), ("XDG_CONFIG_HOME", "config"), ("XDG_CACHE_HOME", "cache")):
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.delenv("SHOPEXIT_VAULT", raising=False)
    monkeypatch.delenv("SHOPEXIT_PASSPHRASE", raising=False)


@pytest.fixture
def passphrase() -> str:
    return PASSPHRASE


@pytest.fixture
def vault_path(tmp_path: Path) -> Path:
    return tmp_path / "vaults" / "test.shopexit"


@pytest.fixture
def vault(vault_path: Path) -> Iterator[Vault]:
    v = Vault.create(vault_path, PASSPHRASE, ShopProfile("Zoë Ångström", "Harbor Goods Co", "US", "USD"))
    try:
        yield v
    finally:
        v.lock()


@pytest.fixture
def shared_samples() -> Path:
    if not (SHARED_SAMPLES / "EXPECTED.json").exists():
        pytest.skip("../shared/samples is not beside this checkout")
    return SHARED_SAMPLES
