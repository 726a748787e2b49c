"""Text in any script on the archive's pages.

reportlab embeds TrueType fonts (as subsets) but never falls back from one font to another: a character the
chosen font lacks comes out as an empty box, and its text is lost to copy and search. No single freely
shippable font covers everything a creator's records hold, so several ship in `resources/fonts/` and each text
is split into runs by glyph coverage, taking each character from the first font that has it:

- DejaVu Sans (regular and bold): Latin, Greek, Cyrillic, Arabic, Hebrew, many symbols — no Thai, no CJK;
- Noto Sans Thai (regular and bold): Thai, a TikTok Shop market;
- Droid Sans Fallback: Chinese and Japanese — no Latin letters (and, be warned, almost no Hangul).

So "山田 花子", "สมชาย ใจดี" and "Zoë Ångström" come back intact from `pdftotext`. Spaces and other characters
several fonts share stay in the run they are in, which keeps runs long. Thai is drawn without OpenType shaping
(reportlab has none without extra libraries): marks sit at their default positions, which reads correctly for
most text.
"""

from __future__ import annotations

import functools
import unicodedata
from xml.sax.saxutils import escape

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from shopexit.core.paths import resource_path

REGULAR = "ShopexitSans"
BOLD = "ShopexitSans-Bold"
THAI = "ShopexitThai"
THAI_BOLD = "ShopexitThai-Bold"
FALLBACK = "ShopexitFallback"
FAMILY = REGULAR

_FILES = {
    REGULAR: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    THAI: "NotoSansThai-Regular.ttf",
    THAI_BOLD: "NotoSansThai-Bold.ttf",
    FALLBACK: "DroidSansFallbackFull.ttf",
}
_OPTIONAL = {THAI, THAI_BOLD}  # the archive still works (Thai as boxes) if a build leaves them out


@functools.cache
def register_fonts() -> frozenset[str]:
    """Register the fonts with reportlab once per process (parsing Droid's 4 MB takes ~0.1 s); returns the
    names registered."""
    done = set()
    for name, file_name in _FILES.items():
        path = resource_path("fonts", file_name)
        if name in _OPTIONAL and not path.is_file():
            continue
        pdfmetrics.registerFont(TTFont(name, str(path)))
        done.add(name)
    # <b> inside a Paragraph switches to the bold face of the family.
    addMapping(FAMILY, 0, 0, REGULAR)
    addMapping(FAMILY, 1, 0, BOLD)
    addMapping(FAMILY, 0, 1, REGULAR)
    addMapping(FAMILY, 1, 1, BOLD)
    return frozenset(done)


@functools.cache
def _coverage(name: str) -> frozenset[int]:
    if name not in register_fonts():
        return frozenset()
    font = pdfmetrics.getFont(name)
    return frozenset(font.face.charToGlyph)


def primary_covers(text: str) -> bool:
    """True when DejaVu Sans has every character: the text can be drawn as a plain string, without runs."""
    if text.isascii():
        return True
    cover = _coverage(REGULAR)
    return all(ord(ch) in cover for ch in text)


def _choices(bold: bool) -> list[tuple[str, frozenset[int]]]:
    return [(BOLD if bold else REGULAR, _coverage(REGULAR)), (THAI_BOLD if bold else THAI, _coverage(THAI)),
            (FALLBACK, _coverage(FALLBACK))]


def runs(text: str, bold: bool = False) -> list[tuple[str, str]]:
    """Split text into (font name, text) runs: each character from the first font that has it.

    A character no font has stays with the primary font: it shows as an empty box (the data files keep it)."""
    choices = _choices(bold)
    primary = choices[0][0]
    out: list[tuple[str, str]] = []
    current_font = primary
    current_cover = choices[0][1]
    current: list[str] = []
    for ch in text:
        code = ord(ch)
        if code in current_cover or (ch.isspace() and current):
            font, cover = current_font, current_cover  # what the run's font has does not break the run
        else:
            font, cover = next(((f, c) for f, c in choices if code in c), (primary, choices[0][1]))
        if font != current_font and current:
            out.append((current_font, "".join(current)))
            current = []
        current_font, current_cover = font, cover
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
        if font in (REGULAR, BOLD):
            parts.append(f"<b>{escape(chunk)}</b>" if bold else escape(chunk))
        else:
            parts.append(f'<font name="{font}">{escape(chunk)}</font>')
    return "".join(parts)


_UNSPACED = ("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "THAI", "LAO", "KHMER", "MYANMAR")


@functools.cache
def _unspaced(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith(_UNSPACED)


def needs_wrap_anywhere(text: str) -> bool:
    """Scripts written without spaces between words (CJK, Thai …) need line breaks allowed inside words."""
    if text.isascii():
        return False
    return any(_unspaced(ch) for ch in text)


def break_units(word: str) -> list[str]:
    """Where a line may break inside a word of such a script: between characters, never before a combining
    mark (a Thai vowel or tone mark stays with its consonant)."""
    units: list[str] = []
    for ch in word:
        if units and (unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Mc", "Me")):
            units[-1] += ch
        else:
            units.append(ch)
    return units
