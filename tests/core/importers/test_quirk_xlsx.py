"""XLSX as real exports write it: a wrong <dimension> must not hide rows; shared strings, dates, sheets."""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from shopexit.core import sample_exports as se
from shopexit.core.importers import import_file
from shopexit.core.importers.tabular import open_table, xlsx_sheets
from shopexit.core.vault import Vault


def test_broken_dimension_still_reads_every_row(vault: Vault, tmp_path: Path, shop: se.Shop) -> None:
    path = se.write_settlements_xlsx(tmp_path / "income.xlsx", shop, se.Quirks(broken_dimension=True))
    with zipfile.ZipFile(path) as zf:
        assert '<dimension ref="A1"/>' in zf.read("xl/worksheets/sheet1.xml").decode()
    # A reader trusting the dimension sees a single row: the trap is real.
    book = openpyxl.load_workbook(path, read_only=True)
    assert len(list(book.worksheets[0].iter_rows(values_only=True))) == 1
    book.close()
    summary = import_file(vault, path)
    assert summary.rows_read == len(shop.settled_orders()) == summary.new


def test_broken_dimension_on_hold_with_banner(vault: Vault, tmp_path: Path, shop: se.Shop) -> None:
    path = se.write_on_hold_xlsx(tmp_path / "onhold.xlsx", shop, se.Quirks(broken_dimension=True))
    assert import_file(vault, path).new == len(shop.held_orders())


def _rows_openpyxl(path: Path) -> list[list[str]]:
    book = openpyxl.load_workbook(path)
    out = []
    for row in book.worksheets[0].iter_rows(values_only=True):
        cells = ["" if v is None else v.strftime("%Y-%m-%d %H:%M:%S") if isinstance(v, datetime)
                 else str(v).upper() if isinstance(v, bool) else str(v) for v in row]
        while cells and not cells[-1]:
            cells.pop()
        if any(cells):
            out.append([c.strip() for c in cells])
    return out


def test_reader_agrees_with_openpyxl_on_shared_strings_numbers_and_dates(tmp_path: Path) -> None:
    """A workbook as Excel saves it (shared strings, numbers, real dates, a sparse row), read both ways."""
    path = tmp_path / "saved_by_excel.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "order details"
    ws.append(["Order/adjustment ID", "Type", "Total settlement amount", "Order settled time", "Note"])
    ws.append(["5764576460752303423488", "Order", 22.09, datetime(2026, 5, 23, 16, 37), "a & b <c> \"d\""])
    ws.append(["5764576460752303431407", "Order", -4.5, datetime(2026, 7, 4, 19, 25), None])
    ws["E5"] = "sparse ☃ 山田"
    ws.append([True, 7, None, None, "  padded  "])
    book.save(path)
    table = open_table(path, lambda h: "order/adjustment id" in h)
    assert table is not None
    ours = [table.header] + [cells for _, cells in table.rows]
    ours = [c[: max((i + 1 for i, v in enumerate(c) if v), default=0)] for c in ours]
    assert ours == _rows_openpyxl(path)
    table.close()


def test_the_sheet_is_found_by_its_header_not_its_place(vault: Vault, tmp_path: Path, shop: se.Shop) -> None:
    """Income exports can hold a summary sheet before "order details"."""
    plain = se.write_settlements_xlsx(tmp_path / "one.xlsx", shop)
    book = openpyxl.load_workbook(plain)
    summary = book.create_sheet("Reports", 0)
    summary.append(["Statement", "Total"])
    summary.append(["Settled", "123.45"])
    path = tmp_path / "two_sheets.xlsx"
    book.save(path)
    with zipfile.ZipFile(path) as zf:
        assert [name for name, _ in xlsx_sheets(zf, path)] == ["Reports", "order details"]
    assert import_file(vault, path).new == len(shop.settled_orders())


@pytest.mark.parametrize("layout", ["creator", "seller"])
def test_both_affiliate_layouts(vault: Vault, tmp_path: Path, shop: se.Shop, layout: str) -> None:
    path = se.write_commissions_csv(tmp_path / f"{layout}.csv", shop, se.Quirks(affiliate_layout=layout))
    summary = import_file(vault, path)
    assert summary.kind == "commissions" and summary.new == len(shop.commissions)
    rows = vault.conn.execute("SELECT DISTINCT layout FROM commissions").fetchall()
    assert rows == [(layout,)]
    earned = vault.conn.execute("SELECT sum(earned), sum(estimated) FROM commissions").fetchone()
    assert earned == (int(sum(c.earned for c in shop.commissions) * 100),
                      int(sum(c.estimated for c in shop.commissions) * 100))


def test_unusual_xml_mid_sheet_hands_over_to_the_xml_parser(tmp_path: Path) -> None:
    """Rich text in row 40 is beyond the fast reader: the XML parser resumes there, no row lost or doubled."""
    plain = tmp_path / "plain.xlsx"
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("order details")
    sheet.append(["Order/adjustment ID", "Type", "Total settlement amount"])
    for n in range(2, 80):
        sheet.append([f"ID{n}", "Order", f"{n}.25"])
    book.save(plain)
    path = tmp_path / "rich.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                start = text.index('<c r="B40"')
                end = text.index("</c>", start) + 4
                text = text[:start] + '<c r="B40" t="inlineStr"><is><r><t>Ord</t></r><r><t>er</t></r></is></c>' + \
                    text[end:]
                data = text.encode()
            dst.writestr(info, data)
    table = open_table(path, lambda h: "order/adjustment id" in h)
    assert table is not None
    rows = list(table.rows)
    table.close()
    assert [n for n, _ in rows] == list(range(2, 80))
    assert all(cells[1] == "Order" for _, cells in rows)
    assert rows[38] == (40, ["ID40", "Order", "40.25"])
