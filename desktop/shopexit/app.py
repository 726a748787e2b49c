"""The one startup module: builds the context every window is handed, then the GUI.

No widget looks anything up globally (no `QApplication.instance()` to find state, no singletons): what a page
needs, it gets from the `GuiContext` built here.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shopexit.gui.context import GuiContext


def build_context(vault: Path | None = None, settings_file: Path | None = None) -> GuiContext:
    """Call after the QApplication exists (the vault thread is a QThread)."""
    from shopexit.core import settings as settings_mod
    from shopexit.core.paths import default_vault_path
    from shopexit.gui.context import GuiContext
    from shopexit.gui.dialogs import Dialogs
    from shopexit.gui.worker import VaultService

    settings_file = settings_file or settings_mod.settings_path()
    return GuiContext(
        settings=settings_mod.load(settings_file),
        settings_file=settings_file,
        default_vault=vault or default_vault_path(),
        vaults=VaultService(),
        dialogs=Dialogs(),
    )


def run_gui(vault: Path | None = None) -> int:
    from shopexit.gui.main import run

    return run(vault)
