"""The counter facade the UI, the agent and the headless commands use (docs/core.md). Blocking methods:
the UI calls them on a worker thread. One lock serialises platform work, so the background sync never races
a sale.

    counter = Counter(cfg)
    patient = counter.identify(code)                 # classify -> verify -> 9001 once -> 1101
    visit = counter.register(patient, dept, doctor)  # clinic / kiosk only (2201)
    items = counter.checked_bill(items)              # refused here, before anything is sent (422 / exit 2)
    quote = counter.presettle(patient or visit, items)   # 2101 | 2203 + 2204 + 2206
    counter.allowed(quote.sale_id)                   # {"quote", "confirm", "cancel"}: what the core allows next
    settlement = counter.settle(quote.sale_id)       # 2102 | 2207, journal-first (a Quote works too)
    counter.collect(sale_id, tender)                 # the cash part a kiosk sale left due at the window
    counter.cancel(quote.sale_id)                    # clinic: 2205 / 2202; pharmacy: drop the quote
    counter.sale(sale_id)                            # Sale: the journal's word on it
    counter.subscribe(fn)                            # fn(Sale) after every committed change (and a quote, a tender)
    counter.quoted(sale_id)                          # the Quote held for an open sale (terminal/sale/facing.py)
    ticket = counter.queue_refund(setl_id, reason, cashier, supervisor, pin)
    report = counter.sync(); counter.status(); counter.sales(); counter.reconcile(d); counter.stats(a, b)
    beat = counter.heartbeat()                       # is the platform there (a GET, any thread, no lock)
    answering(beat, counter.status().online)         # does it serve: the probe and the last real exchange
    counter.recheck()                                # after a failed exchange: a fresh 9001 says if it serves
    counter.identify_card("02", id_no)               # without a 医保码 (counted as 02/03 in stats)
    counter.authorize(op_id, pin, roles)             # supervisor / kiosk admin PIN check, audited, lockout
"""
from __future__ import annotations

import threading
from decimal import Decimal

from terminal import logs
from terminal.journal import operators, replication
from terminal.office import reports, shifts, sync as sync_mod
from terminal.office.operators import sign_in
from terminal.sale import flows, refunds, selfpay, tender as tender_mod, trace_report, trace_store
from terminal.sale.trace import TraceBill, TraceRules
from terminal.codes import SeenCodes, classify
from terminal.ec import make_adapter
from terminal.ec.credential import CredentialUnavailable
from terminal.errors import EcposError, OperatorError, PinLocked, PlatformError, PlatformRefused
from terminal.sale.items import Item, named_lines
from terminal.journal.journal import Journal
from terminal.journal.operators import check_pin_guarded
from terminal.journal.pushed import PushedSales
from terminal.sale.records import (CounterStatus, Patient, Quote, RefundTicket, SaleRow, Settlement, SyncReport,
                                   Visit)
from terminal.office.reports import Reconciliation, Stats
from terminal.sale.sales import Sale, SaleStateError, SaleStore
from terminal.sale.session import patient_from_1101, query_person
from terminal.wire.heartbeat import Beat, probe
from terminal.wire.wire import JournaledClient
from terminal.sale.workflow import WorkflowError
from terminal.states import RefundState, SaleState, Stage

__all__ = ["Counter", "QuoteOpen", "Item", "Patient", "Visit", "Quote", "Settlement", "RefundTicket", "SyncReport",
           "CounterStatus", "SaleRow", "Reconciliation", "Stats", "Sale"]


class QuoteOpen(EcposError):
    """Another sale's quote stands at this till (Counter.standing): settle it or let it go first."""

    key = "quote_open"


class Counter:
    """One counter (pharmacy till, clinic desk or kiosk) bound to a configuration and a journal."""

    def __init__(self, cfg, *, journal: Journal | None = None, platform: JournaledClient | None = None,
                 adapter=None):
        self.cfg = cfg
        self.profile: str = cfg.profile
        self.journal = journal or Journal.for_config(cfg)
        if platform is not None and not isinstance(platform, JournaledClient):
            # A plain PlatformClient: keep its msgids, session and signer, add the journal.
            platform = JournaledClient(cfg, self.journal, msgids=platform.msgids, session=platform.session,
                                       signer=platform.signer)
        self.client = platform or JournaledClient(cfg, self.journal)
        self.store = SaleStore(self.journal)
        self.pushed = PushedSales(self.journal)  # the bills the agent was pushed, linked to their sales
        self.flow = flows.for_profile(cfg.profile)
        self._adapter = adapter
        self._lock = threading.RLock()
        self._seen = SeenCodes()
        self._online = True
        self._open_quote: Quote | None = None  # the till's last quote; standing() while not settled or let go
        self._quotes: dict[int, Quote | Visit] = {}  # sale id -> what it needs in memory (the ecToken)
        self.held_patients: dict[int, Patient] = {}  # 挂单 id -> its patient: never journaled (terminal/sale/holds.py)
        self.operator: str = cfg.operator.id  # who sales are booked to: the signed-in cashier (sign_in)
        self._signed_in = ""

    # --- the sale ----------------------------------------------------------------------------------
    @property
    def adapter(self):
        """The credential adapter, made on first use (loading a library can take a moment)."""
        if self._adapter is None:
            self._adapter = make_adapter(self.cfg, platform=self.client)
        return self._adapter

    def identify(self, code: str) -> Patient:
        """Scanned text -> Patient: classify, verify with the credential service, sign in once, 1101."""
        code = classify(code)
        earlier = self._seen.get(code)
        if earlier is not None:
            return earlier  # the same code scanned twice: a 医保码 is single use, do not send it again
        with self._lock:
            try:
                cred = self.adapter.verify(code, business_type=self.flow.business_type)
            except CredentialUnavailable:
                self._online = False  # the platform's credential service did not answer: a real exchange
                raise
            patient = self._person(cred, "01", cred.ec_token)
        self._seen.remember(code, patient)
        logs.event("identified", psn_no=patient.psn_no, family=bool(patient.family_of))
        return patient

    def identify_card(self, cert_type: str, cert_no: str, name: str = "") -> Patient:
        """Patient from an ID card (02) or social-security card (03) number, for those without a 医保码."""
        if cert_type not in ("02", "03") or not cert_no.strip():
            raise EcposError("请选择证件类型（02 身份证 / 03 社保卡）并输入证件号码", key="cert_invalid")
        with self._lock:
            return self._person(None, cert_type, cert_no.strip(), name)

    def _person(self, cred, cert_type: str, cert_no: str, name: str = "") -> Patient:
        out = self._platform(lambda: query_person(self.client, cred, cert_type, cert_no, name))
        return patient_from_1101(cred, out, cert_type, cert_no, self.cfg.institution.mdtrtarea_admvs)

    def register(self, patient: Patient, dept: str, doctor: str) -> Visit:
        """Clinic / kiosk: 2201 registration with a department ("A03" or "A03:内科") and doctor ("D001")."""
        if not self.flow.registers:
            raise WorkflowError("药店业务无需挂号", key="workflow_profile")
        with self._lock:
            self._one_quote(None)
            visit = self._platform(lambda: self.flow.start(self, patient, dept, doctor))
        self._quotes[visit.sale_id] = visit
        return visit

    def checked_bill(self, items: list[Item]) -> list[Item]:
        """The bill as this counter sends it, checked before anything is sent: a clinic / kiosk line naming
        its own 开单医生 or 开单科室 by code alone gets the configured name ([clinic] doctors, departments);
        an unknown code alone is refused (ItemsError). A pharmacy line's prescriber needs code and name (it
        may be any hospital's doctor); its 2101 has no department field, so a department is kept as given."""
        if self.flow.registers:
            return named_lines(items, self.cfg.clinic.doctors, self.cfg.clinic.departments)
        return named_lines(items, ())

    def presettle(self, who: Patient | Visit | Quote | int, items: list[Item]) -> Quote:
        """Pre-settlement of the bill: 2101 (pharmacy) or 2203 + 2204 + 2206 (clinic). Pharmacy: a changed
        bill for the same patient (or passing the earlier Quote or its sale id) re-quotes the same sale.
        One open quote per till (standing()): another sale's is refused while one stands."""
        who = self._held(who) if isinstance(who, int) else who
        items = self.checked_bill(items)
        self._shift_open()
        with self._lock:
            earlier = who if isinstance(who, Quote) else None
            prev = self.standing()
            if not self.flow.registers and earlier is None and prev is not None and prev.patient == who:
                earlier = prev  # the bill changed: re-quote the same sale
            self._one_quote(earlier or who)
            q = self._platform(lambda: self.flow.quote(self, who, items, earlier))
            self._open_quote = q
            self._quotes[q.sale_id] = q
        self.store.announce(q.sale_id)  # the split is known now (quoted): the customer display shows it
        return q

    def quoted(self, sale_id: int) -> Quote | None:
        """The quote this counter holds for an open sale (its split before it is settled), else None."""
        held = self._quotes.get(sale_id)
        return held if isinstance(held, Quote) else None

    def standing(self) -> Quote | None:
        """The till's open quote: pre-settled, neither settled nor cancelled yet (None when there is none).

        The rule (one quote per till, whichever face made it): while a quote stands, registering a visit,
        quoting another sale or self-paying is refused (QuoteOpen, `quote_open`) with what to do; the face
        that holds the quote settles it or lets it go (cancel) first. Re-quoting it is not another sale. So a
        bill the HIS pushed and the cashier's own sale never close each other's quote behind the other's back
        (before, quoting another patient cancelled the open quote silently)."""
        q = self._open_quote
        return q if q is not None and not q.steps.done else None

    def _one_quote(self, what: Patient | Visit | Quote | None) -> None:
        """Refuse starting a sale other than `what`'s while another sale's quote stands (standing())."""
        q = self.standing()
        if q is not None and getattr(what, "sale_id", None) != q.sale_id:
            raise QuoteOpen(f"本机还有一笔预结算未完成（交易 {q.sale_id}，参保人 {q.patient.name_masked}，"
                            f"个人现金 {q.psn_cash_pay:.2f} 元）：请先确认结算或取消它，再办理下一笔",
                            detail=f"sale {q.sale_id} quoted")

    def trace_bill(self, items) -> TraceBill:
        """A bill's 药品追溯码 (scan box by box); it refuses a code this till sold already."""
        return TraceBill(items, TraceRules.from_config(self.cfg),
                         lambda code: trace_store.sold_where(self.journal, code))

    def settle(self, quote: Quote | int, trace: TraceBill | None = None) -> Settlement:
        """Settle a confirmed quote (2102 / 2207), by its sale id or the Quote. Unknown outcome: raises
        PlatformUnknown and the sale waits for sync's reversal; never resend it yourself. The bill's 追溯码
        are journaled first, then carried by the settlement or reported (3505) right after it, else by the
        next sync."""
        quote = self._held(quote, "confirm") if isinstance(quote, int) else quote
        extra = {}
        if trace is not None:
            trace.check()  # [trace] required: refused before anything is written
            trace_store.attach(self.journal, quote.sale_id, trace, trace.rules.report)
            if trace.rules.report == "settlement":
                extra["drug_trac_info"] = trace_report.settlement_nodes(self.journal, quote.sale_id)
        with self._lock:
            try:
                s = self._platform(lambda: self.flow.settle(self, quote, extra))
            finally:
                if quote.steps.done:
                    self._quotes.pop(quote.sale_id, None)
        self._open_quote = None
        self._seen.clear()
        if trace is not None and trace.codes:
            self.report_trace()
        return s

    def trace_summary(self, sale_id: int, bill: TraceBill) -> list[dict]:
        """Per line: the codes scanned, how many are missing, and how many the platform has (for --json)."""
        done = {r["code"] for r in trace_store.codes(self.journal, sale_id) if r["status"] == "reported"}
        return [{**line, "reported": sum(c in done for c in line["trace"])} for line in bill.summary()]

    def report_trace(self) -> dict:
        """Send the 追溯码 reports that are due now (best effort: what fails waits for sync)."""
        with self._lock, sync_mod.exclusive(self.cfg.data_dir / "sync.lock") as mine:
            if not mine:
                return {"error": sync_mod.BUSY}
            return trace_report.forward(self.client, self.journal, self.cfg)

    def cancel(self, what: Quote | Visit | int) -> None:
        """Give up an unfinished sale: clinic undoes fees (2205) and registration (2202); refused (exit 2)
        once the sale is settled, unknown or closed."""
        what = self._held(what, "cancel") if isinstance(what, int) else what
        with self._lock:
            self._platform(lambda: self.flow.cancel(self, what))
            self._quotes.pop(what.sale_id, None)
            if self._open_quote is not None and self._open_quote.sale_id == what.sale_id:
                self._open_quote = None
        self._seen.clear()

    def sale(self, sale_id: int) -> Sale | None:
        """The sale as the journal holds it (status, amounts, what is allowed next)."""
        return self.store.get(sale_id)

    def sale_by_setl(self, setl_id: str) -> Sale | None:
        """The sale a settlement's 流水号 names (a receipt, a kiosk's slip), or None."""
        return self.store.by_setl(setl_id)

    def allowed(self, sale_id: int) -> frozenset[str]:
        """What the core allows next for a sale: quote / confirm / cancel while it is open on this counter,
        refund once settled, sync while its outcome or its refund is open; nothing once closed."""
        sale = self.store.get(sale_id)
        if sale is None:
            return frozenset()
        steps = set(sale.allowed)
        held = self._quotes.get(sale_id)
        if sale.status == SaleState.PENDING:
            if held is None:  # another process's, or this one's before a restart: only sync may close it
                return frozenset()
            if not isinstance(held, Quote) or held.steps.state != Stage.QUOTED:
                steps.discard("confirm")
        return frozenset(steps)

    def subscribe(self, fn) -> "Callable[[], None]":
        """fn(Sale) after every committed change of a sale (on the thread that made it); returns unsubscribe."""
        return self.store.subscribe(fn)

    def _held(self, sale_id: int, step: str = "quote") -> Quote | Visit:
        """The in-memory quote or visit of an open sale of this counter, or a SaleStateError saying why not."""
        held = self._quotes.get(sale_id)
        if held is None or step not in self.allowed(sale_id):
            sale = self.store.get(sale_id)
            status = sale.status if sale else "missing"
            raise SaleStateError(f"交易 {sale_id} 当前状态为 {status}，不能{ {'confirm': '结算', 'cancel': '取消'}.get(step, '预结算') }",
                                 key="sale_state", detail=f"sale {sale_id}: {status} -> {step}")
        return held

    def _shift_open(self) -> None:
        """A cashier signed in at the app takes money inside an open shift ([till] require_shift); headless
        callers (ecpos settle, the agent) sign nobody in and go on as before."""
        if self._signed_in:
            shifts.require_open(self.journal, self.cfg)

    def record_tender(self, sale_id: int, tender) -> None:
        """How the self-pay part of a settled sale was paid, booked to the operator and the open shift."""
        tender_mod.save(self.journal, sale_id, tender, self.operator)
        self.store.announce(sale_id)  # the change to hand back, for the customer display

    def collect(self, sale_id: int, tender) -> None:
        """Take the cash part a kiosk sale left due at the window (Sale.cash_due), booked to the operator."""
        self.store.collect(sale_id, tender, self.operator)

    def self_pay(self, items: list[Item], tender, trace: TraceBill | None = None, adjustment=None) -> int:
        """A sale without insurance: the whole bill paid by `tender` (less a supervisor's `adjustment`,
        terminal/sale/adjust.py), journaled as self_paid (nothing sent);
        refused while a quote stands (standing()). Returns the sale id. Its 追溯码 are reported (3505,
        自费) all the same."""
        self._shift_open()
        if trace is not None:
            trace.check()
        with self._lock:
            self._one_quote(None)
            sale_id = selfpay.record_sale(self.store, self.profile, self.operator, items, tender, adjustment)
            if trace is not None:  # no settlement to carry them: 3505 even on a settlement channel
                trace_store.attach(self.journal, sale_id, trace, "3505A" if trace.rules.report == "3505A" else "3505")
        self._seen.clear()
        if trace is not None and trace.codes:
            self.report_trace()
        return sale_id

    # --- refunds and sync --------------------------------------------------------------------------
    def queue_refund(self, setl_id: str, reason: str, cashier: str, supervisor: str, pin: str | None,
                     amount: Decimal | None = None, cashier_pin: str | None = None) -> RefundTicket:
        """Queue an offline refund of a settled sale (guards in terminal/sale/refunds.py), then try to forward
        it at once. Status refunded when the platform took it, queued when it is unreachable."""
        ticket = refunds.queue(self.store, self.cfg, setl_id, reason, cashier, supervisor, pin, amount,
                               cashier_pin)
        report = self.sync()
        row = self.journal.refund(ticket.refund_id)
        status = RefundState(row["status"])
        status = RefundState.QUEUED if status == RefundState.UNKNOWN else status
        message = row["err"]
        if status == RefundState.QUEUED:
            message = ("另一个同步正在进行：退费已保存在队列中，将随下一次同步自动上传" if report.error == sync_mod.BUSY
                       else "医保平台暂时无法连接：退费已保存在队列中，联网后自动上传（ecpos sync）")
        return RefundTicket(ticket.refund_id, setl_id, ticket.amount, status, row["msgid"], message)

    def refund_self_paid(self, sale_id: int, reason: str, cashier: str, supervisor: str,
                         pin: str | None) -> RefundTicket:
        """Refund a self-paid sale (no platform: refunded at once; guards in terminal/sale/refunds.py)."""
        return refunds.self_paid(self.store, sale_id, reason, cashier, supervisor, pin)

    def sync(self) -> SyncReport:
        """Resolve unknown outcomes (2601), forward queued refunds in order, undo abandoned visits."""
        with self._lock:
            report = sync_mod.run(self.client, self.store, self.cfg, self._undo)
        # no fleet: change capture's lines would only pile up (terminal/journal/replication); a read first, so a sync
        # round with nothing to drop takes no write lock
        if not self.cfg.fleet.dsn and self.journal.query("SELECT 1 FROM replication LIMIT 1"):
            with self.journal.tx(durable=False) as c:
                replication.prune(c)
        if report.error or report.changed:  # a sync with nothing to send heard nothing from the platform
            self._online = report.online
        return report

    def recheck(self) -> bool:
        """After a failed exchange: is the platform serving requests again? A real, harmless exchange (a
        new 9001 sign-in) answers it, which the heartbeat's GET cannot (a gateway answering every
        transaction with 503 still answers a GET). Returns the new online flag; never raises."""
        with self._lock:
            try:
                self._platform(lambda: self.client.sign_in(force=True))
            except PlatformError as e:
                logs.event("platform_recheck_failed", error=e.key)
        return self._online

    def heartbeat(self) -> Beat:
        """Is the platform there now? A probe (terminal/wire/heartbeat.py: a GET, no transaction, no msgid), off
        the Counter's lock: a sale in flight never holds it, nor it a sale. Whether it serves: answering()."""
        return probe(self.cfg)

    def _undo(self, sale: dict, reversed_: bool) -> None:
        """Close a sale that will not be settled (abandoned by a dead process, or reversed by sync)."""
        flows.for_profile(sale["profile"]).undo(self, sale, reversed_)

    def status(self) -> CounterStatus:
        """For the status bar; reads the journal only (never the network)."""
        j = self.journal
        return CounterStatus(
            online=self._online, queued_refunds=len(refunds.open_refunds(j)),
            unknown_outcomes=j.sales_in(SaleState.UNKNOWN),
            signed_in=self.client.signed_in, profile=self.profile)

    def sign_in(self, op_id: str, pin: str):
        """The cashier at the till from now on (PIN checked under the lockout, audited): every sale is
        booked to them until sign_out(). Returns the Operator."""
        op = sign_in(self.journal, op_id, pin)
        self.book_to(op.id)
        self._signed_in = op.id
        return op

    def book_to(self, op_id: str) -> None:
        """Book the sales to this operator and make the platform's requests theirs: opter / opter_name are their
        platform code and name, and their first platform request of the session signs them in (9001, their own
        sign_no). The terminal's [operator] itself (headless, agent, kiosk) stays as configured."""
        who = operators.platform_identity(self.journal, self.cfg, op_id)
        with self._lock:
            self.operator = op_id
            self.client.act_for(*who)

    def sign_out(self, within: float | None = None) -> None:
        """Nobody at the till (lock, handover, quit): the cashier signs out at the platform (9002) when they
        signed in there, and sales fall back to [operator] id (headless, agent); the app stays locked. A failed
        9002 is logged, never blocks the lock; `within` seconds bound it (the quit does not wait for an outage)."""
        if not self._signed_in:
            return
        with self._lock:
            try:
                if within is None:
                    self.client.sign_out()
                else:
                    with self.client.within(within):
                        self.client.sign_out()
            except PlatformError as e:
                logs.event("platform_sign_out_failed", opter=self.client.opter, error=e.key)
        self.journal.audit("signed_out", self._signed_in)
        self._signed_in = ""
        self.book_to(self.cfg.operator.id)

    def authorize(self, op_id: str, pin: str, roles=("supervisor", "admin"), purpose: str = "") -> None:
        """Check an operator's PIN and role (kiosk admin unlock, supervisor actions); audited either way.
        Raises OperatorError (exit 2) when the id, role or PIN is wrong."""
        rows = self.journal.query("SELECT * FROM operators WHERE id=?", (op_id,))
        try:
            # A locked operator is refused without a PIN check; wrong PINs count towards the lock.
            ok = bool(rows) and rows[0]["role"] in roles and not rows[0]["disabled_at"] and check_pin_guarded(
                self.journal, op_id, pin, rows[0], purpose=purpose) is None
        except PinLocked:
            self.journal.audit("authorization_refused", op_id, purpose=purpose, why="pin_locked")
            raise
        self.journal.audit("authorized" if ok else "authorization_refused", op_id, purpose=purpose)
        if not ok:
            raise OperatorError("工号或密码错误，或无此权限", key="operator_refused")

    # --- the journal, offline ----------------------------------------------------------------------
    def sales(self, search: str = "") -> list[SaleRow]:
        """Sales, newest first; search matches setl_id, msgid, psn_no, mdtrt_id or status."""
        return reports.sales(self.journal, search)

    def reconcile(self, date: str, totals=None) -> Reconciliation:
        """3201 per insutype for the day's settled totals, and 5203 for each settlement to list mismatches;
        totals(day) -> (groups, settlements) replaces the journals' (fleet/ reads them from PostgreSQL)."""
        with self._lock:
            return self._platform(lambda: reports.reconcile(self.client, self.journal, self.cfg, date,
                                                            totals=totals))

    def stats(self, frm: str, to: str) -> Stats:
        """Settlements by credential type and the e-credential rate, per day and operator (offline)."""
        return reports.stats(self.journal, self.cfg, frm, to)

    def close(self) -> None:
        if self._adapter is not None:
            self._adapter.close()
            self._adapter = None
        self.journal.close()

    def _platform(self, fn):
        """Run a platform step, remembering whether the platform answered (for status())."""
        try:
            result = fn()
        except PlatformError as e:
            # only a refusal is an answer: a 503, a lost or garbled answer means the platform does not serve
            self._online = isinstance(e, PlatformRefused)
            raise
        self._online = True
        return result

    def __enter__(self) -> "Counter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def answering(beat: Beat | None, exchanged: bool) -> bool:
    """Does the platform serve requests? Only while the last real exchange got an answer (`exchanged`,
    CounterStatus.online) and the latest probe (Counter.heartbeat) did too. The probe alone cannot say so after
    an exchange failed: a gateway answering every transaction with 503 still answers its GET (issue 21), so from
    then on only a real exchange (Counter.recheck, or the next sale) brings the platform back."""
    return exchanged and (beat is None or beat.online)
