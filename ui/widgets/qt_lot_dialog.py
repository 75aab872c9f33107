"""批号/效期 of a bill line: the catalogue's lots to pick with the arrows and Enter, or one typed from the box
(批号, 生产日期, 有效期至; Tab between them). The core checks it (checkout.pick_lot): an expired lot is refused
here with the cashier's words, and the dialog stays for another."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QFormLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QVBoxLayout)

from terminal import checkout
from ui.qt_session import error_text
from ui.widgets.qt_dialog_parts import error_label, ok_cancel


class QtLotDialog(QDialog):
    """Asks which lot the boxes of `name` come from; `lot` holds the checked terminal.sale.lots.Lot on accept."""

    def __init__(self, name: str, lots: list, parent=None, today=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("批号 / 效期"))
        self.setModal(True)
        self.lot = None
        self._today = today
        box = QVBoxLayout(self)
        head = QLabel(self.tr("%1：请选择药盒上的批号（↑↓ 选择，回车确认），或在下方输入").replace("%1", name))
        head.setWordWrap(True)
        box.addWidget(head)
        self.list = QListWidget()
        self.list.setObjectName("lots")
        for lot in lots:
            expired = lot.expired(today)
            item = QListWidgetItem(lot.text() + (self.tr("（已过期）") if expired else ""))
            item.setData(Qt.UserRole, lot)
            if expired:
                item.setForeground(Qt.darkRed)
            self.list.addItem(item)
        self.list.setVisible(bool(lots))
        self.list.itemDoubleClicked.connect(lambda _item: self._ok())  # Enter: the dialog's default button
        box.addWidget(self.list)
        form = QFormLayout()
        self.lotnum, self.manu_date, self.expy_end = QLineEdit(), QLineEdit(), QLineEdit()
        for field, hint in ((self.lotnum, self.tr("药盒上的批号")), (self.manu_date, "2026-03-01"),
                            (self.expy_end, "2028-02-28")):
            field.setPlaceholderText(hint)
            field.setAttribute(Qt.WA_InputMethodEnabled, False)
        form.addRow(self.tr("批号"), self.lotnum)
        form.addRow(self.tr("生产日期"), self.manu_date)
        form.addRow(self.tr("有效期至"), self.expy_end)
        box.addLayout(form)
        self.error = error_label("lotError")
        box.addWidget(self.error)
        buttons = ok_cancel(self, self._ok)
        box.addWidget(buttons)
        if lots:
            self.list.setCurrentRow(0)
            self.list.setFocus()
        else:
            self.lotnum.setFocus()

    def _ok(self) -> None:
        """A typed lot wins over the list; either is checked by the core before it goes on the bill."""
        try:
            if self.lotnum.text().strip():
                self.lot = checkout.pick_lot(self.lotnum.text(), self.manu_date.text(), self.expy_end.text(),
                                             self._today)
            else:
                item = self.list.currentItem()
                if item is None:
                    self.error.setText(self.tr("请选择或输入批号"))
                    return
                lot = item.data(Qt.UserRole)
                self.lot = checkout.pick_lot(lot.lotnum, lot.manu_date.isoformat(), lot.expy_end.isoformat(),
                                             self._today)
        except Exception as e:  # noqa: BLE001 — the core's refusal, in the cashier's words
            self.error.setText(error_text(e))
            return
        self.accept()
