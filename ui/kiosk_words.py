"""What a patient at the kiosk reads: no staff wording (请患者…), no device or platform jargon, and for what
only staff can fix, where to go. The counter's messages are written for the cashier; these reword them."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from terminal.errors import ConfigError, EcposError, PlatformUnknown


def paused() -> str:
    """The scanner is out: the kiosk cannot serve anyone."""
    return QCoreApplication.translate("Kiosk", "暂停服务，请到人工窗口")


def patient_words(message: str) -> str:
    """The counter's message for the cashier (请患者…) as the patient reads it (请您…)."""
    return message.replace("请患者", "请您").replace("患者", "您")


def patient_error(e: BaseException) -> str:
    """A failure as the patient should read it."""
    if isinstance(e, PlatformUnknown):  # sent, the answer lost: the money may have moved
        return QCoreApplication.translate("Kiosk", "缴费结果待确认，请勿重复缴费，请到人工窗口办理")
    if isinstance(e, EcposError) and e.exit_code in (2, 4) and not isinstance(e, ConfigError):
        # the patient can act on these (show another code, activate it...): the cashier's words, to them
        return patient_words(e.message)
    return QCoreApplication.translate("Kiosk", "暂时无法办理，请到人工窗口")
