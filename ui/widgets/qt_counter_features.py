"""挂单 / 取单 and 折扣 / 抹零 on the pharmacy page: the keys, the dialogs, and the calls to the core's sale script
(terminal/checkout.py: Checkout.hold, Checkout.recall, Checkout.adjust) on the Counter's worker. Kept out of the
page itself: it hands the page's bill and its sale's script (QtPharmacyView.sale) to the core, puts a recalled
bill back on the page, and leaves a discount on the script, which books it with the settlement.

    Ctrl+G 挂单   park the bill on the counter (a quote on it is cancelled first; F5 quotes it again)
    Ctrl+H 取单   the held bills in a list: ↑ / ↓, Enter puts one back on an empty counter
    Ctrl+K 折扣/抹零  (on the tender panel) a supervisor's discount of the cash part (折扣: kòu)
"""
from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QHBoxLayout

from terminal import checkout
from terminal.sale.items import BillLine
from terminal.money import total
from terminal.states import BUSY, DONE, Stage
from ui.qt_session import error_text
from ui.widgets.qt_buttons import ShortcutButton
from ui.widgets.qt_discount_dialog import QtDiscountDialog
from ui.widgets.qt_held_bills import QtHeldBillsDialog

BILLING = (Stage.WAITING, Stage.IDENTIFIED, Stage.REGISTERED)


class QtCounterFeatures(QObject):
    """Attached to a QtPharmacyView `view`: its buttons (`buttons`) go where the page puts them."""

    def __init__(self, view):
        super().__init__(view)
        self.view = view
        self.dialog = None
        self.b_hold = ShortcutButton(self.tr("挂单"), "Ctrl+G", self.hold, view)
        self.b_recall = ShortcutButton(self.tr("取单"), "Ctrl+H", self.recall, view)
        self.buttons = (self.b_hold, self.b_recall)
        row = QHBoxLayout()  # under the patient card: the bill's row of keys is full at 1024 px
        for b in self.buttons:
            row.addWidget(b)
        view.left_box.addLayout(row)
        if hasattr(view, "visit"):  # the clinic's page: a visit is registered at the platform (2201), and
            for b in self.buttons:  # holding it would mean undoing it; not offered there
                b.setVisible(False)
        view.state_changed.connect(self._state)
        view.tender_panel.discount.connect(self.ask_discount)
        view.tender_panel.said.connect(self._tender_said)

    def _state(self, state) -> None:
        v = self.view
        state = Stage(state)
        self.b_hold.setEnabled(state not in (*BUSY, *DONE, Stage.UNKNOWN) and bool(v.bill.rows()))
        self.b_recall.setEnabled(state not in BUSY)
        quoted = state == Stage.QUOTED and v.quote is not None and v.quote.psn_cash_pay > 0 and not v.self_paying
        v.tender_panel.b_discount.setEnabled(quoted or (v.self_paying and state in BILLING))
        if v.sale is not None and (state == Stage.QUOTING or (state in BILLING and not v.tender_panel.isVisibleTo(v))):
            v.sale.adjustment = None  # a new quote, a new self-pay, the split put aside: no discount carries over

    def _tender_said(self, level: str, text: str) -> None:
        """A part of a 组合支付 taken (what is left, under the amounts), or why not."""
        if level != "error":
            self.view.split.note.setText(text)
        self.view._say(level, text)

    # -- 挂单 ------------------------------------------------------------------------------------------
    def hold(self) -> None:
        v = self.view
        if not self.b_hold.isEnabled():
            return
        sale, items, trace, buyer = v.sale, v.items(), v.trace, v.buyer

        def park(c):  # the sale's script: a quote is cancelled first, the 追溯码 go with the lines
            s = sale if sale is not None else checkout.Checkout(c)
            s.draft(items, trace, buyer)
            return s.hold()

        self.b_hold.setEnabled(False)
        v.session.run(park, self._held, self._hold_failed, "hold")

    def _held(self, hold_id: int) -> None:
        v = self.view
        v.sale = None  # let go by the core already: the page must not cancel it again
        v.next_customer()
        v._say("ok", self.tr("已挂单 #%1：请接待下一位，按 Ctrl+H 取单").replace("%1", str(hold_id)))

    def _hold_failed(self, e: BaseException) -> None:
        v = self.view
        v._set_state(v.state)
        v._say("error", error_text(e))

    # -- 取单 ------------------------------------------------------------------------------------------
    def recall(self) -> None:
        v = self.view
        if not self.b_recall.isEnabled():
            return
        if v.bill.rows() and v.state not in DONE:
            v._say("error", self.tr("请先挂单（Ctrl+G）或完成当前这一单，再取单"))
            return
        v.session.run(checkout.held, self._list, lambda e: v._say("error", error_text(e)), "held")

    def _list(self, bills) -> None:
        v = self.view
        if not bills:
            v._say("info", self.tr("没有挂单"))
            return
        self.dialog = QtHeldBillsDialog(bills, v)
        self.dialog.picked.connect(self._take)
        self.dialog.open()

    def _take(self, hold_id: int) -> None:
        v = self.view
        v.session.run(lambda c: checkout.Checkout.recall(c, hold_id), self._recalled,
                      lambda e: v._say("error", error_text(e)), "recall")

    def _recalled(self, sale) -> None:
        """The held bill back on the page as its sale: its lines (with their lots), its 追溯码, the patient (or a
        word to show the code)."""
        v = self.view
        v.next_customer()
        for item in sale.items:
            v.bill.add(BillLine.of(item, v.catalogue), int(item.qty))
        sale.subscribe(v.session.checkout_changed.emit)  # its Changes reach the page as a new sale's do
        v.sale = sale  # after the lines: each line added made a script of the page's own, its boxes none
        v._trace_show()
        for code, why in sale.dropped:
            v._say("error", self.tr("追溯码 %1 未取回：%2").replace("%1", code).replace("%2", why))
        if sale.patient is not None:
            v._identified(checkout.Change(sale, "recall", sale.stage, sale.allowed_next, sale.sale_id, sale.patient))
            v._say("ok", self.tr("已取单：参保人 %1，请按 F5 预结算").replace("%1", sale.patient.name_masked))
        else:
            v._say("ok", self.tr("已取单：请参保人出示医保码后按 F5 预结算"))

    # -- 折扣 / 抹零 -----------------------------------------------------------------------------------
    def ask_discount(self) -> None:
        v = self.view
        if not v.tender_panel.b_discount.isEnabled() or not v.tender_panel.isVisible():
            return
        own, items, trace, buyer = v.self_paying, v.items(), v.trace, v.buyer
        if not own and v.quote is None:
            return
        if v.sale is None:  # a self-paid bill nobody identified: its script starts here, as at F4's Enter
            v.sale = v.session.checkout()
        sale = v.sale
        self.dialog = dlg = QtDiscountDialog(total(i.amount for i in items) if own else v.quote.psn_cash_pay, v)

        def adjusted(discount, rounding, supervisor, pin):  # 医保: the quote's cash part; 自费: the bill
            if own:
                sale.draft(items, trace, buyer)
            return sale.adjust(discount, rounding, supervisor, pin, self_pay=own)

        def give(discount: str, rounding: str, supervisor: str, pin: str) -> None:
            v.session.run(lambda c: adjusted(discount, rounding, supervisor, pin),
                          lambda adj: self._discounted(dlg, adj), dlg.refuse, "discount")
        dlg.submitted.connect(give)
        dlg.open()

    def _discounted(self, dlg, adj) -> None:
        v = self.view
        dlg.accept()
        v.tender_panel.ask(adj.pay)  # the discount stays on the sale's script: confirm / self-pay book it
        v.split.note.setText(self.tr("折后实收 ¥%1，医保单价不变").replace("%1", f"{adj.pay:.2f}"))  # one line: fits 768 px
        v._say("ok", self.tr("主管 %1 已减免 ¥%2，请收 ¥%3（折扣仅减少现金部分，上传医保的单价不变）").replace("%1", adj.by)
               .replace("%2", f"{adj.discount + adj.rounding:.2f}").replace("%3", f"{adj.pay:.2f}"))
