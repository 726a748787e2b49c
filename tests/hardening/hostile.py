"""A catalogue of hostile inputs, made on the spot (nothing big is kept in the repository).

Each maker writes one file into a folder and returns its path. Used at every door: import, attach, and the
GUI's drop and paste (through the core functions they call).
"""

from __future__ import annotations

import functools
import io
import json
import os
import random
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

from tests.hardening.importing import ORDER_COLUMNS, order_row, orders_csv_text


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def bomb_png(width: int = 40_000, height: int = 40_000) -> bytes:
    """A valid PNG header declaring width × height RGB pixels, with a tiny IDAT (a few rows of zeros): decoding
    it would need width × height × 3 bytes (4.8 GB at 40,000²); reading its header needs nothing."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * (1 + width * 3) * 2, 9)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def xlsx_bytes(rows: list[list[str]], sheet: str = "order details") -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@functools.lru_cache(maxsize=2)
def xlsx_zip_bomb(expanded_mb: int = 256) -> bytes:
    """An XLSX whose sheet XML inflates to `expanded_mb` MB from a file ~1/1000 of that (zlib on repeated text).
    Made once per session (compressing takes a moment)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml",
                    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument'
                    '.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType='
                    '"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
        zf.writestr("_rels/.rels",
                    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
                    '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        zf.writestr("xl/workbook.xml",
                    '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
                    ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
                    '<sheet name="order details" sheetId="1" r:id="rId1"/></sheets></workbook>')
        zf.writestr("xl/_rels/workbook.xml.rels",
                    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
                    '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=expanded_mb >= 2048) as sheet:
            sheet.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                        b'2006/main"><sheetData><row r="1"><c t="inlineStr"><is><t>')
            block = b"A" * (1 << 20)
            for _ in range(expanded_mb):
                sheet.write(block)
            sheet.write(b"</t></is></c></row></sheetData></worksheet>")
    return out.getvalue()


@functools.lru_cache(maxsize=1)
def xlsx_lying_bomb(expanded_mb: int = 64) -> bytes:
    """A zip bomb that lies: its sheet's headers declare 2,000 bytes unpacked, its data inflates to
    `expanded_mb` MB. A reader that trusts the declared size must stop at it (and fail the CRC), not inflate."""
    data = bytearray(xlsx_zip_bomb(expanded_mb))
    name = b"xl/worksheets/sheet1.xml"
    # local file header: signature PK\3\4, uncompressed size at offset 22, name at offset 30
    local = data.find(b"PK\x03\x04")
    while local != -1 and data[local + 30: local + 30 + len(name)] != name:
        local = data.find(b"PK\x03\x04", local + 4)
    # central directory header: signature PK\1\2, uncompressed size at offset 24, name at offset 46
    central = data.find(b"PK\x01\x02")
    while central != -1 and data[central + 46: central + 46 + len(name)] != name:
        central = data.find(b"PK\x01\x02", central + 4)
    for offset in (local + 22, central + 24):
        if data[offset: offset + 4] == b"\xff\xff\xff\xff":  # a ZIP64 entry: not this simple
            raise ValueError("expected a plain (non-ZIP64) entry")
        data[offset: offset + 4] = (2000).to_bytes(4, "little")
    return bytes(data)


def nested_json(depth: int = 100_000) -> bytes:
    return b"[" * depth + b"]" * depth


@functools.lru_cache(maxsize=2)
def huge_json(megabytes: int = 5) -> bytes:
    """A data export whose messages are many and long: valid JSON, big."""
    body = "x" * 1000
    history = [{"Date": "2026-05-01 10:00:00", "From": "buyer", "Content": body}] * (megabytes * 1000)
    return json.dumps({"Direct Message": {"Direct Messages": {"ChatHistory": {"Chat History with buyer:": history}}}}
                      ).encode()


def csv_with_huge_field(megabytes: int = 10) -> bytes:
    row = order_row(1)
    row[ORDER_COLUMNS.index("Buyer Message")] = "y" * (megabytes * 1024 * 1024)
    return orders_csv_text([order_row(0), row]).encode("utf-8")


def cp1252_csv() -> bytes:
    """An orders export saved by a spreadsheet in Windows-1252: accents and a euro sign, invalid as UTF-8."""
    return orders_csv_text([order_row(0, "Café Crème — 5 €")]).lstrip("\ufeff").encode("cp1252")


Maker = Callable[[Path], Path]


def _write(name: str, data: bytes | Callable[[], bytes]) -> Maker:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data() if callable(data) else data)
        return path

    make.__name__ = name
    return make


def _symlink(folder: Path) -> Path:
    target = folder / "real-orders.csv"
    target.write_text(orders_csv_text([order_row(0)]), encoding="utf-8")
    link = folder / "link-orders.csv"
    link.symlink_to(target)
    return link


def _folder(folder: Path) -> Path:
    path = folder / "orders.csv"
    path.mkdir()
    return path


def _fifo(folder: Path) -> Path:
    path = folder / "pipe.csv"
    os.mkfifo(path)
    return path


def _truncated_xlsx() -> bytes:
    data = xlsx_bytes([["Order/adjustment ID  ", "Type"], ["1", "Order"]])
    return data[: len(data) // 2]


def _truncated_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("TikTok_Data/user_data_tiktok.json", json.dumps({"Profile": {}}) * 50)
    data = out.getvalue()
    return data[: len(data) // 2]


def _liar_pdf_as_csv() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _liar_png_as_xlsx() -> bytes:
    return bomb_png(10, 10)


HOSTILE: dict[str, Maker] = {
    "empty": _write("empty.csv", b""),
    "header_only_csv": _write("orders-header-only.csv", lambda: orders_csv_text([]).encode("utf-8")),
    "random_bytes": _write("random.csv", lambda: random.Random(1).randbytes(256 * 1024)),
    "random_bytes_xlsx": _write("random.xlsx", lambda: random.Random(2).randbytes(64 * 1024)),
    "truncated_xlsx": _write("income_order_details.xlsx", _truncated_xlsx),
    "truncated_zip": _write("tiktok_data_export.zip", _truncated_zip),
    "xlsx_zip_bomb": _write("bomb.xlsx", xlsx_zip_bomb),
    "xlsx_lying_bomb": _write("lying.xlsx", xlsx_lying_bomb),
    "nested_json": _write("user_data_tiktok.json", nested_json),
    "huge_json": _write("user_data.json", huge_json),
    "csv_10mb_field": _write("orders-big-field.csv", csv_with_huge_field),
    "cp1252_csv": _write("orders-cp1252.csv", cp1252_csv),
    "pdf_named_csv": _write("orders.csv", _liar_pdf_as_csv),
    "png_named_xlsx": _write("income.xlsx", _liar_png_as_xlsx),
    "bomb_png": _write("screenshot.png", bomb_png),
    "symlink": _symlink,
    "folder": _folder,
    "fifo": _fifo,
}
"""Every hostile input by name. Size limits are tested separately (a sparse file costs no disk)."""


def sparse_file(path: Path, size: int) -> Path:
    """A file that claims `size` bytes but occupies none (for size-limit refusals)."""
    with path.open("wb") as handle:
        handle.truncate(size)
    return path
