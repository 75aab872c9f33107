"""退货 (退一盒) from the journal screen: pick the lines and boxes that come back, the reason and the supervisor's
PIN; for a 医保 sale the dialog then asks for the patient's code to settle the kept lines again, and says what
to hand back. The rules are the core's (terminal/returns.py); this only asks and shows, on the GUI thread,
with every Counter call on the session's worker.

Keyboard: Up/Down pick a line, + / - (or a digit) set how many of it come back, Tab goes on to the reason,
the supervisor and the PIN, Enter submits; in the second step the gun or the keyboard types the code + Enter.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QFormLayout, QHeaderView,
                               QLabel, QLineEdit, QTableWidget, QTableWidgetItem, QVBoxLayout)

from terminal import returns
from ui.qt_counter_devices import drawer_after_refund
from ui.qt_session import error_text
from ui.widgets.qt_dialog_parts import error_label, ok_cancel


class QtReturnDialog(QDialog):
    """The lines of one sale with how many of each come back; `submitted(picks, reason, supervisor, pin)` with
    picks as the core reads them ("2:1"), then `code_given(code)` when the kept lines wait for the code."""

    submitted = Signal(list, str, str, str)
    code_given = Signal(str)

    def __init__(self, title: str, lines: list[dict], parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("退货"))
        self.setModal(True)
        self.setMinimumWidth(560)  # the lines' names and the 流水号 readable at 1024x768 too
        self.lines = lines
        self.back = [0] * len(lines)
        box = QVBoxLayout(self)
        self.head = QLabel(title + self.tr("：用 ↑↓ 选行，+ / - 设置退回盒数"))
        self.head.setWordWrap(True)
        box.addWidget(self.head)
        self.table = QTableWidget(len(lines), 4)
        self.table.setObjectName("returnLines")
        self.table.setHorizontalHeaderLabels([self.tr("药品"), self.tr("数量"), self.tr("单价"), self.tr("退回")])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().hide()
        for r, ln in enumerate(lines):
            for c, text in enumerate((ln["name"], ln["qty"], ln["price"], "0")):
                self.table.setItem(r, c, QTableWidgetItem(str(text)))
        self.table.setTabKeyNavigation(False)  # Tab goes on to the reason, not to the next cell
        self.table.installEventFilter(self)
        box.addWidget(self.table, 1)
        form = QFormLayout()
        self.reason = QComboBox()
        self.reason.setEditable(True)
        for zh, shown in (("患者退药", self.tr("患者退药")), ("药品破损", self.tr("药品破损")),
                          ("收费错误", self.tr("收费错误"))):
            self.reason.addItem(shown, zh)
        form.addRow(self.tr("退货原因"), self.reason)
        self.operator = QLineEdit()
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.Password)
        self.pin.setAttribute(Qt.WA_InputMethodEnabled, False)
        form.addRow(self.tr("主管工号"), self.operator)
        form.addRow(self.tr("密码"), self.pin)
        self.code = QLineEdit()
        self.code.setPlaceholderText(self.tr("患者医保码（扫码枪或输入后回车）"))
        self.code_label = QLabel(self.tr("医保码"))
        form.addRow(self.code_label, self.code)
        self.code.hide()
        self.code_label.hide()
        box.addLayout(form)
        self.error = error_label("returnError")
        box.addWidget(self.error)
        self.buttons = ok_cancel(self, self._ok)
        box.addWidget(self.buttons)
        self.code.returnPressed.connect(self._code)
        self.table.setFocus()
        if lines:
            self.table.selectRow(0)

    def eventFilter(self, obj, ev) -> bool:
        if obj is self.table and ev.type() == ev.Type.KeyPress:
            r, key, text = self.table.currentRow(), ev.key(), ev.text()
            if 0 <= r < len(self.lines):
                most = self._most(r)
                if key in (Qt.Key_Plus, Qt.Key_Equal):
                    return self._set(r, min(self.back[r] + 1, most))
                if key in (Qt.Key_Minus, Qt.Key_Underscore):
                    return self._set(r, max(self.back[r] - 1, 0))
                if text.isdigit():
                    return self._set(r, min(int(text), most))
            if key in (Qt.Key_Return, Qt.Key_Enter):
                self._ok()
                return True
        return super().eventFilter(obj, ev)

    def _most(self, r: int) -> int:
        qty = float(self.lines[r]["qty"])
        return int(qty) if qty == int(qty) else 1  # 拆零: the whole line or nothing

    def _set(self, r: int, n: int) -> bool:
        self.back[r] = n
        self.table.item(r, 3).setText(str(n) if n != self._most(r) or n == 0 else self.tr("全部 %1").replace("%1", str(n)))
        return True

    def picks(self) -> list[str]:
        out = []
        for ln, n in zip(self.lines, self.back):
            if n:
                whole = float(ln["qty"]) != int(float(ln["qty"])) or n == int(float(ln["qty"]))
                out.append(str(ln["line"]) if whole else f"{ln['line']}:{n}")
        return out

    def _ok(self) -> None:
        if self.code.isVisible():
            self._code()
            return
        if not self.picks():
            self.error.setText(self.tr("请选择退回的药品和盒数（+ / -）"))
            self.table.setFocus()
            return
        self.error.clear()
        self.buttons.setEnabled(False)
        self.submitted.emit(self.picks(), self.reason.currentData() or self.reason.currentText(),
                            self.operator.text().strip(), self.pin.text())

    def _code(self) -> None:
        code = self.code.text().strip()
        if code:
            self.buttons.setEnabled(False)
            self.code_given.emit(code)

    # --- the caller's answers ------------------------------------------------------------------------------
    def refused(self, e: BaseException) -> None:
        """A guard or the platform said no: its words, and the fields stay for another try."""
        self.buttons.setEnabled(True)
        self.error.setText(error_text(e))
        (self.code if self.code.isVisible() else self.pin).setFocus()
        if not self.code.isVisible():
            self.pin.clear()

    def ask_code(self, message: str) -> None:
        """The reversal went through: the kept lines wait for the patient's code."""
        self.buttons.setEnabled(True)
        self.error.clear()
        self.head.setText(message)
        for w in (self.table, self.reason, self.operator, self.pin):
            w.setEnabled(False)
        self.code_label.show()
        self.code.show()
        self.code.clear()
        self.code.setFocus()
        QTimer.singleShot(0, self.code.setFocus)  # once shown: a dialog just opened focuses its first field


def start_return(view) -> QtReturnDialog | None:
    """Open the return dialog for the journal view's selected sale (a face's few lines: the rules are the
    core's). `view` has ctx, rows, table, message(kind, text) and reload()."""
    r = view.table.currentRow()
    if not (0 <= r < len(view.rows)):
        view.message.emit("error", view.tr("请先在列表中选中要退货的结算记录"))
        return None
    row = view.rows[r]
    sale_id = int(getattr(row, "sale_id", 0) or 0)
    op = getattr(view.ctx, "operator", None)
    cashier = op.id if op is not None else view.ctx.cfg.operator.id
    state: dict = {}

    def opened(found) -> None:
        sale, lines, waiting = found
        if waiting is not None and waiting.state != returns.NEEDS_CODE:
            if waiting.state == returns.HANDBACK:  # settled again; the hand-back not booked yet
                view.ctx.session.run(lambda c: returns.finish(c, waiting.id, cashier), answered_outside,
                                     lambda e: view.message.emit("error", error_text(e)), "return")
            else:
                view.message.emit("error", waiting.message)
            return
        if not lines:
            view.message.emit("error", view.tr("这笔结算没有可退的药品"))
            return
        title = view.tr("退货：%1").replace("%1", sale["setl_id"] or f"SALE{sale['id']:08d}")
        d = QtReturnDialog(title, lines, parent=view)
        state["dialog"] = d

        def submit(picks, reason, supervisor, pin) -> None:
            job = lambda c: returns.start(c, sale_id, returns.parse_picks(picks), reason, cashier,  # noqa: E731
                                          supervisor, pin)
            view.ctx.session.run(job, answered, d.refused, "return")

        def code(text) -> None:
            job = lambda c: returns.resettle(c, state["return"].id, text, cashier=cashier)  # noqa: E731
            view.ctx.session.run(job, answered, d.refused, "return")

        def answered(ret) -> None:
            state["return"] = ret
            if ret.state == returns.NEEDS_CODE:
                d.ask_code(ret.message)
                return
            text = ret.message + "".join("；" + w for w in returns.hand_back_words(ret.back))
            d.accept()
            view.message.emit("ok" if ret.state in (returns.DONE, returns.HANDBACK) else "error", text)
            view.ctx.session.note.emit(text)
            if ret.state == returns.DONE and ret.back.get("cash"):  # the cash comes out of the drawer
                drawer_after_refund(view.ctx.session, view.ctx.printer, ret.refund_id, view.message.emit)
            if ret.state == returns.DONE:  # the slip on the printer's thread, never the Counter's worker
                printer = view.ctx.printer
                unprinted = lambda e: view.message.emit(  # noqa: E731
                    "error", view.tr("退货单未能打印，退货已完成不受影响：%1").replace("%1", error_text(e)))
                def send(recs) -> None:  # the slip, and the kept lines' own receipt
                    for rec in recs:
                        view.ctx.session.print(lambda rec=rec: printer.print(rec), lambda p: None, unprinted)
                view.ctx.session.run(lambda c: returns.papers(c.cfg, c.journal, ret.id), send, unprinted, "slip")
            view.ctx.session.refresh_status()
            view.reload()

        d.submitted.connect(submit)
        d.code_given.connect(code)
        d.open()
        if waiting is not None:  # started before (the platform took the reversal since): the code now
            state["return"] = waiting
            d.ask_code(waiting.message)

    def answered_outside(ret) -> None:
        view.message.emit("ok", ret.message + "".join("；" + w for w in returns.hand_back_words(ret.back)))
        view.reload()

    def look(c):
        return (*returns.returnable(c.journal, sale_id), returns.open_of_sale(c.journal, sale_id))
    view.ctx.session.run(look, opened,
                         lambda e: view.message.emit("error", error_text(e)), "returnable")
    return None
