"""Every message box and file picker goes through this one object, so tests can answer for the user by
replacing it (or setting `next_answers`) and the lock sequence can close whatever is open."""

from __future__ import annotations

from collections import deque
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QWidget


class Dialogs:
    def __init__(self) -> None:
        self.next_answers: deque[Any] = deque()
        """Answers a test queues up; each dialog takes the next one instead of showing itself."""

    def _scripted(self) -> tuple[bool, Any]:
        if self.next_answers:
            return True, self.next_answers.popleft()
        return False, None

    def info(self, parent: QWidget | None, title: str, text: str) -> None:
        scripted, _ = self._scripted()
        if not scripted:
            QMessageBox.information(parent, title, text)

    def warn(self, parent: QWidget | None, title: str, text: str) -> None:
        scripted, _ = self._scripted()
        if not scripted:
            QMessageBox.warning(parent, title, text)

    def confirm(self, parent: QWidget | None, title: str, text: str, yes: str = "OK") -> bool:
        scripted, answer = self._scripted()
        if scripted:
            return bool(answer)
        box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.Cancel, parent)
        ok = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is ok

    def open_files(self, parent: QWidget | None, title: str, filters: str = "All files (*)") -> list[Path]:
        scripted, answer = self._scripted()
        if scripted:
            return [Path(p) for p in answer]
        names, _ = QFileDialog.getOpenFileNames(parent, title, "", filters)
        return [Path(n) for n in names]

    def open_file(self, parent: QWidget | None, title: str, filters: str = "All files (*)") -> Path | None:
        scripted, answer = self._scripted()
        if scripted:
            return Path(answer) if answer else None
        name, _ = QFileDialog.getOpenFileName(parent, title, "", filters)
        return Path(name) if name else None

    def save_file(self, parent: QWidget | None, title: str, suggested: str, filters: str = "All files (*)"
                  ) -> Path | None:
        scripted, answer = self._scripted()
        if scripted:
            return Path(answer) if answer else None
        name, _ = QFileDialog.getSaveFileName(parent, title, suggested, filters)
        return Path(name) if name else None

    def ask(self, dialog: QDialog) -> Any:
        """Run one of shopexit's own form dialogs; its `answer()` when accepted, else None.

        A test queues the answer instead (the dialog is then never shown): a dict of the form's values, or None
        for Cancel.
        """
        scripted, answer = self._scripted()
        if scripted:
            dialog.deleteLater()
            return answer
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        value = dialog.answer() if accepted and hasattr(dialog, "answer") else None
        dialog.deleteLater()
        return value

    @staticmethod
    def close_all(windows: list[QWidget]) -> None:
        """Part of locking: reject every dialog still open above the given windows."""
        for window in windows:
            for dialog in window.findChildren(QDialog):
                if dialog.isVisible():
                    dialog.reject()
