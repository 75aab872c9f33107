"""`ecpos register --date D`: the day's 专册登记 of 含麻黄碱类复方制剂 and other registered drugs
(terminal/sale/drug_register.py), for inspection. Printed masked; `--csv FILE` exports it for the inspector with
the ID numbers and names in full, which takes a supervisor's PIN (--supervisor ID, PIN from
ECPOS_SUPERVISOR_PIN or a prompt) and is audited.
"""
from __future__ import annotations

import sys

from ecpos.output import fail
from terminal.checkout import register_report
from cmdline.options import load_config, print_json
from cmdline.pins import pin_from_env_or_prompt
from terminal.errors import EcposError

HEADERS = ("时间", "药品名称", "规格", "数量", "生产批号", "购药人", "身份证号码", "收银员", "状态", "单号")


def cmd_register(args) -> int:
    cfg = load_config(args)
    try:
        pin = None  # the export refuses without a supervisor, before anyone is asked for a PIN
        if args.csv and args.supervisor:
            pin = pin_from_env_or_prompt("ECPOS_SUPERVISOR_PIN", f"{args.supervisor} 的密码：")
        rows = register_report(cfg, args.date, export_to=args.csv or "", supervisor=args.supervisor or "", pin=pin)
    except EcposError as e:
        return fail(args, e)
    if args.json:
        print_json({"status": "ok", "date": args.date, "rows": rows, **({"csv": args.csv} if args.csv else {})})
        return 0
    print(f"含麻黄碱类复方制剂等登记药品销售登记 {args.date}：{len(rows)} 条")
    print("  ".join(HEADERS))
    for r in rows:
        print("  ".join((r["time"], r["name"], r["spec"], r["qty"], r["manu_lotnum"] or "-", r["psn_name"],
                         r["certno"], r["opter"], r["status"], r["setl_id"] or f"SALE{r['sale_id']:08d}")))
    if args.csv:
        print(f"已导出（含完整身份证号码，请妥善保管）：{args.csv}", file=sys.stderr)
    return 0


def register(sub) -> None:
    p = sub.add_parser("register", help="专册登记: the day's sales of registered drugs (含麻黄碱类复方制剂)")
    p.add_argument("--date", required=True, metavar="YYYY-MM-DD")
    p.add_argument("--csv", metavar="FILE", help="export for the inspector, ID numbers in full (--supervisor)")
    p.add_argument("--supervisor", metavar="ID", help="who authorizes the export (PIN: ECPOS_SUPERVISOR_PIN)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_register)
