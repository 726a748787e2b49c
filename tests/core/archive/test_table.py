"""The ledger's table: text wraps within its column in any script, titles head every page once, blocks stay
together, a row taller than a page continues on the next, and nothing is lost on the way."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, SimpleDocTemplate

from shopexit.core.archive import fonts
from shopexit.core.archive.table import Col, Look, Row, RowTable, wrap_text

BAND = Look(first_bold=True)
DETAIL = Look(size=7, leading=8.8, indent=8)


def texts(lines: list[tuple[float, list[tuple[str, str]]]]) -> list[str]:
    return ["".join(chunk for _, chunk in runs) for _, runs in lines]


def test_wrap_text_fits_the_column() -> None:
    long = "Gift box: three candles, hand-poured, with a card and a ribbon"
    lines = wrap_text(long, False, 7.5, 100)
    assert len(lines) > 1
    assert all(width <= 100 for width, _ in lines)
    assert " ".join(texts(lines)) == long
    cjk = "こんにちは、山田花子です。マグカップが割れて届きました。"
    lines = wrap_text(cjk, False, 7.5, 60)
    assert "".join(texts(lines)) == cjk and len(lines) > 2
    assert all(font == fonts.FALLBACK for _, runs in lines for font, _ in runs)
    word = "x" * 300
    lines = wrap_text(word, True, 7.5, 80)
    assert "".join(texts(lines)) == word and all(width <= 80 for width, _ in lines)
    assert texts(wrap_text("a\nb", False, 7.5, 100)) == ["a", "b"]


def _build(flowables: list[object]) -> PdfReader:
    buf = io.BytesIO()
    fonts.register_fonts()
    SimpleDocTemplate(buf, pagesize=A4).build(flowables)
    return PdfReader(buf)


def test_titles_once_per_page_and_every_row_in_order() -> None:
    cols = [Col(120), Col(200), Col(80, right=True)]
    rows: list[Row] = []
    for n in range(600):
        rows.append(Row([f"ORDER-{n:04d}", f"山田 花子 · buyer {n}", f"{n}.00 USD"], BAND))
        rows.append(Row(["", f"line of order {n}", "1"], DETAIL, joined=True))
    header = Row(["Order", "Buyer", "Amount"], Look(bold=True))
    # two chunks, the second continuing where the first ends (mid-page)
    reader = _build([Paragraph("Orders", ParagraphStyle("h", fontName=fonts.BOLD, fontSize=14)),
                     RowTable(cols, header, rows[:700]), RowTable(cols, header, rows[700:], first=False)])
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) > 5
    for text in pages:
        assert text.count("Order Buyer Amount") == 1  # titled once per page, never mid-page
    everything = "\n".join(pages)
    positions = [everything.index(f"ORDER-{n:04d}") for n in range(600)]
    assert positions == sorted(positions)
    assert everything.count("山田 花子") == 600
    for text in pages:  # an order and its line stay on one page
        for n in range(600):
            if f"ORDER-{n:04d}" in text:
                assert re.search(rf"line of order {n}\b", text)


def test_a_row_taller_than_a_page_continues() -> None:
    body = " ".join(f"word{n}" for n in range(6000))
    rows = [Row(["2026-05-01", "Buyer", body], Look())]
    reader = _build([RowTable([Col(60), Col(60), Col(300)], Row(["When", "Who", "Message"], Look(bold=True)),
                              rows)])
    assert len(reader.pages) > 2
    text = " ".join(page.extract_text() for page in reader.pages)
    found = [int(w[4:]) for w in text.split() if w.startswith("word") and w[4:].isdigit()]
    assert found == list(range(6000))


def test_fast_paths_agree_with_reportlab() -> None:
    """Plain ASCII is measured from the font's advance table and written as its own encoding: both must give
    exactly what reportlab's stringWidth and splitString give."""
    import random
    import string

    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen.canvas import Canvas

    from shopexit.core.archive.table import _Encoder, _sw

    fonts.register_fonts()
    rng = random.Random(9)
    canvas = Canvas(io.BytesIO())
    encoder = _Encoder(fonts.REGULAR, canvas._doc)
    for _ in range(2000):
        text = "".join(rng.choice(string.printable[:95]) for _ in range(rng.randint(0, 50)))
        for font in (fonts.REGULAR, fonts.BOLD, fonts.FALLBACK):
            assert _sw(text, font, 6.5) == stringWidth(text, font, 6.5)
        if text:
            assert encoder.shows(text) == [(name, f"({escaped}) Tj") for name, _, escaped in encoder.encode(text)]


def test_order_columns_fit_ids_amounts_and_most_skus() -> None:
    """The ledger's columns come from the data: the longest order id, date and amount fit on one line, SKUs at
    what most of them need (a rare long one wraps), and buyer and product share what is left."""
    from shopexit.core.archive.build import W_ORDER, money_columns, order_columns
    from shopexit.core.archive.table import PAD_X, text_width

    ids = ["5764576460752303581868", "57645764607523035818"]
    samples = {
        "ids": ids, "statuses": [("Completed", "", 90), ("Awaiting shipment", "Awaiting collection", 2)],
        "skus": [("LL-THROW-SND", 40), ("LL-CANDLE-FIG", 55), ("A-VERY-LONG-SKU-CODE-THAT-IS-RARE-2026", 1)],
        "buyers": [("Priya Kumar", "priya.k", 30), ("Daniel Smith", "dan_smith", 20)],
        "products": [('Linen Throw, "Sand" 50x60', "Sand", 30), ("Fig & Cedar Candle 8oz", "8oz", 60)],
        "amounts": [("USD", 1234567, 0)], "lines": [("USD", 99999, 0, 199998, 1, 12, 1)],
    }
    width = 757.0
    cols = order_columns(samples, width)
    assert len(cols) == 10 and abs(sum(c.width for c in cols) - width) < 0.01
    assert [c.right for c in cols] == [False] * 6 + [True] * 4
    size = W_ORDER[False].size
    first = Row([ids[0], "2026-06-28", "Completed", "Priya Kumar (priya.k)", "LL-CANDLE-FIG",
                 'Linen Throw, "Sand" 50x60 — Sand', "12 (−1)", "999.99 USD", "-1,999.98 USD", "12,345.67 USD"],
                W_ORDER[False])
    assert first.layout(cols) == W_ORDER[False].leading + W_ORDER[False].pad  # one line: nothing wrapped
    assert cols[0].width < text_width(ids[0], True, size) + 2 * PAD_X + 4  # no wider than it needs
    rare = Row(["1", "", "", "", "A-VERY-LONG-SKU-CODE-THAT-IS-RARE-2026"], W_ORDER[False])
    assert rare.layout(cols) > first.layout(cols)  # the rare long SKU wraps rather than widen the column
    assert cols[5].width > cols[4].width  # the product keeps room

    s_cols, h_cols = money_columns({
        "refs": [*ids, "order 5764576460752303581868"], "types": [("Order", 80), ("Adjustment", 3)],
        "settled": [("USD", 1234567, 0, 12345, 1, 1234567, 1)],
        "hold_ids": ids, "expected": [("0000-00-00", 5), ("Delivered + 7 days", 12)],
        "held": [("USD", 99999, 0)],
    }, 360.0)
    from shopexit.core.archive.build import DENSE
    assert abs(sum(c.width for c in s_cols) - 360) < 0.01 and abs(sum(c.width for c in h_cols) - 360) < 0.01
    one = DENSE.leading + DENSE.pad
    assert Row(["2026-06-28", ids[0], "Order", "12,345.67 USD", "-123.45 USD", "-12,345.67 USD"],
               DENSE).layout(s_cols) == one
    assert Row([ids[0], "Waiting", "Delivered + 7 days", "999.99 USD"], DENSE).layout(h_cols) == one
