"""Settings: devices with live status, platform, profile, language; kiosk lock/exit for the admin."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton,
                               QVBoxLayout, QWidget)

from terminal.counter import answering
from ui import qt_i18n
from ui.qt_session import error_text, scanner_text


class QtSettingsView(QWidget):
    """What the terminal is connected to, refreshed live from the scanner and the Counter's status."""

    message = Signal(str, str)

    def __init__(self, ctx, window, parent=None):
        super().__init__(parent or window)
        self.ctx, self.window = ctx, window
        cfg = ctx.cfg
        box = QVBoxLayout(self)
        dev = QGroupBox(self.tr("设备"))
        f = QFormLayout(dev)
        f.setFieldGrowthPolicy(QFormLayout.FieldsStayAtSizeHint)
        self.scanner = QLabel()
        self.scanner.setObjectName("settingsScanner")
        kind = {"serial": self.tr("串口扫码盒"), "wedge": self.tr("键盘口扫码枪"), "camera": self.tr("摄像头"),
                "none": self.tr("无")}.get(cfg.devices.scanner, cfg.devices.scanner)
        port = cfg.devices.serial_port or cfg.devices.serial_usb_id or cfg.devices.camera
        f.addRow(self.tr("扫码方式"), QLabel(f"{kind} · {port}"))
        f.addRow(self.tr("扫码器状态"), self.scanner)
        f.addRow(self.tr("小票打印机"), QLabel(ctx.printer.describe()))
        self.b_test_print = QPushButton(self.tr("打印测试页"))
        self.b_test_print.clicked.connect(self.test_print)
        f.addRow("", self.b_test_print)
        f.addRow(self.tr("提示音"), QLabel(self.tr("开") if cfg.devices.sound else self.tr("关")))
        box.addWidget(dev)
        plat = QGroupBox(self.tr("医保平台"))
        f2 = QFormLayout(plat)
        self.online = QLabel(self.tr("检测中"))
        self.signed = QLabel("—")
        f2.addRow(self.tr("地址"), QLabel(cfg.center.url))
        f2.addRow(self.tr("连接状态"), self.online)
        f2.addRow(self.tr("签到"), self.signed)
        f2.addRow(self.tr("凭证解码"), QLabel(cfg.credential.adapter))
        f2.addRow(self.tr("定点机构"), QLabel(f"{cfg.institution.fixmedins_name} ({cfg.institution.fixmedins_code})"))
        box.addWidget(plat)
        prof = QGroupBox(self.tr("终端"))
        f3 = QFormLayout(prof)
        f3.setFieldGrowthPolicy(QFormLayout.FieldsStayAtSizeHint)
        names = {"pharmacy": self.tr("药店收银"), "clinic": self.tr("门诊挂号收费"), "kiosk": self.tr("自助机")}
        f3.addRow(self.tr("业务模式"), QLabel(names.get(cfg.profile, cfg.profile)))
        f3.addRow(self.tr("操作员"), QLabel(f"{cfg.operator.name} ({cfg.operator.id})"))
        f3.addRow(self.tr("数据目录"), QLabel(str(cfg.data_dir)))
        self.language = QComboBox()
        self.language.setObjectName("language")
        for code, name in qt_i18n.LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(list(qt_i18n.LANGUAGES).index(qt_i18n.current()))
        self.language.currentIndexChanged.connect(self._language_chosen)
        f3.addRow(self.tr("语言 Language"), self.language)
        box.addWidget(prof)
        if ctx.kiosk:
            row = QHBoxLayout()
            self.b_lock = QPushButton(self.tr("锁定，返回自助服务"))
            self.b_lock.clicked.connect(self.lock)
            self.b_exit = QPushButton(self.tr("退出程序"))
            self.b_exit.clicked.connect(window.close)
            row.addWidget(self.b_lock)
            row.addWidget(self.b_exit)
            box.addLayout(row)
        box.addStretch(1)
        ctx.scanner.status_changed.connect(self._scanner)
        ctx.session.status_changed.connect(self._counter)
        self._scanner(ctx.scanner.status)
        if ctx.session.last_status is not None:
            self._counter(ctx.session.last_status)
        ctx.session.heartbeat_changed.connect(self._beat)  # the fresher word on 在线 (status bar too)
        if ctx.session.last_beat is not None:
            self._beat(ctx.session.last_beat)

    def _language_chosen(self, _index: int) -> None:
        if not self.window.set_language(self.language.currentData()):
            self.language.blockSignals(True)   # refused (a sale is open): show the language in use
            self.language.setCurrentIndex(list(qt_i18n.LANGUAGES).index(qt_i18n.current()))
            self.language.blockSignals(False)

    def _scanner(self, st) -> None:
        text = scanner_text(st)[0]
        self.scanner.setText(text.split("：", 1)[-1].split(": ", 1)[-1])  # the row already says 扫码器

    def _counter(self, st) -> None:
        # as the status bar: 在线 needs the last exchange's word and the probe's (counter.answering); a real
        # answer just now is fresher than any probe
        was, self._was_online = getattr(self, "_was_online", True), st.online
        self._show_online(st.online if st.online and not was else answering(self.ctx.session.last_beat, st.online))
        self.signed.setText(self.tr("已签到") if getattr(st, "signed_in", False) else self.tr("未签到"))

    def _beat(self, beat) -> None:
        self._show_online(answering(beat, bool(getattr(self.ctx.session.last_status, "online", True))))

    def _show_online(self, online: bool) -> None:
        self.online.setText(self.tr("在线") if online else self.tr("离线：业务将排队，恢复后自动提交"))

    def activated(self) -> None:
        """Shown: refresh the platform state now."""
        self.ctx.session.refresh_status()

    def test_print(self) -> None:
        """A test page through the configured printer."""
        printer = self.ctx.printer
        self.ctx.session.worker.submit(
            lambda: printer.print_lines("test-page", "打印测试 ecpos", ["中文 GB18030 测试", "0123456789"]),
            lambda p: self.message.emit("ok", self.tr("测试页已打印：%1").replace("%1", str(p))),
            lambda e: self.message.emit("error", error_text(e)), "print")

    def lock(self) -> None:
        """Kiosk: leave admin mode."""
        self.ctx.set_unlocked(False)
        self.window.show_page("sale")
