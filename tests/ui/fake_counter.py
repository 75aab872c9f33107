"""A stand-in Counter for widget-level tests: the real records, canned answers, no network."""
from __future__ import annotations

from decimal import Decimal

from terminal.errors import EcposError
from terminal.records import CounterStatus, Patient, Quote, RefundTicket, SaleRow, Settlement, Visit


class FakeCounter:
    """Answers like terminal.counter.Counter with fixed data; `calls` records what was asked."""

    def __init__(self, cfg=None):
        self.calls: list[str] = []
        self.n = 0
        self.sold: list[Settlement] = []
        self.online = True

    def identify(self, code):
        self.calls.append("identify")
        if code.startswith("9"):
            err = EcposError("医保电子凭证未激活，请先激活后使用", key="credential_refused")
            err.code, err.activation_guide = "500170", True
            raise err
        return Patient(None, "P0001", "张*", "3201**********1234", "310", "职工基本医疗保险", "320100",
                       Decimal("1234.50"), family_of="李*" if code.startswith("8") else "",
                       family_relation="子女" if code.startswith("8") else "")

    def register(self, patient, dept, doctor):
        self.calls.append("register")
        return Visit(patient, 1, "MDTRT001", "IPT001", dept, "内科", doctor, "王医生", "2026-11-23")

    def registration_items(self, visit):
        from terminal.items import Item
        return [Item("REG", "挂号费", Decimal(1), Decimal("12.00"))]

    def presettle(self, subject, items):
        self.calls.append("presettle")
        total = sum((i.amount for i in items), Decimal("0.00"))
        patient = getattr(subject, "patient", subject)
        fund = (total * Decimal("0.6")).quantize(Decimal("0.01"))
        return Quote(patient, 1, tuple(items), total, fund, total - fund, Decimal("0.00"))

    def settle(self, quote):
        self.calls.append("settle")
        self.n += 1
        s = Settlement(self.n, f"SETL{self.n:04d}", "MDTRT", "P0001", f"MSG{self.n}", "2026-11-23 10:00:00",
                       quote.medfee_sumamt, quote.fund_pay_sumamt, quote.acct_pay, quote.psn_cash_pay,
                       Decimal(0), Decimal(0), Decimal("1000.00"), "张*", "3201**********1234", "310",
                       "职工基本医疗保险", "", quote.items)
        self.sold.append(s)
        return s

    def cancel(self, visit):
        self.calls.append("cancel")

    def check_admin(self, op_id, pin):
        if pin != "1234":
            raise EcposError("密码错误，请重新输入", key="pin_wrong")
        return True

    def queue_refund(self, setl_id, reason, cashier, supervisor, pin):
        self.calls.append("refund")
        if pin != "1234":
            raise EcposError("主管密码错误，请重新输入", key="pin_wrong")
        return RefundTicket(1, setl_id, Decimal("10.00"), "refunded")

    def sales(self, search=""):
        return [SaleRow(s.sale_id, s.setl_id, s.msgid, "settled", s.medfee_sumamt, s.fund_pay_sumamt,
                        s.acct_pay, s.psn_cash_pay, "P0001", "M", "张*", "310", "01", "", "0001", "pharmacy",
                        "2026-11-23", "2026-11-23 10:00:00") for s in self.sold]

    def status(self):
        return CounterStatus(self.online, 0, 0, True, "pharmacy")

    def sync(self):
        return None

    def close(self):
        pass
