"""A real vault unlocked through the real vault thread, and the record pages on top of it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from shopexit.app import build_context
from shopexit.core.vault import ShopProfile, Vault
from shopexit.gui.context import GuiContext
from shopexit.gui.evidence.strip import EvidenceStrip
from shopexit.gui.records.orders import OrdersPage
from tests.conftest import PASSPHRASE

MakeCtx = Callable[..., tuple[GuiContext, Any]]


@pytest.fixture
def make_ctx(qtbot: QtBot, tmp_path: Path) -> Iterator[MakeCtx]:
    """`make_ctx(seed)`: create a vault, let `seed(vault)` fill it, then unlock it on the vault thread."""
    made: list[GuiContext] = []

    def make(seed: Callable[[Vault], Any] | None = None) -> tuple[GuiContext, Any]:
        path = tmp_path / f"gui{len(made)}.shopexit"
        with Vault.create(path, PASSPHRASE, ShopProfile("Zoë Ångström", "Harbor Goods Co", "US", "USD")) as vault:
            result = seed(vault) if seed else None
        ctx = build_context(path, tmp_path / "settings.json")
        made.append(ctx)
        with qtbot.waitSignal(ctx.vaults.unlocked, timeout=20_000):
            ctx.vaults.unlock(path, PASSPHRASE)
        return ctx, result

    yield make
    for ctx in made:
        if ctx.vaults.is_unlocked:
            with qtbot.waitSignal(ctx.vaults.locked, timeout=20_000):
                ctx.vaults.lock()
        ctx.vaults.shutdown()
    QApplication.clipboard().clear()


def settle(qtbot: QtBot, ctx: GuiContext, timeout: int = 20_000) -> None:
    """Wait until the vault thread has no job left, including jobs that callbacks submitted in turn."""
    for _ in range(20):
        qtbot.waitUntil(lambda: not ctx.vaults.busy, timeout=timeout)
        qtbot.wait(30)
        if not ctx.vaults.busy:
            return


def shown_orders(qtbot: QtBot, ctx: GuiContext, page_size: int | None = None) -> OrdersPage:
    """The Orders view at 1280×800, on screen with its first page of rows (of `page_size`, when given) and the
    vault thread idle."""
    page = OrdersPage(ctx)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    if page_size is not None:
        page.model.page_size = page_size
    with qtbot.waitSignal(page.model.page_loaded, timeout=20_000):
        page.show()
    settle(qtbot, ctx)
    return page


def shown_strip(qtbot: QtBot, ctx: GuiContext, kind: str, target: int) -> EvidenceStrip:
    """An evidence strip on screen for one record, its (empty) list loaded."""
    strip = EvidenceStrip(ctx)
    qtbot.addWidget(strip)
    strip.show()
    strip.set_target(kind, target)
    settle(qtbot, ctx)
    return strip


def ask(qtbot: QtBot, ctx: GuiContext, job: Callable[[Vault], Any]) -> Any:
    """Run a read on the vault thread and return its result (the GUI never reads SQL itself)."""
    with qtbot.waitCallback(timeout=20_000) as done:
        ctx.vaults.submit(lambda vault, _p: job(vault), on_done=done)
    return done.args[0]


def drag(widget: QWidget, pos: QPoint, mime: QMimeData) -> tuple[bool, bool]:
    """A real drag: enter, move and drop events delivered to the widget as the platform would.
    Returns (the move was accepted, the drop was accepted)."""
    actions = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction
    at = QPointF(pos)
    enter = QDragEnterEvent(at, actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    move = QDragMoveEvent(at, actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, move)
    if not move.isAccepted():
        return False, False
    drop = QDropEvent(at, actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, drop)
    return True, drop.isAccepted()
