"""The first window: open a vault with its passphrase, or create one.

Key derivation (PBKDF2, a fraction of a second by design) runs on the vault thread; this window only shows a
busy bar. The passphrase field is emptied as soon as it has been handed over, right or wrong, so no secret
stays in a widget. A wrong passphrase gets one calm sentence and nothing else.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal, SignalInstance
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from shopexit.core import passphrase as passphrase_mod
from shopexit.core.vault import ShopProfile
from shopexit.gui import style
from shopexit.gui.context import GuiContext

REGION_CURRENCY = {
    "US": "USD", "GB": "GBP", "UK": "GBP", "ID": "IDR", "TH": "THB", "VN": "VND", "MY": "MYR", "PH": "PHP",
    "SG": "SGD", "JP": "JPY", "MX": "MXN", "ES": "EUR", "DE": "EUR", "FR": "EUR", "IT": "EUR", "BR": "BRL",
}
STRENGTH_WORDS = ("Very weak", "Weak", "Fair", "Strong", "Very strong")
VAULT_FILTER = "shopexit vaults (*.shopexit);;All files (*)"


def _busy_bar(parent: QWidget) -> QProgressBar:
    bar = QProgressBar(parent)
    bar.setRange(0, 0)
    bar.setTextVisible(False)
    bar.setMaximumHeight(6)
    bar.setAccessibleName("Working")
    bar.setVisible(False)
    return bar


def _message(parent: QWidget) -> QLabel:
    label = QLabel("", parent)
    label.setObjectName("warn")
    label.setWordWrap(True)
    label.setAccessibleName("Message")
    label.setVisible(False)
    return label


def _buddy(text: str, field: QWidget, parent: QWidget) -> QLabel:
    """A form label whose Alt+letter focuses `field` (a row holding a layout gets no buddy by itself)."""
    label = QLabel(text, parent)
    label.setBuddy(field)
    return label


def _password_field(parent: QWidget, name: str) -> QLineEdit:
    field = QLineEdit(parent)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setAccessibleName(name)
    field.setClearButtonEnabled(False)
    return field


class _KeyFileRow(QWidget):
    """Optional second factor: a key file kept apart from the vault (off unless ticked)."""

    def __init__(self, ctx: GuiContext, parent: QWidget) -> None:
        super().__init__(parent)
        self._ctx = ctx
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.toggle = QCheckBox("I use a key file", self)
        self.toggle.setAccessibleName("Use a key file")
        self.path = QLineEdit(self)
        self.path.setAccessibleName("Key file")
        self.path.setPlaceholderText("Key file")
        browse = QPushButton("Choose…", self)
        browse.setAccessibleName("Choose key file")
        browse.clicked.connect(self._browse)
        line = style.row(self.path, browse)
        self._line = QWidget(self)
        self._line.setLayout(line)
        self._line.setVisible(False)
        self.toggle.toggled.connect(self._line.setVisible)
        layout.addWidget(self.toggle)
        layout.addWidget(self._line)
        self.setVisible(hasattr(passphrase_mod, "effective_passphrase"))

    def _browse(self) -> None:
        chosen = self._ctx.dialogs.open_file(self, "Choose your key file")
        if chosen:
            self.path.setText(str(chosen))

    def key_file(self) -> Path | None:
        if not self.toggle.isChecked() or not self.path.text().strip():
            return None
        return Path(self.path.text().strip()).expanduser()


def _effective(passphrase: str, key_file: Path | None) -> str:
    """The string the vault is keyed with; refuses (with the core's message) an unreadable key file."""
    if key_file is None:
        return passphrase
    effective: Any = passphrase_mod.effective_passphrase  # added by the key-file feature
    return str(effective(passphrase, key_file))


class _VaultPage(QWidget):
    """What opening and creating share: the page's frame, the message line and busy bar, and the busy state
    that holds the form still while the vault thread derives the key."""

    opened = Signal(str)  # the path of the vault now unlocked
    key_file: _KeyFileRow

    def __init__(self, ctx: GuiContext, parent: QWidget, title: str) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._editable: tuple[QWidget, ...] = ()  # what is disabled while busy
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(0, 0, 0, 0)
        self.body.setSpacing(style.SPACE)
        self.body.addWidget(style.heading(title, 1.3, self))

    @staticmethod
    def _form() -> QFormLayout:
        form = QFormLayout()
        form.setSpacing(style.SPACE - 4)
        return form

    def _browse_button(self, name: str) -> QPushButton:
        browse = QPushButton("Browse…", self)
        browse.setAccessibleName(name)
        browse.clicked.connect(self._browse)
        return browse

    def _browse(self) -> None:
        raise NotImplementedError

    def _foot(self, other: str, on_other: SignalInstance, action: str) -> tuple[QPushButton, QPushButton]:
        """The message line, the busy bar, and the buttons closing the page: `other` leads to the other page,
        `action` submits this one."""
        self.message = _message(self)
        self.busy = _busy_bar(self)
        self.body.addWidget(self.message)
        self.body.addWidget(self.busy)
        other_button = QPushButton(other, self)
        other_button.clicked.connect(on_other)
        action_button = QPushButton(action, self)
        action_button.setObjectName("primary")
        action_button.clicked.connect(self.submit)
        self.body.addLayout(style.row(other_button, None, action_button))
        return other_button, action_button

    def submit(self) -> None:
        raise NotImplementedError

    def set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        for w in self._editable:
            w.setEnabled(not busy)

    def say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _keyed(self, secret: str) -> str | None:
        """`secret` joined with the key file when one is ticked; None, with the reason said, when it can't be."""
        try:
            return _effective(secret, self.key_file.key_file())
        except Exception as exc:  # the core's typed key-file error: one line for the user
            self.say(str(exc))
            return None

    def _begin(self) -> None:
        self.say("")
        self.set_busy(True)

    def _done(self, path: Path) -> None:
        self.set_busy(False)
        self.opened.emit(str(path))

    def _failed(self, message: str) -> None:
        self.set_busy(False)
        self.say(message)


class OpenPage(_VaultPage):
    create_requested = Signal()

    def __init__(self, ctx: GuiContext, parent: QWidget) -> None:
        super().__init__(ctx, parent, "Open your vault")
        layout = self.body
        form = self._form()
        self.vault = QComboBox(self)
        self.vault.setEditable(True)
        self.vault.setAccessibleName("Vault file")
        self.vault.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.vault.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.vault.setMinimumContentsLength(24)
        browse = self._browse_button("Browse for a vault file")
        form.addRow(_buddy("&Vault", self.vault, self), style.row(self.vault, browse))
        self.passphrase = _password_field(self, "Passphrase")
        self.passphrase.returnPressed.connect(self.submit)
        form.addRow("&Passphrase", self.passphrase)
        layout.addLayout(form)
        self.key_file = _KeyFileRow(ctx, self)
        layout.addWidget(self.key_file)

        self.create_button, self.unlock_button = self._foot("Create a new vault…", self.create_requested, "Unlock")
        self.unlock_button.setDefault(True)
        self._editable = (self.vault, self.passphrase, self.unlock_button, self.create_button, self.key_file)
        self.refresh_recent()

    def refresh_recent(self) -> None:
        current = self.vault.currentText()
        self.vault.clear()
        paths = list(self._ctx.settings.recent_vaults)
        default = str(self._ctx.default_vault)
        if default not in paths and Path(default).exists():
            paths.append(default)
        for p in paths:
            self.vault.addItem(p)
        if current:
            self.vault.setEditText(current)
        elif Path(default).exists():
            self.vault.setEditText(default)  # $SHOPEXIT_VAULT, --vault, or the app-data vault
        elif paths:
            self.vault.setCurrentIndex(0)
        else:
            self.vault.setEditText(default)

    def _browse(self) -> None:
        chosen = self._ctx.dialogs.open_file(self, "Open a vault", VAULT_FILTER)
        if chosen:
            self.vault.setEditText(str(chosen))

    def submit(self) -> None:
        path_text = self.vault.currentText().strip()
        secret = self.passphrase.text()
        self.passphrase.clear()
        if not path_text:
            self.say("Choose a vault file first.")
            return
        if not secret:
            self.say("Enter the vault's passphrase.")
            self.passphrase.setFocus()
            return
        path = Path(path_text).expanduser()
        keyed = self._keyed(secret)
        if keyed is None:
            return
        self._begin()
        self._ctx.vaults.unlock(path, keyed, on_done=lambda _r: self._done(path), on_error=self._failed)

    def _failed(self, message: str) -> None:
        if message.startswith("Wrong passphrase"):
            name = Path(self.vault.currentText()).name
            message = f"That passphrase doesn't open {name}. Check it and try again."
        super()._failed(message)
        self.passphrase.clear()
        self.passphrase.setFocus()


class CreatePage(_VaultPage):
    back_requested = Signal()

    def __init__(self, ctx: GuiContext, parent: QWidget) -> None:
        super().__init__(ctx, parent, "Create a vault")
        layout = self.body
        layout.addWidget(style.muted(
            "Everything you keep in shopexit is encrypted with this passphrase. There is no way to recover it, "
            "so choose one you will remember — a few unrelated words work well.", self))

        form = self._form()
        self.path = QLineEdit(str(ctx.default_vault), self)
        self.path.setAccessibleName("Vault file")
        browse = self._browse_button("Choose where to save the vault")
        form.addRow(_buddy("&Vault file", self.path, self), style.row(self.path, browse))
        self.creator = QLineEdit(self)
        self.creator.setAccessibleName("Your name")
        self.creator.setPlaceholderText("Your name as a creator")
        form.addRow("Your &name", self.creator)
        self.shop = QLineEdit(self)
        self.shop.setAccessibleName("Shop name")
        self.shop.setPlaceholderText("As it appears on TikTok Shop")
        form.addRow("&Shop name", self.shop)
        self.region = QComboBox(self)
        self.region.setAccessibleName("Region")
        self.region.addItems(sorted(REGION_CURRENCY))
        self.region.setCurrentText("US")
        self.currency = QComboBox(self)
        self.currency.setEditable(True)
        self.currency.setAccessibleName("Currency")
        self.currency.addItems(sorted(set(REGION_CURRENCY.values())))
        self.currency.setCurrentText("USD")
        self.region.currentTextChanged.connect(lambda r: self.currency.setCurrentText(REGION_CURRENCY.get(r, "USD")))
        region_label = QLabel("C&urrency", self)
        region_label.setBuddy(self.currency)
        form.addRow(_buddy("&Region", self.region, self),
                    style.row(self.region, region_label, self.currency, stretch_last=True))
        self.passphrase = _password_field(self, "Passphrase")
        # zxcvbn takes tens of milliseconds: rate once typing pauses, not on every keystroke.
        self._rate_timer = QTimer(self)
        self._rate_timer.setSingleShot(True)
        self._rate_timer.setInterval(150)
        self._rate_timer.timeout.connect(lambda: self._rate(self.passphrase.text()))
        self.passphrase.textChanged.connect(lambda _t: self._rate_timer.start())
        form.addRow("&Passphrase", self.passphrase)
        self.repeat = _password_field(self, "Repeat passphrase")
        self.repeat.returnPressed.connect(self.submit)
        form.addRow("Re&peat", self.repeat)
        layout.addLayout(form)

        self.meter = QProgressBar(self)
        self.meter.setRange(0, 4)
        self.meter.setTextVisible(False)
        self.meter.setMaximumHeight(6)
        self.meter.setAccessibleName("Passphrase strength")
        self.meter_text = style.muted("", self)
        self.meter_text.setAccessibleName("Passphrase strength")
        layout.addWidget(self.meter)
        layout.addWidget(self.meter_text)
        self.key_file = _KeyFileRow(ctx, self)
        self.key_file.toggle.setText("Also require a key file (advanced)")
        layout.addWidget(self.key_file)

        self.back_button, self.create_button = self._foot("Back", self.back_requested, "Create vault")
        self._editable = (self.path, self.creator, self.shop, self.region, self.currency, self.passphrase,
                          self.repeat, self.create_button, self.back_button, self.key_file)
        self._rate("")

    def _browse(self) -> None:
        chosen = self._ctx.dialogs.save_file(self, "Where to keep the vault", self.path.text(), VAULT_FILTER)
        if chosen:
            self.path.setText(str(chosen if chosen.suffix else chosen.with_suffix(".shopexit")))

    def _inputs(self) -> tuple[str, ...]:
        return (self.creator.text().strip(), self.shop.text().strip())

    def _rate(self, text: str) -> None:
        if not text:
            self.meter.setValue(0)
            self.meter_text.setText("Use 16 or more characters, or a few unrelated words.")
            return
        strength = passphrase_mod.assess(text, self._inputs())
        self.meter.setValue(max(1, strength.score))
        color = style.GOOD if strength.acceptable else (style.WARN if strength.score >= 2 else style.BAD)
        self.meter.setStyleSheet(f"QProgressBar::chunk {{ background: {color}; border-radius: 3px; }}")
        verdict = STRENGTH_WORDS[strength.score]
        self.meter_text.setText(f"{verdict}. {strength.reason}")

    def submit(self) -> None:
        creator, shop = self._inputs()
        path_text = self.path.text().strip()
        secret, again = self.passphrase.text(), self.repeat.text()
        problem = ""
        if not path_text:
            problem, focus = "Choose where to keep the vault.", self.path
        elif Path(path_text).expanduser().exists():
            problem, focus = "A file with that name already exists; choose another name or open it.", self.path
        elif not creator:
            problem, focus = "Enter your name.", self.creator
        elif not shop:
            problem, focus = "Enter the shop's name.", self.shop
        elif secret != again:
            problem, focus = "The two passphrases differ.", self.repeat
        else:
            strength = passphrase_mod.assess(secret, (creator, shop))
            if not strength.acceptable:
                problem, focus = f"That passphrase is too easy to guess: {strength.reason}", self.passphrase
        if problem:
            self.say(problem)
            focus.setFocus()
            if focus in (self.passphrase, self.repeat):
                self.repeat.clear()
            return
        path = Path(path_text).expanduser()
        keyed = self._keyed(secret)
        if keyed is None:
            return
        self.passphrase.clear()
        self.repeat.clear()
        self._begin()
        profile = ShopProfile(creator, shop, self.region.currentText(), self.currency.currentText().strip().upper()
                              or "USD")
        self._ctx.vaults.create(path, keyed, profile, on_done=lambda _r: self._done(path), on_error=self._failed)


class UnlockWindow(QWidget):
    """Top-level window shown whenever no vault is open. Holds no record data, ever."""

    opened = Signal(str)  # the path of the vault now unlocked
    closed = Signal()  # the user closed the window (no vault open: the app ends)

    def __init__(self, ctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.setObjectName("page")
        self.setWindowTitle("shopexit — unlock")
        self.setAccessibleName("Unlock shopexit")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(style.SPACE * 3, style.SPACE * 3, style.SPACE * 3, style.SPACE * 3)
        outer.addStretch(1)
        card = style.Card("", self)
        card.setMaximumWidth(600)
        card.setMinimumWidth(540)  # room for a vault's path, which is shown from its end
        card.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        brand = style.heading("shopexit", 2.0, card)
        brand.setStyleSheet(f"color: {style.ACCENT};")
        card.add(brand)
        card.add(style.muted("Leave TikTok Shop cleanly, and keep the proof.", card))
        card.body.insertSpacing(card.body.count() - 1, style.SPACE)
        # Two pages, one shown: a hidden widget takes no room, so the card is as tall as the page it shows
        # (a QStackedWidget would keep the taller page's height).
        self.open_page = OpenPage(ctx, card)
        self.create_page = CreatePage(ctx, card)
        card.add(self.open_page)
        card.add(self.create_page)
        self._shown: QWidget = self.open_page
        line = QHBoxLayout()
        line.addStretch(1)
        line.addWidget(card)
        line.addStretch(1)
        outer.addLayout(line)
        outer.addStretch(2)

        self.open_page.create_requested.connect(self.show_create)
        self.create_page.back_requested.connect(self.show_open)
        self.open_page.opened.connect(self._opened)
        self.create_page.opened.connect(self._opened)
        quit_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Quit), self)
        quit_shortcut.activated.connect(self.close)
        self.resize(1280, 800)
        if ctx.settings.recent_vaults or ctx.default_vault.exists():
            self.show_open()
        else:
            self.show_create()

    def _current(self, page: QWidget) -> None:
        for other in (self.open_page, self.create_page):
            other.setVisible(other is page)
        self._shown = page

    def current_page(self) -> QWidget:
        return self._shown

    def show_open(self) -> None:
        self.open_page.refresh_recent()
        self._current(self.open_page)
        self.open_page.passphrase.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_create(self) -> None:
        self._current(self.create_page)
        first = self.create_page.creator if self.create_page.path.text() else self.create_page.path
        first.setFocus(Qt.FocusReason.OtherFocusReason)

    def prepare(self, message: str = "") -> None:
        """Back to a clean state after a lock: fields empty, the last vault preselected."""
        self.open_page.passphrase.clear()
        self.create_page.passphrase.clear()
        self.create_page.repeat.clear()
        self.open_page.set_busy(False)
        self.create_page.set_busy(False)
        self.open_page.vault.setEditText("")
        self.show_open()
        self.open_page.say(message)

    def closeEvent(self, event: QCloseEvent) -> None:
        super().closeEvent(event)
        self.closed.emit()

    def _opened(self, path: str) -> None:
        self._ctx.settings.remember_vault(Path(path))
        with contextlib.suppress(OSError):  # the recent list is a convenience: never a reason not to unlock
            self._ctx.save_settings()
        self.opened.emit(path)
