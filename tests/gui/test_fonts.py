"""Names in any script draw as letters, not boxes: the shipped fonts cover them, and the app's font uses them."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QRawFont, QTextLayout
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from shopexit.core.paths import resource_path
from shopexit.gui import fonts
from shopexit.gui.main import configure

NAMES = ["สมชาย ใจดี", "山田 花子", "김민준", "Олена Коваль", "Zoë Ångström", "Γιώργος Παπαδόπουλος",
         "Love it 😍🎁"]


def test_the_shipped_fonts_alone_cover_every_script(qapp: QApplication) -> None:
    """Whatever the machine has installed, the files in resources/fonts hold a glyph for every letter."""
    raw = [QRawFont(str(resource_path("fonts", name)), 12) for name in fonts.SHIPPED]
    assert all(font.isValid() for font in raw)
    for name in NAMES:
        missing = [ch for ch in name if not ch.isspace() and not any(f.supportsCharacter(ord(ch)) for f in raw)]
        assert not missing, f"{name}: no shipped font has {missing}"


@pytest.mark.parametrize("weight", ["normal", "600"])
def test_a_label_draws_every_name_with_the_apps_own_fonts(qtbot: QtBot, weight: str) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    configure(app)
    families = app.font().families()
    assert families[1:] == ["DejaVu Sans", "Noto Sans Thai", "Droid Sans Fallback", "NanumGothic", "Symbola"]
    for name in NAMES:
        label = QLabel(name)
        label.setStyleSheet(f"font-weight: {weight}; font-size: 15px;")  # as headings and badges are styled
        qtbot.addWidget(label)
        label.ensurePolished()
        font = label.font()
        assert font.families() == families, "a style sheet dropped the fallback families"
        layout = QTextLayout(name, font)
        layout.beginLayout()
        layout.createLine()
        layout.endLayout()
        for run in layout.glyphRuns():
            # glyph 0 is the font's "missing" box; a family outside the list means Qt had to go looking in the
            # system's fonts, which another machine may not have
            assert 0 not in run.glyphIndexes(), f"{name}: a box in {run.rawFont().familyName()}"
            assert run.rawFont().familyName() in families, f"{name}: drawn with {run.rawFont().familyName()}"
