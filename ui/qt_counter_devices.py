"""The counter's devices in the app (issue 25): the customer display (客显) facing the patient, the serial pole
display, and the cash drawer (after a cash sale, and a supervisor's Ctrl+D). The rules are the core's
(terminal/checkout.py: patient_sees, drawer_opens_after, ...); here they are shown and the devices driven off the GUI
thread.

    devices = CounterDevices(ctx, window)   # build_window makes it when [till] customer_display or a pole is set
    drawer_after_sale(session, printer, sale_id, say)   # the sale view, once a sale is paid
    drawer_after_refund(session, printer, refund_id, say)   # the journal view, once cash is handed back
    ask_open_drawer(window)                 # Ctrl+D: supervisor, PIN, reason
"""
from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (QAbstractItemView, QFormLayout, QFrame, QGridLayout, QHeaderView, QLabel, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from drivers.pole_display import PoleDisplay, amounts
from terminal import checkout
from terminal.sale.records import WELCOME, Facing
from ui.qt_session import error_text
from ui.widgets.qt_buttons import money_text
from ui.widgets.qt_pin_dialog import QtPinDialog


def facing_screen(screens, main):
    """The screen the customer window goes to: another one than the cashier's when there is one, else None."""
    return next((s for s in screens if s is not main), None)


class QtCustomerDisplay(QWidget):
    """A window facing the patient: what the core's Facing says, in large type. It keeps nothing itself: each
    Facing replaces everything shown. It never takes the keyboard from the cashier's window."""

    AMOUNTS = (("total", "费用合计"), ("fund", "医保统筹支付"), ("account", "个人账户支付"), ("cash", "现金支付"),
               ("received", "实收现金"), ("change", "找零"))

    def __init__(self, big_pt: int = 28):
        super().__init__(None, Qt.Window | Qt.WindowDoesNotAcceptFocus)
        self.setAttribute(Qt.WA_ShowWithoutActivating)
        self.setFocusPolicy(Qt.NoFocus)
        self.setWindowTitle(self.tr("客显"))
        self.setObjectName("customerDisplay")
        self.setStyleSheet(f"QWidget#customerDisplay {{ background: white; }} QLabel, QTableWidget "
                           f"{{ font-size: {big_pt}pt; }} QLabel#facingResult {{ font-size: {big_pt + 8}pt; "
                           f"font-weight: bold; color: #1459c7; }} QLabel#facingChange {{ color: #c62828; "
                           f"font-weight: bold; }}")
        box = QVBoxLayout(self)
        self.result = QLabel()
        self.result.setObjectName("facingResult")
        self.result.setAlignment(Qt.AlignCenter)
        self.result.setWordWrap(True)
        box.addWidget(self.result)
        self.lines = QTableWidget(0, 3)
        self.lines.setHorizontalHeaderLabels([self.tr("药品"), self.tr("数量"), self.tr("金额")])
        self.lines.verticalHeader().setVisible(False)
        self.lines.setFocusPolicy(Qt.NoFocus)
        self.lines.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.lines.setSelectionMode(QAbstractItemView.NoSelection)
        head = self.lines.horizontalHeader()
        head.setSectionResizeMode(0, QHeaderView.Stretch)
        for col in (1, 2):
            head.setSectionResizeMode(col, QHeaderView.ResizeToContents)
        box.addWidget(self.lines, 1)
        panel = QFrame()
        grid = QGridLayout(panel)
        self.titles: dict[str, QLabel] = {}
        self.values: dict[str, QLabel] = {}
        for row, (name, title) in enumerate(self.AMOUNTS):
            t, v = QLabel(self.tr(title)), QLabel()
            v.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
            if name == "change":
                v.setObjectName("facingChange")
            grid.addWidget(t, row, 0)
            grid.addWidget(v, row, 1)
            self.titles[name], self.values[name] = t, v
        box.addWidget(panel)
        self.show_facing(WELCOME)

    def show_facing(self, f: Facing) -> None:
        """Show one sale as the core sees it for the patient; an amount not known yet is not shown."""
        self.result.setText(f.result)  # the core's words for the patient (Chinese whatever the cashier's language)
        self.result.setVisible(bool(f.result))
        self.lines.setRowCount(len(f.lines))
        for r, line in enumerate(f.lines):
            for c, text in enumerate((line.name, f"{line.qty:g}", money_text(line.amount))):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignVCenter | (Qt.AlignLeft if c == 0 else Qt.AlignRight))
                self.lines.setItem(r, c, item)
        self.lines.setVisible(bool(f.lines))
        for name, value in self.values.items():
            amount = getattr(f, name)
            shown = amount is not None and (amount != 0 or name in ("total", "cash", "change"))
            value.setText(money_text(amount) if shown else "")
            value.setVisible(shown)
            self.titles[name].setVisible(shown)


class CounterDevices(QObject):
    """Follows what the patient sees (checkout.patient_sees) to the customer window and the pole display."""

    facing_changed = Signal(object)  # a Facing, emitted on the worker thread, queued to the GUI

    def __init__(self, ctx, window=None):
        super().__init__()
        cfg = ctx.cfg
        self.session = ctx.session
        self.display = None
        self.pole = None
        if cfg.till.customer_display:
            self.display = QtCustomerDisplay(int(cfg.ui.font_pt) + 16)
            self.facing_changed.connect(self.display.show_facing)
            self._place(window)
        if cfg.devices.pole_display:
            self.pole = PoleDisplay(cfg.devices.pole_display, cfg.devices.pole_baud)
            self.facing_changed.connect(self._to_pole)
        self.session.run(lambda c: checkout.patient_sees(c, self.facing_changed.emit), None, None, "counter-devices")
        if hasattr(self.session, "checkout_changed"):  # the bill as it is made, before the platform has a sale
            self.session.checkout_changed.connect(self._lines)
        if window is not None:
            window.closed.connect(self.close)

    def _lines(self, ch) -> None:
        if ch.facing is not None:
            self.facing_changed.emit(ch.facing)

    def _place(self, window) -> None:
        """On the second screen, full, when there is one; else a window beside the cashier's."""
        main = window.screen() if window is not None else QGuiApplication.primaryScreen()
        other = facing_screen(QGuiApplication.screens(), main)
        if other is not None:
            self.display.setGeometry(other.geometry())
            self.display.showFullScreen()
        else:
            self.display.resize(800, 600)
            self.display.show()

    def _to_pole(self, f: Facing) -> None:
        """The total and the cash due or the change, written on the printing thread (a serial write may block)."""
        lines = amounts(f.total, f.cash, f.change) if f.lines else ("WELCOME", "")
        pole = self.pole
        self.session.print(lambda: pole.show(*lines), None, lambda e: self.session.note.emit(
            f"pole display: {getattr(e, 'key', type(e).__name__)}"))

    def close(self) -> None:
        if self.display is not None:
            self.display.close()
            self.display.deleteLater()
            self.display = None
        if self.pole is not None:  # the printing thread has stopped by now; closing a tty may wait for its output
            threading.Thread(target=self.pole.close, name="pole-close", daemon=True).start()
            self.pole = None


# --- the cash drawer -------------------------------------------------------------------------------------
def _pulse(session, printer, actor: str, why: str, say, opened_text: str = "") -> None:
    """The pulse on the printing thread; a drawer that does not open is a message (and audited), never more."""
    pin = session.cfg.printer.drawer_pin

    def failed(e: BaseException) -> None:
        paid = why in ("cash_sale", "cash_refund")  # the money has moved: say the sale or refund stands
        say("error", error_text(e) + ("；本单已完成不受影响" if paid else ""))
        session.run(lambda c: checkout.drawer_not_opened(c, actor, why, getattr(e, "detail", "") or str(e)),
                    None, None, "drawer-audit")
    session.print(lambda: printer.open_drawer(pin), (lambda _r: say("ok", opened_text)) if opened_text else None,
                  failed)


def _open_if(session, printer, rule, why: str, say) -> None:
    """The core's rule(counter) on the worker (it audits the opening), then the pulse."""
    if printer is None or not session.cfg.printer.cash_drawer:
        return

    def opens(c):
        return c.operator if rule(c) else None
    session.run(opens, lambda who: who and _pulse(session, printer, who, why, say), None, "drawer")


def drawer_after_sale(session, printer, sale_id: int, say) -> None:
    """A sale is paid: the core says whether cash went in (and audits the opening); the drawer then opens."""
    _open_if(session, printer, lambda c: checkout.drawer_opens_after(c, sale_id), "cash_sale", say)


def drawer_after_refund(session, printer, refund_id: int, say) -> None:
    """A refund is handed back: the drawer opens when cash comes out of it."""
    _open_if(session, printer, lambda c: checkout.drawer_opens_for_refund(c, refund_id), "cash_refund", say)


def ask_open_drawer(window) -> None:
    """Ctrl+D: a supervisor opens the drawer outside a sale, with their PIN and a reason (audited)."""
    ctx = window.ctx
    tr = window.tr
    if not ctx.cfg.printer.cash_drawer:
        window.show_message("error", tr("本收银台未设置钱箱，请联系信息科"))
        return
    dlg = QtPinDialog(tr("开钱箱"), tr("主管输入工号和密码打开钱箱；开箱人和原因记入审计"), parent=window,
                      with_reason=True)
    dlg.reason.clear()
    for zh in checkout.DRAWER_REASONS:  # recorded in these words; another reason may be typed
        dlg.reason.addItem(zh, zh)
    dlg.findChild(QFormLayout).labelForField(dlg.reason).setText(tr("开钱箱原因"))
    dlg.finished.connect(dlg.deleteLater)
    cashier = ctx.operator.id if ctx.operator is not None else ctx.cfg.operator.id
    session = ctx.session

    def submit(op_id: str, pin: str) -> None:
        reason = dlg.reason_text()

        def opened(_r) -> None:
            dlg.accept_result(op_id)
            _pulse(session, ctx.printer, op_id, reason, window.show_message, tr("钱箱已打开（%1）").replace("%1", reason))
        session.run(lambda c: checkout.open_drawer(c, op_id, pin, reason, cashier), opened, dlg.reject_pin,
                    "open_drawer")
    dlg.submitted.connect(submit)
    dlg.open()
