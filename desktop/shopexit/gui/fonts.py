"""Fonts shipped with the app, so a buyer called "สมชาย ใจดี", "山田 花子", "김민준" or "Олена Коваль" never shows as
boxes.

Machines differ: a fresh Windows or a minimal Linux often has no Thai or CJK font at all, and Qt draws a missing
glyph as an empty box. The fonts in `resources/fonts/` (their licences beside them) are registered with Qt at
start-up, and the application font becomes a *family list*: the platform's own font first (so the app still
looks native wherever that font has the glyph), then DejaVu Sans (Latin, Greek, Cyrillic, symbols), Noto Sans
Thai, Droid Sans Fallback (Chinese, Japanese), Nanum Gothic (Korean) and Symbola (emoji, monochrome). Qt picks,
character by character, the first family in the list that has the glyph, before it tries the system's own
fallbacks.

The same files are embedded in archive PDFs (`core.archive`), so what the screen shows and what the archive
prints come from the same fonts.
"""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase, QFontInfo
from PySide6.QtWidgets import QApplication

from shopexit.core.paths import resource_path

SHIPPED: tuple[str, ...] = (
    "DejaVuSans.ttf", "DejaVuSans-Bold.ttf",  # Latin, Greek, Cyrillic
    "NotoSansThai-Regular.ttf", "NotoSansThai-Bold.ttf",  # Thai
    "DroidSansFallbackFull.ttf",  # Chinese, Japanese (one weight: Qt emboldens it)
    "NanumGothic.ttf", "NanumGothicBold.ttf",  # Korean Hangul (Droid has only 3 of its 11,172 syllables)
    "Symbola.ttf",  # emoji and symbols, monochrome (used where the system has no emoji font of its own)
)
"""Font files in resources/fonts, in fallback order."""

_registered: list[str] = []  # families, in order, once loaded (QFontDatabase keeps them for the process)


def register_shipped() -> list[str]:
    """Load the shipped fonts into Qt's font database (once per process); returns their family names in order.
    A missing or unreadable file is skipped: the app still starts, with whatever the system has."""
    if _registered:
        return list(_registered)
    for name in SHIPPED:
        path = resource_path("fonts", name)
        if not path.is_file():
            continue
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id < 0:
            continue
        for family in QFontDatabase.applicationFontFamilies(font_id):
            if family not in _registered:
                _registered.append(family)
    return list(_registered)


def fallback_families(platform_family: str) -> list[str]:
    """The application's family list: the platform's font first, then the shipped ones."""
    return [platform_family, *(f for f in register_shipped() if f != platform_family)]


def apply(app: QApplication) -> QFont:
    """Register the shipped fonts and give the application font their family list (called by `gui.main`).

    The platform's font is named by the family it really resolves to ("Noto Sans", "Segoe UI"), not by an
    alias such as "Sans Serif": in a family list Qt skips names that are not real families, and the whole app
    would quietly switch to DejaVu Sans."""
    font = QFont(app.font())
    font.setFamilies(fallback_families(QFontInfo(font).family()))
    app.setFont(font)
    return font
