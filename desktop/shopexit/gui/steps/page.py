"""One step of the exit, as a page that reads like a helpful checklist: what to do and why, the live facts from
the vault, the sub-tasks to tick, the proof kept, the user's notes, and "Mark done".

The page never queries the vault itself: it sends jobs to the vault thread (`ctx.vaults.submit`) and draws what
comes back. Every change is one job that writes in a transaction and returns the page's fresh data, so what the
user sees is always what the vault holds.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from shopexit.core import step_facts, step_texts
from shopexit.core.records import exit_steps
from shopexit.core.records.steps import set_notes
from shopexit.core.step_facts import StepPageData
from shopexit.core.vault import Conn, Vault
from shopexit.gui import style
from shopexit.gui.context import GuiContext
from shopexit.gui.layouts import apply_tab_order
from shopexit.gui.optional import optional
from shopexit.gui.steps.common import Host, day, moment, plural
from shopexit.gui.worker import Progress

STATUS_WORDS = {"todo": "To do", "doing": "In progress", "done": "Done"}
SAVE_DELAY_MS = 800


class ChecklistCard(style.Card):
    def __init__(self, page: StepPage) -> None:
        super().__init__("Checklist", page)
        self._page = page
        self._items: list[exit_steps.ChecklistItem] = []
        self.summary = style.muted("", self)
        self.add(self.summary)
        self.list_box = QVBoxLayout()
        self.list_box.setSpacing(6)
        self.add(self.list_box)
        self.new_item = QLineEdit(self)
        self.new_item.setPlaceholderText("Add your own item…")
        self.new_item.setAccessibleName("New checklist item")
        self.new_item.returnPressed.connect(self._add)
        add = QPushButton("Add", self)
        add.setAccessibleName("Add checklist item")
        add.clicked.connect(self._add)
        self.add(style.row(self.new_item, add))
        self.boxes: dict[int, QCheckBox] = {}

    def show_items(self, items: list[exit_steps.ChecklistItem]) -> None:
        if [(i.id, i.text, i.done) for i in items] == [(i.id, i.text, i.done) for i in self._items]:
            return
        focused = next((item_id for item_id, box in self.boxes.items() if box.hasFocus()), None)
        self._items = items
        style.clear_layout(self.list_box)
        self.boxes = {}
        for item in items:
            box = QCheckBox(item.text, self)
            box.setChecked(item.done)
            box.setAccessibleName(item.text)
            if item.done and item.done_at:
                box.setToolTip(f"Ticked {moment(item.done_at)}")
            box.toggled.connect(lambda checked, i=item.id: self._page.write(
                lambda tx: exit_steps.set_item_done(tx, i, checked)))
            line = QHBoxLayout()
            line.setContentsMargins(0, 0, 0, 0)
            line.addWidget(box, 1)
            if item.custom:
                remove = QToolButton(self)
                remove.setText("Remove")
                remove.setAccessibleName(f"Remove {item.text}")
                remove.setAutoRaise(True)
                remove.clicked.connect(lambda _=False, i=item.id: self._page.write(
                    lambda tx: exit_steps.remove_item(tx, i)))
                line.addWidget(remove)
            self.list_box.addLayout(line)
            self.boxes[item.id] = box
        done = sum(i.done for i in items)
        self.summary.setText(f"{done} of {len(items)} done" if items else "Nothing on the list yet.")
        if focused in self.boxes:
            self.boxes[focused].setFocus()

    def _add(self) -> None:
        text = self.new_item.text().strip()
        if not text:
            return
        number = self._page.number
        self.new_item.clear()
        self._page.write(lambda tx: exit_steps.add_item(tx, number, text))


class EvidenceCard(style.Card):
    def __init__(self, page: StepPage) -> None:
        super().__init__("Proof kept for this step", page)
        self._page = page
        self.empty = style.muted("Nothing attached yet. Screenshots, receipts and confirmations attached here go "
                                 "into the archive with the step.", self)
        self.add(self.empty)
        self.list = QListWidget(self)
        self.list.setAccessibleName("Evidence for this step")
        self.list.setWordWrap(True)
        self.list.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setUniformItemSizes(True)
        self.list.itemActivated.connect(self._open)
        self.add(self.list)
        attach = QPushButton("Attach evidence…", self)
        attach.setAccessibleName("Attach evidence to this step")
        attach.clicked.connect(lambda: page.host.add_evidence([("step", page.number)], page.reload))
        self.add(style.row(attach, None))
        install_drop = optional("shopexit.gui.evidence", "install_evidence_drop")
        if install_drop is not None:  # files dropped on this card are kept as the step's proof
            install_drop(page.ctx, self, [("step", page.number)], lambda _ids: page.reload())
            self.empty.setText(self.empty.text() + " Drop files here to attach them.")

    def show_items(self, items: list[step_facts.EvidenceRef]) -> None:
        self.list.clear()
        for ref in items:
            label = ref.caption or ref.name
            detail = f"{ref.name} · {ref.media_type} · added {day(ref.added_at)}"
            item = QListWidgetItem(f"{label}\n{detail}" if ref.caption else f"{ref.name}\n{ref.media_type} · added "
                                   f"{day(ref.added_at)}")
            item.setData(Qt.ItemDataRole.UserRole, ref.id)
            item.setToolTip(detail)
            self.list.addItem(item)
        self.list.setVisible(bool(items))
        self.empty.setVisible(not items)
        if items:  # as tall as its items (two lines each), up to five
            line = self.list.fontMetrics().lineSpacing()
            self.list.setFixedHeight(min(5, len(items)) * (2 * line + 8) + 2 * self.list.frameWidth() + 4)

    def _open(self, item: QListWidgetItem) -> None:
        self._page.host.show_record("evidence", int(item.data(Qt.ItemDataRole.UserRole)))


class AutosaveText(QPlainTextEdit):
    """A text box that saves itself a moment after typing stops, on leaving it, and when `flush()` is called
    (the lock sequence calls it before closing the vault)."""

    def __init__(self, parent: QWidget, save: Callable[[str], None], name: str, placeholder: str = "") -> None:
        super().__init__(parent)
        self._save = save
        self._dirty = False
        self.setAccessibleName(name)
        self.setPlaceholderText(placeholder)
        self.setTabChangesFocus(True)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SAVE_DELAY_MS)
        self._timer.timeout.connect(self.flush)
        self.textChanged.connect(self._edited)
        self._loading = False

    def _edited(self) -> None:
        if self._loading:
            return
        self._dirty = True
        self._timer.start()

    def load(self, text: str) -> None:
        """Show the vault's text, unless the user has typed something not yet saved."""
        if self._dirty or text == self.toPlainText():
            return
        self._loading = True
        self.setPlainText(text)
        self._loading = False

    def flush(self) -> None:
        self._timer.stop()
        if self._dirty:
            self._dirty = False
            self._save(self.toPlainText())

    @property
    def dirty(self) -> bool:
        return self._dirty

    def focusOutEvent(self, event: Any) -> None:
        self.flush()
        super().focusOutEvent(event)


class StepPage(QWidget):
    changed = Signal()  # the vault changed: the sidebar and other views refresh
    loaded = Signal()  # fresh data is on screen (tests wait for it)
    saved = Signal()  # notes reached the vault

    def __init__(self, ctx: GuiContext, number: int, host: Host, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from shopexit.gui.steps.sections import make_section

        self.ctx = ctx
        self.number = number
        self.host = host
        self.data: StepPageData | None = None
        self._generation = 0
        text = step_texts.load(number)
        self.setObjectName("page")
        self.setAccessibleName(f"Step {number}: {text.title}")

        scroll = QScrollArea(self)
        scroll.setObjectName("pageScroll")
        scroll.setAccessibleName(f"Step {number}: {text.title}")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        body = QWidget(scroll)
        body.setObjectName("pageBody")
        scroll.setWidget(body)
        centre = QHBoxLayout(body)
        centre.setContentsMargins(style.SPACE * 2, style.SPACE * 2, style.SPACE * 2, style.SPACE * 2)
        column_widget = QWidget(body)
        column_widget.setObjectName("pageBody")
        column_widget.setMaximumWidth(style.PAGE_MAX_WIDTH)
        centre.addStretch(0)
        centre.addWidget(column_widget, 1)
        centre.addStretch(0)
        column = QVBoxLayout(column_widget)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(style.SPACE + 4)
        self.column = column

        # -- header --
        head = QHBoxLayout()
        titles = QVBoxLayout()
        titles.setSpacing(2)
        titles.addWidget(style.eyebrow(f"Step {number} of {step_texts.STEP_COUNT}", self))
        self.title = style.heading(text.title, 1.8, self)
        titles.addWidget(self.title)
        head.addLayout(titles, 1)
        self.chip = QLabel("", self)
        self.chip.setObjectName("chip")
        self.chip.setAccessibleName("Step status")
        head.addWidget(self.chip, 0, Qt.AlignmentFlag.AlignVCenter)
        self.undo_button = QPushButton("Not done yet", self)
        self.undo_button.setAccessibleName("Mark this step as not done")
        self.undo_button.setToolTip("Undo “Mark done” (Ctrl+D)")
        self.undo_button.clicked.connect(self.undo_done)
        self.done_button = QPushButton("Mark done", self)
        self.done_button.setObjectName("primary")
        self.done_button.setAccessibleName("Mark this step done")
        self.done_button.setToolTip("Mark this step done (Ctrl+D)")
        self.done_button.clicked.connect(self.mark_done)
        head.addWidget(self.undo_button, 0, Qt.AlignmentFlag.AlignVCenter)
        head.addWidget(self.done_button, 0, Qt.AlignmentFlag.AlignVCenter)
        column.addLayout(head)
        self.lead = style.paragraph(text.lead, self)
        self.lead.setFont(style.scaled_font(self.lead, 1.1))
        self.lead.setObjectName("muted")
        column.addWidget(self.lead)

        # -- what to do and why | checklist --
        guide = style.Card("What to do, and why", self)
        self.guide_text = QLabel(guide)
        self.guide_text.setTextFormat(Qt.TextFormat.MarkdownText)
        self.guide_text.setWordWrap(True)
        self.guide_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.guide_text.setText(_without_headings(text.body_markdown))
        self.guide_text.setAccessibleName("What to do, and why")
        self.guide_text.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        guide.add(self.guide_text)
        self.checklist = ChecklistCard(self)
        top = QHBoxLayout()
        top.setSpacing(style.SPACE + 4)
        top.addWidget(guide, 3)
        top.addWidget(self.checklist, 2)
        column.addLayout(top)

        # -- the step's own facts and tools --
        self.loading = style.muted("Reading your records…", self)
        column.addWidget(self.loading)
        self.section = make_section(number, self)
        column.addWidget(self.section)

        # -- proof | notes --
        self.evidence = EvidenceCard(self)
        notes_card = style.Card("Notes", self)
        self.notes = AutosaveText(notes_card, self._save_notes, "Notes for this step",
                                  "Anything worth remembering: who you spoke to, what you decided, what's left.")
        self.notes.setMinimumHeight(110)
        self.notes.setMaximumHeight(240)
        notes_card.add(self.notes)
        self.notes_state = style.muted("Saved automatically.", notes_card)
        notes_card.add(self.notes_state)
        bottom = QHBoxLayout()
        bottom.setSpacing(style.SPACE + 4)
        bottom.addWidget(self.evidence, 1)
        bottom.addWidget(notes_card, 1)
        column.addLayout(bottom)
        column.addStretch(1)

        done_shortcut = QShortcut(QKeySequence("Ctrl+D"), self)
        done_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        done_shortcut.activated.connect(self.toggle_done)
        self._show_status("todo", None)

    # -- loading --------------------------------------------------------------------------------------------------
    def reload(self) -> None:
        self._generation += 1
        generation = self._generation
        number = self.number

        def job(vault: Vault, _progress: Progress) -> StepPageData:
            return step_facts.page_for(vault, number, date.today())  # instant while the records are unchanged

        self.ctx.vaults.submit(job, on_done=lambda data: self._show(generation, data), on_error=self._error)

    def _show(self, generation: int, data: StepPageData) -> None:
        if generation != self._generation:
            return  # a newer load is on its way
        self.show_data(data)

    def show_data(self, data: StepPageData) -> None:
        self.data = data
        self.loading.setVisible(False)
        self._show_status(data.state.status, data.state.done_at)
        self.checklist.show_items(data.checklist)
        self.evidence.show_items(data.evidence)
        self.notes.load(data.state.notes)
        self.section.show_facts(data)
        apply_tab_order(self)  # checklist boxes and section rows made just now: Tab meets them where they are shown
        self.loaded.emit()

    def _show_status(self, status: str, done_at: str | None) -> None:
        text = STATUS_WORDS[status]
        if status == "done" and done_at:
            text = f"Done {day(done_at)}"
            self.chip.setToolTip(f"Marked done {moment(done_at)}")
        else:
            self.chip.setToolTip("")
        self.chip.setText(text)
        self.chip.setProperty("state", status)
        self.chip.style().unpolish(self.chip)
        self.chip.style().polish(self.chip)
        self.done_button.setVisible(status != "done")
        self.undo_button.setVisible(status == "done")

    # -- writing --------------------------------------------------------------------------------------------------
    def write(self, change: Callable[[Conn], Any], then: Callable[[Any], None] | None = None) -> None:
        """Run `change(tx)` in one transaction on the vault thread, then redraw from what the vault now holds."""
        self._generation += 1
        generation = self._generation
        number = self.number

        def job(vault: Vault, _progress: Progress) -> tuple[Any, StepPageData]:
            with vault.transaction() as tx:
                result = change(tx)
            return result, step_facts.page_for(vault, number, date.today())

        def done(value: tuple[Any, StepPageData]) -> None:
            result, data = value
            if generation == self._generation:
                self.show_data(data)
            self.changed.emit()
            if then is not None:
                then(result)

        self.ctx.vaults.submit(job, on_done=done, on_error=self._write_failed)

    def _write_failed(self, message: str) -> None:
        self.ctx.dialogs.warn(self, "Not saved", message)
        self.reload()

    def _error(self, message: str) -> None:
        self.loading.setText(message)
        self.loading.setVisible(True)

    def mark_done(self) -> None:
        self.write(lambda tx: exit_steps.mark_done(tx, self.number))

    def undo_done(self) -> None:
        self.write(lambda tx: exit_steps.undo_done(tx, self.number))

    def toggle_done(self) -> None:
        if self.data is not None and self.data.state.status == "done":
            self.undo_done()
        else:
            self.mark_done()

    def _save_notes(self, text: str) -> None:
        number = self.number
        self.notes_state.setText("Saving…")

        def job(vault: Vault, _progress: Progress) -> None:
            with vault.transaction() as tx:
                set_notes(tx, number, text)
                if text.strip():
                    exit_steps.start_step(tx, number)

        def done(_result: None) -> None:
            self.notes_state.setText("Saved.")
            self.saved.emit()
            self.changed.emit()

        self.ctx.vaults.submit(job, on_done=done, on_error=lambda m: self.notes_state.setText(f"Not saved: {m}"))

    def flush(self) -> None:
        """Save whatever is typed but not yet saved (called before locking and when leaving the page)."""
        self.notes.flush()
        self.section.flush()


def _without_headings(markdown: str) -> str:
    """The guide's '## What to do' / '## Why it matters' become bold lead-ins that sit lighter on the page."""
    lines = []
    for line in markdown.splitlines():
        if line.startswith("## "):
            lines.append(f"**{line[3:].strip()}**")
            lines.append("")
        else:
            lines.append(line)
    return "\n".join(lines)


def step_title(number: int) -> str:
    return step_texts.load(number).title


def count_text(n: int, one: str) -> str:
    return plural(n, one)
