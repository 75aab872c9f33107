"""Institution-wide answers from the fleet database, in the shapes of the till's own reports
(terminal/office/reports.py) with the till added to each row: the e-credential rate per day, till and operator; the
day's 3201 totals and settlements for reconciliation; each till's push state; and `verify`."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import psycopg
from psycopg.types.json import Jsonb

from fleet import labels
from fleet.push import DROP, digest
from terminal.office import reports
from terminal.money import ZERO

# A till whose last push is older than this is listed as not pushing.
STALE = timedelta(minutes=15)


class FleetStats(reports.Stats):
    """reports.Stats with the till in each row (the total row's till is 全部)."""

    COLUMNS = ("day", "till", "opter", "settlements", "ec_01", "idcard_02", "sscard_03", "ec_rate", "target",
               "met")
    HEADER_ZH = ("日期", "收款台", "操作员", "结算笔数", "医保电子凭证(01)", "身份证(02)", "社保卡(03)",
                 "电子凭证结算率", "目标", "是否达标")

    def json(self) -> dict:
        """The --json answer: `ecpos stats --json`'s shape."""
        return {"status": "ok", "from": self.frm, "to": self.to, "target": str(self.target), "rows": self.rows,
                "total": self.total}


def _with_till(row: dict, till: str) -> dict:
    return {"day": row["day"], "till": till, **row}  # day keeps its place: the till comes second


def stats(pg: psycopg.Connection, frm: str, to: str, target: Decimal) -> FleetStats:
    """Settlements that happened (settled, refund_queued, refunded) between two days on every till, by
    credential type, from sales_daily (kept by a trigger as changes are pushed: migration 2)."""
    frm, to = reports._day(frm, "--from"), reports._day(to, "--to")
    if frm > to:
        raise reports.ReportError("--from 不能晚于 --to", key="report_range")
    whole = {"01": 0, "02": 0, "03": 0}
    rows = []
    for day, till, opter, ec, idcard, other in pg.execute(
            "SELECT day::text, till, opter, coalesce(sum(n) FILTER (WHERE cert = '01'), 0), "
            "coalesce(sum(n) FILTER (WHERE cert = '02'), 0), "
            "coalesce(sum(n) FILTER (WHERE cert NOT IN ('01', '02')), 0) "  # 03 and anything else, as the till
            "FROM sales_daily WHERE day BETWEEN %s AND %s GROUP BY 1, 2, 3 HAVING sum(n) > 0 ORDER BY 1, 2, 3",
            (frm, to)):
        ec, idcard, other = int(ec), int(idcard), int(other)
        counts = {"01": ec, "02": idcard, "03": other}
        for t in whole:
            whole[t] += counts[t]
        rows.append(_with_till(reports._row(day, opter, counts, target), till))
    return FleetStats(frm, to, target, rows, _with_till(reports._row(f"{frm}~{to}", "合计", whole, target), "全部"))


def day_totals(pg: psycopg.Connection, day: str) -> tuple[dict, list]:
    """The institution's day as 3201 counts it (terminal.office.reports.day_totals over every till), and the day's
    settlements for 5203, each with its till."""
    groups: dict[tuple, dict] = defaultdict(lambda: {"medfee_sumamt": ZERO, "fund_pay_sumamt": ZERO,
                                                     "acct_pay": ZERO, "fixmedins_setl_cnt": 0})
    # grouped as terminal.office.reports.group_of does (the clearing fields live in data: added after migration 1)
    keys = ("s.insutype, s.profile, s.insuplc_admdvs, coalesce(s.data->>'clr_type', ''), "
            "coalesce(s.data->>'clr_optins', '')")
    sums = "sum(s.medfee_sumamt), sum(s.fund_pay_sumamt), sum(s.acct_pay), count(*)"
    stood = list(reports.STOOD)
    for sign, sql, args in (
            (1, f"SELECT {keys}, {sums} FROM sales s WHERE s.setl_day=%s AND s.setl_id <> '' "
                f"AND s.status = ANY(%s) GROUP BY 1, 2, 3, 4, 5", (day, stood)),
            (-1, f"SELECT {keys}, {sums} FROM refunds r JOIN sales s ON s.till=r.till AND s.id=r.sale_id "
                 f"WHERE r.setl_day=%s AND r.status='refunded' GROUP BY 1, 2, 3, 4, 5", (day,))):
        for insutype, profile, admdvs, clr_type, clr_optins, medfee, fund, acct, n in pg.execute(sql, args):
            g = groups[reports.group_of({"insutype": insutype, "profile": profile, "insuplc_admdvs": admdvs,
                                         "clr_type": clr_type, "clr_optins": clr_optins})]
            g["medfee_sumamt"] += sign * medfee
            g["fund_pay_sumamt"] += sign * fund
            g["acct_pay"] += sign * acct
            g["fixmedins_setl_cnt"] += n
    settlements = [{**data, "till": till} for till, data in pg.execute(
        "SELECT till, data FROM sales WHERE setl_day=%s AND setl_id <> '' ORDER BY till, id", (day,))]
    return dict(groups), settlements


def record_reconciliation(pg: psycopg.Connection, till: str, out: dict) -> None:
    """Keep a `fleet reconcile` result: the page shows the latest per day and clearing group."""
    with pg.transaction():
        pg.execute("INSERT INTO reconciliations (date, till, status, result) VALUES (%s, %s, %s, %s)",
                   (out["date"], till, out["status"], Jsonb(out)))


def reconciliations(pg: psycopg.Connection, frm: str, to: str) -> list[dict]:
    """Per day (newest first): each clearing group's latest 3201 answer as stored by `fleet reconcile`
    (the page shows these and never calls the platform itself), and the latest run's 5203 mismatches."""
    out: dict[str, dict] = {}
    for date, at, till, result in pg.execute(
            "SELECT date::text, at, till, result FROM reconciliations WHERE date BETWEEN %s AND %s "
            "ORDER BY date DESC, at DESC, id DESC", (frm, to)):
        at = at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
        d = out.setdefault(date, {"date": date, "at": at, "by": till,
                                  "status": result["status"], "groups": {}, "mismatches": result["mismatches"]})
        for g in result["groups"]:
            key = (g["insutype"], g["clr_type"], g["setl_optins"])
            if key not in d["groups"]:  # an older run's answer for a group the latest run did not ask about
                d["groups"][key] = {**g, "at": at, "by": till}
    return [{**d, "groups": [d["groups"][k] for k in sorted(d["groups"])]} for d in out.values()]


# The reconciliation as the page and the Excel file show it: (key, header) per column.
RECONCILE_COLUMNS = (
    ("date", "对账日期"), ("at", "对账时间"), ("by", "发起收款台"), ("insutype", "险种"), ("clr_type", "清算类别"),
    ("setl_optins", "清算机构"), ("fixmedins_setl_cnt", "本机构笔数"), ("medfee_sumamt", "医疗费总额"),
    ("fund_pay_sumamt", "基金支付"), ("acct_pay", "个人账户支付"), ("result", "医保中心对账结果"),
    ("stmt_rslt_dscr", "中心说明"))
MISMATCH_COLUMNS = (("date", "对账日期"), ("till", "收款台"), ("setl_id", "医保结算号"), ("detail", "不符之处"))
_FIELDS = {"medfee_sumamt": "医疗费总额", "fund_pay_sumamt": "基金支付", "acct_pay": "个人账户支付",
           "psn_cash_pay": "个人现金支付"}


def reconcile_rows(recs: list[dict]) -> tuple[list[dict], list[dict]]:
    """reconciliations() as rows in a manager's words: the groups, and the settlements that differ."""
    groups, mismatches = [], []
    for d in recs:
        for g in d["groups"]:
            groups.append({"date": d["date"], "at": g["at"], "by": g["by"],
                           "insutype": labels.insutype(g["insutype"]), "clr_type": labels.clr_type(g["clr_type"]),
                           "setl_optins": labels.clr_optins(g["setl_optins"]),
                           "fixmedins_setl_cnt": int(g["fixmedins_setl_cnt"]),
                           **{k: g[k] for k in ("medfee_sumamt", "fund_pay_sumamt", "acct_pay")},
                           "result": {"0": "一致", "1": "不一致"}.get(g["stmt_rslt"], f"未知（{g['stmt_rslt']}）"),
                           "stmt_rslt_dscr": g.get("stmt_rslt_dscr", "")})
        for m in d["mismatches"]:
            mismatches.append({"date": d["date"], "till": m.get("till", ""), "setl_id": m["setl_id"],
                               "detail": mismatch_text(m)})
    return groups, mismatches


def mismatch_text(m: dict) -> str:
    """'本机：已结算；医保中心：已退费', or which amount differs, instead of the core's field names."""
    detail = m.get("detail", "")
    if detail == f"日志 {m.get('journal_status')}，中心 {m.get('platform_status')}":  # terminal.office.reports._compare
        return f"本机：{labels.status(m['journal_status'])}；医保中心：{labels.status(m['platform_status'])}"
    for k, v in _FIELDS.items():
        detail = detail.replace(k, v)
    return detail.replace("日志", "本机").replace("中心", "医保中心")


@dataclass
class TillStatus:
    """One till as the fleet sees it."""

    till: str
    fixmedins_code: str
    msgid_node: int
    profile: str
    last_push: str
    pushing: bool
    queue: int
    unknown_outcomes: int
    queued_refunds: int
    chain_seq: int
    chain_hash: str
    sales: int


def status(pg: psycopg.Connection, now: datetime | None = None) -> list[TillStatus]:
    """Each till: last push (and whether it is recent), its queue, outcomes still unknown, chain head."""
    now = now or datetime.now(timezone.utc)
    out = []
    for r in pg.execute("""
            SELECT t.till, t.fixmedins_code, t.msgid_node, t.profile, t.last_push, t.queue, t.chain_seq,
                   t.chain_hash,
                   (SELECT count(*) FROM sales s WHERE s.till=t.till AND s.status IN ('unknown', 'pending')),
                   (SELECT count(*) FROM refunds r WHERE r.till=t.till AND r.status='unknown'),
                   (SELECT count(*) FROM refunds r WHERE r.till=t.till AND r.status='queued'),
                   (SELECT count(*) FROM sales s WHERE s.till=t.till)
            FROM tills t ORDER BY t.till"""):
        till, code, node, profile, last, queue, cseq, chash, s_unknown, r_unknown, queued, n = r
        out.append(TillStatus(till, code, node, profile, last.isoformat(timespec="seconds") if last else "",
                              bool(last and now - last < STALE), queue, s_unknown + r_unknown, queued, cseq,
                              chash, n))
    return out


@dataclass
class Difference:
    """A row that differs: where (the fleet database or the till), which row, what."""

    till: str
    table: str
    key: str
    where: str     # postgres | till
    detail: str


TABLES = {"sales": "id", "refunds": "id", "outbox": "seq", "operators": "id", "shifts": "id", "tenders": "id",
          "adjustments": "id"}


def verify(pg: psycopg.Connection, journal=None, till: str = "") -> tuple[int, list[Difference]]:
    """Every replicated row's content against the digest its till computed when pushing (a row changed in
    PostgreSQL is named); with this till's journal, also its rows against the database (a row changed on
    either end since the push, that no pending change explains) and its audit chain head."""
    checked, diffs = 0, []
    for table, key in TABLES.items():
        with pg.cursor(name=f"verify_{table}") as cur:  # server-side: a million rows stream
            cur.execute(f"SELECT till, {key}, digest, data FROM {table} ORDER BY till, {key}")
            for t, k, dg, data in cur:
                checked += 1
                if digest(data) != dg:
                    diffs.append(Difference(t, table, str(k), "postgres", "内容与推送时的摘要不符（数据库中被改动）"))
    for day, t, opter, cert, kept, counted in pg.execute("""
            SELECT day, till, opter, cert, d.n, c.n FROM (SELECT * FROM sales_daily WHERE n <> 0) d
            FULL JOIN (SELECT day, till, opter, mdtrt_cert_type AS cert, count(*) AS n FROM sales
                       WHERE status = ANY(%s) GROUP BY 1, 2, 3, 4) c USING (day, till, opter, cert)
            WHERE d.n IS DISTINCT FROM c.n""", (list(reports.STOOD),)):
        diffs.append(Difference(t, "sales_daily", f"{day} {opter} {cert}", "postgres",
                                f"统计汇总 {kept or 0} 笔，按结算记录应为 {counted or 0} 笔"))
    if journal is not None:
        diffs += _against_till(pg, journal, till)
    return checked, diffs


def _against_till(pg: psycopg.Connection, journal, till: str) -> list[Difference]:
    diffs = []
    pending = {(r["tbl"], r["row"]) for r in journal.query("SELECT DISTINCT tbl, row FROM replication")}
    for table, key in TABLES.items():
        theirs = {str(k): dg for k, dg in pg.execute(f"SELECT {key}, digest FROM {table} WHERE till=%s", (till,))}
        for r in journal.query(f"SELECT * FROM {table}"):
            k = str(r[key])
            if (table, k) in pending:
                continue  # changed since the last push: the next push sends it
            mine = digest({c: v for c, v in r.items() if c not in DROP.get(table, ())})
            if k not in theirs:
                diffs.append(Difference(till, table, k, "till", "本机有此记录，机构数据库没有，且不在待推送队列中"))
            elif theirs.pop(k) != mine:
                diffs.append(Difference(till, table, k, "till", "本机记录与机构数据库不同，且不在待推送队列中"))
        for k in theirs:
            diffs.append(Difference(till, table, k, "till", "机构数据库有此记录，本机日志中没有（本机记录被删除？）"))
    # The till's own rows against its keyed chain (secret and head outside the file): with the comparison
    # above, the database's rows match the chain.
    proof = journal.verify_rows()
    if not proof.ok:
        diffs.append(Difference(till, proof.table or "chain", str(proof.row if proof.row is not None
                                                                  else proof.bad_seq or ""), "till",
                                f"本机交易日志的密钥链校验失败：{proof.reason}"))
    head = pg.execute("SELECT chain_seq, chain_hash, chain_algo FROM tills WHERE till=%s", (till,)).fetchone()
    if head and head[0]:
        table, col = ("chain", "mac") if head[2] == "hmac-sm3" else ("audit", "hash")
        mine = journal.query(f"SELECT {col} AS h FROM {table} WHERE seq=?", (head[0],))
        if not mine:
            end = journal.query(f"SELECT coalesce(max(seq), 0) AS n FROM {table}")[0]["n"]
            diffs.append(Difference(till, table, f"{end + 1}-{head[0]}", "till",
                                    f"本机日志只到第 {end} 条，机构数据库记录的链头在第 {head[0]} 条：第 {end + 1}–{head[0]} "
                                    f"条变更不在本机日志中（恢复了较旧的备份？）"))
        elif mine[0]["h"] != head[1]:
            diffs.append(Difference(till, table, str(head[0]), "till",
                                    "本机的链在已推送的位置与机构数据库记录的链头不同（日志被替换或改写过）"))
    return diffs
