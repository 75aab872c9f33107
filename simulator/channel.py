"""The reference service's channels: which URL serves which transaction, the numbers a channel sends, its
gateway check. Data in simulator/schema/<channel>.toml (the national channel has one URL for everything).

The gateway checks are the simulator's own reading of which bytes and headers a gateway signs (HMAC-SM3
straight from `cryptography`, the x-tif SHA-256 from hashlib), never the client's signer, so a misreading on
one side cannot pass both (as signing a GB2312 re-encoding once did).
"""
from __future__ import annotations

import hashlib
import hmac as _hmac
import time
from dataclasses import dataclass, field
from functools import lru_cache

from cryptography.hazmat.primitives import hashes, hmac

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
    receivers: dict[str, str] = field(default_factory=dict)  # national infno -> its own recer_sys_code

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

    def receiver(self, national: str) -> str:
        """The recer_sys_code this channel's platform wants for a transaction ("" = any)."""
        return self.receivers.get(national, self.recer_sys_code)

    def original(self, oinfno: str) -> tuple[str, str]:
        """A 2601's oinfno, named as the original was sent (2207A), as (national number, "") or ("", why)."""
        national = self.numbers.get(oinfno, oinfno)
        if national == oinfno and oinfno in set(self.numbers.values()):  # 2207 for what went as 2207A
            sent = next(k for k, v in self.numbers.items() if v == oinfno)
            return "", f"原交易编号[{oinfno}]不存在：原交易以[{sent}]发送"
        return national, ""


@lru_cache(maxsize=8)
def load(name: str = "national") -> SimChannel:
    if name == "national":
        return SimChannel("national")
    data = tomllib.loads((SCHEMA_DIR / f"{name}.toml").read_text(encoding="utf-8"))
    return SimChannel(name, {p: frozenset(v) for p, v in (data.get("routes") or {}).items()},
                      dict(data.get("numbers") or {}), dict(data.get("gateway") or {}),
                      str((data.get("channel") or {}).get("recer_sys_code", "")),
                      {str(k): str(v) for k, v in (data.get("receivers") or {}).items()})


def gateway_problem(channel: SimChannel, headers, body: bytes, fixmedins_code: str, secret: str,
                    now: float | None = None) -> str:
    """Why the channel's gateway turns the request away ("" when it passes)."""
    if channel.gateway.get("kind") != "hmac_sm3":
        return ""

    key, sig = headers.get("x-ca-key", ""), headers.get("x-ca-signature", "")
    if not key or not sig:
        return "缺少网关签名(x-ca-key/x-ca-signature)"
    if key != fixmedins_code:
        return "x-ca-key 与定点医药机构编号不符"
    ts, _, mac_hex = sig.partition(":")
    if not ts.isdigit() or abs((now or time.time()) - int(ts)) > float(channel.gateway.get("window_s", 300)):
        return "网关签名时间戳无效或已过期"
    h = hmac.HMAC(secret.encode("utf-8"), hashes.SM3())
    h.update(ts.encode("ascii") + b"\n" + body)  # the bytes as they came, never re-encoded
    if not _hmac.compare_digest(mac_hex, h.finalize().hex().upper()):
        return "网关签名(x-ca-signature)校验失败"
    return ""


def tif_problem(headers, token: str) -> str:
    """Why a gateway signing x-tif-* headers turns the request away ("" when it passes): signature = lowercase
    hex SHA-256 of timestamp + token + nonce + timestamp (PROTOCOL.md §2), this service's own reading."""
    ts, nonce, sig = (headers.get(h, "") for h in ("x-tif-timestamp", "x-tif-nonce", "x-tif-signature"))
    if not (ts and nonce and sig):
        return "缺少网关签名(x-tif-timestamp/x-tif-nonce/x-tif-signature)"
    expected = hashlib.sha256((ts + token + nonce + ts).encode("utf-8")).hexdigest()
    return "" if _hmac.compare_digest(sig, expected) else "网关签名(x-tif-signature)校验失败"
