"""Turn what a user types ("order:5764576460752303423488", "step:3", "case:2") into a record reference."""

from __future__ import annotations

from shopexit.core.errors import NotFound
from shopexit.core.vault import Conn

_TABLES = {
    "order": "orders", "settlement": "settlements", "on_hold": "on_hold", "withdrawal": "withdrawals",
    "commission": "commissions", "thread": "threads", "message": "messages", "case": "cases",
    "link_place": "link_places", "adviser": "advisers", "platform": "platforms", "note": "notes",
    "import": "imports",
}
# Kinds whose users know them by the platform's own id, looked up in this column first.
_NATURAL_IDS = {"order": "order_id", "withdrawal": "withdrawal_id"}


def resolve_target(conn: Conn, kind: str, ident: str) -> tuple[str, int]:
    ident = ident.strip()
    if kind == "step":
        if ident.isdigit() and 1 <= int(ident) <= 10:
            return "step", int(ident)
        raise NotFound(f"step:{ident}: steps are numbered 1 to 10.")
    table = _TABLES.get(kind)
    if table is None:
        raise NotFound(f"{kind}:{ident}: unknown kind; use one of step, {', '.join(sorted(_TABLES))}.")
    natural = _NATURAL_IDS.get(kind)
    if natural:
        row = conn.execute(f"SELECT id FROM {table} WHERE {natural} = ?", (ident,)).fetchone()
        if row:
            return kind, int(row[0])
    if ident.isdigit():
        row = conn.execute(f"SELECT id FROM {table} WHERE id = ?", (int(ident),)).fetchone()
        if row:
            return kind, int(row[0])
    raise NotFound(f"{kind}:{ident}: no such record in this vault.")
