"""专册登记 on screen for a supervisor: a day's sales of registered drugs (含麻黄碱类复方制剂), the buyers masked.
The date field takes another day (Enter); the caller reads the register on the worker (`wanted(day)`) and
answers with show(rows) or fail(text). The inspector's export in full is `ecpos register --csv`."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QTableWidget, QTableWidgetItem, QVBoxLayout)

COLUMNS = (("time", "时间"), ("name", "药品名称"), ("spec", "规格"), ("qty", "数量"), ("manu_lotnum", "生产批号"),
           ("psn_name", "购药人"), ("certno", "身份证号码"), ("opter", "收银员"), ("status", "状态"))


class QtRegisterDialog(QDialog):
    wanted = Signal(str)  # a day, YYYY-MM-DD

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("含麻黄碱类复方制剂等登记药品销售登记"))
        self.setModal(True)
        self.resize(900, 420)
        box = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("日期")))
        self.day = QLineEdit(date.today().isoformat())
        self.day.setObjectName("registerDay")
        self.day.returnPressed.connect(lambda: self.wanted.emit(self.day.text().strip()))
        row.addWidget(self.day)
        self.count = QLabel()
        row.addWidget(self.count, 1)
        box.addLayout(row)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([self.tr(h) for _, h in COLUMNS])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setFocusPolicy(Qt.NoFocus)
        box.addWidget(self.table, 1)
        note = QLabel(self.tr("身份证号码已隐去部分；检查时导出完整登记：ecpos register --date 日期 --csv 文件 --supervisor 工号"))
        note.setWordWrap(True)
        box.addWidget(note)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.Close).setAutoDefault(False)  # Enter reads the day typed; Esc closes
        box.addWidget(buttons)
        self.day.setFocus()

    def show_rows(self, rows: list[dict]) -> None:
        self.table.setRowCount(0)
        for r, entry in enumerate(rows):
            self.table.insertRow(r)
            for c, (key, _) in enumerate(COLUMNS):
                self.table.setItem(r, c, QTableWidgetItem(str(entry.get(key) or "-")))
        self.count.setText(self.tr("共 %1 条").replace("%1", str(len(rows))))

    def fail(self, text: str) -> None:
        self.count.setText(text)
