"""Pre-settle split in large type: total, insurance fund, personal account, cash."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel

from ui.widgets.qt_buttons import money_text


class QtSplitPanel(QFrame):
    """Shows the Quote (or Settlement) amounts; nothing is computed here."""

    FIELDS = ("medfee_sumamt", "fund_pay_sumamt", "acct_pay", "psn_cash_pay")

    def __init__(self, parent=None, big_pt: int = 24):
        super().__init__(parent)
        self.setObjectName("splitPanel")
        self.setFrameShape(QFrame.StyledPanel)
        grid = QGridLayout(self)
        titles = (self.tr("费用合计"), self.tr("统筹基金支付"), self.tr("个人账户支付"),
                  self.tr("现金支付"))
        self.values: dict[str, QLabel] = {}
        for row, (name, title) in enumerate(zip(self.FIELDS, titles)):
            t = QLabel(title)
            t.setObjectName("splitTitle")
            v = QLabel("—")
            v.setObjectName("splitValue" if name != "psn_cash_pay" else "splitCash")
            v.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
            # a widget's own sheet beats the app's font-size rule: large type for the amounts
            v.setStyleSheet(f"font-size: {big_pt + (6 if name == 'psn_cash_pay' else 0)}pt; font-weight: bold;")
            grid.addWidget(t, row, 0)
            grid.addWidget(v, row, 1)
            self.values[name] = v
        self.note = QLabel()
        self.note.setObjectName("splitNote")
        self.note.setWordWrap(True)
        grid.addWidget(self.note, len(self.FIELDS), 0, 1, 2)

    def show_amounts(self, q, note: str = "") -> None:
        """Fill from any object with the platform's amount fields."""
        for name, label in self.values.items():
            label.setText(money_text(getattr(q, name, None)))
        self.note.setText(note)

    def clear(self) -> None:
        """No quote yet."""
        for label in self.values.values():
            label.setText("—")
        self.note.setText("")

    def amount_text(self, name: str) -> str:
        """The text shown for one field (tests, transcript)."""
        return self.values[name].text()
