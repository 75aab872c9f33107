"""Plain data the counter hands to the UI and the CLI (no behaviour beyond formatting)."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from terminal.sale.items import Item
from terminal.money import ZERO
from terminal.states import SaleState

INSUTYPE_NAMES = {"310": "职工基本医疗保险", "390": "城乡居民基本医疗保险", "340": "离休人员医疗保障",
                  "320": "公务员医疗补助", "330": "大额医疗费用补助", "391": "城乡居民大病医疗保险"}


def to_json(obj: Any) -> Any:
    """A record as JSON-ready data: Decimals as strings, nested records as dicts, the credential left out."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_json(getattr(obj, f.name)) for f in dataclasses.fields(obj)
                if f.name not in ("credential", "patient", "flow", "visit", "setlinfo")}
    if isinstance(obj, (list, tuple)):
        return [to_json(v) for v in obj]
    if isinstance(obj, dict):
        return {k: to_json(v) for k, v in obj.items()}
    if isinstance(obj, Decimal):
        return str(obj)
    return obj


@dataclass(frozen=True)
class Patient:
    """Who is being served: platform identity (1101) plus the credential that identified them.
    `family_of` is the masked name of the family account holder who showed the code, "" if their own."""

    credential: Any = field(repr=False)  # terminal.ec.Credential; holds unmasked data, never journaled
    psn_no: str
    name_masked: str
    id_masked: str
    insutype: str
    insutype_name: str
    insuplc_admdvs: str
    balc: Decimal
    family_of: str = ""
    family_relation: str = ""
    mdtrt_cert_type: str = "01"
    mdtrt_cert_no: str = field(default="", repr=False)  # ecToken for 01: valid for minutes, kept in memory
    psn_type: str = ""
    age: str = ""


@dataclass
class Visit:
    """A clinic visit registered with 2201 (mdtrt_id), until it is settled or undone."""

    patient: Patient
    sale_id: int
    mdtrt_id: str
    ipt_otp_no: str
    dept_code: str
    dept_name: str
    doctor_code: str
    doctor_name: str
    begntime: str
    steps: Any = field(default=None, repr=False)  # its walk at the platform (terminal/sale/workflow.Steps)
    fees_uploaded: bool = False
    chrg_bchno: str = ""


@dataclass
class Quote:
    """A pre-settlement (2101 / 2206): what the fund pays and what the patient pays, before confirming."""

    patient: Patient
    sale_id: int
    items: tuple[Item, ...]
    medfee_sumamt: Decimal
    fund_pay_sumamt: Decimal
    acct_pay: Decimal
    psn_cash_pay: Decimal
    psn_part_amt: Decimal = ZERO
    hosp_part_amt: Decimal = ZERO
    balc: Decimal = ZERO
    mdtrt_id: str = ""
    visit: Visit | None = field(default=None, repr=False)
    steps: Any = field(default=None, repr=False)  # its walk at the platform (terminal/sale/workflow.Steps)
    begntime: str = ""
    # The pre-settlement answer's setlinfo as sent: 2207 echoes its amounts (terminal.wire.messages.settle_data).
    setlinfo: dict = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class Settlement:
    """A confirmed settlement (2102 / 2207) with what a receipt shows (masked)."""

    sale_id: int
    setl_id: str
    mdtrt_id: str
    psn_no: str
    msgid: str
    setl_time: str
    medfee_sumamt: Decimal
    fund_pay_sumamt: Decimal
    acct_pay: Decimal
    psn_cash_pay: Decimal
    psn_part_amt: Decimal
    hosp_part_amt: Decimal
    balc: Decimal
    name_masked: str
    id_masked: str
    insutype: str
    insutype_name: str
    family_of: str
    items: tuple[Item, ...]
    status: str = SaleState.SETTLED
    cash_due: Decimal = ZERO  # the cash part nobody here took: due at the window (sales.CASH_DUE)


@dataclass(frozen=True)
class RefundTicket:
    """A refund as queued or forwarded: status queued, refunded or failed."""

    refund_id: int
    setl_id: str
    amount: Decimal
    status: str
    msgid: str = ""
    message: str = ""


@dataclass(frozen=True)
class SaleRow:
    """One line of the journal's sale list (`ecpos journal`)."""

    sale_id: int
    setl_id: str
    msgid: str
    status: str
    medfee_sumamt: Decimal
    fund_pay_sumamt: Decimal
    acct_pay: Decimal
    psn_cash_pay: Decimal
    psn_no: str
    mdtrt_id: str
    name_masked: str
    insutype: str
    mdtrt_cert_type: str
    family_of: str
    opter: str
    profile: str
    day: str
    created_at: str
    note: str = ""


@dataclass
class SyncReport:
    """What one sync did: outcomes resolved, refunds forwarded, and what is still waiting."""

    online: bool = True
    reversed: list[dict] = field(default_factory=list)   # {sale_id, msgid, setl_id, rslt}
    refunded: list[dict] = field(default_factory=list)   # {refund_id, setl_id, msgid}
    failed: list[dict] = field(default_factory=list)     # refused by the platform: {kind, ref, err_msg}
    abandoned: list[dict] = field(default_factory=list)  # sales left unfinished by a dead process
    queued_refunds: int = 0
    unknown_outcomes: int = 0
    error: str = ""
    trace: dict = field(default_factory=dict)  # 药品追溯码 reports: {accepted, refused[], open, error}

    @property
    def changed(self) -> bool:
        return bool(self.reversed or self.refunded or self.failed or self.abandoned)


@dataclass(frozen=True)
class CounterStatus:
    """For the status bar: platform reachable (last we knew), refunds waiting, outcomes to resolve."""

    online: bool
    queued_refunds: int
    unknown_outcomes: int
    signed_in: bool
    profile: str


# What the patient sees at the counter (客显, the pole display): worked out by terminal/sale/facing.py.
@dataclass(frozen=True)
class FacingLine:
    """One line of the bill on the patient's screen."""

    name: str
    qty: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Facing:
    """One sale as the patient sees it (terminal/sale/facing.py). An amount is None until the platform has
    said it (before the quote)."""

    sale_id: int | None = None
    lines: tuple[FacingLine, ...] = ()
    total: Decimal | None = None
    fund: Decimal | None = None       # 统筹基金支付 (fund_pay_sumamt)
    account: Decimal | None = None    # 个人账户支付 (acct_pay)
    cash: Decimal | None = None       # 现金支付 (psn_cash_pay): what the patient pays here
    received: Decimal | None = None   # cash handed over
    change: Decimal | None = None     # 找零
    result: str = ""


WELCOME = Facing(result="欢迎光临")
