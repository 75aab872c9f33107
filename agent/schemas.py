"""Request and answer shapes of the API (pydantic; they are also the OpenAPI document).

Money travels as strings: amounts answered with two decimals ("37.50"), prices up to six and quantities
up to four places, as the platform takes them. Fields a caller may not send are refused (extra="forbid"),
so a misspelt field is a 422 naming it rather than silently ignored.
"""
from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field
from terminal.states import DeskState, RefundState

PRICE = r"^[0-9]{1,9}(\.[0-9]{1,6})?$"
QTY = r"^[0-9]{1,6}(\.[0-9]{1,4})?$"
AMOUNT = r"^-?[0-9]+\.[0-9]{2}$"
State = Literal[tuple(s.value for s in DeskState)]  # the agent's word set, terminal/states.py


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Line(_In):
    """One bill line as the HIS/ERP has it."""

    code: str = Field(min_length=1, max_length=64, description="医保目录编码 (med_list_codg)")
    name: str = Field(min_length=1, max_length=200)
    qty: str = Field(pattern=QTY, description='quantity as a string, up to 4 places: "2"')
    price: str = Field(pattern=PRICE, description='unit price in yuan as a string, up to 6 places: "12.50"')
    # The line's own wire fields (docs/agent.md "Bill lines"); sizes as the specification's field tables.
    rxno: Optional[str] = Field(None, max_length=30, description="处方号: drugdetail / feedetail rxno")
    rx_circ_flag: Optional[Literal["0", "1"]] = Field(
        None, description='外购处方标志: "1" when the prescription came from outside (another institution); '
                          'empty: "0", the institution\'s own')
    dr_code: Optional[str] = Field(None, max_length=30, description="开单医生编码 (bilg_dr_codg); empty: the "
                                   "visit's doctor, or the pharmacy's [pharmacy] prescriber")
    dr_name: Optional[str] = Field(None, max_length=50, description="开单医师姓名 (bilg_dr_name); may be left out "
                                   "at a clinic/kiosk for a doctor of [clinic] doctors")
    dept: Optional[str] = Field(None, max_length=30, description="clinic/kiosk: 开单科室编码 (2204 bilg_dept_codg), "
                                "one of [clinic] departments; empty: the visit's department")


class SaleIn(_In):
    """A bill pushed by the HIS/ERP."""

    profile: Optional[Literal["pharmacy", "clinic", "kiosk"]] = Field(
        None, description="must be the agent's profile when given")
    external_id: str = Field(min_length=1, max_length=64, description="the caller's own id of the bill")
    items: list[Line] = Field(min_length=1, max_length=500)
    dept: Optional[str] = Field(None, max_length=64, description="clinic/kiosk: department code, e.g. A03")
    doctor: Optional[str] = Field(None, max_length=64, description="clinic/kiosk: doctor code, e.g. D001")
    qr: Optional[str] = Field(None, min_length=1, max_length=512,
                              description="a code the caller already scanned; otherwise the agent's scanner reads it")


class CodeIn(_In):
    qr: str = Field(min_length=1, max_length=512, description="the 医保码 text as scanned")


class RefundIn(_In):
    setl_id: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=200)
    cashier: str = Field(min_length=1, max_length=32)
    supervisor: str = Field(min_length=1, max_length=32)
    pin: str = Field(min_length=1, max_length=32, description="the supervisor's PIN (never stored or logged)")
    amount: Optional[str] = Field(None, pattern=PRICE, description="must equal the settled total when given")


class Patient(BaseModel):
    psn_no: str
    name: str = Field(description="masked: 张*")
    certno: str = Field(description="masked: 3201**********1234")
    insutype: str
    insutype_name: str
    family_of: str = Field(description="the family account holder who showed the code, masked; empty if own")


class Split(BaseModel):
    medfee_sumamt: str = Field(pattern=AMOUNT)
    fund_pay_sumamt: str = Field(pattern=AMOUNT)
    acct_pay: str = Field(pattern=AMOUNT)
    psn_cash_pay: str = Field(pattern=AMOUNT)
    psn_part_amt: str = Field(pattern=AMOUNT)
    hosp_part_amt: str = Field(pattern=AMOUNT)
    balc: str = Field(pattern=AMOUNT)


class ErrorInfo(BaseModel):
    key: str = Field(description="English key for logs and code")
    message: str = Field(description="Chinese message saying what to do")


class SaleOut(BaseModel):
    sale_id: str
    external_id: str
    profile: str
    state: State
    created_at: str
    patient: Optional[Patient]
    split: Optional[Split]
    setl_id: Optional[str]
    mdtrt_id: Optional[str]
    setl_time: Optional[str]
    journal_status: Optional[str] = Field(description="the journal's status: pending, settled, unknown, "
                                          "reversed, refund_queued, refunded, failed, cancelled")
    receipt: Optional[str]
    error: Optional[ErrorInfo]
    next: list[Literal["code", "confirm", "cancel", "refund"]] = Field(
        description="what may be asked next (the core's allowed steps): code, confirm, cancel, refund")


class SaleList(BaseModel):
    day: str = Field(description="the local date listed, YYYY-MM-DD")
    sales: list[SaleOut] = Field(description="oldest first, each as GET /v1/sales/{id} shows it, receipt left out")
    more: bool = Field(description="there were more than were listed: ask per external_id")


class RefundOut(BaseModel):
    refund_id: int
    setl_id: str
    amount: str = Field(pattern=AMOUNT)
    status: Literal[RefundState.QUEUED.value, RefundState.REFUNDED.value, RefundState.FAILED.value]
    msgid: Optional[str]
    message: str


class Scanner(BaseModel):
    state: str
    reason: str


class StatusOut(BaseModel):
    profile: str
    online: bool
    signed_in: bool
    queued_refunds: int
    unknown_outcomes: int
    open_sale: Optional[str]
    scanner: Scanner


class Health(BaseModel):
    status: Literal["ok"]


class FieldError(BaseModel):
    field: str
    message: str


class ErrorBody(BaseModel):
    """Every error answer: {"error": {key, message, ...}}."""

    class Detail(BaseModel):
        model_config = ConfigDict(extra="allow")
        key: str
        message: str
        field: Optional[str] = None
        fields: Optional[list[FieldError]] = None

    error: Detail
