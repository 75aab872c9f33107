"""What of a platform request or answer may be journaled: ID numbers and names masked, the QR code and
birth dates dropped. psn_no, mdtrt_id and setl_id stay: refunds and reconciliation need them."""
from __future__ import annotations

from typing import Any

from terminal.masking import mask_id, mask_name

DROP = frozenset({"ecQrCode", "brdy", "birthday", "email", "dev_safe_info", "cainfo"})
IDS = frozenset({"certno", "idNo", "mdtrt_cert_no", "ecToken", "ecIndexNo", "psn_cert_no"})
NAMES = frozenset({"psn_name", "userName", "holderName", "name"})


def payload(obj: Any) -> Any:
    """A copy of a JSON value with personal fields masked and the QR code removed."""
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            if k in DROP:
                continue
            if k in IDS and isinstance(v, str):
                out[k] = mask_id(v)
            elif k in NAMES and isinstance(v, str):
                out[k] = mask_name(v)
            else:
                out[k] = payload(v)
        return out
    if isinstance(obj, list):
        return [payload(v) for v in obj]
    return obj


def envelope(env: dict[str, Any]) -> dict[str, Any]:
    """The journaled form of a request envelope: its input masked (the rest is ours)."""
    return payload(env)
