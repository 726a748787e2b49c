"""Numbered migrations; `PRAGMA user_version` records the last one applied.

A migration is a module `mNNNN_name.py` holding `SQL`. Each runs in its own transaction together with the
`user_version` bump, so a crash leaves the vault at one version or the next, never between.
"""

from __future__ import annotations

from dataclasses import dataclass

from shopexit.core.schema import (
    m0001_initial,
    m0004_guided_exit,
    m0005_search_rowids,
    m0006_buyer_lookup,
    m0007_raw_layouts,
)


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial", m0001_initial.SQL),
    Migration(4, "guided_exit", m0004_guided_exit.SQL),
    Migration(5, "search_rowids", m0005_search_rowids.SQL),
    Migration(6, "buyer_lookup", m0006_buyer_lookup.SQL),
    Migration(7, "raw_layouts", m0007_raw_layouts.SQL),
)
LATEST_VERSION = MIGRATIONS[-1].version
