"""The table sections (steps 5, 6, 8 and 9) share one scaffold: add, edit and remove a row through it, and the
buttons that need a chosen row follow the selection."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from shopexit.gui.steps.sections import AdviceSection, AnnounceSection, PlatformSection, TableSection
from tests.gui.conftest import TIMEOUT, App


def _cell(section: TableSection, row: int, column: int) -> str:
    item = section.table.item(row, column)
    assert item is not None
    return item.text()


def test_advice_rows_are_added_edited_and_removed(app_on: Callable[..., App]) -> None:
    app = app_on()
    app.unlock()
    page = app.page(9)
    section = page.section
    assert isinstance(section, AdviceSection)
    assert section.none.isVisibleTo(section) and not section.table.isVisibleTo(section)
    assert not section.edit_button.isEnabled() and not section.remove_button.isEnabled()
    app.ctx.dialogs.next_answers.append({"who": "Jonah, accountant", "consulted_on": date(2026, 11, 2),
                                         "advice": "Keep every settlement.", "cost": "12.50", "currency": "gbp"})
    with app.qtbot.waitSignal(page.loaded, timeout=TIMEOUT):
        section._add()
    assert section.table.rowCount() == 1 and section.table.isVisibleTo(section)
    assert not section.none.isVisibleTo(section)
    assert _cell(section, 0, 1) == "Jonah, accountant"
    assert "12.50" in _cell(section, 0, 3) and "Spent on advice" in section.total.text()

    section.table.selectRow(0)
    assert section.edit_button.isEnabled() and section.proof.isEnabled() and section.remove_button.isEnabled()
    app.ctx.dialogs.next_answers.append({"who": "Jonah Okafor", "consulted_on": date(2026, 11, 3),
                                         "advice": "Keep every settlement.", "cost": "", "currency": "USD"})
    with app.qtbot.waitSignal(page.loaded, timeout=TIMEOUT):
        section._edit()
    assert _cell(section, 0, 1) == "Jonah Okafor" and _cell(section, 0, 3) == "—"

    section.table.selectRow(0)
    app.ctx.dialogs.next_answers.append(False)  # "Remove the entry?" — no
    section._remove()
    app.wait_idle()
    assert section.table.rowCount() == 1
    app.ctx.dialogs.next_answers.append(True)
    with app.qtbot.waitSignal(page.loaded, timeout=TIMEOUT):
        section._remove()
    assert section.table.rowCount() == 0 and section.none.isVisibleTo(section)


def test_a_platform_is_added_and_removed_and_the_announcement_buttons_follow_the_rows(
        app_on: Callable[..., App]) -> None:
    app = app_on()
    app.unlock()
    page = app.page(8)
    section = page.section
    assert isinstance(section, PlatformSection)
    app.ctx.dialogs.next_answers.append({"name": "Etsy"})
    with app.qtbot.waitSignal(page.loaded, timeout=TIMEOUT):
        section._add()
    assert _cell(section, 0, 0) == "Etsy"
    section.table.setCurrentCell(0, 0)
    assert section.choose.isEnabled() and section.choose.text() == "Choose this platform"
    app.ctx.dialogs.next_answers.append(True)
    with app.qtbot.waitSignal(page.loaded, timeout=TIMEOUT):
        section._remove()
    assert section.table.rowCount() == 0 and not section.remove_button.isEnabled()

    page = app.page(5)
    announce = page.section
    assert isinstance(announce, AnnounceSection)
    assert not announce.edit_button.isEnabled() and not announce.remove_button.isEnabled()
    app.ctx.dialogs.next_answers.append({"place": "Newsletter", "posted_on": date(2026, 11, 1), "url": "",
                                         "note": ""})
    with app.qtbot.waitSignal(page.loaded, timeout=TIMEOUT):
        announce._add()
    assert _cell(announce, 0, 1) == "Newsletter"
    assert announce.edit_button.isEnabled() and announce.remove_button.isEnabled()
