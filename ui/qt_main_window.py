"""The main window: one sale page per profile plus journal, day close, statistics and settings tabs,
a message bar, and the status bar. Rebuilds its pages when the language changes."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QApplication, QFrame, QLabel, QMainWindow, QMessageBox, QPushButton, QScrollArea,
                               QStackedWidget, QTabWidget, QVBoxLayout, QWidget)

from terminal.office import shifts
from terminal.sale.tender import amount_of
from ui import qt_i18n
from ui.qt_counter_devices import ask_open_drawer
from ui.qt_session import error_text, scanner_text
from ui.views.qt_day_close_view import QtDayCloseView
from ui.views.qt_journal_view import QtJournalView
from ui.views.qt_settings_view import QtSettingsView
from ui.views.qt_stats_view import QtStatsView
from ui.widgets.qt_status_bar import QtStatusBar
from ui.widgets.qt_till_widgets import QtLockPage, QtShiftDialog

ADMIN_TABS = ("journal", "dayclose", "stats", "settings")


def _scrolled(page: QWidget) -> QScrollArea:
    """A back-office page in a scroll area: on a 1024x768 screen (a kiosk's settings, English labels) it
    scrolls instead of making the whole window taller than the screen, which cut off the status bar."""
    area = QScrollArea()
    area.setFrameShape(QFrame.NoFrame)
    area.setWidgetResizable(True)
    area.setWidget(page)
    return area


def _page(widget: QWidget) -> QWidget:
    return widget.widget() if isinstance(widget, QScrollArea) else widget


class QtMainWindow(QMainWindow):
    """Hosts the pages; routes scans to the sale page; reflects session and scanner state."""

    language_changed = Signal(str)
    closed = Signal()

    def __init__(self, app_ctx):
        super().__init__()
        self.ctx = app_ctx
        self.pages: dict[str, QWidget] = {}
        self.status = QtStatusBar(self)
        self.setStatusBar(self.status)
        self.status.sync_button.clicked.connect(lambda: self.ctx.session.refresh_status(then_sync=True))
        self.ctx.session.status_changed.connect(self.status.set_counter)
        self.ctx.session.heartbeat_changed.connect(self.status.set_heartbeat)
        if self.ctx.session.last_beat is not None:
            self.status.set_heartbeat(self.ctx.session.last_beat)
        self.ctx.session.open_failed.connect(
            lambda e: self.show_message("error", self.tr("结算引擎无法启动：%1").replace("%1", error_text(e))))
        self.ctx.scanner.status_changed.connect(self.status.set_scanner)
        self.scanner_fault = ""  # while set, the banner says so instead of 就绪
        self.ctx.scanner.status_changed.connect(self._scanner_state)
        self.ctx.scanner.scanned.connect(self._scanned)
        self.ctx.admin_unlocked.connect(self._admin)
        self.status.set_scanner(self.ctx.scanner.status)  # it may have connected before the window
        # who is at the till: the operator's name, the handover button, the idle lock
        self.operator_label = QLabel()
        self.operator_label.setObjectName("statusPill")
        self.shift_button = QPushButton()
        self.shift_button.clicked.connect(self.shift)
        if self.ctx.requires_sign_in:
            self.status.addPermanentWidget(self.operator_label)
            self.status.addPermanentWidget(self.shift_button)
        self.ctx.operator_changed.connect(self._operator_changed)
        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.setInterval(int(float(self.ctx.cfg.till.idle_lock_minutes) * 60_000))
        self.idle.timeout.connect(self.ctx.lock)
        self._watching = self.ctx.requires_sign_in and self.idle.interval() > 0
        if self._watching:  # a Python filter sees every event: only when there is an idle lock to feed
            QApplication.instance().installEventFilter(self)
        self.shift_dialog = None
        self.build()

    def build(self) -> None:
        """(Re)create every page in the current language."""
        old = self.centralWidget()
        self.pages.clear()
        central = QWidget()
        box = QVBoxLayout(central)
        box.setContentsMargins(8, 8, 8, 4)
        self.message_bar = QLabel()
        self.message_bar.setObjectName("messageBar")
        self.message_bar.setWordWrap(True)
        box.addWidget(self.message_bar)
        self.tabs = QTabWidget()
        box.addWidget(self.tabs, 1)
        self.lock_page = QtLockPage()
        self.lock_page.submitted.connect(lambda op, pin: self.ctx.sign_in(op, pin, self.lock_page.reject))
        self.stack = QStackedWidget()
        self.stack.addWidget(central)
        self.stack.addWidget(self.lock_page)
        self.setCentralWidget(self.stack)
        if old is not None:
            old.deleteLater()
        ctx, profile = self.ctx, self.ctx.cfg.profile
        name = self.ctx.cfg.institution.fixmedins_name
        self.setWindowTitle(self.tr("医保码结算 ecpos · %1").replace("%1", name))
        sale = ctx.make_sale_view(self)
        self.pages["sale"] = sale
        sale.message.connect(self.show_message)
        if hasattr(sale, "set_catalogue"):  # the imported list, read on the worker after start
            ctx.catalogue_loaded.connect(sale.set_catalogue)
        title = {"pharmacy": self.tr("收银 [Alt+1]"), "clinic": self.tr("挂号收费 [Alt+1]"),
                 "kiosk": self.tr("自助服务")}[profile]
        self.tabs.addTab(sale, title)
        for key, cls, label in (("journal", QtJournalView, self.tr("流水与退费 [Alt+2]")),
                                ("dayclose", QtDayCloseView, self.tr("日结对账 [Alt+3]")),
                                ("stats", QtStatsView, self.tr("统计 [Alt+4]")),
                                ("settings", QtSettingsView, self.tr("设置 [Alt+5]"))):
            page = cls(ctx, self)
            if hasattr(page, "message"):
                page.message.connect(self.show_message)
            self.pages[key] = page
            self.tabs.addTab(_scrolled(page), label)
        if profile == "kiosk":
            # the kiosk shows its own pages; the admin reaches the rest (and the message bar) after the PIN
            # patients see no staff counters or device states: the status bar is the admin's
            self.tabs.tabBar().setVisible(ctx.unlocked)
            self.message_bar.setVisible(ctx.unlocked)
            self.status.setVisible(ctx.unlocked)
        else:
            for i in range(self.tabs.count()):
                QShortcut(QKeySequence(f"Alt+{i + 1}"), central, lambda i=i: self.tabs.setCurrentIndex(i))
            QShortcut(QKeySequence("Ctrl+Q"), central, self.close)  # quit; a signed-in cashier's 9002 goes too
            QShortcut(QKeySequence("Ctrl+D"), central, lambda: ask_open_drawer(self))  # a supervisor's (audited)
            if ctx.requires_sign_in:
                QShortcut(QKeySequence("Ctrl+L"), central, self.ctx.lock)
                QShortcut(QKeySequence("Ctrl+J"), central, self.shift)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.show_message("info", self.tr("就绪：请出示医保码"))
        if getattr(ctx, "start_warning", ""):
            self.show_message("error", ctx.start_warning)
        self._operator_changed(ctx.operator)
        st = ctx.session.last_status
        if st is not None:
            self.status.set_counter(st)

    # -- who is at the till --------------------------------------------------------------------------
    def _operator_changed(self, op) -> None:
        """Locked: the sign-in page covers everything; signed in: the pages, the name in the status bar."""
        locked = op is None and self.ctx.requires_sign_in
        self.stack.setCurrentWidget(self.lock_page if locked else self.stack.widget(0))
        self.operator_label.setText(self.tr("收银员：%1").replace("%1", op.label) if op else self.tr("未登录"))
        self.shift_button.setText(self.tr("交班 [Ctrl+J]"))
        self.shift_button.setEnabled(not locked)
        if locked:
            self.idle.stop()
            self.lock_page.clear()
        else:
            self._restart_idle()
            self.lock_page.note.clear()
            if self.current_page() is self.pages.get("sale"):
                self.pages["sale"].setFocus()  # the cursor where the first drug is typed (the F2 field had it)
            if op is not None:
                self.ctx.session.run(lambda c: shifts.current(c.journal), self._shift_state, None, "shift")

    def _shift_state(self, row) -> None:
        if row is None:
            self.show_message("info", self.tr("已登录；本班尚未开班：按 Ctrl+J 输入备用金开班"))
        else:
            self.show_message("ok", self.tr("已登录，班次 #%1 进行中：请出示医保码").replace("%1", str(row["id"])))

    def _restart_idle(self) -> None:
        if self.idle.interval() > 0 and self.ctx.operator is not None:
            self.idle.start()

    def eventFilter(self, obj, event) -> bool:
        if event.type() in (QEvent.KeyPress, QEvent.MouseButtonPress) and self.ctx.operator is not None:
            self._restart_idle()  # someone is at the till
        return False

    def shift(self) -> None:
        """Ctrl+J: open the shift (float) or show its report and close it (counted cash, slip, lock)."""
        if not self.ctx.till_open or self.shift_dialog is not None:
            return

        def look(c):
            if shifts.current(c.journal) is None:
                return None
            r = shifts.report(c.journal)
            return shifts.slip_lines(r, self.ctx.cfg.institution.fixmedins_name), r.expected_cash
        self.ctx.session.run(look, self._ask_shift, lambda e: self.show_message("error", error_text(e)), "shift")

    def _ask_shift(self, found) -> None:
        lines, expected = found if found is not None else (None, None)
        dlg = QtShiftDialog(lines, self, expected=expected)
        self.shift_dialog = dlg
        who = self.ctx.operator.id if self.ctx.operator else self.ctx.cfg.operator.id

        def close(counted) -> None:
            self.ctx.session.run(lambda c: shifts.close_shift(c.journal, who, counted),
                                 lambda r: self._shift_done(dlg, r), dlg.fail, "shift")

        def counted(found) -> None:
            words, amount = found
            if not words:
                close(amount)
                return
            # a shortfall or surplus is the cashier's to confirm before the till locks for the handover
            box = QMessageBox(QMessageBox.Question, self.tr("交班"),
                              self.tr("%1，确认交班？").replace("%1", words), QMessageBox.Yes | QMessageBox.No, dlg)
            box.button(QMessageBox.Yes).setText(self.tr("确认交班"))
            box.button(QMessageBox.No).setText(self.tr("重新清点"))
            box.setDefaultButton(QMessageBox.Yes)
            box.finished.connect(lambda _r: close(amount) if box.clickedButton() is box.button(QMessageBox.Yes)
                                 else dlg.fail_text(self.tr("请重新清点现金后再交班")))
            box.open()

        def submit(text: str) -> None:
            if dlg.closing:
                def check(c):
                    amount = amount_of(text, "清点现金")
                    return shifts.count_words(shifts.report(c.journal), amount), amount
                self.ctx.session.run(check, counted, dlg.fail, "shift")
            else:
                self.ctx.session.run(lambda c: shifts.open_shift(c.journal, who, amount_of(text, "备用金")),
                                     lambda r: self._shift_done(dlg, r), dlg.fail, "shift")
        dlg.submitted.connect(submit)
        dlg.finished.connect(lambda _=0: setattr(self, "shift_dialog", None))
        dlg.open()

    def _shift_done(self, dlg, result) -> None:
        dlg.done_with(result)
        if isinstance(result, int):
            self.show_message("ok", self.tr("已开班 #%1").replace("%1", str(result)))
            return
        lines = shifts.slip_lines(result, self.ctx.cfg.institution.fixmedins_name)
        diff = f"{result.difference:+.2f}" if result.difference else "0.00"
        said = self.tr("已交班 #%1，现金差额 %2；交班单已打印").replace("%1", str(result.shift_id)).replace("%2", diff)
        if result.held_expired:  # 挂单 nobody recalled (terminal/sale/holds.py)
            said += self.tr("；%1 张挂单未取回，已作废").replace("%1", str(result.held_expired))
        self.show_message("ok" if not result.difference else "error", said)
        self.lock_page.note.setText(said)  # the lock page covers the message bar once the till locks
        self.ctx.session.worker.submit(
            lambda: self.ctx.printer.print_lines(f"shift-{result.shift_id}", lines[0], lines[1:]),
            lambda path: self.ctx.session.note.emit(f"slip {path}"),
            lambda e: self.show_message("error", error_text(e)), "print")
        self.ctx.lock()  # the handover ends this cashier's turn

    def _admin(self, unlocked: bool) -> None:
        self.tabs.tabBar().setVisible(unlocked)
        self.message_bar.setVisible(unlocked)
        self.status.setVisible(unlocked)
        self.show_page("settings" if unlocked else "sale")

    def _tab_changed(self, index: int) -> None:
        page = _page(self.tabs.widget(index))
        if hasattr(page, "activated"):
            page.activated()

    def current_page(self) -> QWidget:
        """The page in front (not its scroll area)."""
        return _page(self.tabs.currentWidget())

    def show_page(self, key: str) -> None:
        """Bring one page to the front (kiosk admin, tests, screenshots)."""
        self.tabs.setCurrentIndex(next(i for i in range(self.tabs.count())
                                       if _page(self.tabs.widget(i)) is self.pages[key]))

    def _scanner_state(self, st) -> None:
        """A scanner fault shows in the banner (the status bar may be off screen or unread)."""
        down = st is not None and st.state in ("error", "reconnecting")
        was = self.scanner_fault
        self.scanner_fault = (scanner_text(st)[0] + self.tr("：请检查扫码器连接，或按 F2 手工输码")
                              if down else "")
        if down:
            self.show_message("error", self.scanner_fault)
        elif was:
            self.show_message("info", self.tr("扫码器已恢复：请出示医保码"))

    def show_message(self, level: str, text: str) -> None:
        """The one-line message bar: ok (green), error (red), info (blue); a scanner fault outranks info."""
        if level == "info" and getattr(self, "scanner_fault", ""):
            level, text = "error", self.scanner_fault
        self.message_bar.setText(text)
        self.message_bar.setProperty("level", level)
        self.message_bar.style().unpolish(self.message_bar)
        self.message_bar.style().polish(self.message_bar)

    def _scanned(self, ev) -> None:
        if self.ctx.agent is not None and self.ctx.agent.take_scan(ev.text):
            return  # a bill the HIS pushed waits for this code
        sale = self.pages.get("sale")
        if sale is None:
            return
        if not self.ctx.till_open:
            self.lock_page.error.setText(self.tr("请先登录再扫码"))
            return
        if self.current_page() is not sale and self.ctx.cfg.profile != "kiosk":
            self.tabs.setCurrentWidget(sale)
        sale.on_scan(ev)

    def set_language(self, lang: str) -> bool:
        """Switch language and rebuild the pages (the session and devices keep running); refused (False)
        while a sale is open: rebuilding would drop its patient, quote or visit behind the Counter's back."""
        sale = self.pages.get("sale")
        if sale is not None and getattr(sale, "sale_open", lambda: False)():
            self.show_message("error", self.tr("请先完成或取消当前业务，再切换语言"))
            return False
        qt_i18n.set_language(lang)
        self.status.retranslate()
        current = self.tabs.currentIndex()
        self.build()
        self.tabs.setCurrentIndex(current)
        self.language_changed.emit(lang)
        return True

    def closeEvent(self, event) -> None:
        if not self.ctx.may_close():
            event.ignore()
            return
        if self._watching:
            QApplication.instance().removeEventFilter(self)
        self.ctx.shutdown()
        super().closeEvent(event)
        self.closed.emit()
