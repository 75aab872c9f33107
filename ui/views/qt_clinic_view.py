"""Clinic front desk: scan → register a visit (2201) with department and doctor → fees → pre-settle
(2203/2204/2206) → settle (2207) → receipt. An unfinished visit is undone through the sale's script. A bill the
HIS pushed ([agent] enabled_in_app, ui/qt_agent.py) is the desk's bill: its lines, then its visit and quote once
the patient's code is read, settled by F12 / Enter as the clerk's own."""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFormLayout, QFrame, QHBoxLayout, QLabel, QVBoxLayout

from terminal.checkout import registration_line
from ui.qt_session import error_text
from ui.views.qt_pharmacy_view import QtPharmacyView
from ui.widgets.qt_buttons import ShortcutButton
from terminal.states import BUSY, DONE, Stage


def parse_pairs(entries, parts: int) -> list[tuple[str, ...]]:
    """'A03:内科' / 'D001:王医生:A03' config entries as tuples."""
    return [tuple(e.split(":", parts - 1)) for e in entries if e.count(":") >= parts - 1]


class QtClinicView(QtPharmacyView):
    """The pharmacy page plus a registration box; the pre-settled subject is the visit."""

    def __init__(self, ctx, parent=None):
        self.ctx = ctx
        self.visit = None
        super().__init__(ctx.session, ctx.catalogue, ctx.printer, parent)
        self.outcomes.update({"register": (self._registered, self._failed), "cancel": (self._undone, self._failed)})
        box = QFrame(self)
        box.setObjectName("panel")
        lay = QVBoxLayout(box)
        lay.setContentsMargins(10, 6, 10, 6)   # the left column is full: scan prompt, patient, register
        lay.setSpacing(4)
        title = QLabel(self.tr("挂号"))
        title.setObjectName("cardTitle")
        lay.addWidget(title)
        form = QFormLayout()
        self.dept = QComboBox()
        self.dept.setObjectName("department")
        self.doctor = QComboBox()
        self.doctor.setObjectName("doctor")
        self.departments = parse_pairs(ctx.cfg.clinic.departments, 2)
        self.doctors = parse_pairs(ctx.cfg.clinic.doctors, 3)
        for code, name in self.departments:
            self.dept.addItem(f"{name} ({code})", code)
        self.dept.currentIndexChanged.connect(self._fill_doctors)
        form.addRow(self.tr("科室"), self.dept)
        form.addRow(self.tr("医生"), self.doctor)
        lay.addLayout(form)
        self.visit_label = QLabel(self.tr("未挂号"))
        self.visit_label.setWordWrap(True)
        lay.addWidget(self.visit_label)
        # F10/F11: F3/F4 are the counter's 医保卡/身份证 and 自费, on this page too (a key of two buttons is
        # ambiguous to Qt, which then fires neither)
        self.b_register = ShortcutButton(self.tr("挂号"), "F10", self.register, self)
        self.b_undo = ShortcutButton(self.tr("撤销就诊"), "F11", self.undo_visit, self)
        # side by side: the left column also holds the scan prompt and the patient card, and English
        # wraps longer (the stacked buttons squeezed the department and doctor boxes into each other)
        buttons = QHBoxLayout()
        buttons.addWidget(self.b_register)
        buttons.addWidget(self.b_undo)
        lay.addLayout(buttons)
        self.left_box.insertWidget(2, box)
        self._fill_doctors()
        self._set_state(self.state)

    def _fill_doctors(self) -> None:
        dept = self.dept.currentData()
        self.doctor.clear()
        for code, name, d in self.doctors:
            if d == dept:
                self.doctor.addItem(f"{name} ({code})", code)

    def subject(self):
        """The registered visit (fees are pre-settled against it)."""
        return getattr(self, "visit", None)

    def add_line(self, line, qty: int = 1) -> None:
        """Fees may be added until the pre-settlement; after it the visit must be undone first."""
        if self.state == Stage.QUOTED:
            self._say("error", self.tr("已预结算，费用已上传；如需修改请撤销就诊 [F11] 后重新挂号"))
            return
        super().add_line(line, qty)

    def cancel(self) -> None:
        """Esc: undo the registered visit (2205/2202), or clear the page."""
        if self.visit is not None and self.state not in DONE:
            self.undo_visit()
        else:
            super().cancel()

    def _set_state(self, state) -> None:
        super()._set_state(state)
        if hasattr(self, "b_register"):
            state, busy = self.state, self.state in BUSY
            self.b_register.setEnabled(not busy and self.patient is not None and self.visit is None)
            self.b_undo.setEnabled(not busy and self.visit is not None and state not in DONE)
            # fees are uploaded with the pre-settlement: after it the bill is fixed (undo the visit to change)
            for b in (self.b_plus, self.b_minus, self.b_remove, *self.quick_buttons):
                b.setEnabled(not busy and self.visit is not None and state == Stage.REGISTERED)
            self.bill.setEnabled(self.bill.isEnabled() and state != Stage.QUOTED)

    def entry_hint(self) -> str:
        """What the item field takes (a clinic bill holds services and drugs)."""
        return self.tr("输入收费项目编码（诊疗项目或药品）后回车添加；空行回车＝结算")

    def identified_text(self, name: str) -> str:
        """The next step once a patient is identified: register first."""
        return self.tr("已识别参保人 %1，请选择科室和医生后挂号 [F10]").replace("%1", name)

    def register(self) -> None:
        """Register the visit (2201) with the chosen department and doctor."""
        if self.patient is None or self.visit is not None:
            return
        dept = next((d for d in self.departments if d[0] == self.dept.currentData()), None)
        doc = next((d for d in self.doctors if d[0] == self.doctor.currentData()), None)
        if dept is None or doc is None:
            self._say("error", self.tr("请选择科室和医生"))
            return
        self._drive("register", lambda s: s.register(dept[0], doc[0]), "register")

    def _registered(self, ch) -> None:
        self._show_visit(ch.visit)
        self._say("ok", self.tr("挂号成功，请添加费用后预结算 [F5]"))
        self._set_state(ch.stage)
        self.add_line(registration_line(self.ctx.cfg))

    def show_pushed_quote(self, sid: str, sale) -> None:
        """A HIS bill quoted by the agent's code step: its visit (registered with the bill's department and doctor,
        else the profile's first) is this desk's, shown as a clerk's own; Esc undoes it as one."""
        super().show_pushed_quote(sid, sale)
        if self.sale is sale and sale.visit is not None:
            self._show_visit(sale.visit)
            self._set_state(self.state)

    def _show_visit(self, visit) -> None:
        self.visit = visit
        self.visit_label.setText(self.tr("已挂号：%1 · %2 · 就诊ID %3").replace("%1", visit.dept_name)
                                 .replace("%2", visit.doctor_name).replace("%3", visit.mdtrt_id))

    def undo_visit(self) -> None:
        """Undo a registered, unsettled visit (2202/2205 through the sale's script)."""
        if self.visit is not None:
            self._drive("cancel", lambda s: s.cancel(), "cancel")

    def _undone(self, _ch=None) -> None:
        self.visit = None
        self.visit_label.setText(self.tr("就诊已撤销"))
        self._say("info", self.tr("就诊已撤销"))
        super().next_customer()

    def next_customer(self) -> None:
        """Next patient; an unfinished visit is undone first so nothing stays open on the platform."""
        if self.visit is not None and self.state not in DONE:
            self.undo_visit()
            return
        self.visit = None
        if hasattr(self, "visit_label"):
            self.visit_label.setText(self.tr("未挂号"))
        super().next_customer()

    def _failed(self, ch) -> None:
        super()._failed(ch)
        self.split.note.setText(error_text(ch.error))
