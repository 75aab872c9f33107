"""`ecpos fleet ...`: init, push, stats, money, reconcile, status, verify, serve. Every command takes --dsn (else
ECPOS_FLEET_DSN, else [fleet] dsn); --json answers have the shape of the till's own commands, with the till
in each row. Exit codes as everywhere: 0 done, 2 bad input / differences found, 3 database unreachable,
4 the platform disagrees (reconcile)."""
from __future__ import annotations

import sys
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path

from cmdline.listen import bind
from cmdline.options import load_config, print_json
from terminal import logs
from terminal.errors import EcposError
from terminal.journal.journal import Journal


def _fail(args, e: EcposError) -> int:
    """As every ecpos command fails: JSON on stdout with --json, the Chinese message and key on stderr."""
    logs.event("command_failed", command=f"fleet {args.fleet_cmd}", error=e.key, exit_code=e.exit_code)
    if getattr(args, "json", False):
        print_json({"status": {3: "failed"}.get(e.exit_code, "error"), "error": e.key, "message": e.message})
    print(f"错误：{e.message}\n[{e.key}]{' ' + e.detail if e.detail else ''}", file=sys.stderr)
    return e.exit_code


def _open(args):
    """(cfg, connection) for a fleet command."""
    # why: psycopg and the fleet's modules load only for `ecpos fleet` (every command imports this module)
    from fleet import db
    cfg = load_config(args)
    return cfg, db.connect(db.dsn_of(cfg, args.dsn))


def cmd_init(args) -> int:
    """Create or migrate the fleet schema."""
    # why: psycopg and the fleet's modules load only for `ecpos fleet` (every command imports this module)
    from fleet import db, schema
    try:
        cfg = load_config(args)
        dsn = db.dsn_of(cfg, args.dsn)
        with db.connect(dsn) as conn:
            applied = schema.migrate(conn)
            version = schema.version(conn)
    except EcposError as e:
        return _fail(args, e)
    if args.json:
        print_json({"status": "ok", "applied": applied, "version": version})
    else:
        print(f"机构数据库 {db.safe(dsn)}：架构版本 {version}" + (f"（本次应用 {applied}）" if applied else "（已是最新）"))
    return 0


def cmd_push(args) -> int:
    """One pass: push what waits in this till's journal."""
    # why: psycopg and the fleet's modules load only for `ecpos fleet` (every command imports this module)
    from fleet import db
    from fleet.push import Till, push
    try:
        cfg = load_config(args)
        dsn = db.dsn_of(cfg, args.dsn)
        Journal.for_config(cfg).close()  # creates / upgrades the journal (its replication table) if needed
        r = push(dsn, cfg.data_dir / "journal.sqlite3", Till.of(cfg), batch=cfg.fleet.batch)
    except EcposError as e:
        return _fail(args, e)
    if args.json:
        print_json({"status": "ok", "till": r.till, "pushed": r.pushed, "batches": r.batches, "queue": r.queue,
                    "pushed_seq": r.pushed_seq})
    else:
        print(f"收款台 {r.till}：推送 {r.pushed} 条变更（{r.batches} 批），待推送 {r.queue} 条")
    return 0


def cmd_stats(args) -> int:
    """The institution's e-credential rate per day, till and operator."""
    # why: psycopg and the fleet's modules load only for `ecpos fleet` (every command imports this module)
    from fleet import reports
    try:
        cfg, conn = _open(args)
        with conn:
            st = reports.stats(conn, args.frm, args.to, Decimal(cfg.report.ec_rate_target))
    except EcposError as e:
        return _fail(args, e)
    if args.csv:
        try:
            Path(args.csv).write_text(st.csv(), encoding="utf-8-sig")  # BOM: Excel opens it as UTF-8
        except OSError as e:
            return _fail(args, EcposError(f"无法写入 CSV 文件 {args.csv}：{e.strerror or e}；请检查目录是否存在、"
                                          f"是否有写权限", key="stats_csv_write"))
    if args.json:
        print_json(st.json())
    else:
        sys.stdout.write(st.csv())
    return 0


def cmd_money(args) -> int:
    """The manager's day: money per till and cashier, cash expected vs counted, credential types and the rate,
    refunds and reversals with who authorized them; --xlsx writes the page's Excel workbook."""
    # why: psycopg, openpyxl and the fleet's modules load only for `ecpos fleet` (every command imports this module)
    from fleet import excel, money, reports
    try:
        cfg, conn = _open(args)
        with conn:
            m = money.day(conn, args.date, Decimal(cfg.report.ec_rate_target))
            recs = reports.reconciliations(conn, m.date, m.date)
        if args.xlsx:
            try:
                Path(args.xlsx).write_bytes(excel.workbook(m, recs))
            except OSError as e:
                raise EcposError(f"无法写入 Excel 文件 {args.xlsx}：{e.strerror or e}；请检查目录是否存在、是否有写权限",
                                 key="money_xlsx_write") from None
    except EcposError as e:
        return _fail(args, e)
    if args.json:
        print_json({**m.json(), "reconciliations": recs})
        return 0
    print(f"{m.date} 收款（电子凭证结算率目标 {m.json()['target_percent']}）")
    for r in m.rows:
        print(f"{r['till']:<16} {r['cashier']:<10} 医保 {r['settlements']} 笔 {r['medfee_sumamt']}  自费 {r['self_paid']} 笔 "
              f"{r['self_paid_sumamt']}  现金 {r['cash']}  退费 {r['refunds']} 笔 {r['refund_sumamt']}  "
              f"应有现金 {r['expected_cash']} 清点 {r['counted'] or '未交班'}  结算率 {r['ec_rate']} {r['met']}")
    for r in m.refunds:
        print(f"{r['kind']} {r['till']} {r['time']} {r['setl_id']} {r['amount']} 收银员 {r['cashier']} "
              f"授权 {r['authorized_by']} {r['reason']} {r['status']}")
    if not m.rows:
        print("这一天没有收款记录")
    return 0


def cmd_reconcile(args) -> int:
    """3201 for the whole institution's day (every till's rows in the fleet database), 5203 per settlement."""
    # why: psycopg and the fleet's modules load only for `ecpos fleet` (every command imports this module)
    from fleet import reports
    from fleet.push import Till
    from terminal.counter import Counter
    try:
        cfg, conn = _open(args)
        with conn:
            counter = Counter(cfg)
            try:
                rec = counter.reconcile(args.date, totals=lambda day: reports.day_totals(conn, day))
            finally:
                counter.close()
            out = {"status": "ok" if rec.ok else "mismatch", "date": rec.date, "groups": rec.groups,
                   "mismatches": rec.mismatches}
            reports.record_reconciliation(conn, Till.of(cfg).name, out)
    except EcposError as e:
        return _fail(args, e)
    if args.json:
        print_json(out)
    else:
        from terminal.office.reports import group_line  # why: as the fleet's modules above
        for g in rec.groups:
            print(group_line(g))
        for m in rec.mismatches:
            print(f"不符 收款台={m['till']} setl_id={m['setl_id']}：{m['detail']}")
        print("全机构对账一致" if rec.ok else "全机构对账不一致")
    return 0 if rec.ok else 4


def cmd_status(args) -> int:
    """Each till: last push, queue, unknown outcomes, chain head."""
    # why: psycopg and the fleet's modules load only for `ecpos fleet` (every command imports this module)
    from fleet import reports
    try:
        _, conn = _open(args)
        with conn:
            tills = reports.status(conn)
    except EcposError as e:
        return _fail(args, e)
    if args.json:
        print_json({"status": "ok", "tills": [asdict(t) for t in tills]})
    else:
        for t in tills:
            print(f"{t.till:<16} 最近推送 {t.last_push or '从未'}{'' if t.pushing else '（未在推送）'} "
                  f"待推送 {t.queue} 结果未知 {t.unknown_outcomes} 待上传退费 {t.queued_refunds} "
                  f"审计链 {t.chain_seq}:{t.chain_hash[:12]}")
        if not tills:
            print("还没有收款台推送过；在各收款台配置 [fleet] dsn 后运行 ecpos fleet push")
    return 0


def cmd_verify(args) -> int:
    """Every row in the fleet database against its digest; on a till, its journal against the database too."""
    # why: psycopg and the fleet's modules load only for `ecpos fleet` (every command imports this module)
    from fleet import reports
    from fleet.push import Till
    try:
        cfg, conn = _open(args)
        journal = None
        if (cfg.data_dir / "journal.sqlite3").exists() and not args.database_only:
            journal = Journal.for_config(cfg)
        with conn:
            checked, diffs = reports.verify(conn, journal, Till.of(cfg).name)
        if journal is not None:
            journal.close()
    except EcposError as e:
        return _fail(args, e)
    if args.json:
        print_json({"status": "ok" if not diffs else "broken", "rows": checked,
                    "differences": [asdict(d) for d in diffs]})
    else:
        for d in diffs:
            print(f"不符 收款台={d.till} {d.table} {d.key}（{'机构数据库' if d.where == 'postgres' else '本机'}）："
                  f"{d.detail}", file=sys.stderr)
        print(f"已核对 {checked} 条记录：" + ("全部一致" if not diffs else f"{len(diffs)} 处不符 [fleet_verify_failed]"))
    return 0 if not diffs else 2


def cmd_serve(args) -> int:
    """The read-only page for the medical-insurance office and IT."""
    # why: psycopg and the fleet's modules load only for `ecpos fleet` (every command imports this module)
    from fleet import db
    try:
        cfg = load_config(args)
        dsn = db.dsn_of(cfg, args.dsn)
    except EcposError as e:
        return _fail(args, e)
    import uvicorn  # why: uvicorn and FastAPI load only for `ecpos fleet serve`

    from fleet.web import create_app  # why: as above
    try:
        sock = bind(args.host, args.port, key="fleet_port", hint="--port")
    except EcposError as e:
        return _fail(args, e)
    host, port = sock.getsockname()[:2]
    print(f"机构看板：http://{host}:{port}/ （数据库 {db.safe(dsn)}）", flush=True)  # --port 0: the port it got
    try:
        uvicorn.Server(uvicorn.Config(create_app(cfg, dsn), log_level="warning")).run(sockets=[sock])
    finally:
        sock.close()
    return 0


def register(sub) -> None:
    """Add `ecpos fleet ...` to the parser."""
    p = sub.add_parser("fleet", help="replicate this till to the institution's PostgreSQL; institution reports")
    fs = p.add_subparsers(dest="fleet_cmd", metavar="init|push|stats|money|reconcile|status|verify|serve")
    fs.required = True

    def add(name: str, func, help_: str, json_: bool = True):
        a = fs.add_parser(name, help=help_)
        a.add_argument("--dsn", help="PostgreSQL connection string (else ECPOS_FLEET_DSN / [fleet] dsn)")
        if json_:
            a.add_argument("--json", action="store_true")
        a.set_defaults(func=func)
        return a

    add("init", cmd_init, "create or migrate the fleet schema")
    add("push", cmd_push, "push this till's journal once (the app and agent push in the background)")
    a = add("stats", cmd_stats, "e-credential rate per day, till and operator")
    a.add_argument("--from", dest="frm", required=True, metavar="YYYY-MM-DD")
    a.add_argument("--to", required=True, metavar="YYYY-MM-DD")
    a.add_argument("--csv", metavar="FILE")
    a = add("money", cmd_money, "the manager's day: money per till and cashier, cash, credentials, refunds")
    a.add_argument("--date", required=True, metavar="YYYY-MM-DD")
    a.add_argument("--xlsx", metavar="FILE", help="also write the day as an Excel workbook (the page's export)")
    a = add("reconcile", cmd_reconcile, "reconcile the institution's day with the platform (3201, 5203)")
    a.add_argument("--date", required=True, metavar="YYYY-MM-DD")
    add("status", cmd_status, "each till: last push, queue, unknown outcomes, chain head")
    a = add("verify", cmd_verify, "rows in PostgreSQL against their digests and this till's journal")
    a.add_argument("--database-only", action="store_true", help="skip the comparison with this till's journal")
    a = add("serve", cmd_serve, "the read-only page (login: an admin or supervisor)", json_=False)
    a.add_argument("--host", default="127.0.0.1")
    a.add_argument("--port", type=int, default=8780)
