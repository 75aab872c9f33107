"""Fault injection: "INFNO:KIND[:ARG],..." where INFNO is a platform infno, `ec.query` or `*`.

Kinds (CONTRACTS.md): error[:MSG] answers infcode -1 / code 500100 without processing; delay:MS processes,
then answers MS milliseconds late; drop processes and commits, then closes the connection unanswered;
down answers HTTP 503 before processing. Extension (ours): drop:N and down:N fire for the next N matching
requests only, then clear themselves; without N a fault stays until cleared.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

KINDS = ("error", "delay", "drop", "down")


@dataclass
class Fault:
    """One injected fault; `left` None = until cleared."""

    target: str
    kind: str
    arg: str = ""
    left: int | None = None


def parse(spec: str) -> list[Fault]:
    """Parse a fault spec; ValueError saying what is wrong."""
    out = []
    for part in (spec or "").split(","):
        part = part.strip()
        if not part:
            continue
        target, _, rest = part.partition(":")
        kind, _, arg = rest.partition(":")
        target, kind = target.strip(), kind.strip()
        if not target or kind not in KINDS:
            raise ValueError(f"bad fault {part!r}: use INFNO:KIND[:ARG], KIND one of {', '.join(KINDS)}")
        left = None
        if kind == "delay":
            if not arg.isdigit():
                raise ValueError(f"bad fault {part!r}: delay needs milliseconds, e.g. 2102:delay:1500")
        elif kind in ("drop", "down") and arg:
            if not arg.isdigit() or int(arg) < 1:
                raise ValueError(f"bad fault {part!r}: {kind}:N needs a positive count")
            left = int(arg)
        out.append(Fault(target, kind, arg, left))
    return out


class Faults:
    """The active faults, shared by the server's threads."""

    def __init__(self, spec: str = ""):
        self._lock = threading.Lock()
        self._faults: list[Fault] = parse(spec)

    def add(self, spec: str) -> None:
        """Add faults; one replaces an active fault of the same target and kind."""
        new = parse(spec)
        with self._lock:
            for f in new:
                self._faults = [g for g in self._faults if (g.target, g.kind) != (f.target, f.kind)]
                self._faults.append(f)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def active(self) -> list[dict]:
        with self._lock:
            return [vars(f).copy() for f in self._faults]

    def take(self, target: str) -> dict[str, Fault]:
        """The faults that apply to this request, by kind (consuming counted ones)."""
        hit: dict[str, Fault] = {}
        with self._lock:
            for f in list(self._faults):
                if f.target not in (target, "*") or f.kind in hit:
                    continue
                hit[f.kind] = f
                if f.left is not None:
                    f.left -= 1
                    if f.left <= 0:
                        self._faults.remove(f)
        return hit
