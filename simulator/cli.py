"""`ecpos sim ...`: serve the reference service, issue codes, show the roster and the ledger."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

DEFAULT_DB_NAME = "sim.db"


def default_db(args: argparse.Namespace) -> str:
    """<data dir>/sim.db: the same file for `sim serve` and `sim code` unless --db says otherwise."""
    root = getattr(args, "data_dir", None) or os.environ.get("ECPOS_DATA_DIR")
    if not root:
        import platformdirs  # why: 10 ms every ecpos command would pay for, needed only here
        root = platformdirs.user_data_dir("ecpos", appauthor=False)
    return str(Path(root) / DEFAULT_DB_NAME)


def _print_json(obj) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def cmd_serve(args: argparse.Namespace) -> int:
    # why: the reference service loads only for its own commands (every ecpos command imports this module)
    from simulator import checker, faults, server
    try:
        faults.parse(args.faults or "")
    except ValueError as e:
        print(f"错误：故障设置无效 {e}", file=sys.stderr)
        return 2
    try:
        return server.serve(args.host, args.port, args.db or default_db(args), args.faults or "", args.code_ttl,
                            args.channel, args.ca_secret or "")
    except checker.SchemaError as e:
        print(f"错误：接口规范文件已损坏，请改回 UTF-8 或重新安装：{e} [sim_schema_damaged]", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"错误：无法监听 {args.host}:{args.port}：{e} [sim_bind_failed]", file=sys.stderr)
        return 2


def cmd_code(args: argparse.Namespace) -> int:
    # why: the reference service loads only for its own commands (every ecpos command imports this module)
    from simulator import codes
    if args.url:
        import requests  # why: as above
        try:
            r = requests.post(args.url.rstrip("/") + "/admin/code", json={"psn_no": args.psn_no, "by": args.by},
                              timeout=10)
        except requests.RequestException as e:
            print(f"错误：模拟平台无法连接 {args.url}：{e} [sim_unreachable]", file=sys.stderr)
            return 3
        if r.status_code != 200:
            print(f"错误：{r.json().get('error', r.text)} [sim_code_refused]", file=sys.stderr)
            return 2
        code = r.json()["code"]
    else:
        from simulator.store import Store  # why: as above
        db = args.db or default_db(args)
        if not Path(db).exists():  # a new file would hold a code that no running service knows
            print(f"错误：找不到模拟服务的数据库 {db}；请用 --db 指向 ecpos sim serve 的 --db 文件，"
                  f"或用 --url http://HOST:PORT 向正在运行的服务要码 [sim_db_missing]", file=sys.stderr)
            return 2
        store = Store(db)
        try:
            code = codes.issue(store, args.psn_no, by=args.by)
        except codes.IssueError as e:
            print(f"错误：{e} [sim_code_refused]", file=sys.stderr)
            return 2
        finally:
            store.close()
    if args.png:
        import segno  # why: as above
        segno.make(code, error="m").save(args.png, scale=8, border=4)
    print(code, flush=True)
    return 0


def cmd_persons(args: argparse.Namespace) -> int:
    # why: the reference service loads only for its own commands (every ecpos command imports this module)
    from simulator import roster, server
    if args.db:
        from simulator.store import Store  # why: as above
        rows = server.persons(Store(args.db))
    else:
        rows = [roster.describe(p) for p in roster.PERSONS]
    if args.json:
        _print_json(rows)
    else:
        for p in rows:
            fam, link = p["family"], ""
            if fam and fam["role"] == "holder":
                link = f"  family holder of {len(fam['members'])}"
            elif fam:
                link = f"  family member of {fam['holder']} ({fam['relation']})"
            print(f"{p['psn_no']}  {p['name']:<4} {p['status']:<15} {p['insutype'] or '-':<4} "
                  f"{p['balc']:>9} {p['insuplc_admdvs']}{link}")
    return 0


def cmd_ledger(args: argparse.Namespace) -> int:
    # why: the reference service loads only for its own commands (every ecpos command imports this module)
    from simulator import ledger
    from simulator.store import Store
    path = args.db or default_db(args)
    if not Path(path).exists():
        print(f"错误：模拟平台数据库不存在：{path} [sim_db_missing]", file=sys.stderr)
        return 2
    data = ledger.ledger(Store(path))
    if args.json:
        _print_json(data)
    else:
        for s in data["settlements"]:
            print(f"{s['setl_id']}  {s['status']:<9} {s['medfee_sumamt']:>9} fund {s['fund_pay_sumamt']} "
                  f"acct {s['acct_pay']} cash {s['psn_cash_pay']}  {s['psn_no']}")
        print(f"settlements: {len(data['settlements'])}, refunds: {len(data['refunds'])}, "
              f"reversals: {len(data['reversals'])}")
    return 0


def register(sub) -> None:
    p = sub.add_parser("sim", help="the reference insurance platform + credential service (for tests, demos)")
    s = p.add_subparsers(dest="sim_command", metavar="SIM_COMMAND")
    s.required = True

    q = s.add_parser("serve", help="serve the platform and credential service on loopback")
    q.add_argument("--host", default="127.0.0.1")
    q.add_argument("--port", type=int, default=8765, help="0 picks a free port (default 8765)")
    q.add_argument("--db", help="SQLite file (default: <data dir>/sim.db)")
    q.add_argument("--faults", default="", help='e.g. "2102:drop,ec.query:delay:1500,*:down"')
    q.add_argument("--code-ttl", type=float, default=None, help="seconds a code stays valid (default 60)")
    q.add_argument("--channel", default="national", choices=("national", "zhejiang"),
                   help="interface variant: URLs, numbers, node shapes, gateway check (simulator/schema/)")
    q.add_argument("--ca-secret", default="", help="zhejiang gateway: the HMAC-SM3 secret (default ecpos-sim-secret)")
    q.set_defaults(func=cmd_serve)

    q = s.add_parser("code", help="a fresh dynamic code for a person, as the phone would show it")
    q.add_argument("psn_no")
    where = q.add_mutually_exclusive_group()
    where.add_argument("--db", help="the running service's SQLite file (default: <data dir>/sim.db)")
    where.add_argument("--url", help="ask a running service over HTTP instead of writing its file")
    q.add_argument("--by", metavar="HOLDER", help="shown from a family holder's phone (亲情账户)")
    q.add_argument("--png", metavar="FILE", help="also write the QR code as a PNG")
    q.set_defaults(func=cmd_code)

    q = s.add_parser("persons", help="the test roster")
    q.add_argument("--json", action="store_true")
    q.add_argument("--db", help="show current balances from this service file")
    q.set_defaults(func=cmd_persons)

    q = s.add_parser("ledger", help="what the platform side recorded")
    q.add_argument("--db", help="SQLite file (default: <data dir>/sim.db)")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_ledger)
