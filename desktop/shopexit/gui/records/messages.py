"""Messages: conversations on the left, the chosen one read as a chat on the right.

Imported messages show as they were exported; messages entered by hand (an email, a phone call) are marked so.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QLabel, QPushButton, QTextBrowser, QWidget

from shopexit.core.records import browse, manual
from shopexit.core.records.browse import Message, RecordDetail
from shopexit.core.vault import Vault
from shopexit.gui.context import GuiContext
from shopexit.gui.evidence.strip import EvidenceStrip
from shopexit.gui.layouts import WrapRow
from shopexit.gui.records.dialogs import MessageDialog, ThreadDialog, open_case_dialog
from shopexit.gui.records.model import local_time
from shopexit.gui.records.orders import CasesList
from shopexit.gui.records.page import DetailJob, RecordPage
from shopexit.gui.records.widgets import NotesBox
from shopexit.gui.worker import Progress

EMPTY = ("No conversations yet.\n\nImport your TikTok data export (the “Download your data” ZIP) to bring in "
         "direct messages and shop chats, or add a conversation held by email or phone with New conversation….")
CHANNEL_LABELS = {"direct": "TikTok DM", "shop": "Shop chat", "email": "Email", "phone": "Phone", "other": "Other"}


def conversation_html(messages: list[Message], counterpart: str, highlight: int | None = None) -> str:
    """Bubbles: theirs on the left, mine on the right, a line for each new day. Everything escaped."""
    out = ["<html><body style='margin:6px'>"]
    day = ""
    for m in messages:
        when = local_time(m.sent_at)
        if when[:10] != day:
            day = when[:10]
            out.append(f"<p align='center' style='color:#59636e; margin:10px 0 4px 0'>{html.escape(day or 'Undated')}"
                       "</p>")
        mine = m.direction == "out"
        bg = "#dcecff" if mine else ("#fff4c2" if m.id == highlight else "#f1f3f5")
        if m.id == highlight and mine:
            bg = "#ffe9a8"
        who = html.escape(m.sender or ("Me" if mine else counterpart))
        meta = f"{who} · {html.escape(when[11:])}"
        if m.by_hand:
            meta += " · entered by hand"
        if m.evidence:
            meta += f" · {m.evidence} attachment{'s' if m.evidence != 1 else ''}"
        body = html.escape(m.body).replace("\n", "<br>")
        align = "right" if mine else "left"
        out.append(
            f"<a name='m{m.id}'></a><table width='100%' cellspacing='0' cellpadding='0'><tr><td align='{align}'>"
            f"<table cellspacing='0' cellpadding='8' style='background:{bg}; margin:2px 0'>"
            f"<tr><td><span style='color:#59636e; font-size:small'>{meta}</span><br>{body}</td></tr></table>"
            "</td></tr></table>")
    out.append("</body></html>")
    return "".join(out)


class MessagesPage(RecordPage):
    kinds = frozenset({"thread", "message"})
    title = "Messages"

    def __init__(self, ctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, browse.THREADS, empty_text=EMPTY, parent=parent, detail_width=480)
        self.detail_data: RecordDetail | None = None
        self._highlight: tuple[int, int] | None = None
        """(thread id, message id) to mark and scroll to when that conversation shows."""
        self.model.formatters["channel"] = lambda value, _row: CHANNEL_LABELS.get(str(value), str(value))
        self.new_button = QPushButton("New conversation…")
        self.new_button.setToolTip("A conversation held by email, phone or anywhere the exports do not cover")
        self.new_button.clicked.connect(self.new_thread)
        self.list_tools.addWidget(self.new_button)

        self.title_label = QLabel()
        self.title_label.setObjectName("recordTitle")
        self.title_label.setWordWrap(True)
        self.subtitle = QLabel()
        self.subtitle.setObjectName("recordSubtitle")
        self.subtitle.setWordWrap(True)
        self.add_button = QPushButton("Add message…")
        self.add_button.setToolTip("Add a message from an email or a phone call to this conversation")
        self.add_button.clicked.connect(self.add_message)
        self.case_box = CasesList(self)
        self.case_box.open_button.clicked.connect(self.open_case)
        self.chat = QTextBrowser()
        self.chat.setOpenLinks(False)
        self.chat.setAccessibleName("Conversation")
        self.chat.setMinimumHeight(300)
        self.notes = NotesBox(ctx)
        self.evidence = EvidenceStrip(ctx)
        self.evidence.changed.connect(lambda: self.load_detail(self.current_id) if self.current_id else None)

        head = WrapRow().add_leading(self.title_label).add_trailing(self.add_button)
        d = self.detail_layout
        d.addLayout(head)
        d.addWidget(self.subtitle)
        d.addWidget(self.chat, 1)
        d.addWidget(self.evidence)
        d.addWidget(self.case_box)
        d.addWidget(self.notes)

    def choice_label(self, key: str) -> Callable[[str], str]:
        return lambda value: CHANNEL_LABELS.get(value, value)

    # -- detail ----------------------------------------------------------------------------------------------------
    def detail_job(self, record_id: int) -> DetailJob:
        return lambda vault, _p: browse.thread_detail(vault.conn, record_id)

    def show_detail(self, detail: RecordDetail) -> None:
        self.detail_data = detail
        extra = detail.extra
        self.title_label.setText(detail.title)
        shown, total = len(extra["messages"]), extra["total"]
        count = f"{total:,} message{'s' if total != 1 else ''}"
        if shown < total:
            count += f" (latest {shown:,} shown)"
        subject = dict(detail.fields).get("Subject", "")
        self.subtitle.setText(" · ".join(x for x in (CHANNEL_LABELS.get(extra["channel"], extra["channel"]), count,
                                                      subject) if x))
        mark = self._highlight[1] if self._highlight and self._highlight[0] == detail.id else None
        self.chat.setHtml(conversation_html(extra["messages"], extra["counterpart"], mark))
        if mark is not None:
            self.chat.scrollToAnchor(f"m{mark}")
        else:
            bar = self.chat.verticalScrollBar()
            bar.setValue(bar.maximum())
        self.case_box.set_cases(detail.cases)
        self.notes.set_notes(("thread", detail.id), detail.notes)
        self.evidence.set_target("thread", detail.id, detail.evidence)

    def clear_detail(self) -> None:
        self.detail_data = None
        self._highlight = None
        self.title_label.clear()
        self.subtitle.clear()
        self.chat.clear()
        self.chat.setSource(QUrl())
        self.notes.set_notes(None, [])
        self.evidence.clear()
        self.case_box.set_cases([])

    def show_record(self, kind: str, record_id: int) -> bool:
        if kind == "message":
            def job(vault: Vault, _p: Progress) -> int | None:
                return browse.thread_of_message(vault.conn, record_id)

            def found(thread_id: int | None) -> None:
                if thread_id is not None:
                    self._highlight = (thread_id, record_id)
                    super(MessagesPage, self).show_record("thread", thread_id)

            self.ctx.vaults.submit(job, on_done=found)
            return True
        self._highlight = None
        return super().show_record(kind, record_id)


    # -- actions -----------------------------------------------------------------------------------------------------
    def new_thread(self) -> None:
        dialog = ThreadDialog(self)
        if dialog.exec() != ThreadDialog.DialogCode.Accepted:
            return
        self.create_thread(**dialog.values())

    def create_thread(self, channel: str, counterpart: str, subject: str = "") -> None:
        def job(vault: Vault, _p: Progress) -> int:
            return manual.new_thread(vault, channel, counterpart, subject)

        def done(thread_id: int) -> None:
            self.refresh()
            self.show_record("thread", thread_id)

        self.ctx.vaults.submit(job, on_done=done,
                               on_error=lambda msg: self.ctx.dialogs.warn(self, "Conversation not added", msg))

    def add_message(self) -> None:
        if self.detail_data is None:
            return
        dialog = MessageDialog(self.detail_data.extra["counterpart"], self)
        if dialog.exec() != MessageDialog.DialogCode.Accepted:
            return
        self.save_message(**dialog.values())

    def save_message(self, *, body: str, direction: str = "in", sent_at: datetime | str | None = None) -> None:
        if self.current_id is None:
            return
        thread_id = self.current_id

        def job(vault: Vault, _p: Progress) -> int:
            return manual.add_message(vault, thread_id, body=body, direction=direction, sent_at=sent_at)

        def done(message_id: int) -> None:
            self._highlight = (thread_id, message_id)
            self.reload_rows()
            self.load_detail(thread_id)

        self.ctx.vaults.submit(job, on_done=done,
                               on_error=lambda msg: self.ctx.dialogs.warn(self, "Message not added", msg))

    def open_case(self) -> None:
        if self.current_id is None:
            return
        open_case_dialog(self.ctx, self, thread_id=self.current_id,
                         about=self.detail_data.title if self.detail_data else "",
                         on_done=lambda case_id: self.open_record.emit("case", case_id))
