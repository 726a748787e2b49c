"""Reading the times exports write, per file.

Seller Center writes `MM/DD/YYYY hh:mm:ss AM/PM` in the US, `DD/MM/YYYY HH:MM:SS` in South-East Asia and
`YYYY/MM/DD …` elsewhere, always in the shop's local time and without a zone. "05/10/2026" is then May 10th or
October 5th depending on the file, so the order of day and month is decided once per file from its values: a
value whose first field is over 12 can only be day-first, one whose second field is over 12 only month-first.
A file in which no value decides is refused rather than guessed, naming the column.

Conversion to UTC is cached per text and per local hour: exports repeat the same times on every SKU line and
the zone offset only changes on the hour, and this runs for every time cell of a 100,000-line export.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo

SLASHED = re.compile(
    r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})"
    r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([AaPp]\.?[Mm]\.?)?)?"
)
YEAR_FIRST = re.compile(
    r"(\d{4})[/\-.](\d{1,2})[/\-.](\d{1,2})"
    r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|UTC|[+\-]\d{2}:?\d{2})?)?"
)
# A slashed date with a time whose minutes and seconds are valid (what the fast path of `parse` reads): group 1
# is the date and hour as written, 2 and 3 minutes and seconds, 4 the AM/PM marker. Anything else takes the
# full reading in `_parse`.
_TIMED = re.compile(
    r"(\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4}[ T]+\d{1,2}):([0-5]\d)(?::([0-5]\d)(?:\.\d+)?)?\s*([AaPp]\.?[Mm]\.?)?"
)
ORDERS = {"mdy": "MM/DD/YYYY", "dmy": "DD/MM/YYYY"}


class DateProblem(ValueError):
    """The text is not a time this file's format can read."""


class DateReader:
    """Learns a file's day/month order from its values, then turns its times into UTC ISO text."""

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone
        self.order: str | None = None  # "mdy" or "dmy" once a value has decided
        self.first_ambiguous: str | None = None  # the first column holding a slashed date that decides nothing
        # (date and hour as written, the AM/PM marker) -> "YYYY-MM-DDTHH:" in UTC; one dict for local, one for UTC
        self._hours: dict[tuple[str, ...], str] = {}
        self._utc_hours: dict[tuple[str, ...], str] = {}
        self._offsets: dict[tuple[int, int, int, int], timedelta] = {}
        self._whole_hours = True  # False once an offset of the zone is not whole hours (then no fast path)

    # -- learning -----------------------------------------------------------------------------------------------
    def learn(self, text: str, column: str) -> None:
        """Look at one value; decides the order when the value can only be read one way."""
        if self.order is not None or not text:
            return
        m = SLASHED.fullmatch(text)
        if m is None:
            return
        a, b = int(m.group(1)), int(m.group(2))
        if a > 12 >= b:
            self.order = "dmy"
        elif b > 12 >= a:
            self.order = "mdy"
        elif self.first_ambiguous is None and a <= 12 and b <= 12:
            self.first_ambiguous = column

    @property
    def undecided(self) -> bool:
        """True while slashed dates have been seen but none told day from month."""
        return self.order is None and self.first_ambiguous is not None

    # -- reading ------------------------------------------------------------------------------------------------
    def parse(self, text: str, utc: bool = False) -> str | None:
        """UTC ISO text for a cell, None for an empty one. `utc` when the header says the column is UTC.

        Fast path: once a local hour has been converted, every time in that hour shares the converted
        "YYYY-MM-DDTHH:" prefix (zones shift by whole hours), so only minutes and seconds are appended. The
        hour is looked up by its text as written (date, hour, AM/PM), one pattern match and one dict lookup.
        """
        if not text:
            return None
        m = _TIMED.fullmatch(text)
        if m is not None and self.order is not None:
            key = m.group(1, 4)
            prefix = (self._utc_hours if utc else self._hours).get(key)
            if prefix is not None:
                return f"{prefix}{m.group(2)}:{m.group(3) or '00'}Z"
            full = self._parse(text, utc)
            if self._whole_hours:
                (self._utc_hours if utc else self._hours)[key] = full[:14]
            return full
        return self._parse(text, utc)

    def _parse(self, text: str, utc: bool) -> str:
        m = SLASHED.fullmatch(text)
        offset_text: str | None = None
        if m is not None:
            a_text, b_text, year_text, hour_text, minute_text, second_text, ampm = m.groups()
            a, b, year = int(a_text), int(b_text), int(year_text)
            if self.order is None:
                if a <= 12 and b <= 12:
                    raise DateProblem(f"the date {text!r} could be day-first or month-first")
                self.order = "dmy" if a > 12 else "mdy"
            month, day = (a, b) if self.order == "mdy" else (b, a)
            slashed = True
        else:
            m = YEAR_FIRST.fullmatch(text)
            if m is None:
                raise DateProblem(f"not a date and time: {text!r}")
            year_text, month_text, day_text, hour_text, minute_text, second_text, offset_text = m.groups()
            year, month, day = int(year_text), int(month_text), int(day_text)
            ampm = None
            slashed = False
        hour = int(hour_text) if hour_text else 0
        minute = int(minute_text) if minute_text else 0
        second = int(second_text) if second_text else 0
        if ampm:
            if not 1 <= hour <= 12:
                raise DateProblem(f"not a 12-hour time: {text!r}")
            hour = (hour % 12) + (12 if ampm[0] in "pP" else 0)
        try:
            local = datetime(year, month, day, hour, minute, second)
            if offset_text and offset_text not in ("Z", "UTC"):
                sign = -1 if offset_text[0] == "-" else 1
                digits = offset_text[1:].replace(":", "")
                moment = local - sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
            elif offset_text or utc:
                moment = local
            else:
                moment = local - self._offset(year, month, day, hour)
        except (ValueError, OverflowError) as exc:
            if slashed and self.order:
                raise DateProblem(f"not a date in this file's {ORDERS[self.order]} format: {text!r}") from exc
            raise DateProblem(f"not a real date and time: {text!r}") from exc
        return (f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T{moment.hour:02d}:{moment.minute:02d}:"
                f"{moment.second:02d}Z")

    def _offset(self, year: int, month: int, day: int, hour: int) -> timedelta:
        key = (year, month, day, hour)
        off = self._offsets.get(key)
        if off is None:
            off = datetime(year, month, day, hour, tzinfo=self.zone).utcoffset() or timedelta(0)
            self._offsets[key] = off
            if off.total_seconds() % 3600:
                self._whole_hours = False
        return off


def parse_unix_or_iso(text: str, zone: tzinfo) -> str | None:
    """For the Partner API's fields: a Unix timestamp (seconds or milliseconds) or ISO-8601 text."""
    text = text.strip()
    if not text:
        return None
    if text.isdigit():
        seconds = int(text)
        if seconds > 10**11:  # milliseconds
            seconds //= 1000
        try:
            return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        except (OverflowError, OSError, ValueError) as exc:
            raise DateProblem(f"not a timestamp: {text!r}") from exc
    reader = DateReader(zone)
    return reader.parse(text)
