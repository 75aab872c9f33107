"""Journal-first platform calls: every request is journaled before it is sent and its answer after.

    outcome = client.send_open("2102", input_, sale_id=..., read=answers.settled)  # journaled, sent, read
    with store.tx() as c:
        if client.record(c, outcome):          # the answer, in the transaction of its consequences
            ...                                # the sale settled / unknown / failed (terminal/sale/sales.py)
    value = outcome.result()                   # the typed answer, or the PlatformError

    value = client.call_journaled("2101", input_, read=answers.quoted)   # the same, answer journaled alone

The client signs in (9001) by itself before the first business request and again, once, when the platform
refuses a stale sign-in (a refusal: nothing happened, so the resend under a new msgid is safe). It does so as
whoever it acts for (act_for: the signed-in cashier's platform code and name, else the terminal's
[operator]), each with a sign_no of their own. Money requests (settlements, refunds, reversals) and their
answers are fully synced commits; the others (queries, sign-in, pre-settlement) are written to the WAL
without waiting for the disk, and reach it with the next synced commit: a kill -9 loses none of them, only a
power cut can lose the last queries.
JournaledClient is a PlatformClient, so the credential adapter's 1162 decode goes through it too.
"""
from __future__ import annotations

import functools
import socket
import sqlite3
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Generic, Iterator, TypeVar

from terminal import logs
from terminal.wire import answers
from terminal.wire.answers import Malformed
from terminal.errors import PlatformError, PlatformRefused, PlatformUnknown, PlatformUnreachable
from terminal.journal.journal import Journal, JournalFull, crash_point
from terminal.wire.platform import PlatformClient
from terminal.states import RequestState

T = TypeVar("T")
Read = Callable[[Any], Any]
# Settlements and refunds: an unknown outcome of these is reversed with 2601, never blindly resent.
REVERSIBLE = frozenset({"2102", "2103", "2207", "2208"})
DURABLE = REVERSIBLE | {"2601"}  # requests whose journal rows are synced to disk before they are sent
# Sent without a sign-in: the sign-in itself, and the credential decode (not a business transaction).
UNSIGNED = frozenset({"9001", "9002", "1162"})
# Words in an err_msg that mean "your sign_no is not (or no longer) valid": sign in again and resend once.
_SIGN_WORDS = ("签到", "sign_no")

__all__ = ["JournaledClient", "Outcome", "Malformed", "REVERSIBLE", "sign_refusal"]


def sign_refusal(err_msg: str) -> bool:
    """True when a refusal was about the sign_no (nothing happened; sign in again and resend)."""
    return any(w in (err_msg or "") for w in _SIGN_WORDS)


@dataclass
class Outcome(Generic[T]):
    """What became of one request: state ok (value = the typed answer), refused, unreachable or unknown
    (error = the PlatformError to raise). `output` is the answer as it came, for the journal."""

    infno: str
    msgid: str
    state: str
    value: Any = None
    output: Any = None
    error: PlatformError | None = None

    @property
    def err_msg(self) -> str:
        return getattr(self.error, "err_msg", "") if self.error else ""

    @property
    def err(self) -> str:
        """The error text journaled with the request."""
        if self.error is None:
            return ""
        return self.err_msg if isinstance(self.error, PlatformRefused) else self.error.detail

    def result(self) -> Any:
        """The typed answer, or raise the PlatformError."""
        if self.error is not None:
            raise self.error
        return self.value


class JournaledClient(PlatformClient):
    """A PlatformClient that writes each request and answer to the journal and keeps itself signed in."""

    def __init__(self, cfg, journal: Journal, **kw):
        super().__init__(cfg, **kw)
        self.journal = journal
        self.wait_seconds = 0.0  # time spent waiting on the platform, for the benchmark
        self.sale_id: int | None = None  # the sale the next plain requests belong to
        self._borrowed: set[str] = set()  # sign_nos acting_for() opened for operators not at the till
        self._restore_sign_no()

    def _restore_sign_no(self) -> None:
        """The sign_no of whoever the client acts for: one from an earlier process of the same operator
        today is still their session's; none, and their first business request signs in."""
        self._sign_key = f"sign_no:{self.cfg.institution.fixmedins_code}:{self.opter}"
        day, _, sign_no = self.journal.get_meta(self._sign_key).partition("|")
        self.sign_no = sign_no if day == date.today().isoformat() and sign_no else ""

    def act_for(self, opter: str, opter_name: str) -> None:
        """From now on the requests are this operator's (opter / opter_name, their own 9001 and sign_no)."""
        if (opter, opter_name) != (self.opter, self.opter_name):
            self.opter, self.opter_name = opter, opter_name
            self._restore_sign_no()

    @contextmanager
    def acting_for(self, opter: str, opter_name: str) -> Iterator[None]:
        """The requests inside are this operator's (work done at the counter by someone who may not be the
        one the client acts for now: a queued refund, a reversal); afterwards the client acts as before. A
        9001 made here for them is closed with a best-effort 9002 when the work ends well (they are not at the
        till); after an error (an outage, a lost answer) it stays open until work for them in this process
        ends well (sync's next round), else the platform ends it by itself. A sign-in found open (they are
        at a till today) is theirs and is left alone."""
        if (opter, opter_name) == (self.opter, self.opter_name):
            yield
            return
        before = self.opter, self.opter_name, self.sign_no, self._sign_key
        self.act_for(opter, opter_name)
        had = self.sign_no
        try:
            yield
            if self.sign_no and (self.sign_no != had or self.sign_no in self._borrowed):
                try:
                    self.sign_out()
                except PlatformError as e:
                    logs.event("platform_sign_out_failed", opter=opter, error=e.key)
        finally:
            if self.sign_no and self.sign_no != had:
                self._borrowed.add(self.sign_no)  # ours to close once the work ends well (a later round)
            self.opter, self.opter_name, self.sign_no, self._sign_key = before

    # --- the session -------------------------------------------------------------------------------
    @property
    def signed_in(self) -> bool:
        return bool(self.sign_no)

    def sign_in(self, force: bool = False) -> str:
        """9001 unless already signed in; returns the sign_no (kept in the journal for today)."""
        if self.sign_no and not force:
            return self.sign_no
        self.sign_no = ""
        out = self.call("9001", {"signIn": {"opter_no": self.opter, "mac": _mac(), "ip": _ip()}})
        sign_no = answers.signed_in(out)
        if not sign_no:
            raise PlatformRefused("签到未返回 sign_no", infno="9001")
        self.sign_no = sign_no
        self.journal.set_meta(self._sign_key, f"{date.today().isoformat()}|{sign_no}")
        self.journal.audit("platform_signed_in", self.opter, sign_no=sign_no)
        return sign_no

    def sign_out(self) -> None:
        """9002; forgets the sign_no."""
        if not self.sign_no:
            return
        self.call("9002", {"signOut": {"sign_no": self.sign_no, "opter_no": self.opter}})
        self.sign_no = ""
        self.journal.set_meta(self._sign_key, "")
        self.journal.audit("platform_signed_out", self.opter)

    # --- journal-first exchanges -------------------------------------------------------------------
    def send(self, env: dict[str, Any]) -> dict[str, Any]:
        """Journal, send, journal the answer (PlatformClient.send's contract; no sign-in of its own)."""
        outcome = self._once(env, None, None, None)
        self._record_alone(outcome)
        if outcome.error is not None:
            raise outcome.error
        return {"infcode": 0, "output": outcome.output}

    def send_open(self, infno: str, input: dict[str, Any], *, insuplc_admdvs: str = "", msgid: str | None = None,
                  sale_id: int | None = None, refund_id: int | None = None, read: Read | None = None) -> Outcome:
        """Journal the request, sign in if needed, send it (once more under a new msgid, after signing in
        again, when the platform refuses a stale sign-in), and read the answer with `read` (Malformed makes
        the outcome unknown). The answer is NOT journaled yet: record() it with its consequences."""
        env = self.envelope(infno, input, msgid=msgid, insuplc_admdvs=insuplc_admdvs)
        infno = env["infno"]
        for attempt in (1, 2):
            if infno not in UNSIGNED:
                self.sign_in()
                env["sign_no"] = self.sign_no
            outcome = self._once(env, sale_id, refund_id, read)
            if attempt == 1 and infno not in UNSIGNED and outcome.state == RequestState.REFUSED \
                    and sign_refusal(outcome.err_msg):
                self._record_alone(outcome)  # nothing happened; it stays in the journal as refused
                logs.event("sign_in_again", infno=infno, err_msg=outcome.err_msg)
                self.sign_in(force=True)
                env = {**env, "msgid": self.msgids.next()}
                continue
            return outcome
        return outcome  # pragma: no cover - the loop always returns

    def record(self, c: sqlite3.Connection, outcome: Outcome) -> bool:
        """Journal an outcome inside the caller's transaction. False when sync already declared the request
        unknown (its outcome is sync's now): the caller then changes nothing else, and result() says unknown."""
        done = self.journal.answer(c, outcome.msgid, outcome.state, answer=outcome.output, err=outcome.err)
        if not done:
            outcome.state, outcome.value = RequestState.UNKNOWN, None
            outcome.error = PlatformUnknown("answered after sync took the request over as unknown",
                                            infno=outcome.infno, msgid=outcome.msgid)
        return done

    def call_journaled(self, infno: str, input: dict[str, Any], *, msgid: str | None = None,
                       insuplc_admdvs: str = "", sale_id: int | None = None, refund_id: int | None = None,
                       read: Read | None = None) -> Any:
        """send_open + record in a transaction of its own; returns read(output) (the output without read)."""
        outcome = self.send_open(infno, input, insuplc_admdvs=insuplc_admdvs, msgid=msgid, sale_id=sale_id,
                                 refund_id=refund_id, read=read)
        self._record_alone(outcome)
        return outcome.result()

    def _record_alone(self, outcome: Outcome) -> None:
        try:
            with self.journal.tx(durable=outcome.infno in DURABLE) as c:
                self.record(c, outcome)
        except JournalFull as e:
            raise self.full(e, outcome) from None
        self.committed(outcome)

    @staticmethod
    def committed(outcome: Outcome) -> None:
        """Call once an outcome's transaction has committed (a place where the crash tests may kill)."""
        crash_point(f"committed:{outcome.infno}")

    def full(self, e: JournalFull, outcome: Outcome) -> JournalFull:
        """A full disk while journaling an answer: the request stays 'sending', which sync turns into an
        unknown outcome once this process is gone; the cashier is told unless nothing happened."""
        return JournalFull(self.journal.path, e.detail,
                           after_send=outcome.state not in (RequestState.REFUSED, RequestState.UNREACHABLE))

    def _once(self, env: dict, sale_id: int | None, refund_id: int | None, read: Read | None) -> Outcome:
        """Journal one envelope, send it, read the answer."""
        infno, msgid = str(env["infno"]), env["msgid"]
        sale_id = sale_id if sale_id is not None else self.sale_id
        self.journal.request_sent(env, sale_id=sale_id, refund_id=refund_id, durable=infno in DURABLE)
        crash_point(f"before_send:{infno}")
        crash_point(f"in_flight:{infno}")  # with @ms: killed while the request is on the wire
        t0 = time.perf_counter()
        try:
            answer = super().send(env)
        except (PlatformRefused, PlatformUnreachable, PlatformUnknown) as e:
            self.wait_seconds += time.perf_counter() - t0
            state = {PlatformRefused: RequestState.REFUSED,
                     PlatformUnreachable: RequestState.UNREACHABLE}.get(type(e), RequestState.UNKNOWN)
            return Outcome(infno, msgid, state, error=e)
        except Exception as e:  # noqa: BLE001 — e.g. an answer nested too deep to parse: it may have been processed
            self.wait_seconds += time.perf_counter() - t0
            return self._unreadable(infno, msgid, None, e)
        self.wait_seconds += time.perf_counter() - t0
        crash_point(f"answered:{infno}")
        out = answer.get("output")
        if read is None:
            return Outcome(infno, msgid, RequestState.OK, value=out or {}, output=out or {})
        try:
            return Outcome(infno, msgid, RequestState.OK, value=read(out), output=out)
        except Exception as e:  # noqa: BLE001 — Malformed, or a reader tripped by what no reader expects
            return self._unreadable(infno, msgid, answer, e)

    @staticmethod
    def _unreadable(infno: str, msgid: str, answer: Any, e: Exception) -> Outcome:
        """An answer that cannot be read, whatever the reason: the request may have been processed, so its
        outcome is unknown (sync resolves it), never a failure and never a crash of the sale."""
        why = str(e) if isinstance(e, Malformed) else f"{type(e).__name__}: {e}"[:200]
        logs.event("platform_malformed", infno=infno, msgid=msgid, why=why)
        return Outcome(infno, msgid, RequestState.UNKNOWN, output=answer,
                       error=PlatformUnknown(f"malformed answer: {why}", infno=infno, msgid=msgid))


@functools.lru_cache(maxsize=1)
def _mac() -> str:
    n = uuid.getnode()
    return ":".join(f"{(n >> s) & 0xff:02X}" for s in range(40, -1, -8))


@functools.lru_cache(maxsize=1)
def _ip() -> str:
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:
        return "127.0.0.1"
