"""Scan panel: the big always-visible prompt (ready / reading / refused), a manual code field, the guide."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QLineEdit, QScrollArea, QVBoxLayout

from ui.widgets.qt_activation_guide import QtActivationGuide


class QtScanPanel(QFrame):
    """State of the current scan, in words the cashier reads from a metre away."""

    manual_code = Signal(str)
    guide_toggled = Signal(object)

    def __init__(self, parent=None, large: bool = False):
        super().__init__(parent)
        self.setObjectName("scanPanel")
        box = QVBoxLayout(self)
        self.prompt = QLabel()
        self.prompt.setObjectName("scanPrompt")
        self.prompt.setWordWrap(True)
        self.prompt.setAlignment(Qt.AlignCenter)
        self.prompt.setProperty("state", "ready")
        box.addWidget(self.prompt)
        self.manual = QLineEdit()
        self.manual.setObjectName("manualCode")
        self.manual.setPlaceholderText(self.tr("手工输入医保码后回车 [F2]"))
        self.manual.setAttribute(Qt.WA_InputMethodEnabled, False)  # an IME would eat a code's digits
        self.manual.returnPressed.connect(self._manual)
        box.addWidget(self.manual)
        self.guide = QtActivationGuide(self, large=large)
        # the guide is long (longer still in English): in the counter's column it scrolls rather than
        # squeezing its wrapped lines on top of each other
        self.guide_scroll = QScrollArea(self)
        self.guide_scroll.setObjectName("guideScroll")
        self.guide_scroll.setFrameShape(QFrame.NoFrame)
        self.guide_scroll.setWidgetResizable(True)
        self.guide_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.guide_scroll.setWidget(self.guide)
        self.guide_scroll.hide()
        box.addWidget(self.guide_scroll, 1)
        self.set_state("ready")

    def _manual(self) -> None:
        text = self.manual.text().strip()
        self.manual.clear()
        if text:
            self.manual_code.emit(text)

    def set_state(self, state: str, text: str = "") -> None:
        """ready / busy / ok / error, with an optional message (errors say what to do next)."""
        default = {"ready": self.tr("请出示医保码 · 扫码即识别"), "busy": self.tr("正在识别医保码…"),
                   "ok": self.tr("识别成功"), "error": self.tr("识别失败")}
        self.prompt.setText(text or default.get(state, ""))
        self.prompt.setProperty("state", state)
        self.prompt.style().unpolish(self.prompt)
        self.prompt.style().polish(self.prompt)
        if state != "error" and not self.guide_scroll.isHidden():
            self.guide_scroll.hide()
            self.guide_toggled.emit(False)

    def show_guide(self, error) -> None:
        """Show the activation guide for a CredentialError with activation_guide set; the prompt
        carries its headline (the full message is in the window's message bar)."""
        self.guide.show_for(error)
        self.guide_scroll.show()
        self.guide_toggled.emit(True)
        self.prompt.setText(self.guide.headline.text())
        self.guide.headline.hide()

    @property
    def guide_visible(self) -> bool:
        """True while the activation guide is shown."""
        return not self.guide_scroll.isHidden()
