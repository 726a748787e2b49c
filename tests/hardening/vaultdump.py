"""A full content dump of a vault: every table, every row, every byte of every attachment, as one digest per
table. Two dumps are equal exactly when the vault holds the same records, so "the vault is unchanged" is a
comparison of dumps, not of a few counts."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from shopexit.core.vault import Vault


def dump(conn: Any) -> dict[str, tuple[int, str]]:
    """{table: (rows, sha256 of all rows in a stable order)} for every table, the FTS index included."""
    tables = [row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    out: dict[str, tuple[int, str]] = {}
    for table in tables:
        columns = [row[1] for row in conn.execute(f'PRAGMA table_xinfo("{table}")')]
        order = ", ".join(f'"{c}"' for c in columns) or "rowid"
        digest = hashlib.sha256()
        count = 0
        for row in conn.execute(f'SELECT * FROM "{table}" ORDER BY {order}'):
            count += 1
            digest.update(repr(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)).encode())
        out[table] = (count, digest.hexdigest())
    return out


def dump_file(path: Path, passphrase: str, **open_args: Any) -> dict[str, tuple[int, str]]:
    with Vault.open(path, passphrase, **open_args) as vault:
        return dump(vault.conn)


def changed_tables(before: dict[str, tuple[int, str]], after: dict[str, tuple[int, str]]) -> list[str]:
    return sorted(t for t in set(before) | set(after) if before.get(t) != after.get(t))
