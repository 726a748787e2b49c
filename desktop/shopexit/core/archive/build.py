"""The human-readable half of the archive: the pages, drawn with reportlab.

What a person reads, in order: a cover (who, what shop, what period, when made, what the file holds, the
signing certificate's fingerprints and how to check the signature), the exit at a glance, charts, the ledger,
message transcripts, cases with their timelines, evidence (images on the page), the imported source files,
and an appendix with the manifest and the audit log's head hash.

The ledger is on landscape pages: each order is one band (its row with the first line folded in, further lines,
then its shipping and contact details on one muted line), about 27 orders a page where upright pages held 12;
many settlements and on-hold rows run in two columns. The columns are sized from the data (`order_columns`,
`money_columns`): ids, dates and amounts never wrap, long product and buyer names do. Everything else is upright.

Scale: the story is produced lazily, one page-sized table at a time (see `_ArchiveDoc.handle_flowable`), so a
vault of 100,000 order lines is never held as 100,000 table rows, and no single table ever grows large —
reportlab splits a big table in quadratic time, a page-sized one in constant time. Each page's content is
compressed as soon as the page is done, and the running header and footer are encoded once, not per page.
"""

from __future__ import annotations

import bisect
import contextlib
import io
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, BinaryIO

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, LETTER, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFStream
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    Image,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageBreakIfNotEmpty,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from shopexit.core.archive import charts, fonts

with contextlib.suppress(ImportError):
    # reportlab's C accelerator (package rl-accel): reportlab loads it by name at run time, so name it here
    # for PyInstaller to bundle it. Without it the same archive takes three to four times as long.
    import _rl_accel  # type: ignore[import-not-found]  # noqa: F401
from shopexit.core.archive.collect import Collection, MoneyTotals
from shopexit.core.archive.data_files import evidence_file_name, source_file_name
from shopexit.core.archive.embed import MANIFEST_NAME, ManifestEntry
from shopexit.core.archive.sign import SignerIdentity
from shopexit.core.archive.table import PAD_X, Col, Look, Row, RowTable, text_line, text_width
from shopexit.core.money import exponent
from shopexit.core.records.browse import human_size
from shopexit.core.vault import ShopProfile

INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#52606d")
ACCENT = colors.HexColor("#0f766e")
RULE = colors.HexColor("#cbd2d9")
BAND = colors.HexColor("#f0f4f8")
GOOD = colors.HexColor("#047857")
BAD = colors.HexColor("#b91c1c")

ROWS_PER_CHUNK = 400  # rows of a long listing made at a time: memory stays flat, pages flow on
HEADING_ROOM = 3.5 * cm
WIDE_MARGIN = 1.5 * cm  # the landscape ledger pages: side margins, then top and bottom
WIDE_TOP = 1.5 * cm
WIDE_BOTTOM = 1.3 * cm
GUTTER = 0.8 * cm
COLUMNS_FROM = 60  # settlements and money on hold rows from which they run in two columns (~ a column)
Record = tuple[list[Row], int]  # the rows of one record (an order and its lines) and its weight for progress

HEADER = Look(bold=True, color=MUTED, rule=MUTED, rule_width=0.75)
PLAIN = Look()
BANDED = Look(background=BAND)
DETAIL = Look(size=7, leading=8.8, color=MUTED, indent=8)
HASHES = Look(size=6.5, leading=8.2)
# The long listings of the ledger are dense (smaller type, tight rows) but stay readable when printed.
DENSE = Look(size=6.8, leading=8.2, pad_top=1.3, pad_bottom=1.3)
DENSE_HEADER = Look(bold=True, size=6.8, leading=8.2, color=MUTED, rule=MUTED, rule_width=0.75, pad_top=1.5,
                    pad_bottom=1.5)
W_HEADER = Look(bold=True, size=6.5, leading=7.6, color=MUTED, rule=MUTED, rule_width=0.75, pad_top=1.5,
                pad_bottom=1.5)
# An order's band: its first row, its further lines, its details — unshaded or shaded, alternately.
W_ORDER = {shade: Look(size=6.5, leading=7.6, first_bold=True, background=BAND if shade else None, rule=None,
                       pad_top=1.7, pad_bottom=0.3) for shade in (False, True)}
W_LINE = {shade: Look(size=6.5, leading=7.6, background=BAND if shade else None, rule=None, pad_top=0.0,
                      pad_bottom=0.3) for shade in (False, True)}
W_DETAIL = {shade: Look(size=6.5, leading=7.6, color=MUTED, background=BAND if shade else None, rule=None,
                        pad_top=0.0, pad_bottom=1.7) for shade in (False, True)}
PAD = 3
IMAGE_MAX_PIXELS = 800  # ~130 dpi across the widest an image is shown (16 cm)
IMAGE_MIN_PIXELS = 600  # a JPEG is decoded at a reduced scale while that still gives this many (~95 dpi)


ORDER_HEADER = ["Order", "Placed", "Status", "Buyer", "SKU", "Product", "Qty", "Unit price", "Line total", "Amount"]


def _covering(weighted: Iterable[tuple[float, int]], share: float) -> float:
    """The narrowest width that holds `share` of the items (each width with how many items have it): the few
    longest then wrap rather than widen the column for everyone."""
    items = sorted(weighted)
    total = sum(n for _, n in items)
    if not total:
        return 0.0
    seen = 0
    for width, n in items:
        seen += n
        if seen >= share * total:
            return width
    return items[-1][0]


def _wider_than(weighted: list[tuple[float, int]], slack: float) -> tuple[list[float], list[float]]:
    """Sorted needed widths and, at index i, the share of items needing more than widths[i - 1] (at len: 0)."""
    items = sorted((w + slack, n) for w, n in weighted)
    total = sum(n for _, n in items) or 1
    wider = [0.0] * (len(items) + 1)
    for i in range(len(items) - 1, -1, -1):
        wider[i] = wider[i + 1] + items[i][1] / total
    return [w for w, _ in items], wider


def order_columns(samples: dict[str, Any], width: float) -> list[Col]:
    """The orders ledger's columns, sized from what they hold (`Collection.order_column_samples`).

    Order ids, dates, quantities and amounts get the width of their widest value, so they never wrap (an id
    wrapped onto a second line doubles its band's height). SKUs and statuses get the width most of them need;
    the buyer a share of what is left, and the product name the rest: long names and products take the wrap."""
    size = W_ORDER[False].size
    slack = 2 * PAD_X + 1.0

    def head(i: int) -> float:
        return text_width(ORDER_HEADER[i], True, W_HEADER.size) + slack

    def widest(texts: Iterable[str], bold: bool = False) -> float:
        return max((text_width(t, bold, size) for t in texts if t), default=0.0) + slack

    ids = widest(samples["ids"], bold=True)
    placed = widest(["0000-00-00"])
    status_texts = [((f"{s} / {sub}" if sub and sub != s else s) or "", n) for s, sub, n in samples["statuses"]]
    status = _covering(((text_width(t, False, size), n) for t, n in status_texts), 0.95) + slack
    sku = _covering(((text_width(t or "", False, size), n) for t, n in samples["skus"]), 0.95) + slack
    buyers = []
    for recipient, username, n in samples["buyers"]:
        text = recipient or username or "—"
        if recipient and username and recipient != username:
            text = f"{recipient} ({username})"
        buyers.append((text_width(text, False, size), n))
    if not buyers:  # redacted (pseudonyms) or no orders
        buyers = [(text_width("Buyer 00000", False, size), 1)]
    products = [(text_width(name + (f" — {variation}" if variation else ""), False, size), n)
                for name, variation, n in samples["products"]] or [(0.0, 1)]
    qty_texts = ["0"]
    price_texts, total_texts, amount_texts = [], [], []
    for cur, biggest, negative in samples["amounts"]:
        amount_texts.append(money(-(biggest or 0) if negative else biggest, cur))
    for cur, price, price_neg, subtotal, sub_neg, quantity, returned in samples["lines"]:
        price_texts.append(money(-(price or 0) if price_neg else price, cur))
        total_texts.append(money(-(subtotal or 0) if sub_neg else subtotal, cur))
        qty_texts.append(f"{quantity or 0}" + (f" (−{returned})" if returned else ""))
    widths = [
        min(max(ids, head(0)), 0.22 * width),
        max(placed, head(1)),
        min(max(status, head(2)), 0.12 * width),
        0.0,  # buyer: below
        min(max(sku, head(4)), 0.14 * width),
        0.0,  # product: the rest
        max(widest(qty_texts), head(6)),
        min(max(widest(price_texts), head(7)), 0.1 * width),
        min(max(widest(total_texts), head(8)), 0.1 * width),
        min(max(widest(amount_texts), head(9)), 0.1 * width),
    ]
    # Buyer and product share the rest. When both fit at their widest, what is left over is split between them;
    # otherwise the split is the one that wraps the fewest (share of buyers wrapped + share of lines whose
    # product wraps), neither getting less than a quarter of the rest.
    rest = width - sum(widths)
    buyer_max = max(max(w for w, _ in buyers) + slack, head(3))
    product_max = max(max(w for w, _ in products) + slack, head(5))
    if buyer_max + product_max <= rest:
        widths[3] = buyer_max + (rest - buyer_max - product_max) / 2
    else:
        low, high = max(head(3), 0.25 * rest), min(buyer_max, 0.75 * rest)
        b_widths, b_wider = _wider_than(buyers, slack)
        p_widths, p_wider = _wider_than(products, slack)

        def wrapped(w: float) -> tuple[float, float]:
            b = b_wider[bisect.bisect_right(b_widths, w)]
            p = p_wider[bisect.bisect_right(p_widths, rest - w)]
            return b + p, w  # fewest wraps; on a tie, the most room for the product

        candidates = [min(max(w, low), high) for w in
                      [bw + slack for bw, _ in buyers] + [rest - pw - slack for pw, _ in products] + [low, high]]
        widths[3] = min(candidates, key=wrapped) if low <= high else low
    widths[5] = rest - widths[3]
    return [Col(w, i >= 6) for i, w in enumerate(widths)]


def _amount_texts(rows: Iterable[tuple[Any, ...]], pairs: int) -> list[list[str]]:
    """Per amount column, the text of the largest amount in each currency (rows: currency, then a largest
    magnitude and whether any is negative per column)."""
    out: list[list[str]] = [[] for _ in range(pairs)]
    for row in rows:
        for k in range(pairs):
            biggest, negative = row[1 + 2 * k] or 0, row[2 + 2 * k]
            out[k].append(money(-biggest if negative else biggest, row[0]))
    return out


def money_columns(samples: dict[str, Any], width: float) -> tuple[list[Col], list[Col]]:
    """The settlements and money-on-hold columns (`Collection.money_column_samples`): references, ids, dates
    and amounts at their widest (never wrapped), types and expected dates at what most need, the rest to the
    reference (settlements) or the status (on hold)."""
    size, slack = DENSE.size, 2 * PAD_X + 1.0

    def widest(texts: Iterable[str], minimum: str) -> float:
        return max([text_width(t, False, size) for t in texts if t] + [text_width(minimum, True, size)]) + slack

    def most(counted: Iterable[tuple[str, int]], minimum: str) -> float:
        return max(_covering(((text_width(t or "", False, size), n) for t, n in counted), 0.95),
                   text_width(minimum, True, size)) + slack

    date = widest(["0000-00-00"], "Settled")
    revenue, fees, settled = _amount_texts(samples["settled"], 3)
    s_widths = [date, 0.0, min(most(samples["types"], "Type"), 0.25 * width), widest(revenue, "Revenue"),
                widest(fees, "Fees"), widest(settled, "Settlement")]
    s_widths[1] = max(width - sum(s_widths), 0.2 * width)
    s_widths[2] = width - sum(w for i, w in enumerate(s_widths) if i != 2)
    (held,) = _amount_texts(samples["held"], 1)
    h_widths = [min(widest(samples["hold_ids"], "Order"), 0.45 * width), 0.0,
                min(most(samples["expected"], "Expected"), 0.3 * width), widest(held, "Amount")]
    h_widths[1] = width - sum(h_widths)
    return ([Col(w, i >= 3) for i, w in enumerate(s_widths)], [Col(w, i == 3) for i, w in enumerate(h_widths)])


# -- styles ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    subtitle: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    mono: ParagraphStyle
    hash: ParagraphStyle
    note: ParagraphStyle
    cjk: dict[str, ParagraphStyle] = field(default_factory=dict)

    def wrap_for(self, style: ParagraphStyle, text: str) -> ParagraphStyle:
        """The CJK variant (line breaks allowed between any characters) when the text needs it."""
        if not fonts.needs_wrap_anywhere(text):
            return style
        variant = self.cjk.get(style.name)
        if variant is None:
            variant = ParagraphStyle(style.name + "-cjk", parent=style, wordWrap="CJK")
            self.cjk[style.name] = variant
        return variant


def make_styles() -> Styles:
    fonts.register_fonts()
    base = ParagraphStyle("body", fontName=fonts.REGULAR, fontSize=9.5, leading=13, textColor=INK,
                          spaceAfter=5, bulletFontName=fonts.REGULAR)

    def s(name: str, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base, **kw)

    return Styles(
        title=s("title", fontName=fonts.BOLD, fontSize=26, leading=31, spaceAfter=6, textColor=INK),
        subtitle=s("subtitle", fontSize=14, leading=19, textColor=ACCENT, spaceAfter=14),
        # No keepWithNext: it would glue a heading to a whole table and push both to the next page. The document
        # puts a conditional page break before each heading instead (see _ArchiveDoc.handle_flowable).
        h1=s("h1", fontName=fonts.BOLD, fontSize=17, leading=22, textColor=ACCENT, spaceBefore=4, spaceAfter=8),
        h2=s("h2", fontName=fonts.BOLD, fontSize=12, leading=16, spaceBefore=10, spaceAfter=5),
        h3=s("h3", fontName=fonts.BOLD, fontSize=10, leading=13, spaceBefore=6, spaceAfter=3),
        body=base,
        small=s("small", fontSize=8, leading=10.5, textColor=MUTED),
        cell=s("cell", fontSize=7.5, leading=9.5, spaceAfter=0),
        mono=s("mono", fontSize=7.5, leading=9.5, spaceAfter=0, alignment=TA_LEFT),
        hash=s("hash", fontSize=6.5, leading=8.5, spaceAfter=0, textColor=MUTED),
        note=s("note", fontSize=8, leading=10.5, textColor=MUTED, spaceBefore=4, spaceAfter=6),
    )


# -- small formatting helpers -------------------------------------------------------------------------------------
def when(iso: str | None) -> str:
    """'2026-05-10T23:37:00Z' → '2026-05-10 23:37' (UTC; the column headers say so)."""
    if not iso:
        return ""
    text = iso.replace("T", " ").rstrip("Z")
    return text[:16]


def day(iso: str | None) -> str:
    return iso[:10] if iso else ""


_MONEY: dict[tuple[int, str], str] = {}


def money(minor: int | None, currency: str) -> str:
    """`money.format_display` ("1,266.13 USD") with integer arithmetic: a ledger formats hundreds of thousands,
    and prices, fees and shipping repeat, so each amount's text is made once."""
    minor = int(minor or 0)
    key = (minor, currency)
    text = _MONEY.get(key)
    if text is None:
        exp = exponent(currency)
        if exp == 0:
            text = f"{minor:,} {currency}"
        else:
            whole, frac = divmod(abs(minor), 10 ** exp)
            text = f"{'-' if minor < 0 else ''}{whole:,}.{frac:0{exp}d} {currency}"
        if len(_MONEY) >= 100_000:
            _MONEY.clear()
        _MONEY[key] = text
    return text


class Cells:
    """Record text as a cell of a small reportlab table (the glance, a case): a plain string when it fits on one
    line in DejaVu, else a wrapping Paragraph with font runs. Long listings use `table.RowTable` instead."""

    def __init__(self, st: Styles) -> None:
        self.st = st

    def __call__(self, value: object, width: float, style: ParagraphStyle | None = None) -> Any:
        style = style or self.st.cell
        text = "" if value is None else str(value)
        if not text:
            return ""
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if ("\n" not in text and fonts.primary_covers(text)
                and stringWidth(text, style.fontName, style.fontSize) <= width - 2 * PAD):
            return text
        return Paragraph(fonts.markup(text).replace("\n", "<br/>"), self.st.wrap_for(style, text))


def p(st: Styles, text: str, style: ParagraphStyle | None = None) -> Paragraph:
    """A paragraph of record text (escaped, with font runs)."""
    style = style or st.body
    return Paragraph(fonts.markup(text).replace("\n", "<br/>"), st.wrap_for(style, text))


def heading(st: Styles, text: str, level: int) -> Paragraph:
    style = {0: st.h1, 1: st.h2}.get(level, st.h3)
    para = Paragraph(fonts.markup(text), st.wrap_for(style, text))
    para._bookmark = (level, text)
    return para


def grid(rows: list[list[Any]], widths: list[float], *, header: bool = True,
         extra: Iterable[tuple[Any, ...]] = (), right: Iterable[int] = (), zebra: bool = True) -> Table:
    """A small table in the archive's look: header band, hairlines, numbers right-aligned."""
    cmds: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), fonts.REGULAR, 7.5, 9.5),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
    ]
    right = list(right)
    if header:
        rows[0] = [_header_cell(text, widths[i], i in right) for i, text in enumerate(rows[0])]
        cmds += [("FONT", (0, 0), (-1, 0), fonts.BOLD, 7.5, 9.5), ("TEXTCOLOR", (0, 0), (-1, 0), MUTED),
                 ("LINEBELOW", (0, 0), (-1, 0), 0.75, MUTED)]
        if zebra:
            cmds.append(("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, BAND]))
    elif zebra:
        cmds.append(("ROWBACKGROUNDS", (0, 0), (-1, -1), [colors.white, BAND]))
    for col in right:
        cmds.append(("ALIGN", (col, 0), (col, -1), "RIGHT"))
    cmds.extend(extra)
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0, style=TableStyle(cmds), splitInRow=1)
    table.hAlign = "LEFT"
    return table


_HEADER_STYLES: dict[bool, ParagraphStyle] = {}


def _header_cell(text: Any, width: float, right: bool) -> Any:
    """A column title that does not fit its column wraps instead of running into the next one."""
    if not isinstance(text, str) or stringWidth(text, fonts.BOLD, 7.5) <= width - 2 * PAD:
        return text
    style = _HEADER_STYLES.get(right)
    if style is None:
        style = ParagraphStyle(f"header-{right}", fontName=fonts.BOLD, fontSize=7.5, leading=9, textColor=MUTED,
                               alignment=TA_RIGHT if right else TA_LEFT)
        _HEADER_STYLES[right] = style
    return Paragraph(fonts.markup(text), style)


def kv(st: Styles, pairs: list[tuple[str, Any]], width: float, key_width: float = 3.2 * cm) -> Table:
    cells = Cells(st)
    rows = [[k, v if isinstance(v, Flowable) else cells(v, width - key_width)] for k, v in pairs]
    return grid(rows, [key_width, width - key_width], header=False, zebra=False,
                extra=[("TEXTCOLOR", (0, 0), (0, -1), MUTED)])


# -- what the renderer is given -----------------------------------------------------------------------------------
@dataclass
class RenderInput:
    coll: Collection
    profile: ShopProfile
    made_at: str
    app_version: str
    identity: SignerIdentity
    entries: list[ManifestEntry]
    manifest_sha256: str
    manifest_size: int
    audit_head: str
    audit_entries: int
    status: dict[str, Any] | None
    closure: Any | None  # shopexit.core.plan.Closure
    funds: dict[str, Any]  # currency -> facts.Funds
    open_image: Callable[[int], Any]  # evidence id -> context manager giving a readable, seekable stream
    out_name: str = ""
    case_title: str = ""


class _Marker(Flowable):
    """A story entry the document acts on when it reaches it (see `_ArchiveDoc.handle_flowable`); it takes no
    room and draws nothing."""

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:  # pragma: no cover - never laid out
        return 0, 0

    def draw(self) -> None:  # pragma: no cover
        pass


class _Lazy(_Marker):
    """A placeholder in the story that produces the next batch of flowables when the document reaches it."""

    def __init__(self, batches: Iterator[list[Flowable]]) -> None:
        super().__init__()
        self.batches = batches


class _Orientation(_Marker):
    """Marks where the story turns to another page template (the wide ledger pages and back).

    On a page that is still empty the page itself is turned, so a section never leaves a blank page behind."""

    def __init__(self, template: str) -> None:
        super().__init__()
        self.template = template


class _PackedStream(PDFStream):
    """A page's content stream, Flate-compressed in advance (as reportlab would at the end)."""

    __Comment__ = "page stream"

    def __init__(self, text: str) -> None:
        super().__init__(PDFDictionary({"Filter": PDFArray([PDFName("FlateDecode")])}),
                         zlib.compress(text.encode("utf8")), None)


@dataclass(frozen=True)
class _Decor:
    """Where a template's running header and footer go."""

    left: float
    width: float
    header_y: float
    footer_y: float


class _ArchiveDoc(BaseDocTemplate):
    def __init__(self, out: BinaryIO, pagesize: tuple[float, float], inp: RenderInput,
                 check: Callable[[], None], **kw: Any) -> None:
        super().__init__(out, pagesize=pagesize, leftMargin=1.8 * cm, rightMargin=1.8 * cm, topMargin=2.0 * cm,
                         bottomMargin=1.8 * cm, **kw)
        self.inp = inp
        self.check = check
        self._bookmarks = 0
        self._outline_level = -1
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        # The orders ledger is a wide table: it gets landscape pages with narrower margins, so an order with its
        # line, buyer and shipping details reads as one band of two lines.
        wide = landscape(pagesize)
        self.wide_width = wide[0] - 2 * WIDE_MARGIN
        wide_frame = Frame(WIDE_MARGIN, WIDE_BOTTOM, self.wide_width, wide[1] - WIDE_TOP - WIDE_BOTTOM, id="wide",
                           leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        # Short-rowed listings (settlements, money on hold) run in two columns on the same wide pages.
        self.half_width = (self.wide_width - GUTTER) / 2
        halves = [Frame(WIDE_MARGIN + i * (self.half_width + GUTTER), WIDE_BOTTOM, self.half_width,
                        wide[1] - WIDE_TOP - WIDE_BOTTOM, id=f"half{i}", leftPadding=0, rightPadding=0, topPadding=0,
                        bottomPadding=0) for i in (0, 1)]
        self._decor = {
            "body": _Decor(self.leftMargin, self.width, pagesize[1] - 1.25 * cm, 1.0 * cm),
            "wide": _Decor(WIDE_MARGIN, self.wide_width, wide[1] - 0.95 * cm, 0.75 * cm),
        }
        self._decor["cover"] = self._decor["body"]
        self._decor["columns"] = self._decor["wide"]
        self._decor_code: dict[str, str] = {}
        # Decoration is drawn when a page ends, so an empty page can still be turned (see _Orientation).
        self.addPageTemplates([
            PageTemplate(id="cover", frames=[frame], onPageEnd=self._cover_page),
            PageTemplate(id="body", frames=[frame], onPageEnd=self._body_page),
            PageTemplate(id="wide", frames=[wide_frame], onPageEnd=self._body_page, pagesize=wide),
            PageTemplate(id="columns", frames=halves, onPageEnd=self._body_page, pagesize=wide),
        ])

    def handle_documentBegin(self) -> None:
        super().handle_documentBegin()
        self.canv.setPageCallBack(self._page_done)

    def _page_done(self, number: int) -> None:
        """Compress each page's content as soon as the page is done.

        reportlab keeps every page's drawing operators as text until it writes the file; for thousands of ledger
        pages that text was most of the export's peak memory. Compressed now, a page keeps a tenth of it."""
        page = self.canv._doc.Pages.pages[-1]
        if page.stream and page.Contents is None:
            page.Contents = _PackedStream(page.stream)
            page.stream = None

    def handle_flowable(self, flowables: list[Flowable]) -> None:
        self.check()
        while flowables and isinstance(flowables[0], _Lazy):
            batch = next(flowables[0].batches, None)
            if batch is None:
                del flowables[0]
            else:
                flowables[0:0] = batch
        while flowables and isinstance(flowables[0], PageBreakIfNotEmpty) and self.frame._atTop:
            del flowables[0]  # the page is still empty: a section starting here needs no new page
        if flowables and isinstance(flowables[0], _Orientation):
            self._turn(flowables)
            return
        first = flowables[0] if flowables else None
        if getattr(first, "_bookmark", None) and not getattr(first, "_room_made", False):
            first._room_made = True  # type: ignore[union-attr]
            flowables.insert(0, CondPageBreak(HEADING_ROOM))  # a heading never ends a page
        if flowables:
            super().handle_flowable(flowables)

    def _turn(self, flowables: list[Flowable]) -> None:
        marker = flowables.pop(0)
        assert isinstance(marker, _Orientation)
        target = marker.template
        current: Any = self.__dict__["pageTemplate"]  # (reportlab's attributes carry no types)
        frame: Any = self.__dict__["frame"]
        if current.id == target:
            return
        if not frame._atTop:
            flowables[0:0] = [NextPageTemplate(target), PageBreak()]
            return
        template = next(t for t in self.pageTemplates if t.id == target)
        self.pageTemplate = template
        template.checkPageSize(self.canv, self)
        for f in template.frames:
            f._reset()
        self.frame = template.frames[0]
        self.handle_frameBegin()

    def afterFlowable(self, flowable: Flowable) -> None:
        mark = getattr(flowable, "_bookmark", None)
        if mark:
            level, title = mark
            level = min(level, self._outline_level + 1)  # the outline may not skip a level
            self._outline_level = level
            self._bookmarks += 1
            key = f"s{self._bookmarks}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(title, key, level=level, closed=level > 0)

    # -- page decoration --------------------------------------------------------------------------------------
    def _fixed_code(self, template: str) -> str:
        """The running header and the footer's fixed text as PDF operators, made once per template: drawing
        them through the canvas on each of thousands of pages measured and encoded the same strings again."""
        code = self._decor_code.get(template)
        if code is None:
            d = self._decor[template]
            canv = self.canv
            r, g, b = MUTED.rgb()
            parts = [f"q {r:.4f} {g:.4f} {b:.4f} rg"]
            if template != "cover":
                parts.append(text_line(canv, d.left, d.header_y, self.inp.profile.shop_name, 8))
                parts.append(text_line(canv, d.left + d.width, d.header_y,
                                       "Signed records archive · " + _scope_text(self.inp), 8, right=True))
                rr, rg, rb = RULE.rgb()
                parts.append(f"{rr:.4f} {rg:.4f} {rb:.4f} RG 0.5 w {d.left:.2f} {d.header_y - 4:.2f} m "
                             f"{d.left + d.width:.2f} {d.header_y - 4:.2f} l S")
            parts.append(text_line(canv, d.left, d.footer_y, f"Made {when(self.inp.made_at)} UTC by shopexit "
                                   f"{self.inp.app_version} · check with: shopexit verify / pdfsig", 7.5))
            parts.append("Q")
            code = self._decor_code[template] = "\n".join(parts)
        return code

    def _cover_page(self, canv: Any, doc: Any) -> None:
        canv.saveState()
        canv.setFillColor(ACCENT)
        width, height = canv._pagesize
        canv.rect(0, height - 0.9 * cm, width, 0.9 * cm, stroke=0, fill=1)
        canv.restoreState()
        self._footer(canv, "cover")

    def _body_page(self, canv: Any, doc: Any) -> None:
        self._footer(canv, self.pageTemplate.id)

    def _footer(self, canv: Any, template: str) -> None:
        d = self._decor[template]
        r, g, b = MUTED.rgb()
        canv.addLiteral(self._fixed_code(template) + f"\nq {r:.4f} {g:.4f} {b:.4f} rg\n"
                        + text_line(canv, d.left + d.width, d.footer_y, f"Page {canv.getPageNumber()}", 7.5,
                                    right=True) + "\nQ")


def _scope_text(inp: RenderInput) -> str:
    scope = inp.coll.scope
    parts = []
    if scope.case_id is not None:
        parts.append(f"Case #{scope.case_id}")
    if scope.ranged:
        parts.append(f"{scope.date_from or 'start'} to {scope.date_to or 'today'}")
    if not parts:
        parts.append("Whole vault")
    if scope.redact_buyers:
        parts.append("buyers redacted")
    return ", ".join(parts)


# -- sections ---------------------------------------------------------------------------------------------------
class Renderer:
    def __init__(self, inp: RenderInput, width: float, tick: Callable[[int], None], wide_width: float = 0.0,
                 half_width: float = 0.0) -> None:
        self.inp = inp
        self.coll = inp.coll
        self.st = make_styles()
        self.cell = Cells(self.st)
        self.width = width
        self.wide_width = wide_width or width
        self.half_width = half_width or width
        self._money_cols_for: tuple[float, tuple[list[Col], list[Col]]] | None = None
        self.tick = tick

    # cover --------------------------------------------------------------------------------------------------
    def cover(self) -> list[Flowable]:
        st, inp, coll = self.st, self.inp, self.coll
        counts = coll.counts
        first, last = coll.period()
        period = f"{first or '—'} to {last or '—'}" if (first or last) else "no dated records"
        out: list[Flowable] = [
            Spacer(1, 1.2 * cm),
            Paragraph("Shop records archive", st.title),
            p(st, inp.profile.shop_name, st.subtitle),
        ]
        scope = _scope_text(inp)
        if inp.case_title:
            scope += f": {inp.case_title}"
        out.append(kv(st, [
            ("Creator", inp.profile.creator),
            ("Shop", f"{inp.profile.shop_name} ({inp.profile.region}, {inp.profile.currency})"),
            ("What it covers", scope),
            ("Period", period),
            ("Made", f"{when(inp.made_at)} UTC, by shopexit {inp.app_version}"),
        ], self.width))
        out.append(Spacer(1, 0.4 * cm))
        out.append(Paragraph("What this file holds", st.h2))
        evidence_note = (f"{counts.evidence} evidence item(s), originals attached" if coll.scope.embed_evidence
                         else f"{counts.evidence} evidence item(s), listed; originals not attached (buyers"
                              " redacted)")
        left_out = coll.left_out_sources()
        if counts.sources and left_out:
            sources_note = (f"{counts.sources} imported source file(s), attached byte for byte; {left_out} more "
                            f"not attached ({self._left_out_reason()})")
        elif counts.sources:
            sources_note = f"{counts.sources} imported source file(s), attached byte for byte"
        elif left_out:
            sources_note = f"{left_out} imported source file(s), not attached ({self._left_out_reason()})"
        else:
            sources_note = "none imported"
        holds = [
            ("Orders", f"{counts.orders:,} orders with {counts.lines:,} order lines"),
            ("Money", f"{counts.settlements:,} settlements, {counts.on_hold:,} on hold, "
                      f"{counts.withdrawals:,} withdrawals, {counts.commissions:,} commissions"),
            ("Messages", f"{counts.messages:,} messages in {counts.threads:,} threads"),
            ("Cases", f"{counts.cases:,}"),
            ("Evidence", evidence_note),
            ("Sources", sources_note),
            ("Data", f"{sum(1 for e in inp.entries if e.role == 'data')} data files (CSV and JSON) and "
                     f"{MANIFEST_NAME}, attached"),
        ]
        out.append(kv(st, holds, self.width))
        out.append(Spacer(1, 0.4 * cm))
        out.append(Paragraph("Signature", st.h2))
        ident = inp.identity
        out.append(kv(st, [
            ("Signed by", ident.name + (" (the creator's own certificate)" if ident.own_certificate else
                                        " (this vault's signing certificate)")),
            ("Root SHA-256", Paragraph(ident.root_fingerprint, st.mono)),
            ("Signer SHA-256", Paragraph(ident.signer_fingerprint, st.mono)),
        ], self.width))
        out.append(Spacer(1, 0.4 * cm))
        out.append(Paragraph("How to check this file", st.h2))
        name = inp.out_name or "ARCHIVE.pdf"
        steps = [
            f"<b>With shopexit</b> (no vault or passphrase needed): <font name='{fonts.REGULAR}'>shopexit verify "
            f"{_esc(name)} --trust root.pem</font>. It checks the signature, that it covers the whole file, and "
            f"every attached file against {MANIFEST_NAME}; it prints one verdict.",
            f"<b>With poppler</b>: <font name='{fonts.REGULAR}'>pdfsig {_esc(name)}</font> must print “Signature "
            "is Valid” and “Total document signed”. “Not total document signed” means something was added "
            "after signing: do not trust that copy.",
            "<b>The root certificate</b> (root.pem, from <font name='" + fonts.REGULAR + "'>shopexit cert</font>) "
            "must have the Root SHA-256 above. Ask the sender to confirm it another way (phone, in person).",
            "<b>Attached files</b>: any PDF reader's attachments panel shows them; their sizes and SHA-256 are "
            "in the appendix and in " + MANIFEST_NAME + ".",
        ]
        for text in steps:
            out.append(Paragraph(text, ParagraphStyle("step", parent=st.body, leftIndent=10, bulletIndent=0),
                                 bulletText="•"))
        return out

    # exit at a glance -----------------------------------------------------------------------------------------
    def glance(self) -> list[Flowable]:
        st, inp = self.st, self.inp
        if not self.coll.include_exit_status or inp.status is None:
            return []
        w = self.width
        out: list[Flowable] = [heading(st, "The exit at a glance", 0)]
        out.append(p(st, "Figures for the whole vault when this archive was made: the same ones "
                         "shopexit status shows.", st.small))
        out.append(heading(st, "The ten steps", 1))
        rows: list[list[Any]] = [["#", "Step", "Status", "Started", "Done"]]
        label = {"todo": "to do", "doing": "in progress", "done": "done"}
        steps = self.coll.steps()
        for s in steps:
            rows.append([str(s["number"]), s["title"], label.get(s["status"], s["status"]), day(s["started_at"]),
                         day(s["done_at"])])
        extra = [("TEXTCOLOR", (2, i + 1), (2, i + 1), GOOD) for i, s in enumerate(steps) if s["status"] == "done"]
        out.append(grid(rows, [0.8 * cm, w - 0.8 * cm - 2.6 * cm - 2 * 2.4 * cm, 2.6 * cm, 2.4 * cm, 2.4 * cm],
                        extra=extra))
        for s in steps:
            if s["notes"]:
                out.append(p(st, f"Step {s['number']} notes: {s['notes']}", st.small))
        closure = inp.closure
        if closure is not None:
            out.append(heading(st, "Closing the shop", 1))
            if closure.earliest:
                earliest = closure.earliest.isoformat()
            elif closure.not_before:  # orders still open: the soonest it could be, as step 4 and the sidebar say
                earliest = f"not before {closure.not_before.isoformat()} (orders still open)"
            else:
                earliest = "not yet known (orders still open)"
            out.append(p(st, f"Earliest day the shop may close: {earliest}"))
            crow: list[list[Any]] = [["Condition", "Met", "Detail", "Date"]]
            cextra = []
            for i, c in enumerate(closure.conditions, start=1):
                crow.append([self.cell(c.label, 5.2 * cm), "yes" if c.met else "no",
                             self.cell(c.detail, w - 5.2 * cm - 1.2 * cm - 2.4 * cm),
                             c.date.isoformat() if isinstance(c.date, date) else ""])
                cextra.append(("TEXTCOLOR", (1, i), (1, i), GOOD if c.met else BAD))
            out.append(grid(crow, [5.2 * cm, 1.2 * cm, w - 5.2 * cm - 1.2 * cm - 2.4 * cm, 2.4 * cm],
                            extra=cextra))
        out.append(heading(st, "Funds per currency", 1))
        if inp.funds:
            frows: list[list[Any]] = [["Currency", "Settled", "On hold", "Withdrawn", "Withdrawals in flight",
                                       "Settled, not withdrawn"]]
            for cur, f in inp.funds.items():
                frows.append([cur, money(f.settled, cur), money(f.on_hold, cur), money(f.withdrawn, cur),
                              money(f.withdrawals_pending, cur), money(f.available_estimate, cur)])
            cw = (w - 1.8 * cm) / 5
            out.append(grid(frows, [1.8 * cm] + [cw] * 5, right=range(1, 6)))
        else:
            out.append(p(st, "No money recorded."))
        status = inp.status
        if status.get("commissions"):
            out.append(heading(st, "Affiliate commissions", 1))
            mrows: list[list[Any]] = [["Currency", "Estimated", "Earned", "Ineligible orders"]]
            for cur, c in status["commissions"].items():
                mrows.append([cur, f"{c['estimated']} {cur}", f"{c['earned']} {cur}", str(c["ineligible_orders"])])
            out.append(grid(mrows, [1.8 * cm, 4 * cm, 4 * cm, 3 * cm], right=range(1, 4)))
        orders = status.get("orders", {})
        if orders.get("by_status"):
            out.append(heading(st, "Orders by status", 1))
            orows: list[list[Any]] = [["Status", "Orders"]]
            for name, n in orders["by_status"].items():
                orows.append([self.cell(name, 6 * cm), f"{n:,}"])
            orows.append(["All orders (open)", f"{orders['total']:,} ({orders['open']:,} open)"])
            out.append(grid(orows, [6 * cm, 4 * cm], right=[1],
                            extra=[("FONT", (0, -1), (-1, -1), fonts.BOLD, 7.5, 9.5)]))
        return out

    def chart_section(self) -> list[Flowable]:
        if not self.coll.include_exit_status:
            return []
        drawings = charts.monthly_charts(self.coll.monthly(), self.width)
        if not drawings:
            return []
        out: list[Flowable] = [heading(self.st, "Sales and money by month", 0)]
        out.append(p(self.st, "From the records in this archive; the last 24 months with activity.", self.st.small))
        for d in drawings:
            out.append(d)
            out.append(Spacer(1, 0.3 * cm))
        return out

    # ledger -----------------------------------------------------------------------------------------------------
    def ledger(self) -> Iterator[list[Flowable]]:
        st = self.st
        totals = self.coll.totals()
        yield [PageBreakIfNotEmpty(), _Orientation("wide"), heading(st, "The ledger", 0),
               p(st, "Every order with its buyer, lines and shipping details, then the money: settlements, money on "
                     "hold, withdrawals and affiliate commissions. Times are UTC.", st.small)]
        yield from self._orders(totals)
        counts = self.coll.counts
        # Settlements and money on hold have short rows (their tables are half a wide page across): many of them
        # run in two columns (a page break either side is worth it); a few stay on the page of what came before.
        columns = counts.settlements + counts.on_hold >= COLUMNS_FROM
        if columns:
            yield [_Orientation("columns")]
        yield from self._settlements(totals, self.half_width)
        yield from self._on_hold(totals, self.half_width)
        if columns:
            yield [_Orientation("wide")]
        yield from self._withdrawals(totals)
        yield from self._commissions(totals)
        yield [CondPageBreak(4 * cm), heading(st, "Ledger totals", 1), self._totals_table(totals)]
        if self.coll.scope.whole:
            yield [p(st, "These totals are the figures shopexit status reports for the whole vault.", st.note)]
        yield [PageBreakIfNotEmpty(), _Orientation("body")]  # the rest of the archive is upright again

    def _totals_table(self, t: MoneyTotals) -> Table:
        currencies = sorted(set(t.orders) | set(t.settled) | set(t.on_hold) | set(t.withdrawn)
                            | set(t.commission_earned) | set(t.commission_estimated))
        rows: list[list[Any]] = [["Currency", "Orders", "Order amount", "Settled", "On hold", "Withdrawn",
                                  "Commission earned"]]
        for cur in currencies:
            rows.append([cur, f"{t.order_count.get(cur, 0):,}", money(t.orders.get(cur), cur),
                         money(t.settled.get(cur), cur), money(t.on_hold.get(cur), cur),
                         money(t.withdrawn.get(cur), cur), money(t.commission_earned.get(cur), cur)])
        if not currencies:
            rows.append(["—", "0", "", "", "", "", ""])
        cw = (self.width - 1.6 * cm - 1.4 * cm) / 5
        return grid(rows, [1.6 * cm, 1.4 * cm] + [cw] * 5, right=range(1, 7))

    def _chunked(self, head: list[Flowable], header: list[str], cols: list[Col], records: Iterable[Record],
                 empty: str, header_look: Look = HEADER) -> Iterator[list[Flowable]]:
        """A long listing as a run of `RowTable`s of a few hundred rows each, made as the pages need them."""
        title = Row(header, header_look)
        chunk: list[Row] = []
        weight = 0
        first = True
        for rows, w in records:
            chunk.extend(rows)
            weight += w
            if len(chunk) >= ROWS_PER_CHUNK:
                yield [*head, RowTable(cols, title, chunk, first=first)]
                head, first = [], False
                self.tick(weight)
                chunk, weight = [], 0
        if chunk:
            yield [*head, RowTable(cols, title, chunk, first=first)]
            self.tick(weight)
        elif first:
            yield [*head, p(self.st, empty, self.st.note)]
        elif head:
            yield head

    def _cols(self, widths: list[float], right: Iterable[int] = (), width: float = 0.0) -> list[Col]:
        """Columns from widths (one may be 0.0: it takes what is left of the page width, or of `width`)."""
        rest = (width or self.width) - sum(widths)
        right = set(right)
        return [Col(w or rest, i in right) for i, w in enumerate(widths)]

    def _orders(self, totals: MoneyTotals) -> Iterator[list[Flowable]]:
        """One band per order on the wide pages: the order and its first line on one row, further lines below,
        then its shipping and contact details on one muted line. Bands alternate in shade."""
        cols = order_columns(self.coll.order_column_samples(), self.wide_width)

        def records() -> Iterator[Record]:
            shade = False
            for order in self.coll.orders():
                shade = not shade
                looks = W_ORDER[shade], W_LINE[shade], W_DETAIL[shade]
                cur = order["currency"]
                buyer = order["recipient"] or order["buyer_username"]
                if order["buyer_username"] and order["recipient"] and order["buyer_username"] != order["recipient"]:
                    buyer = f"{order['recipient']} ({order['buyer_username']})"
                status = order["status"]
                if order["substatus"] and order["substatus"] != status:
                    status += f" / {order['substatus']}"
                cells = [order["order_id"], day(order["created_at"]), status, buyer or "—"]
                rows: list[Row] = []
                for line in order["lines"]:
                    product = line["product_name"] + (f" — {line['variation']}" if line["variation"] else "")
                    qty_text = str(line["quantity"])
                    if line["returned_quantity"]:
                        qty_text += f" (−{line['returned_quantity']})"
                    item = [line["seller_sku"] or line["sku_id"], product, qty_text, money(line["unit_price"], cur),
                            money(line["subtotal"], cur)]
                    if rows:
                        rows.append(Row(["", "", "", "", *item], looks[1], joined=True))
                    else:
                        rows.append(Row([*cells, *item, money(order["order_amount"], cur)], looks[0]))
                if not rows:
                    rows.append(Row([*cells, "", "", "", "", "", money(order["order_amount"], cur)], looks[0]))
                extras = []
                for label, value in (("Tracking", " ".join(x for x in (order["shipping_provider"],
                                                                        order["tracking_id"]) if x)),
                                     ("Ship to", ", ".join(x for x in (order["address"], order["country"]) if x)),
                                     ("Phone", order["phone"]), ("Buyer's note", order["buyer_message"]),
                                     ("Cancelled", order["cancel_reason"]),
                                     ("Refund", money(order["refund_amount"], cur) if order["refund_amount"]
                                      else "")):
                    if value:
                        extras.append(f"{label}: {value}")
                if extras:
                    rows.append(Row(["", ";  ".join(extras)], looks[2], joined=True, span_from=1))
                yield rows, 1 + len(order["lines"])

        yield from self._chunked([heading(self.st, "Orders", 1)],
                                 ORDER_HEADER, cols, records(), empty="No orders in this archive.",
                                 header_look=W_HEADER)

    def _simple(self, title: str, header: list[str], widths: list[float], right: Iterable[int],
                rows: Iterable[list[str]], empty: str, width: float = 0.0,
                cols: list[Col] | None = None) -> Iterator[list[Flowable]]:
        cols = cols or self._cols(widths, right, width)
        yield from self._chunked([heading(self.st, title, 1)], header, cols,
                                 (([Row(cells, DENSE)], 1) for cells in rows), empty=empty, header_look=DENSE_HEADER)

    def _money_cols(self, width: float) -> tuple[list[Col], list[Col]]:
        key = width
        if self._money_cols_for is None or self._money_cols_for[0] != key:
            self._money_cols_for = (key, money_columns(self.coll.money_column_samples(), width))
        return self._money_cols_for[1]

    def _settlements(self, totals: MoneyTotals, width: float) -> Iterator[list[Flowable]]:
        def rows() -> Iterator[list[str]]:
            for s in self.coll.settlements():
                cur = s["currency"]
                ref = s["reference_id"]
                if s["order_id"] and s["order_id"] != ref:
                    ref += f"\norder {s['order_id']}"
                yield [day(s["settled_at"]) or day(s["order_created_at"]), ref, s["type"], money(s["revenue"], cur),
                       money(s["fees"], cur), money(s["settlement_amount"], cur)]

        yield from self._simple("Settlements", ["Settled", "Order or adjustment", "Type", "Revenue", "Fees",
                                                "Settlement"],
                                [], [], rows(), "No settlements in this archive.",
                                cols=self._money_cols(width)[0])
        if totals.settled:
            yield [p(self.st, "Settled in total: " + "; ".join(money(v, c) for c, v in totals.settled.items()),
                     self.st.note)]

    def _on_hold(self, totals: MoneyTotals, width: float) -> Iterator[list[Flowable]]:
        rows = ([h["order_id"], h["status"], day(h["expected_at"]) or (h["expected_text"] or ""),
                 money(h["amount"], h["currency"])] for h in self.coll.on_hold())
        yield from self._simple("Money on hold", ["Order", "Status", "Expected", "Amount"],
                                [], [], rows, "Nothing on hold in this archive.",
                                cols=self._money_cols(width)[1])
        if totals.on_hold:
            yield [p(self.st, "On hold in total: " + "; ".join(money(v, c) for c, v in totals.on_hold.items()),
                     self.st.note)]

    def _withdrawals(self, totals: MoneyTotals) -> Iterator[list[Flowable]]:
        def rows() -> Iterator[list[str]]:
            for wd in self.coll.withdrawals():
                ident = wd["withdrawal_id"] + (" (entered by hand)" if wd["entered_by_hand"] else "")
                if wd["note"]:
                    ident += f" — {wd['note']}"
                yield [when(wd["created_at"]), ident, wd["type"], wd["status"], money(wd["amount"], wd["currency"])]

        yield from self._simple("Withdrawals", ["Requested (UTC)", "Withdrawal", "Type", "Status", "Amount"],
                                [2.6 * cm, 0.0, 2.6 * cm, 2.6 * cm, 3.0 * cm], [4], rows(),
                                "No withdrawals in this archive.", width=self.wide_width)
        parts = []
        for cur in sorted(set(totals.withdrawn) | set(totals.withdrawals_pending)):
            text = f"{money(totals.withdrawn.get(cur), cur)} paid out"
            if totals.withdrawals_pending.get(cur):
                text += f", {money(totals.withdrawals_pending.get(cur), cur)} still in flight"
            parts.append(text)
        if parts:
            yield [p(self.st, "Withdrawn (succeeded only): " + "; ".join(parts), self.st.note)]

    def _commissions(self, totals: MoneyTotals) -> Iterator[list[Flowable]]:
        rows = ([day(c["order_at"]), c["order_id"], c["product_name"], c["counterpart"], c["settlement_status"],
                 money(c["estimated"], c["currency"]), money(c["earned"], c["currency"])]
                for c in self.coll.commissions())
        yield from self._simple("Affiliate commissions", ["Ordered", "Order", "Product", "Shop / creator", "Status",
                                                          "Estimated", "Earned"],
                                [2.0 * cm, 3.4 * cm, 0.0, 3.0 * cm, 2.0 * cm, 2.2 * cm, 2.2 * cm], [5, 6], rows,
                                "No affiliate commissions in this archive.", width=self.wide_width)
        if totals.commission_earned or totals.commission_estimated:
            cur_set = sorted(set(totals.commission_earned) | set(totals.commission_estimated))
            yield [p(self.st, "Commission in total: " + "; ".join(
                f"estimated {money(totals.commission_estimated.get(c), c)}, earned "
                f"{money(totals.commission_earned.get(c), c)}" for c in cur_set), self.st.note)]

    # messages -----------------------------------------------------------------------------------------------------
    def messages(self) -> Iterator[list[Flowable]]:
        st = self.st
        head: list[Flowable] = [PageBreakIfNotEmpty(), heading(st, "Messages", 0),
                                p(st, "Every conversation in this archive, thread by thread, oldest message "
                                      "first. Times are UTC; messages sent by the shop are shaded.", st.small)]
        cols = self._cols([2.6 * cm, 3.4 * cm, 0.0])
        any_thread = False
        channel_names = {"direct": "direct messages", "shop": "shop chat", "email": "email", "phone": "phone",
                         "other": "other"}
        for thread in self.coll.threads():
            any_thread = True
            title = f"{thread['counterpart'] or 'Unknown'} · {channel_names.get(thread['channel'], thread['channel'])}"
            intro: list[Flowable] = [heading(st, title, 1)]
            if thread["subject"]:
                intro.append(p(st, thread["subject"], st.small))

            def records(messages: list[dict[str, Any]]) -> Iterator[Record]:
                for m in messages:
                    who = m["sender"] or {"in": "them", "out": "me"}.get(m["direction"], "")
                    if m["entered_by_hand"]:
                        who += " (typed in)"
                    look = BANDED if m["direction"] == "out" else PLAIN
                    yield [Row([when(m["sent_at"]) or (m["sent_text"] or ""), who, m["body"] or ""], look)], 1

            yield from self._chunked(head + intro, ["Sent (UTC)", "From", "Message"], cols,
                                     records(thread["messages"]), empty="No messages in range.")
            head = []
            self.tick(1)
        if not any_thread:
            yield [*head, p(st, "No messages in this archive.", st.small)]

    # cases ----------------------------------------------------------------------------------------------------------
    def cases(self) -> Iterator[list[Flowable]]:
        st, w = self.st, self.width
        head: list[Flowable] = [PageBreakIfNotEmpty(), heading(st, "Cases", 0)]
        any_case = False
        for case in self.coll.cases():
            any_case = True
            out: list[Flowable] = [*head, heading(st, f"Case #{case['id']}: {case['title']}", 1)]
            head = []
            out.append(kv(st, [
                ("Kind", case["kind"].replace("_", " ")), ("Status", case["status"]),
                ("Opened", when(case["opened_at"])), ("Deadline", when(case["deadline"]) or "—"),
                ("Closed", when(case["closed_at"]) or "—"),
            ], w))
            if case["description"]:
                out.append(Spacer(1, 4))
                out.append(p(st, case["description"]))
            linked = [[link["kind"].replace("_", " "), self.cell(link["label"], w - 3 * cm)]
                      for link in case["links"]]
            linked += [["evidence", self.cell(f"#{e['id']} {e['name']}", w - 3 * cm)] for e in case["evidence"]]
            if linked:
                out.append(heading(st, "Linked records and evidence", 2))
                out.append(grid([["Kind", "Record"], *linked], [3 * cm, w - 3 * cm]))
            if case["checklist"]:
                out.append(heading(st, "Checklist", 2))
                out.append(grid([["Done", "Item"]] + [["yes" if item["done"] else "no",
                                                        self.cell(item["text"], w - 1.5 * cm)]
                                                       for item in case["checklist"]], [1.5 * cm, w - 1.5 * cm]))
            out.append(heading(st, "Timeline", 2))
            events = [{"at": case["opened_at"], "text": "Case opened"}] + case["events"]
            if case["closed_at"]:
                events.append({"at": case["closed_at"], "text": f"Case closed ({case['status']})"})
            events.sort(key=lambda e: e["at"] or "")
            out.append(grid([["When (UTC)", "What happened"]] + [[when(e["at"]), self.cell(e["text"], w - 3 * cm)]
                                                                 for e in events], [3 * cm, w - 3 * cm]))
            for note in case["notes"]:
                out.append(p(st, f"Note ({day(note['at'])}): {note['text']}", st.note))
            self.tick(1)
            yield out
        if not any_case:
            yield [*head, p(st, "No cases in this archive.", st.small)]

    # evidence -------------------------------------------------------------------------------------------------------
    def evidence(self) -> Iterator[list[Flowable]]:
        st = self.st
        scope = self.coll.scope
        intro = ("Each image is shown scaled to the page; the original file is attached byte for byte under the "
                 "name given, and its SHA-256 is the one the vault recorded when it was added."
                 if scope.embed_evidence else
                 "Buyers are redacted in this archive: evidence is listed with its SHA-256, but the files "
                 "themselves (which may show personal data) are neither shown nor attached.")
        head: list[Flowable] = [PageBreakIfNotEmpty(), heading(st, "Evidence", 0), p(st, intro, st.small)]
        others: list[dict[str, Any]] = []
        shown = 0
        for item in self.coll.evidence():
            image = self._rendition(item) if scope.embed_evidence else None
            if image is None:
                others.append(item)
                continue
            shown += 1
            title = item["caption"] or item["original_name"]
            block: list[Flowable] = [heading(st, f"Evidence #{item['id']}: {title}", 1), image, Spacer(1, 4),
                                     self._evidence_facts(item)]
            yield [*head, KeepTogether(block), Spacer(1, 0.5 * cm)]
            head = []
            self.tick(1)
        if others:
            cols = self._cols([1.0 * cm, 3.8 * cm, 2.8 * cm, 3.4 * cm, 0.0])

            def records() -> Iterator[Record]:
                for item in others:
                    links = "; ".join(link["label"] for link in item["links"])
                    where = evidence_file_name(item) if item["embedded"] else "not attached"
                    name = item["original_name"] + (f"\n{item['caption']}" if item["caption"] else "")
                    yield [Row([str(item["id"]), name, f"{item['media_type']}\n{human_size(item['size'])}",
                                self._times(item), item["sha256"]], PLAIN),
                           Row(["", "", "", "", f"{'Linked to: ' + links if links else 'Not linked'}\nFile: {where}"],
                               DETAIL, joined=True)], 1

            title = "Other evidence files" if shown else "Evidence files"
            yield from self._chunked([*head, heading(st, title, 1)], ["#", "File", "Type and size", "Times (UTC)",
                                                                      "SHA-256, links, attached as"],
                                     cols, records(), empty="")
            head = []
        if head:
            yield [*head, p(st, "No evidence in this archive.", st.small)]

    def _times(self, item: dict[str, Any]) -> str:
        parts = []
        if item["captured_at"]:
            parts.append(f"captured {when(item['captured_at'])}")
        parts.append(f"added {when(item['added_at'])}")
        return "\n".join(parts)

    def _evidence_facts(self, item: dict[str, Any]) -> Table:
        st, w = self.st, self.width
        dims = f", {item['width']} × {item['height']} px" if item["width"] and item["height"] else ""
        links = "; ".join(link["label"] for link in item["links"]) or "not linked to a record"
        pairs: list[tuple[str, Any]] = [
            ("File", item["original_name"]),
            ("Type", f"{item['media_type']}{dims}, {human_size(item['size'])} ({item['size']:,} bytes)"),
            ("Captured", when(item["captured_at"]) + " UTC" if item["captured_at"] else "unknown"),
            ("Added", when(item["added_at"]) + f" UTC ({item['origin']})"),
            ("SHA-256", Paragraph(item["sha256"], st.mono)),
            ("Linked to", links),
            ("Attached as", evidence_file_name(item) if item["embedded"] else "not attached"),
        ]
        return kv(st, pairs, w, key_width=2.6 * cm)

    def _rendition(self, item: dict[str, Any]) -> Image | None:
        """The image scaled for the page (a JPEG of at most 800 px), or None when it cannot be shown."""
        if not item["media_type"].startswith("image/") or not item["previewable"]:
            return None
        from PIL import Image as PILImage
        from PIL import ImageOps, UnidentifiedImageError

        try:
            with self.inp.open_image(item["id"]) as source, PILImage.open(source) as opened:
                w0, h0 = opened.size
                box = ((IMAGE_MIN_PIXELS, max(1, IMAGE_MIN_PIXELS * h0 // w0)) if w0 >= h0
                       else (max(1, IMAGE_MIN_PIXELS * w0 // h0), IMAGE_MIN_PIXELS))
                # A JPEG decodes straight at 1/2, 1/4 or 1/8 size when that still gives IMAGE_MIN_PIXELS: a
                # 1280-pixel photo decodes at 640 in a quarter of the time (the original is attached anyway).
                opened.draft("RGB", box)
                img: PILImage.Image = opened
                img.load()
                ImageOps.exif_transpose(img, in_place=True)
                img.thumbnail((IMAGE_MAX_PIXELS, IMAGE_MAX_PIXELS), PILImage.Resampling.BILINEAR, reducing_gap=2.0)
                if img.mode not in ("RGB", "L"):
                    background = PILImage.new("RGB", img.size, "white")
                    rgba = img.convert("RGBA")
                    background.paste(rgba, mask=rgba.getchannel("A"))
                    img = background
                buf = io.BytesIO()
                img.save(buf, "JPEG", quality=85, optimize=True)
                px_w, px_h = img.size
        except (UnidentifiedImageError, OSError, ValueError, PILImage.DecompressionBombError):
            return None
        buf.seek(0)
        max_w, max_h = min(self.width, 16 * cm), 11 * cm
        scale = min(max_w / px_w, max_h / px_h)
        image = Image(buf, width=px_w * scale, height=px_h * scale)
        image.hAlign = "LEFT"
        return image

    # sources and appendix ---------------------------------------------------------------------------------------
    def sources(self) -> Iterator[list[Flowable]]:
        st, w = self.st, self.width
        items = list(self.coll.sources())
        left_out = self.coll.left_out_sources()
        if not items and not left_out:
            return
        out: list[Flowable] = [CondPageBreak(5 * cm), heading(st, "Imported source files", 0)]
        if items:
            out.append(p(st, "The files the records were imported from, attached byte for byte.", st.small))
            widths = [2.6 * cm, 3.0 * cm, 0.0, 1.6 * cm]
            widths[2] = w - sum(widths)
            rows: list[list[Any]] = [["Imported (UTC)", "Kind", "File, attached as, SHA-256", "Rows"]]
            for s in items:
                rows.append([when(s["imported_at"]), self.cell(s["kind"], widths[1]),
                             self.cell(f"{s['original_name']} ({human_size(s['size'])})\n{source_file_name(s)}\n"
                                       f"{s['sha256']}", widths[2]), f"{s['rows_read']:,}"])
            out.append(grid(rows, widths, right=[3]))
        if left_out:
            out.append(p(st, f"{left_out} imported file(s) are not attached to this archive: "
                             f"{self._left_out_reason()}.", st.small))
        yield out

    def _left_out_reason(self) -> str:
        scope = self.coll.scope
        if scope.case_id is not None:
            return "they hold other buyers' records"
        if scope.redact_buyers:
            return "they name buyers"
        return "they hold no record in this date range"

    def appendix(self) -> Iterator[list[Flowable]]:
        st, w, inp = self.st, self.width, self.inp
        head: list[Flowable] = [
            PageBreakIfNotEmpty(), heading(st, "Appendix: manifest and audit log", 0),
            p(st, f"{MANIFEST_NAME} lists every attached file with its size and SHA-256; shopexit verify "
                  "recomputes each one. The manifest itself is attached and covered by the signature, like every "
                  "other byte of this file."),
            kv(st, [
                (MANIFEST_NAME, f"{human_size(inp.manifest_size)} ({inp.manifest_size:,} bytes)"),
                ("its SHA-256", Paragraph(inp.manifest_sha256, st.mono)),
                ("Audit log head", Paragraph(inp.audit_head, st.mono)),
                ("Audit entries", f"{inp.audit_entries:,} (each entry's hash covers the one before it: this head "
                                  "hash pins the vault's whole change history when the archive was made)"),
            ], w, key_width=3.4 * cm),
            heading(st, "Attached files", 1),
        ]
        cols = self._cols([0.0, 1.8 * cm, 9.4 * cm], right=[1])
        records = (([Row([e.name, f"{e.size:,}", e.sha256], HASHES)], 0) for e in inp.entries)
        yield from self._chunked(head, ["Name", "Size (bytes)", "SHA-256"], cols, records, empty="No files attached.")


def _esc(text: str) -> str:
    from xml.sax.saxutils import escape

    return escape(text)


def render_pages(out: BinaryIO, inp: RenderInput, *, tick: Callable[[int], None],
                 check: Callable[[], None]) -> int:
    """Draw every page into `out`; returns the number of pages."""
    pagesize = LETTER if inp.profile.region.upper() in ("US", "CA", "MX") else A4
    doc = _ArchiveDoc(out, pagesize, inp, check, title=f"Shop records archive: {inp.profile.shop_name}",
                      author=inp.profile.creator, subject=_scope_text(inp), creator=f"shopexit {inp.app_version}",
                      producer=f"shopexit {inp.app_version} (reportlab)", lang="en",
                      initialFontName=fonts.REGULAR)  # else every page names Helvetica, a font never embedded
    r = Renderer(inp, doc.width, tick, doc.wide_width, doc.half_width)

    def story() -> Iterator[list[Flowable]]:
        yield [NextPageTemplate("body"), *r.cover(), PageBreak()]
        glance = r.glance()
        if glance:
            yield glance
        chart_part = r.chart_section()
        if chart_part:
            yield [CondPageBreak(9 * cm), *chart_part]
        yield from r.ledger()
        yield from r.messages()
        yield from r.cases()
        yield from r.evidence()
        yield from r.sources()
        yield from r.appendix()

    from reportlab import rl_config

    saved_a85 = rl_config.useA85
    rl_config.useA85 = 0  # images go in as binary: ASCII85 would make them 25% larger and slower to write
    try:
        doc.build([_Lazy(story())])
    finally:
        rl_config.useA85 = saved_a85
    return int(doc.page)
