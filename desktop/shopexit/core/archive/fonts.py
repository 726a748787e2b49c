"""Text in any script on the archive's pages.

reportlab embeds TrueType fonts (as subsets) but never falls back from one font to another: a character the
chosen font lacks comes out as an empty box, and its text is lost to copy and search. No single freely
shippable font covers everything a creator's records hold, so two are shipped in `resources/fonts/` and each
text is split into runs by glyph coverage:

- DejaVu Sans (regular and bold): Latin, Greek, Cyrillic, many symbols — but no CJK;
- Droid Sans Fallback: Chinese, Japanese, Korean — but no Latin letters.

Each run is set in the first font that has all of its characters, so "山田 花子" and "Zoë Ångström" come back
intact from `pdftotext`. Spaces stay in the run they are in (both fonts have one), which keeps runs long.
"""

from __future__ import annotations

import functools
from xml.sax.saxutils import escape

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from shopexit.core.paths import resource_path

REGULAR = "ShopexitSans"
BOLD = "ShopexitSans-Bold"
FALLBACK = "ShopexitFallback"
FAMILY = REGULAR

_FILES = {
    REGULAR: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    FALLBACK: "DroidSansFallbackFull.ttf",
}


@functools.cache
def register_fonts() -> None:
    """Register the three fonts with reportlab once per process (parsing Droid's 4 MB takes ~0.1 s)."""
    for name, file_name in _FILES.items():
        path = resource_path("fonts", file_name)
        pdfmetrics.registerFont(TTFont(name, str(path)))
    # <b> inside a Paragraph switches to the bold face of the family.
    addMapping(FAMILY, 0, 0, REGULAR)
    addMapping(FAMILY, 1, 0, BOLD)
    addMapping(FAMILY, 0, 1, REGULAR)
    addMapping(FAMILY, 1, 1, BOLD)


@functools.cache
def _coverage(name: str) -> frozenset[int]:
    register_fonts()
    font = pdfmetrics.getFont(name)
    return frozenset(font.face.charToGlyph)


def primary_covers(text: str) -> bool:
    """True when DejaVu Sans has every character: the text can be drawn as a plain string, without runs."""
    if text.isascii():
        return True
    cover = _coverage(REGULAR)
    return all(ord(ch) in cover for ch in text)


def runs(text: str, bold: bool = False) -> list[tuple[str, str]]:
    """Split text into (font name, text) runs by which font has the glyphs.

    A character neither font has stays with the primary font (it shows as a box, but keeps its place).
    """
    primary = BOLD if bold else REGULAR
    main = _coverage(REGULAR)
    fallback = _coverage(FALLBACK)
    out: list[tuple[str, str]] = []
    current_font = primary
    current: list[str] = []
    for ch in text:
        code = ord(ch)
        if ch.isspace() or (code in main and code in fallback):
            font = current_font  # shared characters (spaces, some punctuation) do not break a run
        elif code in main or code not in fallback:
            font = primary
        else:
            font = FALLBACK
        if font != current_font and current:
            out.append((current_font, "".join(current)))
            current = []
        current_font = font
        current.append(ch)
    if current:
        out.append((current_font, "".join(current)))
    return out


def markup(text: str, bold: bool = False) -> str:
    """Paragraph markup for `text`: escaped, with a <font> tag around each run not in the primary font."""
    if primary_covers(text):
        body = escape(text)
        return f"<b>{body}</b>" if bold else body
    parts = []
    for font, chunk in runs(text, bold):
        if font == FALLBACK:
            parts.append(f'<font name="{FALLBACK}">{escape(chunk)}</font>')
        else:
            parts.append(f"<b>{escape(chunk)}</b>" if bold else escape(chunk))
    return "".join(parts)


def needs_wrap_anywhere(text: str) -> bool:
    """Text in scripts written without spaces (CJK) needs line breaks allowed between any two characters."""
    if text.isascii():
        return False
    fallback = _coverage(FALLBACK)
    main = _coverage(REGULAR)
    return any(ord(ch) in fallback and ord(ch) not in main for ch in text)
