"""The vault thread: jobs run off the GUI thread, results and errors come back by signal."""

from __future__ import annotations

import threading
from pathlib import Path

from pytestqt.qtbot import QtBot

from shopexit.core.vault import ShopProfile, Vault
from shopexit.gui.worker import Progress, VaultService
from tests.conftest import PASSPHRASE


def test_unlock_runs_jobs_on_the_vault_thread_and_reports_back(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "w.shopexit"
    Vault.create(path, PASSPHRASE, ShopProfile("A", "B")).lock()
    service = VaultService()
    try:
        with qtbot.waitSignal(service.unlocked, timeout=10_000):
            service.unlock(path, PASSPHRASE)
        gui_thread = threading.get_ident()
        seen: dict[str, object] = {}

        def job(vault: Vault, progress: Progress) -> str:
            seen["thread"] = threading.get_ident()
            progress.report(1, 2, "half")
            return str(vault.profile().shop_name)

        steps: list[tuple[int, int, str]] = []
        with qtbot.waitCallback() as done:
            service.submit(job, on_done=done, on_progress=lambda d, t, s: steps.append((d, t, s)))
        done.assert_called_with("B")
        assert seen["thread"] != gui_thread
        qtbot.waitUntil(lambda: steps == [(1, 2, "half")])

        with qtbot.waitCallback() as failed:
            service.unlock(path, "wrong passphrase", on_error=failed)
        assert "Wrong passphrase" in failed.args[0]
    finally:
        with qtbot.waitSignal(service.locked, timeout=10_000):
            service.lock()
        service.shutdown()
