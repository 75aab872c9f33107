"""Offline refunds: queued while the platform is down (exit 3), forwarded by sync exactly once."""
from __future__ import annotations

from decimal import Decimal

import pytest

from terminal.counter import Counter, Item

from tests.engine.helpers import PIN, SUPERVISOR_PIN, ecpos, ecpos_json, staff

ITEMS = [Item("XA01", "阿莫西林胶囊", Decimal("3"), Decimal("12.50"))]
PIN_ENV = {"ECPOS_SUPERVISOR_PIN": SUPERVISOR_PIN, "ECPOS_PIN": PIN}  # supervisor and cashier


@pytest.fixture
def settled(sim, make_cfg):
    """A config with staff and one settled pharmacy sale: (cfg, settlement, person)."""
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    staff(cfg)
    person = sim.person("active", insutype="310")
    with Counter(cfg) as c:
        s = c.settle(c.presettle(c.identify(sim.code(person["psn_no"])), ITEMS))
    return cfg, s, person


def refund_args(setl_id: str) -> list[str]:
    return ["refund", setl_id, "--reason", "顾客退药", "--cashier", "c1", "--supervisor", "s1"]


def test_refund_while_down_is_queued_then_sync_refunds_once(sim, settled):
    cfg, s, person = settled
    sim.stop()
    out = ecpos_json(cfg, *refund_args(s.setl_id), env=PIN_ENV, expect=3)
    assert out["status"] == "queued" and out["amount"] == "37.50"
    [row] = ecpos_json(cfg, "journal")
    assert row["status"] == "refund_queued"
    # Still down: sync keeps it (exit 3) and sends nothing.
    assert ecpos(cfg, "sync").returncode == 3

    sim.start()
    report = ecpos_json(cfg, "sync")
    assert [r["setl_id"] for r in report["refunded"]] == [s.setl_id]
    assert report["queued_refunds"] == 0
    assert ecpos_json(cfg, "journal")[0]["status"] == "refunded"

    again = ecpos_json(cfg, "sync")
    assert again["refunded"] == [] and again["reversed"] == []
    ledger = sim.ledger()
    assert len(ledger["refunds"]) == 1 and ledger["refunds"][0]["osetl_id"] == s.setl_id
    assert [x["status"] for x in ledger["settlements"]] == ["refunded"]
    # The same sale cannot be refunded again.
    r = ecpos(cfg, *refund_args(s.setl_id), env=PIN_ENV)
    assert r.returncode == 2 and "已退费" in r.stderr


def test_refund_online_is_forwarded_at_once(sim, settled):
    cfg, s, _ = settled
    out = ecpos_json(cfg, *refund_args(s.setl_id), env=PIN_ENV)
    assert out["status"] == "refunded"
    assert len(sim.ledger()["refunds"]) == 1


def test_lost_refund_answer_is_reversed_and_resent_with_a_new_msgid(sim, settled):
    cfg, s, person = settled
    sim.faults("2103:drop:1")  # the refund is processed, its answer lost
    with Counter(cfg) as c:
        ticket = c.queue_refund(s.setl_id, "顾客退药", "c1", "s1", SUPERVISOR_PIN)
        assert ticket.status == "refunded"  # the same call's sync reversed the lost attempt and resent it
        first = c.journal.query("SELECT msgid FROM requests WHERE infno='2103' ORDER BY sent_at")
        assert len(first) == 2 and first[0]["msgid"] != first[1]["msgid"] == ticket.msgid
        assert not c.sync().changed
    ledger = sim.ledger()
    live = [r for r in ledger["refunds"] if r["status"] == "refunded"]
    assert len(live) == 1 and live[0]["msgid"] == ticket.msgid
    assert [(r["oinfno"], r["rslt"]) for r in ledger["reversals"]] == [("2103", "reversed")]
    assert [x["status"] for x in ledger["settlements"]] == ["refunded"]


def test_refunds_are_forwarded_in_order(sim, make_cfg):
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    staff(cfg)
    people = [sim.person("active", insutype="310"), sim.person("active", insutype="390")]
    with Counter(cfg) as c:
        sales = [c.settle(c.presettle(c.identify(sim.code(p["psn_no"])), ITEMS)) for p in people]
        sim.stop()
        tickets = [c.queue_refund(x.setl_id, "顾客退药", "c1", "s1", SUPERVISOR_PIN) for x in sales]
        assert [t.status for t in tickets] == ["queued", "queued"]
        assert c.status().queued_refunds == 2 and not c.status().online
        sim.start()
        report = c.sync()
    assert [r["setl_id"] for r in report.refunded] == [x.setl_id for x in sales]
    assert [r["osetl_id"] for r in sim.ledger()["refunds"]] == [x.setl_id for x in sales]
