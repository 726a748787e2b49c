"""A plain, fast table for the archive's long listings (orders and lines, money, messages, the manifest).

Why not reportlab's `Table`: for a ledger of 100,000 order lines it costs a Paragraph per wrapping cell and a
style lookup per cell, and splitting a long table across pages copies the rest of the table at every page.
Measured here, that made a 10,000-line archive take over a minute. This flowable wraps text with plain width
arithmetic (font runs included, so any script renders), draws every row of a page in one text object, and
splits at an index into a shared row list, so a page costs the same whatever the length of the listing.

What it keeps of a table: column titles on every page (a continuation starting mid-page does not repeat them),
rows of a block (an order and its lines) kept together when the block is small, rows taller than a page split
line by line, right-aligned numbers, row backgrounds and hairlines.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.rl_accel import escapePDF
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.platypus import Flowable

from shopexit.core.archive import fonts

INK = colors.HexColor("#1f2933")
RULE = colors.HexColor("#cbd2d9")
PAD_X = 3.0
PAD_Y = 2.2
_ATOM = re.compile(r"\S+\s*|\s+")

Line = tuple[float, list[tuple[str, str]]]  # (width, runs of (font, text))


@dataclass(frozen=True)
class Look:
    """How one kind of row looks."""

    font: str = fonts.REGULAR
    bold: bool = False
    size: float = 7.5
    leading: float = 9.4
    color: colors.Color = INK
    background: colors.Color | None = None
    first_bold: bool = False  # the first column in bold (an order's id)
    indent: float = 0.0  # extra left indent of the text columns after the first
    rule: colors.Color | None = RULE
    rule_width: float = 0.25
    pad_top: float = PAD_Y  # a dense listing trims these: an order and its details read as one block
    pad_bottom: float = PAD_Y

    @property
    def pad(self) -> float:
        return self.pad_top + self.pad_bottom


@dataclass(frozen=True)
class Col:
    width: float
    right: bool = False


_WIDTHS: dict[tuple[str, str, float], float] = {}
_WIDTHS_MAX = 200_000
_ASCII: dict[str, list[int]] = {}


def _ascii_widths(font: str) -> list[int]:
    """The font's advance of each ASCII character (1/1000 em), as reportlab's stringWidth reads them."""
    table = _ASCII.get(font)
    if table is None:
        fonts.register_fonts()
        face = getFont(font).face
        table = _ASCII[font] = [face.charWidths.get(code, face.defaultWidth) for code in range(128)]
    return table


def _sw(text: str, font: str, size: float) -> float:
    """stringWidth, with plain ASCII summed from a table (exactly stringWidth's arithmetic, several times faster
    for the ids, dates, amounts and addresses a ledger is made of) and other text remembered."""
    if text.isascii():
        return sum(map(_ascii_widths(font).__getitem__, text.encode("ascii"))) * 0.001 * size
    key = (text, font, size)
    width = _WIDTHS.get(key)
    if width is None:
        if len(_WIDTHS) >= _WIDTHS_MAX:
            _WIDTHS.clear()
        width = _WIDTHS[key] = stringWidth(text, font, size)
    return width


def _width(runs: list[tuple[str, str]], size: float) -> float:
    return sum(_sw(chunk, font, size) for font, chunk in runs)


def text_width(text: str, bold: bool, size: float) -> float:
    """The width of one line of text as the page draws it (font runs included), to size columns from data."""
    if text.isascii():
        return _sw(text, fonts.BOLD if bold else fonts.REGULAR, size)
    fonts.register_fonts()
    return _width(fonts.runs(text, bold), size)


_WRAPPED: dict[tuple[str, bool, float, float], list[Line]] = {}


def wrap_text(text: str, bold: bool, size: float, max_width: float) -> list[Line]:
    """Break text into lines no wider than `max_width`, each as font runs. Long words and CJK break anywhere.

    One line of plain ASCII that fits (most cells of a ledger) is measured and returned at once; other short
    texts (statuses, products, names in other scripts: a ledger repeats them endlessly) are wrapped once."""
    if text.isascii() and "\n" not in text and "\r" not in text:
        primary = fonts.BOLD if bold else fonts.REGULAR
        width = sum(map(_ascii_widths(primary).__getitem__, text.encode("ascii"))) * 0.001 * size
        if width <= max_width:
            return [(width, [(primary, text)])]
    if len(text) > 64:
        return _wrap_text(text, bold, size, max_width)
    key = (text, bold, size, max_width)
    lines = _WRAPPED.get(key)
    if lines is None:
        if len(_WRAPPED) >= 50_000:
            _WRAPPED.clear()
        lines = _WRAPPED[key] = _wrap_text(text, bold, size, max_width)
    return lines


def _wrap_text(text: str, bold: bool, size: float, max_width: float) -> list[Line]:
    fonts.register_fonts()
    out: list[Line] = []
    primary = fonts.BOLD if bold else fonts.REGULAR
    simple = fonts.primary_covers(text)
    for para in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if simple:
            width = _sw(para, primary, size)
            if width <= max_width:
                out.append((width, [(primary, para)]))
                continue
            atoms = _ATOM.findall(para)

            def measure(atom: str) -> float:
                return _sw(atom, primary, size)
        else:
            atoms = []
            for atom in _ATOM.findall(para):
                if fonts.needs_wrap_anywhere(atom):
                    atoms.extend(fonts.break_units(atom))  # scripts without spaces break inside words
                else:
                    atoms.append(atom)

            def measure(atom: str) -> float:
                return _width(fonts.runs(atom, bold), size)
        line = ""
        line_width = 0.0
        for atom in atoms:
            w = measure(atom)
            if line_width + w <= max_width:
                line += atom
                line_width += w
                continue
            if line.strip():
                out.append(_finish(line, bold, size, simple, primary))
                atom = atom.lstrip()
                line, line_width = "", 0.0
                w = measure(atom)
                if w <= max_width:
                    line, line_width = atom, w
                    continue
            for ch in fonts.break_units(atom):  # a word wider than the column: cut it where it must be cut
                cw = measure(ch)
                if line.strip() and line_width + cw > max_width:
                    out.append(_finish(line, bold, size, simple, primary))
                    line, line_width = "", 0.0
                line += ch
                line_width += cw
        out.append(_finish(line, bold, size, simple, primary))
    return out


def _finish(line: str, bold: bool, size: float, simple: bool, primary: str) -> Line:
    line = line.rstrip()
    if simple:
        return _sw(line, primary, size), [(primary, line)]
    runs = fonts.runs(line, bold)
    return _width(runs, size), runs


_FITS: dict[tuple[int, int, int | None], tuple[Look, Sequence[Col], list[tuple[float, bool, str, list[int]]]]] = {}


def _fits(look: Look, cols: Sequence[Col], span_from: int | None) -> list[tuple[float, bool, str, list[int]]]:
    """Per cell of a row of this look: the width its text may take, bold or not, its font and that font's
    ASCII advances. The same few looks and column lists serve a whole listing, so this is worked out once.

    Keyed by identity (hashing a look hashes its colours, which cost more than the layout); the entry holds
    the look and the columns, so an id cannot be reused while it is remembered."""
    key = (id(look), id(cols), span_from)
    hit = _FITS.get(key)
    if hit is not None and hit[0] is look and hit[1] is cols:
        return hit[2]
    fits = []
    last = len(cols) if span_from is None else span_from + 1
    for i in range(last):
        width = cols[i].width if i != span_from else sum(c.width for c in cols[i:])
        indent = look.indent if i > 0 else 0.0
        bold = look.bold or (look.first_bold and i == 0)
        primary = fonts.BOLD if bold else fonts.REGULAR
        fits.append((width - 2 * PAD_X - indent, bold, primary, _ascii_widths(primary)))
    if len(_FITS) > 1000:
        _FITS.clear()
    _FITS[key] = (look, cols, fits)
    return fits


class Row:
    """One row: its cells' text, its look, and whether it belongs to the block of the row before it."""

    __slots__ = ("_height", "_lines", "cells", "joined", "look", "span_from")

    def __init__(self, cells: Sequence[str], look: Look, *, joined: bool = False,
                 span_from: int | None = None) -> None:
        self.cells = cells
        self.look = look
        self.joined = joined
        self.span_from = span_from  # this cell runs to the last column
        self._lines: list[list[Line]] | None = None
        self._height = 0.0

    def layout(self, cols: Sequence[Col]) -> float:
        """Wrap the cells into their columns (once) and return the row's height.

        A cell of one line of plain ASCII that fits (nearly every cell of a ledger) is measured inline: no call
        per cell, the width summed from the font's table in C."""
        if self._lines is None:
            look = self.look
            size = look.size
            lines: list[list[Line]] = []
            tallest = 1
            fits = _fits(look, cols, self.span_from)  # a row may have fewer cells than columns, or a span
            for text, (max_width, bold, primary, widths) in zip(self.cells, fits, strict=False):
                if not text:
                    lines.append([])
                    continue
                if text.__class__ is not str:
                    text = str(text)
                if text.isascii() and "\n" not in text and "\r" not in text:
                    width = sum(map(widths.__getitem__, text.encode("ascii"))) * 0.001 * size
                    if width <= max_width:
                        lines.append([(width, [(primary, text)])])
                        continue
                cell = wrap_text(text, bold, size, max_width)
                lines.append(cell)
                if len(cell) > tallest:
                    tallest = len(cell)
            self._lines = lines
            self._height = tallest * look.leading + look.pad
        return self._height

    def split_lines(self, cols: Sequence[Col], avail: float) -> tuple[Row, Row]:
        """Cut a row taller than a page after the lines that fit."""
        self.layout(cols)
        assert self._lines is not None
        keep = max(1, int((avail - self.look.pad) // self.look.leading))
        head = Row(self.cells, self.look, joined=self.joined, span_from=self.span_from)
        tail = Row(self.cells, self.look, joined=True, span_from=self.span_from)
        head._lines = [cell[:keep] for cell in self._lines]
        tail._lines = [cell[keep:] for cell in self._lines]
        for part in (head, tail):
            assert part._lines is not None
            part._height = max(max((len(c) for c in part._lines), default=1), 1) * self.look.leading + self.look.pad
        return head, tail


class RowTable(Flowable):
    """Rows `start:end` of a shared list, with column titles; see the module docstring."""

    def __init__(self, cols: Sequence[Col], header: Row | None, rows: list[Row], start: int = 0,
                 end: int | None = None, *, first: bool = True, heights: list[float] | None = None) -> None:
        super().__init__()
        self.cols = cols if isinstance(cols, list) else list(cols)  # shared by the parts of a split
        self.header = header
        self.rows = rows
        self.start = start
        self.end = len(rows) if end is None else end
        self._heights = heights  # every row's height, computed once and shared with the parts of a split
        self.first = first  # opens its listing: titled wherever it lands
        self._with_header = first
        self.width = sum(c.width for c in self.cols)

    def _decide_header(self) -> None:
        frame = getattr(self, "_frame", None)
        self._with_header = self.header is not None and (self.first or bool(frame is not None and frame._atTop))

    def _header_height(self) -> float:
        return self.header.layout(self.cols) if self._with_header and self.header is not None else 0.0

    def _row_heights(self) -> list[float]:
        if self._heights is None:
            self._heights = [row.layout(self.cols) for row in self.rows]
        return self._heights

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self._decide_header()
        self.height = self._header_height() + sum(self._row_heights()[self.start:self.end])
        return self.width, self.height

    def split(self, aw: float, ah: float) -> list[Flowable]:
        self._decide_header()
        frame = getattr(self, "_frame", None)
        at_top = bool(frame is not None and frame._atTop)
        page = float(frame._aH) if frame is not None else ah
        avail = ah - self._header_height()
        rows, cols = self.rows, self.cols
        heights = self._row_heights()
        used = 0.0
        i = self.start
        boundary = self.start  # the last place a block ends within what fits
        while i < self.end:
            h = heights[i]
            if used + h > avail:
                break
            used += h
            i += 1
            if i == self.end or not rows[i].joined:
                boundary = i
        if i >= self.end:
            return [self]
        cut = boundary
        if i > boundary:
            # the row that does not fit is inside a block: keep the block whole when it is small
            block_start = boundary
            block_end = i
            while block_end < self.end and rows[block_end].joined:
                block_end += 1
            block_height = sum(heights[block_start:block_end])
            if block_height > 0.3 * page:
                cut = i
        if cut == self.start:
            if not at_top:
                return []  # start afresh on the next page
            if i > self.start:
                cut = i  # a block taller than a page: split between its rows
            else:
                head, tail = rows[self.start].split_lines(cols, avail)
                rest = [tail, *rows[self.start + 1: self.end]]  # rare: one row taller than a page
                return [RowTable(cols, self.header, [head], first=self._with_header),
                        RowTable(cols, self.header, rest, first=True)]
        return [RowTable(cols, self.header, rows, self.start, cut, first=self._with_header, heights=heights),
                RowTable(cols, self.header, rows, cut, self.end, first=True, heights=heights)]

    def draw(self) -> None:
        canv = self.canv
        cols = self.cols
        xs = [0.0]
        for c in cols:
            xs.append(xs[-1] + c.width)
        items: list[Row] = ([self.header] if self._with_header and self.header is not None else [])
        items += self.rows[self.start:self.end]
        y = self.height
        # backgrounds first, then hairlines, then all the text in one text object
        tops = []
        for row in items:
            h = row.layout(cols)
            tops.append((row, y, h))
            if row.look.background is not None:
                canv.setFillColor(row.look.background)
                canv.rect(0, y - h, self.width, h, stroke=0, fill=1)
            y -= h
        by_rule: dict[tuple[Any, float], list[float]] = {}
        for row, top, h in tops:
            if row.look.rule is not None:
                by_rule.setdefault((row.look.rule, row.look.rule_width), []).append(top - h)
        for (colour, width), ys in by_rule.items():
            canv.setStrokeColor(colour)
            canv.setLineWidth(width)
            path = canv.beginPath()
            for line_y in ys:
                path.moveTo(0, line_y)
                path.lineTo(self.width, line_y)
            canv.drawPath(path, stroke=1, fill=0)
        canv.addLiteral(self._text_code(tops, xs))

    def _text_code(self, tops: list[tuple[Row, float, float]], xs: list[float]) -> str:
        """All the text of the rows as PDF operators, in one BT…ET inside q…Q.

        Written directly (the way reportlab's ttfonts module documents for its subset fonts) rather than through
        a text object: the text object re-measures every string and re-encodes every repeated one, which was
        half of the time of a long ledger."""
        canv = self.canv
        encoders = _encoders_for(canv._doc)
        cols = self.cols
        code = ["q BT"]
        append = code.append
        current_font = ""
        current_colour: Any = None
        for row, top, _ in tops:
            look = row.look
            assert row._lines is not None
            if look.color != current_colour:
                r, g, b = look.color.rgb()
                append(f"{r:.4f} {g:.4f} {b:.4f} rg")
                current_colour = look.color
            size = look.size
            size_text = f" {size:g} Tf"
            first_baseline = top - look.pad_top - size * 0.95
            for i, cell in enumerate(row._lines):
                if not cell:
                    continue
                right = cols[i].right and i != row.span_from
                left = xs[i] + PAD_X + (look.indent if i > 0 else 0.0)
                cell_right = (xs[-1] if i == row.span_from else xs[i + 1]) - PAD_X
                baseline = first_baseline
                for width, runs in cell:
                    append(f"1 0 0 1 {cell_right - width if right else left:.2f} {baseline:.2f} Tm")
                    for font_name, chunk in runs:
                        encoder = encoders.get(font_name)
                        if encoder is None:
                            encoder = encoders[font_name] = _Encoder(font_name, canv._doc)
                        for internal, shown in encoder.shows(chunk):
                            font = internal + size_text
                            if font != current_font:
                                append(font)
                                current_font = font
                            append(shown)
                    baseline -= look.leading
        append("ET Q")
        return "\n".join(code)


def text_line(canv: Any, x: float, y: float, text: str, size: float, *, bold: bool = False,
              right: bool = False) -> str:
    """One line of text at (x, y) (right-aligned: ending at x) as PDF operators in a BT…ET block, in any script;
    the caller sets the colour. For text drawn on every page: the result can be kept and added again."""
    fonts.register_fonts()
    primary = fonts.BOLD if bold else fonts.REGULAR
    runs = [(primary, text)] if fonts.primary_covers(text) else fonts.runs(text, bold)
    if right:
        x -= _width(runs, size)
    return "BT\n" + "\n".join(_run_code(canv, x, y, runs, size)) + "\nET"


def _run_code(canv: Any, x: float, y: float, runs: list[tuple[str, str]], size: float) -> list[str]:
    encoders = _encoders_for(canv._doc)
    code = [f"1 0 0 1 {x:.2f} {y:.2f} Tm"]
    for font_name, chunk in runs:
        encoder = encoders.get(font_name)
        if encoder is None:
            encoder = encoders[font_name] = _Encoder(font_name, canv._doc)
        for internal, _, escaped in encoder.encode(chunk):
            code.append(f"{internal} {size:g} Tf ({escaped}) Tj")
    return code


class _Encoder:
    """Text to a subset font's codes, as reportlab's `splitString` assigns them, remembered per document.

    Once a character has its code it never changes, so characters of the first subset (ASCII and the first
    ~200 others seen) are translated in one C call, repeated strings are not encoded twice, and only text with
    characters not seen before goes through `splitString` (which then assigns their codes)."""

    def __init__(self, font_name: str, doc: Any) -> None:
        self.font = getFont(font_name)
        self.doc = doc
        self.first: dict[int, int] = {}  # character -> its byte in subset 0
        self.known: set[str] = set()
        self.cache: dict[str, list[tuple[str, int, str]]] = {}
        self.shown: dict[str, list[tuple[str, str]]] = {}
        self.name0 = ""
        # the identity for printable ASCII holds in reportlab's "ASCII readable" mode (on by default) for a font
        # that has every printable ASCII character (DejaVu, Noto Thai; not the CJK fallback, which never gets any)
        readable = rl_config.ttfAsciiReadable and all(c in self.font.face.charToGlyph for c in range(32, 127))
        self.ascii_name = self.font.getSubsetInternalName(0, doc) if readable else ""

    def encode(self, text: str) -> list[tuple[str, int, str]]:
        parts = self.cache.get(text)
        if parts is not None:
            return parts
        if self.name0 and self.known.issuperset(text):
            parts = [(self.name0, 0, escapePDF(text.translate(self.first).encode("latin-1")))]
        else:
            split = self.font.splitString(text, self.doc)
            parts = [(self.font.getSubsetInternalName(subset, self.doc), subset, escapePDF(raw))
                     for subset, raw in split]
            if len(split) == 1 and split[0][0] == 0 and len(split[0][1]) == len(text):
                self.name0 = parts[0][0]
                for ch, byte in zip(text, split[0][1], strict=True):
                    self.first[ord(ch)] = byte
                    self.known.add(ch)
        if len(text) <= 64:
            if len(self.cache) >= 50_000:
                self.cache.clear()
            self.cache[text] = parts
        return parts

    def shows(self, text: str) -> list[tuple[str, str]]:
        """(the subset's font name, its "(…) Tj" operator) for each part of the text, remembered.

        Printable ASCII needs no lookup at all: reportlab gives those characters their own codes in the first
        subset of every font ("ASCII readable", its default), so the text is its own encoding."""
        if self.ascii_name and text.isascii() and text.isprintable():
            return [(self.ascii_name, f"({escapePDF(text)}) Tj")]
        shown = self.shown.get(text)
        if shown is None:
            shown = [(internal, f"({escaped}) Tj") for internal, _, escaped in self.encode(text)]
            if len(self.shown) >= 50_000:
                self.shown.clear()
            self.shown[text] = shown
        return shown


_ENCODERS: weakref.WeakKeyDictionary[Any, dict[str, _Encoder]] = weakref.WeakKeyDictionary()


def _encoders_for(doc: Any) -> dict[str, _Encoder]:
    encoders = _ENCODERS.get(doc)
    if encoders is None:
        encoders = _ENCODERS[doc] = {}
    return encoders
