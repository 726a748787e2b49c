"""The unlock window: creating a vault through the form, and a wrong passphrase met calmly."""

from __future__ import annotations

import gc
from collections.abc import Callable

from PySide6.QtCore import Qt

from shopexit.core.vault import Vault
from tests.conftest import PASSPHRASE
from tests.gui.conftest import TIMEOUT, App


def test_create_a_vault_through_the_form(app_on: Callable[..., App]) -> None:
    app = app_on(create=False)
    qtbot = app.qtbot
    window = app.controller.unlock_window
    page = window.create_page
    assert window.current_page() is page  # no vault yet: the app starts by making one
    page.path.setText(str(app.path))
    page.creator.insert("Zoë Ångström")  # as an input method types it (QTest types ASCII only)
    qtbot.keyClicks(page.shop, "Harbor Goods Co")
    page.region.setCurrentText("GB")
    assert page.currency.currentText() == "GBP"

    # a weak passphrase is refused, with the reason, and nothing is written
    qtbot.keyClicks(page.passphrase, "harbor123")
    qtbot.keyClicks(page.repeat, "harbor123")
    qtbot.waitUntil(lambda: page.meter_text.text().startswith("Weak") or page.meter_text.text().startswith("Very"),
                    timeout=TIMEOUT)
    assert page.meter.value() < 3
    qtbot.mouseClick(page.create_button, Qt.MouseButton.LeftButton)
    assert page.message.isVisible() and "too easy to guess" in page.message.text()
    assert not app.path.exists()

    # two different passphrases are refused too
    page.passphrase.clear()
    page.repeat.clear()
    qtbot.keyClicks(page.passphrase, PASSPHRASE)
    qtbot.keyClicks(page.repeat, PASSPHRASE + "!")
    qtbot.mouseClick(page.create_button, Qt.MouseButton.LeftButton)
    assert page.message.text() == "The two passphrases differ."
    assert not app.path.exists()

    page.repeat.clear()
    qtbot.keyClicks(page.repeat, PASSPHRASE)
    with qtbot.waitSignal(app.controller.main_shown, timeout=TIMEOUT):
        qtbot.keyClick(page.repeat, Qt.Key.Key_Return)
    assert page.passphrase.text() == "" and page.repeat.text() == ""  # no secret left in a widget
    main = app.main
    qtbot.waitUntil(lambda: main.overview is not None, timeout=TIMEOUT)
    assert main.sidebar.shop.text() == "Harbor Goods Co"
    assert str(app.path) in app.ctx.settings.recent_vaults
    # what lives while the window is open is kept out of the cycle collector's full passes, until the lock
    qtbot.waitUntil(lambda: gc.get_freeze_count() > 10_000, timeout=TIMEOUT)
    with qtbot.waitSignal(app.ctx.vaults.locked, timeout=TIMEOUT):
        app.controller.lock()
    assert gc.get_freeze_count() == 0
    with Vault.open(app.path, PASSPHRASE) as vault:
        profile = vault.profile()
    assert (profile.creator, profile.shop_name, profile.region, profile.currency) == (
        "Zoë Ångström", "Harbor Goods Co", "GB", "GBP")


def test_a_wrong_passphrase_gets_a_calm_message_and_an_empty_field(app_on: Callable[..., App]) -> None:
    app = app_on()
    qtbot = app.qtbot
    page = app.controller.unlock_window.open_page
    assert app.controller.unlock_window.current_page() is page
    page.vault.setEditText(str(app.path))
    qtbot.keyClicks(page.passphrase, "not the passphrase at all")
    qtbot.mouseClick(page.unlock_button, Qt.MouseButton.LeftButton)
    assert page.passphrase.text() == ""
    qtbot.waitUntil(lambda: page.message.isVisible(), timeout=TIMEOUT)
    assert page.message.text() == f"That passphrase doesn't open {app.path.name}. Check it and try again."
    assert page.passphrase.hasFocus() or not app.controller.unlock_window.isActiveWindow()
    assert page.unlock_button.isEnabled() and not page.busy.isVisible()
    assert app.controller.main is None and not app.ctx.vaults.is_unlocked

    main = app.unlock()  # and the right one still works
    assert main.isVisible()
    assert not page.message.isVisible() and page.passphrase.text() == ""
