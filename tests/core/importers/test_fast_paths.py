"""The importers' fast paths give exactly what their general readers give.

Each fast path (XLSX rows read as bytes and placed by layout, a row's money checked by one pattern, times by
their local hour, the search index filled batch by batch) exists only for speed; these tests hold it to the
slow reading of the same input.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shopexit.core import sample_exports as se
from shopexit.core.importers import import_file
from shopexit.core.importers.base import ImportRefused
from shopexit.core.importers.columns import CellProblem, amount
from shopexit.core.importers.dates import DateReader
from shopexit.core.importers.orders import _amounts
from shopexit.core.importers.tabular import _expat_rows, iter_sheet_rows
from shopexit.core.records import orders as order_records
from shopexit.core.vault import Vault

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _inline(ref: str, text: str, preserve: bool = False) -> str:
    space = ' xml:space="preserve"' if preserve else ""
    return f'<c r="{ref}" t="inlineStr"><is><t{space}>{text}</t></is></c>'


ROWS = [
    # header, every cell inline
    "".join(_inline(f"{col}1", name) for col, name in zip("ABCD", ["Order ID", "Product", "Amount", "Note"],
                                                          strict=True)),
    # cells left out (B), a TAB kept by xml:space and stripped, entities and characters written as references
    _inline("A2", "576457\t", True) + _inline("C2", "12.00") + _inline("D2", "Fig &amp; Cedar &#127873; &#1083;"),
    # the same layout again (the remembered placement), one cell far to the right
    _inline("A3", "576458") + _inline("C3", "3.50") + _inline("AB3", "far"),
    # plain values and empty cells among inline text
    _inline("A4", "576459") + '<c r="B4"/><c r="C4"><v>7.25</v></c><c r="D4" t="str"><v>a &lt; b</v></c>',
    # a shared string: the general loop
    _inline("A5", "576460") + '<c r="B5" t="s"><v>0</v></c>' + _inline("C5", "1.00"),
    # a boolean and a date-styled number: the general loop
    _inline("A6", "576461") + '<c r="B6" t="b"><v>1</v></c><c r="C6" s="1"><v>45000.5</v></c>',
    # cells out of order and repeated: the general loop (the later cell wins)
    _inline("B7", "second") + _inline("A7", "first") + _inline("B7", "again"),
    # an empty inline text
    _inline("A8", "576462") + _inline("B8", "") + _inline("C8", " padded "),
]


def _sheet_zip(tmp_path: Path, rows: list[str]) -> Path:
    body = "".join(f'<row r="{n}">{cells}</row>' for n, cells in enumerate(rows, start=1))
    xml = (f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{_NS}"><sheetData>{body}</sheetData>'
           "</worksheet>")
    path = tmp_path / "sheet.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", xml.encode("utf-8"))
    return path


@pytest.mark.parametrize("date_styles", [frozenset(), frozenset({1})])
def test_xlsx_fast_rows_match_the_xml_parser(tmp_path: Path, date_styles: frozenset[int]) -> None:
    path = _sheet_zip(tmp_path, ROWS)
    strings = ["shared text"]
    with zipfile.ZipFile(path) as zf:
        fast = list(iter_sheet_rows(zf, "xl/worksheets/sheet1.xml", path, strings, date_styles))
        reference = list(_expat_rows(zf, "xl/worksheets/sheet1.xml", path, strings, date_styles))
    assert fast == reference
    assert fast[1] == (2, ["576457", "", "12.00", "Fig & Cedar \U0001f381 \u043b"])
    assert fast[2][1][27] == "far" and len(fast[2][1]) == 28
    assert fast[6] == (7, ["first", "again"])


_XML_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff")
                    | st.sampled_from("&<>\"'\t\n"), max_size=10)


def _escaped(text: str, refs: str) -> str:
    out = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    out = out.replace("'", "&apos;")
    if refs == "decimal":
        return "".join(f"&#{ord(c)};" if ord(c) > 127 else c for c in out)
    if refs == "hex":
        return "".join(f"&#x{ord(c):X};" if ord(c) > 127 else c for c in out)
    return out


@settings(max_examples=200, deadline=None)
@given(texts=st.lists(_XML_TEXT, min_size=1, max_size=5), refs=st.sampled_from(["none", "decimal", "hex"]))
def test_escaped_text_reads_as_the_xml_parser_reads_it(texts: list[str], refs: str) -> None:
    cells = "".join(_inline(f"{'ABCDE'[i]}1", _escaped(t, refs), preserve=True) for i, t in enumerate(texts))
    xml = (f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{_NS}"><sheetData><row r="1">{cells}</row>'
           "</sheetData></worksheet>")
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w") as zf:
        zf.writestr("xl/worksheets/sheet1.xml", xml.encode("utf-8"))
    with zipfile.ZipFile(raw) as zf:
        fast = list(iter_sheet_rows(zf, "xl/worksheets/sheet1.xml", Path("s.xlsx"), [], frozenset()))
        reference = list(_expat_rows(zf, "xl/worksheets/sheet1.xml", Path("s.xlsx"), [], frozenset()))
    assert fast == reference
    if any(t.strip() for t in texts):
        assert fast[0][1][:len(texts)] == [t.strip() for t in texts]


def test_an_entity_xml_does_not_declare_is_refused_as_the_xml_parser_refuses_it(tmp_path: Path) -> None:
    rows = [*ROWS[:2], _inline("A3", "576463") + _inline("D3", "Fig&nbsp;Cedar")]
    path = _sheet_zip(tmp_path, rows)
    with zipfile.ZipFile(path) as zf, pytest.raises(ImportRefused, match=r"sheet1\.xml"):
        list(iter_sheet_rows(zf, "xl/worksheets/sheet1.xml", path, [], frozenset()))


def _reference_amounts(texts: list[str], currency: str) -> tuple[list[int], str]:
    """Cell by cell, the way `_amounts` reads a row that is not all plain."""
    out: list[int] = []
    for text in texts:
        minor, cur = amount(text, "Amount", currency)
        if cur != currency:
            if any(out):
                raise CellProblem("Amount", "mixed")
            currency = cur
        out.append(minor)
    return out, currency


_CELL = st.one_of(
    st.from_regex(r"[0-9]{1,16}\.[0-9]{2}", fullmatch=True),
    st.from_regex(r"[0-9]{1,4}(\.[0-9]{1,3})?", fullmatch=True),
    st.sampled_from(["", "0.00", "-3.10", "1,200.50", "$4.00", "120 THB", "٣.٠٠", "7.5"]),
)


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(_CELL, max_size=6), currency=st.sampled_from(["USD", "JPY", "THB"]))
def test_money_row_pattern_matches_cell_by_cell_reading(texts: list[str], currency: str) -> None:
    cells = [*texts, ""]
    where = [(i, "Amount") for i in range(len(texts))]
    try:
        expected: tuple[list[int], str] | str = _reference_amounts(texts, currency)
    except CellProblem:
        expected = "refused"
    try:
        got: tuple[list[int], str] | str = _amounts(cells, where, currency)
    except CellProblem:
        got = "refused"
    assert got == expected


_ZONE = ZoneInfo("America/Los_Angeles")
_START = datetime(2024, 1, 1)
_FORMATS = {"mdy": "%m/%d/%Y %I:%M:%S %p", "dmy": "%d/%m/%Y %H:%M:%S"}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 3 * 365 * 24 * 3600), min_size=1, max_size=40), st.sampled_from(["mdy", "dmy"]))
def test_times_by_their_hour_match_the_full_reading(offsets: list[int], order: str) -> None:
    """Many times in few hours (DST changes included): the cached hour gives what a fresh reading gives."""
    reader = DateReader(_ZONE)
    reader.order = order
    for seconds in offsets + [o + 61 for o in offsets]:
        moment = _START + timedelta(seconds=seconds)
        text = moment.strftime(_FORMATS[order])
        fresh = DateReader(_ZONE)
        fresh.order = order
        assert reader.parse(text) == fresh._parse(text, False), text
        assert reader.parse(text, True) == fresh._parse(text, True), text


def test_search_index_filled_batch_by_batch_covers_every_row(vault: Vault, tmp_path: Path, shop: se.Shop,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Small batches: the index is filled after each, and holds exactly what the triggers would have put."""
    monkeypatch.setattr(order_records, "BATCH", 7)
    import_file(vault, se.write_orders_csv(tmp_path / "orders.csv", shop.orders, shop.region))
    q = vault.conn.execute
    indexed = q("SELECT rowid, kind, ref, title, body FROM search_index WHERE kind IN ('order', 'order_line')"
                " ORDER BY rowid").fetchall()
    expected = q(
        "SELECT id * 8 + 1, 'order', id, order_id, status || ' ' || buyer_username || ' ' || recipient || ' ' ||"
        " tracking_id || ' ' || buyer_message || ' ' || cancel_reason FROM orders"
        " UNION ALL SELECT id * 8 + 2, 'order_line', order_ref, product_name, variation || ' ' || seller_sku ||"
        " ' ' || sku_id FROM order_lines ORDER BY 1").fetchall()
    assert len(expected) == len(shop.orders) + sum(len(o.lines) for o in shop.orders)
    assert indexed == expected
