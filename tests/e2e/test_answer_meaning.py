"""What an answer means: only infcode -1 is "refused, nothing happened". A processed settlement or refund whose
answer is garbled (infcode null / 1 / true / [0], no output, no setl_id, a null or non-numeric amount, not
JSON), cut off by a gateway's 5xx, or dripping past the request's deadline is an unknown outcome: exit 3, the
sale stays unknown, and sync makes the journal and the platform agree (2601 with the original msgid).

PROTOCOL.md §2b: "Anything but infcode -1 (or a documented refusal) after a request may have reached the
platform is an unknown outcome (HTTP 5xx from a gateway, infcode null/1, missing output or setl_id)"; the
interface specification's answer: infcode 0 success, -1 failure (PROTOCOL.md §2).
"""
from __future__ import annotations

import time
from decimal import Decimal

import pytest

from terminal.counter import Counter, Item
from terminal.errors import PlatformUnknown

from tests.engine.helpers import SUPERVISOR_PIN, ecpos_json, items_file, staff

ITEMS = [Item("XA01", "阿莫西林胶囊", Decimal("2"), Decimal("12.50"))]
GARBLES = ("infcode_null", "infcode_1", "infcode_true", "infcode_list", "no_output", "no_setl_id",
           "null_amount", "text_amount", "not_json")


@pytest.fixture
def counter(sim, make_cfg):
    c = Counter(make_cfg("pharmacy", {"credential.adapter": "http"}))
    yield c
    c.close()


def _agree(counter, sim, sale_status: str, platform_status: str) -> None:
    assert [s.status for s in counter.sales()] == [sale_status]
    assert [s["status"] for s in sim.ledger()["settlements"]] == [platform_status]


@pytest.mark.parametrize("what", GARBLES)
def test_garbled_answer_to_a_processed_2102_is_unknown_and_sync_makes_both_sides_agree(sim, counter, what):
    person = sim.person("active", insutype="310")
    quote = counter.presettle(counter.identify(sim.code(person["psn_no"])), ITEMS)
    sim.faults(f"2102:garble:{what}")  # the platform settles and commits, its answer arrives broken

    with pytest.raises(PlatformUnknown):
        counter.settle(quote)

    [sale] = counter.sales()
    assert sale.status == "unknown" and sale.msgid  # never "failed": the platform holds it settled
    [request] = counter.journal.query("SELECT state, err FROM requests WHERE msgid=?", (sale.msgid,))
    assert request["state"] == "unknown"
    _agree(counter, sim, "unknown", "settled")

    report = counter.sync()
    assert [(r["msgid"], r["rslt"]) for r in report.reversed] == [(sale.msgid, "reversed")]
    _agree(counter, sim, "reversed", "reversed")
    assert counter.status().unknown_outcomes == 0


@pytest.mark.parametrize("status", ["500", "502", "504"])
def test_a_gateway_5xx_after_processing_is_unknown(sim, counter, status):
    person = sim.person("active", insutype="390")
    quote = counter.presettle(counter.identify(sim.code(person["psn_no"])), ITEMS)
    sim.faults(f"2102:gateway:{status}")
    with pytest.raises(PlatformUnknown):
        counter.settle(quote)
    _agree(counter, sim, "unknown", "settled")
    counter.sync()
    _agree(counter, sim, "reversed", "reversed")


def test_an_answer_dripping_a_byte_at_a_time_cannot_hold_a_sale_past_the_deadline(sim, make_cfg):
    # Every byte comes well within the read timeout, so only an overall deadline ends the exchange.
    cfg = make_cfg("pharmacy", {"credential.adapter": "http", "center.connect_timeout": 1.0,
                                "center.read_timeout": 1.0})
    person = sim.person("active", insutype="310")
    with Counter(cfg) as c:
        quote = c.presettle(c.identify(sim.code(person["psn_no"])), ITEMS)
        sim.faults("2102:drip:100")
        t0 = time.monotonic()
        with pytest.raises(PlatformUnknown) as e:
            c.settle(quote)
        took = time.monotonic() - t0
        assert "2 s" in e.value.detail
        assert took < 4, took  # deadline 2 s (connect + read); the whole answer would take minutes
        assert c.sales()[0].status == "unknown"
        c.sync()
        _agree(c, sim, "reversed", "reversed")


def test_cli_settle_with_a_garbled_answer_exits_3_and_sync_resolves_it(sim, make_cfg, tmp_path):
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    person = sim.person("active", insutype="310")
    items = items_file(tmp_path, ("XA01", "阿莫西林胶囊", "1", "9.90"))
    sim.faults("2102:garble:infcode_1")
    out = ecpos_json(cfg, "settle", "--qr", sim.code(person["psn_no"]), "--items", str(items), expect=3)
    assert out["status"] == "unknown" and out["error"] == "platform_unknown"
    assert ecpos_json(cfg, "journal")[0]["status"] == "unknown"
    report = ecpos_json(cfg, "sync")
    assert [r["rslt"] for r in report["reversed"]] == ["reversed"]
    assert ecpos_json(cfg, "journal")[0]["status"] == "reversed"
    assert [s["status"] for s in sim.ledger()["settlements"]] == ["reversed"]


@pytest.mark.parametrize("what", ["infcode_null", "no_output"])
def test_garbled_answer_to_a_processed_2103_keeps_the_refund_open_and_sync_finishes_it_once(sim, make_cfg, what):
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    staff(cfg)
    person = sim.person("active", insutype="310")
    with Counter(cfg) as c:
        s = c.settle(c.presettle(c.identify(sim.code(person["psn_no"])), ITEMS))
        sim.faults(f"2103:garble:{what}")
        ticket = c.queue_refund(s.setl_id, "顾客退药", "c1", "s1", SUPERVISOR_PIN)
        # Never "failed": the platform may have refunded it. The reversal and the resend happen in the
        # same sync rounds, so by now it is either still open or refunded exactly once.
        assert ticket.status in ("queued", "refunded")
        c.sync()
        assert [r.status for r in c.sales()] == ["refunded"]
    ledger = sim.ledger()
    assert [r["osetl_id"] for r in ledger["refunds"] if r.get("status", "refunded") == "refunded"] == [s.setl_id]


def test_a_lost_1101_says_try_again_and_nothing_about_reversing(sim, make_cfg, tmp_path):
    # Only a settlement's unknown outcome is reversed by sync (2601); a person query moved no money, so
    # "系统将自动冲正" would promise something that never happens.
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    sim.faults("1101:garble:infcode_null")
    items = items_file(tmp_path, ("XA01", "阿莫西林胶囊", "2", "12.50"))
    out = ecpos_json(cfg, "settle", "--qr", sim.code(sim.person("active")["psn_no"]), "--items", str(items),
                     expect=3)
    assert out["status"] == "unknown" and out["infno"] == "1101"
    assert "冲正" not in out["message"] and "请稍后重试" in out["message"]
    sim.clear_faults()
    sim.faults("2102:garble:infcode_null")
    out = ecpos_json(cfg, "settle", "--qr", sim.code(sim.person("active")["psn_no"]), "--items", str(items),
                     expect=3)
    assert out["infno"] == "2102" and "系统将自动冲正，请勿重复结算" in out["message"]
