"""Refund dialog: reason, supervisor and PIN; the Counter checks the PIN, the dialog shows its answer."""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (QComboBox, QDialog, QFormLayout, QGridLayout, QLabel,
                               QLineEdit, QPushButton, QVBoxLayout)

from ui.qt_session import error_text
from ui.widgets.qt_dialog_parts import error_label, ok_cancel


class QtPinDialog(QDialog):
    """Asks for an operator id and PIN; `submit(op_id, pin)` is called, the caller answers with
    accept_result() or reject_pin(error). Used for refunds (supervisor) and kiosk admin."""

    submitted = Signal(str, str)

    def __init__(self, title: str, prompt: str, operator_id: str = "", parent=None, with_reason=False,
                 keypad: bool = False):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        box = QVBoxLayout(self)
        head = QLabel(prompt)
        head.setWordWrap(True)
        box.addWidget(head)
        form = QFormLayout()
        self.reason = QComboBox()
        self.reason.setEditable(True)
        # shown translated, recorded in Chinese: the reason goes to the journal and the bureau
        for zh, shown in (("患者退药", self.tr("患者退药")), ("收费错误", self.tr("收费错误")),
                          ("重复收费", self.tr("重复收费"))):
            self.reason.addItem(shown, zh)
        if with_reason:
            form.addRow(self.tr("退费原因"), self.reason)
        self.operator = QLineEdit(operator_id)
        self.operator.setObjectName("operatorId")
        self.pin = QLineEdit()
        self.pin.setObjectName("pin")
        self.pin.setEchoMode(QLineEdit.Password)
        self.pin.setAttribute(Qt.WA_InputMethodEnabled, False)
        form.addRow(self.tr("主管工号") if with_reason else self.tr("管理员工号"), self.operator)
        form.addRow(self.tr("密码"), self.pin)
        box.addLayout(form)
        self.error = error_label("pinError")
        box.addWidget(self.error)
        self.keys: dict[str, QPushButton] = {}
        if keypad:  # a kiosk has a touch screen and no keyboard
            box.addLayout(self._keypad())
        self.buttons = ok_cancel(self, self._ok)
        box.addWidget(self.buttons)
        self.attempts = 0
        self.result_value = None
        (self.pin if operator_id else self.operator).setFocus()

    def _keypad(self) -> QGridLayout:
        """Digits, clear and backspace in 64 px keys; they type into the field last touched (the PIN
        unless the operator id was)."""
        self._target = self.pin if self.operator.text() else self.operator
        for field in (self.operator, self.pin):
            field.installEventFilter(self)
        grid = QGridLayout()
        labels = ["1", "2", "3", "4", "5", "6", "7", "8", "9", self.tr("清除"), "0", "⌫"]
        for i, label in enumerate(labels):
            b = QPushButton(label)
            b.setObjectName("keypadKey")
            b.setFocusPolicy(Qt.NoFocus)  # the field keeps the focus (and its cursor)
            b.setMinimumSize(88, 64)
            b.clicked.connect(lambda _=False, k=label: self._key(k))
            grid.addWidget(b, i // 3, i % 3)
            self.keys[label if label.isdigit() or label == "⌫" else "clear"] = b
        return grid

    def eventFilter(self, obj, ev) -> bool:
        if ev.type() == QEvent.FocusIn and obj in (self.operator, self.pin):
            self._target = obj
        return False

    def _key(self, key: str) -> None:
        field = self._target
        if key.isdigit():
            field.insert(key)
        elif key == "⌫":
            field.backspace()
        else:
            field.clear()

    def reason_text(self) -> str:
        """The refund reason as recorded: a listed reason in Chinese, a typed one as typed."""
        text = self.reason.currentText().strip()
        i = self.reason.findText(text)
        return self.reason.itemData(i) if i >= 0 and self.reason.itemData(i) else text

    def _ok(self) -> None:
        if not self.operator.text().strip() or not self.pin.text():
            self._say(self.tr("请输入工号和密码"))
            return
        self.attempts += 1
        self.buttons.setEnabled(False)
        self._say(self.tr("正在核验…"))
        self.submitted.emit(self.operator.text().strip(), self.pin.text())

    def _say(self, text: str) -> None:
        """Show a line under the fields, growing the dialog when it wraps (else the fields overlap)."""
        self.error.setText(text)
        lay = self.layout()
        lay.activate()
        need = lay.totalHeightForWidth(self.width()) if lay.hasHeightForWidth() else lay.totalSizeHint().height()
        if need > self.height():
            self.resize(self.width(), need)

    def reject_pin(self, e: BaseException) -> None:
        """The check failed: say why, clear the PIN, stay open for another try."""
        self._say(error_text(e))
        self.pin.clear()
        self.pin.setFocus()
        self.buttons.setEnabled(True)

    def accept_result(self, value=None) -> None:
        """The check passed: close with the result."""
        self.result_value = value
        self.accept()

    def fill_and_submit(self, operator_id: str, pin: str) -> None:
        """Type and press OK (tests and the scripted demo)."""
        self.operator.setText(operator_id)
        self.pin.setText(pin)
        self._ok()
