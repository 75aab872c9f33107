"""Builds the printer's Receipt from a terminal Settlement (plain data; no Qt, no rules)."""
from __future__ import annotations

from datetime import datetime

from drivers.printer import Receipt, ReceiptLine

AMOUNT_LABELS = (("medfee_sumamt", "费用合计"), ("fund_pay_sumamt", "统筹基金支付"),
                 ("acct_pay", "个人账户支付"), ("psn_cash_pay", "现金支付"), ("balc", "个人账户余额"))


def build_receipt(cfg, settlement, extra_notes=(), title_suffix: str = "") -> Receipt:
    """Receipt for a settlement: institution, masked patient, its items and amounts."""
    totals = tuple((label, getattr(settlement, f)) for f, label in AMOUNT_LABELS
                   if getattr(settlement, f, None) is not None)
    lines = tuple(ReceiptLine(it.name, it.qty, it.amount) for it in getattr(settlement, "items", ()))
    when = getattr(settlement, "setl_time", "") or datetime.now().strftime("%Y-%m-%d %H:%M:%S")
    notes = []
    family = getattr(settlement, "family_of", "")
    if family:
        notes.append(f"亲情账户：{family} 代为出示")
    notes += list(extra_notes)
    return Receipt(title=cfg.institution.fixmedins_name + title_suffix,
                   setl_id=str(getattr(settlement, "setl_id", "")), when=str(when),
                   patient_name=getattr(settlement, "name_masked", ""),
                   patient_id=getattr(settlement, "id_masked", ""),
                   insutype_name=getattr(settlement, "insutype_name", ""), lines=lines, totals=totals,
                   notes=tuple(notes))
