"""Status bar: scanner state, platform online/offline, queued refunds and unknown outcomes."""
from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import QLabel, QPushButton, QStatusBar

from terminal.counter import answering
from ui.qt_session import scanner_text


def _pill(obj: str) -> QLabel:
    label = QLabel()
    label.setObjectName(obj)
    label.setProperty("state", "idle")
    return label


def _restyle(label: QLabel, state: str) -> None:
    if label.property("state") != state:
        label.setProperty("state", state)
        label.style().unpolish(label)
        label.style().polish(label)


class QtStatusBar(QStatusBar):
    """Always-visible device and platform state; `sync_requested` asks for a sync now."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.scanner = _pill("statusPill")
        self.platform = _pill("statusPill")
        self.queue = _pill("statusPill")
        self.sync_button = QPushButton(self.tr("立即同步"))
        self.sync_button.setObjectName("syncButton")
        for w in (self.scanner, self.platform, self.queue):
            self.addPermanentWidget(w)
        self.addPermanentWidget(self.sync_button)
        self._scanner_st = self._counter_st = self._beat = None
        self.retranslate()

    def retranslate(self) -> None:
        """Re-render every pill in the current language from the last known states."""
        self.sync_button.setText(self.tr("立即同步"))
        self.set_scanner(self._scanner_st)
        if self._counter_st is not None:
            self.set_counter(self._counter_st)
        else:
            self.queue.setText(self.tr("待退费 0 · 待确认 0"))
        if self._beat is not None:
            self.set_heartbeat(self._beat)
        elif self._counter_st is None:
            self.platform.setText(self.tr("医保平台：检测中"))

    def set_heartbeat(self, beat) -> None:
        """Show a Beat of Counter.heartbeat(): the platform answered (or not) just now; it cannot undo the
        last real exchange's failure (terminal/counter.py answering)."""
        self._beat = beat
        self._show_platform(answering(beat, bool(getattr(self._counter_st, "online", True))))
        self.platform.setToolTip(self.tr("最后检测 %1（%2）").replace(
            "%1", datetime.fromtimestamp(beat.at).strftime("%H:%M:%S")).replace("%2", beat.seen))

    def _show_platform(self, online: bool) -> None:
        self.platform.setText(self.tr("医保平台：在线") if online else self.tr("医保平台：离线"))
        _restyle(self.platform, "ok" if online else "bad")

    def set_scanner(self, status) -> None:
        """Show a drivers ScannerStatus (or None: no scanner configured)."""
        self._scanner_st = status
        text, state = scanner_text(status)
        self.scanner.setText(text)
        _restyle(self.scanner, state)

    def set_counter(self, st) -> None:
        """Show a CounterStatus: online flag, queued refunds, unknown outcomes."""
        was = bool(getattr(self._counter_st, "online", True))
        self._counter_st = st
        online = bool(getattr(st, "online", False))
        # 在线 needs both words, the last real exchange's and the latest probe's; but a real answer just now
        # is fresher than any probe: 在线 at once, and the next heartbeat confirms
        self._show_platform(online if online and not was else answering(self._beat, online))
        q = int(getattr(st, "queued_refunds", 0) or 0)
        u = int(getattr(st, "unknown_outcomes", 0) or 0)
        self.queue.setText(self.tr("待退费 %1 · 待确认 %2").replace("%1", str(q)).replace("%2", str(u)))
        _restyle(self.queue, "warn" if (q or u) else "ok")
