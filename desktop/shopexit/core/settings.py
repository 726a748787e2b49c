"""User settings: recent vault paths (never secrets), idle-lock time, evidence size limit, backups kept, and
the record tables' column layouts (column names and widths, never record contents).

Stored as JSON in the platform's config folder and written atomically, so a crash never leaves half a file.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from shopexit.core.durable import replacing
from shopexit.core.paths import config_dir

MAX_RECENT = 8


@dataclass
class Settings:
    recent_vaults: list[str] = field(default_factory=list)
    idle_lock_minutes: int = 5
    max_evidence_mb: int = 200
    keep_backups: int = 5
    record_columns: dict[str, Any] = field(default_factory=dict)
    """Each record table's column layout, by view name: column keys in the order shown, the hidden ones, and
    widths in pixels (`{"order": [...], "hidden": [...], "widths": {...}}`) — column names and sizes only, never
    anything from the records."""

    def remember_vault(self, path: Path) -> None:
        text = str(Path(path).expanduser().absolute())
        self.recent_vaults = [text, *[p for p in self.recent_vaults if p != text][:MAX_RECENT - 1]]

    @property
    def max_evidence_bytes(self) -> int:
        return self.max_evidence_mb * 1024 * 1024


def settings_path() -> Path:
    return config_dir() / "settings.json"


def load(path: Path | None = None) -> Settings:
    """Unknown or malformed values fall back to defaults: settings must never stop the app from starting."""
    path = path or settings_path()
    try:
        raw: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Settings()
    if not isinstance(raw, dict):
        return Settings()
    defaults = Settings()
    values: dict[str, Any] = {}
    for f in fields(Settings):
        value = raw.get(f.name, getattr(defaults, f.name))
        default = getattr(defaults, f.name)
        if isinstance(default, list):
            ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        elif isinstance(default, dict):
            ok = isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, dict) for k, v in value.items())
        else:
            ok = isinstance(value, type(default)) and not isinstance(value, bool) and value > 0
        values[f.name] = value if ok else default
    return Settings(**values)


def save(settings: Settings, path: Path | None = None) -> None:
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with replacing(path) as out:
        out.write(json.dumps(asdict(settings), indent=2).encode("utf-8"))
