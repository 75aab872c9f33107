"""Headless commands of the settlement engine: config, settle, refund, sync, journal, reconcile, stats, drawer
(operator, shift, catalogue: ecpos/till.py).

Exit codes (DESIGN.md): 0 done; 2 bad input (the message says what to fix); 3 platform unreachable or the
outcome unknown (work kept: queued refund, sale waiting for sync); 4 refused by the platform or the
credential service. --json prints the platform's field names plus status.
"""
from __future__ import annotations

import logging
import sys
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from config import PROFILES
from ecpos.till import quote_tender, signed_in, tender_json
from terminal import logs
from terminal.sale.items import load_items
from terminal.money import total
from terminal.office import books
from terminal.sale.tender import METHODS, TenderError
from terminal import config as config_mod
from cmdline.pins import pin_from_env_or_prompt
from cmdline.options import load_config, print_json
from terminal.errors import EcposError, OperatorError, PlatformError
from ecpos.output import fail
from terminal.sale.records import to_json
from terminal.states import RefundState, SaleState

SETTLEMENT_FIELDS = ("setl_id", "mdtrt_id", "psn_no", "msgid", "setl_time", "medfee_sumamt", "fund_pay_sumamt",
                     "psn_part_amt", "acct_pay", "psn_cash_pay", "hosp_part_amt", "balc", "insutype")


def _counter(args, profile: str | None = None):
    from terminal.counter import Counter  # why: ~50 ms, only for commands that sell
    return Counter(load_config(args, profile))


_fail = fail  # the name the commands use


def cmd_settle(args) -> int:
    """Scan-to-settle without a screen: items file, code (or an ID / social-security card number), (register,)
    pre-settle, tender check, settle, tender recorded. --self-pay: no insurance, the tender pays it all."""
    try:
        items = load_items(args.items)
    except EcposError as e:
        return _fail(args, e)
    from terminal.checkout import Checkout  # with the Counter: only a command that settles loads them
    counter = _counter(args, args.profile)
    sale = Checkout(counter)
    try:
        items = sale.bill(items)  # an unknown 开单科室, a 追溯码 sold already: refused before anything is sent
        if args.buyer_id or args.buyer_name:  # 含麻黄碱类复方制剂: the buyer for the register
            sale.take_buyer(args.buyer_id or "", args.buyer_name or "")
        sale.check_rules()  # over the limit, no buyer: refused before the patient's code is used
        counter.book_to(signed_in(counter.journal, args.cashier, counter.operator, purpose="settle"))
        if args.self_pay:
            return _self_pay(args, sale)
        if args.qr:
            patient = sale.identify(args.qr)
        else:
            patient = sale.identify_card("02" if args.id_card else "03", args.id_card or args.ss_card)
        sale.register(args.dept or "", args.doctor or "")
        quote = sale.quote()  # [trace] required: refused before the pre-settlement
        try:
            due = _adjusted(args, sale) or quote.psn_cash_pay  # 整单折扣 / 抹零: the cash part only
            tender = quote_tender(args, due)  # before settling: a short payment settles nothing
        except EcposError:
            sale.cancel()
            raise
        s = sale.confirm(tender)  # the tender booked (collected when the profile left it due) after settling
        trace = sale.trace_summary()
        drawer = pulse_after_sale(counter, s.sale_id)  # cash went in: the drawer opens ([printer] cash_drawer)
        receipt = _print_receipt(sale)  # after the tender: the receipt lists it
    except EcposError as e:
        return _fail(args, e)
    finally:
        counter.close()
    out = {k: to_json(getattr(s, k)) for k in SETTLEMENT_FIELDS}
    out.update({"status": str(SaleState.SETTLED), "psn_name": s.name_masked, "certno": s.id_masked,
                "family_of": s.family_of, "sale_id": s.sale_id, "opter": counter.operator,
                "mdtrt_cert_type": patient.mdtrt_cert_type, "receipt": receipt, "receipt_pending": not receipt,
                **tender_json(tender), **_adjustment_json(sale.adjustment), "drawer_opened": drawer,
                "trace": trace})
    if args.json:
        print_json(out)
    else:
        who_line = f"{s.name_masked} {s.id_masked}" + (f"（家庭成员凭证，持码人 {s.family_of}）" if s.family_of else "")
        print(f"结算成功 setl_id={s.setl_id}\n  参保人 {who_line}\n  总额 {s.medfee_sumamt}  统筹 {s.fund_pay_sumamt}"
              f"  个账 {s.acct_pay}  现金 {s.psn_cash_pay}")
        for t in trace:
            if t["expected"]:
                print(f"  第 {t['line']} 行追溯码 {len(t['trace'])}/{t['expected']}，已上报 {t['reported']}"
                      + (f"，未扫 {t['missing']} 盒" if t["missing"] else ""))
        if sale.adjustment is not None:
            print("  " + "\n  ".join(sale.adjustment.receipt_lines()))
        if tender is not None:
            print("  " + "\n  ".join(tender.receipt_lines()))
    return 0


def _adjusted(args, sale, self_pay: bool = False):
    """settle --discount / --round: the cash part (--self-pay: the bill) to take after them (a supervisor's PIN
    from ECPOS_SUPERVISOR_PIN or a prompt allows it), None without them."""
    if not (args.discount or args.round):
        return None
    if not args.supervisor:
        raise EcposError("折扣或抹零须主管授权：请加 --supervisor 主管工号（密码取自 ECPOS_SUPERVISOR_PIN 或提示输入）",
                         key="adjust_supervisor")
    pin = pin_from_env_or_prompt("ECPOS_SUPERVISOR_PIN", f"主管 {args.supervisor} 密码：")
    return sale.adjust(args.discount or "", args.round or "", args.supervisor, pin, self_pay).pay


def _adjustment_json(adj) -> dict:
    """--json fields of a 整单折扣 / 抹零: what was given up of the platform's psn_cash_pay, and by whom."""
    if adj is None:
        return {}
    return {"adjustment": {"psn_cash_pay": f"{adj.due:.2f}", "discount": f"{adj.discount:.2f}",
                           "rounding": f"{adj.rounding:.2f}", "cash_paid": f"{adj.pay:.2f}",
                           "authorized_by": adj.by}}


def cmd_collect(args) -> int:
    """The cash part a kiosk sale left due at the window (its slip's 流水号): the tender is booked to the
    cashier's shift and the sale is no longer owed."""
    from terminal.checkout import Checkout  # why: as in cmd_settle
    counter = _counter(args, args.profile)
    try:
        sale = Checkout.owed(counter, args.setl_id)  # refused when unknown or nothing is owed
        due = sale.cash_due
        counter.operator = signed_in(counter.journal, args.cashier, counter.operator, purpose="collect")
        tender = quote_tender(args, due)
        if tender is None:
            raise TenderError(f"应收现金 {due:.2f} 元：请用 --cash-received 或 --tender 说明收款", key="tender_missing")
        sale.collect(tender)
        drawer = pulse_after_sale(counter, sale.sale_id)  # the cash went into this counter's drawer
    except EcposError as e:
        return _fail(args, e)
    finally:
        counter.close()
    if args.json:
        print_json({"status": "collected", "sale_id": sale.sale_id, "setl_id": args.setl_id,
                    "amount": f"{due:.2f}", "opter": counter.operator, **tender_json(tender),
                    "drawer_opened": drawer})
    else:
        print(f"已收取 流水号 {args.setl_id} 的现金部分 {due:.2f} 元\n  " + "\n  ".join(tender.receipt_lines()))
    return 0


def _print_receipt(sale) -> str:
    """Print the sale's receipt as the app does (the journal's receipt with operator and tenders, on the
    configured printer: a file under receipts/ by default); returns the plain-text copy's path, "" when it
    was not printed. The sale is settled whatever happens here: any trouble is a printing message (the
    receipt waits for `ecpos reprint`), never a failed command."""
    # why: the printer loads only when this command runs (every ecpos command imports this module)
    from drivers.printer import PrinterError, ReceiptPrinter
    sale_id = sale.sale_id
    try:
        return str(ReceiptPrinter(sale.counter.cfg).print(sale.receipt()))
    except Exception as e:  # noqa: BLE001 — after a settlement nothing may turn it into a failure
        if not isinstance(e, PrinterError):
            logging.getLogger("ecpos").error("receipt_not_printed sale_id=%s", sale_id, exc_info=e)
            e = PrinterError("小票未能生成，请稍后重打（ecpos reprint）；结算已完成不受影响",
                             detail=f"{type(e).__name__}: {e}")
        logs.event("receipt_not_printed", sale_id=sale_id, error=e.detail)
        print(f"警告：{e.message}\n[{e.key}]", file=sys.stderr)
        return ""


def _self_pay(args, sale) -> int:
    """settle --self-pay: the whole bill by --cash-received or --tender, journaled as self_paid."""
    counter = sale.counter
    amount = total(i.amount for i in sale.items)
    tender = quote_tender(args, _adjusted(args, sale, self_pay=True) or amount)
    if tender is None:
        raise EcposError("自费结算请用 --cash-received 金额 或 --tender 方式:凭证号 说明如何收款", key="tender_missing")
    sale_id = sale.self_pay(tender)
    drawer = pulse_after_sale(counter, sale_id)
    out = {"status": str(SaleState.SELF_PAID), "sale_id": sale_id, "medfee_sumamt": f"{amount:.2f}",
           "psn_cash_pay": f"{amount:.2f}", "opter": counter.operator, **tender_json(tender), "drawer_opened": drawer,
           **_adjustment_json(sale.adjustment),
           "trace": sale.trace_summary()}
    if args.json:
        print_json(out)
    else:
        lines = (sale.adjustment.receipt_lines() if sale.adjustment else []) + tender.receipt_lines()
        print(f"自费收款完成 sale={sale_id} 金额 {amount:.2f}\n  " + "\n  ".join(lines))
    return 0


def cmd_refund(args) -> int:
    """Queue a refund from the journal and try to forward it at once."""
    amount = None
    if args.amount:
        try:
            amount = Decimal(args.amount)
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite():
            return _fail(args, EcposError(f"金额格式错误：{args.amount}；请输入结算金额，如 37.50",
                                          key="refund_amount"))
    counter = _counter(args)
    try:
        try:  # the cashier's own PIN too; refunds.queue checks it after the reason (and audits a refusal)
            cashier_pin = pin_from_env_or_prompt("ECPOS_PIN", f"收银员 {args.cashier} 密码：")
        except OperatorError:
            cashier_pin = ""
        try:
            pin = pin_from_env_or_prompt("ECPOS_SUPERVISOR_PIN", f"主管 {args.supervisor} 密码：")
        except OperatorError:
            pin = None  # refunds.queue refuses and audits the missing PIN
        counter.book_to(args.cashier)  # the refund's requests are the cashier's (their PIN is checked first)
        t = counter.queue_refund(args.setl_id, args.reason, args.cashier, args.supervisor, pin, amount,
                                 cashier_pin=cashier_pin)
        from terminal.checkout import hand_back  # why: the sale's script (~0.1 s) only when a refund is made
        back = hand_back(counter, t, args.cashier)  # at once; the platform follows a queued refund
        if back.get("cash"):
            pulse_after_refund(counter, t.refund_id)  # the cash comes out of the drawer
    except EcposError as e:
        return _fail(args, e, setl_id=args.setl_id)
    finally:
        counter.close()
    # medfee_sumamt: the platform's name for the amount (a whole settlement is cancelled).
    out = {"status": t.status, "setl_id": t.setl_id, "refund_id": t.refund_id, "amount": str(t.amount),
           "medfee_sumamt": str(t.amount), "msgid": t.msgid, "message": t.message,
           "cash_back": f"{back.get('cash', 0):.2f}", "handed_back": {m: f"{a:.2f}" for m, a in back.items()}}
    if args.json:
        print_json(out)
    else:
        text = {RefundState.REFUNDED: "已退费", RefundState.QUEUED: t.message,
                RefundState.FAILED: f"医保平台拒绝退费：{t.message}；该结算仍为已结算，核实后可重新退费"}[t.status]
        print(f"{text} setl_id={t.setl_id} 金额 {t.amount}")
        for m, a in back.items():
            print(f"  请退还{'现金' if m == 'cash' else METHODS[m] + '（原渠道）'} {a:.2f} 元")
    return {RefundState.REFUNDED: 0, RefundState.QUEUED: 3, RefundState.FAILED: 4}[t.status]


def cmd_sync(args) -> int:
    """Resolve unknown outcomes and forward queued refunds. Exit 0 done (or another sync is doing it),
    3 platform unreachable or an answer lost (work kept for the next sync), 4 the platform refused something."""
    from terminal.office.sync import BUSY  # why: sync and its refunds (~50 ms) only for `ecpos sync`
    counter = _counter(args)
    try:
        report = counter.sync()
    finally:
        counter.close()
    trace = report.trace or {}
    if report.error == BUSY:
        status, code = "busy", 0
    elif not report.online or report.error.startswith("platform_unknown") or trace.get("error"):
        status, code = "offline", 3
    elif report.failed or report.error or trace.get("refused"):
        status, code = "refused", 4
    else:
        status, code = "ok", 0
    out = {"status": status, **to_json(report)}
    if args.json:
        print_json(out)
    else:
        for r in report.reversed:
            if "refund_id" in r:
                print(f"退费结果未知，已冲正（{r['rslt']}）并将重新上传：msgid={r['msgid']}")
            else:
                print(f"结算结果未知，已冲正（{r['rslt']}）：请重新结算 sale={r['sale_id']} msgid={r['msgid']}")
        for r in report.refunded:
            print(f"已退费 setl_id={r['setl_id']}")
        for r in report.failed:
            print(_failed_line(r))
        for r in trace.get("refused", []):
            print(f"药品追溯码上报被拒绝（{r['infno']}，第 {r['sale_id']} 笔）：{r['msg']}；请核对药盒后联系医保经办机构")
        if trace.get("accepted"):
            print(f"药品追溯码已上报 {trace['accepted']} 次")
        if status == "busy":
            print("另一个同步正在进行（收银程序的后台同步），本次未发送；稍后可再运行 ecpos sync")
        elif status == "offline":
            print("医保平台暂时无法连接或未应答：未完成的业务已保留，联网后再运行 ecpos sync")
        print(f"待上传退费 {report.queued_refunds} 笔，待确认结算 {report.unknown_outcomes} 笔，"
              f"待上报追溯码 {trace.get('open', 0)} 次"
              + (f"；{report.error}" if report.error and status != "busy" else ""))
    return code


def _failed_line(r: dict) -> str:
    """One refused item of a sync, with what to do next."""
    if r["kind"] == "refund":
        return (f"退费被拒绝 setl_id={r.get('setl_id', '')}：{r['err_msg']}；该结算仍为已结算，核实后可重新退费"
                f"（ecpos refund）")
    if r["kind"] == "reverse":
        return f"冲正被拒绝 sale={r.get('sale_id') or ''} msgid={r['msgid']}：{r['err_msg']}；{r['action']}"
    return (f"撤销未完成的就诊被拒绝 sale={r.get('sale_id', '')}：{r['err_msg']}；已关闭该记录，"
            f"请在医保平台核对该就诊")


def cmd_journal(args) -> int:
    """List the journal's sales, or check its audit chain."""
    with books.opened(load_config(args), accept_older=args.accept_restored) as journal:
        if args.accept_restored:
            try:
                lost, was = journal.accept_restored(_slip(args.slip) if args.slip else None)
            except EcposError as e:
                return _fail(args, e)
            print(f"已接受恢复的交易日志：第 {lost}–{was} 条变更已丢失（已记入审计日志）；请用 ecpos reconcile 与医保平台核对"
                  f"这段时间的结算和退费", file=sys.stderr)
            return _verify(args, journal)
        if args.verify:
            return _verify(args, journal)
        from terminal.office import reports  # why: reports (~20 ms) only for the commands that read them
        rows = reports.sales(journal, args.search or "")
    if args.json:
        print_json([to_json(r) for r in rows])
    else:
        for r in rows:
            print(f"{r.sale_id:>6} {r.day} {r.status:<13} {r.setl_id or '-':<24} {r.medfee_sumamt:>10} "
                  f"{r.name_masked} {r.note}")
    return 0


def _slip(text: str, allow_none: bool = True) -> tuple[int, str]:
    """--slip N:HEX, the chain head a day-close slip printed (第 N 条 HEX); "none" (0, "") with --accept-restored
    when the till has no slip."""
    if allow_none and text.strip().lower() == "none":
        return 0, ""
    seq, _, prefix = text.partition(":")
    if not (seq.isdigit() and len(prefix) >= 8 and all(ch in "0123456789abcdefABCDEF" for ch in prefix)):
        raise EcposError(f"--slip 格式应为 条数:链头前几位（至少 8 位十六进制），如日结单上的 “第 42 条 3f9a1c2b7d4e5f60” "
                         f"写作 42:3f9a1c2b7d4e5f60：{text!r}", key="slip_format")
    return int(seq), prefix


def _verify(args, journal) -> int:
    """`journal --verify`: the audit table's own chain, and the keyed chain over every row change with its head."""
    slip = None
    if args.slip and not args.accept_restored:  # "N:HEX" as a day-close slip prints it (第 N 条 HEX)
        try:
            seq, prefix = _slip(args.slip, allow_none=False)
        except EcposError as e:
            return _fail(args, e)
        slip = {"seq": seq, "mac": prefix, "ok": journal.holds(seq, prefix)}
    r, p = journal.verify_chain(), journal.verify_rows()
    ok = r.ok and p.ok and (slip is None or slip["ok"])
    out = {"status": "ok" if ok else "broken", "rows": r.rows, "algo": r.algo, "bad_seq": r.bad_seq,
           "reason": r.reason, "chain": {"ok": p.ok, "entries": p.entries, "head_seq": p.head_seq,
                                         "head_mac": p.head_mac, "bad_seq": p.bad_seq, "table": p.table,
                                         "row": p.row, "reason": p.reason},
           **({"slip": slip} if slip else {})}
    if args.json:
        print_json(out)
    elif ok:
        print(f"审计链完整：{r.rows} 条（{r.algo}）\n日志链完整：{p.entries} 条变更（HMAC-SM3），"
              f"链头 第 {p.head_seq} 条 {p.head_mac[:16]}" + ("\n日结单上的链头仍在日志中" if slip else ""))
    keep = f"请勿再修改本机数据，保留 {journal.path} 和 {journal.keys.dir} 原样（可复制一份）并联系信息科"
    if not r.ok:
        logs.event("audit_chain_broken", bad_seq=r.bad_seq, reason=r.reason)
        print(f"审计链被篡改：第 {r.bad_seq} 条，{r.reason}；交易日志在写入后被改动过：{keep}\n[audit_chain_broken]",
              file=sys.stderr)
    if not p.ok:
        logs.event("journal_chain_broken", bad_seq=p.bad_seq, table=p.table, row=p.row, reason=p.reason)
        where = f"第 {p.bad_seq} 条" if p.bad_seq else f"{p.table} 第 {p.row} 行" if p.table else "触发器"
        print(f"交易日志被改动过（{where}）：{p.reason}；{keep}\n[journal_chain_broken]", file=sys.stderr)
    if slip and not slip["ok"]:
        logs.event("journal_slip_missing", seq=slip["seq"])
        print(f"日结单上的日志链头（第 {slip['seq']} 条 {slip['mac']}）在交易日志中找不到：日志在日结之后被截断、换成了旧备份"
              f"或被改写；{keep}\n[journal_slip_missing]", file=sys.stderr)
    return 0 if ok else 2


def cmd_reconcile(args) -> int:
    """3201 per insutype for a day, 5203 per settlement; exit 4 when the platform disagrees."""
    from terminal.office import reports  # why: as in cmd_journal
    counter = _counter(args)
    try:
        rec = counter.reconcile(args.date)
        tenders = reports.day_tenders(counter.journal, rec.date)  # the day's money by method, for the day close
    except EcposError as e:
        return _fail(args, e)
    finally:
        counter.close()
    out = {"status": "ok" if rec.ok else "mismatch", "date": rec.date, "groups": rec.groups,
           "tenders": {m: {k: f"{v:.2f}" for k, v in t.items()} for m, t in tenders.items()},
           "mismatches": rec.mismatches, "unresolved": rec.unresolved,
           "chain_head": {"seq": rec.chain_head[0], "mac": rec.chain_head[1]}}
    if args.json:
        print_json(out)
    else:
        from terminal.office.reports import group_line  # why: as in cmd_journal
        for g in rec.groups:
            print(group_line(g))
        for m in rec.mismatches:
            print(f"不符 setl_id={m['setl_id']}：{m['detail']}")
        for u in rec.unresolved:
            print(f"结果待确认 sale={u['sale_id']} msgid={u['msgid']} 金额 {u['medfee_sumamt']}：{u['note']}")
        for line in reports.tender_lines(tenders):
            print(f"按支付方式 {line}")
        print("对账一致" if rec.ok else "对账不一致")
        print(f"日志链头 {rec.chain_head_text}（请与日结单一起保存）")
    return 0 if rec.ok else 4


def cmd_stats(args) -> int:
    """Settlements by credential type and the e-credential rate; --csv writes the bureau's file."""
    from terminal.office import reports  # why: as in cmd_journal
    cfg = load_config(args)
    with books.opened(cfg) as journal:
        try:
            st = reports.stats(journal, cfg, args.frm, args.to)
        except EcposError as e:
            return _fail(args, e)
    if args.csv:
        try:
            Path(args.csv).write_text(st.csv(), encoding="utf-8-sig")  # BOM: Excel opens it as UTF-8
        except OSError as e:
            return _fail(args, EcposError(f"无法写入 CSV 文件 {args.csv}：{e.strerror or e}；请检查目录是否存在、"
                                          f"是否有写权限", key="stats_csv_write"))
    if args.json:
        print_json({"status": "ok", "from": st.frm, "to": st.to, "target": str(st.target), "rows": st.rows,
                    "total": st.total, "trace": st.trace})
    else:
        sys.stdout.write(st.csv() + "\r\n" + st.trace_csv())
    return 0


def cmd_config(args) -> int:
    """Show the effective configuration (secrets hidden)."""
    cfg = load_config(args, prepare=False)  # shows the configuration even when the data dir is wrong
    print_json({"sources": cfg.sources, "data_dir": str(cfg.data_dir), "config": cfg.redacted()})
    return 0


def pulse_after_sale(counter, sale_id: int) -> bool:
    """After `ecpos settle` / `collect`: the drawer opens when the printer has one and the sale took cash
    (checkout.drawer_opens_after). A drawer that does not open is a warning on stderr (audited), never the sale's
    failure. True when it opened."""
    from terminal.checkout import drawer_opens_after  # why: the sale's script (~0.1 s) only for a command that sells
    return _pulse_if(counter, lambda: drawer_opens_after(counter, sale_id), "cash_sale")


def pulse_after_refund(counter, refund_id: int) -> bool:
    """After `ecpos refund` / `return`: the drawer opens when cash is handed back out of it (booked to
    counter.operator, the cashier who hands it back)."""
    from terminal.checkout import drawer_opens_for_refund  # why: as in pulse_after_sale
    return _pulse_if(counter, lambda: drawer_opens_for_refund(counter, refund_id), "cash_refund")


def _pulse_if(counter, opens, why: str) -> bool:
    # why: the printer's modules and the sale's script load only when this command runs (every ecpos command
    # imports this module)
    from drivers.printer import PrinterError, ReceiptPrinter
    from terminal.checkout import drawer_not_opened
    cfg = counter.cfg
    try:
        if not opens():
            return False
        ReceiptPrinter(cfg).open_drawer(cfg.printer.drawer_pin)
        return True
    except Exception as e:  # noqa: BLE001 — the sale is settled: whatever happens here is a message
        if not isinstance(e, PrinterError):
            e = PrinterError("钱箱未能打开，请用钥匙打开", detail=f"{type(e).__name__}: {e}")
        e.message += "；本单已完成不受影响"
        try:
            drawer_not_opened(counter, counter.operator, why, e.detail or e.message)
        except Exception:  # noqa: BLE001 — the journal's own trouble is reported elsewhere
            pass
        print(f"警告：{e.message}\n[{e.key}]", file=sys.stderr)
        return False


def cmd_drawer(args) -> int:
    """Open the cash drawer for a supervisor (PIN, reason; audited), or list who opened it."""
    if args.list:
        from terminal.office import reports  # why: as in cmd_journal
        with books.opened(load_config(args)) as journal:
            rows = reports.drawer_openings(journal, args.limit)
        if args.json:
            print_json(rows)
        for r in [] if args.json else rows:
            when = datetime.fromisoformat(r["at"]).astimezone().strftime("%Y-%m-%d %H:%M:%S")
            what = "开钱箱" if r["opened"] else "钱箱未能打开"
            why = {"cash_sale": "现金收款", "cash_refund": "现金退款"}.get(r.get("why", ""), r.get("why", ""))
            extra = f" 收银员 {r['cashier']}" if r.get("cashier") else f" 交易 {r['sale_id']}" if r.get("sale_id") else ""
            print(f"{when} {what} {r['actor']} 原因：{why}{extra}")
        return 0
    if not args.supervisor or not args.reason:
        return _fail(args, EcposError("请用 --supervisor 工号 --reason 原因 打开钱箱（或 --list 查看记录）",
                                      key="drawer_usage"))
    counter = _counter(args)
    cfg = counter.cfg
    try:
        if not cfg.printer.cash_drawer:
            raise EcposError("本收银台未设置钱箱，请联系信息科", key="drawer_not_configured",
                             detail="[printer] cash_drawer = false")
        try:
            pin = pin_from_env_or_prompt("ECPOS_SUPERVISOR_PIN", f"主管 {args.supervisor} 密码：")
        except OperatorError:
            raise EcposError("需要主管密码：请设置环境变量 ECPOS_SUPERVISOR_PIN，或在终端中运行以输入密码",
                             key="drawer_no_pin") from None
        cashier = args.cashier or cfg.operator.id
        # why: as in _pulse_if
        from drivers.printer import PrinterError, ReceiptPrinter
        from terminal.checkout import drawer_not_opened, open_drawer
        open_drawer(counter, args.supervisor, pin, args.reason, cashier)
        try:
            ReceiptPrinter(cfg).open_drawer(cfg.printer.drawer_pin)
        except PrinterError as e:
            drawer_not_opened(counter, args.supervisor, args.reason, e.detail or e.message)
            return _fail(args, e)  # as `ecpos reprint` does: the message says what to check (exit 2)
    except EcposError as e:
        return _fail(args, e)
    finally:
        counter.close()
    if args.json:
        print_json({"status": "opened", "supervisor": args.supervisor, "reason": args.reason, "cashier": cashier})
    else:
        print(f"钱箱已打开：主管 {args.supervisor}，原因 {args.reason}（已记入审计）")
    return 0


def register(sub) -> None:
    """Add the engine's commands to the `ecpos` parser."""
    p = sub.add_parser("config", help="show the effective configuration (secrets hidden)")
    p.add_argument("--profile", choices=config_mod._profiles.PROFILES)
    p.set_defaults(func=cmd_config)

    p = sub.add_parser("settle", help="headless scan-to-settle")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--qr", metavar="CODE", help="the scanned 医保码 text")
    who.add_argument("--id-card", metavar="NUMBER", help="no 医保码: the ID card number (counted as 02)")
    who.add_argument("--ss-card", metavar="NUMBER", help="no 医保码: the social-security card number (03)")
    who.add_argument("--self-pay", action="store_true", help="no insurance: the tender pays the whole bill")
    p.add_argument("--items", required=True, metavar="FILE", help='JSON [{"code","name","qty","price"}] or CSV')
    p.add_argument("--cashier", metavar="ID", help="book to this cashier (PIN from ECPOS_PIN or a prompt); "
                   "default [operator] id")
    p.add_argument("--cash-received", metavar="AMOUNT", help="cash the patient gave for the self-pay part")
    p.add_argument("--tender", metavar="METHOD:REF", help="wechat|alipay|card|other:REFERENCE (or cash:AMOUNT); "
                   "split: METHOD:AMOUNT:REF,...,cash:RECEIVED (组合支付)")
    p.add_argument("--discount", metavar="YUAN|N折", help="整单折扣 of the cash part: yuan off (5) or 折 (9.5折); "
                   "needs --supervisor")
    p.add_argument("--round", choices=("jiao", "yuan"), help="抹零 of the cash part: jiao drops the 分, yuan the 角 "
                   "and 分; needs --supervisor")
    p.add_argument("--supervisor", metavar="ID", help="who allows --discount / --round (PIN from "
                   "ECPOS_SUPERVISOR_PIN or a prompt)")
    p.add_argument("--profile", choices=PROFILES)
    p.add_argument("--buyer-id", metavar="ID", help="registered drugs (含麻黄碱类复方制剂): the buyer's 身份证号码")
    p.add_argument("--buyer-name", metavar="NAME", help="registered drugs: the buyer's name")
    p.add_argument("--dept", help="clinic/kiosk: department code (default: the first configured)")
    p.add_argument("--doctor", help="clinic/kiosk: doctor code (default: the first configured)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_settle)

    p = sub.add_parser("collect", help="take the cash part a kiosk sale left due at the window (its 流水号)")
    p.add_argument("setl_id", help="the slip's 流水号")
    p.add_argument("--cashier", metavar="ID", help="book to this cashier (PIN from ECPOS_PIN or a prompt)")
    p.add_argument("--cash-received", metavar="AMOUNT", help="cash the patient gave")
    p.add_argument("--tender", metavar="METHOD:REF", help="wechat|alipay|card|other:REFERENCE (or cash:AMOUNT)")
    p.add_argument("--profile", choices=PROFILES)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_collect)

    p = sub.add_parser("drawer", help="open the cash drawer (supervisor PIN from ECPOS_SUPERVISOR_PIN or a prompt, "
                                      "a reason; audited), or --list who opened it")
    p.add_argument("--supervisor", metavar="ID")
    p.add_argument("--reason", help="why, recorded in the audit (e.g. 换零钱)")
    p.add_argument("--cashier", metavar="ID", help="the cashier at the till (default [operator] id)")
    p.add_argument("--list", action="store_true", help="the drawer's openings, newest first")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_drawer)

    p = sub.add_parser("refund", help="queue an offline refund of a settled sale (supervisor PIN needed)")
    p.add_argument("setl_id", metavar="SETL_ID")
    p.add_argument("--reason", required=True)
    p.add_argument("--cashier", required=True, metavar="ID")
    p.add_argument("--supervisor", required=True, metavar="ID")
    p.add_argument("--amount", help="must equal the settled total (2103/2208 cancel a whole settlement)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_refund)

    p = sub.add_parser("sync", help="forward queued refunds, resolve unknown outcomes")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_sync)

    p = sub.add_parser("journal", help="the journal's sales; --verify checks the audit chain and the keyed "
                                       "chain of every row change")
    p.add_argument("--json", action="store_true")
    p.add_argument("--verify", action="store_true")
    p.add_argument("--slip", metavar="N:HEX", help="with --verify or --accept-restored: the chain head the last "
                                                   "day-close slip printed (第 N 条 HEX) must still be in the journal "
                                                   "(--accept-restored --slip none: the till has no slip)")
    p.add_argument("--accept-restored", action="store_true",
                   help="go on from a restored journal older than the chain's head or this machine's witness of it "
                        "(the loss is audited)")
    p.add_argument("--search", help="setl_id, msgid, psn_no, mdtrt_id or a status")
    p.set_defaults(func=cmd_journal)

    p = sub.add_parser("reconcile", help="reconcile a day with the platform (3201, 5203)")
    p.add_argument("--date", required=True, metavar="YYYY-MM-DD")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_reconcile)

    p = sub.add_parser("stats", help="e-credential settlement rate per day and operator")
    p.add_argument("--from", dest="frm", required=True, metavar="YYYY-MM-DD")
    p.add_argument("--to", required=True, metavar="YYYY-MM-DD")
    p.add_argument("--csv", metavar="FILE")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_stats)
