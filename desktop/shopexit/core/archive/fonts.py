"""Text in any script on the archive's pages.

reportlab embeds TrueType fonts (as subsets) but never falls back from one font to another: a character the
chosen font lacks comes out as an empty box, and its text is lost to copy and search. No single freely
shippable font covers everything a creator's records hold, so several ship in `resources/fonts/` and each text
is split into runs by glyph coverage, taking each character from the first font that has it:

- DejaVu Sans (regular and bold): Latin, Greek, Cyrillic, Arabic, Hebrew, many symbols — no Thai, no CJK;
- Noto Sans Thai (regular and bold): Thai, a TikTok Shop market;
- Droid Sans Fallback: Chinese and Japanese — no Latin letters (its 3 Hangul syllables are left to Nanum);
- Nanum Gothic (regular and bold): Korean Hangul;
- Symbola: emoji and other pictographs, in outline (monochrome): reportlab embeds TrueType outlines only, so
  colour emoji fonts are no use in a PDF.

So "山田 花子", "สมชาย ใจดี", "김민준", "Love it 😍" and "Zoë Ångström" come back intact from `pdftotext`.
Nanum and Symbola also have Latin letters; a run in them holds only what the fonts before them lack (and spaces),
so the text around a Korean name or an emoji stays in DejaVu Sans. Spaces and other characters
several fonts share stay in the run they are in, which keeps runs long. Thai is drawn without OpenType shaping
(reportlab has none without extra libraries): marks sit at their default positions, which reads correctly for
most text.
"""

from __future__ import annotations

import functools
import unicodedata
from xml.sax.saxutils import escape

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont

from shopexit.core.paths import resource_path

REGULAR = "ShopexitSans"
BOLD = "ShopexitSans-Bold"
THAI = "ShopexitThai"
THAI_BOLD = "ShopexitThai-Bold"
FALLBACK = "ShopexitFallback"
HANGUL = "ShopexitHangul"
HANGUL_BOLD = "ShopexitHangul-Bold"
SYMBOLS = "ShopexitSymbols"
FAMILY = REGULAR

_FILES = {
    REGULAR: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    THAI: "NotoSansThai-Regular.ttf",
    THAI_BOLD: "NotoSansThai-Bold.ttf",
    FALLBACK: "DroidSansFallbackFull.ttf",
    HANGUL: "NanumGothic.ttf",
    HANGUL_BOLD: "NanumGothicBold.ttf",
    SYMBOLS: "Symbola.ttf",
}
# The archive still works (these scripts as boxes) if a build leaves them out.
_OPTIONAL = {THAI, THAI_BOLD, HANGUL, HANGUL_BOLD, SYMBOLS}
# Loaded only when a text needs them: most archives have no Korean or emoji beyond DejaVu's, and parsing these
# ~12 MB of fonts costs ~0.25 s and ~30 MB of memory.
_LATE = {HANGUL: (HANGUL, HANGUL_BOLD), SYMBOLS: (SYMBOLS,)}
_HANGUL_RANGES = ((0x1100, 0x11FF), (0x3130, 0x318F), (0xA960, 0xA97F), (0xAC00, 0xD7AF), (0xD7B0, 0xD7FF),
                  (0xFFA0, 0xFFDC))


def _unicode_hex(code: int) -> str:
    """A code point as a ToUnicode CMap destination: UTF-16BE, so beyond U+FFFF a surrogate pair."""
    if code <= 0xFFFF:
        return f"{code:04X}"
    code -= 0x10000
    return f"{0xD800 + (code >> 10):04X}{0xDC00 + (code & 0x3FF):04X}"


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's ToUnicode CMap for a font subset, with characters beyond U+FFFF written correctly.

    reportlab writes each destination as `<%04X>`: for an emoji such as U+1F60D that is five hex digits, which
    PDF readers take as U+1F60 ("ὠ"), so copy, search and `pdftotext` lose every emoji. The PDF reference says
    the destination is UTF-16BE; this is reportlab's function with that one change (same bytes for U+FFFF and
    below)."""
    cmap = [
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap", "/CIDSystemInfo",
        f"<< /Registry ({fontname})", f"/Ordering ({fontname})", "/Supplement 0", ">> def",
        f"/CMapName /{fontname} def", "/CMapType 2 def", "1 begincodespacerange", f"<00> <{len(subset) - 1:02X}>",
        "endcodespacerange", f"{len(subset)} beginbfchar",
        *(f"<{i:02X}> <{_unicode_hex(v)}>" for i, v in enumerate(subset)),
        "endbfchar", "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end",
    ]
    return "\n".join(cmap)


def _register(names: tuple[str, ...]) -> set[str]:
    done = set()
    for name in names:
        path = resource_path("fonts", _FILES[name])
        if name in _OPTIONAL and not path.is_file():
            continue
        pdfmetrics.registerFont(TTFont(name, str(path)))
        done.add(name)
    return done


@functools.cache
def _register_late(name: str) -> frozenset[str]:
    """Register a font of `_LATE` (and its bold) on first need; returns the names registered."""
    register_fonts()
    return frozenset(_register(_LATE[name]))


@functools.cache
def register_fonts() -> frozenset[str]:
    """Register the fonts with reportlab once per process (parsing Droid's 4 MB takes ~0.1 s); returns the
    names registered. Nanum Gothic and Symbola are registered later, when a text first needs them."""
    ttfonts.makeToUnicodeCMap = _to_unicode_cmap  # looked up at save time: see _to_unicode_cmap
    late = {n for names in _LATE.values() for n in names}
    done = _register(tuple(n for n in _FILES if n not in late))
    # <b> inside a Paragraph switches to the bold face of the family.
    addMapping(FAMILY, 0, 0, REGULAR)
    addMapping(FAMILY, 1, 0, BOLD)
    addMapping(FAMILY, 0, 1, REGULAR)
    addMapping(FAMILY, 1, 1, BOLD)
    return frozenset(done)


@functools.cache
def _coverage(name: str) -> frozenset[int]:
    """The characters a run in this font may hold: all it has for DejaVu, Noto Sans Thai and Droid (minus
    Hangul, which Nanum draws whole); for Nanum and Symbola only what the fonts before them lack, so Latin
    text next to a Korean word or an emoji stays in DejaVu Sans."""
    if name not in (_register_late(name) if name in _LATE else register_fonts()):
        return frozenset()
    have = set(pdfmetrics.getFont(name).face.charToGlyph)
    if name == FALLBACK:
        have.difference_update(c for lo, hi in _HANGUL_RANGES for c in range(lo, hi + 1))
    elif name in (HANGUL, SYMBOLS):
        for earlier in (REGULAR, THAI, FALLBACK) + ((HANGUL,) if name == SYMBOLS else ()):
            have.difference_update(_coverage(earlier))
    return frozenset(have)


def primary_covers(text: str) -> bool:
    """True when DejaVu Sans has every character: the text can be drawn as a plain string, without runs."""
    if text.isascii():
        return True
    cover = _coverage(REGULAR)
    return all(ord(ch) in cover for ch in text)


def _choices(bold: bool) -> list[tuple[str, frozenset[int]]]:
    return [(BOLD if bold else REGULAR, _coverage(REGULAR)), (THAI_BOLD if bold else THAI, _coverage(THAI)),
            (FALLBACK, _coverage(FALLBACK))]


def _late_choices(bold: bool) -> list[tuple[str, frozenset[int]]]:
    """The fonts tried after those of `_choices` (loaded on the first call)."""
    return [(HANGUL_BOLD if bold else HANGUL, _coverage(HANGUL)), (SYMBOLS, _coverage(SYMBOLS))]


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
            font, cover = next(((f, c) for f, c in choices if code in c), ("", frozenset()))
            if not font:
                font, cover = next(((f, c) for f, c in _late_choices(bold) if code in c), (primary, choices[0][1]))
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
