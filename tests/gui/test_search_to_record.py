"""Ctrl+F in the main window, a word, Enter: the record page that holds the hit comes to the front showing it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from shopexit.gui.records.messages import MessagesPage
from shopexit.gui.records.search import SearchDialog
from tests.gui.conftest import TIMEOUT, App
from tests.helpers.records import seed_shop


def test_search_then_enter_shows_the_message_on_the_messages_page(app_on: Callable[..., App]) -> None:
    app = app_on(seed_shop)
    ids = app.seeded
    thread_id, message_id = ids["thread"], ids["messages"][0]  # "…the box was crushed and the candle jar…"
    main = app.unlock()
    assert main.current_step() is not None  # a step page is showing, not Messages

    app.qtbot.keyClick(main, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    app.qtbot.waitUntil(lambda: any(isinstance(w, SearchDialog) and w.isVisible()
                                    for w in QApplication.topLevelWidgets()), timeout=TIMEOUT)
    dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, SearchDialog) and w.isVisible())
    assert dialog.box.hasFocus() or dialog.focusWidget() is dialog.box
    app.qtbot.keyClicks(dialog.box, "crushed")
    app.qtbot.keyClick(dialog.box, Qt.Key.Key_Return)  # straight away: the best hit opens once found

    page = dict(main.record_pages)["Messages"]
    assert isinstance(page, MessagesPage)
    app.qtbot.waitUntil(lambda: main.stack.currentWidget() is page and page.detail_data is not None
                        and page.detail_data.id == thread_id, timeout=TIMEOUT)
    app.wait_idle()
    assert not dialog.isVisible()
    assert main.sidebar.current() == ("record", [t for t, _p in main.record_pages].index("Messages"))
    assert page.current_id == thread_id
    selected = page.table.selectionModel().selectedRows()
    assert [page.model.record_id(i.row()) for i in selected] == [thread_id]  # its row chosen in the list
    assert page._highlight == (thread_id, message_id)  # the message itself marked in the conversation
    assert "the box was crushed" in page.chat.toPlainText()
    assert "#fff4c2" in page.chat.toHtml()  # the highlight colour of a message from the buyer
