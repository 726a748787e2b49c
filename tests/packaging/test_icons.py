"""The app icon: the SVG source and every file generated from it, and Qt loading it."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

from shopexit.core.paths import resource_path

APP_ICONS = Path(__file__).resolve().parents[2] / "resources" / "icons" / "app"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def test_svg_source_is_square_vector_art() -> None:
    root = ET.parse(APP_ICONS / "shopexit.svg").getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == "0 0 512 512"


@pytest.mark.parametrize("size", PNG_SIZES)
def test_png_in_every_size(size: int) -> None:
    path = APP_ICONS / f"shopexit-{size}.png"
    with Image.open(path) as img:
        img.verify()
    with Image.open(path) as img:
        assert img.format == "PNG" and img.size == (size, size) and img.mode == "RGBA"
        rgba = img.convert("RGBA")
        corner, middle = rgba.getpixel((0, 0)), rgba.getpixel((size // 2, size // 2))
        assert isinstance(corner, tuple) and isinstance(middle, tuple)
        assert corner[3] == 0, "corners are transparent (rounded tile)"
        assert middle[3] == 255, "the middle is drawn"
        colours = {c[:3] for _, c in rgba.getcolors(size * size) or [] if isinstance(c, tuple) and c[3] == 255}
        assert len(colours) >= 3, "tile, bag and arrow are all there"


def test_ico_holds_the_windows_sizes() -> None:
    with Image.open(APP_ICONS / "shopexit.ico") as ico:
        assert ico.format == "ICO"
        assert {(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)} <= ico.info["sizes"]


def test_icns_holds_the_macos_sizes() -> None:
    with Image.open(APP_ICONS / "shopexit.icns") as icns:
        assert icns.format == "ICNS"
        assert {(32, 32, 2), (128, 128, 1), (256, 256, 1), (512, 512, 1), (512, 512, 2)} <= set(icns.info["sizes"])
        icns.load()  # the largest: 512 px at 2×
        assert icns.size == (1024, 1024)


def test_resource_helper_finds_the_icons() -> None:
    assert resource_path("icons", "app", "shopexit-256.png") == APP_ICONS / "shopexit-256.png"


def test_qt_app_icon_has_every_size(qapp: object) -> None:
    from PySide6.QtCore import QSize

    from shopexit.gui.appicon import ICON_SIZES, app_icon

    icon = app_icon()
    assert not icon.isNull()
    assert {s.width() for s in icon.availableSizes()} == set(ICON_SIZES) == set(PNG_SIZES)
    pixmap = icon.pixmap(QSize(16, 16))
    assert pixmap.width() == 16 and not pixmap.toImage().isNull()
