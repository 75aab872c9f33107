"""The tender panel with 组合支付 and 折扣/抹零: the self-pay part paid in parts — an app or card part of any
amount with its reference (Enter takes it and asks for the rest), then cash for what is left, with the change —
and the button that asks a supervisor for a discount. Keyboard: ↑ / ↓ in a field change the method.

It only collects what the cashier typed; terminal/sale/tender.py (Split) checks the parts add up.
"""
from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QLabel, QLineEdit

from terminal.money import ZERO
from terminal.sale import tender
from ui.widgets.qt_buttons import ShortcutButton
from ui.widgets.qt_till_widgets import QtTenderPanel


class QtSplitTenderPanel(QtTenderPanel):
    """QtTenderPanel plus parts: `tender()` answers a Tender or a tender.Split; `discount` asks for 折扣/抹零."""

    discount = Signal()  # Ctrl+K: the view asks a supervisor (ui/widgets/qt_discount_dialog.py)
    said = Signal(str, str)  # level, text: a part taken, or why not

    def __init__(self, parent=None):
        super().__init__(parent)
        self.parts: list = []   # non-cash Tenders taken so far
        self.whole = ZERO       # the cash part asked for (after any discount)
        lay = self.layout()
        self.amount = QLineEdit()
        self.amount.setObjectName("tenderAmount")
        self.amount.setPlaceholderText(self.tr("本次金额"))
        self.amount.setAttribute(Qt.WA_InputMethodEnabled, False)
        self.amount.returnPressed.connect(self.reference.setFocus)
        lay.addWidget(self.amount, 1, 1)  # the row of the change, which a non-cash method has none of
        self.amount_label = QLabel(self.tr("金额"))
        lay.addWidget(self.amount_label, 1, 0, Qt.AlignRight)
        # beside the change (large type, as tall as the key): a row more made the page taller than 768 px
        self.b_discount = ShortcutButton(self.tr("折扣"), "Ctrl+K", self.discount.emit, self)
        self.b_discount.setObjectName("discountKey")
        self.b_discount.setStyleSheet("min-height: 0px; padding: 1px 4px; font-size: 9pt;")  # as tall as the change
        self.b_discount.setText(f"{self.b_discount.base_text}\n[{self.b_discount.key}]")  # narrow: fits 1024 px
        lay.addWidget(self.b_discount, 1, 2)
        self.reference.returnPressed.disconnect()
        self.reference.returnPressed.connect(self._reference_entered)
        for field in (self.received, self.reference, self.amount):
            field.installEventFilter(self)
        self._method_changed()

    def ask(self, due: Decimal) -> None:
        """A fresh panel for `due` yuan: no parts taken yet."""
        self.parts, self.whole = [], due
        super().ask(due)

    def _method_changed(self) -> None:
        super()._method_changed()
        if not hasattr(self, "amount"):
            return  # the base class sets the method up before this panel's fields exist
        cash = self.method_key() == "cash"
        self.amount.setVisible(not cash)
        self.amount_label.setVisible(not cash)
        if not cash:
            self.amount.setText(f"{self.due:.2f}")
            self.amount.selectAll()
            self.amount.setFocus()

    def eventFilter(self, obj, event) -> bool:
        """↑ / ↓ in a field: the previous / next method (keys stay on the keyboard's number block)."""
        if (obj in (self.received, self.reference, self.amount) and event.type() == QEvent.KeyPress
                and event.key() in (Qt.Key_Up, Qt.Key_Down)):
            n = self.method.count()
            self.method.setCurrentIndex((self.method.currentIndex() + (1 if event.key() == Qt.Key_Down else -1)) % n)
            return True
        return super().eventFilter(obj, event)

    def _reference_entered(self) -> None:
        """Enter after a non-cash reference: less than what is left is one part (the rest is asked for next);
        all of it confirms."""
        try:
            amount = tender.amount_of(self.amount.text() or "0", self.tr("金额"))
            if amount <= 0 or amount > self.due:
                raise tender.TenderError(self.tr("本次金额应大于 0 且不超过还需支付的 ¥%1").replace("%1", f"{self.due:.2f}"),
                                         key="tender_split_over")
            if amount == self.due:
                self.confirm.emit()
                return
            self.parts.append(tender.other(self.method_key(), amount, self.reference.text()))
        except tender.TenderError as e:
            self.said.emit("error", e.message)
            return
        self.due -= amount
        self.said.emit("info", self.tr("已收%1，还需 ¥%2：收现金，或按 ↑ ↓ 换支付方式").replace(
            "%1", "、".join(f"{p.label} ¥{p.amount:.2f}" for p in self.parts)).replace("%2", f"{self.due:.2f}"))
        self.method.setCurrentIndex(0)  # the rest in cash unless the cashier picks another
        self.received.clear()
        self.reference.clear()
        self.received.setFocus()

    def tender(self):
        """The payment for the whole cash part: the parts taken, then this method for the rest."""
        if not self.parts:
            return super().tender()
        if self.method_key() == "cash":
            return tender.split(self.whole, self.parts,
                                tender.amount_of(self.received.text() or "0", self.tr("实收金额")))
        return tender.split(self.whole, [*self.parts, tender.other(self.method_key(), self.due, self.reference.text())])
