"""Keyboard-wedge detector: tells a scanner's key burst from human typing by timing alone (no Qt)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from drivers.events import CONNECTED, STOPPED, ScanCallback, Source, StatusCallback

TERMINATOR_KEYS = frozenset({"Enter", "Return", "Tab", "\r", "\n", "\t"})


@dataclass(frozen=True)
class Burst:
    """Held keys resolved: a scan (text, swallowed) or typing (items to replay, in order)."""

    scan: bool
    text: str
    items: tuple = ()
    ended_by: str = ""  # Enter, Tab, idle, or the key that broke the burst


@dataclass
class Fed:
    """The answer to one key: hold it (True) or let it through now, after replaying `done` typing."""

    held: bool
    done: list = field(default_factory=list)


class WedgeDetector:
    """Pure state machine: feed(key, t) with t in seconds; keys <= gap apart and >= min_length is a scan."""

    def __init__(self, gap_ms: float = 50, min_length: int = 8):
        self.gap = gap_ms / 1000
        self.min_length = max(1, min_length)
        self._keys: list[tuple[str, Any]] = []
        self._last = 0.0

    @property
    def holding(self) -> bool:
        """True while keys are held back waiting for the burst to resolve."""
        return bool(self._keys)

    def deadline(self) -> Optional[float]:
        """The time after which poll() resolves the held keys (None when nothing is held)."""
        return self._last + self.gap if self._keys else None

    def feed(self, key: str, t: float, payload: Any = None) -> Fed:
        """One key press: a single character, or a key name such as Enter, Tab, Backspace."""
        done = self.poll(t)
        if self._keys and t < self._last:  # clock went backwards: start afresh rather than guess
            done += self._resolve("clock")
        if len(key) == 1 and key.isprintable():
            self._keys.append((key, payload))
            self._last = t
            return Fed(True, done)
        if not self._keys:
            return Fed(False, done)
        if key in TERMINATOR_KEYS:
            name = {"\r": "Enter", "\n": "Enter", "Return": "Enter", "\t": "Tab"}.get(key, key)
            if len(self._keys) >= self.min_length:
                done.append(self._take(True, name))
                return Fed(True, done)  # the scanner's suffix is swallowed with its code
            done.append(self._take(False, name))
            return Fed(False, done)
        done += self._resolve(key)  # any other key ends the burst and goes through itself
        return Fed(False, done)

    def poll(self, t: float) -> list[Burst]:
        """Resolve held keys once the line has been quiet for longer than the gap (idle commit)."""
        if self._keys and t - self._last > self.gap:
            return self._resolve("idle")
        return []

    def flush(self) -> list[Burst]:
        """Resolve whatever is held now (focus change, shutdown)."""
        return self._resolve("flush") if self._keys else []

    def _resolve(self, why: str) -> list[Burst]:
        if not self._keys:
            return []
        return [self._take(len(self._keys) >= self.min_length, why)]

    def _take(self, scan: bool, why: str) -> Burst:
        keys, self._keys = self._keys, []
        return Burst(scan, "".join(k for k, _ in keys), tuple(p for _, p in keys), why)


class WedgeSource(Source):
    """The wedge as a Source: a host (Qt filter, evdev reader) feeds keys; scans come out as ScanEvents."""

    kind = "wedge"

    def __init__(self, on_scan: ScanCallback, on_status: Optional[StatusCallback] = None, *,
                 gap_ms: float = 50, min_length: int = 8, device: str = "keyboard"):
        super().__init__(on_scan, on_status, device=device)
        self.detector = WedgeDetector(gap_ms, min_length)

    def start(self) -> None:
        """Accept keys."""
        self._set_status(CONNECTED)

    def stop(self) -> None:
        """Stop accepting keys; anything held is dropped as typing is not ours to deliver here."""
        self.detector.flush()
        self._set_status(STOPPED)

    def feed(self, key: str, t: float, payload: Any = None) -> Fed:
        """Feed one key; scans found are emitted, typing bursts returned for replay."""
        fed = self.detector.feed(key, t, payload)
        fed.done = self._emit_scans(fed.done)
        return fed

    def poll(self, t: float) -> list[Burst]:
        """Idle check; returns typing bursts to replay."""
        return self._emit_scans(self.detector.poll(t))

    def flush(self) -> list[Burst]:
        """Resolve now; returns typing bursts to replay."""
        return self._emit_scans(self.detector.flush())

    def _emit_scans(self, bursts: list[Burst]) -> list[Burst]:
        for b in bursts:
            if b.scan:
                self._emit(b.text)
        return [b for b in bursts if not b.scan]
