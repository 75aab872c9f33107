"""The library-free path: the platform's 1162 (电子凭证解码) through PlatformClient, answered as ec.query is."""
from __future__ import annotations

import re
from typing import Any

from terminal.errors import PlatformRefused, PlatformUnknown, PlatformUnreachable

# 1162 refusals carry only err_msg: map the credential service's known messages back to its codes.
_KNOWN = {
    "500159": "请使用医保电子凭证二维码",
    "500160": "已过期",
    "500161": "已使用",
    "500162": "无效的电子凭证二维码",
    "500170": "未激活",
    "500171": "未查询到有效参保记录",
    "500100": "系统繁忙",
}
_CODE_IN_MSG = re.compile(r"(?<!\d)(5\d{5})(?!\d)")


def code_for(err_msg: str) -> str:
    """The credential code a 1162 refusal means ("1162" when it cannot be told)."""
    m = _CODE_IN_MSG.search(err_msg or "")
    if m:
        return m.group(1)
    for code, words in _KNOWN.items():
        if words in (err_msg or ""):
            return code
    return "1162"


class Http1162Trans:
    """trans(request) over the platform: ec.query data in, an ec-style answer out."""

    kind = "http"

    def __init__(self, platform):
        self.platform = platform

    def describe(self) -> str:
        return f"http 1162 via {self.platform.url}"

    def trans(self, request: dict[str, Any]) -> dict[str, Any]:
        """Send the request's data as 1162 input; answer {code, message, data, extra} like the library."""
        data = dict(request.get("data") or {})
        try:
            output = self.platform.call("1162", {"data": data})
        except PlatformRefused as e:
            return {"code": code_for(e.err_msg), "message": e.err_msg, "data": None, "extra": {}}
        except PlatformUnreachable as e:
            return {"code": -1, "message": "医保平台无法连接", "data": None, "extra": {"detail": e.detail}}
        except PlatformUnknown as e:
            return {"code": -3, "message": "医保平台未应答", "data": None, "extra": {"detail": e.detail}}
        output = output if isinstance(output, dict) else {}
        extra = output.get("extra") if isinstance(output.get("extra"), dict) else {}
        if "familyAccount" in output and "familyAccount" not in extra:
            extra = {**extra, "familyAccount": output["familyAccount"]}
        return {"code": 0, "message": "成功", "data": output.get("data"), "extra": extra}

    def close(self) -> None:
        pass
