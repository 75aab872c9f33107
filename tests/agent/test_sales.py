"""The agent API driven over real HTTP against a real `ecpos agent` and the reference service: a pharmacy
sale, a clinic visit, an idempotent retry, a refund.

The flow follows card-terminal APIs driven by a POS: Stripe Terminal's server-driven integration
(https://docs.stripe.com/terminal/payments/collect-card-payment?terminal-sdk-platform=server-driven: create
with an idempotency key, the reader collects, the POS confirms, a lost response is looked up, not resent) and
Square's Terminal API (https://developer.squareup.com/docs/terminal-api/overview: a checkout with an
idempotency_key, the same key again returns the same checkout).
"""
from __future__ import annotations

import json
import threading
from datetime import date

import httpx

from terminal.journal.journal import Journal
from tests.agent.conftest import bill
from tests.engine.helpers import SUPERVISOR_PIN
from tests.waiting import wait_until


def requests_of(cfg, infno: str) -> list[dict]:
    j = Journal.for_config(cfg)
    try:
        return j.query("SELECT msgid, state FROM requests WHERE infno=?", (infno,))
    finally:
        j.close()


def test_pharmacy_sale_pushed_scanned_quoted_confirmed_with_events(sim, agent):
    proc, http, cfg = agent("pharmacy")
    person = sim.person("active", insutype="310")
    seen: list[tuple[str, dict]] = []
    ready = threading.Event()

    def listen():
        with httpx.Client(base_url=proc.url, headers=proc.headers, timeout=30) as c:
            with c.stream("GET", "/v1/events") as r:
                ready.set()
                kind = None
                for line in r.iter_lines():
                    if line.startswith("event: "):
                        kind = line[7:]
                    elif line.startswith("data: "):
                        seen.append((kind, json.loads(line[6:])))
                        if kind == "sale.settled":
                            return
    t = threading.Thread(target=listen, daemon=True)
    t.start()
    assert ready.wait(10)

    r = http.post("/v1/sales", json=bill(), headers={"Idempotency-Key": "erp-1"})
    assert r.status_code == 201, r.text
    sale = r.json()
    assert sale["state"] == "waiting_for_code" and sale["split"] is None and sale["next"] == ["code", "cancel"]
    r = http.post(f"/v1/sales/{sale['sale_id']}/code", json={"qr": sim.code(person["psn_no"])})
    quoted = r.json()
    assert r.status_code == 200 and quoted["state"] == "quoted", r.text
    split = quoted["split"]
    assert split["medfee_sumamt"] == "43.80"
    assert all(isinstance(v, str) and v.count(".") == 1 and len(v.split(".")[1]) == 2 for v in split.values())
    assert quoted["patient"]["name"].endswith("*") and "*" in quoted["patient"]["certno"]
    assert quoted["next"] == ["confirm", "cancel"]  # the core's allowed steps

    r = http.post(f"/v1/sales/{sale['sale_id']}/confirm")
    done = r.json()
    assert done["state"] == "settled" and done["setl_id"], r.text
    assert done["setl_id"] in done["receipt"] and "43.80" in done["receipt"] and done["next"] == ["refund"]
    assert http.get(f"/v1/sales/{sale['sale_id']}").json() == done
    [platform] = [s for s in sim.ledger()["settlements"] if s["setl_id"] == done["setl_id"]]
    assert platform["status"] == "settled" and platform["medfee_sumamt"] == "43.80"

    t.join(10)
    kinds = [k for k, d in seen if d.get("sale_id") == sale["sale_id"]]
    assert kinds == ["sale.waiting_for_code", "sale.code_read", "sale.quoted", "sale.settling", "sale.settled"]
    status = http.get("/v1/status").json()
    assert status["online"] and status["open_sale"] is None and status["unknown_outcomes"] == 0


def test_same_key_same_bill_is_the_same_sale_another_bill_is_409_and_confirm_twice_settles_once(sim, agent):
    proc, http, cfg = agent("pharmacy")
    person = sim.person("active", insutype="390")
    body = bill(qr=sim.code(person["psn_no"]))
    first = http.post("/v1/sales", json=body, headers={"Idempotency-Key": "k-42"})
    assert first.status_code == 201 and first.json()["state"] == "quoted", first.text
    again = http.post("/v1/sales", json=body, headers={"Idempotency-Key": "k-42"})
    assert again.status_code == 200 and again.json()["sale_id"] == first.json()["sale_id"]
    assert again.json()["state"] == "quoted"
    assert len(requests_of(cfg, "2101")) == 1  # the retry was not quoted again

    other = http.post("/v1/sales", json=bill("ERP-0002"), headers={"Idempotency-Key": "k-42"})
    assert other.status_code == 409 and other.json()["error"]["key"] == "idempotency_conflict"
    assert other.json()["error"]["sale_id"] == first.json()["sale_id"]  # the sale the key made, to look up
    busy = http.post("/v1/sales", json=bill("ERP-0003"), headers={"Idempotency-Key": "k-43"})
    assert busy.status_code == 409 and busy.json()["error"]["key"] == "terminal_busy"

    sid = first.json()["sale_id"]
    one = http.post(f"/v1/sales/{sid}/confirm").json()
    two = http.post(f"/v1/sales/{sid}/confirm").json()
    assert one["state"] == two["state"] == "settled" and one["setl_id"] == two["setl_id"]
    assert len(requests_of(cfg, "2102")) == 1
    assert len([s for s in sim.ledger()["settlements"] if s["status"] == "settled"]) == 1
    cancel = http.post(f"/v1/sales/{sid}/cancel")
    assert cancel.status_code == 409 and cancel.json()["error"]["key"] == "sale_not_cancellable"


def test_clinic_visit_registers_uploads_and_settles(sim, agent):
    proc, http, cfg = agent("clinic")
    person = sim.person("active", insutype="310")
    body = {"profile": "clinic", "external_id": "HIS-MZ-77", "dept": "A03", "doctor": "D001",
            "items": [{"code": "110200001", "name": "普通挂号费", "qty": "1", "price": "12.00"},
                      {"code": "XA01", "name": "阿莫西林胶囊", "qty": "1", "price": "25.00", "dr_code": "D001"}]}
    sale = http.post("/v1/sales", json=body, headers={"Idempotency-Key": "his-77"}).json()
    quoted = http.post(f"/v1/sales/{sale['sale_id']}/code", json={"qr": sim.code(person["psn_no"])}).json()
    assert quoted["state"] == "quoted" and quoted["split"]["medfee_sumamt"] == "37.00", quoted
    assert quoted["mdtrt_id"]
    done = http.post(f"/v1/sales/{sale['sale_id']}/confirm").json()
    assert done["state"] == "settled" and done["mdtrt_id"] == quoted["mdtrt_id"]
    for infno in ("2201", "2203", "2204", "2206", "2207"):
        assert [r["state"] for r in requests_of(cfg, infno)] == ["ok"], infno
    wrong = http.post("/v1/sales", json={**body, "profile": "pharmacy"}, headers={"Idempotency-Key": "his-78"})
    assert wrong.status_code == 422 and wrong.json()["error"]["key"] == "profile_mismatch"


def test_cancelled_clinic_quote_undoes_the_visit(sim, agent):
    proc, http, cfg = agent("clinic")
    person = sim.person("active", insutype="390")
    body = {"external_id": "HIS-MZ-80", "items": [{"code": "110200001", "name": "普通挂号费", "qty": "1",
                                                   "price": "12.00"}], "qr": sim.code(person["psn_no"])}
    sale = http.post("/v1/sales", json=body, headers={"Idempotency-Key": "his-80"}).json()
    assert sale["state"] == "quoted", sale
    gone = http.post(f"/v1/sales/{sale['sale_id']}/cancel").json()
    assert gone["state"] == "cancelled"
    assert [r["state"] for r in requests_of(cfg, "2205")] == ["ok"]
    assert [r["state"] for r in requests_of(cfg, "2202")] == ["ok"]
    late = http.post(f"/v1/sales/{sale['sale_id']}/confirm")
    assert late.status_code == 409 and late.json()["error"]["key"] == "sale_cancelled"


def test_refused_code_keeps_the_sale_waiting_with_the_reason(sim, agent):
    proc, http, cfg = agent("pharmacy")
    sale = http.post("/v1/sales", json=bill(), headers={"Idempotency-Key": "w-1"}).json()
    wechat = "134567890123456789"  # a WeChat Pay code, not a 医保码
    r = http.post(f"/v1/sales/{sale['sale_id']}/code", json={"qr": wechat}).json()
    assert r["state"] == "waiting_for_code" and r["error"]["key"] and "医保" in r["error"]["message"], r
    person = sim.person("active")
    ok = http.post(f"/v1/sales/{sale['sale_id']}/code", json={"qr": sim.code(person["psn_no"])}).json()
    assert ok["state"] == "quoted" and ok["error"] is None


def test_refund_needs_the_supervisor_pin_then_reaches_the_platform(sim, agent):
    proc, http, cfg = agent("pharmacy")
    person = sim.person("active", insutype="310")
    sale = http.post("/v1/sales", json=bill(qr=sim.code(person["psn_no"])), headers={"Idempotency-Key": "r-1"}).json()
    done = http.post(f"/v1/sales/{sale['sale_id']}/confirm").json()
    ask = {"setl_id": done["setl_id"], "reason": "顾客退药", "cashier": "c1", "supervisor": "s1", "pin": "0000"}
    wrong = http.post("/v1/refunds", json=ask)
    assert wrong.status_code == 403 and wrong.json()["error"]["key"] == "refund_wrong_pin"
    r = http.post("/v1/refunds", json={**ask, "pin": SUPERVISOR_PIN}, headers={"Idempotency-Key": "rf-1"})
    assert r.status_code == 201 and r.json()["status"] == "refunded" and r.json()["amount"] == "43.80", r.text
    again = http.post("/v1/refunds", json={**ask, "pin": SUPERVISOR_PIN}, headers={"Idempotency-Key": "rf-1"})
    assert again.status_code == 200 and again.json()["refund_id"] == r.json()["refund_id"]
    twice = http.post("/v1/refunds", json={**ask, "pin": SUPERVISOR_PIN})
    assert twice.status_code == 422 and twice.json()["error"]["key"].startswith("refund_")
    assert [x["osetl_id"] for x in sim.ledger()["refunds"]] == [done["setl_id"]]
    assert http.get(f"/v1/sales/{sale['sale_id']}").json()["journal_status"] == "refunded"


def test_refund_while_the_platform_is_away_is_queued_then_the_agents_own_sync_forwards_it(sim, agent):
    proc, http, cfg = agent("pharmacy", **{"agent.sync_every": 1.0})
    person = sim.person("active", insutype="390")
    sale = http.post("/v1/sales", json=bill(qr=sim.code(person["psn_no"])), headers={"Idempotency-Key": "q-1"}).json()
    done = http.post(f"/v1/sales/{sale['sale_id']}/confirm").json()
    ask = {"setl_id": done["setl_id"], "reason": "顾客退药", "cashier": "c1", "supervisor": "s1",
           "pin": SUPERVISOR_PIN}
    sim.stop()
    r = http.post("/v1/refunds", json=ask, headers={"Idempotency-Key": "rq-1"})
    assert r.status_code == 201 and r.json()["status"] == "queued" and "联网后" in r.json()["message"], r.text
    assert http.get("/v1/status").json()["queued_refunds"] == 1
    sim.start()
    rid = r.json()["refund_id"]
    read = http.get(f"/v1/refunds/{rid}").json()  # the same refund read back, still queued
    assert {**read, "message": ""} == {**r.json(), "message": ""} and "自动上传" in read["message"], read
    # followed with GET until the background sync sent it; the same key again looks it up too (never a second)
    wait_until(lambda: http.get(f"/v1/refunds/{rid}").json()["status"] == "refunded", timeout=30)
    again = http.post("/v1/refunds", json=ask, headers={"Idempotency-Key": "rq-1"})
    assert (again.status_code, again.json()["refund_id"], again.json()["status"]) == (200, rid, "refunded")
    gone = http.get("/v1/refunds/999999")
    assert gone.status_code == 404 and gone.json()["error"]["key"] == "refund_not_found"
    assert [x["osetl_id"] for x in sim.ledger()["refunds"]] == [done["setl_id"]]
    assert http.get("/v1/status").json()["queued_refunds"] == 0


def test_a_days_sales_are_listed_for_the_his_reconciliation(sim, agent):
    proc, http, cfg = agent("pharmacy")
    person = sim.person("active", insutype="310")
    first = http.post("/v1/sales", json=bill("ERP-L1", qr=sim.code(person["psn_no"])),
                      headers={"Idempotency-Key": "l-1"}).json()
    settled = http.post(f"/v1/sales/{first['sale_id']}/confirm").json()
    waiting = http.post("/v1/sales", json=bill("ERP-L2"), headers={"Idempotency-Key": "l-2"}).json()

    day = http.get("/v1/sales").json()  # today's, oldest first
    assert day["day"] == date.today().isoformat() and day["more"] is False
    assert [(s["external_id"], s["state"]) for s in day["sales"]] == [("ERP-L1", "settled"),
                                                                      ("ERP-L2", "waiting_for_code")]
    listed = day["sales"][0]
    assert listed["setl_id"] == settled["setl_id"] and listed["split"] == settled["split"]
    assert listed["receipt"] is None and settled["receipt"]  # the list leaves the receipt text to GET /{id}
    one = http.get("/v1/sales", params={"external_id": "ERP-L2"}).json()
    assert [s["sale_id"] for s in one["sales"]] == [waiting["sale_id"]]
    assert http.get("/v1/sales", params={"day": "2000-01-01"}).json()["sales"] == []
    for edge in ("0001-01-01", "9999-12-31"):  # beyond the local clock's range: none, not a 500 (schemathesis)
        assert http.get("/v1/sales", params={"day": edge}).json() == {"day": edge, "sales": [], "more": False}
    bad = http.get("/v1/sales", params={"day": "29/11/2026"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "day"


def test_status_goes_offline_in_a_503_outage_and_comes_back_by_itself(sim, agent):
    """Issue 21 item 6: a 503 is not an answer; the background round's recheck (a 9001) brings it back."""
    proc, http, cfg = agent("pharmacy", **{"agent.sync_every": 1.0})
    person = sim.person("active", insutype="310")
    sim.faults("*:down")
    sale = http.post("/v1/sales", json=bill(), headers={"Idempotency-Key": "erp-503"}).json()
    http.post(f"/v1/sales/{sale['sale_id']}/code", json={"qr": sim.code(person["psn_no"])})
    wait_until(lambda: not http.get("/v1/status").json()["online"], timeout=10)
    sim.clear_faults()
    wait_until(lambda: http.get("/v1/status").json()["online"], timeout=15)
    assert requests_of(cfg, "9001")
