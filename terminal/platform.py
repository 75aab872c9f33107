"""Client of the insurance platform (定点医药机构接口): envelope, signing, timeouts, typed errors.

Errors keep three outcomes apart, because the journal and sync act on them differently:
  PlatformRefused    infcode -1, nothing happened; show err_msg.
  PlatformUnreachable nothing was processed (connect failed, HTTP 503): safe to retry with the same msgid.
  PlatformUnknown    the request may have been processed but the answer was lost: never blindly resend
                     a settlement; reverse it (2601) first.
"""
from __future__ import annotations

import json
import ssl
from datetime import datetime
from decimal import Decimal
from typing import Any, Callable

import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError, SSLError
from urllib3.util.ssl_match_hostname import CertificateError

from terminal import logs, signing
from terminal.errors import PlatformRefused, PlatformUnknown, PlatformUnreachable
from terminal.msgid import MsgIdSource

# infnos that carry a psn_no in their input and so need insuplc_admdvs in the envelope.
Hook = Callable[[dict], None]


class PlatformClient:
    """Builds envelopes and sends them. `sign_no` is set after 9001 by the workflow."""

    def __init__(self, cfg, *, msgids: MsgIdSource | None = None, session: requests.Session | None = None,
                 signer: signing.Signer | None = None):
        self.cfg = cfg
        self.url = cfg.center.url.rstrip("/") + cfg.center.platform_path
        self.msgids = msgids or MsgIdSource(cfg.institution.fixmedins_code, cfg.data_dir / "msgid.state",
                                            node=cfg.institution.msgid_node)
        self.session = session or requests.Session()
        self.signer = signer or signing.from_config(cfg)
        self.timeout = (cfg.center.connect_timeout, cfg.center.read_timeout)
        self.verify: bool | str = cfg.center.ca_bundle or True
        self.sign_no = ""

    def envelope(self, infno: str, input: dict[str, Any], *, msgid: str | None = None,
                 insuplc_admdvs: str = "") -> dict[str, Any]:
        """A request envelope; the msgid is issued here unless a retry passes the original."""
        inst, op, center = self.cfg.institution, self.cfg.operator, self.cfg.center
        return {
            "infno": str(infno),
            "msgid": msgid or self.msgids.next(),
            "mdtrtarea_admvs": inst.mdtrtarea_admvs,
            "insuplc_admdvs": insuplc_admdvs,
            "recer_sys_code": center.recer_sys_code,
            "dev_no": inst.dev_no,
            "dev_safe_info": "",
            "cainfo": "",
            "signtype": "",
            "infver": center.infver,
            "opter_type": str(op.opter_type),
            "opter": op.id,
            "opter_name": op.name,
            "inf_time": datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
            "fixmedins_code": inst.fixmedins_code,
            "fixmedins_name": inst.fixmedins_name,
            "sign_no": self.sign_no,
            "input": input,
        }

    def send(self, env: dict[str, Any]) -> dict[str, Any]:
        """Send one envelope; the whole answer on infcode 0, else a typed PlatformError."""
        infno, msgid = env["infno"], env["msgid"]
        ids = {"infno": infno, "msgid": msgid}
        body = json.dumps(env, ensure_ascii=False, default=logs.json_default).encode("utf-8")
        headers = {"Content-Type": "application/json;charset=utf-8", "Connection": "close",
                   **self.signer(body)}
        logs.event("platform_send", **ids)
        try:
            r = self.session.post(self.url, data=body, headers=headers, timeout=self.timeout,
                                  verify=self.verify)
        except requests.exceptions.ConnectTimeout as e:
            raise PlatformUnreachable(f"connect timeout: {e}", **ids) from None
        except requests.exceptions.ConnectionError as e:
            if _never_connected(e):
                raise PlatformUnreachable(f"connection refused: {e}", **ids) from None
            raise PlatformUnknown(f"connection lost after sending: {e}", **ids) from None
        except requests.exceptions.Timeout as e:
            raise PlatformUnknown(f"no answer in {self.timeout[1]} s: {e}", **ids) from None
        except requests.exceptions.RequestException as e:
            raise PlatformUnknown(f"{type(e).__name__}: {e}", **ids) from None
        if r.status_code == 503:
            raise PlatformUnreachable("HTTP 503 service unavailable", **ids)
        if r.status_code in (400, 401, 403, 404, 405, 413):
            # The gateway turned the request away before the platform saw it.
            raise PlatformRefused(f"网关拒绝请求 HTTP {r.status_code}", key="gateway_refused", **ids)
        if r.status_code != 200:
            raise PlatformUnknown(f"HTTP {r.status_code}", **ids)
        try:
            answer = json.loads(r.content.decode("utf-8"), parse_float=Decimal)
        except (UnicodeDecodeError, ValueError) as e:
            raise PlatformUnknown(f"unreadable answer: {e}", **ids) from None
        if not isinstance(answer, dict) or "infcode" not in answer:
            raise PlatformUnknown("answer without infcode", **ids)
        if str(answer["infcode"]).strip() != "0":
            err = str(answer.get("err_msg") or "未知错误")
            logs.event("platform_refused", **ids, infcode=str(answer["infcode"]), err_msg=err)
            raise PlatformRefused(err, **ids)
        logs.event("platform_ok", **ids, inf_refmsgid=answer.get("inf_refmsgid", ""))
        return answer

    def call(self, infno: str, input: dict[str, Any], *, msgid: str | None = None,
             insuplc_admdvs: str = "") -> dict[str, Any]:
        """Build and send; returns the answer's `output` (the whole answer is in PlatformClient.send)."""
        env = self.envelope(infno, input, msgid=msgid, insuplc_admdvs=insuplc_admdvs)
        return self.send(env).get("output") or {}


def _never_connected(e: requests.exceptions.ConnectionError) -> bool:
    """True when the connection was never made, so the request cannot have been processed."""
    cause = e.args[0] if e.args else None
    reason = getattr(cause, "reason", cause)
    if isinstance(reason, SSLError):
        # Certificate checks fail in the TLS handshake, before the request is written; other TLS
        # errors may come while the answer is read, so they stay unknown.
        return any(isinstance(a, (ssl.SSLCertVerificationError, CertificateError)) for a in reason.args)
    return isinstance(reason, (NewConnectionError, ConnectTimeoutError, ConnectionRefusedError))
