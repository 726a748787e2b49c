"""The whole app on a real vault: the controller, the unlock window, the main window, the vault thread.

`app_on(seed)` creates a vault (letting `seed(vault)` fill it), builds the context and the controller exactly as
`gui.main.run` does, and returns a handle that can unlock it through the real unlock window.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from shopexit.app import build_context
from shopexit.core.vault import ShopProfile, Vault
from shopexit.gui.context import GuiContext
from shopexit.gui.main import AppController, configure
from shopexit.gui.main_window import MainWindow
from shopexit.gui.steps.page import StepPage
from tests.conftest import PASSPHRASE

TIMEOUT = 20_000


@dataclass
class App:
    qtbot: QtBot
    ctx: GuiContext
    controller: AppController
    path: Path
    seeded: Any = None
    """What `seed(vault)` returned (ids of the records it made)."""

    @property
    def main(self) -> MainWindow:
        assert self.controller.main is not None, "the vault is locked"
        return self.controller.main

    def unlock(self, passphrase: str = PASSPHRASE) -> MainWindow:
        """Type the passphrase into the unlock window and press Unlock, as a user would."""
        page = self.controller.unlock_window.open_page
        page.vault.setEditText(str(self.path))
        page.passphrase.setFocus()
        self.qtbot.keyClicks(page.passphrase, passphrase)
        with self.qtbot.waitSignal(self.controller.main_shown, timeout=TIMEOUT):
            self.qtbot.mouseClick(page.unlock_button, Qt.MouseButton.LeftButton)
        main = self.main
        self.qtbot.waitUntil(lambda: main.overview is not None and main.current_step() is not None
                             and main.pages[main.current_step() or 1].data is not None, timeout=TIMEOUT)
        return main

    def page(self, number: int) -> StepPage:
        """Go to a step through the main window and wait for its facts."""
        main = self.main
        existing = main.pages.get(number)
        if existing is not None and main.current_step() == number:
            return existing
        main.go_step(number)
        page = main.pages[number]
        with self.qtbot.waitSignal(page.loaded, timeout=TIMEOUT):
            pass
        return page

    def wait_idle(self) -> None:
        """Until the vault thread has no job left (writes and reloads done)."""
        self.qtbot.waitUntil(lambda: not self.ctx.vaults.busy, timeout=TIMEOUT)


def make_vault(path: Path, seed: Callable[[Vault], Any] | None = None) -> Any:
    with Vault.create(path, PASSPHRASE, ShopProfile("Zoë Ångström", "Harbor Goods Co", "US", "USD")) as vault:
        return seed(vault) if seed else None


@pytest.fixture
def app_on(qtbot: QtBot, tmp_path: Path) -> Iterator[Callable[..., App]]:
    made: list[App] = []

    def make(seed: Callable[[Vault], Any] | None = None, *, idle_ms: int | None = None,
             create: bool = True) -> App:
        path = tmp_path / "vaults" / f"app{len(made)}.shopexit"
        seeded = make_vault(path, seed) if create else None
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        configure(app)
        ctx = build_context(path if create else None, tmp_path / "settings.json")
        ctx.default_vault = path
        controller = AppController(ctx, idle_ms=idle_ms)
        controller.start()
        handle = App(qtbot, ctx, controller, path, seeded)
        made.append(handle)
        return handle

    yield make
    for handle in made:
        handle.controller.shutdown()
        handle.ctx.vaults.shutdown()


def widget_texts(widget: QWidget) -> list[str]:
    """Every piece of text a widget shows or carries (values, items, tips, accessible text)."""
    texts = [widget.windowTitle(), widget.toolTip(), widget.accessibleName(), widget.accessibleDescription(),
             widget.statusTip(), widget.whatsThis()]
    if isinstance(widget, (QLabel, QAbstractButton, QLineEdit)):
        texts.append(widget.text())
    if isinstance(widget, QLineEdit):
        texts.append(widget.placeholderText())
    if isinstance(widget, (QPlainTextEdit, QTextEdit)):
        texts.append(widget.toPlainText())
    if isinstance(widget, QComboBox):
        texts += [widget.currentText(), *(widget.itemText(i) for i in range(widget.count()))]
    if isinstance(widget, QAbstractItemView) and widget.model() is not None:
        model = widget.model()
        try:
            columns = model.columnCount(QModelIndex())
        except TypeError:  # list models keep columnCount private in PySide: they have one column
            columns = 1
        for r in range(model.rowCount(QModelIndex())):
            for c in range(columns):
                index = model.index(r, c, QModelIndex())
                for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                             Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.UserRole):
                    value = model.data(index, role)
                    if value is not None:
                        texts.append(str(value))
    return [t for t in texts if t]


def widgets_holding(text: str) -> list[QWidget]:
    return [w for w in QApplication.allWidgets() if any(text in t for t in widget_texts(w))]
