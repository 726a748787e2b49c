"""The one startup module: builds the core context, then the GUI when asked.

Everything the GUI needs from the core reaches it through `AppContext`; no widget looks anything up globally.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class AppContext:
    """What every window and worker is handed at construction."""

    default_vault: Path


def build_context(vault: Path | None = None) -> AppContext:
    from shopexit.core.paths import default_vault_path

    return AppContext(default_vault=vault or default_vault_path())


def run_gui(vault: Path | None = None) -> int:
    from shopexit.gui.main import run

    return run(build_context(vault))
