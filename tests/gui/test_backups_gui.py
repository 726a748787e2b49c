"""Backups from the window: a daily copy on unlock, and "Back up now" in the File menu."""

from __future__ import annotations

from collections.abc import Callable

from shopexit.core.vault import Vault, list_backups
from tests.conftest import PASSPHRASE
from tests.gui.conftest import TIMEOUT, App


def test_unlock_takes_the_daily_backup_and_back_up_now_adds_one(app_on: Callable[..., App]) -> None:
    app = app_on()
    main = app.unlock()
    app.wait_idle()
    daily = list_backups(app.path)
    assert len(daily) == 1

    app.ctx.dialogs.next_answers.append(None)  # the "Backup written" message
    main.backup_action.trigger()
    app.qtbot.waitUntil(lambda: len(list_backups(app.path)) == 2 and main.backup_action.isEnabled(),
                        timeout=TIMEOUT)
    newest = list_backups(app.path)[-1]
    with Vault.open(newest, PASSPHRASE) as copy:  # a real vault, opened by the same passphrase
        assert copy.profile().shop_name == "Harbor Goods Co"
