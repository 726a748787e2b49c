"""The one object every window, page and dialog is handed at construction. Built only in `shopexit.app`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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

    def save_settings(self) -> None:
        save(self.settings, self.settings_file)
