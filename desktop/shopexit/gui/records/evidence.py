"""Evidence: every item kept, previewed inside the app, with its hash, caption and the records it proves.

Add here (dialog, drop, Ctrl+V, screen capture) to keep proof before knowing where it belongs; link it from a
record's own evidence strip later, or add it there directly.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from shopexit.core import evidence
from shopexit.core.evidence import EvidenceItem
from shopexit.core.records import browse
from shopexit.core.records.browse import RecordDetail
from shopexit.gui.context import GuiContext
from shopexit.gui.evidence import add_evidence_dialog, capture_screen, install_evidence_drop, install_paste
from shopexit.gui.evidence import paste_evidence as paste_clipboard
from shopexit.gui.evidence.preview import EvidencePreview, save_copy_dialog
from shopexit.gui.layouts import WrapRow
from shopexit.gui.records.model import local_time
from shopexit.gui.records.page import DetailJob, RecordPage
from shopexit.gui.records.widgets import FactsForm, NotesBox, heading, link_html

EMPTY = ("No evidence yet.\n\nDrop screenshots, photos, receipts or PDFs here, paste a screenshot with Ctrl+V, or "
         "use Capture screen. Each item is kept whole inside the encrypted vault, with its SHA-256 fingerprint.")
TYPE_NAMES = {"image/png": "PNG image", "image/jpeg": "JPEG photo", "image/gif": "GIF image",
              "image/webp": "WebP image", "image/heic": "HEIC photo", "application/pdf": "PDF",
              "text/csv": "CSV table", "application/json": "JSON", "text/plain": "Text",
              "application/zip": "ZIP archive", "video/mp4": "MP4 video", "video/quicktime": "QuickTime video",
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel sheet"}
ORIGIN_NAMES = {"file": "File", "drop": "Dropped", "paste": "Pasted", "screen": "Screen capture", "import": "Import"}


class EvidencePage(RecordPage):
    kinds = frozenset({"evidence"})
    title = "Evidence"

    def __init__(self, ctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, browse.EVIDENCE, empty_text=EMPTY, parent=parent, detail_width=450)
        self.item: EvidenceItem | None = None
        self.model.formatters["type"] = lambda v, _r: TYPE_NAMES.get(str(v), str(v))
        self.add_button = QPushButton("Add files…")
        self.add_button.clicked.connect(self.add_files)
        self.paste_button = QPushButton("Paste")
        self.paste_button.setToolTip("Keep the picture or files on the clipboard (Ctrl+V)")
        self.paste_button.clicked.connect(self.paste)
        self.capture_button = QPushButton("Capture screen")
        self.capture_button.setToolTip("Hide shopexit, take a picture of the screen, and keep it")
        self.capture_button.clicked.connect(self.capture)
        actions = QHBoxLayout()
        for b in (self.add_button, self.paste_button, self.capture_button):
            actions.addWidget(b)
        hint = QLabel("or drop files on the list")
        hint.setObjectName("countLabel")
        actions.addWidget(hint)
        actions.addStretch(1)
        self.list_layout.insertLayout(0, actions)

        self.title_label = QLabel()
        self.title_label.setObjectName("recordTitle")
        self.title_label.setWordWrap(True)
        self.preview = EvidencePreview(ctx)
        self.preview.setMinimumHeight(300)
        self.save_button = QPushButton("Save a copy…")
        self.save_button.setToolTip("Write this item's original bytes to a file you choose")
        self.save_button.clicked.connect(self.save_copy)
        self.caption = QLineEdit()
        self.caption.setPlaceholderText("A caption: what this shows, and why it matters")
        self.caption.setAccessibleName("Caption")
        self.caption.returnPressed.connect(self.save_caption)
        self.caption_button = QPushButton("Save caption")
        self.caption_button.clicked.connect(self.save_caption)
        self.facts = FactsForm()
        self.links_label = QLabel()
        self.links_label.setWordWrap(True)
        self.links_label.setTextFormat(Qt.TextFormat.RichText)
        self.links_label.linkActivated.connect(self.follow_link)
        self.links_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)  # Tab reaches the links
        self.links_label.setAccessibleName("Records this proves")
        self.notes = NotesBox(ctx)

        head = WrapRow().add_leading(self.title_label).add_trailing(self.save_button)
        caption_row = QHBoxLayout()
        caption_row.addWidget(self.caption, 1)
        caption_row.addWidget(self.caption_button)
        d = self.detail_layout
        d.addLayout(head)
        d.addWidget(self.preview, 1)
        d.addLayout(caption_row)
        d.addWidget(self.facts)
        d.addWidget(heading("Proves"))
        d.addWidget(self.links_label)
        d.addWidget(self.notes)

        done: Callable[[list[int]], None] = self._added
        for widget in (self.table.viewport(), self.empty):
            install_evidence_drop(ctx, widget, [], on_done=done)
        install_paste(ctx, self.list_side, [], on_done=done)

    def choice_label(self, key: str) -> Callable[[str], str]:
        return (lambda value: ORIGIN_NAMES.get(value, value)) if key == "origin" else str

    # -- adding ----------------------------------------------------------------------------------------------------
    def _added(self, ids: list[int]) -> None:
        self.refresh()
        if ids:
            self.show_record("evidence", ids[-1])

    def add_files(self) -> None:
        add_evidence_dialog(self.ctx, self, [], on_done=self._added)

    def paste(self) -> None:
        paste_clipboard(self.ctx, self, [], on_done=self._added)

    def capture(self) -> None:
        capture_screen(self.ctx, self, [], on_done=self._added)

    # -- detail ----------------------------------------------------------------------------------------------------
    def detail_job(self, record_id: int) -> DetailJob:
        return lambda vault, _p: browse.evidence_detail(vault.conn, record_id)

    def show_detail(self, detail: RecordDetail) -> None:
        item: EvidenceItem = detail.extra["item"]
        same = self.item is not None and self.item.id == item.id and self.preview.item is not None
        self.item = item
        self.title_label.setText(item.original_name)
        if not same:
            self.preview.show_item(item)
        self.caption.setText(item.caption)
        rows = []
        for key, value in detail.fields:
            if key in ("Added", "Taken"):
                value = local_time(value)
            elif key == "Type":
                value = TYPE_NAMES.get(value, value) + (f" ({value})" if value in TYPE_NAMES else "")
            rows.append((key, value))
        self.facts.set_rows(rows)
        links = detail.extra["links"]
        self.links_label.setText("<br>".join(link_html(k, t, label) for k, t, label in links)
                                 or "Not linked to any record yet. Add it from a record's Evidence section, or "
                                    "drop it there.")
        self.notes.set_notes(("attachment", item.id), detail.notes)

    def clear_detail(self) -> None:
        self.item = None
        self.preview.clear()
        self.title_label.clear()
        self.caption.clear()
        self.facts.set_rows([])
        self.links_label.clear()
        self.notes.set_notes(None, [])

    # -- actions -----------------------------------------------------------------------------------------------------
    def save_copy(self) -> None:
        if self.item is not None:
            save_copy_dialog(self.ctx, self, self.item)

    def save_caption(self) -> None:
        if self.item is None:
            return
        item_id, text = self.item.id, self.caption.text()
        self.ctx.vaults.submit(lambda vault, _p: evidence.set_caption(vault, item_id, text),
                               on_done=lambda _r: self.refresh(),
                               on_error=lambda msg: self.ctx.dialogs.warn(self, "Caption not saved", msg))
