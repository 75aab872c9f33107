"""Pharmacy counter: scan → patient → bill → pre-settle split → confirm → receipt → next customer.

Keyboard-first: F2 manual code, Enter adds an item (or confirms a ready quote), +/- quantity, Del removes,
F5 pre-settle, F12 confirm, F8 reprint, F9 next customer, Esc cancel. All work goes to the Counter.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QGridLayout, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout,
                               QWidget)

from ui import qt_sound
from terminal.catalogue import BillLine
from ui.qt_session import error_text
from terminal.receipt import for_settlement as build_receipt
from ui.widgets.qt_bill_table import QtBillTable
from ui.widgets.qt_buttons import ShortcutButton
from ui.widgets.qt_patient_card import QtPatientCard
from ui.widgets.qt_scan_panel import QtScanPanel
from ui.widgets.qt_split_panel import QtSplitPanel


class QtPharmacyView(QWidget):
    """The pharmacy sale page; `state` is waiting / identifying / billing / quoting / quoted /
    settling / settled; `sale_done(settlement)` and `message(text)` report to the window."""

    sale_done = Signal(object)
    state_changed = Signal(str)
    message = Signal(str, str)  # level (ok/error/info), text

    def __init__(self, session, catalogue: dict[str, BillLine], printer=None, parent=None):
        super().__init__(parent)
        self.session, self.catalogue, self.printer = session, catalogue, printer
        self.patient = self.quote = self.settlement = None
        self.sale_quote = None  # the sale's last quote: re-quoted when the bill changes, cancelled if dropped
        self.state = "waiting"
        self.receipt_path = None
        root = QHBoxLayout(self)
        # left: scan state + patient
        left = QVBoxLayout()
        self.scan = QtScanPanel(self)
        self.scan.manual_code.connect(self.identify)
        self.card = QtPatientCard(self)
        self.scan.guide_toggled.connect(self._guide_toggled)
        left.addWidget(self.scan)
        left.addWidget(self.card, 1)
        self.left_box = left
        # middle: item entry, quick list, bill
        mid = QVBoxLayout()
        self.item_code = QLineEdit()
        self.item_code.setObjectName("itemCode")
        self.item_code.setPlaceholderText(self.entry_hint())
        self.item_code.setAttribute(Qt.WA_InputMethodEnabled, False)
        self.item_code.returnPressed.connect(self._enter)
        mid.addWidget(self.item_code)
        quick = QGridLayout()
        self.quick_buttons: list[QPushButton] = []
        for i, line in enumerate(list(catalogue.values())[:9]):
            b = ShortcutButton(f"{line.name}\n¥{line.price:.2f}", f"Ctrl+{i + 1}",
                               lambda _=False, ln=line: self.add_line(ln), self)
            b.setObjectName("quickItem")
            quick.addWidget(b, i // 3, i % 3)
            self.quick_buttons.append(b)
        mid.addLayout(quick)
        self.bill = QtBillTable(self)
        self.bill.changed.connect(self._bill_changed)
        mid.addWidget(self.bill, 1)
        edit = QHBoxLayout()
        self.b_plus = ShortcutButton(self.tr("数量+"), "+", lambda: self.bill.change_qty(1), self)
        self.b_minus = ShortcutButton(self.tr("数量-"), "-", lambda: self.bill.change_qty(-1), self)
        self.b_remove = ShortcutButton(self.tr("删除"), "Del", self.bill.remove_selected, self)
        for b in (self.b_plus, self.b_minus, self.b_remove):
            edit.addWidget(b)
        mid.addLayout(edit)
        # right: split + actions
        right = QVBoxLayout()
        self.split = QtSplitPanel(self)
        right.addWidget(self.split)
        self.b_presettle = ShortcutButton(self.tr("预结算"), "F5", self.presettle, self)
        self.b_confirm = ShortcutButton(self.tr("确认结算"), "F12", self.confirm, self)
        self.b_confirm.setObjectName("primary")
        self.b_reprint = ShortcutButton(self.tr("重打小票"), "F8", self.print_receipt, self)
        self.b_next = ShortcutButton(self.tr("下一位"), "F9", self.next_customer, self)
        self.b_cancel = ShortcutButton(self.tr("取消"), "Esc", self.cancel, self)
        self.b_manual = ShortcutButton(self.tr("手工输码"), "F2", self.scan.manual.setFocus, self)
        for b in (self.b_presettle, self.b_confirm, self.b_reprint, self.b_next, self.b_cancel,
                  self.b_manual):
            right.addWidget(b)
        right.addStretch(1)
        root.addLayout(left, 3)
        root.addLayout(mid, 5)
        root.addLayout(right, 3)
        self.root_box = root
        self._set_state("waiting")

    def entry_hint(self) -> str:
        """What the item field takes (a pharmacy bill holds drugs)."""
        return self.tr("输入药品编码后回车添加；空行回车＝结算")

    def identified_text(self, name: str) -> str:
        """The next step once a patient is identified."""
        return self.tr("已识别参保人 %1，请添加药品").replace("%1", name)

    # -- state -------------------------------------------------------------------------------
    def _set_state(self, state: str) -> None:
        self.state = state
        busy = state in ("identifying", "quoting", "settling")
        has_bill = bool(self.bill.rows())
        self.b_presettle.setEnabled(not busy and self.subject() is not None and has_bill
                                    and state != "settled")
        self.b_confirm.setEnabled(state == "quoted")
        self.b_reprint.setEnabled(state == "settled")
        self.b_cancel.setEnabled(not busy and state != "waiting")
        for b in (self.b_plus, self.b_minus, self.b_remove, *self.quick_buttons):
            b.setEnabled(not busy and state != "settled")
        self.item_code.setEnabled(not busy)
        self.bill.setEnabled(not busy and state != "settled")  # a settled bill is a record, not a draft
        self.state_changed.emit(state)

    def sale_open(self) -> bool:
        """True from the identified patient until the sale is settled or dropped."""
        return self.state not in ("waiting", "settled")

    def _guide_toggled(self, shown: bool) -> None:
        # the guide takes the patient card's place and more of the width while it is up
        self.card.setVisible(not shown)
        self.root_box.setStretch(0, 7 if shown else 3)
        self.root_box.setStretch(1, 3 if shown else 5)

    def subject(self):
        """What is pre-settled: this sale's earlier quote (the Counter re-quotes the same sale), else the
        patient; the clinic view answers with its visit."""
        return self.sale_quote or self.patient

    def _abandon(self) -> None:
        """Tell the Counter an unsettled sale is dropped (journal; clinic: undo the visit)."""
        quote, self.sale_quote, self.quote = self.sale_quote, None, None
        if quote is not None and self.settlement is None:
            self.session.run(lambda c: c.cancel(quote), None,
                             lambda e: self.session.note.emit(error_text(e)), "cancel")

    def _say(self, level: str, text: str) -> None:
        self.message.emit(level, text)
        self.session.note.emit(text)
        if level in ("ok", "error"):
            qt_sound.cue("ok" if level == "ok" else "fail")

    # -- scan / identify ---------------------------------------------------------------------
    def on_scan(self, ev) -> None:
        """A code from the scanner: identify it unless we are in the middle of a call."""
        if self.state in ("identifying", "quoting", "settling"):
            self._say("info", self.tr("正在处理上一笔，请稍候再扫"))
            return
        if self.state == "settled":
            self.next_customer()
        self.identify(ev.text)

    def identify(self, code: str) -> None:
        """Ask the Counter who this code belongs to (a new patient drops an unsettled quote)."""
        self._abandon()
        self.scan.set_state("busy")
        self._set_state("identifying")
        self.session.run(lambda c: c.identify(code), self._identified, self._identify_failed, "identify")

    def _identified(self, patient) -> None:
        self.patient = patient
        self.quote = None
        self.split.clear()
        self.card.show_patient(patient)
        self.scan.set_state("ok", self.tr("识别成功：%1").replace("%1", patient.name_masked))
        self._say("ok", self.identified_text(patient.name_masked))
        self._set_state("billing")
        self.item_code.setFocus()

    def _identify_failed(self, e: BaseException) -> None:
        text = error_text(e)
        self.scan.set_state("error", text)
        if getattr(e, "activation_guide", False):
            self.scan.show_guide(e)
        self._say("error", text)
        self._set_state("billing" if self.patient is not None else "waiting")

    # -- bill ----------------------------------------------------------------------------------
    def add_line(self, line: BillLine, qty: int = 1) -> None:
        """Put a catalogue item on the bill."""
        if self.state == "settled":
            return
        self.bill.add(line, qty)

    def _enter(self) -> None:
        code = self.item_code.text().strip()
        self.item_code.clear()
        if code:
            line = self.catalogue.get(code) or next(
                (v for k, v in self.catalogue.items() if k.endswith(code) and len(code) >= 4), None)
            if line is None:
                self._say("error", self.tr("目录中没有编码 %1，请核对后重新输入").replace("%1", code))
            else:
                self.add_line(line)
        elif self.state == "quoted":
            self.confirm()
        elif self.b_presettle.isEnabled():
            self.presettle()

    def _bill_changed(self) -> None:
        if self.quote is not None and self.state == "quoted":
            self.quote = None
            self.split.clear()
            self.split.note.setText(self.tr("清单已修改，请重新预结算 [F5]"))
            self._set_state("billing")
        else:
            self._set_state(self.state)

    def items(self):
        """The bill as terminal Items."""
        from terminal.items import Item
        return [Item(line.code, line.name, qty, line.price) for line, qty in self.bill.rows()]

    # -- settle --------------------------------------------------------------------------------
    def presettle(self) -> None:
        """Ask the platform how the bill splits (fund / personal account / cash)."""
        subject = self.subject()
        if subject is None or not self.bill.rows():
            return
        self._set_state("quoting")
        items = self.items()
        self.split.note.setText(self.tr("正在预结算…"))
        self.session.run(lambda c: c.presettle(subject, items), self._quoted, self._failed, "presettle")

    def _quoted(self, quote) -> None:
        self.quote = self.sale_quote = quote
        self.split.show_amounts(quote, self.tr("核对金额后按 Enter 或 F12 确认结算"))
        self._say("info", self.tr("预结算完成，现金支付 %1 元").replace("%1", f"{quote.psn_cash_pay:.2f}"))
        self._set_state("quoted")

    def confirm(self) -> None:
        """Settle the quote shown."""
        if self.state != "quoted" or self.quote is None:
            return
        self._set_state("settling")
        quote = self.quote
        self.split.note.setText(self.tr("正在结算，请勿重复操作…"))
        self.session.run(lambda c: c.settle(quote), self._settled, self._failed, "settle")

    def _settled(self, settlement) -> None:
        self.settlement = settlement
        self.split.show_amounts(settlement,
                                self.tr("结算成功 · 流水号 %1 · 下一位 [F9]").replace(
                                    "%1", str(settlement.setl_id)))
        self._say("ok", self.tr("结算成功，流水号 %1").replace("%1", str(settlement.setl_id)))
        self._set_state("settled")
        self.sale_done.emit(settlement)
        self.print_receipt()
        self.session.refresh_status()

    def _failed(self, e: BaseException) -> None:
        text = error_text(e)
        self.split.note.setText(text)
        self._say("error", text)
        # the Counter has closed that sale (failed, or unknown until sync reverses it): the next
        # pre-settle starts a new one from the patient, with the same bill
        self.quote = self.sale_quote = None
        self._set_state("billing" if self.patient is not None else "waiting")
        self.session.refresh_status()

    def print_receipt(self) -> None:
        """Print (or reprint) the receipt of the last settlement, off the GUI thread."""
        if self.printer is None or self.settlement is None:
            return
        receipt = build_receipt(self.session.cfg, self.settlement)
        self.session.print(lambda: self.printer.print(receipt), self._printed,
                           lambda e: self._say("error", error_text(e)))

    def _printed(self, path) -> None:
        self.receipt_path = path
        self.split.note.setText(self.split.note.text() + " · " + self.tr("小票已打印"))
        self.session.note.emit(f"receipt {path}")

    def next_customer(self) -> None:
        """Clear everything for the next customer (an unsettled quote is cancelled with the Counter)."""
        self._abandon()
        self.patient = self.quote = self.settlement = self.sale_quote = None
        self.bill.clear_bill()
        self.card.clear()
        self.split.clear()
        self.scan.set_state("ready")
        self._set_state("waiting")
        self.item_code.setFocus()

    def cancel(self) -> None:
        """Esc: drop the quote, or the whole sale when nothing was quoted."""
        if self.state == "quoted":
            self.quote = None  # the sale's quote stays: F5 re-quotes it
            self.split.clear()
            self._set_state("billing")
        else:
            self.next_customer()
