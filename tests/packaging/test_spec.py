"""The PyInstaller spec, run the way PyInstaller runs it (with its build steps recorded instead of executed):
what goes into the bundle, and what is kept out."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "packaging" / "shopexit.spec"


class _Step:
    """Stands in for one of PyInstaller's build steps (Analysis, EXE, …) and remembers its arguments."""

    made: list[_Step]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args, self.kwargs = args, kwargs
        self.datas: list[tuple[str, str, str]] = []
        self.binaries: list[tuple[str, str, str]] = []
        self.pure: list[Any] = []
        self.scripts: list[Any] = []
        self.made.append(self)


def run_spec(platform: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    pytest.importorskip("PyInstaller", reason="PyInstaller is in the [build] extra")
    made: list[_Step] = []
    steps = {name: type(name, (_Step,), {"made": made}) for name in ("Analysis", "PYZ", "EXE", "COLLECT",
                                                                       "BUNDLE")}
    monkeypatch.setattr(sys, "platform", platform)
    namespace: dict[str, Any] = {"SPECPATH": str(SPEC.parent), "__file__": str(SPEC), **steps}
    exec(compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec"), namespace)
    namespace["made"] = made
    return namespace


def _of(namespace: dict[str, Any], kind: str) -> list[_Step]:
    return [step for step in namespace["made"] if type(step).__name__ == kind]


def test_linux_build_is_one_folder_with_resources_and_every_module(monkeypatch: pytest.MonkeyPatch) -> None:
    ns = run_spec("linux", monkeypatch)
    (analysis,) = _of(ns, "Analysis")
    (script,) = analysis.args[0]
    assert Path(script) == REPO / "packaging" / "entry.py"
    assert Path(script).is_file()

    datas = analysis.kwargs["datas"]
    assert (str(REPO / "resources"), "resources") in datas  # resources_dir() looks in _MEIPASS/resources
    assert any(dest.replace("\\", "/").startswith("reportlab/fonts") for _, dest in datas)
    assert any(src.endswith(".pem") and "pyhanko" in dest for src, dest in datas)

    hidden = set(analysis.kwargs["hiddenimports"])
    commands = {f"shopexit.commands.{p.stem}" for p in (REPO / "desktop/shopexit/commands").glob("[!_]*.py")}
    assert commands <= hidden
    migrations = {f"shopexit.core.schema.{p.stem}" for p in (REPO / "desktop/shopexit/core/schema").glob("m*.py")}
    assert migrations and migrations <= hidden
    assert {"shopexit.selftest", "shopexit.gui.appicon", "sqlcipher3._sqlite3", "PySide6.QtCharts",
            "PySide6.QtPdfWidgets", "PySide6.QtSvg"} <= hidden
    assert "shopexit.__main__" not in hidden  # importing it would run the command

    excludes = set(analysis.kwargs["excludes"])
    assert {"PySide6.QtWebEngineCore", "PySide6.Qt3DCore", "PySide6.QtMultimedia", "PySide6.QtQuick",
            "PySide6.QtDesigner"} <= excludes
    assert {"setuptools", "pkg_resources"} <= excludes  # their runtime hooks would slow every start
    kept_qt = {"PySide6.QtWidgets", "PySide6.QtGui", "PySide6.QtCore", "PySide6.QtSvg", "PySide6.QtCharts",
               "PySide6.QtPdf", "PySide6.QtPdfWidgets"}
    assert not kept_qt & excludes

    (exe,) = _of(ns, "EXE")
    assert exe.kwargs["name"] == "shopexit" and exe.kwargs["console"] is True
    (collect,) = _of(ns, "COLLECT")
    assert collect.kwargs["name"] == "shopexit"
    assert not _of(ns, "BUNDLE")


def test_unwanted_qt_files_are_dropped_and_needed_ones_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    keep = run_spec("linux", monkeypatch)["_keep"]
    dropped = [
        "PySide6/Qt/translations/qtbase_de.qm",
        "PySide6/Qt/lib/libQt6Quick.so.6",
        "PySide6/Qt/lib/libQt6VirtualKeyboard.so.6",
        "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
        "libpango-1.0.so.0",
        "libcairo.so.2",
    ]
    kept = [
        "PySide6/Qt/lib/libQt6Widgets.so.6",
        "PySide6/Qt/lib/libQt6Pdf.so.6",
        "PySide6/Qt/lib/libQt6Charts.so.6",
        "PySide6/Qt/lib/libQt6Svg.so.6",
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",
        "PySide6/Qt/plugins/imageformats/libqsvg.so",
        "PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so",
        "pillow.libs/libharfbuzz-1a2b3c4d.so.0.61121.0",
        "resources/steps/01-review.md",
        "sqlcipher3/_sqlite3.cpython-311-x86_64-linux-gnu.so",
    ]
    result = keep([(name, "/src/" + name, "BINARY") for name in dropped + kept])
    assert [entry[0] for entry in result] == kept


def test_windows_has_icon_and_a_console_twin(monkeypatch: pytest.MonkeyPatch) -> None:
    ns = run_spec("win32", monkeypatch)
    exes = {exe.kwargs["name"]: exe.kwargs for exe in _of(ns, "EXE")}
    assert set(exes) == {"shopexit", "shopexit-cli"}
    assert exes["shopexit"]["console"] is False and exes["shopexit-cli"]["console"] is True
    for kwargs in exes.values():
        assert Path(kwargs["icon"]).name == "shopexit.ico" and Path(kwargs["icon"]).is_file()
        assert kwargs["strip"] is False
    (collect,) = _of(ns, "COLLECT")
    assert len([a for a in collect.args if type(a).__name__ == "EXE"]) == 2


def test_macos_makes_an_app_bundle_with_icns(monkeypatch: pytest.MonkeyPatch) -> None:
    ns = run_spec("darwin", monkeypatch)
    (bundle,) = _of(ns, "BUNDLE")
    assert bundle.kwargs["name"] == "shopexit.app"
    assert Path(bundle.kwargs["icon"]).name == "shopexit.icns" and Path(bundle.kwargs["icon"]).is_file()
    assert bundle.kwargs["bundle_identifier"]
    from shopexit import __version__

    assert bundle.kwargs["info_plist"]["CFBundleShortVersionString"] == __version__
    assert bundle.kwargs["info_plist"]["NSHighResolutionCapable"] is True
