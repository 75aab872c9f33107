"""What a step or a background round reads must not read the journal whole: a terminal keeps years of sales
(a busy pharmacy books ~100,000 a year), and a query that scans them grows every sale's latency with the
journal. bench/agent.py starts the agent on 20,000 settled sales (--history): the API added 8.9 ms a sale
with the agent's look-ups scanning, 4.6 ms with them indexed."""
from __future__ import annotations

import re
from datetime import date

from agent.desk import Desk
from tests.agent.conftest import bill
from tests.engine.helpers import SUPERVISOR_PIN, staff

# Tables that gain rows with every sale, refund or box of medicine sold.
GROWING = {"sales", "requests", "refunds", "outbox", "trace_codes", "trace_reports", "tenders", "agent_sales",
           "agent_keys"}


def full_scans(conn, statements) -> dict[str, set[str]]:
    """{table: statements} of the statements whose query plan reads a growing table whole."""
    found: dict[str, set[str]] = {}
    for sql in statements:
        if not re.match(r"\s*(SELECT|UPDATE|DELETE|INSERT)\b", sql, re.I):
            continue
        for *_, detail in conn.execute("EXPLAIN QUERY PLAN " + sql).fetchall():
            m = re.fullmatch(r"SCAN (\w+)", detail)  # "SCAN t USING [COVERING] INDEX ..." is a walk in order
            if m and m.group(1) in GROWING:
                found.setdefault(m.group(1), set()).add(re.sub(r"\s+", " ", sql)[:200])
    return found


def test_no_step_or_background_round_reads_a_growing_table_whole(sim, make_cfg):
    cfg = make_cfg("pharmacy", {"credential.adapter": "http", "devices.scanner": "none"})
    staff(cfg)
    desk = Desk(cfg)
    conn = desk.counter.journal.conn
    seen: list[str] = []
    conn.set_trace_callback(seen.append)
    try:
        person = sim.person("active", insutype="310")
        settled = []
        for n in range(2):  # a sale pushed with its code, then the rounds the agent runs every second
            view, _ = desk.create(f"g-{n}", bill(f"ERP-G{n}", qr=sim.code(person["psn_no"])))
            settled.append(desk.confirm(view["sale_id"]))
            desk.view(view["sale_id"])
            desk.watch()
            desk.status()
        waiting, _ = desk.create("g-w", bill("ERP-GW"))  # one waiting for its code, then given one
        desk.expire_waiting()
        desk.code(waiting["sale_id"], sim.code(person["psn_no"]))
        desk.cancel(waiting["sale_id"])
        desk.refund("g-r", {"setl_id": settled[0]["setl_id"], "reason": "退药", "cashier": "c1",
                            "supervisor": "s1", "pin": SUPERVISOR_PIN})
        desk.sync()
        desk.watch()
        assert len(desk.sales_on(date.today())["sales"]) == 3  # the HIS's day-end list
    finally:
        conn.set_trace_callback(None)
    assert any("agent_sales" in s for s in seen) and any("refunds" in s for s in seen)  # the paths ran
    assert full_scans(conn, set(seen)) == {}
    desk.close()
