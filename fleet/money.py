"""The manager's day from the fleet database: money per till and per cashier (insurance settlements and
self-paid sales, how the self-pay part was paid, refunds and reversals, the cash each drawer should hold
against what was counted at the handover), settlements by the credential the patient showed with the
e-credential rate against the target, and the refunds and reversals with who authorized them.

One `Money` feeds `ecpos fleet money --json`, the page and the Excel file, so the three cannot disagree.
Money is Decimal in yuan (text "12.50" in JSON); nothing personal is read (no psn_no, no names of patients).

Which day a row belongs to: a sale by its `day` (the till's local date of the sale); a refund by the local date
it was taken at the counter; a shift by the local date it was opened; a tender by its sale, or by its refund
for cash handed back.
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date as date_cls, datetime, timedelta
from decimal import Decimal

import psycopg

from fleet import labels
from terminal.office import reports
from terminal.money import ZERO, yuan

ALL = "全部"
CERT_KEYS = ("01", "02", "03")

# (key, header) per table; the page, the Excel sheets and the tests all read these.
MONEY_COLUMNS = (
    ("till", "收款台"), ("cashier", "收银员"), ("settlements", "医保结算笔数"), ("medfee_sumamt", "医保结算总额"),
    ("fund_pay_sumamt", "医保基金支付"), ("acct_pay", "个人账户支付"), ("psn_cash_pay", "个人自付（现金部分）"),
    ("self_paid", "自费笔数"), ("self_paid_sumamt", "自费金额"),
    *((m, f"收{label}") for m, label in labels.TENDERS.items()), ("discounts", "折扣/抹零（主管授权）"),
    ("refunds", "退费笔数"), ("refund_sumamt", "退费金额"), ("cash_back", "退还现金"), ("reversals", "冲正笔数"))
CASH_COLUMNS = (
    ("till", "收款台"), ("cashier", "收银员"), ("shifts", "班次"), ("open_shifts", "未交班"), ("float", "备用金"),
    ("expected_cash", "应有现金"), ("counted", "清点现金"), ("difference", "差额（清点−应有，仅已交班）"))
CERT_COLUMNS = (
    ("till", "收款台"), ("cashier", "收银员"),
    *(col for c in (*CERT_KEYS, "self")
      for col in ((f"cert_{c}", f"{labels.CERTS[c]}笔数"), (f"cert_{c}_sumamt", f"{labels.CERTS[c]}金额"))),
    ("ec_rate", "电子凭证结算率"), ("target", "目标"), ("met", "是否达标"))
SHIFT_COLUMNS = (
    ("till", "收款台"), ("shift_id", "班次号"), ("cashier", "收银员"), ("opened_at", "开班时间"),
    ("closed_at", "交班时间"), ("float", "备用金"), ("expected_cash", "应有现金"), ("counted", "清点现金"),
    ("difference", "差额"))
REFUND_COLUMNS = (
    ("kind", "类型"), ("till", "收款台"), ("time", "时间"), ("setl_id", "医保结算号"), ("amount", "金额"),
    ("cashier", "经办收银员"), ("authorized_by", "授权人"), ("reason", "原因"), ("status", "状态"))

MONEY_KEYS = ("medfee_sumamt", "fund_pay_sumamt", "acct_pay", "psn_cash_pay", "self_paid_sumamt", *labels.TENDERS,
              "discounts",
              "refund_sumamt", "cash_back", "float", "expected_cash", "counted", "difference",
              *(f"cert_{c}_sumamt" for c in (*CERT_KEYS, "self")))
COUNT_KEYS = ("settlements", "self_paid", "refunds", "reversals", "shifts", "open_shifts",
              *(f"cert_{c}" for c in (*CERT_KEYS, "self")))
AUTO_REVERSAL = "系统自动冲正（结算结果未知）"


@dataclass
class Money:
    """A day's money: rows per till and cashier, then per till (cashier 全部), then the institution (全部)."""

    date: str
    target: Decimal
    rows: list[dict] = field(default_factory=list)
    shifts: list[dict] = field(default_factory=list)
    refunds: list[dict] = field(default_factory=list)

    def json(self) -> dict:
        return {"status": "ok", "date": self.date, "target": str(self.target),
                "target_percent": _pct_target(self.target), "rows": self.rows, "shifts": self.shifts,
                "refunds": self.refunds}


def _local(ts: str) -> datetime | None:
    """A journal timestamp (UTC ISO) in this computer's time zone."""
    return datetime.fromisoformat(ts).astimezone() if ts else None


def local_text(ts: str) -> str:
    """A journal timestamp as local 'YYYY-MM-DD HH:MM:SS' ('' stays '')."""
    t = _local(ts)
    return t.strftime("%Y-%m-%d %H:%M:%S") if t else ""


def _pct_target(target: Decimal) -> str:
    return reports.percent(target, None) + "%"


def _window(day: str) -> tuple[str, str]:
    """UTC text bounds wide enough for any time zone's local day (filtered exactly afterwards)."""
    d = date_cls.fromisoformat(day)
    return (d - timedelta(days=1)).isoformat(), (d + timedelta(days=2)).isoformat()


def _on(ts: str, day: str) -> bool:
    t = _local(ts)
    return bool(t) and t.date().isoformat() == day


def _names(pg: psycopg.Connection) -> dict[tuple, str]:
    """(till, operator id) -> '王芳（c1）' where the operator has a display name."""
    return {(t, i): f"{n}（{i}）" for t, i, n in pg.execute(
        "SELECT till, id, coalesce(data->>'name', '') FROM operators") if n}


class _Book:
    """Sums per (till, cashier), per till (cashier 全部) and for the institution (全部, 全部)."""

    def __init__(self):
        self.sums: dict[tuple, dict] = defaultdict(
            lambda: {**dict.fromkeys(MONEY_KEYS, ZERO), **dict.fromkeys(COUNT_KEYS, 0)})
        self.closed: dict[tuple, bool] = defaultdict(bool)  # a closed shift: counted and difference mean something

    def add(self, till: str, cashier: str, key: str, value) -> None:
        for k in ((till, cashier), (till, ALL), (ALL, ALL)):
            self.sums[k][key] += value

    def close(self, till: str, cashier: str) -> None:
        for k in ((till, cashier), (till, ALL), (ALL, ALL)):
            self.closed[k] = True


def day(pg: psycopg.Connection, day_: str, target: Decimal, what: str = "--date") -> Money:
    """The manager's figures for one day on every till (`what` names the day in a bad-date message)."""
    money = Money(reports._day(day_, what), target)
    book, names = _Book(), _names(pg)
    sales = _sales(pg, money, book, names)
    _tenders(pg, money.date, book, sales)
    _refunds(pg, money, book, names)
    _shifts(pg, money, book, names)
    money.refunds.sort(key=lambda r: (r["time"], r["till"]))
    money.rows = [_row(k, book.sums[k], book.closed[k], target, names) for k in _order(book.sums)]
    return money


def _sales(pg: psycopg.Connection, money: Money, book: _Book, names: dict) -> dict[tuple, tuple]:
    """The day's insurance settlements that stood, self-paid sales and reversals (listed); returns
    (till, sale id) -> (cashier, status, psn_cash_pay) of the sales that took money."""
    sales = {}
    for till, sid, opter, status, cert, medfee, fund, acct, cash_pay, data in pg.execute(
            "SELECT till, id, opter, status, mdtrt_cert_type, medfee_sumamt, fund_pay_sumamt, acct_pay, "
            "psn_cash_pay, CASE WHEN status = 'reversed' THEN data END "  # the row only where it is listed
            "FROM sales WHERE day=%s AND status = ANY(%s) ORDER BY till, id",
            (money.date, [*reports.STOOD, "self_paid", "reversed"])):
        if status == "reversed":
            book.add(till, opter, "reversals", 1)
            money.refunds.append({"kind": "冲正", "till": till, "time": local_text(data.get("status_at", "")),
                                  "setl_id": data.get("setl_id", ""), "amount": f"{medfee:.2f}",
                                  "cashier": names.get((till, opter), opter), "authorized_by": AUTO_REVERSAL,
                                  "reason": data.get("note", ""), "status": labels.status(status)})
            continue
        sales[(till, sid)] = (opter, status, cash_pay)
        c = "self" if status == "self_paid" else (cert if cert in CERT_KEYS else "03")  # as stats counts
        book.add(till, opter, f"cert_{c}", 1)
        book.add(till, opter, f"cert_{c}_sumamt", medfee)
        if status == "self_paid":
            book.add(till, opter, "self_paid", 1)
            book.add(till, opter, "self_paid_sumamt", medfee)
            continue
        book.add(till, opter, "settlements", 1)
        for k, v in (("medfee_sumamt", medfee), ("fund_pay_sumamt", fund), ("acct_pay", acct),
                     ("psn_cash_pay", cash_pay)):
            book.add(till, opter, k, v)
    return sales


def _tenders(pg: psycopg.Connection, day_: str, book: _Book, sales: dict) -> None:
    """How the self-pay part of the day's sales was paid, booked to the sale's cashier, and what a supervisor's
    discount gave up; what neither covers is 未登记支付方式 (paid, the method not recorded)."""
    paid: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
    for till, sid, method, amount in pg.execute(
            "SELECT t.till, t.sale_id, t.method, t.amount FROM tenders t JOIN sales s ON s.till=t.till "
            "AND s.id=t.sale_id WHERE s.day=%s AND t.refund_id IS NULL", (day_,)):
        if (till, sid) in sales:
            book.add(till, sales[(till, sid)][0], method if method in labels.TENDERS else "other", amount)
            paid[(till, sid)] += amount
    for till, sid, given in pg.execute(  # 整单折扣 / 抹零: given up by a supervisor, not left unrecorded
            "SELECT a.till, a.sale_id, a.given FROM adjustments a JOIN sales s ON s.till=a.till AND s.id=a.sale_id "
            "WHERE s.day=%s", (day_,)):
        if (till, sid) in sales:
            book.add(till, sales[(till, sid)][0], "discounts", given)
            paid[(till, sid)] += given
    for (till, sid), (opter, status, cash_pay) in sales.items():
        if status != "self_paid" and cash_pay > paid[(till, sid)]:
            book.add(till, opter, "untendered", cash_pay - paid[(till, sid)])


def _refunds(pg: psycopg.Connection, money: Money, book: _Book, names: dict) -> None:
    """Refunds taken that day (listed with the supervisor who authorized them), and the cash handed back."""
    lo, hi = _window(money.date)
    taken = defaultdict(list)
    for till, rid, status, data in pg.execute(
            "SELECT till, id, status, data FROM refunds WHERE data->>'created_at' >= %s AND data->>'created_at' < %s "
            "ORDER BY till, id", (lo, hi)):
        if not _on(data.get("created_at", ""), money.date):
            continue
        cashier, supervisor = data.get("cashier", ""), data.get("supervisor", "")
        amount = yuan(data.get("amount") or "0")
        if status != "failed":  # as the handover slip counts them
            book.add(till, cashier, "refunds", 1)
            book.add(till, cashier, "refund_sumamt", amount)
        taken[till].append(rid)
        money.refunds.append({"kind": "退费", "till": till, "time": local_text(data.get("created_at", "")),
                              "setl_id": data.get("setl_id", ""), "amount": f"{amount:.2f}",
                              "cashier": names.get((till, cashier), cashier),
                              "authorized_by": names.get((till, supervisor), supervisor),
                              "reason": data.get("reason", ""), "status": labels.status(status)})
    for till, ids in taken.items():
        for cashier, amount in pg.execute("SELECT r.data->>'cashier', t.amount FROM tenders t JOIN refunds r ON "
                                          "r.till=t.till AND r.id=t.refund_id WHERE t.till=%s AND t.method='cash' "
                                          "AND t.refund_id = ANY(%s)", (till, ids)):
            book.add(till, cashier, "cash_back", -amount)  # stored negative


def _shifts(pg: psycopg.Connection, money: Money, book: _Book, names: dict) -> None:
    """Shifts opened that day: the cash the drawer should hold (as the slip printed it, once closed) and
    what was counted."""
    lo, hi = _window(money.date)
    for till, sid, data in pg.execute(
            "SELECT till, id, data FROM shifts WHERE data->>'opened_at' >= %s AND data->>'opened_at' < %s "
            "ORDER BY till, id", (lo, hi)):
        if not _on(data.get("opened_at", ""), money.date):
            continue
        cashier, float_ = data["opened_by"], yuan(data["float"])
        slip = _slip(data)
        expected = yuan(slip["expected_cash"]) if slip else _expected(pg, till, sid, float_)
        book.add(till, cashier, "shifts", 1)
        book.add(till, cashier, "float", float_)
        book.add(till, cashier, "expected_cash", expected)
        row = {"till": till, "shift_id": sid, "cashier": names.get((till, cashier), cashier),
               "opened_at": local_text(data["opened_at"]), "closed_at": local_text(data.get("closed_at", "")),
               "float": f"{float_:.2f}", "expected_cash": f"{expected:.2f}", "counted": "", "difference": ""}
        if data.get("closed_at") and data.get("counted"):
            counted = yuan(data["counted"])
            book.add(till, cashier, "counted", counted)
            book.add(till, cashier, "difference", counted - expected)
            book.close(till, cashier)
            row.update(counted=f"{counted:.2f}", difference=f"{counted - expected:+.2f}")
        else:
            book.add(till, cashier, "open_shifts", 1)
        money.shifts.append(row)


def _slip(data: dict) -> dict | None:
    try:
        return json.loads(data.get("report") or "") or None
    except ValueError:
        return None


def _expected(pg: psycopg.Connection, till: str, shift_id: int, float_: Decimal) -> Decimal:
    """An open shift's cash: the float, cash taken, less cash handed back (terminal/office/shifts.py's sum)."""
    taken, back = pg.execute(
        "SELECT coalesce(sum(amount) FILTER (WHERE refund_id IS NULL), 0), "
        "coalesce(sum(amount) FILTER (WHERE refund_id IS NOT NULL), 0) FROM tenders "
        "WHERE till=%s AND method='cash' AND data->>'shift_id' = %s", (till, str(shift_id))).fetchone()
    return float_ + taken + back  # back is stored negative


def _order(acc: dict) -> list[tuple]:
    """Each till's cashiers, then the till's total; the institution last."""
    tills = sorted({t for t, _ in acc if t != ALL})
    out = []
    for t in tills:
        out += sorted(k for k in acc if k[0] == t and k[1] != ALL)
        out.append((t, ALL))
    return out + ([(ALL, ALL)] if acc else [])


def _row(key: tuple, a: dict, closed: bool, target: Decimal, names: dict) -> dict:
    till, cashier = key
    row = {"till": till, "cashier": names.get(key, cashier), "level": "total" if till == ALL else
           "till" if cashier == ALL else "cashier"}
    for k in COUNT_KEYS:
        row[k] = a[k]
    for k in MONEY_KEYS:
        row[k] = f"{a[k]:.2f}"
    if not closed:
        row["counted"] = row["difference"] = ""  # nothing counted yet: no difference to show
    else:
        row["difference"] = f"{a['difference']:+.2f}"
    insured = {"01": a["cert_01"], "02": a["cert_02"], "03": a["cert_03"]}
    rate = reports._row("", "", insured, target)
    row.update(ec_rate=reports.percent(rate["ec_rate"]) + "%" if rate["settlements"] else "—",
               target=_pct_target(target), met={"是": "达标", "否": "未达标"}[rate["met"]] if rate["settlements"]
               else "无医保结算")
    return row
