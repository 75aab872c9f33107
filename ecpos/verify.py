"""`ecpos verify [--qr CODE] [--json]`: check a code through the configured adapter, without a sale
(terminal/office/selfcheck.py)."""
from __future__ import annotations

import argparse
import json
import sys

from terminal import logs
from cmdline.options import load_config
from terminal.config import CHOICES
from terminal.office import selfcheck

_PROFILES = CHOICES["profile"]
# `--json` has called an unreachable service (exit 3: nothing decided) "failed" since the first release; scripts read it
JSON_STATUS = {selfcheck.OFFLINE: "failed"}


def _fail(args, check: selfcheck.Check) -> int:
    e = check.error
    if args.json:
        # the shape every command fails in
        out = {"status": JSON_STATUS.get(check.status, check.status), "error": e.key, "message": e.message}
        print(json.dumps({**out, **check.facts}, ensure_ascii=False, indent=2))
    else:
        said = check.facts.get("service_message", "")
        extra = f"（{check.answered_by}返回 {check.facts['code']}：{said}）" if said else ""
        print(f"未通过：{e.message}{extra}\n[{e.key}]", file=sys.stderr)
    logs.event("command_failed", command="verify", error=e.key, exit_code=check.exit_code)
    return check.exit_code


def cmd_verify(args: argparse.Namespace) -> int:
    """Verify one code; exit 0 ok, 2 rejected locally, 3 unreachable (status failed), 4 refused."""
    check = selfcheck.check_code(load_config(args), args.qr, args.business_type or "")
    if check.error is not None:
        return _fail(args, check)
    shown = check.shown
    if args.json:
        print(json.dumps({"status": "ok", "adapter": check.adapter, **shown}, ensure_ascii=False, indent=2))
    else:
        print(f"医保码有效（{check.adapter}）")
        print(f"  姓名    {shown['userName']}")
        print(f"  证件号  {shown['idNo']}（类型 {shown['idType']}）")
        print(f"  参保地  {shown['insuOrg']}")
        if check.family:
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
