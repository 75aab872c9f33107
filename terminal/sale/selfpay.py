"""A self-pay sale (自费): the patient has no insurance (or no credential with them) and pays the whole
bill; nothing goes to the platform. Recorded as status `self_paid` with no credential type, so the journal
lists it, the shift counts its tender, and stats / reconciliation (insurance settlements only) leave it out.
"""
from __future__ import annotations

from terminal.journal import audit
from terminal.sale import adjust, settling
from terminal.journal.clock import now
from terminal.money import total, wire
from terminal.sale.sales import SaleStore
from terminal.sale.tender import Tender, TenderError, record
from terminal.states import SaleState


def record_sale(store: SaleStore, profile: str, operator: str, items, tender: Tender, adjustment=None) -> int:
    """Journal a self-paid sale with its tender (which must cover the whole bill, less the supervisor's
    整单折扣 / 抹零 when one was given: terminal/sale/adjust.py) through the counter's store, so its subscribers hear
    of it like any other sale; returns the sale id. The sale's amounts stay the bill's."""
    items = tuple(items)
    amount = total(i.amount for i in items)
    if adjustment is not None and adjustment.due != amount:
        adjustment = adjustment.on(amount)  # the bill changed since it was given: the same discount on it
    due = adjustment.pay if adjustment is not None else amount
    if not items or tender.amount != due:
        raise TenderError(f"自费结算须收取全部费用 {due:.2f} 元", key="tender_self_pay")
    with store.tx() as c:
        sale_id = store.open(c, profile, operator, mdtrt_cert_type="", items=settling.items_json(items),
                             note="self_pay")
        store.move(c, sale_id, SaleState.SELF_PAID, medfee_sumamt=wire(amount), psn_cash_pay=wire(amount),
                   confirmed_at=now())
        record(c, sale_id, tender, operator)
        if adjustment is not None:
            adjust.save(c, sale_id, adjustment, operator)
        audit.append(c, SaleState.SELF_PAID, operator, sale_id=sale_id, amount=wire(amount), method=tender.method)
    return sale_id
