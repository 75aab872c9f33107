"""Pharmacy counter: scan → patient → bill → pre-settle split → confirm → receipt → next customer.

Keyboard-first: F2 manual code, Enter adds an item (or confirms a ready quote), +/- quantity, Del removes,
Alt+Del takes the last 追溯码 off,
F5 pre-settle, F12 confirm, F8 reprint, F9 next customer, Esc cancel, F3 医保卡/身份证 without a 医保码,
F4 self-pay, Ctrl+R the 专册登记 (a supervisor's). The item field searches the catalogue (name, 拼音 initials, code, barcode); a scanned EAN-13
adds its item. A quote with cash due asks for the tender (cash received -> change, or another method) and
Enter confirms. All work goes to the sale's script (terminal/checkout.py), and what the sale holds is read
back from it. A 药品追溯码 scanned once the patient is known goes on the bill (box by box); each line shows how
many codes are still to scan.
"""
from __future__ import annotations

import dataclasses

from PySide6.QtCore import QEvent, QStringListModel, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QApplication, QCompleter, QGridLayout, QHBoxLayout, QLabel, QLineEdit,
                               QMessageBox, QPushButton, QVBoxLayout, QWidget)

from drivers.card_reader import make_reader
from ui import qt_sound
from terminal.sale.items import BillLine, Catalogue
from terminal.errors import EcposError
from terminal.money import total
from terminal.office.sync import REVERSE_REFUSED
from ui.qt_counter_devices import drawer_after_sale
from ui.qt_session import error_text
from ui.widgets.qt_bill_table import QtBillTable
from ui.widgets.qt_buyer_dialog import QtBuyerDialog
from ui.widgets.qt_buttons import ShortcutButton
from ui.widgets.qt_patient_card import QtPatientCard
from ui.widgets.qt_scan_panel import QtScanPanel
from ui.widgets.qt_counter_features import QtCounterFeatures
from ui.widgets.qt_lot_dialog import QtLotDialog
from ui.widgets.qt_pin_dialog import QtPinDialog
from ui.widgets.qt_register_dialog import QtRegisterDialog
from ui.widgets.qt_split_panel import QtSplitPanel
from ui.widgets.qt_split_tender import QtSplitTenderPanel
from ui.widgets.qt_till_widgets import QtCardDialog
from terminal import checkout
from terminal.states import BUSY, DONE, SaleState, Stage

BILLING = (Stage.IDENTIFIED, Stage.REGISTERED)  # the patient known (the visit open): the bill is being made


class QtPharmacyView(QWidget):
    """The pharmacy sale page over one sale's script (`sale`, a terminal/checkout.py Checkout, new for each
    customer): `state` is the Stage its last Change showed (terminal/states.py); what the sale holds (patient,
    quote, settlement, its 追溯码 bill, the buyer, the tender) the page reads from the script, never a copy;
    `sale_done(settlement)` and `message(text)` report to the window."""

    sale_done = Signal(object)
    state_changed = Signal(str)
    pushed_dropped = Signal(str)  # the cashier let a HIS bill go unsettled (its agent sale id: ui/qt_agent.py)
    message = Signal(str, str)  # level (ok/error/info), text

    def __init__(self, session, catalogue: dict[str, BillLine], printer=None, parent=None):
        super().__init__(parent)
        self.session, self.catalogue, self.printer = session, catalogue, printer
        self.index = Catalogue(catalogue)
        self.sale = None   # the Checkout of the sale on screen (session.checkout())
        self.state = Stage.WAITING
        self.receipt_path = None
        self.pushed = None  # the agent's sale id of a bill the HIS pushed into this cart (ui/qt_agent.py)
        # a sync by another process (ecpos sync) shows in the next status; this process's sync the core
        # announces (the layout tests' stand-in sessions have neither signal)
        if hasattr(session, "status_changed"):
            session.status_changed.connect(self._follow_unknown)
        if hasattr(session, "sale_changed"):
            session.sale_changed.connect(self._sale_changed)
        if hasattr(session, "checkout_changed"):
            session.checkout_changed.connect(self._changed)
        # what each step's outcome shows: (done, failed)
        self.outcomes = {"identify": (self._identified, self._identify_failed), "quote": (self._quoted, lambda ch: self._refused(ch, self.presettle)),
                         "confirm": (lambda ch: self._settled(ch.settlement), self._failed),
                         "self_pay": (self._self_paid, lambda ch: self._refused(ch, self._self_paid_confirm)), "revise": (self._revised, None)}
        self.self_paying = False    # F4: the tender panel takes the whole bill, no insurance
        self.card_dialog = None
        # pharmacy rules (terminal/sale/lots.py, terminal/sale/drug_register.py): a line's lot asked when the catalogue keeps
        # lots of it or it is a registered drug; that drug's buyer asked when the core says so
        self.registered = set(session.cfg.catalogue.registered)
        self.lot_dialog = self.buyer_dialog = self.register_dialog = None
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
        # search as the cashier types: name, 拼音 initials, code or barcode (terminal/sale/items.py Catalogue)
        self.matches = QStringListModel(self)
        self.completer = QCompleter(self.matches, self)
        self.completer.setCompletionMode(QCompleter.UnfilteredPopupCompletion)
        self.completer.setMaxVisibleItems(8)
        self.completer.setWidget(self.item_code)
        self.completer.activated.connect(self._picked)  # a click on the list; Enter is ours (eventFilter)
        self.completer.popup().installEventFilter(self)
        self.item_code.installEventFilter(self)  # + / - on an empty field: the quantity, not a character
        self.item_code.textEdited.connect(self._search)
        self._hits: list[BillLine] = []
        mid.addWidget(self.item_code)
        self.setFocusProxy(self.item_code)  # the page's cursor is the item field
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
        self.trace_note = QLabel()
        self.trace_note.setObjectName("traceNote")
        trace_row = QHBoxLayout()  # the count still to scan, and taking a wrong box off again
        trace_row.addWidget(self.trace_note, 1)
        self.buyer_note = QLabel()  # a registered drug's buyer, masked, while the sale is open
        self.buyer_note.setObjectName("buyerNote")
        trace_row.addWidget(self.buyer_note)
        mid.addLayout(trace_row)
        edit = QHBoxLayout()
        self.b_plus = ShortcutButton(self.tr("数量+"), "+", lambda: self.bill.change_qty(1), self)
        self.b_minus = ShortcutButton(self.tr("数量-"), "-", lambda: self.bill.change_qty(-1), self)
        self.b_remove = ShortcutButton(self.tr("删除"), "Del", self.bill.remove_selected, self)
        self.b_unbox = ShortcutButton(self.tr("删追溯码"), "Alt+Del", self.unscan_box, self)
        trace_row.addWidget(self.b_unbox)
        for b in (self.b_plus, self.b_minus, self.b_remove):
            edit.addWidget(b)
        mid.addLayout(edit)
        # right: split + actions
        right = QVBoxLayout()
        self.split = QtSplitPanel(self)
        right.addWidget(self.split)
        self.tender_panel = QtSplitTenderPanel(self)  # 组合支付 and 折扣/抹零 [Ctrl+K]
        self.tender_panel.confirm.connect(lambda: self._self_paid_confirm() if self.self_paying else self.confirm())
        right.addWidget(self.tender_panel)
        self.b_presettle = ShortcutButton(self.tr("预结算"), "F5", self.presettle, self)
        self.b_confirm = ShortcutButton(self.tr("确认结算"), "F12", self.confirm, self)
        self.b_confirm.setObjectName("primary")
        self.b_reprint = ShortcutButton(self.tr("重打小票"), "F8", lambda: self.print_receipt(True), self)
        self.b_next = ShortcutButton(self.tr("下一位"), "F9", self.next_customer, self)
        self.b_cancel = ShortcutButton(self.tr("取消"), "Esc", self.cancel, self)
        self.b_manual = ShortcutButton(self.tr("手工输码"), "F2", self.scan.manual.setFocus, self)
        self.b_card = ShortcutButton(self.tr("医保卡/身份证"), "F3", self.identify_by_card, self)
        self.b_self_pay = ShortcutButton(self.tr("自费"), "F4", self.self_pay, self)
        QShortcut(QKeySequence("Ctrl+R"), self, self.show_register)  # 专册登记, after a supervisor's PIN
        # the two main actions full width, the others two to a row: stacked buttons made the page
        # taller than a 1366x768 screen leaves a window; the ways without a 医保码 side by side
        right.addWidget(self.b_presettle)
        right.addWidget(self.b_confirm)
        self.more = QGridLayout()
        self.more_buttons = (self.b_reprint, self.b_next, self.b_cancel, self.b_manual, self.b_card, self.b_self_pay)
        for b in self.more_buttons:
            b.setText(f"{b.base_text}\n[{b.key}]")  # key under the word: two fit side by side at 1024 px
        self._pack_more()
        right.addLayout(self.more)
        right.addStretch(1)
        self.features = QtCounterFeatures(self)  # 挂单 [Ctrl+G] / 取单 [Ctrl+H], 折扣/抹零 [Ctrl+K]
        root.addLayout(left, 3)
        root.addLayout(mid, 5)
        root.addLayout(right, 3)
        self.root_box = root
        self._set_state(Stage.WAITING)

    # -- what the sale holds, read from its script (terminal/checkout.py) ----------------------------------
    @property
    def patient(self):
        """Who the sale is for, once identified."""
        return self.sale.patient if self.sale is not None else None

    @property
    def quote(self):
        """The split waiting for the confirm (None once the bill changed or the split was put aside)."""
        return self.sale.open_quote if self.sale is not None else None

    @property
    def settlement(self):
        """How the sale ended: its settlement (or a self-paid sale's id and 流水号), None while it is open."""
        return self.sale.outcome if self.sale is not None else None

    @property
    def trace(self):
        """The bill's 追溯码 (terminal.sale.trace.TraceBill), made afresh as the bill changes (Checkout.retrace)."""
        return self.sale.trace if self.sale is not None else None

    @property
    def unknown_sale(self) -> int | None:
        """The sale whose settlement answer was lost, while the script waits for sync's word (the screen follows
        it); a new customer lets it go to sync (the journal and the status bar keep showing it)."""
        return self.sale.sale_id if self.sale is not None and self.sale.stage == Stage.UNKNOWN else None

    @property
    def buyer(self):
        """A registered drug's buyer (含麻黄碱类复方制剂), once given."""
        return self.sale.buyer if self.sale is not None else None

    def entry_hint(self) -> str:
        """What the item field takes (a pharmacy bill holds drugs)."""
        return self.tr("输入药品编码后回车添加；空行回车＝结算")

    def identified_text(self, name: str) -> str:
        """The next step once a patient is identified."""
        return self.tr("已识别参保人 %1，请添加药品").replace("%1", name)

    # -- the sale's script -------------------------------------------------------------------
    def _drive(self, step: str, fn, name: str) -> bool:
        """Hand one step to the sale's script (a new Checkout for a new customer): shown under way at once,
        run on the worker, its outcome rendered from the Change it announces (_changed)."""
        try:
            if self.sale is None:
                self.sale = self.session.checkout()
            self.session.drive(self.sale, step, fn, name)
        except EcposError as e:  # not ready yet, or a step the sale's stage does not allow
            self._say("error", error_text(e))
            return False
        return True

    def _changed(self, ch) -> None:
        """A Change of the sale on screen (terminal/checkout.py), on the GUI thread: render it."""
        if ch.checkout is not self.sale:
            return  # a sale let go (the customer before): its cancel is its own business
        done, failed = self.outcomes.get(ch.step, (None, None))
        if ch.busy:
            self._set_state(ch.stage)
        elif ch.error is not None and failed is not None and ch.stage not in DONE:
            failed(ch)
        elif done is not None:
            done(ch)
            if ch.error is not None:  # settled, then something after it failed: settled it stays
                self._say("error", error_text(ch.error))
        else:
            self._set_state(ch.stage)

    # -- state -------------------------------------------------------------------------------
    def _set_state(self, state) -> None:
        was_busy = self.state in BUSY
        self.state = state = Stage(state)
        busy = state in BUSY
        has_bill = bool(self.bill.rows())
        self.b_presettle.setEnabled(not busy and self.subject() is not None and has_bill
                                    and state not in (*DONE, Stage.UNKNOWN))  # unknown: never twice
        self.b_confirm.setEnabled(state == Stage.QUOTED)
        self.b_reprint.setEnabled(state in DONE)
        self.b_card.setEnabled(not busy and state in (Stage.WAITING, *BILLING, *DONE))
        self.b_self_pay.setEnabled(not busy and has_bill and state in (Stage.WAITING, *BILLING))
        if state != Stage.QUOTED and not (self.self_paying and state in (Stage.WAITING, *BILLING)):
            self.tender_panel.setVisible(False)
        # while tendering, the panel takes the place of what cannot be used then (fits 768 px high)
        tendering = self.tender_panel.isVisibleTo(self)
        if self.b_reprint.isVisibleTo(self) == tendering:
            for b in (self.b_reprint, self.b_manual, self.b_card):
                b.setVisible(not tendering)
            self._pack_more()
        self.b_cancel.setEnabled(not busy and (state != Stage.WAITING or self.self_paying))
        for b in (self.b_plus, self.b_minus, self.b_remove, self.b_unbox, *self.quick_buttons):
            b.setEnabled(not busy and state not in DONE)
        self.item_code.setEnabled(not busy)
        self.bill.setEnabled(not busy and state not in DONE)  # a settled bill is a record, not a draft
        if self.pushed is not None:  # a HIS bill: its lines and its quote are the HIS's; Esc lets it go
            for b in (self.b_presettle, self.b_self_pay, self.b_plus, self.b_minus, self.b_remove, *self.quick_buttons):
                b.setEnabled(False)
            self.bill.setEnabled(False)
            self.b_cancel.setEnabled(not busy and state not in DONE)
        if was_busy and not busy and self.isVisible():
            # the item field was disabled while the platform worked and Qt moved the cursor on (to a
            # quantity box): back where Enter confirms, as the screen says — the cash field when cash is due
            self._focus_entry()
        self.state_changed.emit(state)

    def _ask_tender(self, due) -> None:
        """The tender panel in place of the buttons it hides, those first: shown the other way round, the
        window grew past the screen for a moment and Qt never shrank it back."""
        for b in (self.b_reprint, self.b_manual, self.b_card):
            b.setVisible(False)
        self._pack_more()
        self.completer.popup().hide()  # an open suggestion list takes the keys for the item field
        self.tender_panel.ask(due)

    def _focus_entry(self) -> None:
        """The cursor where the next key belongs: the tender panel's field while cash is due, else the item
        field (a cash amount typed into the item field was read as a drug code: 目录中没有 50)."""
        if self.tender_panel.isVisibleTo(self):
            field = next((w for w in (self.tender_panel.received, self.tender_panel.reference)
                          if w.isVisibleTo(self)), None)
            now = QApplication.focusWidget()
            if field is not None and (now is None or not self.tender_panel.isAncestorOf(now)):
                field.setFocus()
            return
        self.item_code.setFocus()

    def _pack_more(self) -> None:
        """The shown buttons two to a row with no gaps: the rows the hidden ones free are what lets the tender
        panel in without the window growing past a 768 px screen (it grew to 815 px and stayed)."""
        shown = [b for b in self.more_buttons if not b.isHidden()]
        for b in self.more_buttons:
            self.more.removeWidget(b)
        for i, b in enumerate(shown):
            self.more.addWidget(b, i // 2, i % 2)

    def sale_open(self) -> bool:
        """True from the identified patient until the sale is settled or dropped."""
        return self.state not in (Stage.WAITING, *DONE)

    def _guide_toggled(self, shown: bool) -> None:
        # the guide takes the patient card's place and more of the width while it is up
        self.card.setVisible(not shown)
        self.root_box.setStretch(0, 7 if shown else 3)
        self.root_box.setStretch(1, 3 if shown else 5)

    def subject(self):
        """Who is pre-settled: the patient (the script re-quotes its sale); the clinic view answers with its
        visit."""
        return self.patient

    def _abandon(self) -> None:
        """Let the sale on screen go: an unsettled quote is cancelled by its script (the clinic undoes its
        visit before, undo_visit)."""
        sale, self.sale = self.sale, None
        if sale is not None and sale.quoted is not None and "cancel" in sale.allowed_next:
            self.session.run(lambda c: sale.cancel(), None, lambda e: self.session.note.emit(error_text(e)),
                             "cancel")

    def _say(self, level: str, text: str) -> None:
        self.message.emit(level, text)
        self.session.note.emit(text)
        if level in ("ok", "error"):
            qt_sound.cue("ok" if level == "ok" else "fail")

    # -- scan / identify ---------------------------------------------------------------------
    def on_scan(self, ev) -> None:
        """A code from the scanner: a drug box's 追溯码 goes on the bill, anything else identifies, unless
        we are in the middle of a call."""
        if self.state in BUSY:
            self._say("info", self.tr("正在处理上一笔，请稍候再扫"))
            return
        scan = checkout.sort_scan(ev.text)  # a drug box's 追溯码, an item's EAN-13, or a 医保码
        if scan.kind == "box":
            self.scan_box(scan.text)
            return
        if scan.kind == "barcode":
            self.add_barcode(scan.text)
            return
        if not self.may_leave():
            return
        if self.state in DONE:
            self.next_customer()
        self.identify(ev.text)

    def identify(self, code: str) -> None:
        """Ask the script who this code belongs to (a new patient lets an unsettled quote go)."""
        self._follow_next()
        if self._drive("identify", lambda s: s.identify(code), "identify"):
            self.scan.set_state("busy")

    def _follow_next(self) -> None:
        """A new patient while the last settlement's outcome is unknown: a new sale, the bill kept (sync still
        resolves that one; the journal and the status bar keep showing it)."""
        if self.state == Stage.UNKNOWN:
            old, self.sale = self.sale, None
            try:
                self.sale = self.session.checkout()
            except EcposError:  # the Counter not open: the next step says so
                return
            if old is not None:  # the bill on screen and its boxes scanned go to the new sale
                self.sale.draft(old.items, old.trace, old.buyer)

    def _identified(self, ch) -> None:
        patient = ch.patient
        self.split.clear()
        self.card.show_patient(patient)
        self.scan.set_state("ok", self.tr("识别成功：%1").replace("%1", patient.name_masked))
        self._say("ok", self.identified_text(patient.name_masked))
        self._set_state(ch.stage)
        self.item_code.setFocus()

    def _identify_failed(self, ch) -> None:
        e = ch.error
        text = error_text(e)
        self.scan.set_state("error", text)
        if getattr(e, "activation_guide", False):
            self.scan.show_guide(e)
        self._say("error", text)
        self._set_state(ch.stage)

    # -- bill ----------------------------------------------------------------------------------
    def add_line(self, line: BillLine, qty: int = 1) -> None:
        """Put a catalogue item on the bill (its lot asked first when it needs one)."""
        if self.state in DONE:
            return
        if self.pushed is not None:
            self._say("error", self.tr("HIS 推送的账单不能在收银台修改：请在 HIS 中修改后重新推送"))
            return
        if line.lot is None and (line.lots or line.code in self.registered):
            self.ask_lot(line, qty)
            return
        self.bill.add(line, qty)

    def set_catalogue(self, catalogue: dict[str, BillLine]) -> None:
        """The whole catalogue (the imported items too), read by the worker after start."""
        self.catalogue = catalogue
        self.index = Catalogue(catalogue)

    def _search(self, text: str) -> None:
        self._hits = self.index.search(text, 10) if len(text.strip()) >= 1 else []
        self.matches.setStringList([f"{h.name} {h.spec}  ¥{h.price:.2f}  {h.code}" for h in self._hits])
        if self._hits:
            self.completer.complete()
            # the first match is what Enter takes: marked, so the arrows start from it
            self.completer.popup().setCurrentIndex(self.matches.index(0))
        else:
            self.completer.popup().hide()

    def eventFilter(self, obj, event) -> bool:
        """Enter on the suggestion list adds its marked line once. Left to QCompleter, Enter reached the
        field as well (returnPressed, then activated): the drug went on the bill twice. + and - typed on the
        empty item field change the selected line's quantity as the buttons say (the field took them as
        characters, so the shortcut never fired); so does Del (the field took it as its own delete key)."""
        if (obj is self.item_code and event.type() in (QEvent.ShortcutOverride, QEvent.KeyPress)
                and (event.text() in ("+", "-") or (event.key() == Qt.Key_Delete and not event.modifiers()))
                and not self.item_code.text()):
            if event.type() == QEvent.KeyPress:
                {"+": self.b_plus, "-": self.b_minus}.get(event.text(), self.b_remove).click()
            event.accept()
            return event.type() == QEvent.KeyPress
        if (obj is self.completer.popup() and event.type() == QEvent.KeyPress
                and event.key() in (Qt.Key_Return, Qt.Key_Enter)):
            row = self.completer.popup().currentIndex().row()
            hit = self._hits[row] if 0 <= row < len(self._hits) else None
            self.completer.popup().hide()
            if hit is None:
                self._enter()
            else:
                self.item_code.clear()
                self.add_line(hit)
            return True
        return super().eventFilter(obj, event)

    def _picked(self, text: str) -> None:
        hit = next((h for h in self._hits if text.endswith(h.code)), None)
        self.item_code.clear()
        if hit is not None:
            self.add_line(hit)

    def add_barcode(self, barcode: str) -> None:
        """A drug box's EAN-13 scanned: its catalogue item goes on the bill."""
        line = self.index.by_barcode(barcode)
        if line is None:
            self._say("error", self.tr("条码 %1 不在药品目录中，请核对或导入目录").replace("%1", barcode))
        elif self.state in BUSY or self.state in DONE:
            self._say("info", self.tr("请在当前业务完成后再扫药品条码"))
        else:
            self.add_line(line)
            self._say("info", self.tr("已添加 %1").replace("%1", line.name))

    def _enter(self) -> None:
        code = self.item_code.text().strip()
        self.item_code.clear()
        self.completer.popup().hide()
        if code:
            line = self.index.pick(code)  # the code, a barcode, or the first match of initials / a name
            if line is None:
                self._say("error", self.tr("目录中没有 %1，请核对后重新输入，或从搜索列表中选择").replace("%1", code))
            else:
                self.add_line(line)
        elif self.state == Stage.QUOTED:
            self.confirm()
        elif self.b_presettle.isEnabled():
            self.presettle()

    def _bill_changed(self) -> None:
        shown = self.state not in (*BUSY, *DONE, Stage.UNKNOWN)  # the lines, for the customer display
        if shown and self.sale is None:  # no patient yet (self-pay, or items first): the new customer's script
            try:
                self.sale = self.session.checkout()
            except EcposError:  # the Counter not open yet: the display catches up with the next change
                pass
        self._trace_rebuild()
        if self.quote is not None and self.state == Stage.QUOTED:
            self.split.clear()
            self.split.note.setText(self.tr("清单已修改，请重新预结算 [F5]"))
            self.sale.revise()  # the script goes back to the bill: rendered by _revised
        else:
            self._set_state(self.state)
        if shown and self.sale is not None:
            self.sale.show_lines(self.items())

    def items(self):
        """The bill as terminal Items."""
        return [line.item(qty) for line, qty in self.bill.rows()]

    # -- pharmacy rules: 批号/效期, 含麻黄碱类复方制剂 ----------------------------------------------------------
    def ask_lot(self, line: BillLine, qty: int) -> None:
        """The lot of the boxes going on the bill: the catalogue's or typed (ui/widgets/qt_lot_dialog.py)."""
        dlg = QtLotDialog(line.name, list(line.lots), self)
        self.lot_dialog = dlg
        dlg.accepted.connect(lambda: self._lot_picked(line, qty, dlg.lot))
        dlg.open()

    def _lot_picked(self, line: BillLine, qty: int, lot) -> None:
        self.add_line(dataclasses.replace(line, lot=lot), qty)
        self._say("info", self.tr("已添加 %1 %2").replace("%1", line.name).replace("%2", lot.text()))

    def _refused(self, ch, retry) -> None:
        """The core refused the bill or the sale; when what it lacks is a registered drug's buyer, the buyer is
        asked for (ui/widgets/qt_buyer_dialog.py) and the step tried again."""
        if getattr(ch.error, "key", "") != "buyer_required":
            self._failed(ch)
            return
        self._say("info", error_text(ch.error))
        self._set_state(ch.stage)
        names = "、".join(dict.fromkeys(line.name for line, _ in self.bill.rows() if line.code in self.registered))
        dlg = QtBuyerDialog(names, self)
        self.buyer_dialog = dlg

        def taken() -> None:
            self.sale.buyer = dlg.buyer  # the sale's own (the register gets it with the sale)
            self.buyer_note.setText(self.tr("购药人 %1").replace("%1", dlg.buyer.masked))
            self._say("ok", self.tr("已登记购药人 %1").replace("%1", dlg.buyer.masked))
            retry()
        dlg.accepted.connect(taken)
        dlg.open()

    def show_register(self) -> None:
        """Ctrl+R: the day's 专册登记, masked, for a supervisor (PIN checked by the Counter, audited)."""
        pin = QtPinDialog(self.tr("专册登记"), self.tr("查看登记药品销售登记需主管授权"), parent=self)
        self.register_dialog = pin

        def submit(op_id: str, secret: str) -> None:
            self.session.run(lambda c: c.authorize(op_id, secret, purpose="drug_register"), lambda _: opened(),
                             pin.reject_pin, "authorize")

        def opened() -> None:
            pin.accept_result()
            view = QtRegisterDialog(self)
            self.register_dialog = view
            cfg = self.session.cfg

            def load(day: str) -> None:
                self.session.run(lambda c: checkout.register_report(cfg, day, c.journal), view.show_rows,
                                 lambda e: view.fail(error_text(e)), "register")
            view.wanted.connect(load)
            view.open()
            load(view.day.text())
        pin.submitted.connect(submit)
        pin.open()

    # -- settle --------------------------------------------------------------------------------
    def presettle(self) -> None:
        """Ask the platform how the bill splits (fund / personal account / cash)."""
        if self.subject() is None or not self.bill.rows() or self.state == Stage.UNKNOWN:
            return  # unknown: the last settlement may have gone through; sync says first
        items, trace, buyer = self.items(), self.trace, self.buyer
        if self._drive("quote", lambda s: (s.draft(items, trace, buyer), s.quote()), "presettle"):
            self.b_presettle.setText(self.b_presettle.base_text + f"  [{self.b_presettle.key}]")
            self.split.note.setText(self.tr("正在预结算…"))

    def _quoted(self, ch) -> None:
        quote = ch.quote
        due = quote.psn_cash_pay
        self.split.show_amounts(quote, self.tr("收款后按 Enter 或 F12 确认结算") if due > 0
                                else self.tr("核对金额后按 Enter 或 F12 确认结算"))
        self._say("info", self.tr("预结算完成，现金支付 %1 元").replace("%1", f"{due:.2f}"))
        self._set_state(ch.stage)
        if due > 0:
            self._ask_tender(due)
        self._set_state(self.state)

    def confirm(self) -> None:
        """Settle the quote shown."""
        if self.state != Stage.QUOTED or self.quote is None:
            return
        tender = None
        if self.tender_panel.isVisible():
            try:
                tender = self.tender_panel.tender()  # short cash or no reference: nothing is settled
            except Exception as e:
                self._say("error", error_text(e))
                return
        # settled, then the tender booked to the shift: the core's script (terminal/checkout.py)
        if self._drive("confirm", lambda s: s.confirm(tender), "settle"):
            self.split.note.setText(self.tr("正在结算，请勿重复操作…"))

    def _settled(self, settlement) -> None:
        if self.patient is not None and getattr(settlement, "balc", None) not in (None, ""):
            self.card.show_balance(settlement.balc)  # the account after this settlement, as on the receipt
        self.split.show_amounts(settlement,
                                self.tr("结算成功 · 流水号 %1 · 下一位 [F9]").replace(
                                    "%1", str(settlement.setl_id)))
        change = getattr(self.sale.tender, "change", None)
        self._say("ok", self.tr("结算成功，流水号 %1").replace("%1", str(settlement.setl_id))
                  + (self.tr("，找零 ¥%1").replace("%1", f"{change:.2f}") if change else ""))
        self._set_state(Stage.SETTLED)
        self.sale_done.emit(settlement)
        self.print_receipt()
        self.session.refresh_status()

    def _failed(self, ch) -> None:
        self.self_paying = False
        if ch.stage == Stage.UNKNOWN:
            self._unknown(error_text(ch.error))
            return
        text = error_text(ch.error)
        self.split.note.setText(text)
        self._say("error", text)
        # the script has let that quote go (the Counter closed its sale): the next pre-settle starts a new
        # one from the patient, with the same bill
        self._set_state(ch.stage)
        self.session.refresh_status()

    def _revised(self, ch) -> None:
        """The bill changed, or Esc put the split aside: back to the bill (F5 re-quotes the same sale)."""
        self._set_state(ch.stage)

    # -- an unknown outcome: the screen follows the sale until sync has resolved it ------------------
    def _unknown(self, text: str) -> None:
        """The settlement was sent and its answer lost: no second settlement until sync says what happened."""
        self.split.note.setText(self.tr("结果待确认，请勿重复结算"))  # the banner has the whole sentence
        self._say("error", text)
        self._set_state(Stage.UNKNOWN)
        self.session.refresh_status()  # the background sync (or 立即同步) resolves it; the screen follows

    def _follow_unknown(self, _status=None) -> None:
        """After each status (and sync): ask the core for the sale, off the GUI thread."""
        sale_id = self.unknown_sale
        if sale_id is None or self.state != Stage.UNKNOWN:
            return
        self.session.run(lambda c: c.sale(sale_id), self._sale_changed, None, "follow-unknown")

    def _sale_changed(self, sale) -> None:
        """A terminal.sale.sales.Sale as the core holds it now: the unknown one resolved shows here."""
        if sale is None or sale.id != self.unknown_sale or self.state != Stage.UNKNOWN or self.sale is None:
            return
        self.sale.follow(sale)  # the script hears the journal's word too (its Change renders the stage)
        if sale.status == SaleState.SETTLED and sale.setl_id:
            # the platform had settled it: that is the sale, shown and printed like any other
            self._settled(self.settlement)  # the script holds the journal's word (Checkout.outcome)
        elif sale.status == SaleState.UNKNOWN and sale.note.startswith(REVERSE_REFUSED) \
                and self.split.note.text() != sale.note:
            # sync could not resolve it (the platform refused the reversal): what a supervisor does, on screen
            self.split.note.setText(sale.note)
            self._say("error", sale.note)
        elif sale.status in (SaleState.REVERSED, SaleState.FAILED, SaleState.CANCELLED):
            # reversed by sync (or never processed): nothing was charged; one key settles the same bill again
            self.split.clear()
            self.split.note.setText(self.tr("已冲正，未扣费：按 F5 重新结算"))
            self._say("info", self.tr("上一笔结算已冲正，未扣费：请按 F5 重新结算"))
            self._set_state(self.sale.stage)
            self.b_presettle.setText(self.tr("重新结算") + f"  [{self.b_presettle.key}]")

    def print_receipt(self, reprint: bool = False) -> None:
        """Print the receipt of the last settlement off the GUI thread (F8: again from the journal, marked
        重打 and audited with the signed-in operator)."""
        if self.printer is None or self.settlement is None:
            return
        sale, printer = self.sale, self.printer
        fail = lambda e: self._say("error", error_text(e))  # noqa: E731
        if not reprint:  # cash went in: the drawer opens first (terminal/sale/drawer.py), a failure only a message
            drawer_after_sale(self.session, printer, sale.sale_id, self._say)
        # The journal's receipt on the Counter's worker (a reprint audited: Checkout.receipt), the printing itself
        # on the printer's own thread: a jammed printer never holds the next scan.
        self.session.run(lambda c: sale.receipt(reprint),
                         lambda r: self.session.print(lambda: printer.print(r), self._printed, fail), fail, "receipt")

    def _printed(self, path) -> None:
        self.receipt_path = path
        self.split.note.setText(self.split.note.text() + " · " + self.tr("小票已打印"))
        self.session.note.emit(f"receipt {path}")

    def may_leave(self) -> bool:
        """A quote with cash due is not dropped silently: ask the cashier first (the patient may be paying)."""
        if self.state != Stage.QUOTED or self.quote is None or self.quote.psn_cash_pay <= 0:
            return True
        answer = QMessageBox.question(self, self.tr("放弃本单？"), self.tr(
            "本单现金 ¥%1 尚未收款结算。放弃后本单取消，确定吗？").replace("%1", f"{self.quote.psn_cash_pay:.2f}"))
        return answer == QMessageBox.Yes

    # -- without a 医保码 ------------------------------------------------------------------------
    def identify_by_card(self) -> None:
        """F3: ID card (02) or social-security card (03) number, typed or read by a card reader."""
        if not self.may_leave():
            return
        dlg = QtCardDialog(self, make_reader(self.session.cfg))
        self.card_dialog = dlg
        dlg.accepted.connect(lambda: self.identify_card(*dlg.value()))
        dlg.open()

    def identify_card(self, cert_type: str, cert_no: str) -> None:
        """Ask the script who holds this card (1101 with 02/03; counted so in the stats)."""
        if self.state in DONE:
            self.next_customer()
        self._follow_next()
        if self._drive("identify", lambda s: s.identify_card(cert_type, cert_no), "identify_card"):
            self.scan.set_state("busy")

    def self_pay(self) -> None:
        """F4: no insurance: the whole bill is paid by the tender below, recorded as self-paid."""
        if not self.bill.rows() or not self.may_leave():
            return
        if self.sale is not None:
            self.sale.revise()  # the split put aside; the script lets its quote go when the bill is paid
        self.self_paying = True
        due = total(i.amount for i in self.items())
        self.split.clear()
        self.split.note.setText(self.tr("自费：应收 ¥%1，收款后按 Enter").replace("%1", f"{due:.2f}"))
        self._ask_tender(due)
        self._set_state(self.state)

    def _self_paid_confirm(self) -> None:
        try:
            tender = self.tender_panel.tender()
        except Exception as e:
            self._say("error", error_text(e))
            return
        items, trace, buyer = self.items(), self.trace, self.buyer
        self._drive("self_pay", lambda s: (s.draft(items, trace, buyer), s.self_pay(tender)), "self_pay")

    def _self_paid(self, ch) -> None:
        self.self_paying = False
        change = getattr(self.sale.tender, "change", None)
        self.split.note.setText(self.tr("自费收款完成") + (f" · 找零 ¥{change:.2f}" if change else ""))
        self._say("ok", self.tr("自费收款完成") + (self.tr("，找零 ¥%1").replace("%1", f"{change:.2f}") if change else ""))
        self._set_state(ch.stage)
        self.print_receipt()
        self.session.refresh_status()

    def next_customer(self) -> None:
        """Clear everything for the next customer (an unsettled quote is cancelled with the Counter)."""
        settled = self.settlement is not None
        self._abandon()
        if self.pushed is not None and not settled:
            self.pushed_dropped.emit(self.pushed)  # the HIS reads its bill cancelled
        self.pushed = None
        self.self_paying = False
        self.b_presettle.setText(self.b_presettle.base_text + f"  [{self.b_presettle.key}]")
        self.buyer_note.clear()
        self.bill.clear_bill()
        self.card.clear()
        self.split.clear()
        self.scan.set_state("ready")
        self._set_state(Stage.WAITING)
        self.item_code.setFocus()

    def cancel(self) -> None:
        """Esc: drop the quote (or leave self-pay), or the whole sale when nothing was quoted."""
        if self.self_paying:
            self.self_paying = False
            self.split.clear()
            self._set_state(self.state)
        elif self.state == Stage.QUOTED and self.pushed is None:  # a HIS bill's split is not put aside: let go
            self.split.clear()
            self.sale.revise()  # the sale's quote stays with the script: F5 re-quotes it
        else:
            self.next_customer()

    # -- a bill the HIS pushed (ui/qt_agent.py): in the cart while its patient shows the code --------
    def load_pushed(self, sid: str, items) -> bool:
        """The HIS's bill in the cart, read-only; False while the cart holds the cashier's own sale (it goes in
        after it). A bill with a part-box quantity stays on the message bar (the cart counts whole boxes)."""
        if self.state not in (Stage.WAITING, *DONE) or self.self_paying or (self.state == Stage.WAITING
                                                                             and self.bill.rows()):
            return False
        if any(i.qty != int(i.qty) for i in items):
            return True
        self.next_customer()
        self.pushed = sid
        for item in items:
            self.bill.add(BillLine(item.code, item.name, item.price), int(item.qty))
        self._set_state(Stage.WAITING)
        return True

    def show_pushed_quote(self, sid: str, sale) -> None:
        """The pushed bill's script (terminal/checkout.py Checkout), quoted by the agent's code step: this page
        renders it from now on as its own sale — the patient, the split, Enter / F12 settles it, and what the
        HIS's confirm or cancel does to it shows here as its Changes."""
        if self.pushed != sid or sale is None or sale.quoted is None or self.state != Stage.WAITING:
            return
        self.sale = sale
        sale.subscribe(self.session.checkout_changed.emit)
        self.card.show_patient(sale.patient)
        self._quoted(checkout.Change(sale, "quote", sale.stage, sale.allowed_next, sale.sale_id, sale.patient,
                                     sale.visit, sale.quoted))

    def drop_pushed(self, sid: str) -> None:
        """The HIS let its bill go, or its settlement failed: the cart is the cashier's again."""
        if self.pushed != sid or self.state in BUSY or self.state in DONE:
            return
        self.pushed = self.sale = None  # let go with the core already: nothing to undo here
        self.next_customer()

    # -- 追溯码 ---------------------------------------------------------------------------------
    def _trace_rebuild(self) -> None:
        """The bill changed: the script's 追溯码 bill made afresh, keeping the codes of the lines still on it."""
        if self.sale is not None:
            dropped = self.sale.retrace(self.items())
            if dropped:
                self._say("info", self.tr("已移出 %1 个追溯码（药品已删除或数量减少）").replace("%1", str(len(dropped))))
        self._trace_show()

    def scan_box(self, code: str) -> None:
        """Put a scanned drug box on the bill (the check against this till's sales runs on the worker)."""
        if self.trace is None or self.state in DONE:
            self._say("error", self.tr("请先添加药品，再逐盒扫药盒上的追溯码"))
            return
        trace = self.trace
        self.session.run(lambda c: trace.scan(code), self._boxed, self._box_refused, "trace")

    def unscan_box(self) -> None:
        """Alt+Del: take the box scanned last off the bill (a wrong box); on the worker, where the scans run."""
        if self.trace is None or self.state in BUSY or self.state in DONE:
            return
        trace = self.trace
        self.session.run(lambda c: trace.undo_last(), self._unboxed, self._box_refused, "trace")

    def _unboxed(self, undone) -> None:
        self._trace_show()
        if undone is None:
            self._say("info", self.tr("本单还没有扫入追溯码"))
            return
        line, code = undone
        self._say("ok", self.tr("已移除追溯码 %1（第 %2 行 %3）").replace("%1", code).replace(
            "%2", str(line.index)).replace("%3", line.name))

    def _boxed(self, line) -> None:
        self._trace_show()
        text = self.tr("追溯码已扫：第 %1 行 %2（%3/%4）").replace("%1", str(line.index)).replace(
            "%2", line.name).replace("%3", str(len(line.codes))).replace("%4", str(line.expected))
        if line.flagged and line.codes[-1] in line.flagged:
            self._say("error", text + self.tr("，但追溯码与该药品不符，请核对药盒"))
        else:
            self._say("ok", text)

    def _box_refused(self, e: BaseException) -> None:
        self._trace_show()
        self._say("error", error_text(e))

    def _trace_show(self) -> None:
        """Each line's 追溯码 column and the count still to scan under the bill."""
        if self.trace is None:
            self.trace_note.setText("")
            return
        for row, line in enumerate(self.trace.lines):
            if line.expected == 0:
                self.bill.set_trace(row, self.tr("无需"), False)
            else:
                text = f"{len(line.codes)}/{line.expected}"
                if line.missing:
                    text += self.tr(" 还差%1").replace("%1", str(line.missing))
                if line.flagged:
                    text += self.tr(" 不符%1").replace("%1", str(len(line.flagged)))
                self.bill.set_trace(row, text, bool(line.missing or line.flagged))
        missing = self.trace.missing
        self.trace_note.setText(self.tr("追溯码：还需逐盒扫描 %1 盒").replace("%1", str(missing)) if missing
                                else self.tr("追溯码：已扫齐"))
