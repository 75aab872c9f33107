"""Self-service kiosk: welcome → scan → department → amount → pay → receipt → welcome after idle. A bill the HIS
pushed ([agent] enabled_in_app, ui/qt_agent.py) shows as the patient's bill to pay: its lines, then the code, the
amounts and 确认缴费 as for a registration.

Unattended: no way out without the admin PIN (checked by the Counter); a refused, not-activated or
not-insured code shows the activation guide. Every touch restarts the idle timer ([kiosk] idle_timeout_s).
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from ui import qt_sound
from terminal.checkout import cash_at_window, registration_items, self_pay_slip, settled_receipt
from terminal.counter import answering
from terminal.errors import EcposError
from terminal.money import total
from terminal.sale.items import registration_item
from terminal.logs import event
from terminal.states import Stage
from ui.kiosk_words import patient_error, patient_words, paused
from ui.qt_session import error_text
from ui.views.qt_clinic_view import parse_pairs
from ui.views.qt_kiosk_pages import BusyPage, ConfirmPage, GuidePage, ResultPage, WelcomePage
from ui.widgets.qt_buttons import money_text
from ui.widgets.qt_pin_dialog import QtPinDialog

INPUT_EVENTS = (QEvent.MouseButtonPress, QEvent.TouchBegin, QEvent.KeyPress)
COUNTDOWN_S = 10  # the last seconds before the idle return are counted down on screen


class QtKioskView(QWidget):
    """The kiosk flow over one sale's script (`sale`, a terminal/checkout.py Checkout per patient), its
    Changes shown as pages; `page_changed(name)` for tests and the demo transcript."""

    message = Signal(str, str)
    page_changed = Signal(str)
    sale_done = Signal(object)
    pushed_dropped = Signal(str)  # the patient let a HIS bill go unpaid (its agent sale id: ui/qt_agent.py)
    state_changed = Signal(str)   # Stage.WAITING when the kiosk is free again (a HIS bill waiting may come in)

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx, self.session = ctx, ctx.session
        self.patient = self.visit = self.quote = self.settlement = None  # what the sale's last Change showed
        self.sale = None    # the Checkout of the patient at the kiosk
        self.pushed = None  # the agent's sale id of a bill the HIS pushed to this kiosk (ui/qt_agent.py)
        self.busy = False   # a step of it is under way (its Changes say when it is over)
        self.departments = parse_pairs(ctx.cfg.clinic.departments, 2)
        self.doctors = parse_pairs(ctx.cfg.clinic.doctors, 3)
        box = QVBoxLayout(self)
        self.stack = QStackedWidget()
        box.addWidget(self.stack, 1)
        # in the top right corner over the pages, not in a row of its own: a 768 px screen has no row to spare
        self.admin = QPushButton(self.tr("管理"), self)
        self.admin.setObjectName("kioskAdmin")
        self.admin.setMinimumSize(96, 48)
        self.admin.resize(self.admin.sizeHint().expandedTo(self.admin.minimumSize()))
        self.admin.clicked.connect(self.ask_admin)
        self.welcome = WelcomePage(ctx.cfg.institution.fixmedins_name)
        self.busy_page = BusyPage()
        self.confirm = ConfirmPage(self.departments)
        self.result = ResultPage()
        self.guide = GuidePage()
        self.names = {}
        for name, page in (("welcome", self.welcome), ("busy", self.busy_page), ("confirm", self.confirm),
                           ("result", self.result), ("guide", self.guide)):
            self.stack.addWidget(page)
            self.names[page] = name
        for b in self.confirm.dept_buttons:
            b.clicked.connect(lambda _=False, code=b.property("dept"): self.register(code))
        self.confirm.pay.clicked.connect(self.pay)
        self.confirm.back.clicked.connect(self.go_home)
        self.result.done.clicked.connect(self.go_home)
        self.guide.back.clicked.connect(self.go_home)
        self.guide.self_pay.clicked.connect(self.self_pay)
        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.setInterval(int(ctx.cfg.kiosk.idle_timeout_s * 1000))
        self.idle.timeout.connect(self._idle_timeout)
        # the idle return announced: a patient reading the amounts is not sent away without warning
        self.countdown = QLabel(self)
        self.countdown.setObjectName("kioskCountdown")
        self.countdown.hide()
        self.tick = QTimer(self)
        self.tick.setInterval(250)
        self.tick.timeout.connect(self._count)
        # the admin mode ends by itself: a technician called away must not leave the back office open
        self.admin_idle = QTimer(self)
        self.admin_idle.setSingleShot(True)
        self.admin_idle.setInterval(int(float(ctx.cfg.kiosk.admin_lock_s) * 1000))
        self.admin_idle.timeout.connect(self.lock_admin)
        QApplication.instance().installEventFilter(self)
        ctx.scanner.status_changed.connect(self._welcome_state)
        self.session.status_changed.connect(self._welcome_state)
        self.session.checkout_changed.connect(self._changed)
        self.session.heartbeat_changed.connect(self._welcome_state)
        self._welcome_state()
        self.show_page("welcome")

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        self.admin.move(self.width() - self.admin.width() - 4, 4)
        self.admin.raise_()
        self._place_countdown()

    def _place_countdown(self) -> None:
        # over the pages' bottom edge, not a row of its own (a 768 px screen has none to spare)
        self.countdown.adjustSize()
        self.countdown.move((self.width() - self.countdown.width()) // 2, self.height() - self.countdown.height() - 4)
        self.countdown.raise_()

    def _count(self) -> None:
        if not self.idle.isActive() or self.busy:
            self.countdown.hide()
            return
        left = -(-self.idle.remainingTime() // 1000)
        if left > COUNTDOWN_S:
            self.countdown.hide()
            return
        self.countdown.setText(self.tr("%1 秒后返回首页，触摸屏幕继续").replace("%1", str(left)))
        self._place_countdown()
        self.countdown.show()

    # -- pages and idle ----------------------------------------------------------------------
    @property
    def page(self) -> str:
        """The name of the page shown."""
        return self.names[self.stack.currentWidget()]

    def show_page(self, name: str) -> None:
        """Switch page and restart the idle timer (the welcome page needs none)."""
        page = next(p for p, n in self.names.items() if n == name)
        self.stack.setCurrentWidget(page)
        if name == "welcome" or (self.pushed is not None and self.quote is None):
            self.idle.stop()  # a HIS bill waits for its patient as the welcome does: nobody to time out yet
            self.tick.stop()
        else:
            self.idle.start()
            self.tick.start()
        self._count()
        self.page_changed.emit(name)
        if name == "welcome":
            self.state_changed.emit(Stage.WAITING)

    def sale_open(self) -> bool:
        """True while a patient is being served (a call in flight, or an unpaid visit)."""
        return self.busy or (self.visit is not None and self.settlement is None)

    def eventFilter(self, obj: QObject, ev: QEvent) -> bool:
        if ev.type() in INPUT_EVENTS and self.admin_idle.isActive():
            self.admin_idle.start()
        if ev.type() in INPUT_EVENTS and self.idle.isActive():
            self.idle.start()  # any touch or key restarts the countdown
            self.countdown.hide()
        return False

    def _idle_timeout(self) -> None:
        if self.busy:
            self.idle.start()  # never walk away from a call in flight
            return
        self.session.note.emit(self.tr("无操作超时，返回首页"))
        self.go_home()

    def go_home(self) -> None:
        """Back to welcome; an unpaid visit is undone by its script first."""
        sale, self.sale = self.sale, None
        pushed, paid, self.pushed = self.pushed, self.settlement is not None, None
        self.patient = self.visit = self.quote = self.settlement = None
        self.confirm.bill.hide()
        if sale is not None and sale.visit is not None and "cancel" in sale.allowed_next:
            self.session.run(lambda c: sale.cancel(), None,
                             lambda e: self.session.note.emit(error_text(e)), "cancel")
        if pushed is not None and not paid:
            self.pushed_dropped.emit(pushed)  # the HIS reads its bill cancelled (after the visit's cancel)
        self.show_page("welcome")

    def _welcome_state(self, _changed=None) -> None:
        # a patient needs to know only whether the kiosk can serve them, not the device's or platform's state:
        # no invitation to scan while the scanner is out or the platform does not serve (counter.answering)
        st = self.ctx.scanner.status
        st_counter = self.session.last_status
        down = (st is not None and st.state in ("error", "reconnecting", "stopped")) or not answering(
            self.session.last_beat, bool(getattr(st_counter, "online", True)))
        self.welcome.scanner.setText(paused() if down else "")
        self.welcome.scanner.setVisible(down)
        self.welcome.hint.setVisible(not down)

    # -- flow ----------------------------------------------------------------------------------
    def _run(self, busy_text: str, step: str, fn, name: str) -> None:
        """Hand a step to the sale's script: the busy page until its Change says it is over (_changed)."""
        try:
            self.session.drive(self.sale, step, fn, name)
        except EcposError as e:
            self._failed(e)
            return
        self.busy = True
        self.busy_page.text.setText(busy_text)
        self.show_page("busy")

    def _changed(self, ch) -> None:
        """A Change of the patient's sale (terminal/checkout.py), on the GUI thread: the page it calls for.
        Registering is the first half of one touch (the fee is quoted next): the busy page stays."""
        if ch.checkout is not self.sale or ch.busy or (ch.step == "register" and ch.error is None):
            return
        self.busy = False
        if ch.error is not None and ch.settlement is None:
            self._failed(ch.error)
        elif ch.step == "identify":
            self._identified(ch.patient)
        elif ch.step == "quote":
            self._quoted(ch)
        elif ch.step == "confirm":
            self._paid(ch.settlement)

    def on_scan(self, ev) -> None:
        """A code: start a session unless one is under way."""
        if self.busy or self.page not in ("welcome", "result", "guide"):
            return
        self.patient = self.visit = self.quote = self.settlement = None
        try:
            self.sale = self.session.checkout()  # a new patient: a new sale
        except EcposError as e:
            self._failed(e)
            return
        code = ev.text
        self._run(self.tr("正在识别医保码…"), "identify", lambda s: s.identify(code), "identify")

    def _greet(self, patient) -> None:
        self.patient = patient
        c = self.confirm
        c.who.setText(self.tr("您好，%1").replace("%1", patient.name_masked))
        c.family.setText(self.tr("亲情账户：%1 代为出示").replace("%1", patient.family_of)
                         if patient.family_of else "")
        c.family.setVisible(bool(patient.family_of))

    def _identified(self, patient) -> None:
        self._greet(patient)
        c = self.confirm
        c.bill.hide()
        for b in c.dept_buttons:
            b.show()
        c.dept_title.show()
        c.visit.setText("")
        c.split.clear()
        c.pay.setEnabled(False)
        qt_sound.cue("ok")
        self.show_page("confirm")

    def register(self, dept_code: str) -> None:
        """Register with the touched department and its first doctor, then pre-settle the fee."""
        dept = next(d for d in self.departments if d[0] == dept_code)
        doctor = next((d for d in self.doctors if d[2] == dept_code), ("", "", dept_code))
        items = registration_items(self.ctx.cfg)

        def work(sale):
            sale.register(dept[0], doctor[0])
            sale.draft(items, None)
            return sale.quote()
        self._run(self.tr("正在挂号并计算费用…"), "register", work, "register")

    def _quoted(self, ch) -> None:
        self._show_quote(ch.visit, ch.quote)

    def _show_quote(self, visit, quote) -> None:
        self.visit, self.quote = visit, quote
        c = self.confirm
        c.visit.setText(self.tr("%1 · %2").replace("%1", self.visit.dept_name)
                        .replace("%2", self.visit.doctor_name))
        for b in c.dept_buttons:
            b.hide()
        c.dept_title.hide()
        note = self.tr("请核对金额后点击“确认缴费”")
        if cash_at_window(self.ctx.cfg, self.quote.psn_cash_pay):
            note = self.tr("其中现金 ¥%1 本机不能收取：缴费后请持缴费单到人工窗口缴纳；%2").replace(
                "%1", f"{self.quote.psn_cash_pay:.2f}").replace("%2", note)
        c.split.show_amounts(self.quote, note)
        c.pay.setEnabled(True)
        self.show_page("confirm")

    def pay(self) -> None:
        """Settle the shown quote."""
        if self.quote is None or self.busy:
            return
        self._run(self.tr("正在缴费…"), "confirm", lambda s: s.confirm(), "settle")

    def _paid(self, settlement) -> None:
        self.settlement = settlement
        r = self.result
        setl_id = str(settlement.setl_id)
        if settlement.cash_due:  # the platform paid its part; the patient's cash is owed at the window
            r.title.setText(self.tr("请到人工窗口缴纳现金 ¥%1").replace("%1", f"{settlement.cash_due:.2f}"))
            r.text.setText(self.tr("医保部分已结算，现金部分本机不能收取，请持缴费单到人工窗口缴纳 · 流水号 %1")
                           .replace("%1", setl_id))
        else:
            r.title.setText(self.tr("缴费成功"))
            r.text.setText(self.tr("流水号 %1").replace("%1", setl_id))
        r.printing.setText(self.tr("正在打印小票…"))
        r.split.show_amounts(settlement)
        r.split.show()
        r.printing.show()
        r.done.setText(self.tr("完成"))
        qt_sound.cue("ok")
        self.session.note.emit(self.tr("自助缴费成功，流水号 %1").replace("%1", setl_id) if not settlement.cash_due
                               else self.tr("自助缴费：医保已结算，现金 %1 元待人工窗口收取，流水号 %2")
                               .replace("%1", f"{settlement.cash_due:.2f}").replace("%2", setl_id))
        self.sale_done.emit(settlement)
        receipt = settled_receipt(self.ctx.cfg, settlement)
        self.session.print(lambda: self.ctx.printer.print(receipt), lambda _p: self._printed(settlement),
                           lambda e: self._print_failed(settlement, e))
        self.show_page("result")

    def _printed(self, settlement) -> None:
        if self.settlement is settlement:
            self.result.printing.setText(self.tr("请取走缴费单") if settlement.cash_due else self.tr("请取走小票"))

    def _print_failed(self, settlement, e: BaseException) -> None:
        """No receipt: the patient is told where to get one, staff read it in the log and the message bar."""
        event("kiosk_receipt_failed", sale_id=settlement.sale_id, setl_id=settlement.setl_id,
              error=getattr(e, "key", type(e).__name__), detail=getattr(e, "detail", ""))
        self.session.note.emit(error_text(e))
        self.message.emit("error", self.tr("自助机小票打印失败（流水号 %1）：%2").replace("%1", str(settlement.setl_id))
                          .replace("%2", error_text(e)))
        if self.settlement is settlement:
            self.result.printing.setText(self.tr("小票打印失败，请到人工窗口补打小票"))

    def self_pay(self) -> None:
        """自费 from the activation guide: the kiosk takes no money, so the patient takes a slip with the
        fee to the window, where the self-paid registration is paid and made."""
        self.sale = None  # nothing was identified: no sale here
        self.patient = self.visit = self.quote = self.settlement = None
        fee = registration_item(self.ctx.cfg).price
        r = self.result
        r.title.setText(self.tr("请到人工窗口自费挂号"))
        r.text.setText(self.tr("挂号费 ¥%1（自费）本机不能收取现金，请持自费挂号单到人工窗口缴费挂号")
                       .replace("%1", f"{fee:.2f}"))
        r.split.hide()
        r.printing.setText(self.tr("正在打印自费挂号单…"))
        r.printing.show()
        r.done.setText(self.tr("返回首页"))
        title, lines = self_pay_slip(self.ctx.cfg)
        self.session.note.emit(self.tr("自助机：未参保患者选择自费，已指引到人工窗口"))

        def printed(_p):
            if self.page == "result":
                r.printing.setText(self.tr("请取走自费挂号单"))

        def failed(e):
            event("kiosk_slip_failed", error=getattr(e, "key", type(e).__name__))
            self.message.emit("error", error_text(e))
            if self.page == "result":
                r.printing.setText(self.tr("挂号单打印失败，请直接到人工窗口自费挂号"))
        self.session.print(lambda: self.ctx.printer.print_lines("self-pay", title, lines), printed, failed)
        self.show_page("result")

    def _failed(self, e: BaseException) -> None:
        qt_sound.cue("fail")
        self.session.note.emit(error_text(e))  # the transcript and log keep the cashier's wording
        text = patient_error(e)
        if getattr(e, "activation_guide", False):
            self.guide.guide.show_for(e)
            self.guide.self_pay.setVisible(self.guide.guide.offers_self_pay)
            self.show_page("guide")
            return
        r = self.result
        r.title.setText(self.tr("未能完成"))
        r.text.setText(text)
        r.split.hide()
        r.printing.hide()
        r.done.setText(self.tr("返回首页"))
        self.show_page("result")

    # -- a bill the HIS pushed (ui/qt_agent.py): the patient's bill to pay at this kiosk ----------------
    def load_pushed(self, sid: str, items) -> bool:
        """The HIS's bill on the screen, waiting for the patient's code; False while a patient is being served
        or reading their result (it comes in when the kiosk is back at its welcome)."""
        if self.busy or self.page != "welcome" or self.sale is not None:
            return False
        self.pushed = sid
        c = self.confirm
        c.who.setText(self.tr("您有一笔待缴费用"))
        c.family.hide()
        for b in c.dept_buttons:
            b.hide()
        c.dept_title.hide()
        c.visit.setText(self.tr("请将医保码对准下方扫码口完成缴费"))
        c.bill.setText("\n".join([f"{i.name} ×{i.qty:g}  {money_text(i.amount)}" for i in items]
                                 + [self.tr("合计 %1").replace("%1", money_text(total(i.amount for i in items)))]))
        c.bill.show()
        c.split.clear()
        c.pay.setEnabled(False)
        self.show_page("confirm")
        return True

    def show_pushed_quote(self, sid: str, sale) -> None:
        """The pushed bill's script (terminal/checkout.py Checkout), quoted by the agent's code step: its
        amounts and 确认缴费, as a registration's; what the HIS's confirm or cancel does to it shows here too."""
        if self.pushed != sid or sale is None or sale.quoted is None or self.busy or self.quote is not None:
            return
        self.sale = sale
        sale.subscribe(self.session.checkout_changed.emit)
        self._greet(sale.patient)
        self._show_quote(sale.visit, sale.quoted)

    def pushed_refused(self, sid: str, message: str) -> None:
        """The code shown for the HIS's bill was refused (the core's message): the bill still waits for a code."""
        if self.pushed == sid and self.quote is None and self.page == "confirm":
            qt_sound.cue("fail")
            self.confirm.visit.setText(self.tr("%1。可重新出示医保码").replace("%1", patient_words(message).rstrip("。")))

    def drop_pushed(self, sid: str) -> None:
        """The HIS let its bill go, or its settlement failed: the kiosk is free again."""
        if self.pushed != sid or self.busy or self.settlement is not None:
            return
        self.pushed = self.sale = None  # let go with the core already: nothing to undo here
        if self.page != "result":  # a failure on screen stays for the patient to read (then 返回首页)
            self.go_home()

    # -- admin -----------------------------------------------------------------------------------
    def ask_admin(self) -> QtPinDialog:
        """Admin PIN: unlocks the back-office pages and leaving the kiosk."""
        d = QtPinDialog(self.tr("管理员"), self.tr("请输入管理员密码"), self.ctx.cfg.kiosk.admin_id, self,
                        keypad=True)
        old, self.admin_dialog = getattr(self, "admin_dialog", None), d
        if old is not None and old.buttons.isEnabled():   # not waiting on the Counter: done with it
            old.deleteLater()

        def submit(op_id: str, pin: str) -> None:
            self.session.run(lambda c: c.authorize(op_id, pin, roles=("admin", "supervisor"),
                                                   purpose="kiosk_admin"), lambda _r: self._unlocked(d),
                             d.reject_pin, "admin")
        d.submitted.connect(submit)
        d.open()
        return d

    def _unlocked(self, d: QtPinDialog) -> None:
        d.accept_result(True)
        self.ctx.set_unlocked(True)
        self.admin_idle.start()
        self.message.emit("info", self.tr("管理模式：可查看流水、日结、设置或退出；无操作 %1 秒后自动锁定")
                          .replace("%1", str(int(float(self.ctx.cfg.kiosk.admin_lock_s)))))

    def lock_admin(self) -> None:
        """Leave the admin mode: the back office hides and the patients' pages come back."""
        self.admin_idle.stop()
        if self.ctx.unlocked:
            event("kiosk_admin_locked")
            self.ctx.set_unlocked(False)
            self.go_home()
