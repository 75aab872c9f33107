"""Activation guide shown instead of a bare error when a code is refused as not activated / not insured.

Wording follows the bureaus' notices (ENVIRONMENT seeds): 先激活后缴费; the national app, WeChat, Alipay
and partner banks' apps; 亲情账户 for family members.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout


class QtActivationGuide(QFrame):
    """How to activate the 医保电子凭证, channel by channel, in large type for a patient to read."""

    def __init__(self, parent=None, large: bool = False):
        super().__init__(parent)
        self.setObjectName("activationGuide")
        if large:   # set before the children are styled: the kiosk's guide is read from a step back
            self.setProperty("large", True)
        self.setFrameShape(QFrame.StyledPanel)
        self.offers_self_pay = False  # the reason shown says 本次可选择自费结算
        box = QVBoxLayout(self)
        self.headline = QLabel()
        self.headline.setObjectName("guideHeadline")
        self.headline.setWordWrap(True)
        self.reason = QLabel()
        self.reason.setObjectName("guideReason")
        self.reason.setWordWrap(True)
        box.addWidget(self.headline)
        box.addWidget(self.reason)
        grid = QGridLayout()
        channels = (
            (self.tr("国家医保服务平台APP"),
             self.tr("在手机应用市场搜索“国家医保服务平台”下载，注册登录后，在首页点击“医保电子凭证”，按提示激活。")),
            (self.tr("微信"),
             self.tr("微信“我”→“城市服务”→“更多”→“医保电子凭证”，按要求验证激活；也可搜一搜“我的医保”公众号。")),
            (self.tr("支付宝"),
             self.tr("在支付宝首页搜索“医保电子凭证”→同意领取→刷脸认证后激活，凭证放入“卡包”。")),
            (self.tr("银行APP"),
             self.tr("医保电子凭证合作银行的手机银行APP（如工行、农行、中信银行）中搜索“医保电子凭证”激活。")),
        )
        self.channel_labels: list[QLabel] = []
        for row, (name, steps) in enumerate(channels):
            n = QLabel(name)
            n.setObjectName("guideChannel")
            s = QLabel(steps)
            s.setWordWrap(True)
            s.setObjectName("guideSteps")
            if large:   # kiosk screen: two channels side by side, each name above its steps, so the
                # large type fits 768 px high in English too
                grid.addWidget(n, 2 * (row // 2), row % 2)
                grid.addWidget(s, 2 * (row // 2) + 1, row % 2, Qt.AlignTop)
            else:       # narrow counter column: channel above its steps, so the steps get the width
                grid.addWidget(n, 2 * row, 0)
                grid.addWidget(s, 2 * row + 1, 0)
            self.channel_labels.append(n)
        grid.setColumnStretch(0, 1)
        if large:
            grid.setColumnStretch(1, 1)
        box.addLayout(grid)
        self.family = QLabel(self.tr("为老人、孩子激活：在国家医保服务平台APP“我的”→“我的家庭成员”中添加"
                                     "亲情账户，一部手机最多可绑定5位家庭成员，并可为其出示医保码。"))
        self.family.setWordWrap(True)
        self.family.setObjectName("guideFamily")
        box.addWidget(self.family)
        slogan = QLabel(self.tr("先激活后缴费 · 先医保电子凭证后医保卡"))
        slogan.setObjectName("guideSlogan")
        slogan.setAlignment(Qt.AlignCenter)
        slogan.setWordWrap(True)   # English is wider than the counter's column
        box.addWidget(slogan)

    def show_for(self, error) -> None:
        """Fill the headline from a CredentialError (500170 not activated, 500171 not insured)."""
        code = str(getattr(error, "code", ""))
        self.offers_self_pay = code == "500171"
        if code == "500171":
            self.headline.setText(self.tr("已激活，但未查询到有效参保记录"))
            self.reason.setText(self.tr("请先到参保地医保经办机构或通过国家医保服务平台APP查询参保状态、"
                                        "办理参保缴费；本次可选择自费结算。"))
        else:
            self.headline.setText(self.tr("您的医保电子凭证尚未激活，请先激活后使用"))
            self.reason.setText(self.tr("激活只需1分钟，任选以下一种方式，激活后刷新医保码再扫一次。"))
        self.show()
