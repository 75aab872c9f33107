"""Sound cues on success and failure: QApplication.beep (QtMultimedia is not installed; no dependency)."""
from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

_enabled = [True]
played: list[str] = []  # the cues played, newest last (tests and the demo transcript read it)


def configure(enabled: bool) -> None:
    """Turn cues on or off ([devices] sound)."""
    _enabled[0] = bool(enabled)


def cue(kind: str) -> None:
    """One beep for success, two quick beeps for failure; silently nothing without a sound device."""
    played.append(kind)
    del played[:-50]
    if not _enabled[0]:
        return
    QApplication.beep()
    if kind == "fail":
        QTimer.singleShot(180, QApplication.beep)
