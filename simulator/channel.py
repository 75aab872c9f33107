"""The reference service's channels: which URL serves which transaction, the numbers a channel sends, its
gateway check. Data in simulator/schema/<channel>.toml (the national channel has one URL for everything).

The gateway check is the simulator's own code (HMAC-SM3 straight from `cryptography`), not the client's
signer, so a misreading on one side cannot pass both.
"""
from __future__ import annotations

import hmac as _hmac
import time
from dataclasses import dataclass, field
from functools import lru_cache

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

from simulator.checker import SCHEMA_DIR

PLATFORM_PATH = "/fsi/api/rsfComIfsService/callService"
DEFAULT_SECRET = "ecpos-sim-secret"  # admin setting ca_secret / `sim serve --ca-secret` replaces it


@dataclass(frozen=True)
class SimChannel:
    name: str
    routes: dict[str, frozenset[str]] = field(default_factory=dict)  # empty: PLATFORM_PATH serves all
    numbers: dict[str, str] = field(default_factory=dict)
    gateway: dict = field(default_factory=dict)
    recer_sys_code: str = ""

    def serves(self, path: str) -> bool:
        return path in self.routes if self.routes else path == PLATFORM_PATH

    def national(self, path: str, wire_infno: str) -> tuple[str, str]:
        """(national infno, "") for a number sent to a path, or ("", err_msg) as the platform refuses it."""
        national = self.numbers.get(wire_infno, wire_infno)
        renamed = {v: k for k, v in self.numbers.items()}
        if national == wire_infno and national in renamed:  # 2207 where 2207A is expected
            return "", f"未知交易编号[{wire_infno}]"
        if self.routes and national not in self.routes.get(path, ()):
            return "", f"未知交易编号[{wire_infno}]：该服务地址不提供此交易"
        return national, ""


@lru_cache(maxsize=8)
def load(name: str = "national") -> SimChannel:
    if name == "national":
        return SimChannel("national")
    data = tomllib.loads((SCHEMA_DIR / f"{name}.toml").read_text(encoding="utf-8"))
    return SimChannel(name, {p: frozenset(v) for p, v in (data.get("routes") or {}).items()},
                      dict(data.get("numbers") or {}), dict(data.get("gateway") or {}),
                      str((data.get("channel") or {}).get("recer_sys_code", "")))


def gateway_problem(channel: SimChannel, headers, body: bytes, fixmedins_code: str, secret: str,
                    now: float | None = None) -> str:
    """Why the channel's gateway turns the request away ("" when it passes)."""
    if channel.gateway.get("kind") != "hmac_sm3":
        return ""
    from cryptography.hazmat.primitives import hashes, hmac

    key, sig = headers.get("x-ca-key", ""), headers.get("x-ca-signature", "")
    if not key or not sig:
        return "缺少网关签名(x-ca-key/x-ca-signature)"
    if key != fixmedins_code:
        return "x-ca-key 与定点医药机构编号不符"
    ts, _, mac_hex = sig.partition(":")
    if not ts.isdigit() or abs((now or time.time()) - int(ts)) > float(channel.gateway.get("window_s", 300)):
        return "网关签名时间戳无效或已过期"
    text = body.decode("utf-8", "replace")
    enc = channel.gateway.get("signed_encoding", "utf-8")
    try:
        signed = text.encode(enc)
    except UnicodeEncodeError:
        signed = text.encode("gb18030")
    h = hmac.HMAC(secret.encode("utf-8"), hashes.SM3())
    h.update(ts.encode("ascii") + b"\n" + signed)
    if not _hmac.compare_digest(mac_hex, h.finalize().hex().upper()):
        return "网关签名(x-ca-signature)校验失败"
    return ""
