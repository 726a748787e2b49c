"""Show an evidence item inside the app: images and PDFs, from memory, never from a decrypted copy on disk.

Opening an attachment in another program would mean writing it out in plaintext (a known way password managers
leaked files); here the bytes travel from the vault thread to a `QBuffer`, and from there to `QImageReader` or
`QPdfDocument`. Images whose declared size could exhaust memory (the `previewable` flag is false) are never
decoded: the pane says so instead. Large photos are decoded at screen size (`setScaledSize`).
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt
from PySide6.QtGui import QImage, QImageReader, QPixmap, QResizeEvent
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from shopexit.core import evidence
from shopexit.core.evidence import EvidenceItem
from shopexit.core.records.browse import human_size
from shopexit.core.vault import Vault
from shopexit.gui.context import GuiContext
from shopexit.gui.worker import Progress

MAX_DECODE_SIDE = 2400
"""Decode large images no bigger than this on their long side (JPEGs decode scaled, cheaply)."""
ALLOCATION_LIMIT_MB = 256


def can_preview(item: EvidenceItem) -> bool:
    return (item.is_image and item.previewable) or item.is_pdf


def decode_image(data: bytes, max_side: int = MAX_DECODE_SIDE) -> QImage:
    """Decode in memory, scaled down on decode when large; a null image when it cannot be read safely."""
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    reader.setAllocationLimit(ALLOCATION_LIMIT_MB)
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid() and max(size.width(), size.height()) > max_side:
        reader.setScaledSize(size.scaled(QSize(max_side, max_side), Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    buffer.close()
    return image


class _ImageView(QScrollArea):
    """An image fitted to the pane's width, never enlarged beyond its own size."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._image = QImage()
        self._label = QLabel()
        self._label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWidget(self._label)
        self.setWidgetResizable(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)

    def set_image(self, image: QImage) -> None:
        self._image = image
        self._fit()

    def clear(self) -> None:
        self._image = QImage()
        self._label.clear()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        if self._image.isNull():
            self._label.clear()
            return
        area = self.viewport().size() - QSize(4, 4)
        size = self._image.size()
        if size.width() > area.width() or size.height() > area.height():
            size = size.scaled(area, Qt.AspectRatioMode.KeepAspectRatio)
        self._label.setPixmap(QPixmap.fromImage(self._image).scaled(
            size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))


class EvidencePreview(QWidget):
    """Image or PDF preview of one item, loaded on the vault thread; a plain message for anything else."""

    def __init__(self, ctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._generation = 0
        self._buffer: QBuffer | None = None
        self.item: EvidenceItem | None = None
        self.stack = QStackedWidget(self)
        self.message = QLabel()
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setObjectName("previewMessage")
        self.image_view = _ImageView()
        self.pdf = QPdfDocument(self)
        self.pdf_view = QPdfView()
        self.pdf_view.setDocument(self.pdf)
        self.pdf_view.setPageMode(QPdfView.PageMode.MultiPage)
        self.pdf_view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        for widget in (self.message, self.image_view, self.pdf_view):
            self.stack.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._say("Choose an item to see it here.")

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.stack.setCurrentWidget(self.message)

    def show_item(self, item: EvidenceItem | None) -> None:
        self.clear()
        self.item = item
        if item is None:
            self._say("Choose an item to see it here.")
            return
        if item.is_image and not item.previewable:
            dims = f"{item.width:,} × {item.height:,} pixels" if item.width and item.height else "of unknown size"
            self._say(f"This image is {dims}: too large to preview safely. It is kept whole; "
                      "use “Save a copy…” to open it elsewhere.")
            return
        if not can_preview(item):
            self._say(f"{item.media_type} ({human_size(item.size)}) has no preview here. "
                      "Use “Save a copy…” to open it in another program.")
            return
        self._say("Loading…")
        generation, item_id = self._generation, item.id

        def job(vault: Vault, _progress: Progress) -> bytes:
            return evidence.read_bytes(vault.conn, item_id)

        self.ctx.vaults.submit(job, on_done=lambda data: self._loaded(generation, item, data),
                               on_error=lambda msg: self._say(msg) if generation == self._generation else None)

    def _loaded(self, generation: int, item: EvidenceItem, data: bytes) -> None:
        if generation != self._generation:
            return
        if item.is_pdf:
            self._buffer = QBuffer(self)
            self._buffer.setData(QByteArray(data))
            self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
            self.pdf.load(self._buffer)
            if self.pdf.status() == QPdfDocument.Status.Error or self.pdf.pageCount() == 0:
                self.clear()
                self._say("This PDF could not be read for a preview. It is kept whole; “Save a copy…” exports it.")
                return
            self.stack.setCurrentWidget(self.pdf_view)
            return
        image = decode_image(data)
        if image.isNull():
            self._say("This image could not be decoded for a preview. It is kept whole.")
            return
        self.image_view.set_image(image)
        self.stack.setCurrentWidget(self.image_view)

    def clear(self) -> None:
        """Forget the shown item and every decoded byte of it (also part of locking)."""
        self._generation += 1
        self.item = None
        self.image_view.clear()
        self.pdf.close()
        if self._buffer is not None:
            self._buffer.close()
            self._buffer.setData(QByteArray())
            self._buffer.deleteLater()
            self._buffer = None
        self._say("Choose an item to see it here.")

    @property
    def showing(self) -> str:
        """'image', 'pdf' or 'message' — what the pane shows now."""
        current = self.stack.currentWidget()
        return "image" if current is self.image_view else "pdf" if current is self.pdf_view else "message"


def suggested_name(item: EvidenceItem) -> str:
    """The original name, with the extension of what the file really is when the name lied."""
    import mimetypes

    name = item.original_name or f"evidence-{item.id}"
    real = mimetypes.guess_extension(item.media_type) or ""
    if real == ".jpe":
        real = ".jpg"
    guessed = mimetypes.guess_type(name)[0]
    if real and guessed != item.media_type:
        stem = name.rsplit(".", 1)[0] if "." in name else name
        return stem + real
    return name


def save_copy_dialog(ctx: GuiContext, parent: QWidget | None, item: EvidenceItem) -> None:
    """"Save a copy…": the one way an item leaves the vault, and only where the user says."""
    dest = ctx.dialogs.save_file(parent, "Save a copy", suggested_name(item))
    if dest is None:
        return
    item_id = item.id
    ctx.vaults.submit(lambda vault, _p: evidence.save_copy(vault.conn, item_id, dest),
                      on_done=lambda size: ctx.dialogs.info(parent, "Copy saved",
                                                            f"Saved {human_size(int(size))} to {dest}."),
                      on_error=lambda msg: ctx.dialogs.warn(parent, "Copy not saved", msg))


class EvidenceViewer(QDialog):
    """One item, full size, with its facts and "Save a copy…" (opened from any record's evidence list)."""

    def __init__(self, ctx: GuiContext, item: EvidenceItem, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.item = item
        self.setWindowTitle(item.original_name)
        self.resize(900, 700)
        self.preview = EvidencePreview(ctx, self)
        facts = QFormLayout()
        facts.addRow("Type", QLabel(f"{item.media_type}, {human_size(item.size)}"))
        sha = QLabel(item.sha256)
        sha.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        facts.addRow("SHA-256", sha)
        if item.caption:
            facts.addRow("Caption", QLabel(item.caption))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        save = buttons.addButton("Save a copy…", QDialogButtonBox.ButtonRole.ActionRole)
        save.clicked.connect(lambda: save_copy_dialog(ctx, self, item))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.preview, 1)
        layout.addLayout(facts)
        layout.addWidget(buttons)
        self.preview.show_item(item)

    def done(self, result: int) -> None:
        self.preview.clear()
        super().done(result)
