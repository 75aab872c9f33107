"""The receipt text of a settled sale, read from its journal row (so it survives a restart).

Same layout as the printed receipt (drivers.printer.layout); the patient is masked as the journal keeps it.
"""
from __future__ import annotations

import json
from decimal import Decimal

from drivers.printer import Receipt, ReceiptLine, layout
from terminal.records import INSUTYPE_NAMES

TOTALS = (("medfee_sumamt", "费用合计"), ("fund_pay_sumamt", "统筹基金支付"), ("acct_pay", "个人账户支付"),
          ("psn_cash_pay", "现金支付"))


def receipt_text(cfg, sale: dict) -> str:
    """The plain-text receipt of a journal sale row (settled)."""
    items = json.loads(sale["items"] or "[]")
    lines = tuple(ReceiptLine(i["name"], Decimal(i["qty"]), Decimal(i["qty"]) * Decimal(i["price"]))
                  for i in items)
    notes = (f"亲情账户：{sale['family_of']} 代为出示",) if sale["family_of"] else ()
    r = Receipt(title=cfg.institution.fixmedins_name, setl_id=sale["setl_id"], when=sale["setl_time"],
                patient_name=sale["name_masked"], patient_id=sale["id_masked"],
                insutype_name=INSUTYPE_NAMES.get(sale["insutype"], sale["insutype"]), lines=lines,
                totals=tuple((label, Decimal(sale[k])) for k, label in TOTALS), notes=notes)
    return "\n".join(layout(r, cfg.printer.width))
