"""Reading rows out of export files as they really come, one row at a time.

CSV: UTF-8 with or without a BOM (UTF-16 with a BOM too, as Excel's "Unicode text" writes), CRLF or LF, comma,
semicolon or tab separated; cells are stripped, so the TAB that Seller Center appends to ID and time cells goes.
Text in a legacy encoding is refused with the line it failed on, never guessed: a guessed cp1252 reading of a
Vietnamese name would be kept as evidence wrongly.

XLSX: the sheet XML is read by our own streaming code rather than openpyxl. Two reasons, both measured:
openpyxl's read-only mode trusts the sheet's `<dimension>` (some real exports say `A1` and then seem to hold one
row), and it read a 100,000-line orders sheet in 206 s here, against the 15 s this import must meet. The sheet
is parsed as it is decompressed; rows never accumulate. A fast path reads the XML exporters write with regular
expressions; anything else (entities it cannot read, formulas, rich text, other attributes, a DOCTYPE) is
handed to a full expat parser, which resumes after the last row given. Shared strings, inline strings,
numbers, booleans and date-styled numbers are understood; `<dimension>` is never looked at.

Zip containers (XLSX and the data-export zip) are checked before anything is decompressed: member count,
declared sizes and compression ratios, so a zip bomb is refused by its directory alone. Python's zipfile then
enforces the declared sizes and CRCs while reading.
"""

from __future__ import annotations

import codecs
import csv
import html
import io
import itertools
import operator
import posixpath
import re
import xml.parsers.expat
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree

from shopexit.core.importers.base import ImportRefused

MAX_FILE_BYTES = 200 << 20  # evidence.DEFAULT_MAX_SIZE: a file the vault cannot keep cannot be imported
MAX_ZIP_MEMBERS = 10_000
MAX_MEMBER_BYTES = 1 << 30  # 1 GiB uncompressed for any one member
MAX_TOTAL_BYTES = 2 << 30
MAX_RATIO = 400  # XML and JSON compress 10-50x; deflate bombs reach 1000x
RATIO_FREE_BYTES = 4 << 20  # small members may compress as well as they like
MAX_SMALL_PART = 32 << 20  # workbook.xml, rels, styles: read whole, so kept small
HEADER_SCAN_ROWS = 30
MAX_ROW_BYTES = 16 << 20  # a real export's row is a few KB; a row this long is a bomb or not a spreadsheet
MAX_CELL_CHARS = 1 << 20
MAX_SHARED_STRINGS_BYTES = 256 << 20
_CHUNK = 1 << 20

XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Row = tuple[int, list[str]]


def norm(header: str) -> str:
    """A header as compared: case, surrounding and repeated spaces, BOM and `\\` vs `/` do not matter."""
    return " ".join(header.replace("\ufeff", "").replace("\\", "/").lower().split())


# -- what a file is ---------------------------------------------------------------------------------------------
def sniff(path: Path) -> str:
    """'zip', 'json', 'text' or 'binary', from the first bytes (the name is never trusted)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError as exc:
        raise ImportRefused(path, f"cannot be read ({exc.strerror or exc})") from exc
    if not head:
        raise ImportRefused(path, "the file is empty")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ImportRefused(path, f"{size / 1_048_576:,.0f} MB is more than any export ({MAX_FILE_BYTES >> 20} MB "
                                  "is the limit, the largest file the vault keeps as evidence)")
    if head[:4] == b"PK\x03\x04" or head[:4] == b"PK\x05\x06":
        return "zip"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "text"
    body = head.removeprefix(codecs.BOM_UTF8).lstrip(b" \t\r\n")
    if body[:1] in (b"{", b"["):
        return "json"
    if b"\x00" in head:
        return "binary"
    return "text"


def open_zip(path: Path) -> zipfile.ZipFile:
    """A zip whose directory promises nothing dangerous; refuses damaged and truncated files."""
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise ImportRefused(path, "the zip file is damaged or truncated (its directory cannot be read)") from exc
    except OSError as exc:
        raise ImportRefused(path, f"the zip file cannot be read ({exc.strerror or exc})") from exc
    except Exception as exc:  # NotImplementedError for odd versions, ValueError, EOFError: all a bad zip
        raise ImportRefused(path, f"the zip file is damaged or not supported ({type(exc).__name__}: {exc})") from exc
    try:
        check_zip(zf, path)
    except BaseException:
        zf.close()
        raise
    return zf


def check_zip(zf: zipfile.ZipFile, path: Path) -> None:
    infos = zf.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        raise ImportRefused(path, f"the zip holds {len(infos)} files, more than any export ({MAX_ZIP_MEMBERS})")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > MAX_MEMBER_BYTES:
            raise ImportRefused(path, f"{info.filename} would unpack to {info.file_size:,} bytes; refused")
        if info.file_size > RATIO_FREE_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ImportRefused(path, f"{info.filename} is compressed {info.file_size // max(info.compress_size, 1)}"
                                      " times over: refused as a possible zip bomb")
        if info.flag_bits & 0x1:
            raise ImportRefused(path, f"{info.filename} is encrypted; export it again without a password")
    if total > MAX_TOTAL_BYTES:
        raise ImportRefused(path, f"the zip would unpack to {total:,} bytes; refused")


def read_member(zf: zipfile.ZipFile, name: str, path: Path, limit: int) -> bytes:
    """A member read whole, but never more than `limit` bytes whatever its directory claims."""
    try:
        info = zf.getinfo(name)
        if info.file_size > limit:
            raise ImportRefused(path, f"{name} is {info.file_size:,} bytes, over the {limit:,} this reads")
        with zf.open(info) as member:
            data = member.read(limit + 1)
    except ImportRefused:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, KeyError, NotImplementedError) as exc:
        raise ImportRefused(path, f"{name} inside the zip is damaged or truncated ({exc})") from exc
    except Exception as exc:  # zlib.error and friends: any failure to unpack is a damaged file
        raise ImportRefused(path, f"{name} inside the zip cannot be unpacked ({type(exc).__name__})") from exc
    if len(data) > limit:
        raise ImportRefused(path, f"{name} is larger than its zip directory says; refused")
    return data


# -- tables -----------------------------------------------------------------------------------------------------
@dataclass
class Table:
    """A header found in a file, and the rows after it, streamed. Row numbers are the spreadsheet's (1-based)."""

    file: Path
    format: str  # "CSV" or "XLSX"
    sheet: str | None
    header: list[str]
    header_row: int
    rows: Iterator[Row]
    fraction: Callable[[], float]  # how much of the file has been read, 0..1, for progress estimates
    closer: Callable[[], None]

    def close(self) -> None:
        self.closer()


HeaderTest = Callable[[list[str]], bool]


def open_table(path: Path, accept: HeaderTest) -> Table | None:
    """The first sheet/CSV whose header (within the first rows) `accept`s, positioned just after the header.

    `accept` gets the normalised header cells. Returns None when no row of any sheet is accepted.
    """
    kind = sniff(path)
    if kind == "zip":
        return _open_xlsx_table(path, accept)
    if kind == "text":
        return _open_csv_table(path, accept)
    if kind == "json":
        return None
    raise ImportRefused(path, "this is not a text, CSV or XLSX file (it holds binary data)")


def _scan(rows: Iterator[Row], accept: HeaderTest, path: Path) -> tuple[int, list[str]] | None:
    for row_number, cells in itertools.islice(rows, HEADER_SCAN_ROWS):
        if any(cells) and accept([norm(c) for c in cells]):
            return row_number, cells
    return None


# -- CSV --------------------------------------------------------------------------------------------------------
def _open_csv_table(path: Path, accept: HeaderTest) -> Table | None:
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise ImportRefused(path, f"cannot be read ({exc.strerror or exc})") from exc
    try:
        size = max(path.stat().st_size, 1)
        rows = _csv_rows(raw, path)
        found = _scan(rows, accept, path)
    except BaseException:
        raw.close()
        raise
    if found is None:
        raw.close()
        return None
    header_row, header = found
    return Table(path, "CSV", None, [h.strip() for h in header], header_row, rows,
                 lambda: min(raw.tell() / size, 1.0) if not raw.closed else 1.0, raw.close)


def _csv_rows(raw: IO[bytes], path: Path) -> Iterator[Row]:
    head = raw.read(4)
    raw.seek(0)
    if head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8"
    text = io.TextIOWrapper(raw, encoding=encoding, errors="strict", newline="")
    line = 1
    try:
        first = text.readline(MAX_ROW_BYTES)
        if len(first) >= MAX_ROW_BYTES:
            raise ImportRefused(path, f"the first line is over {MAX_ROW_BYTES >> 20} MB: not an export", row=1)
        delimiter = max((",", ";", "\t"), key=lambda d: (first.count(d), d == ","))
        reader = csv.reader(itertools.chain([first], text), delimiter=delimiter, strict=False)
        row_number = 0
        for cells in reader:
            row_number += 1
            line = reader.line_num
            if not cells:
                continue
            yield row_number, list(map(str.strip, cells))
    except UnicodeDecodeError as exc:
        bad = exc.object[exc.start:exc.start + 1].hex().upper() if isinstance(exc.object, bytes) else "?"
        raise ImportRefused(
            path, f"is not UTF-8 text (byte 0x{bad} near line {line + 1}); it looks like a legacy encoding "
                  "such as Windows-1252: open it in a spreadsheet app and save it again as 'CSV UTF-8'",
            row=line + 1) from exc
    except csv.Error as exc:
        raise ImportRefused(path, f"is not readable CSV near line {line + 1} ({exc})", row=line + 1) from exc


# -- XLSX -------------------------------------------------------------------------------------------------------
_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_DATE_FORMAT_IDS = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 30, 36, 45, 46, 47, 50, 57})
_EPOCH = datetime(1899, 12, 30)
_MAX_COLUMNS = 16_384  # XLSX's own limit; a reference past it is not a real cell


def is_xlsx(zf: zipfile.ZipFile) -> bool:
    names = set(zf.namelist())
    return "xl/workbook.xml" in names or ("[Content_Types].xml" in names and any(
        n.startswith("xl/worksheets/") for n in names))


def _xml(zf: zipfile.ZipFile, name: str, path: Path) -> ElementTree.Element:
    data = read_member(zf, name, path, MAX_SMALL_PART)
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise ImportRefused(path, f"{name} inside the XLSX is not valid XML ({exc})") from exc


def xlsx_sheets(zf: zipfile.ZipFile, path: Path) -> list[tuple[str, str]]:
    """(sheet name, member name) in workbook order."""
    names = set(zf.namelist())
    if "xl/workbook.xml" not in names:
        sheets = sorted(n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml"))
        return [(posixpath.basename(n), n) for n in sheets]
    book = _xml(zf, "xl/workbook.xml", path)
    targets: dict[str, str] = {}
    if "xl/_rels/workbook.xml.rels" in names:
        for rel in _xml(zf, "xl/_rels/workbook.xml.rels", path).iter(f"{{{_NS_PKG_REL}}}Relationship"):
            target = rel.get("Target", "")
            member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join("xl", target))
            targets[rel.get("Id", "")] = member
    out = []
    for index, sheet in enumerate(book.iter(f"{{{_NS_MAIN}}}sheet"), start=1):
        rid = sheet.get(f"{{{_NS_REL}}}id", "")
        member = targets.get(rid, f"xl/worksheets/sheet{index}.xml")
        if member in names:
            out.append((sheet.get("name", f"Sheet{index}"), member))
    return out


def _date_styles(zf: zipfile.ZipFile, path: Path) -> frozenset[int]:
    """Indexes of cell formats that show a number as a date (Excel stores dates as day counts)."""
    if "xl/styles.xml" not in zf.namelist():
        return frozenset()
    root = _xml(zf, "xl/styles.xml", path)
    custom: set[int] = set()
    for fmt in root.iter(f"{{{_NS_MAIN}}}numFmt"):
        code = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", fmt.get("formatCode", "")).lower()
        if re.search(r"[dmyhs]", code):
            try:
                custom.add(int(fmt.get("numFmtId", "-1")))
            except ValueError:
                continue
    dates = set()
    xfs = root.find(f"{{{_NS_MAIN}}}cellXfs")
    if xfs is not None:
        for index, xf in enumerate(xfs.iter(f"{{{_NS_MAIN}}}xf")):
            try:
                fmt_id = int(xf.get("numFmtId", "0"))
            except ValueError:
                continue
            if fmt_id in _DATE_FORMAT_IDS or fmt_id in custom:
                dates.add(index)
    return frozenset(dates)


def _shared_strings(zf: zipfile.ZipFile, path: Path) -> list[str]:
    """The workbook's string table, parsed as it streams (it can be tens of MB)."""
    name = next((n for n in zf.namelist() if n.lower() == "xl/sharedstrings.xml"), None)
    if name is None:
        return []
    strings: list[str] = []
    parts: list[str] = []
    depth_phonetic = 0
    in_text = False

    def start(tag: str, _attrs: dict[str, str]) -> None:
        nonlocal in_text, depth_phonetic
        local = tag.rpartition("}")[2]
        if local == "t" and not depth_phonetic:
            in_text = True
        elif local == "rPh":
            depth_phonetic += 1

    def end(tag: str) -> None:
        nonlocal in_text, depth_phonetic
        local = tag.rpartition("}")[2]
        if local == "t":
            in_text = False
        elif local == "rPh":
            depth_phonetic -= 1
        elif local == "si":
            strings.append("".join(parts))
            parts.clear()

    def chars(data: str) -> None:
        if in_text:
            parts.append(data)
            if len(parts) > 1 and sum(map(len, parts)) > MAX_CELL_CHARS:
                raise ValueError(f"a shared string of over {MAX_CELL_CHARS:,} characters")

    if zf.getinfo(name).file_size > MAX_SHARED_STRINGS_BYTES:
        raise ImportRefused(path, f"its string table is over {MAX_SHARED_STRINGS_BYTES >> 20} MB: not an export")
    parser = _expat(start, end, chars)
    for _ in _feed(zf, name, path, parser):
        pass
    return strings


def _expat(start: Callable[[str, dict[str, str]], None], end: Callable[[str], None],
           chars: Callable[[str], None]) -> Any:
    parser = xml.parsers.expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.buffer_size = 1 << 16
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    # A DOCTYPE in a sheet is never legitimate: refuse entity tricks outright.
    parser.StartDoctypeDeclHandler = _no_doctype
    return parser


def _no_doctype(*_args: object) -> None:
    raise ValueError("a DOCTYPE declaration in spreadsheet XML")


def _feed(zf: zipfile.ZipFile, name: str, path: Path, parser: Any,
          progress: list[int] | None = None) -> Iterator[None]:
    """Decompress and parse `name` chunk by chunk; yields after each chunk so rows can be taken out."""
    try:
        with zf.open(name) as member:
            while chunk := member.read(_CHUNK):
                if progress is not None:
                    progress[0] += len(chunk)
                parser.Parse(chunk, False)
                yield
            parser.Parse(b"", True)
            yield
    except ImportRefused:
        raise
    except xml.parsers.expat.ExpatError as exc:
        raise ImportRefused(path, f"{name} inside the XLSX is not valid XML ({exc}); the file may be "
                                  "truncated or damaged") from exc
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ImportRefused(path, f"{name} inside the XLSX is damaged or truncated ({exc})") from exc
    except Exception as exc:  # zlib.error, a DOCTYPE, a bad CRC: the file is not a sound spreadsheet
        raise ImportRefused(path, f"{name} inside the XLSX cannot be read ({type(exc).__name__}: {exc})") from exc


def _column_index(ref: str, cache: dict[str, int]) -> int:
    letters = ref.rstrip("0123456789")
    index = cache.get(letters)
    if index is None:
        index = 0
        for ch in letters.upper():
            if not "A" <= ch <= "Z":
                return -1
            index = index * 26 + (ord(ch) - 64)
        index -= 1
        cache[letters] = index
    return index


def _serial_to_text(value: str) -> str:
    try:
        days = float(value)
        moment = _EPOCH + timedelta(days=days)
    except (ValueError, OverflowError):
        return value
    return moment.strftime("%Y-%m-%d %H:%M:%S")


# The fast path: sheet XML as exporters write it, read with two regular expressions in C instead of seven expat
# callbacks per cell (measured: 3-4x faster on a 100,000-line orders sheet). Anything it does not recognise
# exactly (entities, rich text, formulas, prefixes, odd attribute order) makes it hand over to the expat reader,
# which resumes after the last row already given out, so every file is still read by a full XML parser's rules.
_FAST_ROW_HEAD = re.compile(rb'<row r="(\d+)"[^<>]*>')
_FAST_CELL = re.compile(
    r'<c r="([A-Z]{1,3})\d+"(?: s="(\d+)")?(?: t="(s|inlineStr|str|n|b)")?(?: s="(\d+)")?'
    r'(?:/>|></c>|><v>([^<]*)</v></c>|><is><t(?: xml:space="preserve")?>([^<]*)</t></is></c>)'
)
_FAST_CELL_BYTES = re.compile(_FAST_CELL.pattern.encode("ascii"))
_INLINE_CELL_BYTES = re.compile(
    rb'<c r="([A-Z]{1,3})\d+" t="inlineStr"><is><t(?: xml:space="preserve")?>([^<]*)</t></is></c>'
)
_BETWEEN_ROWS = re.compile(rb"\s*")
_FIRST = operator.itemgetter(0)
_SECOND = operator.itemgetter(1)


class _NotSimple(Exception):
    """The fast path met XML it does not read; the expat reader takes over."""


_UNDECLARED_ENTITY = re.compile(r"&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);)")


def _xml_unescape(text: str) -> str:
    """XML's five entities and character references, for a whole row's texts at once.

    A row of an address export carries a few `&amp;` and `&quot;` in most lines; replacing them in one string
    with `str.replace` instead of `html.unescape` per cell took a quarter off reading the sheet. Anything that
    is not XML (`&nbsp;`, a bare `&`) goes to the XML parser, which refuses it as it would anywhere."""
    if _UNDECLARED_ENTITY.search(text):
        raise _NotSimple
    if "&#" in text:
        text = _CHAR_REF.sub(_char, text)
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'")
            .replace("&amp;", "&"))


_CHAR_REF = re.compile(r"&#(?:x([0-9A-Fa-f]+)|([0-9]+));")


def _char(ref: re.Match[str]) -> str:
    code = int(ref[1], 16) if ref[1] else int(ref[2])
    if code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF:
        return chr(code)
    raise _NotSimple  # not a character XML allows: the XML parser refuses it, naming the place


def _fast_rows(zf: zipfile.ZipFile, member: str, path: Path, strings: list[str], date_styles: frozenset[int],
               progress: list[int] | None, given: list[int]) -> Iterator[Row]:
    col_cache: dict[str, int] = {}
    places: dict[tuple[bytes, ...], Any] = {}
    try:
        with zf.open(member) as handle:
            buf = b""
            in_data = False
            while True:
                chunk = handle.read(_CHUNK)
                if progress is not None:
                    progress[0] += len(chunk)
                buf += chunk
                if not in_data:
                    at = buf.find(b"<sheetData>")
                    if at < 0:
                        if b"<sheetData/>" in buf or (not chunk and buf):
                            return
                        if len(buf) > _CHUNK * 4 or b"<x:" in buf or b"<sheetData " in buf:
                            raise _NotSimple
                        if not chunk:
                            return
                        continue
                    if b"<!" in buf[:at]:  # a DOCTYPE or comment before the data: the XML parser decides
                        raise _NotSimple
                    buf = buf[at + len(b"<sheetData>"):]
                    in_data = True
                pos = 0
                while True:
                    at = buf.find(b"<row ", pos)
                    if at < 0:
                        break
                    if at != pos and _BETWEEN_ROWS.fullmatch(buf, pos, at) is None:
                        raise _NotSimple
                    head_end = buf.find(b">", at)
                    if head_end < 0:
                        break
                    head = _FAST_ROW_HEAD.fullmatch(buf, at, head_end + 1)
                    if head is None:
                        raise _NotSimple
                    if buf[head_end - 1:head_end] == b"/":  # <row r="7"/>: an empty row
                        pos = head_end + 1
                        continue
                    close = buf.find(b"</row>", head_end)
                    if close < 0:
                        break
                    pos = close + len(b"</row>")
                    cells = _fast_cells(buf[head_end + 1:close], strings, date_styles, col_cache, places)
                    if any(cells):
                        number = int(head.group(1))
                        given[0] = number
                        yield number, cells
                rest = buf[pos:]
                if rest.lstrip().startswith(b"</sheetData>"):
                    while handle.read(_CHUNK):  # to the end, so the zip's CRC check runs
                        pass
                    return
                if not chunk:
                    raise _NotSimple  # ended inside the sheet data: let the XML parser say what is wrong
                if b"<row " not in rest and len(rest) > 64 and b"</sheetData>" not in rest:
                    raise _NotSimple
                if len(rest) > MAX_ROW_BYTES:
                    raise ImportRefused(path, f"{member} has a row of over {MAX_ROW_BYTES >> 20} MB after row "
                                              f"{given[0]}: not a spreadsheet an export writes")
                buf = rest
    except (_NotSimple, ImportRefused):
        raise
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ImportRefused(path, f"{member} inside the XLSX is damaged or truncated ({exc})") from exc
    except Exception as exc:  # zlib.error, a bad CRC: not a sound spreadsheet
        raise ImportRefused(path, f"{member} inside the XLSX cannot be read ({type(exc).__name__}: {exc})") from exc


def _placer(letters: tuple[bytes, ...], col_cache: dict[str, int]) -> Callable[[list[str]], Any] | bool:
    """For a row whose cells are in these columns: a getter taking the cells' texts plus a trailing "" and
    giving the row, column by column ("" where no cell is). False when the columns are not strictly increasing
    or reach past the last column: such a row is read cell by cell."""
    cols = []
    for letters_b in letters:
        name = letters_b.decode("ascii")
        col = col_cache.get(name)
        if col is None:
            col = col_cache[name] = _column_index(name, {})
        cols.append(col)
    if not 0 <= cols[-1] < _MAX_COLUMNS or any(b <= a for a, b in itertools.pairwise(cols)):
        return False
    source = [-1] * (cols[-1] + 1)  # -1: the trailing ""
    for i, col in enumerate(cols):
        source[col] = i
    if len(source) == 1:
        only = source[0]
        return lambda texts: (texts[only],)
    return operator.itemgetter(*source)


_MAX_LAYOUTS = 4096  # distinct layouts of cells remembered per sheet; a real export has a few dozen


def _fast_cells(body: bytes, strings: list[str], date_styles: frozenset[int],
                col_cache: dict[str, int], places: dict[tuple[bytes, ...], Any]) -> list[str]:
    text_body = body.decode("utf-8")  # also refuses a row that is not UTF-8, whichever way it is read
    if b"\0" not in body:  # (NUL cannot be in XML; it separates the texts below)
        # The rows exporters write, read without a Python step per cell: matched as bytes (about twice as fast as
        # on text), the texts decoded in one piece, and the row built by a getter made once per layout of cells
        # (which columns a row fills). First the usual row, inline strings only (a pattern with two groups is
        # again twice as fast), then inline text and plain values with no shared string, boolean or date style
        # to resolve. The result is what the loop below gives; any other row goes through it.
        count = body.count(b"<c ")
        found_b: list[tuple[bytes, ...]] = _INLINE_CELL_BYTES.findall(body)
        if len(found_b) == count and found_b:
            values = list(map(_SECOND, found_b))
        elif (b't="s"' not in body and b't="b"' not in body and (not date_styles or b' s="' not in body)
              and len(found_b := _FAST_CELL_BYTES.findall(body)) == count and found_b):
            values = [inline or value for _letters, _s1, _kind, _s2, value, inline in found_b]
        else:
            values = []
        if values:
            key = tuple(map(_FIRST, found_b))
            place = places.get(key)
            if place is None:
                place = _placer(key, col_cache)
                if len(places) < _MAX_LAYOUTS:
                    places[key] = place
            if callable(place):
                joined = b"\0".join(values)
                text = joined.decode("utf-8")
                if "&" in text:
                    text = _xml_unescape(text)
                texts = text.split("\0")
                texts.append("")
                return list(map(str.strip, place(texts)))
    found = _FAST_CELL.findall(text_body)
    if len(found) != text_body.count("<c ") or (not found and "<" in text_body):
        raise _NotSimple  # a cell the pattern does not read exactly (formula, rich text, other attributes)
    if not found:
        return []
    last = col_cache.get(found[-1][0])
    if last is None:
        last = col_cache[found[-1][0]] = _column_index(found[-1][0], {})
    cells = [""] * (last + 1) if 0 <= last < _MAX_COLUMNS else []
    width = len(cells)
    for letters, style1, kind, style2, value, inline in found:
        col = col_cache.get(letters)
        if col is None:
            col = col_cache[letters] = _column_index(letters, {})
        if inline:
            text = inline
        elif not value:
            continue
        elif kind == "s":
            try:
                text = strings[int(value)]
            except (ValueError, IndexError):
                continue
        elif kind == "b":
            text = "TRUE" if value == "1" else "FALSE" if value == "0" else value
        else:
            text = value
            style = style1 or style2
            if date_styles and style and kind != "str" and int(style) in date_styles:
                text = _serial_to_text(text)
        if "&" in text and kind != "s":
            text = html.unescape(text)
        if col >= width:
            if col >= _MAX_COLUMNS:
                continue
            cells.extend([""] * (col - width + 1))
            width = len(cells)
        cells[col] = text.strip()
    return cells


def iter_sheet_rows(zf: zipfile.ZipFile, member: str, path: Path, strings: list[str],
                    date_styles: frozenset[int], progress: list[int] | None = None) -> Iterator[Row]:
    """Every row of one sheet, as (row number, cells), whatever `<dimension>` claims."""
    given = [0]
    try:
        yield from _fast_rows(zf, member, path, strings, date_styles, progress, given)
        return
    except _NotSimple:
        pass
    if progress is not None:
        progress[0] = 0
    for number, cells in _expat_rows(zf, member, path, strings, date_styles, progress):
        if number > given[0]:
            yield number, cells


def _expat_rows(zf: zipfile.ZipFile, member: str, path: Path, strings: list[str],
                date_styles: frozenset[int], progress: list[int] | None = None) -> Iterator[Row]:
    """Every row of one sheet by a full XML parser (the reference reader; `_fast_rows` hands over to it)."""
    done: list[Row] = []
    cells: list[str] = []
    text: list[str] = []
    col_cache: dict[str, int] = {}
    row_number = 0
    col = -1
    cell_type = "n"
    style = -1
    in_value = False
    in_inline = False
    text_size = 0
    tag_c, tag_v, tag_t, tag_is, tag_row = (f"{_NS_MAIN}}}{t}" for t in ("c", "v", "t", "is", "row"))

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal row_number, col, cell_type, style, in_value, in_inline, text_size
        if tag == tag_c:
            text_size = 0
            ref = attrs.get("r")
            index = _column_index(ref, col_cache) if ref else -1
            col = index if index >= 0 else col + 1
            cell_type = attrs.get("t", "n")
            s = attrs.get("s")
            style = int(s) if s and s.isdigit() else -1
            text.clear()
        elif tag == tag_v or (tag == tag_t and in_inline):
            in_value = True
        elif tag == tag_is:
            in_inline = True
        elif tag == tag_row:
            number = attrs.get("r")
            row_number = int(number) if number and number.isdigit() else row_number + 1
            col = -1
            cells.clear()

    def end(tag: str) -> None:
        nonlocal in_value, in_inline
        if tag == tag_c:
            value = "".join(text)
            if cell_type == "s":
                try:
                    value = strings[int(value)]
                except (ValueError, IndexError):
                    value = ""
            elif cell_type == "b":
                value = "TRUE" if value == "1" else "FALSE" if value == "0" else value
            elif cell_type == "e":
                value = ""
            elif style in date_styles and value and cell_type == "n":
                value = _serial_to_text(value)
            if col < _MAX_COLUMNS:
                if col >= len(cells):
                    cells.extend([""] * (col - len(cells) + 1))
                cells[col] = value.strip()
        elif tag in (tag_v, tag_t):
            in_value = False
        elif tag == tag_is:
            in_inline = False
        elif tag == tag_row and any(cells):
            done.append((row_number, list(cells)))

    def chars(data: str) -> None:
        nonlocal text_size
        if in_value:
            text.append(data)
            text_size += len(data)
            if text_size > MAX_CELL_CHARS:
                raise ValueError(f"a cell of over {MAX_CELL_CHARS:,} characters in row {row_number}")

    parser = _expat(start, end, chars)
    for _ in _feed(zf, member, path, parser, progress):
        if done:
            yield from done
            done.clear()


def _fraction(progress: list[int], size: int) -> Callable[[], float]:
    return lambda: min(progress[0] / size, 1.0)


def _open_xlsx_table(path: Path, accept: HeaderTest) -> Table | None:
    zf = open_zip(path)
    try:
        if not is_xlsx(zf):
            zf.close()
            return None
        sheets = xlsx_sheets(zf, path)
        if not sheets:
            raise ImportRefused(path, "the XLSX holds no worksheet")
        strings = _shared_strings(zf, path)
        date_styles = _date_styles(zf, path)
        for name, member in sheets:
            progress = [0]
            size = max(zf.getinfo(member).file_size, 1)
            rows = iter_sheet_rows(zf, member, path, strings, date_styles, progress)
            found = _scan(rows, accept, path)
            if found is None:
                continue
            header_row, header = found
            return Table(path, "XLSX", name, [h.strip() for h in header], header_row, rows,
                         _fraction(progress, size), zf.close)
    except BaseException:
        zf.close()
        raise
    zf.close()
    return None
