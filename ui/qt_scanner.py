"""Scan sources as Qt signals: the drivers call back on their own threads, we re-emit on the GUI thread."""
from __future__ import annotations

import time

from PySide6.QtCore import QObject, Signal

from drivers.events import ERROR, ScanEvent, ScannerError, ScannerStatus
from drivers.sources import make_source


class QtScanBridge(QObject):
    """Starts the configured scan source; `scanned(ScanEvent)` and `status_changed(ScannerStatus)`."""

    scanned = Signal(object)
    status_changed = Signal(object)

    def __init__(self, cfg, window=None):
        super().__init__()
        self.cfg = cfg
        self.window = window
        self.source = None
        self.status: ScannerStatus | None = None
        self.status_changed.connect(self._remember)

    def _remember(self, st: ScannerStatus) -> None:
        self.status = st

    def _on_scan(self, ev) -> None:
        self.scanned.emit(ev)      # emitted from the reader thread: Qt queues it to the GUI thread

    def _on_status(self, st) -> None:
        self.status = st           # stored before the signal: a window built later reads it, never misses it
        self.status_changed.emit(st)

    def _build(self):
        dev = self.cfg.devices
        source = make_source(dev, self._on_scan, self._on_status)
        if source is None and dev.scanner == "wedge":
            # the keyboard wedge needs the Qt application: its filter lives in ui/qt_wedge.py
            from ui.qt_wedge import QtWedge
            source = QtWedge.from_config(dev, ime_off_everywhere=self.cfg.profile == "kiosk")
            source.scanned.connect(self.scanned.emit)
            source.status.connect(self.status_changed.emit)
        return source

    def start(self) -> None:
        """Start reading; a misconfigured or missing device becomes an error status, not a crash."""
        try:
            self.source = self._build()
        except (ScannerError, ImportError, AttributeError, OSError, ValueError) as e:
            reason = getattr(e, "message", None) or str(e)
            self.status_changed.emit(ScannerStatus(ERROR, reason, self.cfg.devices.scanner))
            return
        if self.source is None:
            self.status_changed.emit(None)
            return
        self.source.start()

    def inject(self, text: str) -> None:
        """Feed a code typed by hand (the manual entry field), as if scanned."""
        self.scanned.emit(ScanEvent(text, "manual", "keyboard", time.time()))

    def stop(self) -> None:
        """Stop the source and release the device."""
        if self.source is not None:
            self.source.stop()
            self.source = None
