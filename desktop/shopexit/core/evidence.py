"""Evidence: files kept byte for byte with what a dispute needs to trust them (SHA-256, size, real type,
original name, when captured, when added).

Bytes stream into the vault through SQLite's incremental blob I/O, so a large video never sits whole in
memory, and never pass through a temporary file. Identical bytes are stored once and simply linked again.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from shopexit.core import audit
from shopexit.core.errors import EvidenceRefused
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
    path = Path(path)
    size = _check_source(path, max_size)
    try:
        with path.open("rb") as source:
            return _store(vault, source, size, path.name, links=links, caption=caption, origin=origin)
    except OSError as exc:
        raise EvidenceRefused(f"{path}: cannot be read ({exc.strerror or exc}).") from exc


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
    return _store(vault, io.BytesIO(data), len(data), name, links=links, caption=caption, origin=origin)


def _store(
    vault: Vault,
    source: BinaryIO,
    size: int,
    name: str,
    *,
    links: Iterable[tuple[str, int]],
    caption: str,
    origin: str,
) -> Attached:
    links = list(links)
    for kind, _ in links:
        if kind not in LINK_KINDS:
            raise EvidenceRefused(f"cannot link evidence to {kind!r}; kinds: {', '.join(sorted(LINK_KINDS))}.")
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
        existing = tx.execute("SELECT id FROM attachments WHERE sha256 = ?", (sha,)).fetchone()
        new = existing is None
        if existing:
            row_id = int(existing[0])  # the same bytes are kept already: link them again, write nothing
        else:
            cur = tx.execute(
                "INSERT INTO attachments(sha256, size, media_type, original_name, captured_at, captured_text,"
                " added_at, caption, width, height, previewable, origin, data)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?, zeroblob(?))",
                (sha, size, media_type, name, info.captured_at, info.captured_text,
                 now_iso(), caption, info.width, info.height, int(info.previewable), origin, size),
            )
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
