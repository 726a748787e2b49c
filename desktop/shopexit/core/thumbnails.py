"""Small PNG previews of image evidence, kept in the vault (`attachment_thumbs`) beside the original.

Made only for items whose `previewable` flag was set when they were stored (declared size within
`evidence.MAX_PREVIEW_PIXELS`), so a decompression bomb is never decoded — not here, not anywhere. JPEGs are
decoded at a reduced scale (`draft`), so a 50-megapixel photo costs a few megabytes, not two hundred.
Thumbnails live inside the encrypted vault: no cache folder holds pictures of the user's records.
"""

from __future__ import annotations

import io

from shopexit.core.evidence import MAX_PREVIEW_PIXELS, get_item, read_bytes
from shopexit.core.vault import Conn, Vault

THUMB_SIZE = 256


def thumbnail(conn: Conn, attachment_id: int) -> bytes | None:
    """The stored thumbnail, or None when there is none (yet, or ever)."""
    row = conn.execute("SELECT png FROM attachment_thumbs WHERE attachment_id = ?", (attachment_id,)).fetchone()
    return bytes(row[0]) if row else None


def render_thumbnail(data: bytes | memoryview, size: int = THUMB_SIZE) -> bytes | None:
    """PNG bytes at most `size` pixels on the long side, or None when the image cannot be read.

    Made for every photo of a drop, so it is kept cheap (bench/README.md, *Attach*): a JPEG is decoded at the
    smallest of 1/2, 1/4, 1/8 scale that still covers the thumbnail (asked with the image's own aspect ratio;
    a square request kept a 4:3 photo at 1/2 scale), and the PNG is compressed at zlib's fastest level (for a
    256-pixel photo ~15% larger than with Pillow's `optimize`, at a third of the time).
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as source:
            width, height = source.size
            if width * height > MAX_PREVIEW_PIXELS or not width or not height:
                return None
            scale = size / max(width, height)
            if scale < 1:  # JPEG: decode at reduced scale; other formats ignore it
                source.draft("RGB", (max(1, round(width * scale)), max(1, round(height * scale))))
            source.load()
            img: Image.Image = ImageOps.exif_transpose(source)
            if img.mode not in ("RGB", "RGBA"):
                img = img.convert("RGBA" if "A" in img.getbands() or img.mode == "P" else "RGB")
            img.thumbnail((size, size))
            out = io.BytesIO()
            img.save(out, "PNG", compress_level=1)
    except (Image.DecompressionBombError, UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None
    return out.getvalue()


def ensure_thumbnail(vault: Vault, attachment_id: int) -> bytes | None:
    """The thumbnail, made and stored now if the item is previewable and has none yet."""
    existing = thumbnail(vault.conn, attachment_id)
    if existing is not None:
        return existing
    item = get_item(vault.conn, attachment_id)
    if not (item.previewable and item.is_image):
        return None
    png = render_thumbnail(read_bytes(vault.conn, attachment_id))
    if png is None:
        return None
    with vault.transaction() as tx:
        tx.execute("INSERT OR REPLACE INTO attachment_thumbs(attachment_id, png) VALUES (?, ?)", (attachment_id, png))
    return png
