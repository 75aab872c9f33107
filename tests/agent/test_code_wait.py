"""A pushed sale nobody scans is cancelled after [agent] code_wait seconds, as a card terminal times out
(Stripe Terminal's reader and Square's Terminal checkout both give up on a payment nobody presents), so the
terminal takes the next bill instead of answering terminal_busy until someone cancels by hand."""
from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone

import httpx

from agent.desk import Desk
from tests.agent.conftest import bill
from tests.engine.helpers import journal_rows
from tests.waiting import wait_until


def test_a_sale_nobody_scans_is_cancelled_after_code_wait_and_the_next_bill_is_taken(sim, agent):
    proc, http, cfg = agent("pharmacy", **{"agent.code_wait": 1.0})
    first = http.post("/v1/sales", json=bill("ERP-T1"), headers={"Idempotency-Key": "t-1"})
    assert first.status_code == 201 and first.json()["state"] == "waiting_for_code", first.text
    sid = first.json()["sale_id"]

    gone = wait_until(lambda: (v := http.get(f"/v1/sales/{sid}").json())["state"] == "cancelled" and v,
                      timeout=30, message="the waiting sale was not cancelled")
    assert gone["error"]["key"] == "code_timeout" and "请重新推送账单" in gone["error"]["message"], gone
    assert gone["next"] == []
    # the event a HIS screen follows, with the same error (Last-Event-ID 0: the kept events too)
    with httpx.Client(base_url=proc.url, headers=proc.headers, timeout=30) as c:
        with c.stream("GET", "/v1/events", headers={"Last-Event-ID": "0"}) as r:
            kind = None
            for line in r.iter_lines():
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: ") and kind == "sale.cancelled":
                    event = json.loads(line[6:])
                    break
    assert event["sale_id"] == sid and event["error"] == "code_timeout" and event["message"]
    assert journal_rows(cfg, "SELECT COUNT(*) n FROM requests")[0]["n"] == 0  # nothing went to the platform

    # the terminal is free: the next bill is taken and settles
    person = sim.person("active", insutype="310")
    nxt = http.post("/v1/sales", json=bill("ERP-T2", qr=sim.code(person["psn_no"])), headers={"Idempotency-Key": "t-2"})
    assert nxt.status_code == 201 and nxt.json()["state"] == "quoted", nxt.text
    assert http.post(f"/v1/sales/{nxt.json()['sale_id']}/confirm").json()["state"] == "settled"
    late = http.post(f"/v1/sales/{sid}/code", json={"qr": sim.code(person["psn_no"])})
    assert late.status_code == 409 and late.json()["error"]["key"] == "sale_not_waiting"


def test_a_sale_whose_code_is_being_read_is_not_cancelled_under_the_reader(sim, make_cfg):
    # In process, so the timeout can be asked for exactly while the code is read (the platform's 1162 answer is
    # held back): the Desk lock makes it wait for the step, and the step leaves the sale quoted.
    cfg = make_cfg("pharmacy", {"credential.adapter": "http", "devices.scanner": "none", "agent.code_wait": 1.0})
    desk = Desk(cfg)
    try:
        reading = threading.Event()
        desk.hub.listen(lambda ev: ev.type == "sale.code_read" and reading.set())
        view, _ = desk.create("lock-1", bill("ERP-L1"))
        sid = view["sale_id"]
        code = sim.code(sim.person("active", insutype="310")["psn_no"])
        sim.faults("1162:delay:1500")
        done: list[dict] = []
        reader = threading.Thread(target=lambda: done.append(desk.code(sid, code)), daemon=True)
        reader.start()
        assert reading.wait(30)
        # an hour past code_wait, asked while the code is being read
        assert desk.expire_waiting(datetime.now(timezone.utc) + timedelta(hours=1)) == []
        reader.join(30)
        assert done and done[0]["state"] == "quoted", done
        assert desk.view(sid)["state"] == "quoted"
    finally:
        sim.clear_faults()
        desk.close()
