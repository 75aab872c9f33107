"""Wire helpers: the answer envelope, amounts as 2-place JSON numbers, input field parsing."""
from __future__ import annotations

import json
import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

_MARK = "\x00D"
LIMIT = Decimal("1E9")  # amounts, prices and counts below a billion (invented bound)
_MARKED = re.compile(r'"\\u0000D(-?[0-9]+(?:\.[0-9]+)?)"')


class Refusal(Exception):
    """The platform refuses: infcode -1 with this err_msg (stored under the msgid like any answer)."""

    def __init__(self, err_msg: str, keep: bool = False):
        super().__init__(err_msg)
        self.err_msg = err_msg
        self.keep = keep  # True: what the handler did so far stays (a spent code)


def dumps(obj: Any, amounts_as_strings: bool = False) -> bytes:
    """JSON with Decimal amounts as numbers with their places kept (12.30), or as strings."""
    def mark(o):
        if isinstance(o, Decimal):
            return f"{o:f}" if amounts_as_strings else _MARK + f"{o:f}"
        raise TypeError(f"not JSON serialisable: {type(o).__name__}")
    text = json.dumps(obj, ensure_ascii=False, default=mark)
    if not amounts_as_strings:
        text = _MARKED.sub(r"\1", text)
    return text.encode("utf-8")


def loads(body: bytes) -> Any:
    """Parse a request body; numbers with a fraction become Decimal (never float)."""
    return json.loads(body.decode("utf-8"), parse_float=Decimal)


def stamp(t: float, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    return datetime.fromtimestamp(t).strftime(fmt)


def millis(t: float) -> str:
    """yyyyMMddHHmmssSSS."""
    return datetime.fromtimestamp(t).strftime("%Y%m%d%H%M%S%f")[:17]


def answer(now: float, refmsgid: str, output: dict | None = None, err_msg: str = "", warn_msg: str = "") -> dict:
    """A platform answer (PROTOCOL.md §2): infcode 0 with output, or -1 with err_msg."""
    t = millis(now)
    return {"infcode": -1 if err_msg else 0, "inf_refmsgid": refmsgid, "refmsg_time": t,
            "respond_time": t, "err_msg": err_msg, "warn_msg": warn_msg, "output": {} if err_msg else (output or {})}


def required(node: dict, *names: str, where: str = "input") -> None:
    """Refuse naming the first missing (absent or empty) field."""
    for n in names:
        if node.get(n) in (None, ""):
            raise Refusal(f"{where}.{n} 不能为空")  # platform style "字段不能为空"


def node(inp: dict, name: str) -> dict:
    """An input node that must be an object."""
    v = inp.get(name)
    if not isinstance(v, dict):
        raise Refusal(f"input.{name} 不能为空")
    return v


def node_or_first_row(inp: dict, name: str) -> dict:
    """A node the specification gives as a one-row list, which some platforms take as an object."""
    v = inp.get(name)
    if isinstance(v, list) and len(v) == 1:
        v = v[0]
    if not isinstance(v, dict):
        raise Refusal(f"input.{name} 不能为空")
    return v


def rows(inp: dict, name: str, allow_object: bool = False) -> list[dict]:
    """An input list of objects that must not be empty (one object too, when allow_object)."""
    v = inp.get(name)
    if allow_object and isinstance(v, dict):
        v = [v]
    if not isinstance(v, list) or not v or not all(isinstance(r, dict) for r in v):
        raise Refusal(f"input.{name} 不能为空")
    return v


def number(value: Any, field: str, places: int = 2, negative: bool = False) -> Decimal:
    """An amount (2 places), price (6) or count (4) from a string or number; refuse anything else."""
    if isinstance(value, bool) or value is None or value == "" or isinstance(value, float):
        raise Refusal(f"{field} 格式错误")
    try:
        d = Decimal(str(value).strip())
    except InvalidOperation:
        raise Refusal(f"{field} 格式错误") from None
    if not d.is_finite() or (d < 0 and not negative):
        raise Refusal(f"{field} 格式错误")
    if abs(d) >= LIMIT:  # keeps cnt x pric within Decimal's 28 digits, so every sum stays exact
        raise Refusal(f"{field} 格式错误（数值过大）")
    if -d.as_tuple().exponent > places:
        raise Refusal(f"{field} 格式错误（最多{places}位小数）")
    return d
