"""What of a platform request or answer may be journaled: ID numbers and names masked, the QR code and
birth dates dropped. psn_no, mdtrt_id and setl_id stay: refunds and reconciliation need them."""
from __future__ import annotations

import json
from decimal import Decimal
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
            elif isinstance(v, str) and v.lstrip().startswith(("{", "[")):
                out[k] = _encoded(v)
            else:
                out[k] = payload(v)
        return out
    if isinstance(obj, list):
        return [payload(v) for v in obj]
    return obj


def _encoded(text: str) -> str:
    """A JSON-encoded string value (some versions send `data` so) masked like an object, re-encoded."""
    try:
        inner = json.loads(text, parse_float=Decimal)  # amounts stay exact
    except ValueError:
        return text
    if not isinstance(inner, (dict, list)):
        return text
    return json.dumps(payload(inner), ensure_ascii=False, default=str)


def envelope(env: dict[str, Any]) -> dict[str, Any]:
    """The journaled form of a request envelope: its input masked (the rest is ours)."""
    return payload(env)
