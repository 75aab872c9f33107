"""Institution-wide answers from the fleet database, in the shapes of the till's own reports
(terminal/reports.py) with the till added to each row: the e-credential rate per day, till and operator; the
day's 3201 totals and settlements for reconciliation; each till's push state; and `verify`."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import psycopg

from fleet.push import digest
from terminal import reports
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
    """The institution's day as 3201 counts it (terminal.reports.day_totals over every till), and the day's
    settlements for 5203, each with its till."""
    groups: dict[tuple, dict] = defaultdict(lambda: {"medfee_sumamt": ZERO, "fund_pay_sumamt": ZERO,
                                                     "acct_pay": ZERO, "fixmedins_setl_cnt": 0})
    # grouped as terminal.reports.group_of does (the clearing fields live in data: added after migration 1)
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
    """Keep a `fleet reconcile` result for the page (today's reconciliation)."""
    from psycopg.types.json import Jsonb
    with pg.transaction():
        pg.execute("INSERT INTO reconciliations (date, till, status, result) VALUES (%s, %s, %s, %s)",
                   (out["date"], till, out["status"], Jsonb(out)))


def last_reconciliation(pg: psycopg.Connection, day: str) -> dict | None:
    row = pg.execute("SELECT result, at, till FROM reconciliations WHERE date=%s ORDER BY at DESC LIMIT 1",
                     (day,)).fetchone()
    return {**row[0], "at": row[1].isoformat(timespec="seconds"), "by": row[2]} if row else None


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


TABLES = {"sales": "id", "refunds": "id", "outbox": "seq", "operators": "id"}


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
    from fleet.push import _DROP
    diffs = []
    pending = {(r["tbl"], r["row"]) for r in journal.query("SELECT DISTINCT tbl, row FROM replication")}
    for table, key in TABLES.items():
        theirs = {str(k): dg for k, dg in pg.execute(f"SELECT {key}, digest FROM {table} WHERE till=%s", (till,))}
        for r in journal.query(f"SELECT * FROM {table}"):
            k = str(r[key])
            if (table, k) in pending:
                continue  # changed since the last push: the next push sends it
            mine = digest({c: v for c, v in r.items() if c not in _DROP.get(table, ())})
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
