"""取单: the held bills (terminal/sale/holds.py) in a list, oldest first; ↑ / ↓ and Enter take one back, Esc leaves
them all waiting."""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QHeaderView, QLabel, QTableWidget,
                               QTableWidgetItem, QVBoxLayout)

from datetime import datetime


class QtHeldBillsDialog(QDialog):
    """`picked(hold_id)` when the cashier takes one."""

    picked = Signal(int)

    def __init__(self, bills, parent=None):
        super().__init__(parent)
        self.bills = list(bills)
        self.setWindowTitle(self.tr("取单"))
        self.setModal(True)
        box = QVBoxLayout(self)
        box.addWidget(QLabel(self.tr("选择要取回的挂单：↑ ↓ 选择，Enter 取回，Esc 返回")))
        self.table = QTableWidget(len(self.bills), 6)
        self.table.setObjectName("heldBills")
        self.table.setHorizontalHeaderLabels([self.tr("挂单号"), self.tr("挂单时间"), self.tr("参保人"),
                                              self.tr("药品"), self.tr("金额"), self.tr("追溯码")])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        for r, b in enumerate(self.bills):
            names = "、".join(i.name for i in b.items[:2]) + ("…" if len(b.items) > 2 else "")
            when = datetime.fromisoformat(b.created_at).astimezone().strftime("%H:%M")
            for c, text in enumerate((f"#{b.id}", when, b.name_masked or self.tr("未识别"),
                                      names, f"¥{b.amount:.2f}", str(b.boxes))):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.installEventFilter(self)
        self.table.doubleClicked.connect(self._take)
        box.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.Cancel)
        buttons.rejected.connect(self.reject)
        box.addWidget(buttons)
        self.resize(560, 120 + 32 * min(len(self.bills), 8))
        if self.bills:
            self.table.selectRow(0)
        self.table.setFocus()

    def eventFilter(self, obj, event) -> bool:
        if obj is self.table and event.type() == QEvent.KeyPress and event.key() in (Qt.Key_Return, Qt.Key_Enter):
            self._take()
            return True
        return super().eventFilter(obj, event)

    def _take(self, *_args) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.bills):
            self.accept()
            self.picked.emit(self.bills[row].id)
