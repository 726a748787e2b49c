"""The one object every window, page and dialog is handed at construction. Built only in `shopexit.app`."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtGui import QGuiApplication

from shopexit.core.settings import Settings, save
from shopexit.gui.dialogs import Dialogs
from shopexit.gui.worker import VaultService


@dataclass
class GuiContext:
    settings: Settings
    settings_file: Path
    default_vault: Path
    vaults: VaultService
    dialogs: Dialogs
    _clipboard_digest: str | None = field(default=None, repr=False)

    def save_settings(self) -> None:
        save(self.settings, self.settings_file)

    # -- the clipboard ------------------------------------------------------------------------------------------
    # Whatever shopexit copies goes through here, so locking can clear it: only a digest is remembered, never
    # the text itself.
    def copy_text(self, text: str) -> None:
        QGuiApplication.clipboard().setText(text)
        self._clipboard_digest = _digest(text)

    def clear_clipboard_if_ours(self) -> bool:
        """Part of locking: empty the clipboard if what it holds came from shopexit. True when it did."""
        clipboard = QGuiApplication.clipboard()
        ours = clipboard.ownsClipboard() or (
            self._clipboard_digest is not None and _digest(clipboard.text()) == self._clipboard_digest)
        self._clipboard_digest = None
        if ours:
            clipboard.clear()
        return ours


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
