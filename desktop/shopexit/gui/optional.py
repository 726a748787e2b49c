"""Pieces other parts of the app provide (record views, the evidence dialog, search, the archive), looked up
when needed, so each window works — with the action shown disabled — while a piece is not installed."""

from __future__ import annotations

import importlib
from typing import Any


def optional(module: str, name: str) -> Any:
    """`module.name`, or None while it is not there."""
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None
