"""One sale's script, in the core: a face hands it what its user gave (a code, a bill, a tender, a confirm, a
cancel) and shows what it answers; the rules of the steps between live here, once, not in each face.

    sale = Checkout(counter)                      # one per sale, over the till's one Counter
    sale.identify(qr)                             # or sale.identify_card("02", id_number)
    sale.register()                               # clinic / kiosk: the visit (the profile's first department
                                                  # and doctor unless the face names others)
    sale.bill(items)                              # checked; the lines' 追溯码 scanned onto its TraceBill
    quote = sale.quote()                          # 2101 | 2203+2204+2206
    settlement = sale.confirm(tender)             # 2102 | 2207, then the tender booked (collected when due)
    sale.cancel()                                 # or let it go before paying

The Counter does the platform's part (terminal/counter.py); what a screen may offer next is `sale.allowed`
(terminal/states.py). Till-wide acts that follow one sale's script — hand cash back on a refund, reprint a
receipt — are functions here too, so the CLI, the app and the agent do them the same way.

Faces converted so far: the CLI (`ecpos settle`, `refund`, `reprint`), the agent (code, confirm, cancel), the
journal screen's refund and reprint, and the pharmacy screen's scan sorting, confirm and reprint. The
pharmacy screen's identify and quote, the clinic and kiosk screens still drive the Counter themselves.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Callable, TypeVar

from terminal import flows, tender as tender_mod
from terminal.codes import item_barcode, trace_code
from terminal.counter import Counter, Item
from terminal.errors import EcposError
from terminal.records import Patient, Quote, RefundTicket, Settlement, Visit
from terminal.receipt import Receipt, for_sale
from terminal.states import HAPPENED, RefundState
from terminal.trace import TraceBill

T = TypeVar("T")


class Checkout:
    """One sale from the code to the receipt, over the till's Counter (which it never copies)."""

    def __init__(self, counter: Counter, sale_id: int | None = None, trace: TraceBill | None = None):
        self.counter = counter
        self._sale_id = sale_id  # a sale this counter quoted earlier, resumed by its id (Checkout.of)
        self.patient: Patient | None = None
        self.visit: Visit | None = None
        self.items: list[Item] = []
        self.trace = trace
        self.quoted: Quote | None = None
        self.settlement: Settlement | None = None

    @classmethod
    def of(cls, counter: Counter, sale: int | Quote, trace: TraceBill | None = None) -> "Checkout":
        """The script of a sale quoted earlier: by its id (the agent between its requests) or its Quote (a
        screen that shows it), with the TraceBill that took its boxes as they were scanned."""
        if isinstance(sale, int):
            return cls(counter, sale, trace)
        resumed = cls(counter, sale.sale_id, trace)
        resumed.quoted = sale
        return resumed

    # --- what the face hands it ----------------------------------------------------------------------
    def identify(self, qr: str) -> Patient:
        self.patient = self.counter.identify(qr)
        return self.patient

    def identify_card(self, cert_type: str, number: str) -> Patient:
        """Without a 医保码: 02 居民身份证 or 03 社会保障卡."""
        self.patient = self.counter.identify_card(cert_type, number)
        return self.patient

    def register(self, dept: str = "", doctor: str = "") -> Visit | None:
        """Clinic / kiosk: the visit (2201) with the department and doctor given, else the profile's first
        ones ([clinic] departments, doctors); a pharmacy registers nothing (None)."""
        if not self.counter.flow.registers:
            return None
        dept, doctor = default_visit(self.counter.cfg, dept, doctor)
        self.visit = self.counter.register(self.patient, dept, doctor)
        return self.visit

    def bill(self, items: list[Item], trace: bool = True) -> list[Item]:
        """The bill, checked before anything is sent (a line's unknown 开单科室 refused), with each line's
        追溯码 scanned onto the sale's TraceBill ([trace] required: refused before the quote). The agent's
        bills carry no 追溯码 yet (trace=False: nothing scanned, nothing required)."""
        self.items = self.counter.checked_bill(items)
        if not trace:
            return self.items
        self.trace = self.counter.trace_bill(self.items)
        for n, item in enumerate(self.items, 1):
            for code in item.trace:
                self.trace.scan(code, line=n)
        return self.items

    def quote(self) -> Quote:
        if self.trace is not None:
            self.trace.check()
        self.quoted = self.counter.presettle(self.visit or self.patient, self.items)
        return self.quoted

    def confirm(self, tender: tender_mod.Tender | None = None) -> Settlement:
        """Settle the quote, then book how its cash part was paid: collected at once when the profile left
        it due at the window, else recorded to the operator's shift."""
        self.settlement = s = self.counter.settle(self.quoted or self._sale_id, self.trace)
        if tender is not None and s.cash_due:
            self.counter.collect(s.sale_id, tender)
        elif tender is not None:
            self.counter.record_tender(s.sale_id, tender)
        return s

    def cancel(self) -> None:
        """Let the sale go before paying (the clinic's visit undone too)."""
        what = self.quoted or self.visit or self._sale_id
        if what is not None and "cancel" in self.allowed:
            self.counter.cancel(what)

    def self_pay(self, tender: tender_mod.Tender) -> int:
        """No insurance: the tender pays the whole bill; the 追溯码 still go up."""
        return self.counter.self_pay(self.items, tender, self.trace)

    # --- what the face shows ----------------------------------------------------------------------------
    @property
    def sale_id(self) -> int | None:
        held = self.settlement or self.quoted or self.visit
        return held.sale_id if held is not None else self._sale_id

    @property
    def allowed(self) -> frozenset[str]:
        """What the core allows next for this sale (terminal/states.py)."""
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
