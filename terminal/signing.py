"""Gateway signers: extra HTTP headers some provinces' gateways require. Pluggable by config."""
from __future__ import annotations

import hashlib
import secrets
import time
from typing import Callable

Signer = Callable[[bytes], dict[str, str]]


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


def tif_valid(headers, token: str) -> bool:
    """Check x-tif-* headers as a gateway would (the simulator uses this)."""
    ts, nonce, sig = (headers.get(h, "") for h in ("x-tif-timestamp", "x-tif-nonce", "x-tif-signature"))
    expected = hashlib.sha256((ts + token + nonce + ts).encode()).hexdigest()
    return bool(ts and nonce) and secrets.compare_digest(sig, expected)


def from_config(cfg) -> Signer:
    if cfg.gateway.signer == "tif":
        return tif_signer(cfg.gateway.paasid, cfg.gateway.token)
    return no_signature
