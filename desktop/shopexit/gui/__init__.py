"""Qt only: windows, dialogs, models and workers. It asks the core and shows; it never writes SQL."""

from __future__ import annotations

import sys


def _guard_singleton_refcounts() -> bool:
    """Keep PySide6 from killing the interpreter on Python 3.11; True when the guard was needed.

    PySide6 6.12.0 (an abi3 wheel) returns `None`, `True` and `False` to Python without taking a reference, as
    code built for Python 3.12+ may, where those objects are immortal: every Qt method returning void called
    from Python takes one reference away from `None`, every `emit()` one from `True`. On Python 3.11 the count
    reaches zero after a few hundred emits or some tens of thousands of calls, and the process aborts ("Fatal
    Python error: bool_dealloc" / "none_dealloc") — scrolling the Orders list of a 100,000-order vault to the
    end did it (bench/README.md). Where the leak shows, this does what Python 3.12 does: the three objects get a
    reference count no process can use up. A PySide6 without the leak, or Python 3.12+, is left alone.
    """
    if sys.version_info >= (3, 12):
        return False
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        ping = Signal()

    probe = _Probe()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(4):
        probe.ping.emit()  # returns True
        probe.setObjectName("probe")  # returns None (void)
    if sys.getrefcount(None) >= none_before and sys.getrefcount(True) >= true_before:
        return False
    import ctypes

    for singleton in (None, True, False):
        ctypes.c_ssize_t.from_address(id(singleton)).value += 1 << 40  # ob_refcnt: a PyObject's first field
    return True


SINGLETON_GUARD = _guard_singleton_refcounts()
