"""The guided exit in the real window: walking the steps, marking one done and undoing it, notes that survive a
lock, the idle lock that leaves nothing decrypted behind, and the step pages' live facts."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton, QWidget

from shopexit.core import step_texts
from shopexit.core.vault import Vault, list_backups
from shopexit.gui.import_dialog import ImportDialog
from shopexit.gui.steps.common import day
from shopexit.gui.steps.sections import CloseSection, FulfilSection, LinksSection, RecordsSection
from shopexit.gui.worker import Progress
from tests.conftest import PASSPHRASE
from tests.gui.conftest import TIMEOUT, App, widget_texts, widgets_holding
from tests.helpers.records import add_order

CANARY = "Quentin Canaryfield"


def _vault_value(app: App, sql: str, *args: object) -> object:
    """Read the vault through its own thread, the way the app does."""
    box: dict[str, object] = {}

    def job(vault: Vault, _p: Progress) -> object:
        return vault.conn.execute(sql, args).fetchone()

    with app.qtbot.waitCallback(timeout=TIMEOUT) as done:
        app.ctx.vaults.submit(job, on_done=done)
    box["row"] = done.args[0]
    return box["row"]


def test_walk_the_ten_steps_by_keyboard(app_on: Callable[..., App]) -> None:
    app = app_on()
    main = app.unlock()
    assert main.current_step() == 1  # the first step not done yet
    for number in range(1, 11):
        if number > 1:
            app.qtbot.keyClick(main, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
            app.qtbot.waitUntil(lambda n=number: n in main.pages and main.pages[n].data is not None,
                                timeout=TIMEOUT)
        page = main.pages[number]
        assert main.current_step() == number and main.stack.currentWidget() is page
        assert page.title.text() == step_texts.load(number).title
        assert page.guide_text.text() and not page.loading.isVisible()
        assert [b.text() for b in page.checklist.boxes.values()] == [d.text for d in
                                                                     step_texts.load(number).checklist]
        assert page.section.isVisibleTo(page)
    # every control a keyboard or screen-reader user meets is named
    for widget in main.findChildren(QWidget):
        if isinstance(widget, QPushButton):
            assert widget.text() or widget.accessibleName(), widget
        if isinstance(widget, QLineEdit) and widget.isVisibleTo(main):
            assert widget.accessibleName() or widget.placeholderText(), widget
    app.qtbot.keyClick(main, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert main.current_step() == 4


def test_mark_a_step_done_and_undo_it(app_on: Callable[..., App]) -> None:
    app = app_on()
    main = app.unlock()
    page = app.page(3)
    with app.qtbot.waitSignal(main.overview_loaded, timeout=TIMEOUT):
        app.qtbot.mouseClick(page.done_button, Qt.MouseButton.LeftButton)
    status, done_at = _vault_value(app, "SELECT status, done_at FROM steps WHERE number = 3")  # type: ignore[misc]
    assert status == "done" and done_at
    assert page.chip.text() == f"Done {day(done_at)}"
    assert page.undo_button.isVisible() and not page.done_button.isVisible()
    assert main.sidebar.progress_text.text() == "1 of 10 steps done"

    with app.qtbot.waitSignal(main.overview_loaded, timeout=TIMEOUT):
        app.qtbot.keyClick(page, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)  # Ctrl+D toggles back
    assert _vault_value(app, "SELECT status, done_at FROM steps WHERE number = 3") == ("doing", None)
    assert page.chip.text() == "In progress" and page.done_button.isVisible()
    assert main.sidebar.progress_text.text() == "0 of 10 steps done"


def test_checklist_items_tick_and_the_users_own(app_on: Callable[..., App]) -> None:
    app = app_on()
    app.unlock()
    page = app.page(6)
    app.qtbot.keyClicks(page.checklist.new_item, "Update the QR code on packing slips")
    with app.qtbot.waitSignal(page.loaded, timeout=TIMEOUT):
        app.qtbot.keyClick(page.checklist.new_item, Qt.Key.Key_Return)
    box = next(b for b in page.checklist.boxes.values() if b.text() == "Update the QR code on packing slips")
    with app.qtbot.waitSignal(page.loaded, timeout=TIMEOUT):
        box.click()
    assert _vault_value(app, "SELECT done, custom FROM step_checklist WHERE text = ?",
                        "Update the QR code on packing slips") == (1, 1)
    assert _vault_value(app, "SELECT status FROM steps WHERE number = 6") == ("doing",)
    assert page.checklist.summary.text() == f"1 of {len(page.checklist.boxes)} done"


def test_notes_survive_lock_and_unlock(app_on: Callable[..., App]) -> None:
    app = app_on()
    main = app.unlock()
    page = app.page(9)
    page.notes.setFocus()
    app.qtbot.keyClicks(page.notes, "Call the accountant about the final payout")
    # Lock straight away (Ctrl+L): the lock sequence saves what was typed before closing the vault
    with app.qtbot.waitSignal(app.controller.locked, timeout=TIMEOUT):
        app.qtbot.keyClick(main, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert app.controller.main is None and app.controller.unlock_window.isVisible()
    app.unlock()
    page = app.page(9)
    assert page.notes.toPlainText() == "Call the accountant about the final payout"


def _seed_canary(vault: Vault) -> None:
    add_order(vault, "576457646075230001", status="Awaiting shipment", buyer="q.canary", recipient=CANARY,
              created_at="2026-11-20T10:00:00Z", lines=[("Linen throw", 1, 5100)])
    with vault.transaction() as tx:
        tx.execute("UPDATE steps SET notes = ? WHERE number = 2", (f"Ring {CANARY} before shipping",))


def test_the_idle_lock_leaves_no_record_text_in_any_widget(app_on: Callable[..., App]) -> None:
    app = app_on(_seed_canary, idle_ms=600_000)
    main = app.unlock()
    page = app.page(2)
    assert isinstance(page.section, FulfilSection)
    assert page.section.table.rowCount() == 1
    assert widgets_holding(CANARY), "the canary should be on screen before the lock"
    app.ctx.copy_text(f"{CANARY} order")
    assert QApplication.clipboard().text() == f"{CANARY} order"
    main.open_import()  # a dialog left open when the lock comes
    dialog = main.findChild(ImportDialog)
    assert dialog is not None and dialog.isVisible()

    app.controller.idle.set_interval(300)  # short, now that everything is on screen
    with app.qtbot.waitSignal(app.controller.locked, timeout=10_000):
        pass  # no input: the idle timer fires
    assert app.controller.main is None and not app.ctx.vaults.is_unlocked
    assert "without activity" in app.controller.unlock_window.open_page.message.text()
    assert QApplication.clipboard().text() != f"{CANARY} order"
    app.qtbot.waitUntil(lambda: not widgets_holding(CANARY) and not widgets_holding("Linen throw"),
                        timeout=TIMEOUT)
    assert all(not w.isVisible() for w in QApplication.topLevelWidgets() if w is not app.controller.unlock_window)
    # and the vault itself is closed: the file lock is free for another opener
    app.qtbot.waitUntil(lambda: _can_open(app.path), timeout=TIMEOUT)  # refused at the file lock until then


def _can_open(path: Path) -> bool:
    try:
        Vault.open(path, PASSPHRASE).lock()
    except Exception:
        return False
    return True


def test_step_2_lists_exactly_the_open_orders_of_an_imported_sample(app_on: Callable[..., App],
                                                                      tmp_path: Path) -> None:
    from shopexit.core.importers import import_file
    from shopexit.core.sample_exports import make_shop, write_shop

    shop = make_shop(seed=11, orders=40)
    files = write_shop(shop, tmp_path / "exports")
    app = app_on(lambda vault: import_file(vault, files["orders"]))
    app.unlock()
    page = app.page(2)
    section = page.section
    assert isinstance(section, FulfilSection)
    table = section.table
    shown = [table.item(r, 0).text() for r in range(table.rowCount())]
    expected = {o.order_id for o in shop.orders if o.status not in ("Completed", "Cancelled")}
    assert len(shown) == len(expected) and set(shown) == expected
    statuses = [table.item(r, 1).text() for r in range(table.rowCount())]
    awaiting = [s.startswith(("Awaiting shipment", "Awaiting collection")) for s in statuses]
    assert awaiting == sorted(awaiting, reverse=True)  # awaiting shipment first
    assert section.count.value.text() == str(len(expected))
    assert all(table.item(r, 3).text().endswith(("days", "day", "today")) for r in range(table.rowCount()))


def _completed_orders(last_delivered: date) -> Callable[[Vault], None]:
    def seed(vault: Vault) -> None:
        add_order(vault, "A1", created_at=f"{(last_delivered - timedelta(days=20)).isoformat()}T10:00:00Z",
                  delivered_at=f"{(last_delivered - timedelta(days=15)).isoformat()}T10:00:00Z")
        add_order(vault, "A2", created_at=f"{(last_delivered - timedelta(days=5)).isoformat()}T10:00:00Z",
                  delivered_at=f"{last_delivered.isoformat()}T18:00:00Z")
    return seed


def test_step_4_earliest_date_follows_the_notice_and_the_last_order(app_on: Callable[..., App]) -> None:
    today = date.today()
    app = app_on(_completed_orders(today - timedelta(days=80)))
    app.unlock()
    page = app.page(4)
    section = page.section
    assert isinstance(section, CloseSection)
    # no notice yet: posting it today would allow closing in 30 days (the 90 days end sooner)
    assert section.earliest.text() == day(today + timedelta(days=30))
    notice = today - timedelta(days=10)
    section.notice_date.setDate(section.notice_date.date().addDays(-10))
    with app.qtbot.waitSignal(page.loaded, timeout=TIMEOUT):
        app.qtbot.mouseClick(section.save_notice, Qt.MouseButton.LeftButton)
    assert section.earliest.text() == day(notice + timedelta(days=30))
    row = _vault_value(app, "SELECT data_json FROM steps WHERE number = 4")
    assert notice.isoformat() in str(row)
    assert app.main.sidebar.close_text.text().endswith(day(notice + timedelta(days=30)))


def test_step_4_waits_for_ninety_days_after_a_recent_order(app_on: Callable[..., App]) -> None:
    today = date.today()
    app = app_on(_completed_orders(today - timedelta(days=5)))
    app.unlock()
    section = app.page(4).section
    assert isinstance(section, CloseSection)
    assert section.earliest.text() == day(today + timedelta(days=85))


def test_step_4_gives_the_soonest_date_while_an_order_is_open(app_on: Callable[..., App]) -> None:
    today = date.today()
    app = app_on(_seed_canary)  # one order awaiting shipment
    app.unlock()
    section = app.page(4).section
    assert isinstance(section, CloseSection)
    assert section.earliest.text() == f"Not before {day(today + timedelta(days=90))}"
    assert "every order is Completed or Cancelled" in section.when.text()
    soonest = today + timedelta(days=90)
    assert app.main.sidebar.close_text.text() == f"Earliest closure: not before {soonest.day} {soonest:%b %Y}"


def test_links_table_with_the_usual_places(app_on: Callable[..., App]) -> None:
    app = app_on()
    app.unlock()
    page = app.page(6)
    section = page.section
    assert isinstance(section, LinksSection)
    with app.qtbot.waitSignal(page.loaded, timeout=TIMEOUT):
        app.qtbot.mouseClick(section.usual, Qt.MouseButton.LeftButton)
    assert section.table.rowCount() == 6 and not section.usual.isVisible()
    section.table.selectRow(0)
    with app.qtbot.waitSignal(page.loaded, timeout=TIMEOUT):
        app.qtbot.mouseClick(section.toggle, Qt.MouseButton.LeftButton)
    assert section.table.item(0, 3).text().startswith("✓")
    assert section.progress.text() == "1 of 6 updated"
    app.ctx.dialogs.next_answers.append({"place": "Pinterest", "old_url": "https://shop.example/x",
                                         "new_destination": "https://new.example"})
    with app.qtbot.waitSignal(page.loaded, timeout=TIMEOUT):
        section._add()
    assert section.table.rowCount() == 7


def test_purging_buyer_data_through_step_10(app_on: Callable[..., App]) -> None:
    app = app_on(_seed_canary)
    app.unlock()
    page = app.page(10)
    section = page.section
    assert isinstance(section, RecordsSection)
    assert section.purge_button.isEnabled() and "1 order still holds" in section.purge_text.text()
    app.ctx.dialogs.next_answers.extend([False])  # the user thinks again: nothing happens
    app.qtbot.mouseClick(section.purge_button, Qt.MouseButton.LeftButton)
    assert _vault_value(app, "SELECT recipient FROM orders") == (CANARY,)
    app.ctx.dialogs.next_answers.extend([True, None])  # confirm, then dismiss the report
    with app.qtbot.waitSignal(page.loaded, timeout=TIMEOUT):
        app.qtbot.mouseClick(section.purge_button, Qt.MouseButton.LeftButton)
    assert _vault_value(app, "SELECT recipient, buyer_username, buyer_purged FROM orders") == ("", "", 1)
    assert not section.purge_button.isEnabled()
    assert "No buyer personal data is kept" in section.purge_text.text()


def test_after_the_purge_older_backups_can_be_replaced_by_a_fresh_one(app_on: Callable[..., App]) -> None:
    def seed(vault: Vault) -> None:
        _seed_canary(vault)
        vault.backup(keep=5)
        vault.backup(keep=5)

    app = app_on(seed)
    app.unlock()
    page = app.page(10)
    section = page.section
    assert isinstance(section, RecordsSection)
    older = set(list_backups(app.path))
    assert len(older) >= 2
    app.ctx.dialogs.next_answers.extend([True, True, None])  # remove, replace the backups, dismiss the report
    with app.qtbot.waitSignal(page.loaded, timeout=TIMEOUT):
        app.qtbot.mouseClick(section.purge_button, Qt.MouseButton.LeftButton)
    app.qtbot.waitUntil(lambda: not app.ctx.dialogs.next_answers, timeout=TIMEOUT)
    backups = list_backups(app.path)
    assert len(backups) == 1 and backups[0] not in older and "purged" in backups[0].name
    with Vault.open(backups[0], PASSPHRASE) as copy:
        assert copy.conn.execute("SELECT recipient, buyer_purged FROM orders").fetchall() == [("", 1)]


def test_dropping_files_on_the_window_opens_the_import_preview(app_on: Callable[..., App], tmp_path: Path) -> None:
    from shopexit.core.sample_exports import write_exports

    files = write_exports(tmp_path / "exports", seed=3, orders=12)
    app = app_on()
    main = app.unlock()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(files["orders"])), QUrl.fromLocalFile(str(files["withdrawals"]))])
    drop = QDropEvent(QPointF(400, 300), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    main.dropEvent(drop)
    dialog = main.findChild(ImportDialog)
    assert dialog is not None
    app.qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=TIMEOUT)
    cells = [widget_texts(dialog.table)]
    assert any("Orders" in t for t in cells[0]) and any("Withdrawals" in t for t in cells[0])
    # a dry run: nothing is in the vault yet
    assert _vault_value(app, "SELECT count(*) FROM orders") == (0,)
    with app.qtbot.waitSignal(dialog.finished_all, timeout=TIMEOUT):
        app.qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert _vault_value(app, "SELECT count(*) FROM orders") == (12,)
    assert _vault_value(app, "SELECT count(*) FROM withdrawals") == (3,)
    assert dialog.cancel_button.text() == "Close"


@pytest.mark.parametrize("how", ["cancel", "close"])
def test_a_cancelled_import_leaves_nothing(app_on: Callable[..., App], tmp_path: Path, how: str) -> None:
    """Cancel stops the import; so does closing the dialog while it runs (nothing writes behind a closed window)."""
    from shopexit.core.sample_exports import write_exports

    files = write_exports(tmp_path / "exports", seed=5, orders=30)
    app = app_on()
    main = app.unlock()
    dialog = ImportDialog(app.ctx, main, [files["orders"]])
    dialog.open()
    app.qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=TIMEOUT)
    # Hold the vault thread so the import is queued, then press Cancel before it can start reading.
    gate = threading.Event()
    app.ctx.vaults.submit(lambda _v, _p: gate.wait(10))
    app.qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert dialog.cancel_button.text() == "Cancel"
    if how == "cancel":
        app.qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
        assert dialog.isVisible() and dialog.status.text() == "Cancelling…"
    else:
        dialog.reject()  # the window's close button, or Esc
        assert not dialog.isVisible()
    with app.qtbot.waitSignal(dialog.finished_all, timeout=TIMEOUT):
        gate.set()
    assert "Cancelled" in dialog.status.text()
    assert _vault_value(app, "SELECT count(*) FROM orders") == (0,)
    assert _vault_value(app, "SELECT count(*) FROM imports") == (0,)


def test_after_lock_no_job_result_reaches_a_view(app_on: Callable[..., App]) -> None:
    app = app_on()
    app.unlock()
    gate = threading.Event()
    reached: list[object] = []
    app.ctx.vaults.submit(lambda _v, _p: gate.wait(10) and "decrypted", on_done=reached.append,
                          on_error=reached.append)
    with app.qtbot.waitSignal(app.controller.locked, timeout=TIMEOUT):
        app.controller.lock()
    with app.qtbot.waitSignal(app.ctx.vaults.locked, timeout=TIMEOUT):
        gate.set()
    app.qtbot.waitUntil(lambda: not app.ctx.vaults.busy, timeout=TIMEOUT)
    assert reached == []


def test_state_after_unlock_is_read_from_the_vault(app_on: Callable[..., App]) -> None:
    def seed(vault: Vault) -> None:
        with vault.transaction() as tx:
            tx.execute("UPDATE steps SET status = 'done', done_at = '2026-11-01T10:00:00Z' WHERE number IN (1, 2)")

    app = app_on(seed)
    main = app.unlock()
    assert main.current_step() == 3  # opens on the first step not done
    assert main.sidebar.progress_text.text() == "2 of 10 steps done"


def test_export_dialog_writes_a_verified_archive_that_step_10_reports(app_on: Callable[..., App],
                                                                        tmp_path: Path) -> None:
    from shopexit.gui.export_dialog import ExportDialog

    app = app_on(_seed_canary)
    main = app.unlock()
    page = app.page(10)
    app.qtbot.keyClick(main, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    dialog = main.findChild(ExportDialog)
    assert dialog is not None and dialog.isVisible()
    out = tmp_path / "out" / "archive.pdf"
    out.parent.mkdir()
    dialog.out.setText(str(out))
    dialog.redact.setChecked(True)
    assert not dialog.images.isChecked()  # leaving buyers out leaves evidence files out unless asked
    with app.qtbot.waitSignal(dialog.finished_all, timeout=120_000) as finished:
        app.qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert finished.args == [True], dialog.status.text()
    assert out.is_file() and out.read_bytes().startswith(b"%PDF")
    assert "Checked: valid" in dialog.status.text()
    app.qtbot.waitUntil(lambda: page.data is not None and page.data.facts.last_export is not None, timeout=TIMEOUT)
    section = page.section
    assert isinstance(section, RecordsSection)
    assert "archive.pdf" in section.last.text() and "valid" in section.last.text()


def test_preferences_set_the_idle_lock_time(app_on: Callable[..., App]) -> None:
    app = app_on()
    main = app.unlock()
    app.ctx.dialogs.next_answers.append({"idle_lock_minutes": 2, "max_evidence_mb": 50, "keep_backups": 3})
    main.open_preferences()
    assert app.controller.idle.interval_ms == 120_000
    from shopexit.core.settings import load

    saved = load(app.ctx.settings_file)
    assert (saved.idle_lock_minutes, saved.max_evidence_mb, saved.keep_backups) == (2, 50, 3)
