"""Start the Qt application with the context built in `shopexit.app`."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QLabel

from shopexit.app import AppContext


def run(ctx: AppContext) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    label = QLabel(f"shopexit — vault: {ctx.default_vault}")
    label.show()
    return int(app.exec())
