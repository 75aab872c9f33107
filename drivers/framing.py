"""Cut a serial byte stream into codes: CR, LF, CRLF or an idle gap ends a code; control bytes go."""
from __future__ import annotations

import unicodedata

TERMINATORS = {"CR": b"\r", "LF": b"\n", "CRLF": b"\r\n", "idle": b""}


def clean(raw: bytes) -> str:
    """The printable text of one code: undecodable bytes and control characters removed."""
    text = raw.decode("utf-8", errors="replace")
    return "".join(ch for ch in text
                   if ch != "\ufffd" and not unicodedata.category(ch).startswith("C")).strip()


class Framer:
    """Pure framer: feed(bytes, now) -> finished codes; a partial code never leaves half-done."""

    def __init__(self, terminator: str = "CR", idle_s: float = 0.08, stale_s: float = 1.0,
                 max_length: int = 4096):
        if terminator not in TERMINATORS:
            raise ValueError(f"terminator must be one of {', '.join(TERMINATORS)}")
        self.terminator = terminator
        self._sep = TERMINATORS[terminator]
        self.idle_s = idle_s
        self.stale_s = stale_s  # a partial this old when more bytes come is a broken read: drop it
        self.max_length = max_length
        self._buf = bytearray()
        self._last = 0.0
        self.dropped = 0  # partial codes thrown away (broken reads, overlong garbage)

    @property
    def pending(self) -> bool:
        """True while part of a code is buffered."""
        return bool(self._buf)

    def feed(self, data: bytes, now: float) -> list[str]:
        """Add bytes received at `now` (monotonic seconds); return the codes they complete."""
        out: list[str] = []
        if not data:
            return out
        if self._buf and now - self._last > (self.idle_s if not self._sep else self.stale_s):
            out += self._flush_idle() if not self._sep else []
            if self._sep:
                self.reset()
        self._last = now
        self._buf += data
        if self._sep:
            *parts, rest = bytes(self._buf).split(self._sep)
            self._buf = bytearray(rest)
            out += [t for t in map(clean, parts) if t]
        if len(self._buf) > self.max_length:  # no terminator in sight: not a code
            self.reset()
        return out

    def tick(self, now: float) -> list[str]:
        """With the idle terminator, end the code once the line has been quiet for idle_s."""
        if not self._sep and self._buf and now - self._last >= self.idle_s:
            return self._flush_idle()
        return []

    def reset(self) -> None:
        """Drop a partial code (the port broke or the bytes went stale)."""
        if self._buf:
            self.dropped += 1
        self._buf.clear()

    def _flush_idle(self) -> list[str]:
        text = clean(bytes(self._buf))
        self._buf.clear()
        return [text] if text else []
