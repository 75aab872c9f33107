"""kill -9 of `ecpos return` at every step of a 医保 return (the whole refund's 2103, the kept lines' 2101 and
2102: before the send, on the wire, after the answer before the journal commit, after it), then `ecpos sync`
and going on with the patient's code shown again: at the platform the original stands refunded exactly once,
the kept lines stand settled exactly once, and the hand-back is booked once, the difference of the cash parts.

The journal's crash hook (ECPOS_TEST_KILL_AT=point[@ms]) SIGKILLs the process at the point (test_crash_kill.py).
"""
from __future__ import annotations

import json
import signal
from decimal import Decimal

import pytest

from terminal import returns
from terminal.counter import Counter, Item
from terminal.journal.journal import Journal

from tests.engine.helpers import PIN, SUPERVISOR_PIN, ecpos, staff

ENV = {"ECPOS_SUPERVISOR_PIN": SUPERVISOR_PIN, "ECPOS_PIN": PIN}
ITEMS = [Item("XA01", "阿莫西林胶囊", Decimal("3"), Decimal("12.50")),
         Item("XA02", "布洛芬缓释胶囊", Decimal("1"), Decimal("20.00"))]
START = ("before_send:2103", "in_flight:2103@4", "answered:2103", "committed:2103")
RESUME = ("before_send:2101", "answered:2101", "committed:2101", "before_send:2102", "in_flight:2102@4",
          "answered:2102", "committed:2102")


@pytest.mark.parametrize("point", START + RESUME)
def test_kill_a_return_anywhere_then_it_ends_refunded_once_and_resettled_once(sim, make_cfg, point):
    cfg = make_cfg("pharmacy", {"credential.adapter": "http", "center.read_timeout": 5.0})
    staff(cfg)
    person = sim.person("active", insutype="390")
    with Counter(cfg) as c:
        s = c.settle(c.presettle(c.identify(sim.code(person["psn_no"])), ITEMS))
        from terminal.sale import tender
        c.record_tender(s.sale_id, tender.cash(s.psn_cash_pay, s.psn_cash_pay))
    start = ["return", s.setl_id, "--lines", "1:1", "--reason", "顾客退一盒", "--cashier", "c1",
             "--supervisor", "s1", "--json"]
    r = ecpos(cfg, *start, env={**ENV, **({"ECPOS_TEST_KILL_AT": point} if point in START else {})})
    assert r.returncode == (-signal.SIGKILL if point in START else 0), f"{point}: {r.returncode} {r.stderr}"
    if point in RESUME:
        rid = json.loads(r.stdout)["return_id"]
        r = ecpos(cfg, "return", "--resume", str(rid), "--qr", sim.code(person["psn_no"]), "--json",
                  env={**ENV, "ECPOS_TEST_KILL_AT": point})
        assert r.returncode == -signal.SIGKILL, f"{point}: {r.returncode} {r.stderr}"  # the point was reached
    assert ecpos(cfg, "sync").returncode == 0
    with Counter(cfg) as c:
        [ret] = c.journal.query("SELECT id FROM returns")
        for _ in range(3):  # go on as the cashier would, the code shown again each time
            got = returns.get(c.journal, ret["id"])
            if got.state == returns.DONE:
                break
            if got.state == returns.NEEDS_CODE:
                got = returns.resettle(c, got.id, sim.code(person["psn_no"]), cashier="c1")
            else:
                c.sync()
                got = returns.finish(c, got.id, "c1")
        assert got.state == returns.DONE, (point, got)
        resale = c.journal.sale(got.resale_id)
        booked = c.journal.query("SELECT COUNT(*) n FROM tenders WHERE refund_id=?", (got.refund_id,))[0]["n"]
    proof = Journal.for_config(cfg).verify_rows()
    assert proof.ok, proof
    ledger = sim.ledger()
    assert [x["osetl_id"] for x in ledger["refunds"] if x["status"] == "refunded"] == [s.setl_id]
    standing = [x for x in ledger["settlements"] if x["status"] == "settled"]
    assert [x["setl_id"] for x in standing] == [resale["setl_id"]] and standing[0]["medfee_sumamt"] == "45.00"
    assert booked == 1 and got.back == {"cash": s.psn_cash_pay - Decimal(resale["psn_cash_pay"])}
