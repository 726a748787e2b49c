"""Render every main screen of shopexit from a fresh demo vault into docs/screenshots/*.png, offscreen.

    .venv/bin/python packaging/screenshots.py [--out docs/screenshots] [--scale 2] [--full]

The demo vault is made in a temporary folder with a random passphrase that is never printed, and deleted at
the end. Screens are 1280×800 logical pixels (×2 with --scale 2, as on a HiDPI display). --full also writes each
step page and record detail at its whole scrolled length (`*-full.png`) and the small record dialogs
(`dialog-*.png`), for reviewing what lies below the fold; those are not meant for docs/screenshots.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WIDTH, HEIGHT = 1280, 800


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--scale", type=float, default=1.0, help="device pixel ratio (2 for HiDPI)")
    parser.add_argument("--full", action="store_true",
                        help="also write each step page and record detail at its full scrolled length (*-full.png)")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if args.scale != 1.0:
        os.environ["QT_SCALE_FACTOR"] = str(args.scale)
    sys.path.insert(0, str(REPO / "desktop"))

    from PySide6.QtCore import QEventLoop, QTimer, SignalInstance
    from PySide6.QtWidgets import QApplication, QMainWindow, QScrollArea, QWidget

    from shopexit.app import build_context
    from shopexit.core.demo import create_demo
    from shopexit.core.sample_exports import write_exports
    from shopexit.core.step_texts import load
    from shopexit.gui.export_dialog import ExportDialog
    from shopexit.gui.import_dialog import ImportDialog
    from shopexit.gui.main import AppController, configure

    def wait(signal: SignalInstance | None = None, ms: int = 60_000,
             until: Callable[[], bool] | None = None) -> None:
        loop = QEventLoop()
        if signal is not None:
            signal.connect(loop.quit)
        timer = QTimer()
        timer.setSingleShot(True)
        timer.timeout.connect(loop.quit)
        timer.start(ms)
        if until is not None:
            poll = QTimer()
            poll.timeout.connect(lambda: until() and loop.quit())
            poll.start(20)
        loop.exec()

    def settle(ms: int = 250) -> None:
        wait(ms=ms)

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    def shot(widget: QWidget, name: str) -> None:
        settle()
        if isinstance(widget, QMainWindow):  # a passing note (the daily backup of the fresh demo vault) would
            widget.statusBar().clearMessage()  # hide the vault's name and the lock timer the screens show
        widget.grab().save(str(out / f"{name}.png"))
        print(f"wrote {out / name}.png")

    def full_shot(area: QScrollArea | None, name: str) -> None:
        """The whole content of a scroll area, as if the window were tall enough to show all of it."""
        if args.full and area is not None and area.widget() is not None:
            area.widget().grab().save(str(out / f"{name}-full.png"))
            print(f"wrote {out / name}-full.png")

    app = QApplication(sys.argv[:1])
    configure(app)
    with tempfile.TemporaryDirectory(prefix="shopexit-shots-") as folder:
        tmp = Path(folder)
        passphrase = secrets.token_urlsafe(24)
        vault = tmp / "demo.shopexit"
        create_demo(vault, passphrase)
        ctx = build_context(vault, tmp / "settings.json")
        controller = AppController(ctx)
        controller.unlock_window.resize(WIDTH, HEIGHT)
        controller.start()
        window = controller.unlock_window
        window.open_page.vault.setEditText(str(vault))
        shot(window, "unlock")
        window.show_create()
        page = window.create_page
        page.creator.setText("Mara Lindqvist")
        page.shop.setText("Lumen & Loom")
        page.passphrase.setText("window maple quietly orbit")
        page.repeat.setText("window maple quietly orbit")
        wait(until=lambda: bool(page.meter_text.text().startswith(("Strong", "Very strong"))), ms=3000)
        shot(window, "create-vault")
        page.passphrase.clear()
        page.repeat.clear()
        window.show_open()
        window.open_page.vault.setEditText(str(vault))
        window.open_page.passphrase.setText(passphrase)
        window.open_page.submit()
        wait(controller.main_shown)
        main = controller.main
        assert main is not None
        main.resize(WIDTH, HEIGHT)
        wait(until=lambda: main.overview is not None)
        for number in range(1, 11):
            main.go_step(number)
            step = main.pages[number]
            wait(until=lambda s=step: s.data is not None and not s.loading.isVisible())
            slug = load(number).title.lower().replace(" ", "-")
            shot(main, f"step-{number:02d}-{slug}")
            full_shot(step.findChild(QScrollArea, "pageScroll"), f"step-{number:02d}-{slug}")
        for index, (title, record_page) in enumerate(main.record_pages):
            main.sidebar.select_record(index)
            settle(800)
            shot(main, f"records-{title.lower()}")
            detail = getattr(record_page, "detail_scroll", None)
            if detail is None:  # Money: the tab shown holds the detail
                tabs = getattr(record_page, "tabs", None)
                detail = getattr(tabs.currentWidget(), "detail_scroll", None) if tabs is not None else None
            full_shot(detail, f"records-{title.lower()}")

        exports = write_exports(tmp / "exports", seed=4, orders=30)
        main.go_step(1)
        main.open_import([exports["orders"], exports["settlements"], exports["withdrawals"]])
        dialog = main.findChild(ImportDialog)
        assert dialog is not None
        wait(until=lambda: dialog.import_button.isEnabled())
        shot(dialog, "import-preview")
        dialog.reject()
        main.open_export()
        export = main.findChild(ExportDialog)
        assert export is not None
        shot(export, "export")
        export.reject()

        main.open_search()
        search = main.search_dialog
        assert search is not None
        search.box.setText("mug")
        wait(until=lambda: search.results.query == "mug" and search.tree.topLevelItemCount() > 0, ms=10_000)
        shot(search, "search")
        search.reject()

        if args.full:  # the small dialogs a record page opens
            from shopexit.gui.records.dialogs import CaseDialog, WithdrawalDialog
            from shopexit.gui.records.widgets import TextDialog

            dialogs: list[tuple[QWidget, str]] = [
                (CaseDialog(main), "dialog-case"), (WithdrawalDialog("USD", main), "dialog-withdrawal"),
                (TextDialog("Add a note", "What should this record remember?", "", main), "dialog-note")]
            for dialog, name in dialogs:
                dialog.show()
                shot(dialog, name)
                dialog.close()

        controller.shutdown()
        ctx.vaults.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
