"""The buyer of a registered drug (含麻黄碱类复方制剂): 身份证号码 and 姓名, typed (Tab between, Enter to
confirm). The number shows only while it is typed; the core checks it (checkout.buyer: the check digit) and
the screen and receipt show it masked from then on."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QLineEdit, QVBoxLayout

from terminal import checkout
from ui.qt_session import error_text
from ui.widgets.qt_dialog_parts import error_label, ok_cancel


class QtBuyerDialog(QDialog):
    """Asks for the buyer; `buyer` holds the checked terminal.sale.drug_register.Buyer on accept."""

    def __init__(self, names: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("登记购药人"))
        self.setModal(True)
        self.buyer = None
        box = QVBoxLayout(self)
        head = QLabel(self.tr("%1 属登记药品（含麻黄碱类复方制剂等）：请查验购药人身份证并登记").replace("%1", names))
        head.setWordWrap(True)
        box.addWidget(head)
        form = QFormLayout()
        self.id_number = QLineEdit()
        self.id_number.setObjectName("buyerId")
        self.id_number.setPlaceholderText(self.tr("18 位身份证号码"))
        self.id_number.setEchoMode(QLineEdit.PasswordEchoOnEdit)  # readable while typed, hidden after
        self.id_number.setAttribute(Qt.WA_InputMethodEnabled, False)
        self.name = QLineEdit()
        self.name.setObjectName("buyerName")
        self.name.setPlaceholderText(self.tr("姓名"))
        form.addRow(self.tr("身份证号码"), self.id_number)
        form.addRow(self.tr("姓名"), self.name)
        box.addLayout(form)
        self.error = error_label("buyerError")
        box.addWidget(self.error)
        buttons = ok_cancel(self, self._ok)
        box.addWidget(buttons)
        self.id_number.setFocus()

    def _ok(self) -> None:
        if self.id_number.hasFocus() and not self.name.text().strip():
            self.name.setFocus()  # Enter (the default button) after the number moves on to the name
            return
        try:
            self.buyer = checkout.buyer(self.id_number.text(), self.name.text())
        except Exception as e:  # noqa: BLE001 — the core's refusal, in the cashier's words
            self.error.setText(error_text(e))
            return
        self.accept()
