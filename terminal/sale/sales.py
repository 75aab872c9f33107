"""A sale as the journal keeps it, and the one store that writes sales, refunds and the outbox.

    store = SaleStore(journal)
    sale = store.get(sale_id)             # Sale: status, amounts, what is allowed next
    store.subscribe(lambda sale: ...)     # called after each committed change of a sale (any thread)

Every change of a sale's status goes through `SaleStore.move`, which checks the transition against
TRANSITIONS inside the writing transaction (`UPDATE .. WHERE status IN (allowed sources)`), so a settled sale
cannot become cancelled whoever asks, and two processes cannot both win a race. Nothing else in the code base
writes the sales, refunds or outbox tables (tests that tamper with a journal write SQL of their own).
"""
from __future__ import annotations

import json
import os
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Callable, Iterator

from terminal import logs
from terminal.journal import audit
from terminal.journal.clock import now
from terminal.errors import EcposError
from terminal.journal.journal import SALE_FIELDS, Journal
from terminal.money import yuan
from terminal.states import (CASH_DUE, REFUND_TRANSITIONS, SALE_TRANSITIONS, RefundState, SaleState,  # noqa: F401
                             allowed_steps, refund_sources, sources)
from terminal.sale.tender import TenderError, record

# The statuses, which may follow which and what each allows, and CASH_DUE: terminal/states.py (re-exported).
TRANSITIONS = SALE_TRANSITIONS
# Fields a sale keeps besides its status (journal.SALE_FIELDS minus status).
FIELDS = tuple(f for f in SALE_FIELDS if f != "status")
_AMOUNTS = ("medfee_sumamt", "fund_pay_sumamt", "acct_pay", "psn_cash_pay")


class SaleStateError(EcposError):
    """A change the sale's status does not allow (cancelling a settled sale, settling one twice)."""

    key = "sale_state"
    exit_code = 2


@dataclass(frozen=True)
class Sale:
    """One sale as the journal holds it (masked; never the credential). `allowed` lists the next steps a
    screen or a command may offer: confirm / cancel (pending with a quote), refund (settled), sync (unknown)."""

    id: int
    profile: str
    status: SaleState
    opter: str
    created_at: str
    status_at: str
    day: str
    psn_no: str
    name_masked: str
    id_masked: str
    insutype: str
    family_of: str
    mdtrt_id: str
    setl_id: str
    msgid: str
    medfee_sumamt: Decimal
    fund_pay_sumamt: Decimal
    acct_pay: Decimal
    psn_cash_pay: Decimal
    setl_time: str
    note: str
    items: tuple[dict, ...] = field(default=(), repr=False)
    visit: dict = field(default_factory=dict, repr=False)

    @classmethod
    def from_row(cls, r: dict) -> "Sale":
        """A Sale from a journal row."""
        return cls(id=int(r["id"]), profile=r["profile"], status=SaleState(r["status"]), opter=r["opter"],
                   created_at=r["created_at"], status_at=r["status_at"], day=r["day"], psn_no=r["psn_no"],
                   name_masked=r["name_masked"], id_masked=r["id_masked"], insutype=r["insutype"],
                   family_of=r["family_of"], mdtrt_id=r["mdtrt_id"], setl_id=r["setl_id"], msgid=r["msgid"],
                   **{k: yuan(r[k] or "0") for k in _AMOUNTS}, setl_time=r["setl_time"], note=r["note"],
                   items=tuple(json.loads(r["items"] or "[]")), visit=json.loads(r["visit"] or "{}"))

    @property
    def cash_due(self) -> Decimal:
        """The cash part still to collect at the window (0 when paid or none)."""
        return self.psn_cash_pay if self.status == SaleState.SETTLED and self.note == CASH_DUE else yuan("0")

    @property
    def allowed(self) -> frozenset[str]:
        """What may be asked of this sale next (the core refuses anything else); `collect` while a cash
        part is due at the window."""
        return allowed_steps(self.status) | ({"collect"} if self.cash_due else frozenset())


Listener = Callable[[Sale], None]


class SaleStore:
    """The only writer of sales, refunds and the outbox; checks every status change in the transaction."""

    def __init__(self, journal: Journal):
        self.journal = journal
        self._listeners: list[Listener] = []
        self._changed = threading.local()

    # --- reading -----------------------------------------------------------------------------------
    def get(self, sale_id: int) -> Sale | None:
        """The sale as committed, or None."""
        r = self.journal.sale(sale_id)
        return Sale.from_row(r) if r else None

    def row(self, sale_id: int) -> dict | None:
        return self.journal.sale(sale_id)

    def by_setl(self, setl_id: str) -> Sale | None:
        """The sale a settlement's 流水号 names (a receipt or a slip), or None."""
        r = self.journal.sale_by_setl(setl_id) if setl_id else None
        return Sale.from_row(r) if r else None

    # --- events ------------------------------------------------------------------------------------
    def subscribe(self, fn: Listener) -> Callable[[], None]:
        """Call fn(sale) after every committed change of a sale; returns a function that unsubscribes.
        Called on the thread that made the change: a Qt view re-emits it as a queued signal."""
        self._listeners.append(fn)
        return lambda: self._listeners.remove(fn) if fn in self._listeners else None

    def announce(self, sale_id: int) -> None:
        """Tell subscribers a sale's facts changed outside its row (its quote's split, its tender)."""
        self._announce({int(sale_id)})

    def _touched(self, sale_id: int) -> None:
        ids = getattr(self._changed, "ids", None)
        if ids is not None:
            ids.add(int(sale_id))

    @contextmanager
    def tx(self, *, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """A journal transaction whose sale changes are announced to subscribers once it commits."""
        outer = getattr(self._changed, "ids", None)
        ids: set[int] = set() if outer is None else outer
        self._changed.ids = ids
        try:
            with self.journal.tx(durable=durable) as c:
                yield c
        finally:
            if outer is None:
                self._changed.ids = None
        if outer is None:
            self._announce(ids)

    def _announce(self, ids: set[int]) -> None:
        for sale_id in sorted(ids):
            sale = self.get(sale_id)
            for fn in list(self._listeners):
                try:
                    fn(sale)
                except Exception as e:  # a view's bug must not undo or hide a committed sale
                    logs.event("sale_listener_failed", sale_id=sale_id, error=f"{type(e).__name__}: {e}")

    # --- sales -------------------------------------------------------------------------------------
    def open(self, c: sqlite3.Connection, profile: str, opter: str, **fields) -> int:
        """A new pending sale inside a transaction; returns its id."""
        stamp = now()
        day = datetime.now().strftime("%Y-%m-%d")
        cols = _check(fields)
        names = "".join(f", {k}" for k in cols)
        cur = c.execute(f"INSERT INTO sales(profile, opter, pid, created_at, day, status, status_at{names})"
                        f" VALUES (?,?,?,?,?,?,?{', ?' * len(cols)})",
                        (profile, opter, os.getpid(), stamp, day, SaleState.PENDING, stamp, *cols.values()))
        sale_id = int(cur.lastrowid)
        self._touched(sale_id)
        return sale_id

    def amend(self, c: sqlite3.Connection, sale_id: int, **fields) -> None:
        """Change a pending sale's bill or visit (never its status or a closed sale's data)."""
        cols = _check(fields)
        cur = c.execute(f"UPDATE sales SET {', '.join(f'{k}=?' for k in cols)} WHERE id=? AND status=?",
                        (*cols.values(), sale_id, SaleState.PENDING))
        if cur.rowcount == 0:
            raise self._refusal(c, sale_id, "amend")
        self._touched(sale_id)

    def move(self, c: sqlite3.Connection, sale_id: int, to: SaleState, **fields) -> None:
        """Change a sale's status to `to` (with other fields) inside a transaction, if TRANSITIONS allow it
        from the status it has now; raises SaleStateError (and changes nothing) otherwise."""
        cols = _check(fields)
        to = SaleState(to)
        came_from = sources(to)
        cols["status_at"] = now()
        sets = ", ".join(f"{k}=?" for k in ("status", *cols))
        marks = ",".join("?" * len(came_from))
        cur = c.execute(f"UPDATE sales SET {sets} WHERE id=? AND status IN ({marks})",
                        (to, *cols.values(), sale_id, *came_from))
        if cur.rowcount == 0:
            raise self._refusal(c, sale_id, to)
        self._touched(sale_id)

    def _refusal(self, c: sqlite3.Connection, sale_id: int, to: str) -> SaleStateError:
        found = c.execute("SELECT status FROM sales WHERE id=?", (sale_id,)).fetchone()
        status = found[0] if found else "missing"
        logs.event("sale_state_refused", sale_id=sale_id, status=status, to=to)
        words = {SaleState.CANCELLED: "取消", SaleState.FAILED: "关闭", SaleState.SETTLED: "结算",
                 SaleState.REFUND_QUEUED: "退费", "amend": "修改"}.get(to, to)
        return SaleStateError(f"交易 {sale_id} 当前状态为 {status}，不能{words}", key="sale_state",
                              detail=f"sale {sale_id}: {status} -> {to}")

    def cancel(self, sale_id: int, actor: str = "", note: str = SaleState.CANCELLED) -> None:
        """Close a sale nothing was paid for: a quote the patient did not take (cancelled), or one a dead
        process left open (note abandoned: failed); refused once settled, unknown or closed."""
        with self.tx() as c:
            cancelled = note == SaleState.CANCELLED
            self.move(c, sale_id, SaleState.CANCELLED if cancelled else SaleState.FAILED, note=note)
            audit.append(c, "sale_cancelled" if cancelled else "sale_abandoned", actor, sale_id=sale_id)

    def collect(self, sale_id: int, tender, operator: str) -> None:
        """The counter took the cash part a kiosk left due at the window: the tender is booked to the
        operator's shift and the sale is no longer owed; refused (SaleStateError, nothing written) unless
        that part is due and the tender is exactly it."""
        with self.tx() as c:
            due = c.execute("SELECT psn_cash_pay FROM sales WHERE id=? AND status=? AND note=?",
                            (sale_id, SaleState.SETTLED, CASH_DUE)).fetchone()
            if due is None:
                logs.event("collect_refused", sale_id=sale_id)
                raise SaleStateError(f"交易 {sale_id} 没有待收的现金", key="sale_state",
                                     detail=f"sale {sale_id}: nothing due")
            if tender.amount != yuan(due[0]):
                raise TenderError(f"应收现金 {yuan(due[0]):.2f} 元", key="tender_amount")
            self.move(c, sale_id, SaleState.SETTLED, note="")
            record(c, sale_id, tender, operator)
            audit.append(c, "cash_collected", operator, sale_id=sale_id, method=tender.method,
                         amount=str(tender.amount))

    # --- refunds -----------------------------------------------------------------------------------
    def add_refund(self, c: sqlite3.Connection, sale: dict, amount: str, reason: str, cashier: str,
                   supervisor: str) -> int:
        """Queue a refund of a settled sale (the sale becomes refund_queued); returns the refund id."""
        cur = c.execute("INSERT INTO refunds(sale_id, setl_id, amount, reason, cashier, supervisor, status,"
                        " created_at) VALUES (?,?,?,?,?,?,?,?)",
                        (sale["id"], sale["setl_id"], amount, reason, cashier, supervisor, RefundState.QUEUED, now()))
        refund_id = int(cur.lastrowid)
        self.move(c, sale["id"], SaleState.REFUND_QUEUED)
        self.outbox_add(c, "refund", str(refund_id))
        return refund_id

    def add_local_refund(self, c: sqlite3.Connection, sale: dict, amount: str, reason: str, cashier: str,
                         supervisor: str, whole: bool = True) -> int:
        """Refund a self-paid sale (nothing went to the platform, so nothing is sent): done at once, the sale
        becomes refunded (`whole`), or stays self-paid when only some of its boxes came back (returns.py);
        returns the refund id."""
        cur = c.execute("INSERT INTO refunds(sale_id, setl_id, amount, reason, cashier, supervisor, status,"
                        " created_at, done_at) VALUES (?,?,?,?,?,?,?,?,?)",
                        (sale["id"], sale["setl_id"], amount, reason, cashier, supervisor, RefundState.REFUNDED, now(),
                         now()))
        if whole:
            self.move(c, sale["id"], SaleState.REFUNDED)
        else:
            self._touched(sale["id"])
        return int(cur.lastrowid)

    def refund_move(self, c: sqlite3.Connection, refund_id: int, to: RefundState, **fields) -> bool:
        """Change a refund's status (and fields: msgid, done_at, setl_time, err) if allowed; False when its
        status does not allow it (another process got there first)."""
        came_from = refund_sources(RefundState(to))
        sets = ", ".join(f"{k}=?" for k in ("status", *fields))
        cur = c.execute(f"UPDATE refunds SET {sets} WHERE id=? AND status IN ({','.join('?' * len(came_from))})",
                        (to, *fields.values(), refund_id, *came_from))
        sale = c.execute("SELECT sale_id FROM refunds WHERE id=?", (refund_id,)).fetchone()
        if sale:
            self._touched(sale[0])
        return cur.rowcount > 0

    def claim_refund(self, c: sqlite3.Connection, refund_id: int, msgid: str) -> None:
        """Name the attempt about to be sent (its msgid) and count it."""
        c.execute("UPDATE refunds SET msgid=?, attempts=attempts+1 WHERE id=? AND status=?",
                  (msgid, refund_id, RefundState.QUEUED))

    # --- outbox ------------------------------------------------------------------------------------
    @staticmethod
    def outbox_add(c: sqlite3.Connection, kind: str, ref: str) -> None:
        """Queue work for sync inside a transaction (once per kind and ref)."""
        if not c.execute("SELECT 1 FROM outbox WHERE kind=? AND ref=? AND done_at=''", (kind, ref)).fetchone():
            c.execute("INSERT INTO outbox(kind, ref, created_at) VALUES (?,?,?)", (kind, ref, now()))

    @staticmethod
    def outbox_done(c: sqlite3.Connection, kind: str, ref: str) -> None:
        c.execute("UPDATE outbox SET done_at=? WHERE kind=? AND ref=? AND done_at=''", (now(), kind, ref))

    def outbox(self) -> list[dict]:
        """Open outbox entries, oldest first."""
        return self.journal.query("SELECT * FROM outbox WHERE done_at='' ORDER BY seq")


def _check(fields: dict) -> dict:
    bad = set(fields) - set(FIELDS)
    if bad:
        raise ValueError(f"unknown sale fields {sorted(bad)}")
    return dict(fields)
