"""Render the app icon's SVG into every size the platforms ask for: PNGs (Linux, Qt), .ico (Windows), .icns
(macOS).

The generated files are committed beside the SVG, so a build never depends on this script; run it again only
after editing `resources/icons/app/shopexit.svg`:

    .venv/bin/python packaging/make_icons.py

Each size is rendered from the vector source (not scaled down from a big bitmap), so 16 px stays crisp. Qt's
QSvgRenderer does the drawing; Pillow writes the files, because it writes .ico and .icns on every platform and
writes PNGs without a timestamp, so regenerating an unchanged SVG changes no bytes.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PIL import Image

APP_ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons" / "app"
SVG = APP_ICONS / "shopexit.svg"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_EXTRA = (1024,)  # macOS wants a 1024 px "512@2x"; it lives only inside the .icns


def render(svg: Path, size: int) -> Image.Image:
    """The SVG drawn at `size`×`size` pixels, antialiased, on a transparent background."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg}: not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_RGBA8888)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = bytes(image.constBits())
    return Image.frombuffer("RGBA", (size, size), data, "raw", "RGBA", image.bytesPerLine(), 1).copy()


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    images = {size: render(SVG, size) for size in (*PNG_SIZES, *ICNS_EXTRA)}
    for size in PNG_SIZES:
        out = APP_ICONS / f"shopexit-{size}.png"
        images[size].save(out, optimize=True)
        print(f"wrote {out.relative_to(APP_ICONS.parents[2])}")
    largest_ico = images[max(ICO_SIZES)]
    largest_ico.save(APP_ICONS / "shopexit.ico", sizes=[(s, s) for s in ICO_SIZES],
                     append_images=[images[s] for s in ICO_SIZES if s != max(ICO_SIZES)])
    print("wrote resources/icons/app/shopexit.ico")
    images[1024].save(APP_ICONS / "shopexit.icns",
                      append_images=[images[s] for s in (16, 32, 64, 128, 256, 512)])
    print("wrote resources/icons/app/shopexit.icns")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
