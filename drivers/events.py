"""What every scan source emits: ScanEvent for a code, ScannerStatus for its health; the Source base."""
from __future__ import annotations

import abc
import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable, Optional

from terminal.errors import EcposError
from terminal.logs import event

CONNECTED = "connected"
RECONNECTING = "reconnecting"
ERROR = "error"
STOPPED = "stopped"
STATES = (CONNECTED, RECONNECTING, ERROR, STOPPED)


@dataclass(frozen=True)
class ScanEvent:
    """One code read: its text, the kind of source (serial/wedge/camera), the device, wall-clock time."""

    text: str
    source: str
    device: str
    at: float


@dataclass(frozen=True)
class ScannerStatus:
    """A source's health: state is connected, reconnecting, error or stopped; reason says why."""

    state: str
    reason: str = ""
    device: str = ""


class ScannerError(EcposError):
    """A scan source cannot be used as configured (missing package, bad setting, no such device)."""

    key = "scanner_error"
    exit_code = 2


ScanCallback = Callable[[ScanEvent], None]
StatusCallback = Callable[[ScannerStatus], None]


class Source(abc.ABC):
    """Base of every scan source: callbacks run on the source's own thread; no Qt here."""

    kind = "source"

    def __init__(self, on_scan: ScanCallback, on_status: Optional[StatusCallback] = None,
                 device: str = ""):
        self._on_scan = on_scan
        self._on_status = on_status
        self._status = ScannerStatus(STOPPED, "", device)
        self._status_lock = threading.Lock()
        self.device = device

    @property
    def status(self) -> ScannerStatus:
        """The latest status."""
        return self._status

    @abc.abstractmethod
    def start(self) -> None:
        """Begin reading (returns at once; reading happens on a thread)."""

    @abc.abstractmethod
    def stop(self) -> None:
        """Stop reading and release the device."""

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _emit(self, text: str) -> None:
        ev = ScanEvent(text, self.kind, self.device, time.time())
        event("scan", source=self.kind, device=self.device, length=len(text))
        try:
            self._on_scan(ev)
        except Exception:  # a consumer's bug must not kill the reader thread
            logging.getLogger("ecpos").exception("scan callback failed")

    def _set_status(self, state: str, reason: str = "", device: str | None = None) -> None:
        """Record and report a status; repeats of the same state and reason are not re-reported."""
        if device is not None:
            self.device = device
        new = ScannerStatus(state, reason, self.device)
        with self._status_lock:
            if new == self._status:
                return
            self._status = new
        event("scanner_status", source=self.kind, device=self.device, state=state, reason=reason)
        if self._on_status is not None:
            try:
                self._on_status(new)
            except Exception:
                logging.getLogger("ecpos").exception("status callback failed")


class ThreadedSource(Source):
    """A source that reads on one thread of its own: start() runs _run() until stop() is asked."""

    join_s = 2.0  # how long stop() waits for the reader to notice

    def __init__(self, on_scan: ScanCallback, on_status: Optional[StatusCallback] = None,
                 device: str = ""):
        super().__init__(on_scan, on_status, device)
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None

    @abc.abstractmethod
    def _run(self) -> None:
        """Read until self._stop is set; runs on the source's thread."""

    def _release(self) -> None:
        """Free the device after the reader has stopped (override where there is one to close)."""

    def start(self) -> None:
        """Start the reader thread (idempotent while running)."""
        if self._thread and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"{self.kind}-{self.device}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the reader thread and release the device."""
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=self.join_s)
        self._thread = None
        self._release()
        self._set_status(STOPPED)
