"""整单折扣 / 抹零: the discount (yuan off, or 9.5折), the rounding, and the supervisor's ID and PIN; what the
patient pays then is shown as it is typed, with the rule that the 医保 prices are not changed. The rules are
terminal/sale/adjust.py's; the caller checks the PIN (Checkout.adjust) and answers done() or refuse()."""
from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QComboBox, QDialog, QFormLayout, QLabel, QLineEdit, QVBoxLayout

from terminal import checkout
from terminal.errors import EcposError
from ui.qt_session import error_text
from ui.widgets.qt_dialog_parts import error_label, ok_cancel


class QtDiscountDialog(QDialog):
    """`submitted(discount, rounding, supervisor, pin)` once filled: the discount (↑ / ↓ there choose the
    rounding), Enter, the supervisor's ID, Enter, the PIN, Enter."""

    submitted = Signal(str, str, str, str)

    def __init__(self, due: Decimal, parent=None):
        super().__init__(parent)
        self.due = due
        self.setWindowTitle(self.tr("折扣/抹零"))
        self.setModal(True)
        box = QVBoxLayout(self)
        head = QLabel(self.tr("现金部分 ¥%1").replace("%1", f"{due:.2f}"))
        head.setObjectName("pageTitle")
        box.addWidget(head)
        rule = QLabel(self.tr("折扣仅减少现金部分，上传医保的单价不变"))  # terminal/sale/adjust.py's SCREEN_NOTE
        rule.setObjectName("discountRule")
        rule.setWordWrap(True)
        box.addWidget(rule)
        form = QFormLayout()
        self.discount = QLineEdit()
        self.discount.setObjectName("discount")
        self.discount.setPlaceholderText(self.tr("减免金额如 5，或折数如 9.5折；↑ ↓ 选抹零"))
        self.rounding = QComboBox()
        self.rounding.setObjectName("rounding")
        for key, text in (("", self.tr("不抹零")), ("jiao", self.tr("抹分（角以下）")), ("yuan", self.tr("抹角分（元以下）"))):
            self.rounding.addItem(text, key)
        self.supervisor = QLineEdit()
        self.supervisor.setObjectName("operatorId")
        self.pin = QLineEdit()
        self.pin.setObjectName("pin")
        self.pin.setEchoMode(QLineEdit.Password)
        for field in (self.discount, self.supervisor, self.pin):
            field.setAttribute(Qt.WA_InputMethodEnabled, False)
        form.addRow(self.tr("整单折扣"), self.discount)
        form.addRow(self.tr("抹零"), self.rounding)
        form.addRow(self.tr("主管工号"), self.supervisor)
        form.addRow(self.tr("密码"), self.pin)
        box.addLayout(form)
        self.preview = QLabel()
        self.preview.setObjectName("discountPreview")
        self.preview.setStyleSheet("font-size: 16pt; font-weight: bold;")
        box.addWidget(self.preview)
        self.error = error_label("pinError")
        box.addWidget(self.error)
        self.buttons = ok_cancel(self, self._ok)
        box.addWidget(self.buttons)
        self.discount.textChanged.connect(self._preview)
        self.rounding.currentIndexChanged.connect(self._preview)
        self.discount.returnPressed.connect(self.supervisor.setFocus)
        self.supervisor.returnPressed.connect(self.pin.setFocus)
        self.pin.returnPressed.connect(self._ok)
        self.discount.installEventFilter(self)
        for b in self.buttons.buttons():  # Enter walks the fields; only the PIN's Enter submits
            b.setAutoDefault(False)
            b.setDefault(False)
        self._preview()
        self.discount.setFocus()

    def eventFilter(self, obj, event) -> bool:
        """↑ / ↓ in the discount field choose the rounding: the hands stay on the number keys."""
        if obj is self.discount and event.type() == QEvent.KeyPress and event.key() in (Qt.Key_Up, Qt.Key_Down):
            step = 1 if event.key() == Qt.Key_Down else -1
            self.rounding.setCurrentIndex((self.rounding.currentIndex() + step) % self.rounding.count())
            return True
        return super().eventFilter(obj, event)

    def _made(self):
        return checkout.discount_preview(self.due, self.discount.text(), self.rounding.currentData())

    def _preview(self) -> None:
        """What the patient pays after it, as it is typed (nothing is given before the PIN)."""
        if not self.discount.text().strip() and not self.rounding.currentData():
            self.preview.setText("")
            return
        try:
            a = self._made()
        except EcposError as e:
            self.preview.setText("")
            self.error.setText(e.message)
            return
        self.error.setText("")
        self.preview.setText(self.tr("实收现金 ¥%1（减免 ¥%2）").replace("%1", f"{a.pay:.2f}")
                             .replace("%2", f"{a.discount + a.rounding:.2f}"))

    def _ok(self) -> None:
        try:
            self._made()
        except EcposError as e:
            self.error.setText(e.message)
            self.discount.setFocus()
            return
        if not self.supervisor.text().strip() or not self.pin.text():
            self.error.setText(self.tr("请主管输入工号和密码"))
            (self.pin if self.supervisor.text().strip() else self.supervisor).setFocus()
            return
        self.buttons.setEnabled(False)
        self.error.setText(self.tr("正在核验…"))
        self.submitted.emit(self.discount.text().strip(), self.rounding.currentData(), self.supervisor.text().strip(),
                            self.pin.text())

    def refuse(self, e: BaseException) -> None:
        """The PIN or the role was refused: say why, try again."""
        self.error.setText(error_text(e))
        self.pin.clear()
        self.pin.setFocus()
        self.buttons.setEnabled(True)
