"""Builds the printer's Receipt from a terminal Settlement (plain data; no Qt, no rules)."""
from __future__ import annotations

import json
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


def receipt_for_sale(cfg, journal, sale_id: int, reprint: bool = False) -> Receipt:
    """The receipt of a journaled sale (settled or self-paid), with its operator and tenders; `reprint`
    marks it 重打 (a copy printed again from the journal)."""
    from dataclasses import replace
    from decimal import Decimal
    from types import SimpleNamespace

    from terminal import tender
    from terminal.items import Item
    row = journal.sale(sale_id)
    items = tuple(Item(i["code"], i["name"], Decimal(i["qty"]), Decimal(i["price"]))
                  for i in json.loads(row["items"] or "[]"))
    amounts = {k: Decimal(row[k]) for k in ("medfee_sumamt", "fund_pay_sumamt", "acct_pay", "psn_cash_pay")}
    self_paid = row["status"] == "self_paid"
    if self_paid:  # no insurance: only the total and what was paid
        amounts = {"medfee_sumamt": amounts["medfee_sumamt"], "psn_cash_pay": amounts["psn_cash_pay"]}
    sale = SimpleNamespace(setl_id=row["setl_id"] or f"SALE{sale_id:08d}", setl_time=row["setl_time"],
                           name_masked=row["name_masked"], id_masked=row["id_masked"], family_of=row["family_of"],
                           items=items, **amounts)
    r = build_receipt(cfg, sale, extra_notes=("自费（未使用医保）",) if self_paid else ())
    lines = tuple(line for t in tender.of_sale(journal, sale_id) for line in t.receipt_lines())
    return replace(r, reprint=reprint, operator=row["opter"], tenders=lines,
                   headline="收费凭证" if self_paid else r.headline)
