"""Gateway signers: extra HTTP headers some provinces' gateways require. Pluggable by config."""
from __future__ import annotations

import hashlib
import secrets
import time
from typing import Callable

from terminal.errors import ConfigError
from terminal.wire import channels

Signer = Callable[[bytes], dict[str, str]]
# cainfo of the envelope for (national infno, input): some provinces want the card / credential password there,
# encrypted their way. The seam: pass one to PlatformClient(cainfo=...); the default sends "".
CaInfo = Callable[[str, dict], str]


def no_cainfo(infno: str, input: dict) -> str:
    return ""


def no_signature(body: bytes) -> dict[str, str]:
    return {}


def tif_signer(paasid: str, token: str, clock=time.time) -> Signer:
    """x-tif-* headers: signature = sha256(timestamp + token + nonce + timestamp), lowercase hex."""

    def sign(body: bytes) -> dict[str, str]:
        ts = str(int(clock()))
        nonce = secrets.token_hex(16)
        sig = hashlib.sha256((ts + token + nonce + ts).encode()).hexdigest()
        return {"x-tif-paasid": paasid, "x-tif-timestamp": ts, "x-tif-nonce": nonce,
                "x-tif-signature": sig}

    return sign


def hmac_sm3_signer(key: str, secret: str, clock=time.time) -> Signer:
    """x-ca-key / x-ca-signature as a Zhejiang gateway checks them (PROTOCOL.md §2b, tests/conformance):
    signature = "<unix seconds>:" + upper-case hex HMAC-SM3(secret, "<unix seconds>\n" + body), over exactly
    the bytes sent (UTF-8). The public harness's self-test shows the vendor DLL, fed GB2312, MACs the UTF-8
    text: signing a GB2312 re-encoding would fail every body with a Chinese name in it."""
    from terminal.wire import gm  # fails at start when the backend lacks SM3

    def sign(body: bytes) -> dict[str, str]:
        ts = str(int(clock()))
        mac = gm.hmac_sm3(secret.encode("utf-8"), ts.encode("ascii") + b"\n" + body)
        return {"x-ca-key": key, "x-ca-signature": f"{ts}:{mac.hex().upper()}"}

    return sign


def from_config(cfg, channel=None) -> Signer:
    """The signer [gateway] signer names ("channel": the one the [center] channel's file names)."""
    kind = cfg.gateway.signer
    if kind == "channel":
        kind = (channel or channels.load(cfg.center.channel)).signer
    if kind == "tif":
        return tif_signer(cfg.gateway.paasid, cfg.gateway.token)
    if kind == "hmac_sm3":
        if not cfg.gateway.token:
            raise ConfigError("配置有误：网关签名 hmac_sm3 需要密钥：请设置环境变量 ECPOS_GATEWAY_TOKEN 或 [gateway] token",
                              key="config_gateway_secret")
        return hmac_sm3_signer(cfg.gateway.key or cfg.institution.fixmedins_code, cfg.gateway.token)
    return no_signature
