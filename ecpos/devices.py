"""Headless commands of the counter's devices: `ecpos drawer` (a supervisor opens the cash drawer, with a reason;
--list: who opened it, when and why), and the drawer's pulse after `ecpos settle` / `collect` took cash or
`ecpos refund` handed it back.
The supervisor's PIN comes from ECPOS_SUPERVISOR_PIN or a no-echo prompt, never a flag.
"""
from __future__ import annotations

import sys
from datetime import datetime

from ecpos.output import fail
from terminal import drawer, operators
from terminal.cli import load_config, print_json
from terminal.errors import EcposError


def pulse_after_sale(counter, sale_id: int) -> bool:
    """After `ecpos settle` / `collect`: the drawer opens when the printer has one and the sale took cash
    (terminal/drawer.py). A drawer that does not open is a warning on stderr (audited), never the sale's failure.
    True when it opened."""
    return _pulse_if(counter, drawer.opens_after, sale_id, "cash_sale")


def pulse_after_refund(counter, refund_id: int, operator: str) -> bool:
    """After `ecpos refund`: the drawer opens when cash is handed back out of it."""
    return _pulse_if(counter, drawer.opens_for_refund, refund_id, "cash_refund", operator)


def _pulse_if(counter, rule, ref: int, why: str, operator: str = "") -> bool:
    from drivers.printer import PrinterError, ReceiptPrinter
    cfg = counter.cfg
    operator = operator or counter.operator
    try:
        if not rule(cfg, counter.journal, ref, operator):
            return False
        ReceiptPrinter(cfg).open_drawer(cfg.printer.drawer_pin)
        return True
    except Exception as e:  # noqa: BLE001 — the sale is settled: whatever happens here is a message
        if not isinstance(e, PrinterError):
            e = PrinterError("钱箱未能打开，请用钥匙打开；本单已完成不受影响", detail=f"{type(e).__name__}: {e}")
        try:
            drawer.not_opened(counter.journal, operator, why, e.detail or e.message)
        except Exception:  # noqa: BLE001 — the journal's own trouble is reported elsewhere
            pass
        print(f"警告：{e.message}\n[{e.key}]", file=sys.stderr)
        return False


def cmd_drawer(args) -> int:
    """Open the cash drawer for a supervisor (PIN, reason; audited), or list who opened it."""
    from terminal.counter import Counter
    cfg = load_config(args)
    if args.list:
        from terminal.journal import Journal
        journal = Journal.for_config(cfg)
        try:
            rows = drawer.openings(journal, args.limit)
        finally:
            journal.close()
        if args.json:
            print_json(rows)
        for r in [] if args.json else rows:
            when = datetime.fromisoformat(r["at"]).astimezone().strftime("%Y-%m-%d %H:%M:%S")
            what = "开钱箱" if r["event"] == drawer.OPENED else "钱箱未能打开"
            why = "现金收款" if r.get("why") == "cash_sale" else r.get("why", "")
            extra = f" 收银员 {r['cashier']}" if r.get("cashier") else f" 交易 {r['sale_id']}" if r.get("sale_id") else ""
            print(f"{when} {what} {r['actor']} 原因：{why}{extra}")
        return 0
    if not args.supervisor or not args.reason:
        return fail(args, EcposError("请用 --supervisor 工号 --reason 原因 打开钱箱（或 --list 查看记录）",
                                     key="drawer_usage"))
    if not cfg.printer.cash_drawer:
        return fail(args, EcposError("本收银台未设置钱箱：请在配置文件 [printer] 中设置 cash_drawer = true",
                                     key="drawer_not_configured"))
    counter = Counter(cfg)
    try:
        try:
            pin = operators.pin_from_env_or_prompt("ECPOS_SUPERVISOR_PIN", f"主管 {args.supervisor} 密码：")
        except operators.OperatorError:
            return fail(args, EcposError("需要主管密码：请设置环境变量 ECPOS_SUPERVISOR_PIN，或在终端中运行以输入密码",
                                         key="drawer_no_pin"))
        cashier = args.cashier or cfg.operator.id
        drawer.supervisor_open(counter, args.supervisor, pin, args.reason, cashier)
        from drivers.printer import PrinterError, ReceiptPrinter
        try:
            ReceiptPrinter(cfg).open_drawer(cfg.printer.drawer_pin)
        except PrinterError as e:
            drawer.not_opened(counter.journal, args.supervisor, args.reason, e.detail or e.message)
            return fail(args, e)  # as `ecpos reprint` does: the message says what to check (exit 2)
    except EcposError as e:
        return fail(args, e)
    finally:
        counter.close()
    if args.json:
        print_json({"status": "opened", "supervisor": args.supervisor, "reason": args.reason, "cashier": cashier})
    else:
        print(f"钱箱已打开：主管 {args.supervisor}，原因 {args.reason}（已记入审计）")
    return 0


def register(sub) -> None:
    p = sub.add_parser("drawer", help="open the cash drawer (supervisor PIN from ECPOS_SUPERVISOR_PIN or a prompt, "
                                      "a reason; audited), or --list who opened it")
    p.add_argument("--supervisor", metavar="ID")
    p.add_argument("--reason", help="why, recorded in the audit (e.g. 换零钱)")
    p.add_argument("--cashier", metavar="ID", help="the cashier at the till (default [operator] id)")
    p.add_argument("--list", action="store_true", help="the drawer's openings, newest first")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_drawer)
