"""Bill table: lines of (code, name, quantity, unit price, 追溯码 scanned); add, change quantity, remove."""
from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QSpinBox, QStyledItemDelegate, QTableWidget,
                               QTableWidgetItem)

from terminal.sale.items import BillLine


class _ElideMiddle(QStyledItemDelegate):
    """A long catalogue code keeps its start and its distinguishing last digits."""

    elide = Qt.ElideMiddle

    def initStyleOption(self, option, index) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = self.elide


class QtBillTable(QTableWidget):
    """The bill being built; `changed` fires on every edit so the quote can be invalidated."""

    changed = Signal()
    COLS = 7
    LOT = 6  # 批号/效期: shown once a line has a lot (terminal/sale/lots.py)

    def __init__(self, parent=None):
        super().__init__(0, self.COLS, parent)
        self.setHorizontalHeaderLabels([self.tr("编码"), self.tr("名称"), self.tr("数量"),
                                        self.tr("单价"), self.tr("金额"), self.tr("追溯码"), self.tr("批号/效期")])
        self.setColumnHidden(self.LOT, True)
        h = self.horizontalHeader()
        h.setSectionResizeMode(QHeaderView.ResizeToContents)
        h.setSectionResizeMode(0, QHeaderView.Interactive)   # long catalogue codes: elided in the middle
        h.setSectionResizeMode(1, QHeaderView.Stretch)
        self.setColumnWidth(0, 120)
        # the name keeps its start (the drug's name; the spec is cut first): elided in the middle it read
        # "奥美拉唑肠溶…mg*14粒", and at 1024 px only "…"
        self.setTextElideMode(Qt.ElideRight)
        self._codes = _ElideMiddle(self)
        self.setItemDelegateForColumn(0, self._codes)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(40)  # room for the quantity spin box
        self.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.setSelectionMode(QAbstractItemView.SingleSelection)
        self.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self._lines: list[BillLine] = []

    def resizeEvent(self, event) -> None:
        # a narrow screen (1024x768) leaves the bill too little room for both: the name, not the code, stays
        # (the suggestion list and the receipt show codes)
        super().resizeEvent(event)
        self.setColumnHidden(0, event.size().width() < self.NARROW)

    NARROW = 560  # px of bill below which the code column goes

    def add(self, line: BillLine, qty: int = 1) -> None:
        """Add a line, or raise the quantity when the same code (of the same lot) is already on the bill."""
        for row, existing in enumerate(self._lines):
            if existing.code == line.code and existing.lot == line.lot:
                spin = self.cellWidget(row, 2)
                spin.setValue(spin.value() + qty)
                self.selectRow(row)
                return
        row = len(self._lines)
        self._lines.append(line)
        self.insertRow(row)
        for col, text in ((0, line.code), (1, f"{line.name} {line.spec}".strip()),
                          (3, f"{line.price:.2f}")):
            item = QTableWidgetItem(text)
            if col == 3:
                item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
            self.setItem(row, col, item)
        spin = QSpinBox()
        spin.setRange(1, 999)
        spin.setValue(qty)
        spin.valueChanged.connect(lambda _v, r=line: self._qty_changed(r))
        self.setCellWidget(row, 2, spin)
        amount = QTableWidgetItem()
        amount.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
        self.setItem(row, 4, amount)
        if line.lot is not None:
            self.setItem(row, self.LOT, QTableWidgetItem(f"{line.lot.lotnum} 至{line.lot.expy_end.isoformat()}"))
            self.setColumnHidden(self.LOT, False)
        self._refresh_amount(row)
        self.selectRow(row)
        self.changed.emit()

    def set_trace(self, row: int, text: str, short: bool) -> None:
        """Show a line's 追溯码 count; `short` marks a line still missing codes."""
        if not 0 <= row < len(self._lines):
            return
        item = self.item(row, 5)
        if item is None:
            item = QTableWidgetItem()
            item.setTextAlignment(Qt.AlignCenter)
            self.setItem(row, 5, item)
        item.setText(text)
        item.setForeground(Qt.darkRed if short else Qt.darkGreen)

    def _qty_changed(self, line: BillLine) -> None:
        self._refresh_amount(self._lines.index(line))
        self.changed.emit()

    def _refresh_amount(self, row: int) -> None:
        qty = Decimal(self.cellWidget(row, 2).value())
        self.item(row, 4).setText(f"{self._lines[row].price * qty:.2f}")

    def change_qty(self, delta: int) -> None:
        """Raise or lower the selected line's quantity (keyboard + / -)."""
        row = self.currentRow()
        if 0 <= row < len(self._lines):
            spin = self.cellWidget(row, 2)
            spin.setValue(max(1, spin.value() + delta))

    def set_qty(self, row: int, qty: int) -> None:
        """Set one line's quantity."""
        self.cellWidget(row, 2).setValue(qty)

    def remove_selected(self) -> None:
        """Remove the selected line (or the last one)."""
        row = self.currentRow() if self.currentRow() >= 0 else len(self._lines) - 1
        if 0 <= row < len(self._lines):
            self.removeRow(row)
            del self._lines[row]
            self.changed.emit()

    def clear_bill(self) -> None:
        """Empty the bill (next customer)."""
        self.setRowCount(0)
        self._lines.clear()
        self.setColumnHidden(self.LOT, True)
        self.changed.emit()

    def rows(self) -> list[tuple[BillLine, Decimal]]:
        """Each line with its quantity."""
        return [(line, Decimal(self.cellWidget(i, 2).value())) for i, line in enumerate(self._lines)]

    def total(self) -> Decimal:
        """Sum of the lines as shown (the platform's quote is what counts)."""
        return sum((line.price * qty for line, qty in self.rows()), Decimal("0.00"))
