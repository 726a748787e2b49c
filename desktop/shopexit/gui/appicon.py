"""The app's icon for Qt: every rendered size from `resources/icons/app/`, so title bars, task bars and docks
each pick a crisp bitmap instead of scaling one.

The startup code calls `QApplication.setWindowIcon(app_icon())`. It reads through `resource_path()`, so it works
the same from a source checkout and from the frozen bundle.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon

from shopexit.core.paths import resource_path

ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def app_icon() -> QIcon:
    """shopexit's icon at every size that ships; an empty icon (Qt's default then) if none is found."""
    icon = QIcon()
    folder = resource_path("icons", "app")
    for size in ICON_SIZES:
        png = folder / f"shopexit-{size}.png"
        if png.is_file():
            icon.addFile(str(png), QSize(size, size))
    return icon
