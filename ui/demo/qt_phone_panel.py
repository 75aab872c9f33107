"""The demo's "phone": pick a roster person, get a fresh 医保码 from the simulator, show it as a QR code,
and hold it to the virtual scan box (write it into the pty)."""
from __future__ import annotations

import io

import segno
from PySide6.QtCore import QT_TRANSLATE_NOOP, QPoint, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.qt_worker import QtWorker

STATUS_NAMES = {"active": "正常", "not_activated": "未激活", "no_insurance": "无参保", "suspended": "暂停",
                "other_province": "异地"}


# (menu label, simulator fault spec): simulator/faults.py
FAULTS = (
    (QT_TRANSLATE_NOOP("QtPhonePanel", "无故障"), ""),
    (QT_TRANSLATE_NOOP("QtPhonePanel", "医保平台中断（拒绝连接）"), "*:down"),
    (QT_TRANSLATE_NOOP("QtPhonePanel", "结算应答丢失（下一笔，已入账）"), "2102:drop:1,2207:drop:1"),
    (QT_TRANSLATE_NOOP("QtPhonePanel", "应答缓慢（每个请求 3 秒）"), "*:delay:3000"),
)


class QtPhonePanel(QWidget):
    """A phone showing the patient's code; `shown(code)` after it was sent to the scan box."""

    shown = Signal(str)

    def __init__(self, sim, box, parent=None, refresh_s: float = 50.0, accounts: str = ""):
        super().__init__(parent)
        self.sim, self.box = sim, box
        self.worker = QtWorker("phone")
        self.code = ""
        self.setWindowTitle(self.tr("患者手机（演示）"))
        lay = QVBoxLayout(self)
        if accounts:  # who may sign in, on screen: the till locks after a handover or 5 idle minutes
            note = QLabel(accounts)
            note.setObjectName("demoAccounts")
            note.setWordWrap(True)
            lay.addWidget(note)
        # a phone's 医保码 app shows a new code before the old one expires (the service's codes live 60 s):
        # left alone, the demo's phone showed a code the scan box then refused as expired
        self.timer = QTimer(self)
        self.timer.setInterval(int(refresh_s * 1000))
        self.timer.timeout.connect(self.refresh)
        lay.addWidget(QLabel(self.tr("选择参保人（模拟名单）")))
        self.person = QComboBox()
        self.person.setObjectName("phonePerson")
        lay.addWidget(self.person)
        self.qr = QLabel()
        self.qr.setAlignment(Qt.AlignCenter)
        self.qr.setMinimumSize(240, 240)
        self.qr.setStyleSheet("background: white; border: 1px solid #d9dee5;")
        lay.addWidget(self.qr)
        self.digits = QLabel()
        self.digits.setAlignment(Qt.AlignCenter)
        self.digits.setTextInteractionFlags(Qt.TextSelectableByMouse)
        lay.addWidget(self.digits)
        self.b_refresh = QPushButton(self.tr("刷新医保码"))
        self.b_refresh.clicked.connect(self.refresh)
        self.b_show = QPushButton(self.tr("出示给扫码盒"))
        self.b_show.setObjectName("primary")
        self.b_show.clicked.connect(self.present)
        lay.addWidget(self.b_refresh)
        lay.addWidget(self.b_show)
        # the platform's side of things going wrong, so the app's recovery paths can be seen
        lay.addWidget(QLabel(self.tr("模拟故障（医保平台）")))
        self.fault = QComboBox()
        self.fault.setObjectName("phoneFault")
        for label, spec in FAULTS:
            self.fault.addItem(self.tr(label), spec)
        self.fault.currentIndexChanged.connect(self._fault_changed)
        lay.addWidget(self.fault)
        self.fault_state = QLabel()
        self.fault_state.setWordWrap(True)
        lay.addWidget(self.fault_state)
        self.code_psn = ""  # whose code is shown
        self.worker.submit(sim.persons, self._fill)

    def _fill(self, persons: list) -> None:
        self.persons = persons
        for p in persons:
            fam = p.get("family") or {}
            extra = f" · 亲情:{fam.get('relation')}" if fam.get("role") == "member" else ""
            self.person.addItem(f"{p['name']} · {STATUS_NAMES.get(p['status'], p['status'])} · "
                                f"{p.get('insutype') or '-'}{extra}", p)
        self.person.currentIndexChanged.connect(self.refresh)  # another person: their code, not the last one's
        self.refresh()
        self.timer.start()

    def refresh(self) -> None:
        """A fresh code for the chosen person (a family member's code is shown by the holder)."""
        p = self.person.currentData()
        if not p:
            return
        fam = p.get("family") or {}
        by = fam.get("holder") if fam.get("role") == "member" else None
        self.code = ""  # until the new one is in, nothing stale can be presented
        self.qr.clear()
        self.worker.submit(lambda: (p["psn_no"], self.sim.code(p["psn_no"], by)), self._show_code,
                           lambda e: self.digits.setText(str(e)))

    def _show_code(self, psn_code) -> None:
        psn_no, code = psn_code
        if psn_no != (self.person.currentData() or {}).get("psn_no"):
            return  # the person was changed meanwhile: that person's code is on its way
        self.code, self.code_psn = code, psn_no
        buf = io.BytesIO()
        segno.make(code, error="m").save(buf, kind="png", scale=7, border=2)
        pix = QPixmap()
        pix.loadFromData(buf.getvalue(), "PNG")
        self.qr.setPixmap(pix)
        self.digits.setText(" ".join(code[i:i + 4] for i in range(0, len(code), 4)))

    def present(self) -> None:
        """Hold the phone to the scan box: the code goes down the virtual serial line."""
        if self.code:
            self.box.scan(self.code)
            self.shown.emit(self.code)
            self.code = ""
            self.refresh()  # codes are single use: the phone shows a new one

    def _fault_changed(self) -> None:
        spec = self.fault.currentData()

        def apply():
            self.sim.clear_faults()
            return self.sim.faults(spec) if spec else []
        self.worker.submit(apply, lambda rules: self.fault_state.setText(
            ", ".join(f"{r['target']}:{r['kind']}" for r in rules) if rules else ""),
            lambda e: self.fault_state.setText(str(e)))

    def close_worker(self) -> None:
        """Stop the phone's worker thread."""
        self.timer.stop()
        self.worker.stop()


def beside(window: QRect, room: QRect, size: QSize) -> QPoint:
    """Where the phone goes: right of the app's window when the screen has room, else over its right edge,
    always wholly on the screen (it opened at x=1291 on a 1366 px screen, mostly off it)."""
    x = min(window.right() + 12, room.right() - size.width())
    y = min(max(window.top(), room.top()), room.bottom() - size.height())
    return QPoint(max(x, room.left()), max(y, room.top()))
