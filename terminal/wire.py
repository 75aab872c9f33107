"""Journal-first platform calls: every request is journaled before it is sent and its answer after.

JournaledClient is a PlatformClient, so the credential adapter's 1162 decode goes through it too.
`exchange` lets the workflow apply the answer's consequences (a sale becoming settled) in the same
transaction that records the answer, so a crash can never leave an answered settlement unapplied.
"""
from __future__ import annotations

import sqlite3
import time
from typing import Any, Callable

from terminal.errors import PlatformRefused, PlatformUnknown, PlatformUnreachable
from terminal.journal import Journal, JournalFull, crash_point
from terminal.platform import PlatformClient

Apply = Callable[[sqlite3.Connection, str, dict], None]
Read = Callable[[dict], Any]


class Malformed(ValueError):
    """An answer with infcode 0 that does not hold what its transaction must answer (no output, no setl_id,
    a null or non-numeric amount): the request may have been processed, so its outcome is unknown."""
# Settlements and refunds: an unknown outcome of these is reversed with 2601, never blindly resent.
REVERSIBLE = frozenset({"2102", "2103", "2207", "2208"})


class JournaledClient(PlatformClient):
    """A PlatformClient that writes each request and answer to the journal."""

    def __init__(self, cfg, journal: Journal, **kw):
        super().__init__(cfg, **kw)
        self.journal = journal
        self.wait_seconds = 0.0  # time spent waiting on the platform, for the benchmark
        self.sale_id: int | None = None  # the sale the next requests belong to (set by the workflow)

    def send(self, env: dict[str, Any]) -> dict[str, Any]:
        """Journal, send, journal the answer (PlatformClient.send's contract)."""
        return self.exchange(env)

    def exchange(self, env: dict[str, Any], *, sale_id: int | None = None, refund_id: int | None = None,
                 apply: Apply | None = None, read: Read | None = None) -> dict[str, Any]:
        """Send one envelope journal-first. apply(conn, state, output) runs in the transaction that records
        the outcome (state ok, refused, unreachable or unknown; output is the answer's output when ok,
        {"err_msg": ...} when refused, else {}). read(output) checks an infcode-0 answer before it counts:
        raising Malformed makes the outcome unknown (recorded with the answer as it came)."""
        infno, msgid = str(env["infno"]), env["msgid"]
        sale_id = sale_id if sale_id is not None else self.sale_id
        self.journal.request_sent(env, sale_id=sale_id, refund_id=refund_id)
        crash_point(f"before_send:{infno}")
        crash_point(f"in_flight:{infno}")  # with @ms: killed while the request is on the wire
        t0 = time.perf_counter()
        try:
            answer = super().send(env)
        except (PlatformRefused, PlatformUnreachable, PlatformUnknown) as e:
            self.wait_seconds += time.perf_counter() - t0
            state = {PlatformRefused: "refused", PlatformUnreachable: "unreachable"}.get(type(e), "unknown")
            err = e.err_msg if isinstance(e, PlatformRefused) else e.detail
            # A refusal's output is its err_msg, so apply can tell a sign_no refusal from a business one.
            out = {"err_msg": err} if state == "refused" else {}
            self._record(msgid, state, err=err, apply=(lambda c: apply(c, state, out)) if apply else None)
            raise
        self.wait_seconds += time.perf_counter() - t0
        crash_point(f"answered:{infno}")
        out = answer.get("output") or {}
        if read is not None:
            try:
                read(answer.get("output"))
            except Malformed as e:
                self._record(msgid, "unknown", answer=answer, err=f"malformed answer: {e}",
                             apply=(lambda c: apply(c, "unknown", {})) if apply else None)
                raise PlatformUnknown(f"malformed answer: {e}", infno=infno, msgid=msgid) from None
        if not self._record(msgid, "ok", answer=out, apply=(lambda c: apply(c, "ok", out)) if apply else None):
            raise PlatformUnknown("answered after sync took the request over as unknown", infno=infno,
                                  msgid=msgid)
        crash_point(f"committed:{infno}")
        return answer

    def _record(self, msgid: str, state: str, **kw) -> bool:
        """Journal an answer. When the disk is full the request stays 'sending' in the journal, which sync
        turns into an unknown outcome once this process is gone (or the request is stale): nothing is lost,
        and the cashier is told the result is still to be confirmed unless nothing happened."""
        try:
            return self.journal.request_answered(msgid, state, **kw)
        except JournalFull as e:
            raise JournalFull(self.journal.path, e.detail,
                              after_send=state not in ("refused", "unreachable")) from None

    def call_journaled(self, infno: str, input: dict[str, Any], *, msgid: str | None = None,
                       insuplc_admdvs: str = "", sale_id: int | None = None, refund_id: int | None = None,
                       apply: Apply | None = None, read: Read | None = None) -> dict[str, Any]:
        """Build, journal and send; returns the answer's output."""
        env = self.envelope(infno, input, msgid=msgid, insuplc_admdvs=insuplc_admdvs)
        return self.exchange(env, sale_id=sale_id, refund_id=refund_id, apply=apply,
                             read=read).get("output") or {}
