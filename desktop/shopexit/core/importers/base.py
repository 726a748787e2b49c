"""Types every importer shares: the refusal error, one row's problem, what detection found, the summary.

They live here, not in `__init__`, so the per-kind modules can import them without a cycle; `__init__`
re-exports them as the public API.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from shopexit.core.errors import ShopexitError

KINDS: tuple[str, ...] = ("orders", "settlements", "on_hold", "commissions", "withdrawals", "data_export")

ProgressFn = Callable[[int, int], None]
CancelledFn = Callable[[], bool]


class ImportRefused(ShopexitError):
    """A file (or one cell of it) that cannot be imported. `str()` is one line naming file, row and column."""

    def __init__(self, file: str | Path, message: str, *, row: int | None = None,
                 column: str | None = None) -> None:
        self.file = Path(file).name if str(file) else ""
        self.row = row
        self.column = column
        self.message = " ".join(str(message).split())  # one line, whatever the cell held
        where = [self.file] if self.file else []
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column.strip()!r}")
        super().__init__(", ".join(where) + ": " + self.message if where else self.message)


@dataclass(frozen=True)
class RowProblem:
    """One row refused (and skipped, with --skip-bad-rows): where and why."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        column = f", column {self.column!r}" if self.column else ""
        return f"row {self.row}{column}: {self.message}"


@dataclass(frozen=True)
class Detection:
    file: Path
    kind: str
    label: str


@dataclass
class ImportSummary:
    file: Path
    kind: str
    label: str
    rows_read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: list[RowProblem] = field(default_factory=list)
    dry_run: bool = False
    import_id: int | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "file": str(self.file), "kind": self.kind, "label": self.label, "rows_read": self.rows_read,
            "new": self.new, "updated": self.updated, "unchanged": self.unchanged,
            "refused": [{"row": p.row, "column": p.column, "message": p.message} for p in self.refused],
            "dry_run": self.dry_run, "import_id": self.import_id,
        }


@dataclass
class Counts:
    """What an importer did to the records; the driver turns it into the summary."""

    rows_read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: list[RowProblem] = field(default_factory=list)

    def tally(self, outcome: str) -> None:
        if outcome == "new":
            self.new += 1
        elif outcome == "updated":
            self.updated += 1
        else:
            self.unchanged += 1
