"""Money as integer minor units plus an ISO 4217 code; Decimal at the edges, never float.

Exports write amounts many ways ("1,234.56", "120 THB", "$5.00", "/" for nothing, "(3.30)"); `parse_amount`
reads them all and keeps the currency when the text names one.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# ISO 4217 minor-unit exponents that differ from 2, for the markets TikTok Shop sells in and their neighbours.
_EXPONENTS: dict[str, int] = {
    "JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "PYG": 0, "UGX": 0, "XAF": 0, "XOF": 0,
    "BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3, "TND": 3,
}
_SYMBOLS: dict[str, str] = {"$": "USD", "£": "GBP", "€": "EUR", "¥": "JPY", "₫": "VND", "฿": "THB", "₱": "PHP",
                            "RM": "MYR", "Rp": "IDR", "S$": "SGD"}
_CODE_RE = re.compile(r"\b([A-Z]{3})\b")
_EMPTY = {"", "/", "-", "--", "—", "n/a", "N/A", "null", "None"}


class AmountError(ValueError):
    """The text is not an amount of money."""


def exponent(currency: str) -> int:
    return _EXPONENTS.get(currency.upper(), 2)


def to_minor(amount: Decimal, currency: str) -> int:
    """Round half-up to the currency's minor unit; exports carry at most that precision in practice."""
    quantum = Decimal(1).scaleb(-exponent(currency))
    return int((amount.quantize(quantum, rounding=ROUND_HALF_UP)).scaleb(exponent(currency)))


def from_minor(minor: int, currency: str) -> Decimal:
    exp = exponent(currency)
    return (Decimal(minor).scaleb(-exp)).quantize(Decimal(1).scaleb(-exp))


def format_minor(minor: int, currency: str) -> str:
    """A plain decimal string ("1266.13"), as `status --json` and the data files use."""
    return str(from_minor(minor, currency))


def format_display(minor: int, currency: str) -> str:
    """For people: thousands separators and the code ("1,266.13 USD")."""
    value = from_minor(minor, currency)
    return f"{value:,} {currency}"


def parse_amount(text: object) -> tuple[Decimal, str | None]:
    """Read an amount and the currency it names, if any. Empty cells and "/" mean zero.

    Raises AmountError for text that is not money, so an importer can name the cell.
    """
    if text is None:
        return Decimal(0), None
    if isinstance(text, bool):
        raise AmountError(f"not an amount: {text!r}")
    if isinstance(text, int):
        return Decimal(text), None
    if isinstance(text, float):
        # A spreadsheet cell typed as a number: go through repr so 0.1 stays 0.1, not its binary expansion.
        return Decimal(repr(text)), None
    if isinstance(text, Decimal):
        return text, None
    raw = str(text).strip().replace("\u00a0", " ").strip("\t ")
    if raw in _EMPTY:
        return Decimal(0), None
    currency: str | None = None
    code = _CODE_RE.search(raw)
    if code:
        currency = code.group(1)
        raw = (raw[: code.start()] + raw[code.end():]).strip()
    for symbol in sorted(_SYMBOLS, key=len, reverse=True):
        if symbol in raw:
            currency = currency or _SYMBOLS[symbol]
            raw = raw.replace(symbol, "").strip()
            break
    negative = False
    if raw.startswith("(") and raw.endswith(")"):
        negative, raw = True, raw[1:-1].strip()
    if raw.endswith("-") and raw[:-1].replace(".", "").replace(",", "").isdigit():
        negative, raw = True, raw[:-1]
    raw = raw.replace(",", "").replace(" ", "")
    if not raw or not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", raw):
        raise AmountError(f"not an amount: {str(text).strip()!r}")
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:  # pragma: no cover - the regex above admits only valid decimals
        raise AmountError(f"not an amount: {text!r}") from exc
    return (-value if negative else value), currency
