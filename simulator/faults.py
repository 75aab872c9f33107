"""Fault injection: "INFNO:KIND[:ARG],..." where INFNO is a platform infno, `ec.query` or `*`.

Kinds (CONTRACTS.md): error[:MSG] answers infcode -1 / code 500100 without processing; delay:MS processes,
then answers MS milliseconds late; drop processes and commits, then closes the connection unanswered;
down takes the service off the network: connections are refused, nothing reaches anyone (only `*:down`: a
refused connection cannot know which transaction it would have carried; it once answered HTTP 503, which a
real gateway may send after the platform processed the request). reset closes the connection unread and
unprocessed (the till cannot tell it from a lost answer). Extension (ours): drop:N and reset:N fire for the
next N matching requests only, then clear themselves; without N a fault stays until cleared.
Also ours, for the terminal's "what an answer means" tests: garble:WHAT processes and commits, then answers
once with a broken answer (WHAT one of GARBLES); gateway:STATUS processes, then a gateway answers HTTP STATUS
(5xx) once; drip:MS processes, then sends its answer one byte every MS milliseconds, once.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

KINDS = ("error", "delay", "drop", "down", "reset", "garble", "gateway", "drip")
# What a garbled answer looks like: the infcode of a processed request replaced, output or setl_id or an amount
# broken, or a body that is not JSON at all.
GARBLES = ("infcode_null", "infcode_1", "infcode_true", "infcode_list", "no_output", "no_setl_id",
           "null_amount", "text_amount", "not_json")


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
        elif kind == "garble":
            if arg not in GARBLES:
                raise ValueError(f"bad fault {part!r}: garble needs one of {', '.join(GARBLES)}")
            left = 1
        elif kind == "gateway":
            if not (arg.isdigit() and 500 <= int(arg) <= 599):
                raise ValueError(f"bad fault {part!r}: gateway needs an HTTP 5xx status, e.g. 2102:gateway:502")
            left = 1
        elif kind == "drip":
            if not arg.isdigit():
                raise ValueError(f"bad fault {part!r}: drip needs milliseconds per byte, e.g. 2102:drip:50")
            left = 1
        elif kind == "down":
            if target != "*" or arg:
                raise ValueError(f"bad fault {part!r}: down refuses every connection, so it is *:down only; "
                                 f"for one transaction that never reaches the platform use {target}:reset")
        elif kind in ("drop", "reset") and arg:
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

    def down(self) -> bool:
        """Whether the service is off the network (`*:down` in force)."""
        with self._lock:
            return any(f.kind == "down" for f in self._faults)

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


def garble(answer: dict, what: str) -> dict | bytes:
    """A processed request's answer broken the way `what` says (the processing itself stands)."""
    if what == "not_json":
        return b'{"infcode": 0, "output": {"setlinfo": {"setl_id": '
    out = dict(answer)
    if what.startswith("infcode_"):
        out["infcode"] = {"infcode_null": None, "infcode_1": 1, "infcode_true": True, "infcode_list": [0]}[what]
        return out
    if what == "no_output":
        out.pop("output", None)
        return out
    output = dict(out.get("output") or {})
    info = output.get("setlinfo")
    info = dict(info[0] if isinstance(info, list) and info else info or {})
    if what == "no_setl_id":
        info.pop("setl_id", None)
    elif what == "null_amount":
        info["medfee_sumamt"] = None
    elif what == "text_amount":
        info["fund_pay_sumamt"] = "十二元"
    output["setlinfo"] = info
    out["output"] = output
    return out
