"""Evidence: files kept byte for byte with what a dispute needs to trust them (SHA-256, size, real type,
original name, when captured, when added).

A file up to 16 MB is read once, hashed once and stored from memory; a bigger one streams into the vault through
SQLite's incremental blob I/O, so a large video never sits whole in memory. Bytes never pass through a temporary
file. Identical bytes are stored once and simply linked again. Many files at once (`attach_files`) go in
transactions of bounded size, each file all or nothing inside its batch (bench/README.md, *Attach*).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import queue
import stat
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from sqlcipher3 import dbapi2 as sqlcipher

from shopexit.core import audit
from shopexit.core.bulkwrite import bulk_writes
from shopexit.core.errors import EvidenceRefused, VaultClosed
from shopexit.core.timeutil import now_iso, to_utc_iso
from shopexit.core.vault import Conn, Vault

DEFAULT_MAX_SIZE = 200 * 1024 * 1024
MAX_PREVIEW_PIXELS = 60_000_000  # ~240 MB decoded as RGBA; above this an image is kept but never decoded
_CHUNK = 1 << 20

LINK_KINDS = frozenset({
    "order", "settlement", "on_hold", "withdrawal", "commission", "thread", "message", "case", "step",
    "import", "link_place", "adviser", "platform", "note",
})

_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"%PDF-", 0, "application/pdf"),
    (b"BM", 0, "image/bmp"),
    (b"II*\x00", 0, "image/tiff"),
    (b"MM\x00*", 0, "image/tiff"),
    (b"\x1a\x45\xdf\xa3", 0, "video/webm"),
    (b"ID3", 0, "audio/mpeg"),
    (b"OggS", 0, "audio/ogg"),
    (b"\x1f\x8b", 0, "application/gzip"),
    (b"7z\xbc\xaf\x27\x1c", 0, "application/x-7z-compressed"),
)


def sniff_media_type(head: bytes) -> str:
    """The type the bytes really are, whatever the file's name claims."""
    for magic, offset, media_type in _MAGIC:
        if head[offset: offset + len(magic)] == magic:
            return media_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"mif1", b"msf1"):
            return "image/heic"
        return "video/quicktime" if brand == b"qt  " else "video/mp4"
    if head[:4] == b"PK\x03\x04":
        if b"xl/" in head or b"[Content_Types].xml" in head:
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return "application/zip"
    if _looks_textual(head):
        stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        if stripped[:1] in (b"{", b"["):
            return "application/json"
        if b"," in head.split(b"\n", 1)[0]:
            return "text/csv"
        return "text/plain"
    return "application/octet-stream"


def _looks_textual(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        return exc.start >= len(head) - 3
    return True


@dataclass(frozen=True)
class ImageInfo:
    width: int | None = None
    height: int | None = None
    captured_at: str | None = None
    captured_text: str | None = None

    @property
    def previewable(self) -> bool:
        return bool(self.width and self.height and self.width * self.height <= MAX_PREVIEW_PIXELS)


_PIL_FORMATS = {
    "image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/bmp": "BMP", "image/tiff": "TIFF",
    "image/webp": "WEBP",
}


def read_image_info(source: BinaryIO, media_type: str = "") -> ImageInfo:
    """Dimensions and EXIF capture time from the header only: pixels are never decoded here.

    An image so large that Pillow refuses it as a decompression bomb still gets its declared size (read by
    the format's own header parser, without the bomb check that would stop us learning it), so the app can
    say "40,000 × 40,000: too large to preview" — and `previewable` stays false, so nothing ever decodes it.
    """
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(source) as img:
            width, height = img.size
            exif = img.getexif()
    except Image.DecompressionBombError:
        size = _declared_size(source, media_type)
        return ImageInfo(*size) if size else ImageInfo()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return ImageInfo()
    text = None
    try:
        sub = exif.get_ifd(0x8769)
        text = sub.get(0x9003) or exif.get(0x0132)  # DateTimeOriginal, else DateTime
    except (KeyError, ValueError, TypeError):
        text = None
    captured_at = None
    if isinstance(text, str):
        try:
            local = datetime.strptime(text.strip(), "%Y:%m:%d %H:%M:%S").astimezone()
            captured_at = to_utc_iso(local)
        except ValueError:
            captured_at = None
    return ImageInfo(width, height, captured_at, text if isinstance(text, str) else None)


def _declared_size(source: BinaryIO, media_type: str) -> tuple[int, int] | None:
    from PIL import Image

    fmt = _PIL_FORMATS.get(media_type)
    if fmt is None:
        return None
    Image.init()
    factory, _accept = Image.OPEN[fmt]
    try:
        source.seek(0)
        img = factory(source, "")  # parses the header only; `Image.open` would add the bomb check
        width, height = img.size
    except (OSError, ValueError, SyntaxError, IndexError, TypeError):
        return None
    return int(width), int(height)


@dataclass(frozen=True)
class Attached:
    id: int
    sha256: str
    size: int
    media_type: str
    original_name: str
    new: bool


def _check_source(path: Path, max_size: int) -> int:
    try:
        info = os.lstat(path)
    except FileNotFoundError as exc:
        raise EvidenceRefused(f"{path}: no such file.") from exc
    except OSError as exc:
        raise EvidenceRefused(f"{path}: cannot be read ({exc.strerror}).") from exc
    if stat.S_ISLNK(info.st_mode):
        raise EvidenceRefused(f"{path}: is a symbolic link; add the file it points to instead.")
    if stat.S_ISDIR(info.st_mode):
        raise EvidenceRefused(f"{path}: is a folder, not a file.")
    if not stat.S_ISREG(info.st_mode):
        raise EvidenceRefused(f"{path}: is not a regular file.")
    if info.st_size == 0:
        raise EvidenceRefused(f"{path.name}: is empty; there is nothing to keep.")
    if info.st_size > max_size:
        raise EvidenceRefused(
            f"{path.name}: {info.st_size / 1_048_576:.0f} MB is over the evidence size limit of "
            f"{max_size / 1_048_576:.0f} MB."
        )
    return info.st_size


def attach_file(
    vault: Vault,
    path: Path,
    *,
    links: Iterable[tuple[str, int]] = (),
    caption: str = "",
    origin: str = "file",
    max_size: int = DEFAULT_MAX_SIZE,
) -> Attached:
    """Keep one file, in its own transaction (durable when this returns)."""
    links = _checked_links(links)
    prepared = _prepare(Path(path), max_size, thumbnail=False)
    return _keep(vault, prepared, links=links, caption=caption, origin=origin)


def attach_bytes(
    vault: Vault,
    data: bytes,
    name: str,
    *,
    links: Iterable[tuple[str, int]] = (),
    caption: str = "",
    origin: str = "paste",
    max_size: int = DEFAULT_MAX_SIZE,
) -> Attached:
    if not data:
        raise EvidenceRefused(f"{name}: is empty; there is nothing to keep.")
    if len(data) > max_size:
        raise EvidenceRefused(f"{name}: over the evidence size limit of {max_size / 1_048_576:.0f} MB.")
    links = _checked_links(links)
    if len(data) > WHOLE_FILE_MAX:
        return _store(vault, io.BytesIO(data), len(data), name, links=links, caption=caption, origin=origin)
    data = bytes(data)
    media_type, info = _describe(data)
    prepared = _Prepared(name, len(data), None, data, media_type, info, hashlib.sha256(data).hexdigest())
    return _keep(vault, prepared, links=links, caption=caption, origin=origin)


# -- many files at once ----------------------------------------------------------------------------------------
BATCH_BYTES = 64 * 1024 * 1024
"""A batch commits once it holds this much (or `BATCH_FILES` files): each commit is a durable `fsync`, so one per
file made attaching a folder of photos wait on the disk thousands of times; bounded, so the page cache holding the
open transaction stays within the app's 64 MB and a crash loses at most the batch being written."""
BATCH_FILES = 32
BATCH_CHECKPOINT_PAGES = 32_768
"""`wal_autocheckpoint` while a batch runs (128 MB of 4 KB pages, against SQLite's default of 1,000): the WAL is
folded into the vault file about every 128 MB instead of every ~4 MB, so far fewer `fsync`s of the vault file.
Restored when the batch ends; `Vault.lock` truncates the WAL as always."""
BULK_BYTES = 8 * 1024 * 1024
"""From this many bytes, attach in `bulk_writes` mode (each page written once, the disk writing while SQLCipher
encrypts); below it, switching journal modes (a few `fsync`s) would cost more than it saves."""

Progress = Callable[[int, int, str], None]


@dataclass
class BatchOutcome:
    """What `attach_files` did: the items kept (new or linked again), one line per file refused, and whether it
    stopped early because it was cancelled (what was kept before that stays kept)."""

    added: list[Attached] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    cancelled: bool = False


def attach_files(
    vault: Vault,
    paths: Iterable[Path],
    *,
    links: Iterable[tuple[str, int]] = (),
    caption: str = "",
    origin: str = "file",
    max_size: int = DEFAULT_MAX_SIZE,
    keep_going: bool = True,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    thumbnails: int = 0,
    batch_bytes: int = BATCH_BYTES,
    batch_files: int = BATCH_FILES,
) -> BatchOutcome:
    """Keep many files (a drop, a folder, `shopexit attach *.jpg`) in transactions of bounded size.

    Each file is all or nothing on its own (a savepoint), and the batch around it commits every `batch_bytes` /
    `batch_files`, so a crash or a kill leaves the vault holding whole files only: those of the batches committed
    before it. While this thread writes the vault, a second one reads, hashes, sniffs and (with `thumbnails`)
    makes the preview of the next few files (`_Prefetch`), so that work overlaps SQLCipher's encryption and the
    disk's `fsync`s. `progress(done, total, name)` is called before each file is stored; `cancelled()` is asked
    before each file, and a cancel commits what is already stored and stops. A refused file is recorded and the
    rest still kept; with `keep_going=False` it stops there instead (after committing the files before it).

    `thumbnails` previews are made on the way in, for the first images only (those a strip shows first): a
    preview costs ~30 ms of CPU for a 1280×960 photo, a minute for a drop of 2,000, which would make attaching
    wait on the previews instead of the disk. The rest are made when shown (`thumbnails.ensure_thumbnail`).
    """
    links = _checked_links(links)
    paths = [Path(p) for p in paths]
    outcome = BatchOutcome()
    conn = vault.conn
    mode = contextlib.ExitStack()
    if sum(map(_size_or_zero, paths)) >= BULK_BYTES:
        mode.enter_context(bulk_writes(conn, vault.path))
    previous = int(conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0])
    conn.execute(f"PRAGMA wal_autocheckpoint = {max(previous, BATCH_CHECKPOINT_PAGES)}")
    batch = contextlib.ExitStack()
    in_batch = False
    pending_files = pending_bytes = 0

    def commit() -> None:
        nonlocal in_batch, pending_files, pending_bytes
        batch.close()  # COMMIT (or RELEASE, inside a caller's transaction)
        in_batch, pending_files, pending_bytes = False, 0, 0

    prefetch = _Prefetch(paths, max_size, thumbnails)
    try:
        for n, prepared in enumerate(prefetch):
            if cancelled is not None and cancelled():
                outcome.cancelled = True
                break
            if progress is not None:
                progress(n, len(paths), prepared.name)
            try:
                if prepared.refused:
                    raise EvidenceRefused(prepared.refused)
                if in_batch and pending_bytes + prepared.size > batch_bytes:
                    commit()  # this file would make the batch too big
                if not in_batch:
                    batch.enter_context(vault.transaction())
                    in_batch = True
                item = _keep(vault, prepared, links=links, caption=caption, origin=origin)
            except EvidenceRefused as exc:
                outcome.refused.append(str(exc))
                if keep_going:
                    continue
                break
            outcome.added.append(item)
            pending_files += 1
            pending_bytes += item.size if item.new else 0
            if pending_files >= batch_files or pending_bytes >= batch_bytes:
                commit()
        commit()
    except BaseException:
        batch.__exit__(*sys.exc_info())  # ROLLBACK of the open batch only; earlier batches are committed
        raise
    finally:
        prefetch.close()
        with contextlib.suppress(sqlcipher.Error, VaultClosed):
            vault.conn.execute(f"PRAGMA wal_autocheckpoint = {previous}")
        mode.close()
    return outcome


def _size_or_zero(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # refused later, with its reason, when its turn comes


class _Prefetch:
    """Prepares files (`_prepare`) on a second thread, in order, at most `AHEAD` in waiting.

    Reading, SHA-256 and Pillow's decoding and encoding release the GIL, as SQLCipher does while it encrypts and
    writes, so on two cores they run side by side. Bounded: at most `AHEAD` files (≤ `WHOLE_FILE_MAX` each) wait.
    """

    AHEAD = 4

    def __init__(self, paths: list[Path], max_size: int, thumbnails: int) -> None:
        self._queue: queue.Queue[_Prepared | BaseException | None] = queue.Queue(maxsize=self.AHEAD)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(paths, max_size, thumbnails),
                                        name="evidence-prefetch", daemon=True)
        self._thread.start()

    def _run(self, paths: list[Path], max_size: int, thumbnails: int) -> None:
        try:
            for path in paths:
                if self._stop.is_set():
                    return
                prepared = _prepare(path, max_size, thumbnail=thumbnails > 0)
                thumbnails -= prepared.thumb is not None
                self._put(prepared)
        except BaseException as exc:  # handed over: the writing thread raises it and rolls its batch back
            self._put(exc)
            return
        self._put(None)

    def _put(self, item: _Prepared | BaseException | None) -> None:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def __iter__(self) -> Iterator[_Prepared]:
        while (item := self._queue.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item

    def close(self) -> None:
        self._stop.set()
        self._thread.join()


def _checked_links(links: Iterable[tuple[str, int]]) -> list[tuple[str, int]]:
    links = list(links)
    for kind, _ in links:
        if kind not in LINK_KINDS:
            raise EvidenceRefused(f"cannot link evidence to {kind!r}; kinds: {', '.join(sorted(LINK_KINDS))}.")
    return links


# -- storing one item ------------------------------------------------------------------------------------------
WHOLE_FILE_MAX = 16 * 1024 * 1024
"""Up to this size a file is read once into memory, hashed once and stored from there (photos, screenshots,
receipts: nearly everything); above it, it streams in 1 MB chunks, hashed on a first pass and checked again while
written, so a large video never sits whole in memory."""


@dataclass(frozen=True)
class _Prepared:
    """One file, made ready without the vault: checked, read whole (or marked to stream), hashed, described."""

    name: str
    size: int = 0
    path: Path | None = None
    data: bytes | None = None  # None: too big to hold whole, streams from `path` when kept
    media_type: str = ""
    info: ImageInfo = field(default_factory=ImageInfo)
    sha256: str = ""
    thumb: bytes | None = None
    refused: str = ""


def _prepare(path: Path, max_size: int, *, thumbnail: bool) -> _Prepared:
    """Checks, one read, the hash, the type, the image header and (when asked) the thumbnail of one file."""
    try:
        size = _check_source(path, max_size)
        if size > WHOLE_FILE_MAX:
            return _Prepared(path.name, size, path)
        try:
            with path.open("rb") as source:
                data = source.read(size + 1)
        except OSError as exc:
            raise EvidenceRefused(f"{path}: cannot be read ({exc.strerror or exc}).") from exc
        if len(data) != size:
            word = "grew" if len(data) > size else "changed"
            raise EvidenceRefused(f"{path.name}: the file {word} while it was being read; try again.")
    except EvidenceRefused as exc:
        return _Prepared(path.name, refused=str(exc))
    media_type, info = _describe(data)
    thumb = None
    if thumbnail and info.previewable and media_type.startswith("image/"):
        from shopexit.core.thumbnails import render_thumbnail

        thumb = render_thumbnail(data)
    return _Prepared(path.name, size, path, data, media_type, info, hashlib.sha256(data).hexdigest(), thumb)


def _describe(data: bytes) -> tuple[str, ImageInfo]:
    media_type = sniff_media_type(data[:4096])
    info = read_image_info(io.BytesIO(data), media_type) if media_type.startswith("image/") else ImageInfo()
    return media_type, info


_INSERT = ("INSERT INTO attachments(sha256, size, media_type, original_name, captured_at, captured_text,"
           " added_at, caption, width, height, previewable, origin, data) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,"
           " zeroblob(?))")


def _keep(vault: Vault, prepared: _Prepared, *, links: list[tuple[str, int]], caption: str,
          origin: str) -> Attached:
    """Store a prepared file (or link the identical bytes already kept), all or nothing.

    The bytes hashed are the bytes stored, as they sit in memory. They go in through the blob handle, one write
    of the whole, rather than as the INSERT's parameter, which SQLite would copy twice more into freshly
    allocated memory (the bound value, then the record).
    """
    if prepared.refused:
        raise EvidenceRefused(prepared.refused)
    if prepared.data is None:
        assert prepared.path is not None
        try:
            with prepared.path.open("rb") as source:
                return _store(vault, source, prepared.size, prepared.name, links=links, caption=caption,
                              origin=origin)
        except OSError as exc:
            raise EvidenceRefused(f"{prepared.path}: cannot be read ({exc.strerror or exc}).") from exc
    data, info, size = prepared.data, prepared.info, prepared.size
    with vault.transaction() as tx:
        row_id = _existing(tx, prepared.sha256)
        new = row_id is None
        if row_id is None:
            cur = tx.execute(_INSERT, (prepared.sha256, size, prepared.media_type, prepared.name, info.captured_at,
                                       info.captured_text, now_iso(), caption, info.width, info.height,
                                       int(info.previewable), origin, size))
            row_id = int(cur.lastrowid)
            with tx.open_blob("attachments", "data", row_id) as blob:
                blob.write(data)
            audit.append(tx, "add", "attachment", row_id, sha256=prepared.sha256, size=size,
                         media_type=prepared.media_type, origin=origin)
            if prepared.thumb is not None:
                tx.execute("INSERT OR REPLACE INTO attachment_thumbs(attachment_id, png) VALUES (?, ?)",
                           (row_id, prepared.thumb))
        for kind, target in links:
            link(tx, row_id, kind, target)
    return Attached(row_id, prepared.sha256, size, prepared.media_type, prepared.name, new)


def _existing(tx: Conn, sha: str) -> int | None:
    row = tx.execute("SELECT id FROM attachments WHERE sha256 = ?", (sha,)).fetchone()
    return None if row is None else int(row[0])


def _store(
    vault: Vault,
    source: BinaryIO,
    size: int,
    name: str,
    *,
    links: list[tuple[str, int]],
    caption: str,
    origin: str,
) -> Attached:
    """The streaming way, for what is too big to hold whole: bytes go in through SQLite's incremental blob I/O."""
    head = source.read(4096)
    media_type = sniff_media_type(head)
    info = ImageInfo()
    if media_type.startswith("image/"):
        source.seek(0)
        info = read_image_info(source, media_type)
    # Hash first, then write with the final SHA-256 in the row: setting it afterwards (an UPDATE) made SQLite
    # rewrite the whole row, blob included, and attaching ran at half the speed (bench/README.md). The second
    # pass hashes again, so a file that changes between the passes is refused, never stored under a wrong hash.
    sha = _sha256_of(source, size, name)
    with vault.transaction() as tx:
        row_id = _existing(tx, sha)
        new = row_id is None
        if row_id is None:
            cur = tx.execute(_INSERT,
                             (sha, size, media_type, name, info.captured_at, info.captured_text,
                              now_iso(), caption, info.width, info.height, int(info.previewable), origin, size))
            row_id = int(cur.lastrowid)
            digest = hashlib.sha256()
            source.seek(0)
            written = 0
            with tx.open_blob("attachments", "data", row_id) as blob:
                while chunk := source.read(_CHUNK):
                    if written + len(chunk) > size:
                        raise EvidenceRefused(f"{name}: the file grew while it was being read; try again.")
                    blob.write(chunk)
                    digest.update(chunk)
                    written += len(chunk)
            if written != size or digest.hexdigest() != sha:
                raise EvidenceRefused(f"{name}: the file changed while it was being read; try again.")
            audit.append(tx, "add", "attachment", row_id, sha256=sha, size=size, media_type=media_type,
                         origin=origin)
        for kind, target in links:
            link(tx, row_id, kind, target)
    return Attached(row_id, sha, size, media_type, name, new)


def _sha256_of(source: BinaryIO, size: int, name: str) -> str:
    """SHA-256 of exactly `size` bytes from the start of `source` (refused when the file is longer or shorter)."""
    source.seek(0)
    digest = hashlib.sha256()
    read = 0
    while chunk := source.read(_CHUNK):
        read += len(chunk)
        if read > size:
            raise EvidenceRefused(f"{name}: the file grew while it was being read; try again.")
        digest.update(chunk)
    if read != size:
        raise EvidenceRefused(f"{name}: the file changed while it was being read; try again.")
    return digest.hexdigest()


def link(conn: Conn, attachment_id: int, kind: str, target_id: int) -> bool:
    """Link evidence to a record or step; True when the link is new."""
    if kind not in LINK_KINDS:
        raise EvidenceRefused(f"cannot link evidence to {kind!r}.")
    cur = conn.execute(
        "INSERT OR IGNORE INTO attachment_links(attachment_id, target_kind, target_id, linked_at) VALUES (?,?,?,?)",
        (attachment_id, kind, target_id, now_iso()),
    )
    if cur.rowcount:
        audit.append(conn, "link", "attachment", attachment_id, target_kind=kind, target_id=target_id)
    return bool(cur.rowcount)


def read_bytes(conn: Conn, attachment_id: int) -> bytes:
    row = conn.execute("SELECT data FROM attachments WHERE id = ?", (attachment_id,)).fetchone()
    if row is None:
        raise EvidenceRefused(f"no evidence item {attachment_id}.")
    return bytes(row[0])


def iter_bytes(conn: Conn, attachment_id: int, chunk: int = _CHUNK) -> Iterable[bytes]:
    """Stream an item's bytes without loading it whole (for export and 'Save a copy')."""
    with conn.open_blob("attachments", "data", attachment_id, readonly=True) as blob:
        while data := blob.read(chunk):
            yield data


# -- reading and curating what is kept -------------------------------------------------------------------------
@dataclass(frozen=True)
class EvidenceItem:
    """Everything about one item except its bytes (those stream through `iter_bytes` when asked for)."""

    id: int
    sha256: str
    size: int
    media_type: str
    original_name: str
    captured_at: str | None
    captured_text: str | None
    added_at: str
    caption: str
    width: int | None
    height: int | None
    previewable: bool
    origin: str

    @property
    def is_image(self) -> bool:
        return self.media_type.startswith("image/")

    @property
    def is_pdf(self) -> bool:
        return self.media_type == "application/pdf"


_ITEM_COLUMNS = ("id, sha256, size, media_type, original_name, captured_at, captured_text, added_at, caption,"
                 " width, height, previewable, origin")


def _item(row: Any) -> EvidenceItem:
    (item_id, sha, size, media_type, name, captured_at, captured_text, added_at, caption, width, height,
     previewable, origin) = row
    return EvidenceItem(int(item_id), str(sha), int(size), str(media_type), str(name), captured_at, captured_text,
                        str(added_at), str(caption), width, height, bool(previewable), str(origin))


def get_item(conn: Conn, attachment_id: int) -> EvidenceItem:
    row = conn.execute(f"SELECT {_ITEM_COLUMNS} FROM attachments WHERE id = ?", (attachment_id,)).fetchone()
    if row is None:
        raise EvidenceRefused(f"no evidence item {attachment_id}.")
    return _item(row)


def items_for(conn: Conn, kind: str, target_id: int) -> list[EvidenceItem]:
    """The evidence linked to one record or step, oldest link first."""
    rows = conn.execute(
        f"SELECT {', '.join('a.' + c.strip() for c in _ITEM_COLUMNS.split(','))} FROM attachment_links l"
        " JOIN attachments a ON a.id = l.attachment_id WHERE l.target_kind = ? AND l.target_id = ?"
        " ORDER BY l.linked_at, a.id",
        (kind, target_id),
    ).fetchall()
    return [_item(r) for r in rows]


def links_of(conn: Conn, attachment_id: int) -> list[tuple[str, int]]:
    return [(str(k), int(t)) for k, t in conn.execute(
        "SELECT target_kind, target_id FROM attachment_links WHERE attachment_id = ? ORDER BY linked_at",
        (attachment_id,))]


def set_caption(vault: Vault, attachment_id: int, caption: str) -> None:
    with vault.transaction() as tx:
        cur = tx.execute("UPDATE attachments SET caption = ? WHERE id = ?", (caption.strip(), attachment_id))
        if not cur.rowcount:
            raise EvidenceRefused(f"no evidence item {attachment_id}.")
        audit.append(tx, "caption", "attachment", attachment_id, length=len(caption.strip()))


def unlink(vault: Vault, attachment_id: int, kind: str, target_id: int) -> bool:
    """Remove one link; the item itself stays (evidence is never deleted by unlinking)."""
    with vault.transaction() as tx:
        cur = tx.execute(
            "DELETE FROM attachment_links WHERE attachment_id = ? AND target_kind = ? AND target_id = ?",
            (attachment_id, kind, target_id))
        if cur.rowcount:
            audit.append(tx, "unlink", "attachment", attachment_id, target_kind=kind, target_id=target_id)
        return bool(cur.rowcount)


def save_copy(conn: Conn, attachment_id: int, dest: Path) -> int:
    """Write one item's original bytes to a file the user chose ("Save a copy…"); returns the size.

    Streams through a `.partial` name and renames, so an interrupted copy never looks complete, and checks
    the SHA-256 on the way out, so the copy is provably the item that was kept.
    """
    item = get_item(conn, attachment_id)
    dest = Path(dest)
    partial = dest.with_name(dest.name + ".partial")
    digest = hashlib.sha256()
    written = 0
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            for chunk in iter_bytes(conn, attachment_id):
                out.write(chunk)
                digest.update(chunk)
                written += len(chunk)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != item.sha256:
            raise EvidenceRefused(f"evidence item {attachment_id} does not match its SHA-256; run `shopexit doctor`.")
        os.replace(partial, dest)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise EvidenceRefused(f"{dest}: cannot be written ({exc.strerror or exc}).") from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return written
