"""What the patient sees at the counter (客显): the bill's lines, how the platform splits it (统筹 / 个账 / 现金), the
cash due and the change, and how the settlement ended, in the patient's words. Worked out from the core's
events alone, so a customer window or a pole display keeps no state of its own and shows what the journal says.

    follow = Follower(counter)                  # one per counter
    counter.subscribe(lambda sale: show(follow.see(sale)))   # None: not for the patient's eyes (an old sale)
    sale.subscribe(lambda ch: ch.step == "lines" and show(of_lines(ch.checkout.items)))   # the lines as scanned

Which sale the patient sees: the newest of this counter; an older one only when it is being refunded (queued or
done) while no sale is open (the patient who came back with a box). Sync closing an old unknown sale, or anything
while a sale is open, leaves the screen to the patient in front of it.
"""
from __future__ import annotations

from decimal import Decimal

from terminal.sale import adjust, tender as tender_mod
from terminal.money import ZERO, yuan
from terminal.sale.records import Facing, FacingLine, Quote
from terminal.sale.sales import Sale
from terminal.states import SaleState

S = SaleState
# How a sale ended, for the patient: never "失败" for a settlement whose answer was lost.
RESULTS = {
    S.SETTLED: "结算成功",
    S.SELF_PAID: "收款成功",
    S.UNKNOWN: "结果待确认：请勿重复付款",
    S.REFUND_QUEUED: "退款办理中",
    S.REFUNDED: "已退款",
    S.REVERSED: "已冲正，未扣费",
    S.FAILED: "未结算，未扣费",
    S.CANCELLED: "已取消",
}
_OPEN = (S.PENDING, S.UNKNOWN)
_REFUNDS = (S.REFUND_QUEUED, S.REFUNDED)


def of_sale(sale: Sale, quote: Quote | None = None, tenders=(), adjustment=None) -> Facing:
    """The patient's view of a sale: its lines; the quote's split while it is open, the journal's once settled
    (its cash part as paid after a supervisor's 整单折扣 / 抹零, terminal/sale/adjust.py); the cash handed over and
    the change from its cash tenders; its result in the patient's words."""
    lines = tuple(FacingLine(i.get("name") or i.get("code", ""), Decimal(str(i["qty"])),
                       yuan(Decimal(str(i["qty"])) * Decimal(str(i["price"])))) for i in sale.items)
    split = None
    if sale.status == S.PENDING:
        if quote is not None:
            split = (quote.medfee_sumamt, quote.fund_pay_sumamt, quote.acct_pay, quote.psn_cash_pay)
        result = "请核对金额" if split else ""
    else:
        split = (sale.medfee_sumamt, sale.fund_pay_sumamt, sale.acct_pay,
                 adjustment.pay if adjustment is not None else sale.psn_cash_pay)
        result = RESULTS.get(sale.status, "")
        if sale.cash_due:
            result = "请到收费窗口缴纳现金"
    cash = [t for t in tenders if t.method == "cash" and t.received is not None]
    received = sum((t.received for t in cash), ZERO) if cash else None
    change = sum((t.change or ZERO for t in cash), ZERO) if cash else None
    total = split[0] if split else (sum((ln.amount for ln in lines), ZERO) if lines else None)
    return Facing(sale.id, lines, total, *(split[1:] if split else (None, None, None)), received, change, result)


def of_lines(items) -> Facing:
    """The bill while it is being made (Checkout.show_lines, before the platform has said anything): its lines
    and their sum."""
    lines = tuple(FacingLine(i.name or i.code, Decimal(i.qty), yuan(i.amount)) for i in items)
    return Facing(None, lines, sum((ln.amount for ln in lines), ZERO) if lines else None)


class Follower:
    """Turns the Counter's sale events into what the patient sees (see the module's note on which sale)."""

    def __init__(self, counter):
        self.counter = counter
        self._shown: Sale | None = None

    def see(self, sale: Sale | None) -> Facing | None:
        """The patient's view after this change, or None when the change is not for the patient's eyes."""
        shown = self._shown
        if sale is None:
            return None
        if shown is not None and sale.id < shown.id and (shown.status in _OPEN or sale.status not in _REFUNDS):
            return None
        self._shown = sale
        journal = self.counter.journal
        return of_sale(sale, self.counter.quoted(sale.id), tender_mod.of_sale(journal, sale.id),
                       adjust.of_sale(journal, sale.id))
