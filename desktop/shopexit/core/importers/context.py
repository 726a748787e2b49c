"""What every importer is handed: the vault connection inside the file's transaction, the shop's defaults, the
import's id, and the row loop's shared duties (progress, cancel, refusing or skipping a bad row)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path

from shopexit.core.errors import Cancelled
from shopexit.core.importers.base import CancelledFn, Counts, ImportRefused, ProgressFn, RowProblem
from shopexit.core.importers.columns import CellProblem, Columns
from shopexit.core.importers.tabular import Row, Table
from shopexit.core.vault import Conn

PROGRESS_EVERY = 2000
_ID_LIKE = re.compile(r"[A-Za-z0-9_\-]*\d[A-Za-z0-9_\-]*")


@dataclass
class Context:
    conn: Conn
    path: Path
    import_id: int
    currency: str
    zone: tzinfo
    skip_bad_rows: bool = False
    progress: ProgressFn | None = None
    cancelled: CancelledFn | None = None
    counts: Counts = field(default_factory=Counts)

    def check_cancelled(self) -> None:
        if self.cancelled is not None and self.cancelled():
            raise Cancelled(f"The import of {self.path.name}")

    def report(self, done: int, fraction: float) -> None:
        self.check_cancelled()
        if self.progress is not None:
            total = int(done / fraction) if fraction > 0 else 0
            self.progress(done, max(total, done))

    def rows(self, table: Table, cols: Columns, key: str) -> Iterator[Row]:
        """The table's data rows: padded to the header's width plus one empty sentinel cell, the description row
        under the header dropped,
        progress reported and cancel checked every few thousand rows. Counts every row it yields as read."""
        width = cols.width
        key_index = cols.index.get(key)
        first = True
        counts = self.counts
        for row in table.rows:
            cells = row[1]
            if first:
                first = False
                if key_index is not None and _is_description(cells, key_index):
                    continue
            if len(cells) < width:
                cells.extend([""] * (width - len(cells)))
            cells.append("")  # the sentinel `Columns.at` relies on
            counts.rows_read += 1
            if counts.rows_read % PROGRESS_EVERY == 0:
                self.report(counts.rows_read, table.fraction())
            yield row
        if counts.rows_read == 0:
            raise ImportRefused(self.path, "the file has a header but no rows of data")
        self.report(counts.rows_read, 1.0)

    def refuse_or_skip(self, row: int, problem: CellProblem) -> None:
        """A bad cell: refuse the file (the default) or, with skip_bad_rows, note the row and go on."""
        if not self.skip_bad_rows:
            raise ImportRefused(self.path, problem.message, row=row, column=problem.column)
        self.counts.refused.append(RowProblem(row, problem.column, problem.message))


def _is_description(cells: list[str], key_index: int) -> bool:
    """Seller Center's row 2 explains each field ("Platform unique order ID."): no ID where the ID goes."""
    key = cells[key_index] if key_index < len(cells) else ""
    return bool(key) and _ID_LIKE.fullmatch(key) is None and " " in key
