"""One flow object per profile: the steps of its sale and the codes that go with them.

    flow = flows.for_profile(cfg.profile)
    flow.business_type, flow.med_type, flow.clr_type, flow.refund_infno, flow.registers
    flow.start(counter, patient, dept=, doctor=)  -> Visit | None   (clinic / kiosk register with 2201)
    flow.quote(counter, who, items, earlier)      -> Quote           (2101 | 2203 + 2204 + 2206)
    flow.settle(counter, quote, extra)            -> Settlement      (2102 | 2207; extra: nodes beside the lines)
    flow.cancel(counter, what)                    nothing paid: pharmacy closes the quote, clinic 2205 + 2202
    flow.undo(counter, sale_row, reversed_)       a sale a dead process or a reversal left open

`counter` is anything with .client (JournaledClient), .store (SaleStore), .cfg and .operator (who sales are
booked to); the Counter passes itself.
Callers never switch on the profile's name: they ask its flow.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from terminal.sale import workflow_clinic, workflow_pharmacy
from terminal.errors import EcposError
from terminal.sale.records import Patient, Quote, Settlement, Visit
from terminal.sale.workflow import WorkflowError


@dataclass(frozen=True)
class Flow(ABC):
    """What a profile's sale is: its steps, and the platform codes it uses (one sale's walk through them is
    its Quote's / Visit's `steps`, terminal/sale/workflow.py)."""

    profile: str
    business_type: str      # ec.query businessType when identifying: 02121 药店购药, 01101 挂号
    med_type: str           # 41 定点药店购药, 11 普通门诊
    clr_type: str           # 清算类别 for 3201: 41 药店购药, 11 门诊
    settle_infno: str
    refund_infno: str
    registers: bool         # a visit (2201) comes first, and is undone (2205 / 2202) when not settled
    # a person takes the patient's cash part (psn_cash_pay) here; an unattended kiosk has no cash drawer, so
    # its sales leave that part due at the window (sales.CASH_DUE) instead of calling it paid
    takes_cash: bool = True

    @abstractmethod
    def start(self, counter, patient: Patient, dept: str = "", doctor: str = "") -> Visit | None:
        """Begin a sale for an identified patient: a clinic registers the visit; a pharmacy has nothing to do."""
        ...

    @abstractmethod
    def quote(self, counter, who, items, earlier: Quote | None = None) -> Quote:
        ...

    @abstractmethod
    def settle(self, counter, quote: Quote, extra: dict | None = None) -> Settlement:
        ...

    @abstractmethod
    def cancel(self, counter, what) -> None:
        ...

    @abstractmethod
    def undo(self, counter, sale: dict, reversed_: bool) -> None:
        ...


class PharmacyFlow(Flow):
    """定点药店购药: 2101 pre-settlement, the cashier confirms, 2102; refunds with 2103."""

    def start(self, counter, patient, dept="", doctor=""):
        return None

    def quote(self, counter, who, items, earlier=None):
        if isinstance(who, Visit):
            raise WorkflowError("药店业务无需挂号", key="workflow_profile")
        patient = who.patient if isinstance(who, Quote) else who
        return workflow_pharmacy.presettle(counter.client, counter.store, patient, items, counter.operator, earlier)

    def settle(self, counter, quote, extra=None):
        return workflow_pharmacy.settle(counter.client, counter.store, quote, counter.operator, extra)

    def cancel(self, counter, what):
        workflow_pharmacy.cancel(counter.store, what)

    def undo(self, counter, sale, reversed_):
        if not reversed_:  # a reversed pharmacy sale has nothing left open at the platform
            workflow_pharmacy.abandon(counter.store, sale)


class ClinicFlow(Flow):
    """门诊 (clinic desk, and the kiosk with opter_type 2): 2201 register, 2203 + 2204 + 2206, 2207; 2208."""

    def start(self, counter, patient, dept="", doctor=""):
        return workflow_clinic.register(counter.client, counter.store, counter.cfg, patient, dept, doctor)

    def quote(self, counter, who, items, earlier=None):
        if not isinstance(who, Visit):
            raise WorkflowError("请先挂号再结算", key="workflow_order")
        return workflow_clinic.presettle(counter.client, counter.store, who, items)

    def settle(self, counter, quote, extra=None):
        return workflow_clinic.settle(counter.client, counter.store, quote, counter.operator, extra,
                                      cash_at_window=not self.takes_cash)

    def cancel(self, counter, what):
        if isinstance(what, Quote) and what.visit is None:  # nothing registered
            workflow_pharmacy.cancel(counter.store, what)
            return
        visit = what.visit if isinstance(what, Quote) else what
        workflow_clinic.cancel(counter.client, counter.store, visit)

    def undo(self, counter, sale, reversed_):
        workflow_clinic.abandon(counter.client, counter.store, sale, reversed_)


PHARMACY = PharmacyFlow("pharmacy", business_type="02121", med_type=workflow_pharmacy.MED_TYPE, clr_type="41",
                        settle_infno="2102", refund_infno="2103", registers=False)
CLINIC = ClinicFlow("clinic", business_type="01101", med_type=workflow_clinic.MED_TYPE, clr_type="11",
                    settle_infno="2207", refund_infno="2208", registers=True)
KIOSK = ClinicFlow("kiosk", business_type="01101", med_type=workflow_clinic.MED_TYPE, clr_type="11",
                   settle_infno="2207", refund_infno="2208", registers=True, takes_cash=False)
FLOWS = {f.profile: f for f in (PHARMACY, CLINIC, KIOSK)}
SETTLE_INFNOS = frozenset(f.settle_infno for f in FLOWS.values())  # a request that settles a sale


def for_profile(profile: str) -> Flow:
    """The flow of a configured profile (pharmacy, clinic, kiosk)."""
    try:
        return FLOWS[profile]
    except KeyError:
        raise EcposError(f"未知业务类型：{profile}", key="workflow_profile") from None
