"""Answers lost on either side of the agent, and the agent killed mid-settle.

- The platform's answer to 2102 is lost: the sale is unknown, sync reverses it (2601, PROTOCOL.md §2) and
  GET says so; nothing is resent.
- The caller's answer is lost (its HTTP client gave up while the platform was slow): the caller looks the
  sale up with GET and a repeated confirm sends nothing (Stripe Terminal: "check the PaymentIntent's status
  before retrying", https://docs.stripe.com/terminal/payments/collect-card-payment).
- kill -9 of the agent after the platform answered 2102 but before the journal took the answer (the journal's
  crash hook ECPOS_TEST_KILL_AT, as tests/e2e/test_crash_kill.py): after a restart the sale is unknown, then
  sync resolves it and GET tells the caller.
"""
from __future__ import annotations

import signal

import httpx
import pytest

from terminal.journal.journal import Journal
from tests.agent.conftest import bill
from tests.engine.helpers import ecpos_json
from tests.waiting import wait_until


def settle_requests(cfg) -> list[dict]:
    j = Journal.for_config(cfg)
    try:
        return j.query("SELECT msgid, state FROM requests WHERE infno='2102'")
    finally:
        j.close()


def test_platform_answer_lost_is_unknown_then_sync_reverses_and_get_says_so(sim, agent):
    # The agent's own background sync (every 30 s) stays out of it: on a loaded machine it came mid-test and
    # reversed the sale before the admin's sync below, which then had nothing to report.
    proc, http, cfg = agent("pharmacy", **{"agent.sync_every": 3600.0})
    person = sim.person("active", insutype="310")
    sale = http.post("/v1/sales", json=bill(qr=sim.code(person["psn_no"])), headers={"Idempotency-Key": "l-1"}).json()
    sim.faults("2102:drop:1")  # processed and committed at the platform; the answer never arrives
    r = http.post(f"/v1/sales/{sale['sale_id']}/confirm").json()
    assert r["state"] == "unknown" and r["error"]["key"] == "platform_unknown", r
    again = http.post(f"/v1/sales/{sale['sale_id']}/confirm").json()
    assert again["state"] == "unknown" and len(settle_requests(cfg)) == 1  # looked up, never resent
    assert http.get("/v1/status").json()["unknown_outcomes"] == 1

    out = ecpos_json(cfg, "sync")  # the admin's sync (the agent's own runs every [agent] sync_every)
    assert [x["rslt"] for x in out["reversed"]] == ["reversed"]
    after = http.get(f"/v1/sales/{sale['sale_id']}").json()
    assert after["state"] == "failed" and after["journal_status"] == "reversed"
    assert after["error"]["key"] == "settlement_reversed" and "重新结算" in after["error"]["message"]
    assert [s["status"] for s in sim.ledger()["settlements"]] == ["reversed"]


def test_callers_answer_lost_is_looked_up_and_confirm_again_sends_nothing(sim, agent):
    proc, http, cfg = agent("pharmacy")
    person = sim.person("active", insutype="390")
    sale = http.post("/v1/sales", json=bill(qr=sim.code(person["psn_no"])), headers={"Idempotency-Key": "l-2"}).json()
    sim.faults("2102:delay:1500")
    with pytest.raises(httpx.ReadTimeout):
        http.post(f"/v1/sales/{sale['sale_id']}/confirm", timeout=0.3)
    # the caller gave up, the agent goes on: GET says settling (or settled) once the confirm is taken up — on a
    # loaded machine that may be after the caller's 0.3 s
    wait_until(lambda: http.get(f"/v1/sales/{sale['sale_id']}").json()["state"] in ("settling", "settled"),
               timeout=20)
    done = wait_until(lambda: (v := http.get(f"/v1/sales/{sale['sale_id']}").json())["state"] == "settled" and v,
                      timeout=20)
    sim.clear_faults()
    assert http.post(f"/v1/sales/{sale['sale_id']}/confirm").json()["setl_id"] == done["setl_id"]
    assert [r["state"] for r in settle_requests(cfg)] == ["ok"]
    assert [s["status"] for s in sim.ledger()["settlements"]] == ["settled"]


def test_agent_killed_mid_settle_restarts_unknown_then_sync_resolves_it(sim, agent):
    proc, http, cfg = agent("pharmacy", env={"ECPOS_TEST_KILL_AT": "answered:2102"})
    person = sim.person("active", insutype="310")
    sale = http.post("/v1/sales", json=bill(qr=sim.code(person["psn_no"])), headers={"Idempotency-Key": "k-9"}).json()
    with pytest.raises(httpx.TransportError):
        http.post(f"/v1/sales/{sale['sale_id']}/confirm")
    assert proc.wait() == -signal.SIGKILL
    [platform] = sim.ledger()["settlements"]
    assert platform["status"] == "settled"  # the platform settled; the journal never saw the answer

    sim.stop()  # the platform is away while the agent comes back: nothing can resolve it yet
    proc.start()
    http = httpx.Client(base_url=proc.url, headers=proc.headers, timeout=30)
    try:
        v = http.get(f"/v1/sales/{sale['sale_id']}").json()
        assert v["state"] == "unknown" and v["error"]["key"] == "platform_unknown", v
        # The caller retries its push (a fresh code: codes are dynamic, so the code is not part of the bill):
        # the same sale, still unknown, nothing sent.
        retry = http.post("/v1/sales", json=bill(qr="6" * 28), headers={"Idempotency-Key": "k-9"})
        assert retry.status_code == 200 and retry.json()["sale_id"] == sale["sale_id"]
        assert retry.json()["state"] == "unknown" and len(settle_requests(cfg)) == 1
        sim.start()
        ecpos_json(cfg, "sync")
        v = wait_until(lambda: (x := http.get(f"/v1/sales/{sale['sale_id']}").json())["state"] != "unknown" and x,
                       timeout=20)
        assert v["state"] == "failed" and v["journal_status"] == "reversed"
        assert [s["status"] for s in sim.ledger()["settlements"]] == ["reversed"]
    finally:
        http.close()
