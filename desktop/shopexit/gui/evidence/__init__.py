"""Getting proof into the vault from anywhere in the app: a file dialog, a drop, a paste, a screen capture.

Every way in ends in the same job on the vault thread (`evidence.attach_files` / `attach_bytes`, then a
thumbnail for images), so the checks are the same everywhere: the size limit from the settings, the real type
sniffed from the bytes, a bomb never decoded. Nothing touches the disk on the way: a pasted or captured image
goes from memory into the encrypted vault.

Reusable pieces for any page (the step pages use them too):
- `add_evidence_dialog(ctx, parent, links)` — pick files and keep them, linked to `links`;
- `install_evidence_drop(ctx, widget, links)` — make any widget a drop target (for an item view, pass its
  viewport and a function from drop position to links);
- `install_paste(ctx, widget, links)` — Ctrl+V on that widget keeps the clipboard's image or files;
- `capture_screen(ctx, window, links)` — hide the window, grab the screen, come back, keep it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import cast

from PySide6.QtCore import QBuffer, QByteArray, QEvent, QIODevice, QMimeData, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import (
    QDragMoveEvent,
    QDropEvent,
    QGuiApplication,
    QImage,
    QImageWriter,
    QKeySequence,
    QScreen,
    QShortcut,
)
from PySide6.QtWidgets import QProgressDialog, QWidget

from shopexit.core import evidence, thumbnails
from shopexit.core.errors import EvidenceRefused
from shopexit.core.vault import Vault
from shopexit.gui.context import GuiContext
from shopexit.gui.worker import Progress, Ticket

Links = Sequence[tuple[str, int]]
LinksAt = Callable[[QPoint], Links | None]
"""Where a drop lands → the records to link, or None when nothing there takes evidence."""
Done = Callable[[list[int]], None]

FILE_FILTERS = ("Evidence (*.png *.jpg *.jpeg *.gif *.webp *.heic *.bmp *.tif *.tiff *.pdf *.mp4 *.mov *.eml *.txt"
                " *.csv *.xlsx *.json *.zip);;Images (*.png *.jpg *.jpeg *.gif *.webp *.heic *.bmp *.tif *.tiff);;"
                "PDF (*.pdf);;All files (*)")


@dataclass
class AddOutcome:
    """What one add did: items kept (new or already there, now linked), one line per refused file, and whether
    the user stopped it (what was kept before the stop stays kept)."""

    added: list[evidence.Attached] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    cancelled: bool = False

    @property
    def ids(self) -> list[int]:
        return [a.id for a in self.added]


def _thumb(vault: Vault, item: evidence.Attached) -> None:
    if item.new and item.media_type.startswith("image/"):
        thumbnails.ensure_thumbnail(vault, item.id)


def attach_paths_job(paths: Sequence[Path], links: Links, origin: str, max_size: int
                     ) -> Callable[[Vault, Progress], AddOutcome]:
    """One job for many files, in batched transactions (`evidence.attach_files`): progress per file, a refused
    file is reported and the others are still kept, Cancel stops after the current file and keeps what is in.
    Thumbnails are made from the bytes already read, not read back out of the vault."""
    paths, links = list(paths), list(links)

    def job(vault: Vault, progress: Progress) -> AddOutcome:
        batch = evidence.attach_files(vault, paths, links=links, origin=origin, max_size=max_size,
                                      progress=progress.report, cancelled=progress.cancelled,
                                      thumbnails=PREVIEWS_ON_THE_WAY_IN)
        if not batch.cancelled:
            progress.report(len(paths), len(paths), "")
        return AddOutcome(batch.added, batch.refused, batch.cancelled)

    return job


def attach_data_job(data: bytes, name: str, links: Links, origin: str, max_size: int
                    ) -> Callable[[Vault, Progress], AddOutcome]:
    links = list(links)

    def job(vault: Vault, _progress: Progress) -> AddOutcome:
        outcome = AddOutcome()
        try:
            item = evidence.attach_bytes(vault, data, name, links=links, origin=origin, max_size=max_size)
        except EvidenceRefused as exc:
            outcome.refused.append(str(exc))
            return outcome
        _thumb(vault, item)
        outcome.added.append(item)
        return outcome

    return job


def _finish(ctx: GuiContext, parent: QWidget | None, on_done: Done | None) -> Callable[[AddOutcome], None]:
    def done(outcome: AddOutcome) -> None:
        if outcome.refused:
            kept = f"{len(outcome.added)} kept. " if outcome.added else ""
            ctx.dialogs.warn(parent, "Some evidence was not kept", kept + "\n".join(outcome.refused))
        if on_done is not None and outcome.added:
            on_done(outcome.ids)

    return done


def _failed(ctx: GuiContext, parent: QWidget | None) -> Callable[[str], None]:
    return lambda message: ctx.dialogs.warn(parent, "Evidence not added", message)


PROGRESS_AFTER_MS = 400
PREVIEWS_ON_THE_WAY_IN = 48
"""Previews made while a drop is stored: about what a strip shows at once. The strip makes the rest afterwards,
a few at a time (`EvidenceStrip._make_thumbnails`)."""
"""A drop of several files shows its progress (and a Stop button) once it has taken this long."""


def submit_paths(ctx: GuiContext, parent: QWidget | None, paths: Sequence[Path], links: Links, *,
                 origin: str = "file", on_done: Done | None = None) -> Ticket | None:
    """Keep `paths` on the vault thread. Several files get a progress dialog (file by file, with Stop)."""
    if not paths:
        return None
    job = attach_paths_job(paths, links, origin, ctx.settings.max_evidence_bytes)
    if len(paths) == 1:
        return ctx.vaults.submit(job, on_done=_finish(ctx, parent, on_done), on_error=_failed(ctx, parent))
    dialog = QProgressDialog(f"Keeping {len(paths):,} files…", "Stop", 0, len(paths), parent)
    dialog.setObjectName("evidenceProgress")
    dialog.setWindowTitle("Adding evidence")
    dialog.setMinimumDuration(PROGRESS_AFTER_MS)
    dialog.setAutoReset(False)
    dialog.setAutoClose(False)
    finish, fail = _finish(ctx, parent, on_done), _failed(ctx, parent)

    def step(done: int, total: int, name: str) -> None:
        dialog.setValue(min(done, total))
        if name:
            dialog.setLabelText(f"Keeping {done + 1:,} of {total:,}: {name}")

    def done(outcome: AddOutcome) -> None:
        dialog.reset()
        dialog.deleteLater()
        finish(outcome)

    def failed(message: str) -> None:
        dialog.reset()
        dialog.deleteLater()
        fail(message)

    ticket = ctx.vaults.submit(job, on_done=done, on_error=failed, on_progress=step)
    dialog.canceled.connect(ticket.cancel)
    return ticket


def submit_image(ctx: GuiContext, parent: QWidget | None, image: QImage, links: Links, *, origin: str,
                 name: str = "", on_done: Done | None = None) -> Ticket | None:
    """Keep an in-memory image as PNG (lossless: what was on screen is what is kept)."""
    if image.isNull():
        ctx.dialogs.warn(parent, "Evidence not added", "The image is empty.")
        return None
    data = png_bytes(image)
    label = {"paste": "Pasted image", "screen": "Screen capture", "drop": "Dropped image"}.get(origin, "Image")
    name = name or f"{label} {datetime.now().strftime('%Y-%m-%d %H.%M.%S')}.png"
    return ctx.vaults.submit(attach_data_job(data, name, links, origin, ctx.settings.max_evidence_bytes),
                             on_done=_finish(ctx, parent, on_done), on_error=_failed(ctx, parent))


def png_bytes(image: QImage) -> bytes:
    """PNG-encode in memory: no temporary file ever holds the picture."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QImageWriter(buffer, QByteArray(b"png"))
    if not writer.write(image):
        raise EvidenceRefused(f"the image could not be encoded as PNG ({writer.errorString()}).")
    buffer.close()
    return bytes(data.data())


# -- the file dialog -------------------------------------------------------------------------------------------
def add_evidence_dialog(ctx: GuiContext, parent: QWidget | None, links: list[tuple[str, int]], *,
                        on_done: Done | None = None) -> None:
    """Ask for files (through `ctx.dialogs`, so tests answer for the user) and keep them, linked to `links`."""
    paths = ctx.dialogs.open_files(parent, "Add evidence", FILE_FILTERS)
    submit_paths(ctx, parent, paths, links, origin="file", on_done=on_done)


# -- drop ------------------------------------------------------------------------------------------------------
def local_files(mime: QMimeData) -> list[Path]:
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile() and url.toLocalFile()]


def _fixed(links: Links) -> LinksAt:
    fixed = list(links)
    return lambda _pos: fixed


class EvidenceDropTarget(QObject):
    """An event filter that makes any widget take dropped files (and dropped images) as evidence."""

    added = Signal(list)
    """Attachment ids kept by a drop."""

    def __init__(self, ctx: GuiContext, widget: QWidget, links: Links | LinksAt,
                 on_done: Done | None = None) -> None:
        super().__init__(widget)
        self.ctx = ctx
        self.widget = widget
        self._links: LinksAt = links if callable(links) else _fixed(links)
        self._on_done = on_done
        widget.setAcceptDrops(True)
        widget.installEventFilter(self)

    @staticmethod
    def _usable(mime: QMimeData | None) -> bool:
        return mime is not None and (bool(local_files(mime)) or mime.hasImage())

    def _target(self, event: QDropEvent) -> Links | None:
        if not self._usable(event.mimeData()):
            return None
        return self._links(event.position().toPoint())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            move = cast(QDragMoveEvent, event)
            if self._target(move) is not None:
                move.setDropAction(Qt.DropAction.CopyAction)
                move.accept()
            else:
                move.ignore()
            return True
        if kind == QEvent.Type.Drop:
            drop = cast(QDropEvent, event)
            links = self._target(drop)
            if links is None:
                drop.ignore()
                return True
            drop.setDropAction(Qt.DropAction.CopyAction)
            drop.accept()
            self.take(drop.mimeData(), links)
            return True
        return False

    def take(self, mime: QMimeData, links: Links) -> None:
        files = local_files(mime)
        if files:
            submit_paths(self.ctx, self.widget, files, links, origin="drop", on_done=self._done)
        elif mime.hasImage():
            submit_image(self.ctx, self.widget, QImage(mime.imageData()), links, origin="drop", on_done=self._done)

    def _done(self, ids: list[int]) -> None:
        self.added.emit(ids)
        if self._on_done is not None:
            self._on_done(ids)


def install_evidence_drop(ctx: GuiContext, widget: QWidget, links: Links | LinksAt,
                          on_done: Done | None = None) -> EvidenceDropTarget:
    """Make `widget` a drop target for evidence. For a list or table, pass `view.viewport()`."""
    return EvidenceDropTarget(ctx, widget, links, on_done)


# -- paste -----------------------------------------------------------------------------------------------------
def paste_evidence(ctx: GuiContext, parent: QWidget | None, links: Links, *, on_done: Done | None = None) -> bool:
    """Keep what the clipboard holds: copied files, else an image (a screenshot). False when it holds neither."""
    mime = QGuiApplication.clipboard().mimeData()
    if mime is not None:
        files = local_files(mime)
        if files:
            submit_paths(ctx, parent, files, links, origin="paste", on_done=on_done)
            return True
        if mime.hasImage():
            image = QImage(mime.imageData())
            if not image.isNull():
                submit_image(ctx, parent, image, links, origin="paste", on_done=on_done)
                return True
    ctx.dialogs.info(parent, "Nothing to paste",
                     "The clipboard holds no picture or file. Take a screenshot or copy a file, then paste again.")
    return False


def install_paste(ctx: GuiContext, widget: QWidget, links: Links | Callable[[], Links | None], *,
                  on_done: Done | None = None) -> QShortcut:
    """Ctrl+V on `widget` (and its children that do not paste text themselves) keeps the clipboard's image."""
    def paste() -> None:
        target = links() if callable(links) else links
        if target is not None:
            paste_evidence(ctx, widget, target, on_done=on_done)

    shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Paste), widget)
    shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    shortcut.activated.connect(paste)
    return shortcut


# -- screen capture --------------------------------------------------------------------------------------------
CAPTURE_DELAY_MS = 450
"""Long enough for the window manager to take the hidden window off the screen (and its fade to finish)."""


def capture_screen(ctx: GuiContext, window: QWidget, links: Links, *, on_done: Done | None = None,
                   screen: QScreen | None = None, delay_ms: int = CAPTURE_DELAY_MS) -> None:
    """Hide the app, grab the whole screen it was on (or `screen`), show the app again, keep the picture."""
    top = window.window()
    target = screen or top.screen() or QGuiApplication.primaryScreen()
    was_visible = top.isVisible()
    top.hide()

    def grab() -> None:
        image = target.grabWindow(0).toImage() if target is not None else QImage()
        if was_visible:
            top.show()
            top.raise_()
            top.activateWindow()
        if image.isNull():
            ctx.dialogs.warn(top, "Screen not captured",
                             "The system did not allow shopexit to capture the screen. Take a screenshot with "
                             "your system's tool and paste it here (Ctrl+V).")
            return
        submit_image(ctx, top, image, links, origin="screen", on_done=on_done)

    QTimer.singleShot(delay_ms, grab)
