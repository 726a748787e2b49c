"""Start the Qt application, build the context (in `shopexit.app`), and run the unlock → work → lock cycle.

The lock sequence, in order (as KeePassXC's DatabaseWidget::lock does it):
1. save what the user typed and has not saved yet (notes, the announcement draft);
2. close every dialog still open;
3. clear the clipboard if shopexit put something there;
4. destroy the main window and every page in it, so no decrypted record stays in any widget;
5. close the vault on its thread (results of jobs still running are dropped);
6. show the unlock window.
"""

from __future__ import annotations

import gc
import importlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from shopexit.gui import fonts, style
from shopexit.gui.context import GuiContext
from shopexit.gui.idle import IdleWatcher
from shopexit.gui.optional import optional
from shopexit.gui.unlock import UnlockWindow

if TYPE_CHECKING:
    from shopexit.gui.main_window import MainWindow

APP_NAME = "shopexit"
ORGANISATION = "shopexit"
DESKTOP_FILE = "shopexit"
# The main window's modules (its pages, the step facts, the sidebar: ~0.2 s of imports) are not needed to show
# the unlock window, so they are imported while the user types the passphrase, a moment after it is on screen.
MAIN_WINDOW_MODULE = "shopexit.gui.main_window"
PREFETCH_DELAY_MS = 400
GUI_SWITCH_INTERVAL = 0.001  # seconds


def app_icon() -> QIcon:
    """The packaged icon at every size, else the SVG in resources, else Qt's default."""
    icon_fn = optional("shopexit.gui.appicon", "app_icon")
    icon = icon_fn() if icon_fn is not None else QIcon()
    if icon.isNull():
        from shopexit.core.paths import resource_path

        svg = resource_path("icons", "app", "shopexit.svg")
        if svg.is_file():
            icon = QIcon(str(svg))
    return icon


def configure(app: QApplication) -> None:
    # The vault thread runs Python too (paging and formatting rows, imports): at Python's default 5 ms switch
    # interval the GUI thread can wait that long for the interpreter at each hand-off, several times a frame.
    sys.setswitchinterval(GUI_SWITCH_INTERVAL)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName(ORGANISATION)
    app.setDesktopFileName(DESKTOP_FILE)
    app.setWindowIcon(app_icon())
    fonts.apply(app)  # before the style sheet, which derives every widget's font from the application's
    style.apply(app)


class AppController(QObject):
    """Owns the two windows and the idle timer; the only place that builds or destroys the main window."""

    locked = Signal()  # the lock sequence has run
    main_shown = Signal()

    def __init__(self, ctx: GuiContext, idle_ms: int | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.app = QApplication.instance()
        self.idle = IdleWatcher(idle_ms or ctx.settings.idle_lock_minutes * 60_000, self)
        self.idle.timed_out.connect(lambda: self.lock(idle=True))
        if self.app is not None:
            self.app.installEventFilter(self.idle)
        self.unlock_window = UnlockWindow(ctx)
        self.unlock_window.setWindowIcon(app_icon())
        self.unlock_window.opened.connect(self._unlocked)
        self.main: MainWindow | None = None

    def start(self) -> None:
        self.unlock_window.show()
        QTimer.singleShot(PREFETCH_DELAY_MS, prefetch_main_window)

    def _unlocked(self, _path: str) -> None:
        from shopexit.gui.main_window import MainWindow

        self.main = MainWindow(self.ctx, self.idle)
        self.main.lock_requested.connect(self.lock)
        self.main.quit_requested.connect(self.quit)
        self.main.show()
        self.unlock_window.hide()
        self.idle.start()
        self.main_shown.emit()
        QTimer.singleShot(0, self._freeze_while_unlocked)

    def _freeze_while_unlocked(self) -> None:
        if self.main is not None:  # not locked again in the meantime
            freeze_long_lived_objects()

    def lock(self, idle: bool = False) -> None:
        self.idle.stop()
        main = self.main
        if main is not None:
            main.flush()
            main.locking = True
            windows: list[QWidget] = [main, *[w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog)]]
            self.ctx.dialogs.close_all(windows)
            for window in windows[1:]:
                if window.isVisible():
                    window.close()
        self.ctx.clear_clipboard_if_ours()
        if main is not None:
            self.main = None
            main.hide()
            main.close()
            main.deleteLater()
        self.ctx.vaults.lock()
        gc.unfreeze()  # the window just closed was frozen with the rest: its cycles must be collectable again
        gc.collect()
        minutes = self.ctx.settings.idle_lock_minutes
        self.unlock_window.prepare(f"Locked after {minutes} minute{'s' if minutes != 1 else ''} without activity."
                                   if idle else "")
        self.unlock_window.show()
        self.unlock_window.raise_()
        self.locked.emit()

    def quit(self) -> None:
        self.idle.stop()
        self.ctx.vaults.lock()
        if self.app is not None:
            self.app.quit()

    def shutdown(self) -> None:
        self.idle.stop()  # a timer firing after the windows are gone would lock into deleted widgets
        self.idle.timed_out.disconnect()
        if self.app is not None:
            self.app.removeEventFilter(self.idle)
        if self.main is not None:
            self.main.locking = True
            self.main.flush()
            self.main.close()
            self.main.deleteLater()
            self.main = None
        self.unlock_window.close()
        self.unlock_window.deleteLater()
        gc.unfreeze()


def freeze_long_lived_objects() -> None:
    """Move what exists once the main window is up (Qt wrappers, modules, the window's widgets: ~45,000 objects)
    out of reach of Python's cycle collector until the vault locks.

    A full collection walks every tracked object with the interpreter held; with these in it, one cost 22–47 ms,
    about once per 100,000 rows scrolled, and it was the longest stall of the Orders view. Frozen, 3–16 ms. They
    are not garbage while the window is open; `lock` unfreezes them before its collection.
    """
    gc.collect()
    gc.freeze()


def prefetch_main_window() -> None:
    """Import what the window after unlocking needs (a no-op when it is already in)."""
    importlib.import_module(MAIN_WINDOW_MODULE)


def run(vault: Path | None) -> int:
    from shopexit.app import build_context

    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    configure(app)
    ctx = build_context(vault)
    controller = AppController(ctx)
    # Hiding the unlock window after unlocking must not end the app; closing either window does.
    app.setQuitOnLastWindowClosed(False)
    controller.unlock_window.closed.connect(lambda: controller.main is None and app.quit())
    controller.start()
    try:
        code = int(app.exec())
    finally:
        controller.shutdown()
        ctx.vaults.shutdown()
    return code
