"""The journal side of 药品追溯码: a sale's codes are written before its settlement is sent, then followed
until the platform knows them.

A code's status: scanned (on a sale, not yet known to the platform) -> reported (3505 accepted, or carried
by the accepted settlement) | refused (the platform said no; its words kept in err) -> returned (3506
accepted after the refund, or the refunded settlement carried it); void when its sale never settled
(failed, cancelled, reversed): the box is back on the shelf and may be sold again. A box returned alone
(terminal/returns.py) is returning until its 3506 is accepted, and may be sold again at once: its older
sale's 3506 goes before the newer sale's 3505.
"""
from __future__ import annotations

import sqlite3

from terminal.journal import audit
from terminal.journal.journal import Journal, now, rows
from terminal.sale.trace import TraceBill, TraceError
from terminal import states
from terminal.states import SaleState, sql_list

SETTLED = sql_list(states.HAPPENED)  # sales that happened (self_paid: no insurance)
GONE = sql_list(states.GONE)         # sales that never settled: their codes are void


def _where(c: sqlite3.Connection, code: str, sale_id: int | None) -> str | None:
    found = rows(c, "SELECT t.status, t.err, s.status AS sale_status, s.setl_id, s.day, s.id AS sale_id"
                    " FROM trace_codes t JOIN sales s ON s.id = t.sale_id WHERE t.code=?"
                    f" AND t.status NOT IN ('void', 'returned', 'returning') AND s.status NOT IN {GONE} AND t.sale_id != ?"
                    " ORDER BY t.id DESC LIMIT 1", (code, sale_id or 0))
    if not found:
        return None
    r = found[0]
    if r["status"] == "refused":
        return f"已被医保平台拒收（{r['err']}）"
    if r["sale_status"] in (SaleState.PENDING, SaleState.UNKNOWN):
        return f"已在另一笔未完成的结算中（第 {r['sale_id']} 笔）"
    if r["sale_status"] == SaleState.REFUNDED:
        return f"所在结算 {r['setl_id']} 已退费，但退货尚未上报医保平台，请先同步（ecpos sync）"
    return f"已于 {r['day']} 在本机销售（结算 {r['setl_id']}）"


def sold_where(journal: Journal, code: str, sale_id: int | None = None) -> str | None:
    """Where this till sold the code already (a short Chinese phrase), or None when it may be sold."""
    with journal._lock:
        return _where(journal.conn, code, sale_id)


def attach(journal: Journal, sale_id: int, bill: TraceBill, via: str) -> None:
    """Write the bill's codes with their sale (replacing those of an earlier quote), checked again inside
    the transaction so two tills' windows on one journal cannot both sell a box; raises TraceError."""
    with journal.tx() as c:
        c.execute("DELETE FROM trace_codes WHERE sale_id=? AND status='scanned'", (sale_id,))
        stamp = now()
        for line in bill.lines:
            for code in line.codes:
                where = _where(c, code, sale_id)
                if where:
                    raise TraceError(f"追溯码 {code} {where}，同一盒药不能再次销售；请核对药盒",
                                     key="trace_already_sold")
                c.execute("INSERT INTO trace_codes(sale_id, line, code, med_list_codg, trdn_flag, flagged, via,"
                          " status, created_at, status_at) VALUES (?,?,?,?,?,?,?, 'scanned', ?, ?)",
                          (sale_id, line.index, code, line.code, line.trdn_flag, int(code in line.flagged), via,
                           stamp, stamp))
        if bill.codes or bill.missing:
            audit.append(c, "trace_attached", "", sale_id=sale_id, codes=len(bill.codes), missing=bill.missing,
                         flagged=sum(len(ln.flagged) for ln in bill.lines), via=via)


def codes(journal: Journal, sale_id: int) -> list[dict]:
    """A sale's code rows in bill order."""
    return journal.query("SELECT * FROM trace_codes WHERE sale_id=? ORDER BY line, id", (sale_id,))


def follow_sales(journal: Journal) -> None:
    """Bring code statuses in line with their sales: void when the sale never settled; the settlement route's
    codes reported once it settled and returned once it was refunded (the settlement carried them)."""
    stamp = now()
    with journal.tx() as c:
        c.execute("UPDATE trace_codes SET status='void', status_at=? WHERE status='scanned' AND sale_id IN"
                  f" (SELECT id FROM sales WHERE status IN {GONE})", (stamp,))
        c.execute("UPDATE trace_codes SET status='reported', status_at=? WHERE status='scanned'"
                  f" AND via='settlement' AND sale_id IN (SELECT id FROM sales WHERE status IN {SETTLED})", (stamp,))
        c.execute("UPDATE trace_codes SET status='returned', status_at=? WHERE status='reported'"
                  " AND via='settlement' AND sale_id IN (SELECT id FROM sales WHERE status=?)", (stamp, SaleState.REFUNDED))
