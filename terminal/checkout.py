"""One sale's script, in the core: a face hands it what its user gave (a code, a bill, a tender, a confirm, a
cancel) and shows what it answers; the rules of the steps between live here, once, not in each face.

    sale = Checkout(counter)                      # one per sale, over the till's one Counter
    sale.identify(qr)                             # or sale.identify_card("02", id_number)
    sale.register()                               # clinic / kiosk: the visit (the profile's first department
                                                  # and doctor unless the face names others)
    sale.bill(items)                              # checked; the lines' 追溯码 scanned onto its TraceBill
    quote = sale.quote()                          # 2101 | 2203+2204+2206
    sale.adjust("9.5折", "jiao", sup, pin)         # 整单折扣 / 抹零 of the cash part (terminal/sale/adjust.py)
    settlement = sale.confirm(tender)             # 2102 | 2207, then the tender booked (collected when due);
                                                  # a tender.Split pays it in parts (组合支付)
    sale.cancel()                                 # or let it go before paying
    receipt = sale.receipt()                      # as the journal holds it (again=True: 重打, audited)
    hold_id = sale.hold()                         # 挂单 (terminal/sale/holds.py) …
    sale = Checkout.recall(counter, hold_id)      # … 取单: the bill and its 追溯码 back on a new sale
    sale = Checkout.owed(counter, setl_id)        # a kiosk sale's cash part owed at the window …
    sale.collect(tender)                          # … paid there
    sale.subscribe(fn)                            # fn(Change) at each step begun, done or failed

Each step moves `sale.stage` (terminal/states.py Stage: identifying, quoted, settling, ...) and announces a
Change carrying the stage, the steps allowed next and what the sale holds; a screen begins a step on its own
thread (`sale.begin("quote")`: shown busy at once), runs it on its worker, and renders the Changes. The
Counter does the platform's part (terminal/counter.py). Till-wide acts that follow one sale's script — hand
cash back on a refund, reprint a receipt — are functions here too, so the CLI, the app and the agent do them
the same way.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Callable, TypeVar

from terminal import logs
from terminal.sale import adjust as adjust_mod, drawer, drug_register, facing, flows, holds, lots, tender as tender_mod
from terminal.codes import item_barcode, trace_code
from terminal.counter import Counter, Item
from terminal.errors import EcposError, PlatformUnknown
from terminal.journal.journal import Journal
from terminal.money import ZERO, total
from terminal.sale.catalogue import load_catalogue
from terminal.sale.items import BillLine, parse_items, registration_item
from terminal.sale.records import Facing, Patient, Quote, RefundTicket, Settlement, Visit
from terminal.sale.receipt import Receipt, for_sale, for_settlement, layout
from terminal.sale.sales import Sale, SaleStateError
from terminal.states import BUSY, GONE, HAPPENED, IN_FLIGHT, STAGE_STEPS, RefundState, SaleState, Stage
from terminal.sale.trace import TraceBill, TraceError

T = TypeVar("T")


# What a step is called on screen, when the script refuses it in the sale's stage.
STEP_WORDS = {"identify": "识别新的参保人", "register": "挂号", "quote": "预结算", "revise": "修改清单",
              "confirm": "结算", "self_pay": "自费收款", "cancel": "取消"}


@dataclass(frozen=True)
class Change:
    """One change of a sale's script as its subscribers hear it: the step that made it (begun, done, or failed
    with `error`, the stage then being where the sale fell back to), the stage, what may follow, and what the
    sale holds now. A face renders it; it never decides a stage of its own."""

    checkout: "Checkout"
    step: str
    stage: Stage
    allowed: frozenset[str]
    sale_id: int | None = None
    patient: Patient | None = None
    visit: Visit | None = None
    quote: Quote | None = None
    settlement: Settlement | None = None
    error: BaseException | None = None

    @property
    def busy(self) -> bool:
        """A step is under way: a screen takes no other input for this sale meanwhile."""
        return self.stage in BUSY

    @property
    def facing(self) -> Facing | None:
        """What the patient sees (客显) after the screen's bill changed (step lines: before the platform has a
        sale); the Counter's events say the rest (patient_sees)."""
        return facing.of_lines(self.checkout.items) if self.step == "lines" else None


class Checkout:
    """One sale from the code to the receipt, over the till's Counter (which it never copies). Each step
    announces its change to the subscribers (`subscribe`): under way, then done or failed."""

    def __init__(self, counter: Counter, sale_id: int | None = None, trace: TraceBill | None = None):
        self.counter = counter
        self._sale_id = sale_id  # a sale this counter quoted earlier, resumed by its id (Checkout.of)
        self.patient: Patient | None = None
        self.visit: Visit | None = None
        self.items: list[Item] = []
        self.trace = trace
        self.quoted: Quote | None = None
        self.settlement: Settlement | None = None
        self.stage = Stage.WAITING if sale_id is None else Stage.QUOTED
        self._listeners: list[Callable[[Change], None]] = []
        self.buyer: drug_register.Buyer | None = None  # who buys a registered drug (含麻黄碱类复方制剂)
        self.adjustment: adjust_mod.Adjustment | None = None  # 整单折扣 / 抹零, booked with the sale
        self.dropped: list[tuple[str, str]] = []  # recalled 追溯码 refused meanwhile: (code, why)
        self.kept_from: int | None = None  # a return's re-settlement: the kept lines of this earlier sale
        self.cash_due = ZERO  # a settled sale's cash part owed at the window (Checkout.owed)
        self.tender: tender_mod.Tender | None = None  # how its cash part was paid (confirm, self_pay)
        self.found: Sale | None = None  # the journal's Sale once sync found a lost answer settled (follow)

    @classmethod
    def of(cls, counter: Counter, sale: int | Quote, trace: TraceBill | None = None,
           adjustment: adjust_mod.Adjustment | None = None) -> "Checkout":
        """The script of a sale quoted earlier: by its id (the agent between its requests) or its Quote (a
        screen that shows it), with the TraceBill that took its boxes as they were scanned and the discount
        a supervisor gave on it (adjust())."""
        if isinstance(sale, int):
            resumed = cls(counter, sale, trace)
        else:
            resumed = cls(counter, sale.sale_id, trace)
            resumed.quoted, resumed.patient, resumed.visit = sale, sale.patient, sale.visit
        resumed.adjustment = adjustment
        return resumed

    @classmethod
    def owed(cls, counter: Counter, setl_id: str) -> "Checkout":
        """The script of a settled sale whose cash part is still owed at the window (a kiosk's slip names it by
        its 流水号), for collect(); refused when the journal has no such settlement or nothing is owed."""
        sale = counter.sale_by_setl(setl_id)
        if sale is None:
            raise EcposError(f"交易日志中没有流水号 {setl_id} 的结算", key="sale_not_found")
        if not sale.cash_due:
            raise EcposError(f"流水号 {setl_id} 没有待收的现金", key="nothing_due")
        owed = cls(counter, sale.id)
        owed.stage, owed.cash_due = Stage.SETTLED, sale.cash_due
        return owed

    # --- who listens -----------------------------------------------------------------------------------
    def subscribe(self, fn: Callable[[Change], None]) -> Callable[[], None]:
        """fn(Change) after every change of this sale's stage, on the thread that made it (a step begun on
        the GUI thread, its outcome on the worker's); returns unsubscribe."""
        self._listeners.append(fn)
        return lambda: self._listeners.remove(fn) if fn in self._listeners else None

    def _announce(self, step: str, error: BaseException | None = None) -> None:
        change = Change(self, step, self.stage, self.allowed_next, self._sale_id, self.patient, self.visit,
                        self.quoted, self.settlement, error)
        for fn in list(self._listeners):
            fn(change)

    def begin(self, step: str) -> None:
        """Announce `step` under way at once, on the caller's thread (a screen calls it before handing the
        step to its worker, so nothing else is pressed meanwhile); refused (SaleStateError) when the stage
        does not allow it. The step itself calls it too: once begun, it is not begun again."""
        if self.stage == IN_FLIGHT[step]:
            return
        if step not in self.allowed_next:
            raise SaleStateError(f"本单当前不能{STEP_WORDS[step]}，请先完成或取消当前业务", key="sale_state",
                                 detail=f"checkout {self._sale_id}: {self.stage.value} -> {step}")
        self.stage = IN_FLIGHT[step]
        self._announce(step)

    @contextmanager
    def _running(self, step: str):
        """A step between begin and its outcome: a failure falls back (the quote let go: the Counter has
        closed or will re-quote it), an unknown settlement stays unknown until sync says."""
        self.begin(step)
        try:
            yield
        except BaseException as e:
            self.fall(step, e)
            raise
        self._announce(step)

    def fall(self, step: str, error: BaseException) -> None:
        """Where a failed step leaves the sale, announced with the error; a face's worker calls it too for a
        job that died before the step could (the screen is never left busy)."""
        self.quoted = None
        if self.settlement is not None:
            self.stage = Stage.SETTLED  # settled, then something after it failed: never failure
        elif step == "confirm" and isinstance(error, PlatformUnknown):
            self.stage = Stage.UNKNOWN
        else:
            self.stage = self._base()
        self._announce(step, error)

    def _base(self) -> Stage:
        """Where a sale stands between steps: its visit open, its patient known, or nobody yet."""
        if self.visit is not None:
            return Stage.REGISTERED
        return Stage.IDENTIFIED if self.patient is not None else Stage.WAITING

    # --- what the face hands it ----------------------------------------------------------------------
    def identify(self, qr: str) -> Patient:
        with self._running("identify"):
            self._drop_quote()
            self.patient = self.counter.identify(qr)
            self.stage = self._base()
        return self.patient

    def identify_card(self, cert_type: str, number: str) -> Patient:
        """Without a 医保码: 02 居民身份证 or 03 社会保障卡."""
        with self._running("identify"):
            self._drop_quote()
            self.patient = self.counter.identify_card(cert_type, number)
            self.stage = self._base()
        return self.patient

    def _drop_quote(self) -> None:
        """A new patient: a pharmacy's unconfirmed quote is let go (cancelled); a clinic's visit is undone only
        by its own cancel, which moves the platform (2205 + 2202)."""
        quote, self.quoted = self.quoted, None
        if quote is None or self.counter.flow.registers:
            return
        try:
            self.counter.cancel(quote)
        except EcposError as e:  # closed meanwhile (another quote took its place): nothing left to let go
            logs.event("quote_drop_failed", sale_id=quote.sale_id, error=e.key)

    def register(self, dept: str = "", doctor: str = "") -> Visit | None:
        """Clinic / kiosk: the visit (2201) with the department and doctor given, else the profile's first
        ones ([clinic] departments, doctors); a pharmacy registers nothing (None)."""
        if not self.counter.flow.registers:
            return None
        with self._running("register"):
            dept, doctor = default_visit(self.counter.cfg, dept, doctor)
            self.visit = self.counter.register(self.patient, dept, doctor)
            self._sale_id = self.visit.sale_id
            self.stage = Stage.REGISTERED
        return self.visit

    def bill(self, items: list[Item], trace: bool = True) -> list[Item]:
        """The bill, checked before anything is sent (a line's unknown 开单科室 refused), with each line's
        追溯码 scanned onto the sale's TraceBill ([trace] required: refused before the quote). The agent's
        bills carry no 追溯码 yet (trace=False: nothing scanned, nothing required)."""
        self.items = self.counter.checked_bill(items)
        if self.kept_from is None:
            lots.check(self.items)  # an expired lot: 效期已过，不能销售
        if not trace:
            return self.items
        self.trace = self.counter.trace_bill(self.items)
        for n, item in enumerate(self.items, 1):
            for code in item.trace:
                self.trace.scan(code, line=n)
        return self.items

    def draft(self, items: list[Item], trace: TraceBill | None,
              buyer: drug_register.Buyer | None = None) -> None:
        """The bill as a screen keeps it, line by line, its TraceBill taking the boxes as they are scanned
        (and the buyer of its registered drugs); checked by the quote (the pharmacy's rules, the Counter's
        checks, [trace] required)."""
        self.items, self.trace, self.buyer = list(items), trace, buyer

    def show_lines(self, items: list[Item]) -> None:
        """The bill's lines as a screen has them while it is made (no check, no I/O: on the screen's thread),
        announced (step lines) so the customer display shows them before the platform has a sale."""
        self.items = list(items)
        self._announce("lines")

    def retrace(self, items: list[Item]) -> list[str]:
        """The bill as a screen changed it, line by line (no check, no I/O: on the screen's thread): a fresh
        TraceBill for its lines keeping the 追溯码 of those still on it; returns the codes that lost their place
        (a line taken off or lowered). An empty bill has no TraceBill."""
        old, self.items = self.trace, list(items)
        self.trace = self.counter.trace_bill(self.items) if self.items else None
        return self.trace.carry(old) if old is not None and self.trace is not None else []

    def take_buyer(self, id_number: str, name: str) -> drug_register.Buyer:
        """The buyer's 身份证号码 and name, for a bill of registered drugs (checked, kept in full for the
        register, shown masked)."""
        self.buyer = drug_register.buyer(id_number, name)
        return self.buyer

    def keep_from(self, sale_id: int) -> None:
        """The bill is the kept lines of a sale settled earlier (a return's re-settlement), no new sale at the
        counter: their lots were in date and their buyer registered when sold, so neither is asked again; the
        buyer goes to the register with this sale too."""
        self.kept_from = sale_id
        self.buyer = drug_register.buyer_of(self.counter.journal, sale_id)

    def check_rules(self) -> None:
        """The pharmacy's rules of the bill, before anything is sent: no expired lot; a registered drug
        within the limit and with its buyer. Not for a return's kept lines (keep_from): sold already."""
        if self.kept_from is not None:
            return
        lots.check(self.items)
        drug_register.check(self.counter.cfg, self.items, self.buyer)

    def quote(self) -> Quote:
        """The split of the bill: a pharmacy's changed bill re-quotes the same sale, a clinic quotes its visit."""
        with self._running("quote"):
            self.check_rules()
            if self.trace is not None:
                self.trace.check()
            self.quoted = self.counter.presettle(self.visit or self.quoted or self.patient, self.items)
            self._sale_id = self.quoted.sale_id
            self.stage = Stage.QUOTED
        return self.quoted

    def revise(self) -> None:
        """The bill changed, or the split was put aside, after the quote: back to the bill (the next quote
        re-quotes the same sale). No I/O: a screen calls it on its own thread."""
        if self.stage == Stage.QUOTED:
            self.stage = self._base()
            self._announce("revise")

    def confirm(self, tender: tender_mod.Tender | None = None) -> Settlement:
        """Settle the quote, then book how its cash part was paid: collected at once when the profile left
        it due at the window, else recorded to the operator's shift. A registered drug's buyer goes to the
        register first: the settlement may stand even if its answer is lost."""
        self.tender = tender
        with self._running("confirm"):
            if self.buyer is not None and self.quoted is not None:
                drug_register.record(self.counter.journal, self.counter.cfg, self.quoted.sale_id,
                                     self.quoted.items, self.buyer, self.counter.operator)
            self.settlement = s = self.counter.settle(self.quoted or self._sale_id, self.trace)
            self.stage = Stage.SETTLED
            self._book_adjustment(s)
            if tender is not None and s.cash_due:
                self.counter.collect(s.sale_id, tender)
            elif tender is not None:
                self.counter.record_tender(s.sale_id, tender)
        return s

    def adjust(self, discount: str = "", rounding: str = "", supervisor: str = "", pin: str = "",
               self_pay: bool = False) -> adjust_mod.Adjustment:
        """整单折扣 / 抹零 of the quoted cash part (self_pay: of the whole bill, paid without insurance), allowed
        by a supervisor's PIN (Counter.authorize: audited, locked out like any PIN); booked with the sale at
        confirm() / self_pay(), which take the tender for Adjustment.pay. The quote and what goes to the
        platform stay as they are."""
        if self_pay:
            due = total(i.amount for i in self.items)
        elif self.quoted is None:
            raise adjust_mod.AdjustError("请先预结算，再给折扣或抹零", key="adjust_no_quote")
        else:
            due = self.quoted.psn_cash_pay
        adj = adjust_mod.make(due, discount, rounding)  # a typo refused before a PIN counts
        self.counter.authorize(supervisor, pin, purpose="discount")
        self.adjustment = replace(adj, by=supervisor)
        return self.adjustment

    def _book_adjustment(self, s: Settlement) -> None:
        """After the settlement: its adjustment, on the cash part as settled. Nothing here may turn a settled
        sale into a failure: trouble is logged (the receipt and the shift then show no discount)."""
        if self.adjustment is None:
            return
        try:
            adj = self.adjustment if s.psn_cash_pay == self.adjustment.due else self.adjustment.on(s.psn_cash_pay)
            with self.counter.journal.tx() as c:
                adjust_mod.save(c, s.sale_id, adj, self.counter.operator)
            self.adjustment = adj
        except Exception as e:  # noqa: BLE001 — the sale is settled whatever happens here
            logs.event("adjustment_not_booked", sale_id=s.sale_id, error=f"{type(e).__name__}: {e}")

    def hold(self) -> int:
        """挂单: park this bill (its lines with the 追溯码 scanned so far, the patient as identified) and let the
        sale go; returns the held bill's number. Refused once a settlement was sent.

        A quoted sale is cancelled first (pharmacy: closed in the journal; clinic: 2205 / 2202) rather than held
        quoted: its quote lives only in this process (Counter._quotes), so a held quote would outlive a restart
        as a pending sale only sync can close, and the 医保码's ecToken it carries is good for minutes while a
        bill may wait an hour. Recalling quotes the bill afresh (one more 2101 at F5)."""
        if self.settlement is not None or (self.sale_id is not None and settlement_sent(self.counter, self.sale_id)):
            raise holds.HoldError("本单已发送结算，不能挂单", key="hold_sent")
        codes = {line.index: tuple(line.codes) for line in self.trace.lines} if self.trace is not None else {}
        items = [replace(i, trace=codes.get(n, i.trace)) for n, i in enumerate(self.items, 1)]
        if not items:
            raise holds.HoldError("清单为空，无需挂单", key="hold_empty")
        if self.quoted is not None or self.visit is not None or self._sale_id is not None:
            self.cancel()
        hold_id = holds.hold(self.counter.journal, items, self.counter.operator, self.patient)
        if self.patient is not None:
            self.counter.held_patients[hold_id] = self.patient
        return hold_id

    @classmethod
    def recall(cls, counter: Counter, hold_id: int) -> "Checkout":
        """取单: a held bill back as a new sale, its 追溯码 scanned onto it again (one sold meanwhile is left off,
        in `dropped`), the patient as this process knew them (None after a restart: they show the code again)."""
        sale = cls(counter)
        sale.items = counter.checked_bill(list(holds.recall(counter.journal, hold_id, counter.operator).items))
        sale.patient = counter.held_patients.pop(hold_id, None)
        sale.stage = sale._base()
        sale.trace = counter.trace_bill(sale.items)
        for n, item in enumerate(sale.items, 1):
            for code in item.trace:
                try:
                    sale.trace.scan(code, line=n)
                except TraceError as e:
                    sale.dropped.append((code, e.message))
        return sale

    def cancel(self) -> None:
        """Let the sale go before paying: the clinic's visit undone (also after a failed settlement), the
        pharmacy's quote closed; nothing to do once it is settled or unknown (sync resolves that)."""
        with self._running("cancel"):
            if self.visit is not None:
                self.counter.cancel(self.visit)
            else:
                what = self.quoted or self._sale_id
                if what is not None and "cancel" in self.allowed:
                    self.counter.cancel(what)
            self.quoted = None
            self.stage = Stage.CANCELLED

    def self_pay(self, tender: tender_mod.Tender) -> int:
        """No insurance: the tender pays the whole bill (less adjust(self_pay=True)); the 追溯码 still go up (this
        sale's unconfirmed quote let go first: one quote per till, Counter.standing), a registered drug's buyer
        goes to the register."""
        self.tender = tender
        with self._running("self_pay"):
            self.check_rules()
            self._drop_quote()
            self._sale_id = self.counter.self_pay(self.items, tender, self.trace, self.adjustment)
            if self.buyer is not None:
                drug_register.record(self.counter.journal, self.counter.cfg, self._sale_id, self.items,
                                     self.buyer, self.counter.operator)
            self.stage = Stage.SELF_PAID
        return self._sale_id

    def collect(self, tender: tender_mod.Tender) -> None:
        """The cash part owed at the window (Checkout.owed) paid by `tender`, booked to the operator's shift."""
        self.counter.collect(self._sale_id, tender)
        self.cash_due = ZERO

    def follow(self, sale) -> None:
        """The journal's word on a settlement whose answer was lost (terminal.sale.sales.Sale, once sync resolved
        it): settled, or reversed / closed (nothing was charged: the bill may be quoted again, a new sale).
        No I/O: a screen calls it with the Sale the store announced."""
        if self.stage != Stage.UNKNOWN or sale.id != self._sale_id:
            return
        if sale.status == SaleState.SETTLED:
            self.stage, self.found = Stage.SETTLED, sale
        elif sale.status in GONE:
            self.stage = self._base()
        else:
            return
        self._announce("sync")

    # --- what the face shows ----------------------------------------------------------------------------
    @property
    def sale_id(self) -> int | None:
        return self._sale_id

    @property
    def open_quote(self) -> Quote | None:
        """The quote waiting for its confirm: None before it, once the bill changed or the split was put aside
        (revise: the next quote re-quotes the same sale), or once a step moved on from it."""
        return self.quoted if self.stage == Stage.QUOTED else None

    @property
    def outcome(self) -> "Settlement | SelfPaid | Sale | None":
        """How the sale ended, for a screen to show: its Settlement; a self-paid sale's id and the 流水号 that
        stands for it; the journal's Sale once sync found a lost answer settled (follow). None while open."""
        if self.settlement is not None:
            return self.settlement
        if self.stage == Stage.SELF_PAID:
            return SelfPaid(self._sale_id, self_paid_ref(self._sale_id))
        return self.found

    def receipt(self, again: bool = False) -> Receipt:
        """This sale's receipt as the journal holds it; `again` (F8): marked 重打 and audited with the signed-in
        operator (reprint). On the Counter's worker: it reads the journal."""
        if again:
            return reprint(self.counter.cfg, self.counter.journal, self._sale_id, self.counter.operator, lambda r: r)
        return for_sale(self.counter.cfg, self.counter.journal, self._sale_id)

    @property
    def allowed_next(self) -> frozenset[str]:
        """What this sale's script allows next in its stage (terminal/states.py STAGE_STEPS): no journal read,
        so a screen may ask on its own thread. A pharmacy never registers; a clinic quotes its visit only."""
        steps = STAGE_STEPS.get(self.stage, frozenset())
        if not self.counter.flow.registers:
            return steps - {"register"}
        return steps - {"quote"} if self.visit is None else steps - {"register"}

    @property
    def allowed(self) -> frozenset[str]:
        """What the core allows next for this sale as the journal holds it (terminal/states.py)."""
        return self.counter.allowed(self.sale_id) if self.sale_id is not None else frozenset()

    def trace_summary(self) -> list[dict]:
        return self.counter.trace_summary(self.sale_id, self.trace)


@dataclass(frozen=True)
class Scan:
    """What a scan is: `box` a drug box's 追溯码 (for the bill's TraceBill), `barcode` an item's EAN-13 (a
    line for the bill), `code` anything else (a 医保码 to identify the patient by)."""

    kind: str
    text: str


def sort_scan(text: str) -> Scan:
    """The one scan box or wedge reads all three: a 追溯码 (20 digits) before an EAN-13 before a 医保码."""
    box = trace_code(text)
    if box is not None:
        return Scan("box", box)
    barcode = item_barcode(text)
    return Scan("barcode", barcode) if barcode is not None else Scan("code", text)


@dataclass(frozen=True)
class SelfPaid:
    """A self-paid sale's end as a screen shows it (nothing went to the platform: no Settlement)."""

    sale_id: int
    setl_id: str


def self_paid_ref(sale_id: int) -> str:
    """What stands for a self-paid sale's 流水号 on the screen (nothing went to the platform: no setl_id)."""
    return f"SALE{sale_id:08d}"


def settlement_sent(counter: Counter, sale_id: int) -> bool:
    """Whether the settlement of this sale (its profile's settle_infno) left the till: a face restarted
    mid-sale calls such a sale unknown (sync resolves it), never failed."""
    row = counter.journal.sale(sale_id)
    return row is not None and counter.journal.sent(sale_id, flows.for_profile(row["profile"]).settle_infno)


def default_visit(cfg, dept: str = "", doctor: str = "") -> tuple[str, str]:
    """The department and doctor of a visit nobody named: the profile's first ones."""
    return dept or cfg.clinic.departments[0], doctor or cfg.clinic.doctors[0]


def held(counter: Counter) -> list[holds.HeldBill]:
    """The bills held (挂单) and waiting, oldest first: what 取单 lists."""
    return holds.held(counter.journal)


def bill_json(items: list[Item]) -> list[dict]:
    """A bill as an items file has it (`ecpos settle --items`): a recalled 挂单 handed on."""
    return [holds.item_json(i) for i in items]


def discount_preview(due: Decimal, discount: str = "", rounding: str = "") -> adjust_mod.Adjustment:
    """What a discount would leave to pay, refused (AdjustError) as Checkout.adjust refuses it: for a screen to
    show as it is typed, before any PIN."""
    return adjust_mod.make(due, discount, rounding)


def hand_back(counter: Counter, ticket: RefundTicket, cashier: str) -> dict[str, Decimal]:
    """What the counter hands back for a refund, per method, booked once: at once for a refund the platform
    took or queued (it follows), nothing for one it refused."""
    if ticket.status not in (RefundState.REFUNDED, RefundState.QUEUED):
        return {}
    return tender_mod.record_refund(counter.journal, ticket.refund_id, cashier)


def reprint(cfg, journal, sale_id: int, who: str, send: Callable[[Receipt], T]) -> T:
    """A journaled sale's receipt again, marked 重打, handed to `send` (the printer, or a face's printing
    thread), then audited with who asked; refused (reprint_unknown) for a sale that never happened."""
    row = journal.sale(sale_id)
    if row is None or row["status"] not in HAPPENED:
        raise EcposError(f"没有可重打的结算：{sale_id}", key="reprint_unknown")
    sent = send(for_sale(cfg, journal, sale_id, reprint=True))
    journal.audit("receipt_reprinted", who, sale_id=sale_id, setl_id=row["setl_id"])
    return sent


def pushed_bill(counter: Counter, rows: list[dict]) -> list[Item]:
    """A bill another program pushed (the agent's POST /v1/sales, its lines named as the wire names them), as
    this counter's Items checked before there is a sale to bill, so a refused bill is never stored: each
    line's fields (terminal/sale/items.py), a line's own 开单医生 / 开单科室 as the profile names them
    (Counter.checked_bill). Checkout.bill checks it again when the code makes the sale."""
    return counter.checked_bill(parse_items(rows, "items"))


def receipt_text(cfg, journal, sale_id: int) -> str:
    """A settled sale's receipt as plain text at the printer's width: what the agent's caller reads
    (GET /v1/sales/{id}) to print on its own paper, the same receipt the till prints (its tenders, any
    discount, a registered drug's buyer)."""
    return "\n".join(layout(for_sale(cfg, journal, sale_id), cfg.printer.width))


# What a screen asks before a line or a sale of a pharmacy: a lot picked from the catalogue's or typed (an
# expired one refused), the buyer of a registered drug (terminal/sale/lots.py, terminal/sale/drug_register.py).
pick_lot, buyer = lots.picked, drug_register.buyer


def register_report(cfg, day: str, journal=None, **export) -> list[dict]:
    """The 专册登记 of registered drugs (含麻黄碱类复方制剂) for a day, masked; `export_to`, `supervisor`, `pin`
    export it for the inspector in full (terminal/sale/drug_register.py). `ecpos register` opens the journal here."""
    if journal is not None:
        return drug_register.report(journal, cfg, day, **export)
    own = Journal.for_config(cfg)
    try:
        return drug_register.report(own, cfg, day, **export)
    finally:
        own.close()


# --- a visit's bill at the clinic desk and the kiosk: its registration fee, and the cash a kiosk cannot take ----
def registration_line(cfg) -> BillLine:
    """The registration fee ([clinic] registration_fee) as the first line of a clinic visit's bill."""
    item = registration_item(cfg)
    return BillLine(item.code, item.name, item.price, "")


def registration_items(cfg) -> list[Item]:
    """The kiosk's bill: the registration fee, once."""
    return [registration_item(cfg)]


def cash_at_window(cfg, amount) -> bool:
    """True when a cash part of `amount` cannot be taken here and is due at the window (the kiosk has no
    cash drawer: flows.Flow.takes_cash)."""
    return amount > 0 and not flows.for_profile(cfg.profile).takes_cash


def cash_due_notes(settlement) -> list[str]:
    """The receipt's lines for a cash part left due at the window: what to pay, where, with which slip."""
    due = getattr(settlement, "cash_due", 0)
    if not due:
        return []
    return [f"待缴现金：{due:.2f} 元（未收）", "请持本单到人工窗口缴纳现金", f"流水号：{settlement.setl_id}"]


def settled_receipt(cfg, settlement: Settlement) -> Receipt:
    """The receipt of a settlement just made, without reading the journal (a kiosk prints it from its screen),
    a cash part left due at the window noted on it (cash_due_notes)."""
    return for_settlement(cfg, settlement, extra_notes=cash_due_notes(settlement))


def self_pay_slip(cfg) -> tuple[str, list[str]]:
    """(title, lines) of the slip an uninsured patient takes to the window: a self-paid registration is
    paid in full, and the kiosk takes no money (flows.Flow.takes_cash), so it is paid and registered there."""
    fee = registration_item(cfg).price
    return f"{cfg.institution.fixmedins_name} 自费挂号单", [
        f"普通挂号费：{fee:.2f} 元（自费）", "本机不能收取现金：请持此单到人工窗口缴费挂号",
        f"打印时间：{datetime.now():%Y-%m-%d %H:%M:%S}"]


# --- the counter's devices (issue 25): when the cash drawer opens, what the patient sees ----------------------
# Why a supervisor opens the drawer outside a sale, offered first (any other reason may be typed); recorded as is.
DRAWER_REASONS = ("换零钱", "清点现金", "收款差错")


def drawer_opens_after(counter: Counter, sale_id: int) -> bool:
    """Whether the drawer opens now that this sale is paid: it took cash (terminal/sale/drawer.py), audited as
    opened by the till's operator."""
    return drawer.opens_after(counter.cfg, counter.journal, sale_id, counter.operator)


def drawer_opens_for_refund(counter: Counter, refund_id: int) -> bool:
    """Whether the drawer opens for a refund: cash is handed back out of it; audited like a sale's."""
    return drawer.opens_for_refund(counter.cfg, counter.journal, refund_id, counter.operator)


def open_drawer(counter: Counter, supervisor: str, pin: str, reason: str, cashier: str = "") -> None:
    """A supervisor opens the drawer outside a sale (PIN and a reason, audited); refused (DrawerError,
    OperatorError) before anything opens."""
    drawer.supervisor_open(counter, supervisor, pin, reason, cashier)


def drawer_not_opened(counter: Counter, actor: str, why: str, error: str) -> None:
    """The pulse did not reach the drawer: audited beside the opening (the sale or refund stands)."""
    drawer.not_opened(counter.journal, actor, why, error)


def patient_sees(counter: Counter, show: Callable[[Facing], None]) -> Callable[[], None]:
    """show(Facing) after each of the Counter's sale events the patient should see (terminal/sale/facing.py:
    the newest sale, a refund of an older one), on the thread that made the change; returns unsubscribe."""
    follow = facing.Follower(counter)

    def heard(sale) -> None:
        shown = follow.see(sale)  # reads the sale's tenders: on the thread that changed it, never the GUI's
        if shown is not None:
            show(shown)
    return counter.subscribe(heard)


def catalogue(cfg, counter: Counter | None = None) -> dict[str, BillLine]:
    """What a screen offers to put on the bill, code -> BillLine (terminal/sale/catalogue.py): the profile's quick
    picks ([catalogue] entries) at once, for a window's first paint (no journal, no 拼音 initials: pypinyin takes
    half a second to load); through the till's Counter (on its worker) the items imported into its journal too."""
    return load_catalogue(cfg, counter.journal if counter is not None else None)
