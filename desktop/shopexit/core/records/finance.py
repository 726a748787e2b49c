"""Money records: settlements, money on hold, withdrawals and affiliate commissions.

Imported rows are written through `upsert`, keyed by each table's natural key, so importing a file twice or two
overlapping exports never counts a row twice: a row whose content is what the vault already holds is
"unchanged" and not written at all; one that differs is "updated" and carries the newer import's id.
A withdrawal the exports never showed is entered by hand with `add_withdrawal`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from shopexit.core import audit, money
from shopexit.core.errors import ShopexitError
from shopexit.core.timeutil import to_utc_iso
from shopexit.core.vault import Conn

# table -> the column holding its natural key
KEYS: dict[str, str] = {
    "settlements": "natural_key", "on_hold": "natural_key", "commissions": "natural_key",
    "withdrawals": "withdrawal_id", "orders": "order_id", "threads": "thread_key", "messages": "natural_key",
}
WITHDRAWAL_STATUSES = ("SUCCESS", "PROCESSING", "FAILED")


class WithdrawalRefused(ShopexitError):
    """A hand-entered withdrawal that cannot be kept (say what is wrong)."""


def upsert(conn: Conn, table: str, key: str, values: Mapping[str, Any], import_id: int | None) -> tuple[str, int]:
    """Insert or update one record by natural key; returns ("new"|"updated"|"unchanged", row id).

    `table` must be one of KEYS (names are never taken from input). `import_id` is written only when the row
    is written, so an unchanged record keeps pointing at the import that last changed it.
    """
    key_col = KEYS[table]
    cols = list(values)
    row = conn.execute(f"SELECT id, {', '.join(cols)} FROM {table} WHERE {key_col} = ?", (key,)).fetchone()
    if row is None:
        names = [key_col, *cols] + (["import_id"] if import_id is not None else [])
        params = [key, *values.values()] + ([import_id] if import_id is not None else [])
        cur = conn.execute(f"INSERT INTO {table}({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                           params)
        return "new", int(cur.lastrowid)
    if tuple(row[1:]) == tuple(values.values()):
        return "unchanged", int(row[0])
    sets = ", ".join(f"{c} = ?" for c in cols) + (", import_id = ?" if import_id is not None else "")
    params = [*values.values()] + ([import_id] if import_id is not None else [])
    conn.execute(f"UPDATE {table} SET {sets} WHERE id = ?", (*params, row[0]))
    return "updated", int(row[0])


def raw_json(raw: Mapping[str, str]) -> str:
    return json.dumps(raw, ensure_ascii=False, separators=(",", ":"))


# -- the importers' writers ---------------------------------------------------------------------------------------
def upsert_settlement(conn: Conn, natural_key: str, values: Mapping[str, Any], import_id: int) -> tuple[str, int]:
    return upsert(conn, "settlements", natural_key, values, import_id)


def upsert_on_hold(conn: Conn, natural_key: str, values: Mapping[str, Any], import_id: int) -> tuple[str, int]:
    return upsert(conn, "on_hold", natural_key, values, import_id)


def upsert_commission(conn: Conn, natural_key: str, values: Mapping[str, Any], import_id: int) -> tuple[str, int]:
    return upsert(conn, "commissions", natural_key, values, import_id)


def upsert_withdrawal(conn: Conn, withdrawal_id: str, values: Mapping[str, Any],
                      import_id: int) -> tuple[str, int]:
    """A withdrawal from an export. One entered by hand earlier under the same id is replaced by the platform's
    record (the export is the better evidence), which counts as updated."""
    return upsert(conn, "withdrawals", withdrawal_id, {**values, "entered_by_hand": 0}, import_id)


# -- by hand ------------------------------------------------------------------------------------------------------
def add_withdrawal(
    conn: Conn,
    *,
    amount: Decimal | int | str,
    currency: str,
    created: date | datetime | str | None = None,
    status: str = "SUCCESS",
    withdrawal_id: str = "",
    note: str = "",
) -> int:
    """A withdrawal entered by hand (step 3), e.g. one made before the first export. Returns its row id.

    `amount` is Decimal (or text "1,250.00"); ints are taken as whole units, not minor units. `created` is a
    date (taken as noon UTC, so the day never shifts), a datetime (naive = UTC) or ISO text. Call inside the
    caller's transaction (`with vault.transaction() as tx: add_withdrawal(tx, ...)`).
    """
    currency = (currency or "").strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise WithdrawalRefused(f"{currency!r} is not a currency code such as USD.")
    try:
        value, named = money.parse_amount(amount)
    except money.AmountError as exc:
        raise WithdrawalRefused(f"{amount!r} is not an amount of money.") from exc
    if named and named != currency:
        raise WithdrawalRefused(f"the amount says {named} but the currency is {currency}.")
    if value <= 0:
        raise WithdrawalRefused("a withdrawal must be more than zero.")
    status = (status or "SUCCESS").strip().upper()
    if status not in WITHDRAWAL_STATUSES:
        raise WithdrawalRefused(f"status {status!r}: use one of {', '.join(WITHDRAWAL_STATUSES)}.")
    created_at, created_text = _created(created)
    ident = withdrawal_id.strip() or "manual:" + uuid.uuid4().hex
    if conn.execute("SELECT 1 FROM withdrawals WHERE withdrawal_id = ?", (ident,)).fetchone():
        raise WithdrawalRefused(f"a withdrawal {ident} is already recorded.")
    cur = conn.execute(
        "INSERT INTO withdrawals(withdrawal_id, type, status, currency, amount, created_at, created_text,"
        " entered_by_hand, note, raw_json) VALUES (?, 'WITHDRAW', ?, ?, ?, ?, ?, 1, ?, '{}')",
        (ident, status, currency, money.to_minor(value, currency), created_at, created_text, note),
    )
    row_id = int(cur.lastrowid)
    audit.append(conn, "add", "withdrawal", row_id, by_hand=True, status=status, currency=currency)
    return row_id


def _created(created: date | datetime | str | None) -> tuple[str | None, str | None]:
    if created is None or created == "":
        return None, None
    if isinstance(created, datetime):
        return to_utc_iso(created), created.isoformat()
    if isinstance(created, date):
        return to_utc_iso(datetime.combine(created, time(12))), created.isoformat()
    text = str(created).strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise WithdrawalRefused(f"{text!r} is not a date (write YYYY-MM-DD).") from exc
    if len(text) == 10:
        moment = datetime.combine(moment.date(), time(12))
    return to_utc_iso(moment), text
