"""Dropping many files at once: every file kept (in batched transactions on the vault thread), a progress dialog
that counts file by file, thumbnails made on the way in, and Stop honoured."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QUrl
from PySide6.QtWidgets import QProgressBar, QProgressDialog, QPushButton
from pytestqt.qtbot import QtBot

from shopexit.core import evidence
from shopexit.core.vault import Vault
from shopexit.gui.evidence import strip as strip_module
from shopexit.gui.worker import Progress
from tests.gui.records.conftest import MakeCtx, ask, drag, settle, shown_strip
from tests.helpers.records import add_order
from tests.helpers.records import png_bytes as pil_png


def _photos(folder: Path, count: int) -> list[Path]:
    folder.mkdir()
    paths = []
    for n in range(count):
        path = folder / f"parcel-{n:02d}.png"
        path.write_bytes(pil_png(320 + n, 240, (10 * n % 255, 90, 160)))
        paths.append(path)
    return paths


def _mime(paths: list[Path]) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def test_dropping_many_files_keeps_them_all_with_progress_per_file(
    qtbot: QtBot, make_ctx: MakeCtx, tmp_path: Path
) -> None:
    ctx, ref = make_ctx(lambda vault: add_order(vault, "576457646075230042"))
    strip = shown_strip(qtbot, ctx, "order", ref)
    photos = _photos(tmp_path / "drop", 14)

    assert drag(strip.empty, QPoint(10, 10), _mime(photos)) == (True, True)
    dialog = strip.empty.findChild(QProgressDialog, "evidenceProgress")
    assert dialog is not None and dialog.maximum() == 14
    values: list[int] = []
    labels: list[str] = []
    bar = dialog.findChild(QProgressBar)
    assert bar is not None

    def seen(value: int) -> None:
        values.append(value)
        labels.append(dialog.labelText())

    bar.valueChanged.connect(seen)
    qtbot.waitUntil(lambda: len(strip.items) == 14, timeout=30_000)
    settle(qtbot, ctx)

    shown = [v for v in values if v >= 0]
    assert shown == list(range(15))  # 0 … 13 before each file, then 14 when all are in
    assert labels[1] == "Keeping 1 of 14: parcel-00.png" and labels[14].startswith("Keeping 14 of 14: parcel-13")
    items = ask(qtbot, ctx, lambda vault: evidence.items_for(vault.conn, "order", ref))
    assert [i.original_name for i in items] == [p.name for p in photos]
    assert [i.sha256 for i in items] == [hashlib.sha256(p.read_bytes()).hexdigest() for p in photos]
    assert all(i.origin == "drop" and i.previewable for i in items)
    thumbs = ask(qtbot, ctx, lambda vault: vault.conn.execute("SELECT count(*) FROM attachment_thumbs").fetchone()[0])
    assert thumbs == 14  # made on the way in, from the bytes already read
    assert strip.heading.text() == "Evidence (14)"


def test_stop_on_the_progress_dialog_cancels_the_drop(qtbot: QtBot, make_ctx: MakeCtx, tmp_path: Path) -> None:
    ctx, ref = make_ctx(lambda vault: add_order(vault, "576457646075230043"))
    strip = shown_strip(qtbot, ctx, "order", ref)
    release = threading.Event()

    def busy(_vault: Vault, _progress: Progress) -> None:  # another job holds the vault thread for a moment
        release.wait(20)

    ctx.vaults.submit(busy)
    assert drag(strip.empty, QPoint(10, 10), _mime(_photos(tmp_path / "drop", 6))) == (True, True)
    dialog = strip.empty.findChild(QProgressDialog, "evidenceProgress")
    assert dialog is not None
    stop = dialog.findChild(QPushButton)
    assert stop is not None and stop.text() == "Stop"
    stop.click()
    release.set()
    settle(qtbot, ctx)
    assert ask(qtbot, ctx, lambda vault: vault.conn.execute("SELECT count(*) FROM attachments").fetchone()[0]) == 0
    assert not strip.items


def test_a_strip_makes_missing_previews_a_few_at_a_time(qtbot: QtBot, make_ctx: MakeCtx, tmp_path: Path) -> None:
    """Photos kept without previews (the command line, the tail of a big drop) get them once a strip shows them,
    in jobs of a few each, so other vault work runs between them."""
    photos = _photos(tmp_path / "kept", strip_module.THUMBS_PER_JOB * 2 + 3)

    def seed(vault: Vault) -> int:
        ref = add_order(vault, "576457646075230044")
        evidence.attach_files(vault, photos, links=[("order", ref)])
        return ref

    ctx, ref = make_ctx(seed)
    jobs: list[object] = []
    submit = ctx.vaults.submit

    def counted(job: object, *args: object, **kwargs: object) -> object:
        jobs.append(job)
        return submit(job, *args, **kwargs)  # type: ignore[arg-type]

    ctx.vaults.submit = counted  # type: ignore[method-assign]
    strip = shown_strip(qtbot, ctx, "order", ref)
    settle(qtbot, ctx)
    thumbs = ask(qtbot, ctx, lambda vault: vault.conn.execute("SELECT count(*) FROM attachment_thumbs").fetchone()[0])
    assert thumbs == len(photos)
    assert len(jobs) >= 1 + 3  # the list, then three jobs of previews
    assert strip.list.count() == len(photos)
