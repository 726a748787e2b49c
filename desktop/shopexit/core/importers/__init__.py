"""Importing TikTok Shop's exports exactly as they come.

`detect(path)` says which kind of export a file is; `import_file(vault, path)` reads it into the vault in one
transaction: the file itself is kept as evidence (deduplicated by SHA-256), an `imports` row records what it
did, every record carries that import's id, and one audit entry gives the counts. A refused file leaves the
vault exactly as it was; `dry_run` does the whole import and rolls it back (the GUI's preview).
"""

from __future__ import annotations

from pathlib import Path

from shopexit.core import audit, evidence
from shopexit.core.bulkwrite import bulk_writes
from shopexit.core.errors import EvidenceRefused
from shopexit.core.importers import data_export
from shopexit.core.importers.base import (
    KINDS,
    CancelledFn,
    Counts,
    Detection,
    ImportRefused,
    ImportSummary,
    ProgressFn,
    RowProblem,
)
from shopexit.core.importers.context import Context
from shopexit.core.importers.detect import MODULES, detect, label, needs_text, open_tabular
from shopexit.core.importers.tabular import sniff
from shopexit.core.timeutil import now_iso, zone_for_region
from shopexit.core.vault import Vault

__all__ = [
    "KINDS", "Detection", "ImportRefused", "ImportSummary", "RowProblem", "detect", "import_file", "needs_text",
]


IMPORT_CACHE_KIB = 64 * 1024


class _RollBack(Exception):
    """Raised inside the transaction to undo a dry run."""


def import_file(
    vault: Vault,
    path: Path,
    *,
    kind: str | None = None,
    dry_run: bool = False,
    skip_bad_rows: bool = False,
    progress: ProgressFn | None = None,
    cancelled: CancelledFn | None = None,
) -> ImportSummary:
    """Import one export file (see the module docstring). Raises ImportRefused, or Cancelled when
    `cancelled()` turns true; either way nothing of this file stays in the vault."""
    path = Path(path)
    if not path.is_file():  # also when the kind is forced: opening a FIFO or a device would block or never end
        raise ImportRefused(path, "no such file" if not path.exists() else "is not a file")
    if kind is not None and kind not in KINDS:
        raise ImportRefused(path, f"unknown kind {kind!r}; kinds: {', '.join(KINDS)}")
    detection = detect(path) if kind is None else Detection(path, kind, _forced_label(path, kind))
    profile = vault.profile()
    summary = ImportSummary(path, detection.kind, detection.label, dry_run=dry_run)
    # A bigger page cache for the import: SQLCipher decrypts and re-encrypts every page that leaves the cache,
    # and a large export's inserts revisit the same index pages constantly.
    cache_size = vault.conn.execute("PRAGMA cache_size").fetchone()[0]
    vault.conn.execute(f"PRAGMA cache_size = {-IMPORT_CACHE_KIB}")
    try:
        with bulk_writes(vault.conn, vault.path), vault.transaction() as tx:
            try:
                attached = evidence.attach_file(vault, path, origin="import")
            except EvidenceRefused as exc:
                raise ImportRefused(path, str(exc)) from exc
            cur = tx.execute("INSERT INTO imports(attachment_id, kind, imported_at) VALUES (?, ?, ?)",
                             (attached.id, detection.kind, now_iso()))
            import_id = int(cur.lastrowid)
            evidence.link(tx, attached.id, "import", import_id)
            ctx = Context(tx, path, import_id, profile.currency, zone_for_region(profile.region),
                          skip_bad_rows, progress, cancelled, Counts())
            _run(ctx, detection.kind)
            counts = ctx.counts
            tx.execute(
                "UPDATE imports SET rows_read = ?, records_new = ?, records_updated = ?, records_unchanged = ?,"
                " rows_refused = ? WHERE id = ?",
                (counts.rows_read, counts.new, counts.updated, counts.unchanged, len(counts.refused), import_id),
            )
            audit.append(tx, "import", "import", import_id, kind=detection.kind, attachment=attached.id,
                         rows=counts.rows_read, new=counts.new, updated=counts.updated,
                         unchanged=counts.unchanged, refused=len(counts.refused))
            summary.rows_read, summary.new, summary.updated = counts.rows_read, counts.new, counts.updated
            summary.unchanged, summary.refused = counts.unchanged, counts.refused
            summary.import_id = import_id
            if dry_run:
                raise _RollBack
    except _RollBack:
        summary.import_id = None
    finally:
        vault.conn.execute(f"PRAGMA cache_size = {int(cache_size)}")
    return summary


def _forced_label(path: Path, kind: str) -> str:
    form = sniff(path)
    if kind == "data_export":
        return label(kind, "ZIP" if form == "zip" else "JSON")
    return label(kind, "XLSX" if form == "zip" else "CSV")


def _run(ctx: Context, kind: str) -> None:
    if kind == "data_export":
        data_export.run(ctx, ctx.path)
        return
    table = open_tabular(ctx.path, kind)
    try:
        MODULES[kind].run(ctx, table)
    finally:
        table.close()
