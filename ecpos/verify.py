"""`ecpos verify [--qr CODE] [--json]`: check a code through the configured adapter, without a sale."""
from __future__ import annotations

import argparse
import json
import sys

from terminal import logs
from terminal.sale import flows
from cmdline.options import load_config
from terminal.codes import CodeRejected
from terminal.ec.adapter import DEFAULT_BUSINESS_TYPE, make_adapter
from terminal.ec.credential import CredentialError
from terminal.config import CHOICES

_PROFILES = CHOICES["profile"]



def _fail(args, e, status: str) -> int:
    if args.json:
        out = {"status": status, "error": e.key, "message": e.message}  # the shape every command fails in
        if isinstance(e, CredentialError):
            out.update(code=e.code, service_message=e.service_message, activation_guide=e.activation_guide)
        if isinstance(e, CodeRejected):
            out["reason"] = e.reason
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        who = "凭证库" if str(getattr(e, "code", "")).startswith("-") else "服务"
        extra = f"（{who}返回 {e.code}：{e.service_message}）" if getattr(e, "service_message", "") else ""
        print(f"未通过：{e.message}{extra}\n[{e.key}]", file=sys.stderr)
    logs.event("command_failed", command="verify", error=e.key, exit_code=e.exit_code)
    return e.exit_code


def cmd_verify(args: argparse.Namespace) -> int:
    """Verify one code; exit 0 ok, 2 rejected locally, 3 unreachable (status failed), 4 refused."""
    cfg = load_config(args)
    business = args.business_type or (flows.FLOWS[cfg.profile].business_type if cfg.profile in flows.FLOWS
                                  else DEFAULT_BUSINESS_TYPE)
    adapter = make_adapter(cfg)
    try:
        cred = adapter.verify(args.qr, business)
    except CodeRejected as e:
        return _fail(args, e, "rejected")
    except CredentialError as e:
        return _fail(args, e, "failed" if e.exit_code == 3 else "refused" if e.exit_code == 4 else "error")
    finally:
        adapter.close()
    shown = cred.display()
    if args.json:
        print(json.dumps({"status": "ok", "adapter": adapter.describe(), **shown}, ensure_ascii=False, indent=2))
    else:
        print(f"医保码有效（{adapter.describe()}）")
        print(f"  姓名    {shown['userName']}")
        print(f"  证件号  {shown['idNo']}（类型 {shown['idType']}）")
        print(f"  参保地  {shown['insuOrg']}")
        if cred.is_family:
            print(f"  亲情账户 {shown['familyHolder']} 代为出示（关系：{shown['familyRelation']}）")
        print(f"  ecToken {shown['ecToken']}")
    return 0


def register(sub) -> None:
    """Add `verify` to the ecpos command line."""
    p = sub.add_parser("verify", help="check a 医保码 through the configured credential adapter (no sale)")
    p.add_argument("--qr", metavar="CODE",
                   help="the code text as scanned (leave out when the vendor library drives the scan box)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--profile", choices=_PROFILES, help="config profile")
    p.add_argument("--business-type", metavar="CODE", help="businessType (default by profile: 02121 / 01101)")
    p.set_defaults(func=cmd_verify)
