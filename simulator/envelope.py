"""The reference service opening a mobile-payment style envelope (PROTOCOL.md §3) when asked to (admin
settings envelope_app_id / envelope_app_secret / envelope_public_key): verify signData, decrypt encData.

The format is this module's own reading of the public integration (newtouch-cloud/openhis sm2sm4), written
apart from terminal/wire/envelope.py; only the standard primitives (SM3, SM4, SM2, checked against the standards'
vectors in tests/terminal/test_gm.py) come from terminal.wire.gm.
"""
from __future__ import annotations

import base64
import json

from terminal.wire import gm


def open_envelope(wrapper: object, app_id: str, app_secret: str, public_hex: str) -> tuple[object, str]:
    """(inner request, "") or (None, why it is refused)."""
    if not isinstance(wrapper, dict) or "encData" not in wrapper or "signData" not in wrapper:
        return None, "报文未加密或缺少签名(encData/signData)"
    if wrapper.get("appId") != app_id or wrapper.get("encType") != "SM4" or wrapper.get("signType") != "SM2":
        return None, "appId/encType/signType 不符"
    fields = {k: v for k, v in wrapper.items() if k not in ("signData", "encData", "extra")}
    fields["data"] = wrapper["encData"]
    pairs = sorted(((k, str(v)) for k, v in fields.items() if v not in (None, "")), key=lambda kv: kv[0].lower())
    text = "&".join(f"{k}={v}" for k, v in pairs) + f"&key={app_secret}"
    try:
        sig = base64.b64decode(str(wrapper["signData"]), validate=True)
    except ValueError:
        return None, "signData 不是Base64"
    if not gm.sm2_verify(public_hex, text.encode("utf-8"), sig, uid=app_secret.encode("utf-8")):
        return None, "验签失败(signData)"
    seed = gm.sm4_encrypt(app_id[:16].encode("utf-8"), app_secret.encode("utf-8")).hex().upper()
    try:
        plain = gm.sm4_decrypt(seed[:16].encode("ascii"), bytes.fromhex(str(wrapper["encData"])))
        return json.loads(plain.decode("utf-8")), ""
    except ValueError:
        return None, "解密失败(encData)"
