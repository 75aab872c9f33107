"""Reporting 药品追溯码 to the platform: 3505 商品销售 after a settlement, 3506 商品销售退货 after its refund
(3505A / 3506A: one request per sale with selinfoDetail), or drug_trac_info beside the settlement's fee lines.

Exactly once through outages and crashes: each report's msgid is claimed in the journal (trace_reports)
before it is sent, and every retry sends that same msgid, which the platform treats as the identity of the
request (a second delivery gets the first answer, no second effect). An unreachable platform or a lost answer
leaves the report open for the next sync; only an answer closes it: output.result.retRslt "1" accepted,
anything else (retRslt "0" with msgRslt, or infcode -1) refused with the platform's words.
"""
from __future__ import annotations

import json
import sqlite3
from datetime import datetime

from terminal import logs
from terminal.journal import audit
from terminal.sale import lots, settling, trace_store
from terminal.wire import messages
from terminal.errors import PlatformError, PlatformUnknown
from terminal.journal.journal import Journal, now, rows
from terminal.wire.wire import JournaledClient
from terminal.states import RefundState, RequestState, SaleState

INFNOS = {("3505", "sale"): "3505", ("3505", "return"): "3506",
          ("3505A", "sale"): "3505A", ("3505A", "return"): "3506A"}
# A report's kind: sale (3505), return (3506 of a refunded sale), or return:N (3506 of the boxes return N of
# terminal/returns.py brought back alone); the code status each one reports.
WAS = {"sale": "scanned", "return": "reported", "part": "returning"}


def _kind(kind: str) -> str:
    return "part" if kind.startswith("return:") else kind


MIN_PRCUNT = {"0": "2", "1": "1"}  # min_prcunt_type by trdn_flag: 2 whole pack as scanned, 1 拆零 (see tests)


def settlement_nodes(journal: Journal, sale_id: int) -> list[dict]:
    """drug_trac_info for a settlement request: one node per box, naming its fee line by feedetl_sn."""
    return [{"feedetl_sn": messages.line_sn(sale_id, c["line"]), "drug_trac_codg": c["code"],
             "trdn_flag": c["trdn_flag"], "min_prcunt_type": MIN_PRCUNT.get(c["trdn_flag"], "2")}
            for c in trace_store.codes(journal, sale_id) if c["status"] == "scanned"]


def _claim(client: JournaledClient, journal: Journal) -> None:
    """Create the reports that are due, each with its msgid, in one transaction: a 3505 line for every
    settled sale's unreported codes, a 3506 line once the sale's refund went through."""
    with journal.tx() as c:
        due = rows(c, "SELECT t.sale_id, t.line, t.via, t.status, s.status AS sale_status FROM trace_codes t"
                      " JOIN sales s ON s.id = t.sale_id WHERE t.via != 'settlement' AND ("
                      f"(t.status='scanned' AND s.status IN {trace_store.SETTLED}) OR"
                      " (t.status='reported' AND s.status=?)) GROUP BY t.sale_id, t.line, t.status"
                      " ORDER BY t.sale_id, t.line", (SaleState.REFUNDED,))
        for d in due:
            kind = "sale" if d["status"] == "scanned" else "return"
            line = 0 if d["via"] == "3505A" else d["line"]
            if c.execute("SELECT 1 FROM trace_reports WHERE sale_id=? AND kind=? AND line=?",
                         (d["sale_id"], kind, line)).fetchone():
                continue
            c.execute("INSERT INTO trace_reports(sale_id, kind, line, infno, msgid, status, created_at)"
                      " VALUES (?,?,?,?,?, 'open', ?)",
                      (d["sale_id"], kind, line, INFNOS[(d["via"], kind)], client.msgids.next(), now()))


def _row(cfg, docno: str, sale: dict, items: list, line: int, codes: list[str], trdn_flag: str,
         refund: dict | None) -> dict:
    """One selinfo row (3505/3506 field names; what the till does not keep is left out, a lot too when
    none was recorded for the line).
    docno is the sale's invoice number (零售单据号)."""
    item = items[line - 1] if 0 < line <= len(items) else {}
    insured = bool(sale["setl_id"])
    when = _time(refund["done_at"] if refund and refund.get("done_at") else sale["confirmed_at"] or sale["created_at"])
    row = {
        "med_list_codg": item.get("code", ""), "fixmedins_hilist_id": item.get("code", ""),
        "fixmedins_hilist_name": item.get("name", ""),
        "fixmedins_bchno": f"{docno}-{line}",  # the sale's line: the till keeps no stock batches
        "rx_flag": "0", "trdn_flag": trdn_flag,
        "rtal_docno": docno,
        "sel_retn_cnt": str(item.get("qty", len(codes))), "sel_retn_time": when,
        "sel_retn_opter_name": cfg.operator.name,
        "mdtrt_setl_type": "1" if insured else "2",  # 1 医保结算, 2 自费
        "psn_cert_type": "01",
        "drugtracinfo": [{"drug_trac_codg": code} for code in codes],
    }
    if insured:
        row.update({"setl_id": sale["setl_id"], "psn_no": sale["psn_no"]})
    if item.get("rxno"):  # the line's prescription, as its 2101/2102 row carried it
        row["rxno"] = item["rxno"]
    if item.get("manu_lotnum"):  # the boxes' lot, as the cashier picked or typed it (terminal/sale/lots.py)
        row.update({k: item[k] for k in lots.FIELDS})
    if refund:
        row["memo"] = "退费"
    return row


def _time(iso: str) -> str:
    """The journal's UTC ISO time as the platform's local yyyy-MM-dd HH:mm:ss."""
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except (TypeError, ValueError):
        return datetime.now().strftime("%Y-%m-%d %H:%M:%S")


def _input(client: JournaledClient, journal: Journal, cfg, report: dict) -> tuple[dict, dict]:
    """The request input for one report, and its sale."""
    sale = journal.sale(report["sale_id"])
    items = json.loads(sale["items"] or "[]")
    refund = None
    if report["kind"] == "return":
        found = journal.query("SELECT * FROM refunds WHERE sale_id=? AND status=? ORDER BY id DESC"
                              " LIMIT 1", (sale["id"], RefundState.REFUNDED))
        refund = found[0] if found else {}
    want = WAS[_kind(report["kind"])]
    codes = journal.query("SELECT line, code, trdn_flag FROM trace_codes WHERE sale_id=? AND status=?"
                          + ("" if report["line"] == 0 else " AND line=?") + " ORDER BY line, id",
                          (sale["id"], want) + (() if report["line"] == 0 else (report["line"],)))
    lines: dict[int, list] = {}
    for c in codes:
        lines.setdefault(c["line"], []).append(c)
    docno = settling.invoice_no(client, sale["id"])
    built = [_row(cfg, docno, sale, items, n, [c["code"] for c in cs], cs[0]["trdn_flag"], refund)
             for n, cs in sorted(lines.items())]
    if _kind(report["kind"]) == "part":  # some boxes of the line came back, not the line
        for row in built:
            row["sel_retn_cnt"] = str(len(row["drugtracinfo"]))
    if report["infno"] in ("3505A", "3506A"):
        return {"selinfoDetail": built}, sale
    return {"selinfo": built[0] if built else {}}, sale


def result(out: dict) -> tuple[bool, str]:
    """(accepted, msgRslt) from a 3505/3506 answer's output.result (an object, or a one-item list)."""
    res = out.get("result") if isinstance(out, dict) else None
    if isinstance(res, list):
        res = res[0] if res else None
    if not isinstance(res, dict):
        return False, "应答缺少 result 节点"
    return str(res.get("retRslt", "")).strip() == "1", str(res.get("msgRslt") or "")


def _close(c: sqlite3.Connection, report: dict, accepted: bool, msg: str) -> None:
    """Apply an answer to the report and its codes, in the transaction that records the answer."""
    stamp = now()
    c.execute("UPDATE trace_reports SET status=?, msg=?, done_at=? WHERE id=?",
              ("accepted" if accepted else "refused", msg, stamp, report["id"]))
    was, to = WAS[_kind(report["kind"])], ("reported" if report["kind"] == "sale" else "returned")
    where = "sale_id=? AND status=?" + ("" if report["line"] == 0 else " AND line=?")
    args = (report["sale_id"], was) + (() if report["line"] == 0 else (report["line"],))
    if accepted:
        c.execute(f"UPDATE trace_codes SET status=?, err='', status_at=? WHERE {where}", (to, stamp, *args))
    elif report["kind"] == "sale":
        c.execute(f"UPDATE trace_codes SET status='refused', err=?, status_at=? WHERE {where}", (msg, stamp, *args))
    else:  # a refused return: the platform still counts them sold; the words are kept for the report
        c.execute(f"UPDATE trace_codes SET err=? WHERE {where}", (msg, *args))
    audit.append(c, "trace_" + ("accepted" if accepted else "refused"), "", sale_id=report["sale_id"],
                 kind=report["kind"], line=report["line"], infno=report["infno"], msgid=report["msgid"], msg=msg)


def _send(client: JournaledClient, journal: Journal, cfg, report_id: int) -> str:
    """Send one open report with its claimed msgid; returns its status afterwards. Unreachable or unknown:
    raises, and the report stays open for the same msgid next time."""
    report = journal.query("SELECT * FROM trace_reports WHERE id=?", (report_id,))[0]
    if report["status"] != "open":
        return report["status"]
    inp, sale = _input(client, journal, cfg, report)
    if _kind(report["kind"]) == "part" and not (inp.get("selinfo") or inp.get("selinfoDetail")):
        with journal.tx() as c:  # an earlier return's 3506 of the same line carried these boxes already
            _close(c, report, True, "")
        return "accepted"
    outcome = client.send_open(report["infno"], inp, msgid=report["msgid"], sale_id=sale["id"],
                               insuplc_admdvs=sale["insuplc_admdvs"] if sale["setl_id"] else "")
    with journal.tx() as c:
        if client.record(c, outcome):
            if outcome.msgid != report["msgid"]:  # the client signed in again and resent under a new msgid
                c.execute("UPDATE trace_reports SET msgid=? WHERE id=?", (outcome.msgid, report_id))
            if outcome.state == RequestState.OK:
                _close(c, report, *result(outcome.value))
            elif outcome.state == RequestState.REFUSED:
                _close(c, report, False, outcome.err_msg)
    client.committed(outcome)
    if outcome.state in (RequestState.UNREACHABLE, RequestState.UNKNOWN):
        raise outcome.error
    return journal.query("SELECT status FROM trace_reports WHERE id=?", (report_id,))[0]["status"]


def forward(client: JournaledClient, journal: Journal, cfg) -> dict:
    """Follow sales, claim the reports that are due and send every open one (oldest sale first, its sale
    report before its return); a second round sends the returns a first round's acceptance made due.
    Stops at an unreachable platform; returns {accepted, refused[], open, error}."""
    out: dict = {"accepted": 0, "refused": [], "open": 0, "error": ""}
    for _ in range(2):
        trace_store.follow_sales(journal)
        _claim(client, journal)
        before = out["accepted"]
        for r in journal.query("SELECT id, sale_id, kind, line, infno FROM trace_reports WHERE status='open'"
                               " ORDER BY sale_id, kind LIKE 'return%', line"):
            try:
                status = _send(client, journal, cfg, r["id"])
            except PlatformUnknown as e:
                logs.event("trace_report_unknown", infno=r["infno"], sale_id=r["sale_id"], msgid=e.msgid)
                out["error"] = out["error"] or f"{e.key}: {e.detail or e.message}"  # sync says: not done yet
                continue  # the same msgid goes again next time; the other reports still go
            except PlatformError as e:
                out["error"] = f"{e.key}: {e.detail or e.message}"
                break  # unreachable: nothing more will get through now
            if status == "accepted":
                out["accepted"] += 1
            elif status == "refused":
                msg = journal.query("SELECT msg FROM trace_reports WHERE id=?", (r["id"],))[0]["msg"]
                out["refused"].append({"sale_id": r["sale_id"], "kind": r["kind"], "line": r["line"],
                                       "infno": r["infno"], "msg": msg})
        if out["error"] or out["accepted"] == before:
            break
    out["open"] = journal.query("SELECT COUNT(*) n FROM trace_reports WHERE status='open'")[0]["n"]
    return out
