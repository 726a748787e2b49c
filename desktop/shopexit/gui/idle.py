"""Lock after a period without input: an app-wide event filter notes the last keypress, click, scroll or touch;
a coarse timer checks the time since then.

Restarting a QTimer on every mouse move would work too, but the check-on-tick form also gives the status bar
its countdown for free and costs nothing per event beyond storing a number.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, QTimer, Signal

_INPUT_EVENTS = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease,
    QEvent.Type.MouseMove, QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate,
    QEvent.Type.TabletPress, QEvent.Type.Shortcut,
})


class IdleWatcher(QObject):
    """Install on the QApplication. `timed_out` fires once per idle period while running."""

    timed_out = Signal()
    tick = Signal(int)  # milliseconds left before the lock

    def __init__(self, interval_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._interval_ms = max(1, interval_ms)
        self._last = time.monotonic()
        self._running = False
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._check)
        self._retune()

    @property
    def interval_ms(self) -> int:
        return self._interval_ms

    def set_interval(self, interval_ms: int) -> None:
        self._interval_ms = max(1, interval_ms)
        self._retune()
        self.reset()

    def _retune(self) -> None:
        # A tick a second for the countdown; faster only when the whole interval is short (tests).
        self._timer.setInterval(max(10, min(1000, self._interval_ms // 4)))

    def start(self) -> None:
        self._running = True
        self.reset()
        self._timer.start()

    def stop(self) -> None:
        self._running = False
        self._timer.stop()

    @property
    def running(self) -> bool:
        return self._running

    def reset(self) -> None:
        self._last = time.monotonic()

    def remaining_ms(self) -> int:
        elapsed = int((time.monotonic() - self._last) * 1000)
        return max(0, self._interval_ms - elapsed)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._running and event.type() in _INPUT_EVENTS:
            self._last = time.monotonic()
        return False

    def _check(self) -> None:
        if not self._running:
            return
        left = self.remaining_ms()
        self.tick.emit(left)
        if left <= 0:
            self.stop()
            self.timed_out.emit()
