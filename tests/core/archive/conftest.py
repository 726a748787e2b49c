"""Fixtures for archive tests: a filled vault, and one whole-vault archive shared by the read-only tests of a
module (an export takes about a second; tests that change a file work on a copy)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from shopexit.core.archive import ExportOptions, ExportResult, export_archive, export_root_certificate
from tests.conftest import PASSPHRASE
from tests.core.archive.fill import Filled, fill, make_vault


@pytest.fixture
def filled(tmp_path: Path) -> Iterator[Filled]:
    vault = make_vault(tmp_path / "vaults" / "filled.shopexit", PASSPHRASE)
    try:
        yield fill(vault)
    finally:
        vault.lock()


@dataclass
class Made:
    filled: Filled
    result: ExportResult
    root_pem: Path
    folder: Path

    @property
    def path(self) -> Path:
        return self.result.path


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Made]:
    """A filled vault and its whole-vault archive, made once per test module."""
    folder = tmp_path_factory.mktemp("made")
    vault = make_vault(folder / "vault.shopexit", PASSPHRASE)
    try:
        f = fill(vault)
        result = export_archive(vault, folder / "archive.pdf", ExportOptions())
        root = folder / "root.pem"
        export_root_certificate(vault.conn, root)
        yield Made(f, result, root, folder)
    finally:
        vault.lock()
