"""Evidence from the GUI: paste (Ctrl+V), the file dialog with the size limit, previews from memory, bombs never
decoded, "Save a copy…", screen capture."""

from __future__ import annotations

import hashlib
import resource
from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QColor, QGuiApplication, QImage
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from shopexit.core import evidence
from shopexit.core.vault import Vault
from shopexit.gui.evidence import add_evidence_dialog, capture_screen, png_bytes
from shopexit.gui.evidence.preview import EvidencePreview, decode_image, suggested_name
from shopexit.gui.records.evidence import EvidencePage
from shopexit.gui.records.orders import OrdersPage
from tests.gui.records.conftest import MakeCtx, ask, drag, settle, shown_strip
from tests.helpers.records import add_order, bomb_png, minimal_pdf
from tests.helpers.records import png_bytes as pil_png


def _screenshot() -> QImage:
    image = QImage(320, 200, QImage.Format.Format_RGB32)
    image.fill(QColor("#f3f4f6"))
    for x in range(40, 280):
        for y in range(60, 90):
            image.setPixelColor(x, y, QColor("#fe2c55"))
    return image


def test_ctrl_v_keeps_the_clipboard_image_as_png_with_its_hash(qtbot: QtBot, make_ctx: MakeCtx) -> None:
    ctx, ref = make_ctx(lambda vault: add_order(vault, "576457646075230001", recipient="Marisol Vega"))
    page = OrdersPage(ctx)
    qtbot.addWidget(page)
    page.show()
    page.activateWindow()
    qtbot.waitUntil(lambda: page.current_id == ref and page.detail_data is not None, timeout=20_000)
    settle(qtbot, ctx)
    shot = _screenshot()
    QGuiApplication.clipboard().setImage(shot)
    page.table.setFocus()
    qtbot.waitUntil(page.table.hasFocus)
    qtbot.keyClick(page.table, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, ctx)

    items = ask(qtbot, ctx, lambda vault: evidence.items_for(vault.conn, "order", ref))
    assert len(items) == 1
    item = items[0]
    stored = ask(qtbot, ctx, lambda vault: evidence.read_bytes(vault.conn, item.id))
    assert item.media_type == "image/png" and item.origin == "paste" and item.original_name.startswith("Pasted image")
    assert item.sha256 == hashlib.sha256(stored).hexdigest() == hashlib.sha256(png_bytes(shot)).hexdigest()
    assert item.size == len(stored) and (item.width, item.height) == (320, 200) and item.previewable
    back = QImage.fromData(stored)
    assert back.convertToFormat(QImage.Format.Format_RGB32) == shot  # lossless: every pixel kept
    qtbot.waitUntil(lambda: [i.id for i in page.evidence.items] == [item.id], timeout=10_000)
    assert ask(qtbot, ctx, lambda vault: vault.conn.execute(
        "SELECT count(*) FROM attachment_thumbs WHERE attachment_id = ?", (item.id,)).fetchone()[0]) == 1


def test_paste_with_nothing_useful_on_the_clipboard_says_so(qtbot: QtBot, make_ctx: MakeCtx) -> None:
    ctx, _ = make_ctx()
    page = EvidencePage(ctx)
    qtbot.addWidget(page)
    page.show()
    settle(qtbot, ctx)
    QGuiApplication.clipboard().setText("just words")
    ctx.dialogs.next_answers.append(None)  # answers the "Nothing to paste" message
    page.paste()
    assert not ctx.dialogs.next_answers
    settle(qtbot, ctx)
    assert ask(qtbot, ctx, lambda vault: vault.conn.execute("SELECT count(*) FROM attachments").fetchone()[0]) == 0


def test_file_dialog_keeps_files_and_refuses_what_is_over_the_limit(
    qtbot: QtBot, make_ctx: MakeCtx, tmp_path: Path
) -> None:
    ctx, _ = make_ctx()
    ctx.settings.max_evidence_mb = 1
    small, big = tmp_path / "photo.png", tmp_path / "video.mp4"
    small.write_bytes(pil_png(64, 48))
    big.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * (2 * 1024 * 1024))
    widget = QWidget()
    qtbot.addWidget(widget)
    warned: list[str] = []
    ctx.dialogs.warn = lambda _parent, _title, text: warned.append(text)  # type: ignore[method-assign]
    ctx.dialogs.next_answers.append([str(small), str(big)])
    kept: list[list[int]] = []
    add_evidence_dialog(ctx, widget, [("step", 3)], on_done=kept.append)
    settle(qtbot, ctx)
    assert len(kept) == 1 and len(kept[0]) == 1
    assert warned == ["1 kept. video.mp4: 2 MB is over the evidence size limit of 1 MB."]
    linked = ask(qtbot, ctx, lambda vault: evidence.items_for(vault.conn, "step", 3))
    assert [i.original_name for i in linked] == ["photo.png"]


def test_a_decompression_bomb_is_shown_as_a_message_and_never_decoded(
    qtbot: QtBot, make_ctx: MakeCtx, tmp_path: Path
) -> None:
    ctx, _ = make_ctx()
    page = EvidencePage(ctx)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    settle(qtbot, ctx)
    bomb = tmp_path / "screenshot.png"
    bomb.write_bytes(bomb_png(40_000, 40_000))
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(bomb))])
    assert drag(page.table.viewport(), QPoint(50, 50), mime) == (True, True)
    qtbot.waitUntil(lambda: page.item is not None and page.item.original_name == "screenshot.png", timeout=20_000)
    settle(qtbot, ctx)
    assert page.preview.showing == "message"
    assert "40,000 × 40,000 pixels: too large to preview safely" in page.preview.message.text()
    assert not page.item.previewable and page.item.width == 40_000
    assert page.facts.values()["Pixels"] == "40,000 × 40,000"
    # the image decoder itself refuses it too, if anything ever asked
    assert decode_image(bomb.read_bytes()).isNull()
    grew_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    assert grew_mb < 100, f"memory grew {grew_mb:.0f} MB; decoding would need ~6,400 MB"


def test_pdf_and_image_previews_come_from_memory(qtbot: QtBot, make_ctx: MakeCtx) -> None:
    def seed(vault: Vault) -> tuple[int, int, int]:
        pdf = evidence.attach_bytes(vault, minimal_pdf("Shipping receipt"), "receipt.png").id  # lies: a PDF
        img = evidence.attach_bytes(vault, pil_png(1600, 1200, (20, 120, 200)), "parcel.png").id
        other = evidence.attach_bytes(vault, b"id,amount\n1,2\n", "export.csv").id
        return pdf, img, other

    ctx, (pdf_id, img_id, csv_id) = make_ctx(seed)
    preview = EvidencePreview(ctx)
    qtbot.addWidget(preview)
    preview.resize(600, 500)
    preview.show()
    pdf_item = ask(qtbot, ctx, lambda vault: evidence.get_item(vault.conn, pdf_id))
    preview.show_item(pdf_item)
    qtbot.waitUntil(lambda: preview.showing == "pdf", timeout=20_000)
    assert preview.pdf.pageCount() == 1
    assert suggested_name(pdf_item) == "receipt.pdf"  # "Save a copy" names it for what it is

    preview.show_item(ask(qtbot, ctx, lambda vault: evidence.get_item(vault.conn, img_id)))
    qtbot.waitUntil(lambda: preview.showing == "image", timeout=20_000)
    assert preview.pdf.pageCount() == 0  # the PDF was dropped from memory
    pixmap = preview.image_view._label.pixmap()
    assert not pixmap.isNull() and pixmap.width() <= 600

    preview.show_item(ask(qtbot, ctx, lambda vault: evidence.get_item(vault.conn, csv_id)))
    assert preview.showing == "message" and "no preview" in preview.message.text()
    preview.clear()
    assert preview.showing == "message" and preview.item is None


def test_save_a_copy_writes_the_original_bytes_where_the_user_says(
    qtbot: QtBot, make_ctx: MakeCtx, tmp_path: Path
) -> None:
    data = minimal_pdf("Receipt 42")
    ctx, item_id = make_ctx(lambda vault: evidence.attach_bytes(vault, data, "receipt.pdf").id)
    page = EvidencePage(ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.item is not None and page.item.id == item_id, timeout=20_000)
    dest = tmp_path / "out" / "receipt-copy.pdf"
    dest.parent.mkdir()
    ctx.dialogs.next_answers.extend([str(dest), None])  # the save dialog, then the "Copy saved" message
    page.save_copy()
    settle(qtbot, ctx)
    assert dest.read_bytes() == data
    assert not ctx.dialogs.next_answers


def test_evidence_strip_takes_drops_and_lists_thumbnails(qtbot: QtBot, make_ctx: MakeCtx, tmp_path: Path) -> None:
    ctx, ref = make_ctx(lambda vault: add_order(vault, "1"))
    strip = shown_strip(qtbot, ctx, "order", ref)
    assert strip.empty.isVisible() and not strip.list.isVisible()
    photo = tmp_path / "parcel.png"
    photo.write_bytes(pil_png(800, 600))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(photo))])
    with qtbot.waitSignal(strip.changed, timeout=20_000):
        assert drag(strip.empty, QPoint(10, 10), mime) == (True, True)
    qtbot.waitUntil(lambda: len(strip.items) == 1, timeout=20_000)
    assert strip.list.isVisible() and strip.heading.text() == "Evidence (1)"
    icon = strip.list.item(0).icon()  # type: ignore[union-attr]
    assert not icon.isNull()


def test_capture_screen_hides_the_window_grabs_and_comes_back(qtbot: QtBot, make_ctx: MakeCtx) -> None:
    ctx, ref = make_ctx(lambda vault: add_order(vault, "1"))
    window = QWidget()
    qtbot.addWidget(window)
    window.resize(400, 300)
    window.show()
    kept: list[list[int]] = []
    warned: list[str] = []
    ctx.dialogs.warn = lambda _p, _t, text: warned.append(text)  # type: ignore[method-assign]
    capture_screen(ctx, window, [("order", ref)], on_done=kept.append, delay_ms=50)
    assert not window.isVisible()  # out of the way while the screen is grabbed
    qtbot.waitUntil(window.isVisible, timeout=5_000)
    settle(qtbot, ctx)
    if warned:  # a platform that forbids screen capture (Wayland, some CI) gets a clear message instead
        assert "did not allow" in warned[0]
        return
    assert len(kept) == 1
    items = ask(qtbot, ctx, lambda vault: evidence.items_for(vault.conn, "order", ref))
    assert [(i.origin, i.media_type) for i in items] == [("screen", "image/png")]
