"""Patient card: masked name and ID, insurance type, insured area, balance, family-account holder."""
from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QFrame, QLabel, QVBoxLayout

from ui.qt_values import insutype_text, word
from ui.widgets.qt_buttons import money_text


class QtPatientCard(QFrame):
    """Shows the Patient the Counter identified (already masked by the core)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("patientCard")
        self.setFrameShape(QFrame.StyledPanel)
        box = QVBoxLayout(self)
        box.setContentsMargins(10, 6, 10, 6)   # shares a column with the scan prompt (and the clinic's register box)
        self.title = QLabel(self.tr("参保人"))
        self.title.setObjectName("cardTitle")
        box.addWidget(self.title)
        form = QFormLayout()
        self.name = QLabel()
        self.name.setObjectName("patientName")
        self.id_no = QLabel()
        self.insutype = QLabel()
        self.insutype.setWordWrap(True)   # "Urban and rural resident basic medical insurance" is long
        self.area = QLabel()
        self.balance = QLabel()
        self.balance.setObjectName("balance")
        form.addRow(self.tr("姓名"), self.name)
        form.addRow(self.tr("证件号"), self.id_no)
        form.addRow(self.tr("险种"), self.insutype)
        form.addRow(self.tr("参保地"), self.area)
        form.addRow(self.tr("个人账户余额"), self.balance)
        box.addLayout(form)
        self.family = QLabel()
        self.family.setObjectName("familyNote")
        self.family.setWordWrap(True)
        box.addWidget(self.family)
        box.addStretch(1)
        self.clear()

    def clear(self) -> None:
        """Back to the empty card (waiting for a scan)."""
        self.name.setText(self.tr("请扫描医保码"))
        for w in (self.id_no, self.insutype, self.area, self.balance):
            w.setText("—")
        self.family.hide()

    def show_patient(self, p) -> None:
        """Fill the card from a terminal.counter.Patient."""
        self.name.setText(getattr(p, "name_masked", "") or "—")
        self.id_no.setText(getattr(p, "id_masked", "") or "—")
        code = getattr(p, "insutype", "") or ""
        name = getattr(p, "insutype_name", "") or ""
        self.insutype.setText(insutype_text(code, name) or "—")
        self.area.setText(getattr(p, "insuplc_admdvs", "") or "—")
        self.balance.setText(money_text(getattr(p, "balc", None)))
        self.balance.setToolTip("")
        holder = getattr(p, "family_of", "") or ""
        if holder:
            relation = word(getattr(p, "family_relation", "") or "") or "—"
            self.family.setText(self.tr("亲情账户：家庭成员的医保码，由 %1 代为出示（关系：%2）")
                                .replace("%1", str(holder)).replace("%2", relation))
            self.family.show()
        else:
            self.family.hide()

    def show_balance(self, balc) -> None:
        """The personal account after a settlement (the platform's figure, as printed on the receipt)."""
        self.balance.setText(money_text(balc))
        self.balance.setToolTip(self.tr("结算后余额"))
