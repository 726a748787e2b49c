"""The export dialog's job handling (shared with Import, whose cancelling is tested with the guided exit): Cancel
stops the running export and hands the choices back; closing the dialog while it runs stops it too."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt

from shopexit.gui.export_dialog import ExportDialog
from tests.gui.conftest import TIMEOUT, App


def _hold(app: App) -> threading.Event:
    """Keep the vault thread busy until the event is set, so the next job waits in the queue."""
    gate = threading.Event()
    app.ctx.vaults.submit(lambda _v, _p: gate.wait(10))
    return gate


def test_export_cancel_and_close_stop_the_job(app_on: Callable[..., App], tmp_path: Path) -> None:
    app = app_on()
    main = app.unlock()
    dialog = ExportDialog(app.ctx, main)
    dialog.open()
    app.wait_idle()
    out = tmp_path / "archive.pdf"
    dialog.out.setText(str(out))

    gate = _hold(app)
    app.qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert dialog.progress.isVisible() and not dialog.export_button.isEnabled() and not dialog.out.isEnabled()
    app.qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.status.text() == "Cancelling…"
    with app.qtbot.waitSignal(dialog.finished_all, timeout=TIMEOUT) as finished:
        gate.set()
    assert finished.args == [False] and not out.exists()
    assert dialog.export_button.isEnabled() and dialog.out.isEnabled() and not dialog.progress.isVisible()

    gate = _hold(app)
    app.qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    dialog.reject()
    assert not dialog.isVisible()
    with app.qtbot.waitSignal(dialog.finished_all, timeout=TIMEOUT) as finished:
        gate.set()
    assert finished.args == [False] and not out.exists()
