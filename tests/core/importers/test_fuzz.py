"""Arbitrary bytes and arbitrary CSV text, to detection and to every importer: only ImportRefused comes out."""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopexit.core import sample_exports as se
from shopexit.core.importers import KINDS, ImportRefused, detect, import_file
from shopexit.core.vault import Vault

FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
SLOW = settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

HEADERS = sorted({*se.ORDER_COLUMNS[:30], *se.SETTLEMENT_COLUMNS[:8], *se.ON_HOLD_COLUMNS,
                  *se.CREATOR_AFFILIATE_COLUMNS[:14], *se.SELLER_AFFILIATE_COLUMNS[14:20], *se.WITHDRAWAL_COLUMNS})
cells = st.one_of(st.sampled_from(["", "/", "12.50", "-3", "05/21/2026 01:00:00 PM", "21/05/2026 13:00:00",
                                   "2026/05/21", "abc", "120 THB", "Completed", "5764576460752303423488\t",
                                   "SUCCESS", "(1.00)", "1e400"]), st.text(max_size=12))
csv_tables = st.tuples(
    st.lists(st.sampled_from(HEADERS), min_size=1, max_size=12),
    st.lists(st.lists(cells, max_size=14), max_size=6),
)
counter = itertools.count()


@pytest.fixture(scope="module")
def real_files(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[bytes, str]]:
    folder = tmp_path_factory.mktemp("real")
    shop = se.make_shop(seed=1, orders=8, today=se.date(2026, 11, 1))
    return [(se.write_settlements_xlsx(folder / "i.xlsx", shop).read_bytes(), ".xlsx"),
            (se.write_data_export_zip(folder / "d.zip", shop).read_bytes(), ".zip")]


def _file(data: bytes, suffix: str) -> Path:
    folder = Path(tempfile.gettempdir()) / "shopexit-fuzz"
    folder.mkdir(exist_ok=True)
    path = folder / f"f{next(counter)}{suffix}"
    path.write_bytes(data)
    return path


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows([header, *rows])
    return buf.getvalue().encode("utf-8")


def _everything(vault: Vault, path: Path) -> None:
    with contextlib.suppress(ImportRefused):
        detect(path)
    for number, kind in enumerate((None, *KINDS)):
        with contextlib.suppress(ImportRefused):
            import_file(vault, path, kind=kind, skip_bad_rows=bool(number % 2))
    path.unlink()


def _bytes_case(vault: Vault, data: bytes, prefix: bytes) -> None:
    _everything(vault, _file(prefix + data, ".bin"))


@FAST
@given(data=st.binary(max_size=600), prefix=st.sampled_from([b"", b"PK\x03\x04", b"\xef\xbb\xbf", b"{", b"\xff\xfe"]))
def test_arbitrary_bytes(vault: Vault, data: bytes, prefix: bytes) -> None:
    _bytes_case(vault, data, prefix)


@FAST
@given(table=csv_tables)
def test_arbitrary_csv(vault: Vault, table: tuple[list[str], list[list[str]]]) -> None:
    _everything(vault, _file(_csv(*table), ".csv"))


@FAST
@given(text=st.text(max_size=400))
def test_arbitrary_text(vault: Vault, text: str) -> None:
    _everything(vault, _file(text.encode("utf-8"), ".csv"))


@pytest.mark.slow
@SLOW
@given(data=st.binary(max_size=2000), prefix=st.sampled_from([b"", b"PK\x03\x04", b"\xef\xbb\xbf", b"{"]))
def test_arbitrary_bytes_long(vault: Vault, data: bytes, prefix: bytes) -> None:
    _bytes_case(vault, data, prefix)


@pytest.mark.slow
@SLOW
@given(table=csv_tables)
def test_arbitrary_csv_long(vault: Vault, table: tuple[list[str], list[list[str]]]) -> None:
    _everything(vault, _file(_csv(*table), ".csv"))


@FAST
@given(mutation=st.tuples(st.integers(min_value=0, max_value=10_000), st.binary(min_size=1, max_size=8)))
def test_damaged_real_files(vault: Vault, real_files: list[tuple[bytes, str]], mutation: tuple[int, bytes]) -> None:
    """Bytes overwritten somewhere inside a real XLSX and a real data-export zip."""
    for original, suffix in real_files:
        data = bytearray(original)
        at = mutation[0] % len(data)
        data[at:at + len(mutation[1])] = mutation[1]
        _everything(vault, _file(bytes(data), suffix))
