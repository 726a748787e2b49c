"""Start the Qt application, build the context (in `shopexit.app`), show the first window."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QLabel


def run(vault: Path | None) -> int:
    from shopexit.app import build_context

    app = QApplication.instance() or QApplication(sys.argv)
    ctx = build_context(vault)
    label = QLabel(f"shopexit — vault: {ctx.default_vault}")
    label.show()
    code = int(app.exec())
    ctx.vaults.shutdown()
    return code
