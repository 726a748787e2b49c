"""Evidence: real type from content, decompression bombs kept but never decoded, thumbnails, copies, limits."""

from __future__ import annotations

import hashlib
import io
import resource
import tracemalloc
from pathlib import Path

import pytest
from PIL import Image

from shopexit.core import evidence, thumbnails
from shopexit.core.audit import verify_chain
from shopexit.core.errors import EvidenceRefused
from shopexit.core.vault import Vault
from tests.helpers.records import add_order, bomb_png, minimal_pdf, png_bytes


def test_a_png_named_file_that_is_a_pdf_is_stored_as_a_pdf(vault: Vault, tmp_path: Path) -> None:
    pdf = minimal_pdf("Shipping receipt")
    liar = tmp_path / "receipt.png"
    liar.write_bytes(pdf)
    order = add_order(vault, "576457646075230001")
    item = evidence.attach_file(vault, liar, links=[("order", order)])
    assert item.media_type == "application/pdf"
    kept = evidence.get_item(vault.conn, item.id)
    assert (kept.media_type, kept.original_name, kept.size) == ("application/pdf", "receipt.png", len(pdf))
    assert kept.is_pdf and not kept.previewable
    assert kept.sha256 == hashlib.sha256(pdf).hexdigest()
    assert evidence.read_bytes(vault.conn, item.id) == pdf
    assert thumbnails.ensure_thumbnail(vault, item.id) is None  # a PDF gets no Pillow thumbnail


def test_a_decompression_bomb_is_kept_without_decoding(vault: Vault) -> None:
    bomb = bomb_png(40_000, 40_000)
    assert len(bomb) < 200
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    tracemalloc.start()
    try:
        item = evidence.attach_bytes(vault, bomb, "screenshot.png")
        assert thumbnails.ensure_thumbnail(vault, item.id) is None
        assert thumbnails.render_thumbnail(bomb) is None
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    rss_growth_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    kept = evidence.get_item(vault.conn, item.id)
    assert kept.media_type == "image/png"
    assert (kept.width, kept.height) == (40_000, 40_000)  # the declared size, read from the header only
    assert not kept.previewable
    assert evidence.read_bytes(vault.conn, item.id) == bomb  # original bytes kept whole
    assert vault.conn.execute("SELECT count(*) FROM attachment_thumbs").fetchone()[0] == 0
    assert peak < 5 * 1024 * 1024, f"Python allocations peaked at {peak / 1e6:.1f} MB"
    assert rss_growth_mb < 50, f"resident memory grew {rss_growth_mb:.0f} MB (decoding would need ~6,400 MB)"


def test_a_previewable_image_gets_a_small_thumbnail_in_the_vault(vault: Vault) -> None:
    photo = io.BytesIO()
    img = Image.new("RGB", (1200, 800), (10, 120, 200))
    exif = Image.Exif()
    exif[0x0132] = "2026:05:02 14:30:00"
    img.save(photo, "JPEG", exif=exif)
    item = evidence.attach_bytes(vault, photo.getvalue(), "parcel.jpg", origin="file")
    kept = evidence.get_item(vault.conn, item.id)
    assert (kept.media_type, kept.width, kept.height, kept.previewable) == ("image/jpeg", 1200, 800, True)
    assert kept.captured_text == "2026:05:02 14:30:00" and kept.captured_at
    png = thumbnails.ensure_thumbnail(vault, item.id)
    assert png is not None and png.startswith(b"\x89PNG")
    with Image.open(io.BytesIO(png)) as thumb:
        assert thumb.size == (256, 171)
    assert thumbnails.thumbnail(vault.conn, item.id) == png  # stored, not remade


def test_size_limit_gives_a_clear_message_and_keeps_nothing(vault: Vault, tmp_path: Path) -> None:
    big = tmp_path / "video.mp4"
    big.write_bytes(b"\x00" * (3 * 1024 * 1024))
    with pytest.raises(EvidenceRefused, match=r"video.mp4: 3 MB is over the evidence size limit of 2 MB"):
        evidence.attach_file(vault, big, max_size=2 * 1024 * 1024)
    with pytest.raises(EvidenceRefused, match="over the evidence size limit of 1 MB"):
        evidence.attach_bytes(vault, b"\x00" * (1024 * 1024 + 1), "paste.png", max_size=1024 * 1024)
    assert vault.conn.execute("SELECT count(*) FROM attachments").fetchone()[0] == 0


def test_save_a_copy_caption_links_and_unlink(vault: Vault, tmp_path: Path) -> None:
    data = png_bytes(40, 30)
    order = add_order(vault, "1")
    item = evidence.attach_bytes(vault, data, "chat.png", links=[("order", order), ("step", 3)])
    again = evidence.attach_bytes(vault, data, "same.png", links=[("case", 0)])
    assert again.id == item.id and not again.new  # same bytes stored once
    assert sorted(evidence.links_of(vault.conn, item.id)) == [("case", 0), ("order", order), ("step", 3)]
    assert [i.id for i in evidence.items_for(vault.conn, "order", order)] == [item.id]
    evidence.set_caption(vault, item.id, "Buyer confirms receipt")
    assert evidence.get_item(vault.conn, item.id).caption == "Buyer confirms receipt"
    assert evidence.unlink(vault, item.id, "step", 3)
    assert not evidence.unlink(vault, item.id, "step", 3)
    dest = tmp_path / "out" / "chat-copy.png"
    dest.parent.mkdir()
    assert evidence.save_copy(vault.conn, item.id, dest) == len(data)
    assert dest.read_bytes() == data
    assert not list(dest.parent.glob("*.partial"))
    with pytest.raises(EvidenceRefused, match="cannot be written"):
        evidence.save_copy(vault.conn, item.id, tmp_path / "missing-folder" / "x.png")
    assert verify_chain(vault.conn).ok
