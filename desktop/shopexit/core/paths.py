"""Where shopexit keeps things: the default vault, settings, and the bundled resources.

One helper serves both a source checkout and a frozen (PyInstaller) build, so nothing else needs to know how
the program was started.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from platformdirs import user_cache_path, user_config_path, user_data_path

APP_DIR_NAME = "shopexit"
VAULT_FILE_NAME = "vault.shopexit"


def resources_dir() -> Path:
    """The `resources/` folder: beside the frozen executable's data, or at the top of a source checkout."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parents[3] / "resources"


def resource_path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def data_dir() -> Path:
    return user_data_path(APP_DIR_NAME, appauthor=False)


def config_dir() -> Path:
    return user_config_path(APP_DIR_NAME, appauthor=False)


def cache_dir() -> Path:
    return user_cache_path(APP_DIR_NAME, appauthor=False)


def default_vault_path() -> Path:
    """`$SHOPEXIT_VAULT` when set, else the vault in the platform's app-data folder."""
    env = os.environ.get("SHOPEXIT_VAULT")
    if env:
        return Path(env).expanduser()
    return data_dir() / VAULT_FILE_NAME
