"""Finding each field's column by its header, however the header drifted, and reading cells as typed values.

Headers are matched after `tabular.norm` (case, spaces, BOM and `\\` for `/` ignored) against a few known
aliases per field; a header ending in `(UTC)` marks its times as UTC already. Columns no field claims are kept,
untouched, in each record's `raw_json` (orders and lines in the compact form of `records.raw`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from shopexit.core import money
from shopexit.core.importers.base import ImportRefused
from shopexit.core.importers.dates import DateReader
from shopexit.core.importers.tabular import Row, norm
from shopexit.core.records import raw
from shopexit.core.vault import Conn

_UTC_SUFFIX = re.compile(r"\s*\(utc(?:[+-]0{1,2}(?::?00)?)?\)$")


class CellProblem(ValueError):
    """One cell cannot be read; the driver adds file and row, and refuses or skips the row."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


@dataclass(frozen=True)
class Field:
    name: str
    aliases: tuple[str, ...]
    required: bool = False

    display: str = ""

    @property
    def title(self) -> str:
        """How the user knows the column (for messages naming the headers a kind needs)."""
        return self.display or self.aliases[0]


def _base(header: str) -> tuple[str, bool]:
    """A normalised header without its (UTC) suffix, and whether it had one."""
    stripped = _UTC_SUFFIX.sub("", header)
    return stripped, stripped != header


def header_has(normalised: Sequence[str], fields: Sequence[Field]) -> bool:
    names = {_base(h)[0] for h in normalised}
    return all(any(a in names for a in f.aliases) for f in fields if f.required)


class Columns:
    """Which column holds which field in one file's header."""

    def __init__(self, header: Sequence[str], fields: Sequence[Field]) -> None:
        self.header = _unique([h.strip() or f"column {i + 1}" for i, h in enumerate(header)])
        self.index: dict[str, int] = {}
        self.utc: set[str] = set()
        bases = [_base(norm(h)) for h in self.header]
        claimed: set[int] = set()
        for f in fields:
            for alias in f.aliases:
                hit = next((i for i, (b, _) in enumerate(bases) if b == alias and i not in claimed), None)
                if hit is not None:
                    self.index[f.name] = hit
                    claimed.add(hit)
                    if bases[hit][1]:
                        self.utc.add(f.name)
                    break
        self.width = len(self.header)

    def has(self, name: str) -> bool:
        return name in self.index

    def title(self, name: str) -> str:
        return self.header[self.index[name]]

    def at(self, name: str) -> int:
        """The field's column, or -1: rows from `Context.rows` end in an empty sentinel cell, so `cells[-1]`
        is "" and a missing field reads as empty without a test per cell."""
        return self.index.get(name, -1)

    def get(self, cells: Sequence[str], name: str) -> str:
        return cells[self.index.get(name, -1)]

    def raw(self, cells: Sequence[str], only: Sequence[int] | None = None) -> dict[str, str]:
        """The row as header → text (every column, or those in `only`), extra cells kept under their position."""
        if only is None:
            out = dict(zip(self.header, cells, strict=False))
            for i in range(self.width, len(cells) - 1):
                if cells[i]:
                    out[f"column {i + 1}"] = cells[i]
            return out
        return {self.header[i]: cells[i] for i in only}


def _unique(names: list[str]) -> list[str]:
    """Repeated header names get " (2)", " (3)" …, so no column is lost when the row becomes an object."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        n = seen.get(name, 0) + 1
        seen[name] = n
        out.append(name if n == 1 else f"{name} ({n})")
    return out


def raw_encoder(conn: Conn, headers: Sequence[str], indexes: Sequence[int]) -> Callable[[Sequence[str]], str]:
    """A function turning a row into its `raw_json`: the cells of the chosen columns after the id of their
    layout (`records.raw`), looked up or added once here for the whole file.

    It runs twice for every line of a 100,000-line export: the header names are stored once per layout, not
    per row, and the cells are joined as JSON strings with no object built per row.
    """
    if not indexes:
        return raw.encoder(0, indexes)
    return raw.encoder(raw.layout_id(conn, [headers[i] for i in indexes]), indexes)


# -- typed readers ------------------------------------------------------------------------------------------------
def amount(text: str, column: str, currency: str) -> tuple[int, str]:
    """Minor units and the currency: the cell's own suffix ("120 THB") wins over the row's or shop's."""
    exp = _EXPONENTS.get(currency)
    if exp is None:
        exp = _EXPONENTS[currency] = money.exponent(currency)
    digits = text[1:] if text[:1] == "-" else text
    whole, dot, frac = digits.partition(".")
    if (whole.isdigit() and whole.isascii() and len(whole) <= 15 and (not dot or (frac.isdigit() and frac.isascii()))
            and len(frac) <= exp):
        minor = int(whole + frac + "0" * (exp - len(frac)))
        return (-minor if digits is not text else minor), currency
    if not text:
        return 0, currency
    try:
        value, named = money.parse_amount(text)
    except money.AmountError as exc:
        raise CellProblem(column, str(exc)) from exc
    cur = named or currency
    if abs(value) >= MAX_AMOUNT:
        raise CellProblem(column, f"not a believable amount: {text!r}")
    return money.to_minor(value, cur), cur


_EXPONENTS: dict[str, int] = {}
MAX_AMOUNT = Decimal(10) ** 15  # far beyond any shop, and safely inside SQLite's 64-bit integers in minor units


def decimal_amount(text: str, column: str) -> Decimal:
    try:
        return money.parse_amount(text)[0]
    except money.AmountError as exc:
        raise CellProblem(column, str(exc)) from exc


_LARGEST_COUNT = 2**63 - 1  # SQLite's INTEGER


def integer(text: str, column: str) -> int:
    """A whole number ("3", "1,200", "2.0"); infinities, fractions and numbers SQLite cannot hold are refused."""
    if not text:
        return 0
    try:
        number = int(text)
    except ValueError:
        try:
            value = Decimal(text.replace(",", ""))
        except ArithmeticError as exc:
            raise CellProblem(column, f"not a whole number: {text!r}") from exc
        if not value.is_finite() or value != value.to_integral_value():
            raise CellProblem(column, f"not a whole number: {text!r}") from None
        number = int(value)
    if abs(number) > _LARGEST_COUNT:
        raise CellProblem(column, f"too large to be a count: {text[:40]!r}")
    return number


def currency_code(text: str, column: str, default: str) -> str:
    if not text:
        return default
    code = text.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise CellProblem(column, f"not a currency code: {text!r}")
    return code


def when(reader: DateReader, cols: Columns, cells: Sequence[str], name: str) -> str | None:
    text = cols.get(cells, name)
    if not text:
        return None
    try:
        return reader.parse(text, name in cols.utc)
    except ValueError as exc:
        raise CellProblem(cols.title(name), str(exc)) from exc


def decide_dates(rows: Iterator[Row], reader: DateReader, cols: Columns, names: Sequence[str],
                 path: Path) -> Iterator[Row]:
    """Pass rows through once the file's day/month order is known; hold them while it is not.

    Rows are only held while every slashed date seen so far could be read either way (usually a few rows).
    A file that ends still undecided is refused, naming the first such column.
    """
    indexes = [(cols.index[n], cols.title(n)) for n in names if n in cols.index]
    held: list[Row] = []
    for row in rows:
        if reader.order is None:
            cells = row[1]
            n = len(cells)
            for i, title in indexes:
                if i < n and cells[i]:
                    reader.learn(cells[i], title)
            if reader.undecided:
                held.append(row)
                continue
            if held:
                yield from held
                held.clear()
        yield row
    if held:
        raise ImportRefused(
            path, "dates are ambiguous: every date could be day-first (DD/MM/YYYY) or month-first (MM/DD/YYYY),"
                  " so the file cannot be read without guessing; export a longer period, or a file whose dates"
                  " include a day after the 12th", column=reader.first_ambiguous)
