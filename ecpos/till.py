"""Headless commands of the till: operator (add / passwd / disable / enable / list), shift (open / close /
report), catalogue (import / search). PINs come from environment variables or a no-echo prompt, never a flag:
ECPOS_PIN (the operator's own, or the new PIN), ECPOS_OLD_PIN, ECPOS_ADMIN_PIN, ECPOS_SUPERVISOR_PIN.
"""
from __future__ import annotations

import os
import sys
from decimal import Decimal

from ecpos.output import fail
from terminal.journal import operators
from cmdline.options import load_config, print_json
from terminal.errors import EcposError
from terminal import states
from terminal.office import shifts
from terminal.sale import tender
from terminal.sale.items import Catalogue
from terminal.journal.journal import Journal
from terminal.sale.session import platform_sign_out
from terminal.sale.tender import amount_of, parts_of


_fail = fail

def signed_in(journal, cashier: str | None, default: str = "", purpose: str = "cli") -> str:
    """The operator a headless command books to: `--cashier ID` with that cashier's PIN (ECPOS_PIN or a
    prompt), checked under the lockout and audited; without --cashier, `default` ([operator] id)."""
    if not cashier:
        return default
    pin = operators.pin_from_env_or_prompt("ECPOS_PIN", f"{cashier} 的密码：")
    return operators.sign_in(journal, cashier, pin, purpose=purpose).id


def quote_tender(args, due: Decimal):
    """The tender of `settle --cash-received / --tender` for the self-pay amount `due`; None when neither
    was given or nothing is due (scripts and the agent keep working without one)."""
    if args.cash_received and args.tender:
        raise tender.TenderError("--cash-received 与 --tender 只能用一个", key="tender_both")
    if due <= 0 or not (args.cash_received or args.tender):
        return None
    if args.cash_received:
        return tender.cash(due, tender.amount_of(args.cash_received, "实收金额"))
    return tender.parse(args.tender, due)


def tender_json(t) -> dict:
    """--json fields of a tender: method, received, change, reference (a split: its parts too)."""
    if t is None:
        return {"tender": None}

    def one(p) -> dict:
        return {"method": p.method, "amount": f"{p.amount:.2f}", "reference": p.reference,
                **({"received": f"{p.received:.2f}", "change": f"{p.change:.2f}"} if p.method == "cash" else {})}
    parts = parts_of(t)
    head = one(t) if len(parts) == 1 else {"method": t.method, "amount": f"{t.amount:.2f}",
                                           "parts": [one(p) for p in parts]}
    return {"tender": head, **({"change": f"{t.change:.2f}"} if t.change is not None else {})}


def _journal(args):
    return Journal.for_config(load_config(args))


# --- operator ----------------------------------------------------------------------------------------
def _new_pin(op_id: str) -> str:
    pin = operators.pin_from_env_or_prompt("ECPOS_PIN", f"{op_id} 的新密码（4-12 位数字）：")
    if "ECPOS_PIN" not in os.environ:
        again = operators.pin_from_env_or_prompt("ECPOS_PIN", "再输入一次：")
        if again != pin:
            raise operators.OperatorError("两次输入的密码不一致", key="pin_mismatch")
    return pin


def cmd_operator(args) -> int:
    """operator add / passwd / disable / enable / list."""
    journal = _journal(args)
    try:
        if args.op_cmd == "list":
            ops = operators.listing(journal)
            if args.json:
                print_json([{**o.__dict__, "created_local": operators.local_time(o.created_at),
                             "changed_local": operators.local_time(o.changed_at), "active": o.active}
                            for o in ops])
            else:
                for o in ops:
                    state = f"已停用 {operators.local_time(o.disabled_at)}" if o.disabled_at else "在用"
                    print(f"{o.id:<12} {o.name or '-':<8} {o.role:<10} {state:<6} 改密 {operators.local_time(o.changed_at)}"
                          + (f"  医保编码 {o.platform_code}" if o.platform_code else ""))
                if not ops:
                    print("还没有操作员；请用 ECPOS_PIN=… ecpos operator add ID --role cashier|supervisor 添加",
                          file=sys.stderr)
            return 0
        operators.check_id(args.id)
        if args.op_cmd == "add":
            by_pin = None
            if args.by:
                by_pin = operators.pin_from_env_or_prompt("ECPOS_ADMIN_PIN", f"管理员 {args.by} 的密码：")
            operators.check_platform_code(args.platform_code or "")  # before a PIN is asked for
            operators.add(journal, args.id, args.role, _new_pin(args.id), actor=args.by or "",
                          name=args.name or "", actor_pin=by_pin, platform_code=args.platform_code or "")
            print(f"已添加 {args.role} {args.id}" + (f"（{args.name}）" if args.name else "")
                  + (f"，医保经办人编码 {args.platform_code}" if args.platform_code else ""))
        elif args.op_cmd == "passwd":
            if operators.get(journal, args.id) is None:
                raise operators.OperatorError(f"操作员 {args.id} 不存在", key="operator_unknown")
            if args.by:
                by_pin = operators.pin_from_env_or_prompt("ECPOS_SUPERVISOR_PIN", f"主管 {args.by} 的密码：")
                operators.passwd(journal, args.id, _new_pin(args.id), actor=args.by, actor_pin=by_pin)
            else:
                old = operators.pin_from_env_or_prompt("ECPOS_OLD_PIN", f"{args.id} 的原密码：")
                operators.passwd(journal, args.id, _new_pin(args.id), old_pin=old)
            print(f"已修改 {args.id} 的密码")
        else:
            by_pin = operators.pin_from_env_or_prompt("ECPOS_SUPERVISOR_PIN", f"{args.by} 的密码：")
            operators.set_disabled(journal, args.id, args.op_cmd == "disable", args.by, by_pin)
            print(f"已{'停用' if args.op_cmd == 'disable' else '启用'} {args.id}")
        return 0
    except EcposError as e:
        return _fail(args, e)
    finally:
        journal.close()


# --- shift -------------------------------------------------------------------------------------------
def _amount(text: str, what: str) -> Decimal:
    return amount_of(text, what)


def write_slip(cfg, name: str, lines: list[str]) -> str:
    """Print the shift slip on the configured printer (file by default: receipts/, owner only)."""
    # why: the printer's modules load only when a slip is printed (every ecpos command imports this module)
    from drivers.printer import PrinterError, ReceiptPrinter
    try:
        return str(ReceiptPrinter(cfg).print_lines(name, cfg.institution.fixmedins_name + " 交班单", lines))
    except PrinterError as e:
        print(f"警告：{e.message}", file=sys.stderr)
        return ""


def cmd_shift(args) -> int:
    """shift open --float / close --counted / report."""
    cfg = load_config(args)
    journal = Journal.for_config(cfg)
    try:
        if args.shift_cmd == "report":
            r = shifts.report(journal, args.id)
            if args.json:
                print_json({"status": "ok", **r.to_json()})
            else:
                print("\n".join(shifts.slip_lines(r, cfg.institution.fixmedins_name)))
            return 0
        who = signed_in(journal, args.cashier, purpose=f"shift_{args.shift_cmd}")
        if args.shift_cmd == "open":
            sid = shifts.open_shift(journal, who, _amount(args.float, "备用金"))
            out = {"status": "open", "shift_id": sid, "opened_by": who, "float": f"{_amount(args.float, '备用金'):.2f}"}
            if args.json:
                print_json(out)
            else:
                print(f"已开班 #{sid}  收银员 {who}  备用金 {out['float']}")
            return 0
        r = shifts.close_shift(journal, who, _amount(args.counted, "清点现金"))
        lines = shifts.slip_lines(r, cfg.institution.fixmedins_name)
        slip = write_slip(cfg, f"shift-{r.shift_id}", lines[1:])
        signed_out = platform_sign_out(cfg, journal, who)  # the cashier's turn ends at the platform too (9002)
        if args.json:
            print_json({"status": "closed", **r.to_json(), "slip": slip, "platform_signed_out": signed_out})
        else:
            print("\n".join(lines))
            if slip:
                print(f"交班单：{slip}")
        return 0
    except EcposError as e:
        return _fail(args, e)
    finally:
        journal.close()


# --- catalogue ---------------------------------------------------------------------------------------
def cmd_catalogue(args) -> int:
    """catalogue import FILE / search TEXT."""
    from terminal.sale import catalogue  # why: pypinyin and the importers (~15 ms) only for `ecpos catalogue`
    cfg = load_config(args)
    journal = Journal.for_config(cfg)
    try:
        if args.cat_cmd == "import":
            added, updated = catalogue.import_file(journal, args.file, actor="cli")
            out = {"status": "ok", "added": added, "updated": updated}
            if args.json:
                print_json(out)
            else:
                print(f"已导入目录：新增 {added} 条，更新 {updated} 条")
            return 0
        hits = Catalogue(catalogue.load_catalogue(cfg, journal)).search(args.text, args.limit)
        if args.json:
            print_json([{"code": h.code, "name": h.name, "spec": h.spec, "price": f"{h.price:.2f}",
                         "barcode": h.barcode, "initials": h.initials,
                         "lots": [lot.wire() for lot in h.lots]} for h in hits])
        else:
            for h in hits:
                print(f"{h.code:<24} {h.name} {h.spec} ¥{h.price:.2f} {h.barcode}")
            if not hits:
                print(f"目录中没有与“{args.text}”匹配的药品", file=sys.stderr)
        return 0
    except EcposError as e:
        return _fail(args, e)
    finally:
        journal.close()


# --- reprint -----------------------------------------------------------------------------------------
def cmd_reprint(args) -> int:
    """Print a sale's receipt again from the journal, marked 重打; audited with who asked."""
    # why: the printer's modules and the sale's script (~0.1 s) only for `ecpos reprint`
    from drivers.printer import ReceiptPrinter
    from terminal.checkout import reprint
    cfg = load_config(args)
    journal = Journal.for_config(cfg)
    try:
        who = signed_in(journal, args.cashier, cfg.operator.id, purpose="reprint")
        row = journal.sale_by_setl(args.ref) or (journal.sale(int(args.ref)) if args.ref.isdigit() else None)
        if row is None or row["status"] not in states.HAPPENED:
            raise EcposError(f"没有可重打的结算：{args.ref}（用结算流水号 setl_id 或 ecpos journal 中的编号）",
                             key="reprint_unknown")
        path = reprint(cfg, journal, row["id"], who, ReceiptPrinter(cfg).print)
    except EcposError as e:
        return _fail(args, e)
    finally:
        journal.close()
    if args.json:
        print_json({"status": "ok", "sale_id": row["id"], "setl_id": row["setl_id"], "receipt": str(path)})
    else:
        print(f"已重打小票：{path}")
    return 0


def register(sub) -> None:
    """Add the till's commands to the `ecpos` parser."""
    p = sub.add_parser("operator", help="cashiers, supervisors, admins (PINs from ECPOS_PIN etc. or a prompt)")
    ops = p.add_subparsers(dest="op_cmd", metavar="add|passwd|disable|enable|list")
    ops.required = True
    a = ops.add_parser("add", help="new operator; supervisor/admin need --by ADMIN once an admin exists")
    a.add_argument("id", metavar="ID")
    a.add_argument("--role", required=True, choices=operators.ROLES)
    a.add_argument("--name", help="display name (王芳)")
    a.add_argument("--platform-code", metavar="CODE",
                   help="the operator's code at the insurance platform (医保经办人编码): their requests' opter and "
                        "9001 opter_no; default the ID")
    a.add_argument("--by", metavar="ADMIN", help="the admin who authorises (PIN from ECPOS_ADMIN_PIN)")
    a = ops.add_parser("passwd", help="new PIN: with the old one (ECPOS_OLD_PIN) or --by a supervisor or admin "
                                      "of at least the operator's role (an admin's: another admin)")
    a.add_argument("id", metavar="ID")
    a.add_argument("--by", metavar="SUPERVISOR", help="a supervisor or admin resets it (PIN from "
                                                     "ECPOS_SUPERVISOR_PIN); an admin's PIN needs another admin")
    for name in ("disable", "enable"):
        a = ops.add_parser(name, help=f"{name} an operator (kept in the journal); by a supervisor or admin")
        a.add_argument("id", metavar="ID")
        a.add_argument("--by", required=True, metavar="SUPERVISOR", help="PIN from ECPOS_SUPERVISOR_PIN")
    a = ops.add_parser("list")
    a.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_operator)

    p = sub.add_parser("shift", help="交班: open with a float, close with the counted cash, report")
    sh = p.add_subparsers(dest="shift_cmd", metavar="open|close|report")
    sh.required = True
    a = sh.add_parser("open")
    a.add_argument("--float", required=True, metavar="AMOUNT", help="cash in the drawer at the start")
    a.add_argument("--cashier", required=True, metavar="ID", help="PIN from ECPOS_PIN or a prompt")
    a.add_argument("--json", action="store_true")
    a = sh.add_parser("close")
    a.add_argument("--counted", required=True, metavar="AMOUNT", help="cash counted in the drawer")
    a.add_argument("--cashier", required=True, metavar="ID", help="PIN from ECPOS_PIN or a prompt")
    a.add_argument("--json", action="store_true")
    a = sh.add_parser("report")
    a.add_argument("--id", type=int, help="a closed shift (default: the open one)")
    a.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_shift)

    p = sub.add_parser("catalogue", help="the pharmacy's items: import CSV/xlsx, search")
    cs = p.add_subparsers(dest="cat_cmd", metavar="import|search")
    cs.required = True
    a = cs.add_parser("import", help="医保编码, 名称, 规格, 单价, 条码, 拼音 columns (all rows or none)")
    a.add_argument("file", metavar="FILE")
    a.add_argument("--json", action="store_true")
    a = cs.add_parser("search", help="by name, 拼音 initials, code or barcode")
    a.add_argument("text", metavar="TEXT")
    a.add_argument("--limit", type=int, default=20)
    a.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_catalogue)

    p = sub.add_parser("reprint", help="print a sale's receipt again (marked 重打, audited)")
    p.add_argument("ref", metavar="SETL_ID|SALE_ID")
    p.add_argument("--cashier", metavar="ID", help="who reprints (PIN from ECPOS_PIN or a prompt)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_reprint)
