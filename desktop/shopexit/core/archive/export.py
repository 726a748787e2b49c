"""Making the archive: collect → data files → pages → attached files and signature → check → rename → record.

The file is written to a temporary name in the destination folder (0600, never anywhere else: it holds the
records), flushed to disk, verified exactly as a recipient would verify it, and only then renamed into place.
A cancel, a full disk, a read-only folder or any failure removes the temporary file: the destination is
either the complete, verified archive or untouched.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import glob
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from shopexit.core import audit
from shopexit.core.archive.build import RenderInput, render_pages
from shopexit.core.archive.collect import Collection, Scope
from shopexit.core.archive.data_files import build_data_files, evidence_file_name, source_file_name
from shopexit.core.archive.embed import MANIFEST_NAME, ManifestEntry, PendingFile, embed_all, manifest_bytes
from shopexit.core.archive.errors import ArchiveError
from shopexit.core.archive.keys import ensure_signing_keys
from shopexit.core.archive.sign import PreparedSigner, p12_signer, sign_in_place, vault_signer
from shopexit.core.durable import fsync_dir
from shopexit.core.errors import Cancelled
from shopexit.core.timeutil import now_iso, parse_iso
from shopexit.core.vault import Conn, Vault


@dataclass(frozen=True)
class ExportOptions:
    """What to put in the archive and how to sign it.

    `include_images`: embed evidence originals (and show images on the pages). None means the default: yes,
    unless buyers are redacted — then evidence, which may show personal data, is listed only, unless the user
    opts in with True.
    """

    case_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    redact_buyers: bool = False
    include_images: bool | None = None
    p12: Path | None = None
    p12_password: bytes | None = None

    @property
    def embed_evidence(self) -> bool:
        if self.include_images is None:
            return not self.redact_buyers
        return self.include_images

    def scope(self) -> Scope:
        return Scope(self.case_id, self.date_from, self.date_to, self.redact_buyers, self.embed_evidence)


@dataclass(frozen=True)
class ExportResult:
    path: Path
    sha256: str
    pages: int
    embedded_files: int
    root_fingerprint: str


Progress = Callable[[int, int, str], None]


class _Tracker:
    """Progress in record-sized units across the stages, and the one place cancellation is checked."""

    def __init__(self, total: int, progress: Progress | None, cancelled: Callable[[], bool] | None) -> None:
        self.total = max(1, total)
        self.done = 0
        self.text = "Preparing"
        self._progress = progress
        self._cancelled = cancelled
        self._last = -1

    def check(self) -> None:
        if self._cancelled is not None and self._cancelled():
            raise Cancelled("The export")

    def stage(self, text: str) -> None:
        self.text = text
        self._report(force=True)
        self.check()

    def tick(self, n: int = 1) -> None:
        self.done = min(self.total, self.done + n)
        self._report()
        self.check()

    def _report(self, force: bool = False) -> None:
        if self._progress is None:
            return
        permille = self.done * 1000 // self.total
        if force or permille != self._last:
            self._last = permille
            self._progress(self.done, self.total, self.text)


def _friendly_os_error(exc: OSError, folder: Path) -> ArchiveError:
    if exc.errno == errno.ENOSPC or exc.errno == errno.EDQUOT:
        return ArchiveError(f"the disk holding {folder} is full; no archive was written.")
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return ArchiveError(f"{folder} cannot be written to (read-only or no permission); no archive was written.")
    if exc.errno == errno.ENOENT:
        return ArchiveError(f"{folder} does not exist; choose an existing folder.")
    return ArchiveError(f"cannot write the archive in {folder}: {exc.strerror or exc}; no archive was written.")


def _signer(vault: Vault, options: ExportOptions) -> PreparedSigner:
    if options.p12 is not None:
        return p12_signer(options.p12, options.p12_password)
    with vault.transaction() as tx:
        material = ensure_signing_keys(tx)
    return vault_signer(material)


def _app_version() -> str:
    from shopexit import __version__

    return __version__


@contextlib.contextmanager
def _blob_reader(conn: Conn, attachment_id: int) -> Iterator[Any]:
    """A read-only, seekable view of an evidence item straight from the vault (Pillow reads headers from it)."""
    blob = conn.open_blob("attachments", "data", attachment_id, readonly=True)
    try:
        yield blob
    finally:
        blob.close()


def _remove_stale_partials(folder: Path, name: str) -> None:
    """A temporary file left by an export that was killed outright (power cut, kill -9) holds records: remove
    it when the same archive is written again. Only our own pattern for this very name is touched."""
    for stale in folder.glob(f".{glob.escape(name)}.*.partial"):
        with contextlib.suppress(OSError):
            stale.unlink()


def export_archive(
    vault: Vault,
    out: Path,
    options: ExportOptions = ExportOptions(),  # frozen, so one shared default is safe
    *,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ExportResult:
    """Write the signed archive to `out`; see the module docstring. Raises Cancelled, ArchiveError, NotFound."""
    from shopexit.core import facts, plan
    from shopexit.core.evidence import iter_bytes
    from shopexit.core.status import status as vault_status

    out = Path(out).expanduser().absolute()
    folder = out.parent
    if not folder.is_dir():
        raise ArchiveError(f"{folder} does not exist; choose an existing folder.")
    if out.is_dir():
        raise ArchiveError(f"{out} is a folder; give a file name such as archive.pdf.")
    conn = vault.conn
    scope = options.scope()
    coll = Collection(conn, scope)
    counts = coll.counts
    records = (counts.orders + counts.lines + counts.settlements + counts.on_hold + counts.withdrawals
               + counts.commissions + counts.threads + counts.messages + counts.cases)
    embedded_evidence = counts.evidence if scope.embed_evidence else 0
    tracker = _Tracker(2 * records + 2 * counts.evidence + embedded_evidence + counts.sources + 4, progress,
                       cancelled)
    tracker.stage("Preparing the signature")
    prepared = _signer(vault, options)
    made_at = now_iso()

    tracker.stage("Writing the data files")
    data_files = build_data_files(coll, tracker.tick)
    evidence_items = list(coll.evidence())
    tracker.tick(counts.evidence)
    source_items = list(coll.sources())

    pending: list[PendingFile] = []
    modified = parse_iso(made_at)
    for df in data_files:
        entry = ManifestEntry(df.name, df.size, df.sha256, df.media_type, "data", df.description)
        pending.append(PendingFile(entry, packed=df.packed, modified=modified))
    if scope.embed_evidence:
        for item in evidence_items:
            entry = ManifestEntry(evidence_file_name(item), int(item["size"]), item["sha256"], item["media_type"],
                                  "evidence", item["caption"], int(item["id"]), item["original_name"])
            pending.append(PendingFile(entry, produce=functools.partial(iter_bytes, conn, int(item["id"])),
                                       modified=parse_iso(item["captured_at"] or item["added_at"])))
    for src in source_items:
        entry = ManifestEntry(source_file_name(src), int(src["size"]), src["sha256"], src["media_type"], "source",
                              f"imported as {src['kind']}", int(src["id"]), src["original_name"])
        pending.append(PendingFile(entry, produce=functools.partial(iter_bytes, conn, int(src["id"])),
                                   modified=parse_iso(src["imported_at"])))
    entries = sorted((p.entry for p in pending), key=lambda e: e.name)
    profile = vault.profile()
    first, last = coll.period()
    audit_head = audit.head_hash(conn)
    header = {
        "made_at": made_at, "made_by": f"shopexit {_app_version()}",
        "shop": {"name": profile.shop_name, "creator": profile.creator, "region": profile.region},
        "scope": {"label": scope.label(), "case_id": scope.case_id,
                  "from": scope.date_from.isoformat() if scope.date_from else None,
                  "to": scope.date_to.isoformat() if scope.date_to else None,
                  "buyers_redacted": scope.redact_buyers, "evidence_attached": scope.embed_evidence,
                  "period": [first, last]},
        "records": counts.as_dict(),
        "audit_head": audit_head,
        "signer": {"name": prepared.identity.name, "signer_sha256": prepared.identity.signer_fingerprint,
                   "root_sha256": prepared.identity.root_fingerprint},
    }
    manifest = manifest_bytes(header, entries)
    manifest_sha = hashlib.sha256(manifest).hexdigest()
    pending.append(PendingFile(ManifestEntry(MANIFEST_NAME, len(manifest), manifest_sha, "application/json",
                                             "manifest", "Every attached file with its size and SHA-256"),
                               data=manifest, modified=modified))

    include_status = coll.include_exit_status
    case_title = ""
    if scope.case_id is not None:
        case_title = next((c["title"] for c in coll.cases()), "")
    inp = RenderInput(
        coll=coll, profile=profile, made_at=made_at, app_version=_app_version(), identity=prepared.identity,
        entries=entries, manifest_sha256=manifest_sha, manifest_size=len(manifest),
        audit_head=audit_head,
        audit_entries=int(conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]),
        status=vault_status(conn) if include_status else None,
        closure=plan.closure(conn) if include_status else None,
        funds=facts.funds(conn) if include_status else {},
        open_image=lambda i: _blob_reader(conn, i), out_name=out.name, case_title=case_title,
    )

    _remove_stale_partials(folder, out.name)
    tmp_name: str | None = None
    try:
        try:
            fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{out.name}.", suffix=".partial")
        except OSError as exc:
            raise _friendly_os_error(exc, folder) from exc
        with os.fdopen(fd, "w+b") as handle:
            tracker.stage("Laying out the pages")
            pages = render_pages(handle, inp, tick=tracker.tick, check=tracker.check)
            tracker.stage("Attaching files and signing")
            sign_in_place(
                handle, prepared,
                add_revision_content=lambda writer: embed_all(writer, pending, tracker.tick),
                reason=f"Records archive of {profile.shop_name} ({scope.label()})",
                location="",
            )
            handle.flush()
            os.fsync(handle.fileno())
            handle.seek(0)
            digest = hashlib.sha256()
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
        tracker.stage("Checking the signature")
        from shopexit.core.archive.verify import verify_archive

        report = verify_archive(Path(tmp_name))
        if not report.ok:
            raise ArchiveError("the archive did not pass its own check (" + "; ".join(report.problems)
                               + "); nothing was written.")
        tracker.check()
        os.replace(tmp_name, out)
        tmp_name = None
        fsync_dir(folder)
    except OSError as exc:
        raise _friendly_os_error(exc, folder) from exc
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)

    sha = digest.hexdigest()
    with vault.transaction() as tx:
        cur = tx.execute(
            "INSERT INTO exports(made_at, file_name, sha256, scope, verified_at, verdict) VALUES (?,?,?,?,?,?)",
            (made_at, out.name, sha, scope.label(), now_iso(), report.verdict),
        )
        audit.append(tx, "export", "archive", int(cur.lastrowid), scope=scope.label(), sha256=sha, pages=pages,
                     files=len(pending), signer_sha256=prepared.identity.signer_fingerprint)
    tracker.done = tracker.total
    tracker.stage("Done")
    return ExportResult(out, sha, pages, len(pending), prepared.identity.root_fingerprint)


@contextlib.contextmanager
def _write_tx(conn: Conn) -> Iterator[Conn]:
    """A write transaction on a bare connection, or nothing extra when the caller already holds one."""
    if conn.in_transaction:
        yield conn
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def export_root_certificate(conn: Conn, out: Path) -> str:
    """Write the vault's root certificate (PEM) for recipients to trust; returns its SHA-256 fingerprint."""
    with _write_tx(conn) as tx:
        material = ensure_signing_keys(tx)
    out = Path(out).expanduser().absolute()
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".partial")
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(material.root_cert_pem)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)  # a certificate is public: meant to be handed out
        os.replace(tmp, out)
        tmp = None
    except OSError as exc:
        raise _friendly_os_error(exc, out.parent) from exc
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    return material.root_fingerprint


def record_verification(conn: Conn, sha256: str, verdict: str) -> None:
    """Note a later check of an archive this vault made (matched by the file's SHA-256)."""
    with _write_tx(conn) as tx:
        cur = tx.execute("UPDATE exports SET verified_at = ?, verdict = ? WHERE sha256 = ?",
                         (now_iso(), verdict, sha256))
        if cur.rowcount:
            audit.append(tx, "verify", "archive", sha256[:16], ok=verdict.startswith("valid"))


def last_export(conn: Conn) -> dict[str, Any] | None:
    """The most recent export, for step 10: when, which file, what scope, and its verification."""
    row = conn.execute(
        "SELECT id, made_at, file_name, sha256, scope, verified_at, verdict FROM exports ORDER BY id DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return None
    keys = ("id", "made_at", "file_name", "sha256", "scope", "verified_at", "verdict")
    return dict(zip(keys, row, strict=True))
