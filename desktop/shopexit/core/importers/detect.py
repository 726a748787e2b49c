"""Which export a file is, from its bytes and headers, never its name.

Tabular kinds are told apart by the headers each needs (looked for in the first rows of each sheet, since some
exports put banner rows above the header); the data export by being a zip holding `user_data_tiktok.json` or
JSON with its sections. A file of no known kind is refused with the kinds and the headers each needs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from shopexit.core.importers import commissions, data_export, on_hold, orders, settlements, withdrawals
from shopexit.core.importers.base import KINDS, Detection, ImportRefused
from shopexit.core.importers.columns import Field, header_has
from shopexit.core.importers.tabular import Table, is_xlsx, norm, open_table, open_zip, sniff

MODULES: dict[str, ModuleType] = {
    "orders": orders, "settlements": settlements, "on_hold": on_hold, "commissions": commissions,
    "withdrawals": withdrawals, "data_export": data_export,
}
# Checked in this order: the more specific header sets first.
TABULAR_ORDER = ("withdrawals", "on_hold", "settlements", "commissions", "orders")
assert set(MODULES) == set(KINDS)


def accepts(kind: str) -> Callable[[list[str]], bool]:
    module = MODULES[kind]
    custom = getattr(module, "accepts", None)
    if custom is not None:
        return custom
    fields: tuple[Field, ...] = module.FIELDS
    return lambda normalised: header_has(normalised, fields)


def kind_of_header(normalised: list[str]) -> str | None:
    for kind in TABULAR_ORDER:
        if accepts(kind)(normalised):
            return kind
    return None


def needs_text() -> str:
    """'Orders export: Order ID, Order Status, Order Amount; …' for the no-known-kind message."""
    parts = []
    for kind in TABULAR_ORDER:
        module = MODULES[kind]
        if kind == "commissions":
            creator = ", ".join(f.title for f in commissions.CREATOR_FIELDS if f.required)
            seller = ", ".join(f.title for f in commissions.SELLER_FIELDS if f.required)
            parts.append(f"{module.LABEL} (--kind commissions): {creator} — or the seller's layout: {seller}")
            continue
        names = ", ".join(f.title for f in module.FIELDS if f.required)
        parts.append(f"{module.LABEL} (--kind {kind}): {names}")
    parts.append(f"{data_export.LABEL} (--kind data_export): {data_export.REQUIRED_TEXT}")
    return "; ".join(parts)


def _unknown(path: Path, what: str) -> ImportRefused:
    return ImportRefused(path, f"{what} is not an export shopexit knows. It reads: {needs_text()}.")


def label(kind: str, fmt: str) -> str:
    return f"{MODULES[kind].LABEL} ({fmt})"


def detect(path: Path) -> Detection:
    """The kind of export `path` is; raises ImportRefused for anything else."""
    path = Path(path)
    if not path.is_file():
        raise ImportRefused(path, "no such file" if not path.exists() else "is not a file")
    form = sniff(path)
    if form == "json":
        data_export.load(path)
        return Detection(path, "data_export", label("data_export", "JSON"))
    if form == "zip":
        with open_zip(path) as zf:
            xlsx = is_xlsx(zf)
            member = None if xlsx else data_export.find_member(zf)
        if not xlsx:
            if member is None:
                raise _unknown(path, "this zip")
            return Detection(path, "data_export", label("data_export", "ZIP"))
    table = open_tabular(path, None)
    try:
        kind = kind_of_header([norm(h) for h in table.header])
        assert kind is not None
        return Detection(path, kind, label(kind, table.format))
    finally:
        table.close()


def open_tabular(path: Path, kind: str | None) -> Table:
    """The file's table for `kind` (or any tabular kind), positioned after the header; refuses otherwise."""
    accept = accepts(kind) if kind else (lambda normalised: kind_of_header(normalised) is not None)
    table = open_table(path, accept)
    if table is None:
        if kind:
            module = MODULES[kind]
            fields: tuple[Field, ...] = module.FIELDS
            names = ", ".join(f.title for f in fields if f.required)
            raise ImportRefused(path, f"no header of a {module.LABEL} found in its first rows (it needs the "
                                      f"columns {names})")
        raise _unknown(path, "this file")
    return table
