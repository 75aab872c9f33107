"""Typed errors: a machine key for logs, a Chinese message for the cashier saying what to do next."""
from __future__ import annotations


class EcposError(Exception):
    """Base: `key` is the English log key, `message` the cashier's Chinese text."""

    key = "ecpos_error"
    exit_code = 2
    # What a cashier or patient reads instead of `message` when that speaks of setup (config keys, files,
    # commands): the screen says what to do now, the log keeps `message` for the IT admin.
    cashier_message = ""

    def __init__(self, message: str, *, key: str | None = None, detail: str = ""):
        super().__init__(message)
        self.message = message
        if key:
            self.key = key
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.message} [{self.key}]" + (f" ({self.detail})" if self.detail else "")


SETUP_FAULT = "本机医保设置有误，暂时无法办理：请联系信息科处理；患者可先用医保卡/身份证 [F3] 或自费 [F4]"


class ConfigError(EcposError):
    key = "config_invalid"
    cashier_message = SETUP_FAULT


class PlatformError(EcposError):
    """Anything that went wrong talking to the insurance platform."""

    key = "platform_error"
    exit_code = 3

    def __init__(self, message: str, *, infno: str = "", msgid: str = "", **kw):
        super().__init__(message, **kw)
        self.infno = infno
        self.msgid = msgid


class PlatformRefused(PlatformError):
    """The platform answered infcode -1: nothing happened; its err_msg says why."""

    key = "platform_refused"
    exit_code = 4

    def __init__(self, err_msg: str, **kw):
        super().__init__(f"医保平台拒绝：{err_msg}", **kw)
        self.err_msg = err_msg


class PlatformUnreachable(PlatformError):
    """Nothing was processed (connect failed, service refused before processing): safe to retry."""

    key = "platform_unreachable"

    def __init__(self, detail: str = "", **kw):
        super().__init__("医保平台暂时无法连接，请稍后重试；已保存的业务不会丢失", detail=detail, **kw)


# Settlements and their cancellations: only an unknown one of these is reversed (2601) by sync.
SETTLEMENTS = frozenset({"2102", "2103", "2207", "2208"})


class PlatformUnknown(PlatformError):
    """Sent, but the answer was lost: the outcome is unknown and must be resolved, never blindly resent.
    Only a settlement (or its cancellation) is reversed by sync; a lost query or upload moved no money, so the
    cashier is told to try again, not that something will be reversed."""

    key = "platform_unknown"

    def __init__(self, detail: str = "", **kw):
        text = ("医保平台未返回结果，结果待确认；系统将自动冲正，请勿重复结算" if str(kw.get("infno", "")) in SETTLEMENTS
                else "医保平台未返回结果，请稍后重试")
        super().__init__(text, detail=detail, **kw)


class KeyConflict(EcposError):
    """An Idempotency-Key used before with another body (terminal/journal/pushed.py): a new request reusing a
    key, not a retry. `ref` is what the first request made."""

    key = "idempotency_conflict"

    def __init__(self, ref: str):
        super().__init__("同一个 Idempotency-Key 已用于另一个不同的请求：新请求请使用新的 Idempotency-Key")
        self.ref = ref
