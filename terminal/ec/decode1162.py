"""The library-free path: the platform's 1162 (电子凭证解码) through PlatformClient, answered as ec.query is."""
from __future__ import annotations

import json
import re
from typing import Any

import requests

from terminal.errors import PlatformRefused, PlatformUnknown, PlatformUnreachable
from terminal.wire.platform import midplatform_as_envelope

_CODE_IN_MSG = re.compile(r"(?<!\d)(5\d{5})(?!\d)")
NOT_EC_CODE = ("500159", "请使用医保电子凭证二维码")  # the one documented refusal (PROTOCOL.md §2b)


def code_for(err_msg: str) -> str:
    """The credential code a refusal names: a 5xxxxx code in its text, 500159 for its documented message,
    else "1162" (the guidance then comes from the message's words, terminal.ec.credential.situation)."""
    m = _CODE_IN_MSG.search(err_msg or "")
    if m:
        return m.group(1)
    return NOT_EC_CODE[0] if NOT_EC_CODE[1] in (err_msg or "") else "1162"


class Http1162Trans:
    """trans(request) over the platform: ec.query data in, an ec-style answer out."""

    kind = "http"

    def __init__(self, platform, framing: str = "envelope", url: str = ""):
        self.platform = platform
        self.framing = framing
        self.url = url or platform.url

    def describe(self) -> str:
        if self.framing == "bare":
            return f"http 1162 (bare) via {self.url}"
        return f"http 1162 via {self.platform.url}"

    def trans(self, request: dict[str, Any]) -> dict[str, Any]:
        """Send the request's data as 1162 input; answer {code, message, data, extra} like the library."""
        data = dict(request.get("data") or {})
        try:
            output = self._bare(data) if self.framing == "bare" else self.platform.call("1162", {"data": data})
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

    def _bare(self, data: dict[str, Any]) -> dict[str, Any]:
        """POST the decode data alone; the answer's output as PlatformClient.call gives it."""
        p = self.platform
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json;charset=utf-8", "Connection": "close", **p.signer(body)}
        try:
            r = p.session.post(self.url, data=body, headers=headers, timeout=p.timeout, verify=p.verify)
        except requests.exceptions.ConnectTimeout as e:
            raise PlatformUnreachable(f"connect timeout: {e}", infno="1162") from None
        except requests.exceptions.ConnectionError as e:
            raise PlatformUnreachable(f"connection failed: {e}", infno="1162") from None
        except requests.exceptions.RequestException as e:  # a decode moves no money: lost = unavailable
            raise PlatformUnknown(f"{type(e).__name__}: {e}", infno="1162") from None
        if r.status_code != 200:
            raise PlatformUnknown(f"HTTP {r.status_code}", infno="1162")
        try:
            answer = json.loads(r.content.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise PlatformUnknown(f"unreadable answer: {e}", infno="1162") from None
        if not isinstance(answer, dict):
            raise PlatformUnknown("answer is not an object", infno="1162")
        if "infcode" not in answer:
            answer = midplatform_as_envelope(answer)
        if str(answer.get("infcode")).strip() != "0":
            raise PlatformRefused(str(answer.get("err_msg") or "解码失败"), infno="1162")
        return answer.get("output") or {}

    def close(self) -> None:
        pass
