"""Reports from the journal: the sale list, reconciliation with the platform (3201 totals per insutype,
5203 per settlement), and the e-credential settlement rate per day and operator (CSV for the bureau)."""
from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date as date_cls, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Callable, Iterator

from terminal.sale import flows
from terminal.errors import EcposError
from terminal.journal.journal import Journal, JournalView
from terminal.journal.operators import local_time
from terminal.money import ZERO, wire, yuan
from terminal.sale.records import SaleRow
from terminal.sale.tender import METHODS
from terminal.sale.trace import TraceRules, collection
from terminal.wire.wire import JournaledClient
from terminal import states
from terminal.states import RefundState, SaleState

# Settlements that happened at the platform (refunded ones too: the refund is counted on its own).
STOOD = states.STOOD


class ReportError(EcposError):
    key = "report_input"
    exit_code = 2


def _day(s: str, what: str) -> str:
    try:
        return date_cls.fromisoformat(s).isoformat()
    except (TypeError, ValueError):
        raise ReportError(f"{what} 日期格式应为 YYYY-MM-DD：{s!r}", key="report_date") from None


def sales(journal: Journal, search: str = "") -> list[SaleRow]:
    """Sales newest first, optionally filtered by setl_id, msgid, psn_no, mdtrt_id or status."""
    sql, args = "SELECT * FROM sales", ()
    if search:
        like = f"%{search}%"
        sql += " WHERE setl_id LIKE ? OR msgid LIKE ? OR psn_no LIKE ? OR mdtrt_id LIKE ? OR status=?"
        args = (like, like, like, like, search)
    rows = journal.query(sql + " ORDER BY id DESC", args)
    return [SaleRow(sale_id=r["id"], setl_id=r["setl_id"], msgid=r["msgid"], status=r["status"],
                    medfee_sumamt=yuan(r["medfee_sumamt"]), fund_pay_sumamt=yuan(r["fund_pay_sumamt"]),
                    acct_pay=yuan(r["acct_pay"]), psn_cash_pay=yuan(r["psn_cash_pay"]), psn_no=r["psn_no"],
                    mdtrt_id=r["mdtrt_id"], name_masked=r["name_masked"], insutype=r["insutype"],
                    mdtrt_cert_type=r["mdtrt_cert_type"], family_of=r["family_of"], opter=r["opter"],
                    profile=r["profile"], day=r["day"], created_at=r["created_at"], note=r["note"])
            for r in rows]


@dataclass
class Reconciliation:
    """3201 results per (insutype, clr_type, setl_optins) and the settlements whose state differs."""

    date: str
    groups: list[dict] = field(default_factory=list)
    mismatches: list[dict] = field(default_factory=list)
    # The journal chain's head (seq, mac) when the day was closed, printed on the slip: a later
    # `ecpos journal --verify` showing a shorter or different chain means the journal lost its tail.
    chain_head: tuple[int, str] = (0, "")
    # Sales whose outcome is still unknown (any day): {sale_id, msgid, day, medfee_sumamt, note}. The day is not
    # closed quietly over them: the note says what a supervisor does (terminal/office/sync.py).
    unresolved: list[dict] = field(default_factory=list)

    @property
    def chain_head_text(self) -> str:
        """The head as the slip prints it: seq and the MAC's first 16 hex digits."""
        return f"第 {self.chain_head[0]} 条 {self.chain_head[1][:16] or '-'}"

    @property
    def ok(self) -> bool:
        return not self.mismatches and not self.unresolved and all(g["stmt_rslt"] == "0" for g in self.groups)


def group_of(sale: dict) -> tuple[str, str, str]:
    """(insutype, clr_type, setl_optins) of a journal sale. 3201's setl_optins is the clearing agency of
    the settlement (setlinfo.clr_optins), not the patient's insured area; a sale journaled before the
    clearing fields were kept falls back to the profile's clearing type and the insured area."""
    clr_type = sale.get("clr_type") or (flows.FLOWS[sale["profile"]].clr_type if sale["profile"] in flows.FLOWS else "")
    return (sale["insutype"], clr_type, sale.get("clr_optins") or sale["insuplc_admdvs"])


def day_totals(journals: list, day: str) -> dict[tuple, dict]:
    """The tills' totals for a day as the platform counts them: settlements that stood (+) and refunds
    done (-), grouped by insutype x clr_type x clr_optins (the clearing agency the settlement answer named);
    a settlement in two journals counts once."""
    groups: dict[tuple, dict] = defaultdict(lambda: {"medfee_sumamt": ZERO, "fund_pay_sumamt": ZERO,
                                                     "acct_pay": ZERO, "fixmedins_setl_cnt": 0})

    def add(row: dict, sign: int) -> None:
        g = groups[group_of(row)]
        for k in ("medfee_sumamt", "fund_pay_sumamt", "acct_pay"):
            g[k] += sign * yuan(row[k])
        g["fixmedins_setl_cnt"] += 1

    for s in _day_sales(journals, day, STOOD):
        add(s, 1)
    seen = set()
    for j in journals:
        for r in j.query("SELECT s.*, r.msgid AS refund_msgid FROM refunds r JOIN sales s ON s.id=r.sale_id "
                         "WHERE r.status=? AND substr(r.setl_time,1,10)=?", (RefundState.REFUNDED, day)):
            if (r["setl_id"], r["refund_msgid"]) not in seen:
                seen.add((r["setl_id"], r["refund_msgid"]))
                add(r, -1)
    return groups


def _day_sales(journals: list, day: str, statuses: tuple = ()) -> list[dict]:
    """The day's settlements across the tills' journals, each setl_id once."""
    where = f" AND status IN ({','.join('?' * len(statuses))})" if statuses else ""
    out: dict[str, dict] = {}
    for j in journals:
        for s in j.query("SELECT * FROM sales WHERE substr(setl_time,1,10)=? AND setl_id!=''" + where
                         + " ORDER BY id", (day, *statuses)):
            out.setdefault(s["setl_id"], s)
    return list(out.values())


@contextmanager
def _tills(journal: Journal, cfg) -> Iterator[list]:
    """This till's journal and the other tills' from [report] other_journals, read only (own file skipped)."""
    own, others = journal.path.resolve(), []
    try:
        for p in cfg.report.other_journals:
            path = cfg.data_dir / p  # an absolute p replaces data_dir
            if path.resolve() != own:
                others.append(JournalView(path))
        yield [journal, *others]
    finally:
        for o in others:
            o.close()


def reconcile(client: JournaledClient, journal: Journal, cfg, day: str,
              totals: Callable[[str], tuple[dict, list]] | None = None) -> Reconciliation:
    """3201 for each group of the day (all the institution's tills), then 5203 for each settlement. totals(day)
    gives the day's (groups, settlements) from elsewhere (fleet/: PostgreSQL); default: the tills' journals."""
    day = _day(day, "--date")
    if totals is not None:
        rec = _reconcile(client, cfg, day, *totals(day))
    else:
        with _tills(journal, cfg) as journals:
            rec = _reconcile(client, cfg, day, day_totals(journals, day), _day_sales(journals, day))
    rec.chain_head = journal.chain_head()
    rec.unresolved = [dict(r) for r in journal.query(
        "SELECT id AS sale_id, msgid, day, medfee_sumamt, note FROM sales WHERE status=? ORDER BY id",
        (SaleState.UNKNOWN,))]
    return rec


def _reconcile(client: JournaledClient, cfg, day: str, groups: dict, day_sales: list) -> Reconciliation:
    rec = Reconciliation(day)
    if not groups:  # nothing here that day: still ask, so settlements only the platform has show up
        groups = {("", flows.for_profile(cfg.profile).clr_type, ""): {"medfee_sumamt": ZERO, "fund_pay_sumamt": ZERO,
                                                     "acct_pay": ZERO, "fixmedins_setl_cnt": 0}}
    # The end date as the channel's integrations send it: the day (the specification's 日期型), or the day's
    # last second where a channel says so (Zhejiang: "2022-01-21 23:59:59").
    end = f"{day} {client.channel.option('stmt_end_time')}" if client.channel.option("stmt_end_time") else day
    for (insutype, clr_type, optins), t in sorted(groups.items()):
        inp = {"data": {"insutype": insutype, "clr_type": clr_type, "setl_optins": optins,
                        "stmt_begndate": day, "stmt_enddate": end,
                        **{k: wire(t[k]) for k in ("medfee_sumamt", "fund_pay_sumamt", "acct_pay")},
                        "fixmedins_setl_cnt": str(t["fixmedins_setl_cnt"])}}
        out = client.call_journaled("3201", inp)
        info = out.get("stmtinfo") or {}
        rec.groups.append({**inp["data"], "stmt_rslt": str(info.get("stmt_rslt", "")),
                           "stmt_rslt_dscr": str(info.get("stmt_rslt_dscr", ""))})
    for s in day_sales:
        out = client.call_journaled("5203", {"data": {"psn_no": s["psn_no"], "setl_id": s["setl_id"],
                                                      "mdtrt_id": s["mdtrt_id"]}},
                                    insuplc_admdvs=s["insuplc_admdvs"])
        problem = _compare(s, out.get("setlinfo") or {})
        if problem:
            rec.mismatches.append({"setl_id": s["setl_id"], **({"till": s["till"]} if "till" in s else {}),
                                   "journal_status": s["status"], **problem})
    return rec


def _compare(sale: dict, info: dict) -> dict | None:
    """What differs between a journaled sale and the platform's 5203 view of it, or None."""
    if str(info.get("vali_flag", "1")) == "0":
        platform = SaleState.REVERSED
    elif str(info.get("refd_setl_flag", "0")) == "1":
        platform = SaleState.REFUNDED
    else:
        platform = SaleState.SETTLED
    expected = {SaleState.SETTLED: SaleState.SETTLED, SaleState.REFUND_QUEUED: SaleState.SETTLED,
                SaleState.REFUNDED: SaleState.REFUNDED}.get(sale["status"], SaleState.REVERSED)
    if platform != expected:
        return {"platform_status": platform, "detail": f"日志 {sale['status']}，中心 {platform}"}
    for k in ("medfee_sumamt", "fund_pay_sumamt", "acct_pay", "psn_cash_pay"):
        if info.get(k) is not None and yuan(info[k]) != yuan(sale[k]):
            return {"platform_status": platform, "detail": f"{k} 日志 {sale[k]}，中心 {wire(yuan(info[k]))}"}
    return None


@dataclass
class Stats:
    """Settlements by credential type (01 e-credential / 02 ID card / 03 social-security card) and the
    e-credential rate against the target, per day and operator, plus the whole period."""

    frm: str
    to: str
    target: Decimal
    rows: list[dict] = field(default_factory=list)
    total: dict = field(default_factory=dict)

    trace: list[dict] = field(default_factory=list)  # 追溯码 collection per day, then the period (last)

    COLUMNS = ("day", "opter", "settlements", "ec_01", "idcard_02", "sscard_03", "ec_rate", "target", "met")
    HEADER_ZH = ("日期", "操作员", "结算笔数", "医保电子凭证(01)", "身份证(02)", "社保卡(03)", "电子凭证结算率",
                 "目标", "是否达标")
    TRACE_COLUMNS = ("day", "boxes", "boxes_coded", "trace_rate", "codes_reported", "codes_pending",
                     "codes_refused")
    TRACE_HEADER_ZH = ("日期", "应扫码药盒", "已扫码药盒", "追溯码采集率", "追溯码已上报", "追溯码待上报",
                       "追溯码被拒")

    def csv(self) -> str:
        """CSV for the bureau: a Chinese header line, one row per day and operator, then the total."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(self.HEADER_ZH)
        for r in [*self.rows, self.total]:
            w.writerow([r[c] for c in self.COLUMNS])
        return buf.getvalue()

    def trace_csv(self) -> str:
        """The 追溯码 collection per day and for the period, as CSV with a Chinese header line."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(self.TRACE_HEADER_ZH)
        for r in self.trace:
            w.writerow([r[c] for c in self.TRACE_COLUMNS])
        return buf.getvalue()


TRACE_KEYS = ("boxes", "boxes_coded", "codes_reported", "codes_pending", "codes_refused")


def percent(rate, places: int | None = 1) -> str:
    """A rate as a percentage for a screen ("0.8999" -> "89.9"): cut like the rate itself, never rounded up,
    so a rate just under the target never shows as the target beside 未达标. places=None: as many as it has,
    for a target ("0.875" -> "87.5", "0.85" -> "85")."""
    value = Decimal(str(rate)) * 100
    if places is None:
        return f"{value.normalize():f}"
    return str(value.quantize(Decimal(1).scaleb(-places), ROUND_DOWN))


def _row(day: str, opter: str, counts: dict, target: Decimal) -> dict:
    n = sum(counts.values())
    # Shown rounded down and judged on the exact fraction: 89.995 % neither shows as nor counts as 90 %.
    rate = (Decimal(counts["01"]) / n).quantize(Decimal("0.0001"), ROUND_DOWN) if n else Decimal("0.0000")
    return {"day": day, "opter": opter, "settlements": n, "ec_01": counts["01"], "idcard_02": counts["02"],
            "sscard_03": counts["03"], "ec_rate": str(rate), "target": str(target),
            "met": "是" if n and counts["01"] >= target * n else "否"}


def _trace_row(day: str, counts: dict) -> dict:
    """追溯码采集率: boxes sold with their code over boxes that carry one (the bureau checks it like the rate)."""
    boxes = counts["boxes"]
    rate = (Decimal(counts["boxes_coded"]) / boxes).quantize(Decimal("0.0001"), ROUND_DOWN) if boxes \
        else Decimal("0.0000")
    return {"day": day, **counts, "trace_rate": str(rate)}


def _trace_rows(j, ids: list[int]) -> dict[int, list[dict]]:
    """A journal's 追溯码 rows by sale (none in a journal from before trace_codes existed)."""
    out: dict[int, list[dict]] = defaultdict(list)
    try:
        found = j.query(f"SELECT sale_id, line, status FROM trace_codes WHERE sale_id IN ({','.join('?' * len(ids))})",
                        tuple(ids)) if ids else []
    except sqlite3.OperationalError:  # another till's older journal, opened read only
        found = []
    for r in found:
        out[r["sale_id"]].append(r)
    return out


def stats(journal: Journal, cfg, frm: str, to: str) -> Stats:
    """Count the settlements that happened (settled, refund_queued, refunded) between two days, on this till
    and the other tills of [report] other_journals (the bureau grades the institution)."""
    frm, to = _day(frm, "--from"), _day(to, "--to")
    if frm > to:
        raise ReportError("--from 不能晚于 --to", key="report_range")
    target = Decimal(cfg.report.ec_rate_target)
    rules = TraceRules.from_config(cfg)
    per: dict[tuple, dict] = defaultdict(lambda: {"01": 0, "02": 0, "03": 0})
    whole = {"01": 0, "02": 0, "03": 0}
    trace_day: dict[str, dict] = defaultdict(lambda: dict.fromkeys(TRACE_KEYS, 0))
    trace_whole = dict.fromkeys(TRACE_KEYS, 0)
    sales: dict[object, dict] = {}
    with _tills(journal, cfg) as journals:
        for n, j in enumerate(journals):
            found = j.query("SELECT id, setl_id, day, opter, mdtrt_cert_type t, items FROM sales WHERE day BETWEEN"
                            " ? AND ? AND status IN (?,?,?)", (frm, to, *STOOD))
            codes = _trace_rows(j, [s["id"] for s in found])
            for s in found:
                s["trace"] = collection(json.loads(s["items"] or "[]"), codes.get(s["id"], []), rules)
                sales.setdefault(s["setl_id"] or (n, s["id"]), s)  # one settlement in two journals: once
    for s in sorted(sales.values(), key=lambda s: (s["day"], s["opter"])):
        t = s["t"] if s["t"] in whole else "03"
        per[(s["day"], s["opter"])][t] += 1
        whole[t] += 1
        for counts in (trace_day[s["day"]], trace_whole):
            for k in TRACE_KEYS:
                counts[k] += s["trace"][k]
    rows = [_row(d, o, c, target) for (d, o), c in sorted(per.items())]
    trace = [_trace_row(d, c) for d, c in sorted(trace_day.items())] + [_trace_row(f"{frm}~{to}", trace_whole)]
    return Stats(frm, to, target, rows, _row(f"{frm}~{to}", "合计", whole, target), trace)


def group_line(g: dict) -> str:
    """One 3201 group as the till and the fleet print it."""
    # blank insutype/optins: no sale that day, the platform was asked about the whole day
    verdict = "一致" if g["stmt_rslt"] == "0" else g["stmt_rslt_dscr"]
    return (f"{g['insutype'] or '全部险种'} {g['clr_type']} {g['setl_optins'] or '全部参保地'}: "
            f"{g['fixmedins_setl_cnt']} 笔 {g['medfee_sumamt']} 元 -> {verdict}")


def day_tenders(journal, day: str) -> dict[str, dict[str, Decimal]]:
    """A day's money by method, for the day close: what was taken (the parts of a split each under its
    method) and what was handed back for refunds, by the local date each was booked. Method -> {"taken",
    "back", "net"}, in METHODS order."""
    d = date_cls.fromisoformat(day)
    rows = journal.query("SELECT method, amount, refund_id, created_at FROM tenders WHERE created_at >= ? AND "
                         "created_at < ?", ((d - timedelta(days=1)).isoformat(), (d + timedelta(days=2)).isoformat()))
    out: dict[str, dict[str, Decimal]] = {}
    for r in rows:
        if local_time(r["created_at"])[:10] != day:  # stored in UTC: the till's own day decides
            continue
        t = out.setdefault(r["method"], {"taken": ZERO, "back": ZERO})
        if r["refund_id"] is None:
            t["taken"] += Decimal(r["amount"])
        else:
            t["back"] -= Decimal(r["amount"])  # stored negative
    for t in out.values():
        t["net"] = t["taken"] - t["back"]
    return {m: out[m] for m in METHODS if m in out}


def tender_lines(totals: dict[str, dict[str, Decimal]]) -> list[str]:
    """The day-close slip's lines by method."""
    return [f"{METHODS[m]} 收 {t['taken']:.2f}" + (f" 退 {t['back']:.2f}" if t["back"] else "") + f" 净 {t['net']:.2f}"
            for m, t in totals.items()]
