"""What the platform side recorded (`ecpos sim ledger --json`, GET /admin/ledger) and 3201 totals."""
from __future__ import annotations

from decimal import Decimal

from simulator.store import Store

AMOUNTS = ("medfee_sumamt", "fund_pay_sumamt", "psn_part_amt", "acct_pay", "psn_cash_pay", "hosp_part_amt",
           "balc")


def _row(r) -> dict:
    d = dict(r)
    d.pop("at", None)
    for k in AMOUNTS:
        if k in d:
            d[k] = f"{Decimal(d[k]):.2f}"
    return d


def ledger(store: Store) -> dict:
    """Settlements (status settled / reversed / refunded), refunds and reversals, oldest first."""
    db = store.conn()
    return {
        "settlements": [_row(r) for r in db.execute("SELECT * FROM settlements ORDER BY at, setl_id")],
        "refunds": [_row(r) for r in db.execute("SELECT * FROM refunds ORDER BY at, setl_id")],
        "reversals": [_row(r) for r in db.execute("SELECT * FROM reversals ORDER BY at, msgid")],
        "visits": [_row(r) for r in db.execute(
            "SELECT mdtrt_id, psn_no, insutype, med_type, ipt_otp_no, status, msgid FROM visits ORDER BY at")],
        # Every request that reached a handler, oldest first: who made it (opter) under which sign-in, and the
        # sign-ins themselves (opter_no; signed_out once 9002 closed them).
        "requests": [dict(r) for r in db.execute(
            "SELECT msgid, infno, opter, sign_no, json_extract(answer, '$.infcode') AS infcode FROM answers"
            " ORDER BY at, rowid")],
        "signins": [dict(r) for r in db.execute(
            "SELECT sign_no, opter, signed_out FROM signins ORDER BY sign_time, rowid")],
        # 药品追溯码 the platform was told of: status sold | returned | reversed, times_sold counts resales
        "trace_codes": [dict(r) for r in db.execute(
            "SELECT code, status, med_list_codg, setl_id, infno, msgid, times_sold FROM trace_codes"
            " ORDER BY sold_at, code")],
    }
