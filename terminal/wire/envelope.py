"""The mobile-payment style envelope (PROTOCOL.md §3): the request JSON travels SM4-encrypted (encData) and
SM2-signed (signData). After a public integration (newtouch-cloud/openhis sm2sm4/SMUtil.cs, SignUtil.cs):

- SM4 key: the first 16 characters of the upper-case hex of SM4-ECB/PKCS7(key = appId[:16], appSecret);
- encData: upper-case hex of SM4-ECB/PKCS7(that key, request JSON in UTF-8);
- signData: Base64 of r || s of SM3withSM2 over "k=v&…&key=<appSecret>", the non-empty top-level fields
  sorted case-insensitively with the ciphertext under "data" (signData, encData and extra left out), the SM2
  user ID being the appSecret's bytes.
A channel asks for it with `envelope = "sm4_sm2"` in its file; the secrets are [gateway] app_id, app_secret
and sm2_private_key.
"""
from __future__ import annotations

import base64
import json
import time
from typing import Any

from terminal.wire import gm

IGNORED = ("signData", "encData", "extra")


def sm4_key(app_id: str, app_secret: str) -> bytes:
    """The SM4 key derived from appId and appSecret."""
    return gm.sm4_encrypt(app_id[:16].encode("utf-8"), app_secret.encode("utf-8")).hex().upper()[:16].encode()


def sign_text(fields: dict[str, Any], app_secret: str) -> str:
    """The sorted k=v&… text the signature covers."""
    items = [(k, v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, separators=(",", ":")))
             for k, v in fields.items() if k not in IGNORED and v not in (None, "")]
    return "".join(f"{k}={v}&" for k, v in sorted(items, key=lambda kv: kv[0].lower())) + f"key={app_secret}"


def seal(body: bytes, app_id: str, app_secret: str, private_hex: str, clock=time.time) -> bytes:
    """The envelope around a request body, as bytes to POST."""
    head = {"appId": app_id, "encType": "SM4", "signType": "SM2", "timestamp": str(int(clock() * 1000)),
            "version": "1.0.0"}
    enc = gm.sm4_encrypt(sm4_key(app_id, app_secret), body).hex().upper()
    sig = gm.sm2_sign(private_hex, sign_text({**head, "data": enc}, app_secret).encode("utf-8"),
                      uid=app_secret.encode("utf-8"))
    return json.dumps({**head, "encData": enc, "signData": base64.b64encode(sig).decode("ascii")},
                      ensure_ascii=False).encode("utf-8")
