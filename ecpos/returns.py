"""`ecpos return`: bring back some lines or boxes of a journaled sale (退一盒), terminal/returns.py.

    ecpos return SALE                                   # its lines as they may come back (line, qty, boxes)
    ecpos return SALE --lines 2:1 --lines 3 --reason R --cashier C --supervisor S   (or --all)
    ecpos return --resume ID --qr CODE | --card 02:NUMBER   # the kept lines settled again, the difference back
    ecpos return --list                                 # returns still waiting for something

SALE is the slip's 流水号 (setl_id), or SALE00000012 / 12 for a self-paid sale. PINs come from ECPOS_PIN
(the cashier) and ECPOS_SUPERVISOR_PIN or a no-echo prompt. Exit 0 when the step asked is done (a 医保 return
then waits for the patient's code: state needs_code); 3 while the platform has not answered (work kept: do not
start it again); 4 the platform refused; 2 a guard or bad input.
"""
from __future__ import annotations

import logging
import sys

from ecpos.commands import pulse_after_refund
from ecpos.output import fail
from cmdline.pins import pin_from_env_or_prompt
from cmdline.options import load_config, print_json
from terminal.errors import EcposError, OperatorError, PlatformError
from terminal.states import ReturnState

EXIT = {ReturnState.REVERSING: 3, ReturnState.SETTLING: 3, ReturnState.FAILED: 4}


def _counter(args):
    from terminal.counter import Counter  # why: as in ecpos/commands.py _counter
    return Counter(load_config(args))


def cmd_return(args) -> int:
    from terminal import returns  # why: the return's script (~10 ms) only for `ecpos return`
    if not (args.list or args.resume or args.sale):
        return fail(args, EcposError("请给出结算流水号（或 --resume 退货单号 / --list）", key="return_usage"))
    counter = _counter(args)
    try:
        if args.list:
            out = [_json(counter, r) for r in returns.open_returns(counter.journal)]
            if args.json:
                print_json(out)
            else:
                for r in out:
                    print(f"退货单 {r['return_id']}  结算 {r['setl_id']}  {r['state']}  {r['message']}")
            return 0
        if args.resume:
            card = None
            if args.card:
                kind, _, number = args.card.partition(":")
                card = (kind.strip(), number.strip())
            if not (args.qr or card):
                r = returns.finish(counter, int(args.resume), args.cashier or counter.operator)
                if r.state == returns.NEEDS_CODE:
                    return fail(args, returns.ReturnError(r.message + "（--qr 医保码 或 --card 02:证件号）",
                                                          key="return_needs_code"))
            else:
                r = returns.resettle(counter, int(args.resume), args.qr or "", card,
                                     cashier=args.cashier or counter.operator)
            return _done(args, counter, r)
        if args.all:  # everything still there: a whole refund that knows what earlier returns took
            args.lines = [str(ln["line"]) for ln in returns.returnable(counter.journal, args.sale)[1]] or ["0"]
        if not args.lines:
            sale, lines = returns.returnable(counter.journal, args.sale)
            if args.json:
                print_json({"sale_id": sale["id"], "setl_id": sale["setl_id"], "status": sale["status"],
                            "lines": lines})
            else:
                for ln in lines:
                    print(f"{ln['line']:>3}  {ln['name']}  x{ln['qty']}  单价 {ln['price']}  追溯码 {ln['boxes']} 个")
            return 0
        if not (args.reason and args.cashier and args.supervisor):
            return fail(args, EcposError("退货需要 --reason、--cashier 和 --supervisor", key="return_usage"))
        try:
            cashier_pin = pin_from_env_or_prompt("ECPOS_PIN", f"收银员 {args.cashier} 密码：")
        except OperatorError:
            cashier_pin = ""
        try:
            pin = pin_from_env_or_prompt("ECPOS_SUPERVISOR_PIN", f"主管 {args.supervisor} 密码：")
        except OperatorError:
            pin = None  # refused and audited by the guards
        counter.book_to(args.cashier)
        r = returns.start(counter, args.sale, returns.parse_picks(args.lines), args.reason, args.cashier,
                          args.supervisor, pin, cashier_pin=cashier_pin)
        return _done(args, counter, r)
    except (EcposError, PlatformError) as e:
        return fail(args, e)
    finally:
        counter.close()


def _json(counter, r) -> dict:
    sale = counter.journal.sale(r.sale_id)
    resale = counter.journal.sale(r.resale_id) if r.resale_id else None
    return {"return_id": r.id, "state": r.state, "message": r.message, "sale_id": r.sale_id,
            "setl_id": sale["setl_id"], "refund_id": r.refund_id, "amount": f"{r.amount:.2f}",
            "returned": list(r.returned), "kept": list(r.kept), "resale_id": r.resale_id,
            "resale_setl_id": resale["setl_id"] if resale else "",
            "resale_psn_cash_pay": resale["psn_cash_pay"] if resale else "",
            "handed_back": {m: f"{a:.2f}" for m, a in r.back.items()}}


def _done(args, counter, r) -> int:
    from terminal import returns  # why: as in cmd_return
    out = _json(counter, r)
    if r.state == returns.DONE:
        if r.back.get("cash"):  # the cash comes out of the drawer ([printer] cash_drawer)
            out["drawer_opened"] = pulse_after_refund(counter, r.refund_id)
        printed = _print_papers(counter, r.id)
        out["slip"], out["receipt"] = printed[0], (printed[1] if len(printed) > 1 else "")
    if args.json:
        print_json(out)
    else:
        print(f"退货单 {r.id}：{r.message}")
        for line in returns.hand_back_words(r.back) if r.state == returns.DONE else ():
            print(f"  {line}")
    return EXIT.get(r.state, 0)


def _print_papers(counter, return_id: int) -> list[str]:
    """The return slip and the kept lines' receipt on the configured printer (files under receipts/ by
    default); a printing trouble is a message, never a failed return."""
    # why: the printer's modules and the return's script only for `ecpos return`
    from drivers.printer import ReceiptPrinter
    from terminal import returns
    try:
        printer = ReceiptPrinter(counter.cfg)
        return [str(printer.print(p)) for p in returns.papers(counter.cfg, counter.journal, return_id)]
    except Exception as e:  # noqa: BLE001 — the money already moved: nothing may turn it into a failure
        logging.getLogger("ecpos").error("return_slip_not_printed return_id=%s", return_id, exc_info=e)
        print("警告：退货单未能打印，退货已完成不受影响（ecpos return --resume 可再打印）[slip_not_printed]",
              file=sys.stderr)
        return [""]


def register(sub) -> None:
    p = sub.add_parser("return", help="bring back some lines or boxes of a sale (退一盒; supervisor PIN needed)")
    p.add_argument("sale", nargs="?", metavar="SALE", help="the slip's 流水号, or SALE00000012 for a self-paid sale")
    p.add_argument("--lines", action="append", metavar="LINE[:BOXES]", help="a line (all of it) or some boxes of it")
    p.add_argument("--all", action="store_true", help="every line still there (a self-paid sale's refund)")
    p.add_argument("--reason")
    p.add_argument("--cashier", metavar="ID")
    p.add_argument("--supervisor", metavar="ID")
    p.add_argument("--resume", metavar="RETURN_ID", help="go on with a return: settle the kept lines again")
    p.add_argument("--qr", metavar="CODE", help="the patient's 医保码, shown again for the kept lines")
    p.add_argument("--card", metavar="02:NUMBER", help="or their ID card (02) / social security card (03)")
    p.add_argument("--list", action="store_true", help="returns still waiting for something")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_return)
