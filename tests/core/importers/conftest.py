"""Fixtures for the importer tests: an invented shop written in the real export layouts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from shopexit.core import sample_exports as se

TODAY = date(2026, 11, 1)


@pytest.fixture
def shop() -> se.Shop:
    return se.make_shop(seed=11, orders=40, region="US", today=TODAY)


@pytest.fixture
def exports(tmp_path: Path, shop: se.Shop) -> dict[str, Path]:
    return se.write_shop(shop, tmp_path / "exports")


def write_csv(path: Path, rows: list[list[str]], *, bom: bool = True, crlf: bool = True) -> Path:
    path.write_bytes(se.csv_text(rows, bom=bom, crlf=crlf))
    return path
