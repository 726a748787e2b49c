"""Times are stored as UTC ISO-8601 text ("2026-05-10T23:37:00Z"), always beside the original text."""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo

# Seller Center writes local shop time without a zone; these are the zones its exports use per region.
REGION_ZONES: dict[str, str] = {
    "US": "America/Los_Angeles", "GB": "Europe/London", "UK": "Europe/London", "ID": "Asia/Jakarta",
    "TH": "Asia/Bangkok", "VN": "Asia/Ho_Chi_Minh", "MY": "Asia/Kuala_Lumpur", "PH": "Asia/Manila",
    "SG": "Asia/Singapore", "JP": "Asia/Tokyo", "MX": "America/Mexico_City", "ES": "Europe/Madrid",
    "DE": "Europe/Berlin", "FR": "Europe/Paris", "IT": "Europe/Rome", "BR": "America/Sao_Paulo",
}


def zone_for_region(region: str) -> tzinfo:
    return ZoneInfo(REGION_ZONES.get(region.upper(), "UTC"))


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_utc_iso(moment: datetime, assume: tzinfo | None = None) -> str:
    """A naive `moment` is taken to be in `assume` (UTC when not given)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=assume or UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def now_iso() -> str:
    return to_utc_iso(utc_now())


def parse_iso(text: str) -> datetime:
    """Inverse of `to_utc_iso` (and tolerant of offsets), always timezone-aware."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def iso_date(text: str | None) -> date | None:
    return parse_iso(text).date() if text else None
