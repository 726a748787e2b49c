"""PySide6 6.12.0 on Python 3.11 drops a reference to `True` at each `emit()` and to `None` at each call of a
method returning void; `shopexit.gui` guards against it.

Without the guard, a long session (or scrolling a 100,000-order list to the end) aborts the interpreter with
"Fatal Python error: bool_dealloc" or "none_dealloc". Each check runs in a fresh interpreter, so a failure
cannot take the test run down with it.
"""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO

EMITS = """
import sys
from PySide6.QtCore import QCoreApplication, QObject, Signal
{guard}
app = QCoreApplication([])
class Source(QObject):
    changed = Signal(bool)
source = Source()
source.changed.connect(lambda flag: None)
for n in range(100_000):
    source.changed.emit(n % 2 == 0)
    source.setObjectName("source")  # void: returns None
print("alive", sys.getrefcount(True) > 0, sys.getrefcount(None) > 0)
"""


def _run(guard: str) -> subprocess.CompletedProcess[str]:
    env = {"PYTHONPATH": str(REPO / "desktop"), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-c", EMITS.format(guard=guard)], capture_output=True, text=True,
                          timeout=120, cwd=REPO, env=env, check=False)


def test_a_hundred_thousand_emits_survive_with_the_gui_package_imported() -> None:
    done = _run("import shopexit.gui")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "alive True True" in done.stdout


def test_the_guard_is_on_exactly_when_emit_leaks() -> None:
    """Without the guard the same loop dies on an affected PySide6 (and Python < 3.12); else both live."""
    import shopexit.gui

    bare = _run("")
    if shopexit.gui.SINGLETON_GUARD:
        assert bare.returncode != 0 and "_dealloc" in bare.stderr
    else:
        assert bare.returncode == 0, bare.stderr[-2000:]
