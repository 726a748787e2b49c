"""Every table's content, to prove a refused or cancelled import left the vault exactly as it was."""

from __future__ import annotations

from typing import Any


def dump(conn: Any) -> dict[str, list[tuple[Any, ...]]]:
    """All rows of all tables (FTS shadow tables included), in rowid order; WITHOUT ROWID ones by content."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    for name in tables:
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()[0] or ""
        if sql.upper().startswith("CREATE VIRTUAL TABLE"):
            continue  # its shadow tables hold its content
        rows = conn.execute(f'SELECT * FROM "{name}"').fetchall()
        out[name] = sorted((tuple(r) for r in rows), key=repr)
    out["_schema"] = sorted(tuple(r) for r in conn.execute("SELECT type, name, sql FROM sqlite_master"))
    return out
