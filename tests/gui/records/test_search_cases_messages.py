"""Ctrl+F search opening records, a case's days left, conversations, and locking that leaves no record text."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QTabWidget, QTextEdit, QWidget
from pytestqt.qtbot import QtBot

from shopexit.core.records import cases
from shopexit.core.timeutil import utc_now, zone_for_region
from shopexit.core.vault import Vault
from shopexit.gui.records import build_pages, route
from shopexit.gui.records.cases import CasesPage
from shopexit.gui.records.messages import MessagesPage
from shopexit.gui.records.search import SearchDialog
from tests.gui.records.conftest import MakeCtx, ask, settle
from tests.helpers.records import seed_shop


def test_search_finds_a_message_by_a_word_and_by_the_buyer_and_enter_opens_it(
    qtbot: QtBot, make_ctx: MakeCtx
) -> None:
    ctx, ids = make_ctx(seed_shop)
    dialog = SearchDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.box, "crushed")
    qtbot.waitUntil(lambda: dialog.results.query == "crushed", timeout=20_000)
    # the message, and the screenshot whose caption mentions it; messages come before evidence
    assert [(h.kind, h.id) for h in dialog.results.hits()] == [("message", ids["messages"][0]),
                                                               ("evidence", ids["chat_png"])]
    assert dialog.status.text() == "2 results — Enter opens the highlighted one"
    with qtbot.waitSignal(dialog.open_record, timeout=5_000) as opened:
        qtbot.keyClick(dialog.box, Qt.Key.Key_Return)
    assert opened.args == ["message", ids["messages"][0]]

    again = SearchDialog(ctx)
    qtbot.addWidget(again)
    again.show()
    qtbot.keyClicks(again.box, "marisol")
    qtbot.waitUntil(lambda: again.results.query == "marisol", timeout=20_000)
    kinds = set(again.results.groups)
    assert {"order", "message", "thread"} <= kinds
    assert ids["messages"][0] in [h.id for h in again.results.groups["message"]]
    # arrows move through the hits from the box; Enter opens the one chosen
    qtbot.keyClick(again.box, Qt.Key.Key_Down)
    chosen = again.tree.currentItem().data(0, Qt.ItemDataRole.UserRole + 30)  # type: ignore[union-attr]
    with qtbot.waitSignal(again.open_record, timeout=5_000) as opened:
        qtbot.keyClick(again.box, Qt.Key.Key_Return)
    assert tuple(opened.args) == (chosen[0], chosen[1])


def test_enter_straight_after_typing_opens_the_best_hit(qtbot: QtBot, make_ctx: MakeCtx) -> None:
    ctx, ids = make_ctx(seed_shop)
    dialog = SearchDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.open_record, timeout=20_000) as opened:
        qtbot.keyClicks(dialog.box, "never arrived")
        qtbot.keyClick(dialog.box, Qt.Key.Key_Return)
    assert opened.args == ["thread", ids["email_thread"]]


def test_a_case_shows_days_left_for_its_deadline(qtbot: QtBot, make_ctx: MakeCtx) -> None:
    today = utc_now().astimezone(zone_for_region("US")).date()

    def seed(vault: Vault) -> int:
        return cases.open_case(vault, "chargeback", title="Chargeback on order 111", deadline=today + timedelta(10))

    ctx, case_id = make_ctx(seed)
    page = CasesPage(ctx)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    qtbot.waitUntil(lambda: page.detail_data is not None and page.detail_data.summary.id == case_id, timeout=20_000)
    settle(qtbot, ctx)
    assert page.days_badge.text() == "10 days left" and page.days_badge.isVisible()
    assert f"deadline {today + timedelta(10)} (end of day, shop time)" in page.deadline_label.text()
    deadline_col = [c.key for c in page.model.view.columns].index("deadline")
    assert page.model.data(page.model.index(0, deadline_col)) == f"{today + timedelta(10)} · 10 days left"
    assert page.checklist.count() == len(cases.CHECKLISTS["chargeback"])

    # ticking a checklist item is saved, and the heading counts it
    first = page.checklist.item(0)
    assert first is not None
    first.setCheckState(Qt.CheckState.Checked)
    qtbot.waitUntil(lambda: page.checklist_heading.text().startswith("Evidence checklist (1 of"), timeout=20_000)
    assert ask(qtbot, ctx, lambda v: cases.get_case(v.conn, case_id).checklist_done) == 1

    page.save_event("Sent the bank the tracking record")
    qtbot.waitUntil(lambda: "Sent the bank the tracking record" in page.timeline.text(), timeout=20_000)


def test_export_this_case_calls_the_archive_on_the_vault_thread(
    qtbot: QtBot, make_ctx: MakeCtx, tmp_path: Path
) -> None:
    from shopexit.gui.records.cases import archive_api

    ctx, ids = make_ctx(seed_shop)
    page = CasesPage(ctx)
    qtbot.addWidget(page)
    page.show()
    page.show_record("case", ids["case"])
    qtbot.waitUntil(lambda: page.detail_data is not None and page.detail_data.summary.id == ids["case"],
                    timeout=20_000)
    out = tmp_path / "case.pdf"
    messages: list[str] = []
    ctx.dialogs.info = lambda _p, _t, text: messages.append(text)  # type: ignore[method-assign]
    ctx.dialogs.warn = lambda _p, _t, text: messages.append("WARN " + text)  # type: ignore[method-assign]
    ctx.dialogs.next_answers.append(str(out))
    page.export_case()
    settle(qtbot, ctx, timeout=120_000)
    if archive_api() is None:
        assert messages == ["Archive export is not available in this build."]
        return
    assert messages and messages[0].startswith("Saved case.pdf"), messages
    assert out.read_bytes().startswith(b"%PDF")


def test_conversation_reads_as_a_chat_and_takes_a_message_by_hand(qtbot: QtBot, make_ctx: MakeCtx) -> None:
    ctx, ids = make_ctx(seed_shop)
    page = MessagesPage(ctx)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    settle(qtbot, ctx)
    page.show_record("message", ids["messages"][2])
    qtbot.waitUntil(lambda: page.detail_data is not None and page.detail_data.id == ids["thread"], timeout=20_000)
    text = page.chat.toPlainText()
    assert "the box was crushed" in text and "photos attached" in text
    assert text.index("the box was crushed") < text.index("A replacement ships tomorrow")  # oldest first
    assert page.subtitle.text() == "Shop chat · 4 messages"
    assert "#fff4c2" in page.chat.toHtml()  # the message search pointed at is marked

    page.save_message(body="Phoned her: the replacement arrived <intact>.", direction="in")
    qtbot.waitUntil(lambda: "arrived <intact>" in page.chat.toPlainText(), timeout=20_000)  # escaped, shown as text
    assert "entered by hand" in page.chat.toPlainText()
    assert page.subtitle.text() == "Shop chat · 5 messages"

    page.create_thread("phone", "USPS support", "Claim 1184-22")
    qtbot.waitUntil(lambda: page.detail_data is not None and page.detail_data.title == "Conversation with USPS support",
                    timeout=20_000)


def test_pages_route_records_and_locking_leaves_no_record_text(qtbot: QtBot, make_ctx: MakeCtx) -> None:
    ctx, ids = make_ctx(seed_shop)
    pages = build_pages(ctx)
    assert [t for t, _ in pages] == ["Orders", "Money", "Messages", "Cases", "Evidence"]
    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    for title, page in pages:
        tabs.addTab(page, title)
    tabs.resize(1280, 800)
    tabs.show()
    for n in range(len(pages)):
        tabs.setCurrentIndex(n)
        settle(qtbot, ctx)
    shown = route(pages, "message", ids["messages"][0])
    assert shown is pages[2][1]
    tabs.setCurrentWidget(shown)
    qtbot.waitUntil(lambda: "Marisol" in shown.chat.toPlainText(), timeout=20_000)  # type: ignore[attr-defined]
    assert route(pages, "withdrawal", 1) is pages[1][1]
    assert route(pages, "step", 3) is None
    settle(qtbot, ctx)

    with qtbot.waitSignal(ctx.vaults.locked, timeout=20_000):
        ctx.vaults.lock()
    qtbot.wait(50)
    secrets = ("Marisol", "crushed", "Kenji", "576457", "Priya", "USPS")

    def leaks(widget: QWidget) -> list[str]:
        found = []
        for child in widget.findChildren(QWidget):
            texts = []
            if isinstance(child, QLabel | QLineEdit):
                texts.append(child.text())
            elif isinstance(child, QTextEdit):  # the chat, and long values in a facts form
                texts.append(child.toPlainText())
            found += [f"{type(child).__name__}: {t[:60]}" for t in texts if any(s in t for s in secrets)]
        return found

    assert leaks(tabs) == []
    for _title, page in pages:
        models = [page.model] if hasattr(page, "model") else [p.model for p in page.pages.values()]  # type: ignore[attr-defined]
        assert all(m.rowCount() == 0 for m in models)
