"""The kiosk's full-screen pages: large type, touch targets of 64 px (>= 48 px required)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.widgets.qt_activation_guide import QtActivationGuide
from ui.widgets.qt_split_panel import QtSplitPanel

TOUCH = 64


def big_button(text: str, primary: bool = False) -> QPushButton:
    """A touch button at least TOUCH px high."""
    b = QPushButton(text)
    b.setMinimumHeight(TOUCH)
    b.setMinimumWidth(200)
    if primary:
        b.setObjectName("kioskPrimary")
    return b


def _label(text: str, obj: str = "kioskText") -> QLabel:
    lab = QLabel(text)
    lab.setObjectName(obj)
    lab.setWordWrap(True)
    lab.setAlignment(Qt.AlignCenter)
    return lab


class WelcomePage(QWidget):
    """Welcome: what to do, in one sentence, plus the slogan."""

    def __init__(self, institution: str, parent=None):
        super().__init__(parent)
        box = QVBoxLayout(self)
        box.addStretch(1)
        box.addWidget(_label(institution, "kioskTitle"))
        box.addWidget(_label(self.tr("医保码自助挂号缴费"), "kioskTitle"))
        self.hint = _label(self.tr("请打开国家医保服务平台APP、微信或支付宝中的医保电子凭证，"
                                   "将二维码对准下方扫码口"))
        box.addWidget(self.hint)
        self.scanner = _label("", "kioskPaused")
        box.addWidget(self.scanner)
        box.addWidget(_label(self.tr("先激活后缴费 · 先医保电子凭证后医保卡"), "guideSlogan"))
        box.addStretch(1)


class BusyPage(QWidget):
    """Working: identifying, registering, settling."""

    def __init__(self, parent=None):
        super().__init__(parent)
        box = QVBoxLayout(self)
        box.addStretch(1)
        self.text = _label("", "kioskTitle")
        box.addWidget(self.text)
        box.addWidget(_label(self.tr("请稍候，不要离开")))
        box.addStretch(1)


class ConfirmPage(QWidget):
    """Patient (masked), department choice, then the amount split and the pay button."""

    def __init__(self, departments, parent=None):
        super().__init__(parent)
        box = QVBoxLayout(self)
        self.who = _label("", "kioskTitle")
        self.family = _label("", "familyNote")
        box.addWidget(self.who)
        box.addWidget(self.family)
        self.dept_title = _label(self.tr("请选择就诊科室"))
        box.addWidget(self.dept_title)
        grid = QGridLayout()
        self.dept_buttons: list[QPushButton] = []
        for i, (code, name) in enumerate(departments):
            b = big_button(name)
            b.setProperty("dept", code)
            grid.addWidget(b, i // 3, i % 3)
            self.dept_buttons.append(b)
        box.addLayout(grid)
        self.visit = _label("")
        box.addWidget(self.visit)
        self.bill = _label("")  # a bill the HIS pushed (ui/qt_agent.py): its lines, what the patient pays for
        self.bill.hide()
        box.addWidget(self.bill)
        self.split = QtSplitPanel(self, big_pt=22)
        box.addWidget(self.split)
        row = QGridLayout()
        self.pay = big_button(self.tr("确认缴费"), primary=True)
        self.pay.setEnabled(False)  # until there is an amount to pay
        self.back = big_button(self.tr("返回首页"))
        row.addWidget(self.back, 0, 0)
        row.addWidget(self.pay, 0, 1)
        box.addLayout(row)


class ResultPage(QWidget):
    """Paid (amounts + take your receipt) or failed (what to do next)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        box = QVBoxLayout(self)
        box.addStretch(1)
        self.title = _label("", "kioskTitle")
        self.text = _label("")
        box.addWidget(self.title)
        box.addWidget(self.text)
        self.split = QtSplitPanel(self, big_pt=24)
        box.addWidget(self.split)
        self.printing = _label("")  # the receipt: printing, take it, or it did not print
        box.addWidget(self.printing)
        self.done = big_button(self.tr("完成"), primary=True)
        box.addWidget(self.done, 0, Qt.AlignHCenter)
        box.addStretch(1)


class GuidePage(QWidget):
    """The activation guide, full screen, with a way back."""

    def __init__(self, parent=None):
        super().__init__(parent)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)  # the guide's own frame is the margin (768 px screens)
        self.guide = QtActivationGuide(self, large=True)
        box.addWidget(self.guide, 1)
        row = QGridLayout()
        self.back = big_button(self.tr("我知道了，返回首页"), primary=True)
        # shown when the guide offers 自费 (insured nowhere): the kiosk's way to it
        self.self_pay = big_button(self.tr("自费挂号"))
        self.self_pay.hide()
        row.addWidget(self.back, 0, 0)
        row.addWidget(self.self_pay, 0, 1)
        box.addLayout(row)
