"""`shopexit --self-test`: prove that this installation — above all a frozen bundle — can do the real work.

A bundle can start and still be broken: a hidden import missed, SQLCipher's extension module left out, a data
file of reportlab or pyHanko not copied, Qt's platform plugins absent. Each of those only shows when the code
path runs, so the self-test runs every path a user depends on, headless, on throwaway data:

    vault      create an encrypted vault in a temporary folder, lock it, open it again, run `doctor` on it
    resources  the bundled resources (icons, fonts, step texts) are where `resource_path()` looks
    import     write the demo exports in the real layouts and import each through the real importers
    evidence   attach an image and read it back byte for byte
    archive    export a signed PDF archive and verify it
    gui        construct the unlock window with the Qt stack (widgets, SVG, charts, PDF viewer)

It prints one line per check and returns 0 only if every check passed. Everything lives in a temporary folder
that is removed at the end; the user's settings, caches and default vault are never touched, because the XDG
folders point into that temporary folder while the checks run.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from shopexit.core.vault import Vault


SELFTEST_ORDERS = 60
"""Orders in the self-test's shop: enough for every importer to read many rows, few enough to stay quick."""


class CheckFailed(Exception):
    """A check ran and found something wrong; the message is the one line shown to the user."""


@dataclass
class _State:
    """What one check hands to the next: the temporary folder and the open vault."""

    folder: Path
    passphrase: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    vault: Vault | None = None
    app: Any = None  # the QApplication, kept alive until the checks end

    def need_vault(self) -> Vault:
        if self.vault is None:
            raise CheckFailed("skipped: no vault (the vault check failed)")
        return self.vault


Check = Callable[[_State], str]


def check_vault(state: _State) -> str:
    from shopexit.core.doctor import examine
    from shopexit.core.vault import ShopProfile, Vault

    path = state.folder / "vault" / "selftest.shopexit"
    Vault.create(path, state.passphrase, ShopProfile("Zoë Ångström", "山田 Goods", "US", "USD")).lock()
    state.vault = Vault.open(path, state.passphrase)
    report = examine(state.vault.conn)
    if not report.ok:
        raise CheckFailed("doctor found problems in a new vault: " + "; ".join(report.problems))
    version = state.vault.conn.execute("PRAGMA cipher_version").fetchone()[0]
    return f"SQLCipher {version} vault created, locked, reopened; doctor ok"


def check_resources(state: _State) -> str:
    from shopexit.core.paths import resources_dir

    root = resources_dir()
    if not root.is_dir():
        raise CheckFailed(f"resources folder missing: {root}")
    icon = root / "icons" / "app" / "shopexit-256.png"
    if not icon.is_file():
        raise CheckFailed(f"app icon missing: {icon}")
    missing = [name for name in ("fonts", "steps") if not any((root / name).glob("*"))]
    if missing:
        raise CheckFailed(f"empty or missing in {root}: {', '.join(missing)}")
    files = sum(1 for p in root.rglob("*") if p.is_file())
    return f"{files} files under {root}"


def check_import(state: _State) -> str:
    from shopexit.core.demo import import_exports

    vault = state.need_vault()
    folder = state.folder / "exports"
    folder.mkdir()
    # The demo shop, smaller; orders as XLSX, so the bundle's openpyxl is exercised as well as the CSV and zip
    # readers.
    summaries = import_exports(vault, folder, orders=SELFTEST_ORDERS, orders_format="xlsx")
    if not summaries:
        raise CheckFailed("the demo generator wrote no files")
    for summary in summaries.values():
        if summary.refused:
            raise CheckFailed(f"{summary.file.name}: {len(summary.refused)} rows refused")
    new = sum(summary.new for summary in summaries.values())
    orders = vault.conn.execute("SELECT count(*) FROM orders").fetchone()[0]
    if not orders:
        raise CheckFailed(f"{len(summaries)} demo files imported but the vault holds no orders")
    return f"{len(summaries)} demo exports ({', '.join(summaries)}) imported: {new} records, {orders} orders"


def check_evidence(state: _State) -> str:
    from shopexit.core.evidence import attach_bytes, read_bytes
    from shopexit.core.paths import resource_path

    vault = state.need_vault()
    data = resource_path("icons", "app", "shopexit-64.png").read_bytes()
    item = attach_bytes(vault, data, "selftest.png", caption="self-test")
    if item.media_type != "image/png":
        raise CheckFailed(f"an image was kept as {item.media_type}")
    size = vault.conn.execute("SELECT width, height FROM attachments WHERE id = ?", (item.id,)).fetchone()
    if tuple(size) != (64, 64):
        raise CheckFailed(f"image dimensions read as {tuple(size)}, expected (64, 64)")
    if read_bytes(vault.conn, item.id) != data:
        raise CheckFailed("the image read back differs from what was attached")
    return f"image attached as #{item.id} ({item.size} bytes), read back intact"


def check_archive(state: _State) -> str:
    from shopexit.core.archive import export_archive, verify_archive

    vault = state.need_vault()
    out = state.folder / "archive.pdf"
    made = export_archive(vault, out)
    report = verify_archive(out)
    if not report.ok:
        raise CheckFailed(f"the archive just made does not verify: {report.verdict}")
    return (f"signed archive exported ({made.pages} pages, {made.embedded_files} embedded files, "
            f"{out.stat().st_size // 1024} KB) and verified: {report.verdict}")


def check_gui(state: _State) -> str:
    """The first window, built and painted exactly as the app does it, with the other Qt modules the windows
    use (charts, the PDF viewer, SVG) and the image plugins: proves the bundle's Qt libraries and plugins."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6 import QtCharts, QtCore, QtPdf, QtPdfWidgets, QtSvg
    from PySide6.QtGui import QGuiApplication, QImageReader
    from PySide6.QtWidgets import QApplication

    from shopexit.app import build_context
    from shopexit.gui.appicon import app_icon
    from shopexit.gui.main import AppController, configure

    app = QApplication.instance()
    if app is None:
        app = state.app = QApplication([sys.argv[0] if sys.argv else "shopexit"])
    if not isinstance(app, QApplication):
        raise CheckFailed("a non-widget Qt application is already running")
    formats = {bytes(f.data()).decode() for f in QImageReader.supportedImageFormats()}
    missing = {"png", "jpeg", "svg"} - formats
    if missing:
        raise CheckFailed(f"Qt image plugins missing: {', '.join(sorted(missing))}")
    icon = app_icon()
    if icon.isNull() or not icon.availableSizes():
        raise CheckFailed("the app icon did not load")
    chart, pdf = QtCharts.QChartView(), QtPdfWidgets.QPdfView()
    pdf.setDocument(QtPdf.QPdfDocument(pdf))
    extras = [chart, pdf]
    if not QtSvg.QSvgRenderer(str(_icon_svg())).isValid():
        raise CheckFailed("Qt cannot read the app's SVG icon")

    configure(app)
    ctx = build_context(state.folder / "vault" / "selftest.shopexit")
    controller = AppController(ctx)
    previous = QtCore.qInstallMessageHandler(_quiet_offscreen)
    try:
        window = controller.unlock_window
        window.show()
        app.processEvents()
        shot = window.grab()
        if shot.isNull() or shot.width() < 100 or shot.height() < 100:
            raise CheckFailed(f"the unlock window painted as {shot.width()}×{shot.height()}")
        size = f"{shot.width()}×{shot.height()}"
        names = ", ".join(type(w).__name__ for w in (window, *extras))
    finally:
        QtCore.qInstallMessageHandler(previous)
        controller.shutdown()
        ctx.vaults.shutdown()
        for widget in extras:
            widget.deleteLater()
        app.processEvents()
    return f"Qt {_qt_version()} on '{QGuiApplication.platformName()}': {names} built; unlock window painted {size}"


def _quiet_offscreen(mode: Any, context: Any, message: str) -> None:
    """Pass Qt's messages on, except the offscreen platform's note that it has no window manager to tell
    about size hints: true of every headless run, and it would read like a problem in the self-test's output."""
    if "propagateSizeHints" not in message:
        print(message, file=sys.stderr)


def _icon_svg() -> Path:
    from shopexit.core.paths import resource_path

    return resource_path("icons", "app", "shopexit.svg")


def _qt_version() -> str:
    from PySide6 import QtCore

    return str(QtCore.qVersion())


CHECKS: tuple[tuple[str, Check], ...] = (
    ("vault", check_vault),
    ("resources", check_resources),
    ("import", check_import),
    ("evidence", check_evidence),
    ("archive", check_archive),
    ("gui", check_gui),
)


@contextmanager
def _private_environment(folder: Path) -> Iterator[None]:
    """Point settings, data and cache folders into `folder` while the checks run, then put them back."""
    keys = ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "SHOPEXIT_VAULT")
    saved = {key: os.environ.get(key) for key in keys}
    for key in keys[:3]:
        os.environ[key] = str(folder / "home" / key.lower())
    os.environ.pop("SHOPEXIT_VAULT", None)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run(out: TextIO | None = None) -> int:
    """Run every check, one line each; 0 when all passed, 1 otherwise."""
    out = out or sys.stdout
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    started = time.monotonic()
    failures = 0
    folder = Path(tempfile.mkdtemp(prefix="shopexit-selftest-"))
    try:
        with _private_environment(folder):
            state = _State(folder)
            for name, check in CHECKS:
                t0 = time.monotonic()
                try:
                    detail = check(state)
                    verdict = "PASS"
                except CheckFailed as exc:
                    detail, verdict = str(exc), "FAIL"
                except Exception as exc:
                    detail, verdict = _one_line(exc), "FAIL"
                    if os.environ.get("SHOPEXIT_DEBUG"):
                        traceback.print_exc(file=out)
                failures += verdict == "FAIL"
                print(f"{verdict}  {name:<9}  {detail} ({time.monotonic() - t0:.2f} s)", file=out, flush=True)
            if state.vault is not None:
                state.vault.lock()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    total = time.monotonic() - started
    if folder.exists():
        print(f"FAIL  cleanup     could not remove {folder}", file=out)
        failures += 1
    if failures:
        print(f"self-test FAILED: {failures} of {len(CHECKS)} checks ({total:.1f} s)", file=out)
        return 1
    print(f"self-test passed: {len(CHECKS)} checks ({total:.1f} s)", file=out)
    return 0


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
