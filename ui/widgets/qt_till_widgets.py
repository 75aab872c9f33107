"""The till's small widgets: the lock page (sign in with ID + PIN), the tender panel (cash received ->
change in large type, or another method with its reference), the shift dialog (open with a float, close
with the counted cash) and the card dialog (ID / social-security card number without a 医保码).

They only collect input and show the core's answers; the rules (PIN lockout, change, expected cash) are in
terminal/journal/operators.py, terminal/sale/tender.py and terminal/office/shifts.py.
"""
from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QFrame, QGridLayout, QHBoxLayout,
                               QLabel, QLineEdit, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget)

from terminal.sale import tender
from ui.qt_session import error_text
from ui.widgets.qt_dialog_parts import error_label


class QtLockPage(QWidget):
    """Shown while nobody is signed in: ID + PIN; `submitted(op_id, pin)`, answered by reject()/clear()."""

    submitted = Signal(str, str)

    def __init__(self, parent=None):
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        box = QFrame()
        box.setObjectName("panel")
        box.setMaximumWidth(420)
        lay = QVBoxLayout(box)
        title = QLabel(self.tr("收银台已锁定，请登录"))
        title.setObjectName("pageTitle")
        lay.addWidget(title)
        form = QFormLayout()
        self.operator = QLineEdit()
        self.operator.setObjectName("signInId")
        self.pin = QLineEdit()
        self.pin.setObjectName("signInPin")
        self.pin.setEchoMode(QLineEdit.Password)
        for field in (self.operator, self.pin):
            field.setAttribute(Qt.WA_InputMethodEnabled, False)
        form.addRow(self.tr("工号"), self.operator)
        form.addRow(self.tr("密码"), self.pin)
        lay.addLayout(form)
        self.error = error_label()
        lay.addWidget(self.error)
        self.note = QLabel()  # what the last cashier's turn ended with (the handover)
        self.note.setObjectName("lockNote")
        self.note.setWordWrap(True)
        lay.addWidget(self.note)
        self.button = QPushButton(self.tr("登录  [Enter]"))
        self.button.setObjectName("primary")
        self.button.clicked.connect(self._submit)
        lay.addWidget(self.button)
        self.operator.returnPressed.connect(self.pin.setFocus)
        self.pin.returnPressed.connect(self._submit)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(box)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

    def _submit(self) -> None:
        if not self.operator.text().strip() or not self.pin.text():
            self.error.setText(self.tr("请输入工号和密码"))
            return
        self.button.setEnabled(False)
        self.error.setText(self.tr("正在核验…"))
        self.submitted.emit(self.operator.text().strip(), self.pin.text())

    def reject(self, e: BaseException) -> None:
        """Sign-in refused: say why (wrong PIN and tries left, locked until, disabled), try again."""
        self.error.setText(error_text(e))
        self.pin.clear()
        self.pin.setFocus()
        self.button.setEnabled(True)

    def clear(self) -> None:
        """Ready for the next sign-in (after a lock): the last cashier's id stays, the PIN never."""
        self.pin.clear()
        self.error.clear()
        self.button.setEnabled(True)
        (self.pin if self.operator.text() else self.operator).setFocus()

    def fill_and_submit(self, op_id: str, pin: str) -> None:
        """Type and press Enter (tests and the scripted demo)."""
        self.operator.setText(op_id)
        self.pin.setText(pin)
        self._submit()


class QtTenderPanel(QFrame):
    """How the patient pays the self-pay part: cash received (Enter confirms) with the change in large type,
    or WeChat / Alipay / bank card / other with a reference. `tender()` builds the core's Tender."""

    confirm = Signal()

    METHODS = ("cash", "wechat", "alipay", "card", "other")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("panel")
        self.due = Decimal("0")
        lay = QGridLayout(self)  # two rows: how | how much (or reference); the change in large type
        lay.setContentsMargins(8, 4, 8, 4)
        lay.setVerticalSpacing(2)
        self.method = QComboBox()
        self.method.setObjectName("tenderMethod")
        for key, text in zip(self.METHODS, (self.tr("现金"), self.tr("微信"), self.tr("支付宝"), self.tr("银行卡"),
                                            self.tr("其他"))):
            self.method.addItem(text, key)
        self.method.currentIndexChanged.connect(self._method_changed)
        self.received = QLineEdit()
        self.received.setObjectName("cashReceived")
        self.received.setPlaceholderText(self.tr("实收现金"))
        self.received.setAttribute(Qt.WA_InputMethodEnabled, False)
        self.received.textChanged.connect(self._update_change)
        self.received.returnPressed.connect(self.confirm)
        self.reference = QLineEdit()
        self.reference.setObjectName("tenderReference")
        self.reference.setPlaceholderText(self.tr("凭证号（交易单号）"))
        self.reference.returnPressed.connect(self.confirm)
        self.change = QLabel("—")
        self.change.setObjectName("changeDue")
        self.change.setStyleSheet("font-size: 20pt; font-weight: bold; color: #1b5e20;")
        self.change_label = QLabel(self.tr("找零"))
        lay.addWidget(self.method, 0, 0)
        lay.addWidget(self.received, 0, 1)
        lay.addWidget(self.reference, 0, 1)
        lay.addWidget(self.change_label, 1, 0, Qt.AlignRight)
        lay.addWidget(self.change, 1, 1)
        lay.setColumnStretch(1, 1)
        self._method_changed()
        self.setVisible(False)

    def method_key(self) -> str:
        return self.method.currentData()

    def ask(self, due: Decimal) -> None:
        """Show the panel for `due` yuan of self-pay, cash first, the field ready for the amount."""
        self.due = due
        self.method.setCurrentIndex(0)
        self.received.clear()
        self.reference.clear()
        self.change.setText("—")
        self.setVisible(True)
        self.received.setFocus()

    def _method_changed(self) -> None:
        cash = self.method_key() == "cash"
        for w in (self.received, self.change, self.change_label):
            w.setVisible(cash)
        self.reference.setVisible(not cash)
        (self.received if cash else self.reference).setFocus()

    def _update_change(self) -> None:
        try:
            got = tender.amount_of(self.received.text())
        except tender.TenderError:
            self.change.setText("—")
            return
        left = got - self.due
        self.change.setText(f"¥{left:.2f}" if left >= 0 else self.tr("还差 ¥%1").replace("%1", f"{-left:.2f}"))

    def tender(self):
        """The Tender for the amount due; raises the core's TenderError saying what is missing."""
        if self.method_key() == "cash":
            return tender.cash(self.due, tender.amount_of(self.received.text() or "0", self.tr("实收金额")))
        return tender.other(self.method_key(), self.due, self.reference.text())


class QtCardDialog(QDialog):
    """Identify without a 医保码: certificate type and number (manual now; a reader fills it through
    drivers/card_reader.py when one is configured)."""

    def __init__(self, parent=None, reader=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("医保卡 / 身份证"))
        self.setModal(True)
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.kind = QComboBox()
        self.kind.addItem(self.tr("身份证（02）"), "02")
        self.kind.addItem(self.tr("社会保障卡（03）"), "03")
        self.number = QLineEdit()
        self.number.setObjectName("certNo")
        self.number.setAttribute(Qt.WA_InputMethodEnabled, False)
        form.addRow(self.tr("证件类型"), self.kind)
        form.addRow(self.tr("证件号码"), self.number)
        lay.addLayout(form)
        self.error = error_label()
        lay.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.reader = reader
        if reader is not None:
            read = buttons.addButton(self.tr("读卡"), QDialogButtonBox.ActionRole)
            read.clicked.connect(self._read)
        buttons.accepted.connect(self._ok)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.number.setFocus()

    def _read(self) -> None:
        try:
            card = self.reader.read()
        except Exception as e:  # a device fault: the cashier types the number instead
            self.error.setText(self.tr("读卡失败，请手工输入证件号码：%1").replace("%1", str(e)))
            return
        if card is not None:
            self.kind.setCurrentIndex(self.kind.findData(card.cert_type))
            self.number.setText(card.cert_no)

    def _ok(self) -> None:
        if not self.number.text().strip():
            self.error.setText(self.tr("请输入证件号码"))
            return
        self.accept()

    def value(self) -> tuple[str, str]:
        """(cert_type, cert_no)."""
        return self.kind.currentData(), self.number.text().strip()


class QtShiftDialog(QDialog):
    """交班: with no open shift, open one with a float; with one open, show the report so far, take the
    counted cash and close it (the slip is printed). The caller does the work and answers done()/fail()."""

    submitted = Signal(str)  # the amount typed

    def __init__(self, report_lines: list[str] | None, parent=None, expected: Decimal | None = None):
        super().__init__(parent)
        self.closing = report_lines is not None
        self.setWindowTitle(self.tr("交班") if self.closing else self.tr("开班"))
        self.setModal(True)
        lay = QVBoxLayout(self)
        if self.closing:
            self.report = QPlainTextEdit("\n".join(report_lines))
            self.report.setObjectName("shiftReport")
            self.report.setReadOnly(True)
            self.report.setMinimumSize(340, 220)
            lay.addWidget(self.report)
        form = QFormLayout()
        if self.closing and expected is not None:
            # beside the field, not at the end of the report (below the fold at 1024x768)
            self.expected = QLabel(f"¥{expected:.2f}")
            self.expected.setObjectName("expectedCash")
            self.expected.setStyleSheet("font-weight: bold;")
            form.addRow(self.tr("应有现金"), self.expected)
        self.amount = QLineEdit()
        self.amount.setObjectName("shiftAmount")
        self.amount.setAttribute(Qt.WA_InputMethodEnabled, False)
        form.addRow(self.tr("清点现金") if self.closing else self.tr("备用金"), self.amount)
        lay.addLayout(form)
        self.error = error_label()
        lay.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.accepted.connect(self._ok)
        self.buttons.rejected.connect(self.reject)
        self.amount.returnPressed.connect(self._ok)
        lay.addWidget(self.buttons)
        self.result_value = None
        self.amount.setFocus()

    def _ok(self) -> None:
        self.buttons.setEnabled(False)
        self.error.setText(self.tr("正在处理…"))
        self.submitted.emit(self.amount.text())

    def fail(self, e: BaseException) -> None:
        self.fail_text(error_text(e))

    def fail_text(self, text: str) -> None:
        """Not done: say why, the field ready to type again."""
        self.error.setText(text)
        self.buttons.setEnabled(True)
        self.amount.setFocus()
        self.amount.selectAll()

    def done_with(self, value) -> None:
        self.result_value = value
        self.accept()

    def fill_and_submit(self, amount: str) -> None:
        """Type and press OK (tests and the scripted demo)."""
        self.amount.setText(amount)
        self._ok()
