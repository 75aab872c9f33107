"""Qt glue of the keyboard wedge: an application-wide filter that catches scanner bursts anywhere.

Keys arriving at a window are fed to drivers.wedge; fast keys are held back, a burst that turns out to
be a scan is swallowed and emitted as a ScanEvent, and one that turns out to be typing is replayed to
the window in order, so text fields never see scanner input and people can still type.
"""
from __future__ import annotations

import time
from typing import Callable, Optional

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent, QWindow
from PySide6.QtWidgets import QApplication, QWidget

from drivers.events import ScanEvent, ScannerStatus
from drivers.wedge import Burst, WedgeSource

_NAMED = {Qt.Key_Return: "Enter", Qt.Key_Enter: "Enter", Qt.Key_Tab: "Tab"}
_MODIFIER_KEYS = {Qt.Key_Shift, Qt.Key_Control, Qt.Key_Alt, Qt.Key_Meta, Qt.Key_AltGr,
                  Qt.Key_CapsLock, Qt.Key_NumLock}
LATIN_HINTS = (Qt.ImhPreferLatin | Qt.ImhNoPredictiveText | Qt.ImhNoAutoUppercase)


def protect(widget: QWidget) -> None:
    """Keep input methods (Chinese IME) off a scan field: scanner digits must arrive as keys."""
    widget.setAttribute(Qt.WA_InputMethodEnabled, False)
    widget.setInputMethodHints(widget.inputMethodHints() | LATIN_HINTS)
    if widget.hasFocus():
        QGuiApplication.inputMethod().update(Qt.ImEnabled | Qt.ImHints)


class QtWedge(QObject):
    """Install with start(); scans arrive through `scanned(ScanEvent)`, health through `status`."""

    scanned = Signal(object)
    status = Signal(object)

    def __init__(self, *, gap_ms: float = 50, min_length: int = 8, ime_off_everywhere: bool = False,
                 clock: Callable[[], float] = time.monotonic, parent: Optional[QObject] = None):
        super().__init__(parent)
        self.source = WedgeSource(self.scanned.emit, self.status.emit, gap_ms=gap_ms,
                                  min_length=min_length, device="keyboard")
        self.clock = clock
        self.ime_off_everywhere = ime_off_everywhere  # kiosks: no field needs Chinese input
        self._replaying = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.poll)

    @classmethod
    def from_config(cls, devices, **kw) -> "QtWedge":
        """Build from the [devices] section."""
        return cls(gap_ms=devices.wedge_gap_ms, min_length=devices.wedge_min_length, **kw)

    def start(self) -> None:
        """Filter every key of the application."""
        QApplication.instance().installEventFilter(self)
        self.source.start()

    def stop(self) -> None:
        """Stop filtering; typing still held back is delivered."""
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self._timer.stop()
        self._replay(self.source.flush())
        self.source.stop()

    def poll(self) -> None:
        """Resolve held keys once the burst has gone quiet (the timer calls this)."""
        self._replay(self.source.poll(self.clock()))
        self._arm()

    # -- the filter ------------------------------------------------------------------------
    def eventFilter(self, obj: QObject, ev: QEvent) -> bool:  # noqa: N802 (Qt's name)
        et = ev.type()
        if et == QEvent.FocusIn and self.ime_off_everywhere and isinstance(obj, QWidget):
            protect(obj)
            return False
        if et == QEvent.ShortcutOverride and not self._replaying and self.source.detector.holding:
            # Inside a burst a plain key must reach us as a key press, not fire a one-key shortcut.
            name = self._key_name(ev)
            if name is not None and len(name) == 1:
                ev.accept()
                return True
            return False
        if self._replaying or et not in (QEvent.KeyPress, QEvent.KeyRelease):
            return False
        # A key visits its window first, then the focus widget and its parents: act once, at the
        # window, so a replayed key reaches whatever widget has focus then.
        if not isinstance(obj, QWindow):
            return False
        if et == QEvent.KeyRelease:
            return self.source.detector.holding  # releases of held keys stay with them
        key = self._key_name(ev)
        if key is None:
            return False  # a bare modifier (Shift for capitals) neither starts nor ends a burst
        held = (obj, QKeyEvent(ev.type(), ev.key(), ev.modifiers(), ev.text(), ev.isAutoRepeat(),
                               ev.count()))
        fed = self.source.feed(key, self.clock(), held)
        self._replay(fed.done)
        self._arm()
        return fed.held

    @staticmethod
    def _key_name(ev: QKeyEvent) -> Optional[str]:
        k = ev.key()
        if k in _MODIFIER_KEYS:
            return None
        if k in _NAMED:
            return _NAMED[k]
        text = ev.text()
        mods = ev.modifiers() & ~(Qt.ShiftModifier | Qt.KeypadModifier)
        if len(text) == 1 and text.isprintable() and not mods:
            return text
        return f"Key_{int(k)}"  # arrows, Backspace, shortcuts: end any burst, pass through

    def _arm(self) -> None:
        deadline = self.source.detector.deadline()
        if deadline is None:
            self._timer.stop()
            return
        self._timer.start(max(1, int((deadline - self.clock()) * 1000) + 2))

    def _replay(self, bursts: list[Burst]) -> None:
        """Send typing that was held back to its window, in the order it was typed."""
        self._replaying = True
        try:
            for burst in bursts:
                for window, event in burst.items:
                    QApplication.sendEvent(window, event)
        finally:
            self._replaying = False


__all__ = ["QtWedge", "protect", "ScanEvent", "ScannerStatus"]
