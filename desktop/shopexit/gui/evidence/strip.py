"""The evidence linked to one record, as thumbnails, with Add / Paste / drop — for any detail pane or step page.

Usage: `strip = EvidenceStrip(ctx); strip.set_target("order", 42, attachments)`, where `attachments` is a
`browse.Attachments` read on the vault thread (or call `strip.reload()` to have it read them itself).
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QImage, QPainter, QPixmap
from PySide6.QtWidgets import (
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from shopexit.core import evidence, thumbnails
from shopexit.core.evidence import EvidenceItem
from shopexit.core.records import browse
from shopexit.core.vault import Vault
from shopexit.gui.context import GuiContext
from shopexit.gui.evidence import add_evidence_dialog, capture_screen, install_evidence_drop, install_paste
from shopexit.gui.evidence.preview import EvidenceViewer, save_copy_dialog
from shopexit.gui.layouts import WrapRow
from shopexit.gui.worker import Progress

ICON = 96
THUMBS_PER_JOB = 16
ITEM_ROLE = Qt.ItemDataRole.UserRole + 10


def type_icon(item: EvidenceItem, size: int = ICON) -> QIcon:
    """A plain tile naming the file type, for items without a thumbnail."""
    import mimetypes

    ext = (mimetypes.guess_extension(item.media_type) or ".file").lstrip(".").upper()[:4]
    if item.media_type == "application/pdf":
        ext, color = "PDF", QColor("#c0392b")
    elif item.is_image:
        ext, color = ext or "IMG", QColor("#2d6a8f")
    else:
        color = QColor("#5b6770")
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor("#f3f4f6"))
    painter.setPen(QColor("#c9ced6"))
    painter.drawRoundedRect(8, 4, size - 16, size - 8, 6, 6)
    painter.setBrush(color)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawRoundedRect(14, size // 2 - 12, size - 28, 24, 4, 4)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(13)
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(14, size // 2 - 12, size - 28, 24, Qt.AlignmentFlag.AlignCenter, ext)
    painter.end()
    return QIcon(pixmap)


def thumb_icon(item: EvidenceItem, png: bytes | None) -> QIcon:
    if png:
        image = QImage.fromData(png)
        if not image.isNull():
            return QIcon(QPixmap.fromImage(image))
    return type_icon(item)


class EvidenceStrip(QWidget):
    """Thumbnails of a record's evidence, and the ways to add more to it."""

    changed = Signal()
    """Evidence was added to or removed from this record."""

    def __init__(self, ctx: GuiContext, parent: QWidget | None = None, *, title: str = "Evidence") -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._title = title
        self.target: tuple[str, int] | None = None
        self.items: list[EvidenceItem] = []
        self.heading = QLabel(title)
        self.heading.setObjectName("sectionHeading")
        self.heading.setIndent(0)
        self.add_button = QPushButton("Add files…")
        self.add_button.setToolTip("Choose files to keep as evidence for this record")
        self.paste_button = QPushButton("Paste")
        self.paste_button.setToolTip("Keep the picture or files on the clipboard (Ctrl+V)")
        self.capture_button = QPushButton("Capture screen")
        self.capture_button.setToolTip("Hide shopexit, take a picture of the screen, and keep it here")
        for button in (self.add_button, self.paste_button, self.capture_button):
            button.setAutoDefault(False)
        self.list = QListWidget()
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setIconSize(QSize(ICON, ICON))
        self.list.setGridSize(QSize(ICON + 28, ICON + 36))
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setMovement(QListView.Movement.Static)
        self.list.setWordWrap(True)
        self.list.setFixedHeight(ICON + 48)
        self.list.setAccessibleName(f"{title} for this record")
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.itemActivated.connect(self._open)
        self.list.customContextMenuRequested.connect(self._menu)
        self.empty = QLabel("No evidence yet: drop files here, paste a screenshot (Ctrl+V), or use the buttons above.")
        self.empty.setObjectName("emptyHint")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setMinimumHeight(56)

        top = WrapRow().add_leading(self.heading).add_trailing(self.add_button, self.paste_button,
                                                               self.capture_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.list)
        layout.addWidget(self.empty)

        self.add_button.clicked.connect(self._add)
        self.paste_button.clicked.connect(self._paste)
        self.capture_button.clicked.connect(self._capture)
        for widget in (self, self.list.viewport(), self.empty):
            install_evidence_drop(ctx, widget, self._links_at, on_done=self._after_add)
        install_paste(ctx, self, self._links, on_done=self._after_add)
        self._show_items()

    # -- target ------------------------------------------------------------------------------------------------
    def _links(self) -> list[tuple[str, int]] | None:
        return [self.target] if self.target else None

    def _links_at(self, _pos: object) -> list[tuple[str, int]] | None:
        return self._links()

    def set_target(self, kind: str, target_id: int, attachments: browse.Attachments | None = None) -> None:
        self.target = (kind, target_id)
        self.setEnabled(True)
        if attachments is None:
            self.reload()
        else:
            self.set_items(attachments)

    def clear(self) -> None:
        self.target = None
        self.items = []
        self.list.clear()
        self._show_items()

    def reload(self) -> None:
        if self.target is None:
            return
        kind, target_id = self.target

        def job(vault: Vault, _p: Progress) -> browse.Attachments:
            return browse.attachments(vault.conn, kind, target_id)

        self.ctx.vaults.submit(job, on_done=lambda att: self.set_items(att) if self.target == (kind, target_id)
                               else None)

    def set_items(self, attachments: browse.Attachments) -> None:
        self.items = list(attachments.items)
        self.list.clear()
        for item in self.items:
            label = item.caption or item.original_name
            entry = QListWidgetItem(thumb_icon(item, attachments.thumbs.get(item.id)),
                                    label if len(label) <= 28 else label[:26] + "…")
            entry.setToolTip(f"{item.original_name}\n{item.media_type}, {browse.human_size(item.size)}")
            entry.setData(ITEM_ROLE, item.id)
            self.list.addItem(entry)
        self._show_items()
        missing = [i.id for i in self.items if i.is_image and i.previewable and i.id not in attachments.thumbs]
        if missing and self.target is not None:
            self._make_thumbnails(self.target, missing)

    def _make_thumbnails(self, target: tuple[str, int], ids: list[int]) -> None:
        """Items kept without a thumbnail (from the command line, an import, the tail of a big drop) get one now,
        on the vault thread, `THUMBS_PER_JOB` at a time: ~30 ms each, so a strip of 2,000 photos fills in over a
        minute while a click's own vault work still runs between two jobs."""
        chunk, rest = ids[:THUMBS_PER_JOB], ids[THUMBS_PER_JOB:]

        def job(vault: Vault, _p: Progress) -> dict[int, bytes]:
            made = {}
            for item_id in chunk:
                png = thumbnails.ensure_thumbnail(vault, item_id)
                if png is not None:
                    made[item_id] = png
            return made

        def done(made: dict[int, bytes]) -> None:
            if self.target != target:
                return
            for row in range(self.list.count()):
                entry = self.list.item(row)
                item = self._item_of(entry)
                if entry is not None and item is not None and item.id in made:
                    entry.setIcon(thumb_icon(item, made[item.id]))
            if rest:
                self._make_thumbnails(target, rest)

        self.ctx.vaults.submit(job, on_done=done)

    def _show_items(self) -> None:
        has = bool(self.items)
        self.list.setVisible(has)
        self.empty.setVisible(not has)
        self.heading.setText(f"{self._title} ({len(self.items)})" if has else self._title)
        for button in (self.add_button, self.paste_button, self.capture_button):
            button.setEnabled(self.target is not None)

    # -- actions -----------------------------------------------------------------------------------------------
    def _after_add(self, _ids: list[int]) -> None:
        self.reload()
        self.changed.emit()

    def _add(self) -> None:
        links = self._links()
        if links:
            add_evidence_dialog(self.ctx, self, links, on_done=self._after_add)

    def _paste(self) -> None:
        from shopexit.gui.evidence import paste_evidence

        links = self._links()
        if links:
            paste_evidence(self.ctx, self, links, on_done=self._after_add)

    def _capture(self) -> None:
        links = self._links()
        if links:
            capture_screen(self.ctx, self, links, on_done=self._after_add)

    def _item_of(self, entry: QListWidgetItem | None) -> EvidenceItem | None:
        if entry is None:
            return None
        wanted = entry.data(ITEM_ROLE)
        return next((i for i in self.items if i.id == wanted), None)

    def _open(self, entry: QListWidgetItem) -> None:
        item = self._item_of(entry)
        if item is not None:
            EvidenceViewer(self.ctx, item, self).open()

    def _menu(self, pos: QPoint) -> None:
        # the Menu key asks at no particular point: then the menu is for the item chosen with the arrows
        item = self._item_of(self.list.itemAt(self.list.viewport().mapFrom(self.list, pos))
                             or self.list.currentItem())
        if item is None:
            return
        menu = QMenu(self)
        menu.addAction("Open", lambda: EvidenceViewer(self.ctx, item, self).open())
        menu.addAction("Save a copy…", lambda: save_copy_dialog(self.ctx, self, item))
        menu.addSeparator()
        menu.addAction("Remove from this record", lambda: self._unlink(item))
        menu.popup(self.list.mapToGlobal(pos))

    def _unlink(self, item: EvidenceItem) -> None:
        if self.target is None:
            return
        kind, target_id = self.target
        if not self.ctx.dialogs.confirm(self, "Remove from this record",
                                        f"Unlink “{item.original_name}” from this record? The item stays in the "
                                        "vault, under Evidence.", yes="Unlink"):
            return
        self.ctx.vaults.submit(lambda vault, _p: evidence.unlink(vault, item.id, kind, target_id),
                               on_done=lambda _r: self._after_add([]),
                               on_error=lambda msg: self.ctx.dialogs.warn(self, "Not unlinked", msg))
