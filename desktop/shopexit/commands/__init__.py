"""Subcommands that live beside their feature. Each module has `register(add)`, where
`add(name, handler, help)` returns the subparser to add options to."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shopexit.commands import archive, demo, hardening, importing, purge, search

Registrar = Callable[[Callable[..., Any]], None]

REGISTRARS: list[Registrar] = [hardening.register, search.register, archive.register, importing.register,
                               demo.register, purge.register]
