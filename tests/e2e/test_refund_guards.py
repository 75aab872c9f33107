"""Refund guards: more than settled, twice, no PIN, wrong PIN, too old, over the caps; all audited."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from terminal.counter import Counter, Item
from terminal.sale.refunds import RefundRefused

from tests.engine.helpers import PIN, SUPERVISOR_PIN, ecpos, staff

ITEMS = [Item("XA01", "阿莫西林胶囊", Decimal("3"), Decimal("12.50"))]  # 37.50


def make_counter(sim, make_cfg, **over):
    cfg = make_cfg("pharmacy", {"credential.adapter": "http", **over})
    staff(cfg)
    return Counter(cfg)


def sell(c: Counter, sim, insutype="310"):
    p = sim.person("active", insutype=insutype)
    return c.settle(c.presettle(c.identify(sim.code(p["psn_no"])), ITEMS))


def refused_key(c: Counter, setl_id: str, **kw) -> str:
    args = {"reason": "顾客退药", "cashier": "c1", "supervisor": "s1", "pin": SUPERVISOR_PIN, **kw}
    with pytest.raises(RefundRefused) as e:
        c.queue_refund(setl_id, **args)
    assert e.value.exit_code == 2 and e.value.message
    return e.value.key


def audit_whys(c: Counter) -> list[str]:
    return [json.loads(r["data"]).get("why", "") for r in
            c.journal.query("SELECT data FROM audit WHERE event='refund_refused' ORDER BY seq")]


def test_guards_refuse_and_audit(sim, make_cfg):
    c = make_counter(sim, make_cfg)
    s = sell(c, sim)
    assert refused_key(c, s.setl_id, amount=Decimal("37.51")) == "refund_too_much"
    assert refused_key(c, s.setl_id, amount=Decimal("10.00")) == "refund_partial"
    assert refused_key(c, s.setl_id, pin=None) == "refund_no_pin"
    assert refused_key(c, s.setl_id, pin="0000") == "refund_wrong_pin"
    assert refused_key(c, s.setl_id, reason=" ") == "refund_no_reason"
    assert refused_key(c, s.setl_id, supervisor="c1", pin=PIN) == "refund_no_supervisor"
    assert refused_key(c, s.setl_id, cashier="nobody") == "refund_unknown_cashier"
    assert refused_key(c, "320100209912310000000") == "refund_unknown_sale"
    assert sim.ledger()["refunds"] == []  # nothing reached the platform

    ticket = c.queue_refund(s.setl_id, "顾客退药", "c1", "s1", SUPERVISOR_PIN, amount=Decimal("37.50"))
    assert ticket.status == "refunded"
    assert refused_key(c, s.setl_id) == "refund_twice"
    assert len(sim.ledger()["refunds"]) == 1
    assert audit_whys(c) == ["refund_too_much", "refund_partial", "refund_no_pin", "refund_wrong_pin",
                             "refund_no_reason", "refund_no_supervisor", "refund_unknown_cashier",
                             "refund_unknown_sale", "refund_twice"]
    events = [r["event"] for r in c.journal.query("SELECT event FROM audit ORDER BY seq")]
    assert events.index("refund_queued") < events.index("refunded")
    assert c.journal.verify_chain().ok
    c.close()


def test_twice_while_queued(sim, make_cfg):
    c = make_counter(sim, make_cfg)
    s = sell(c, sim)
    sim.stop()
    assert c.queue_refund(s.setl_id, "顾客退药", "c1", "s1", SUPERVISOR_PIN).status == "queued"
    assert refused_key(c, s.setl_id) == "refund_twice"
    assert c.status().queued_refunds == 1
    c.close()


def test_too_old(sim, make_cfg):
    c = make_counter(sim, make_cfg)
    s = sell(c, sim)
    old = (datetime.now(timezone.utc) - timedelta(days=31)).isoformat()
    with c.journal.tx() as db:  # a sale settled a month ago (the store never rewrites confirmed_at)
        db.execute("UPDATE sales SET confirmed_at=? WHERE id=?", (old, s.sale_id))
    assert refused_key(c, s.setl_id) == "refund_too_old"
    c.close()


def test_caps_on_queued_count_and_total(sim, make_cfg):
    c = make_counter(sim, make_cfg, **{"refund.max_queued": 2, "refund.max_queued_total": "80.00"})
    sales = [sell(c, sim, "310"), sell(c, sim, "390"), sell(c, sim, "310")]
    sim.stop()
    assert c.queue_refund(sales[0].setl_id, "顾客退药", "c1", "s1", SUPERVISOR_PIN).status == "queued"
    assert c.queue_refund(sales[1].setl_id, "顾客退药", "c1", "s1", SUPERVISOR_PIN).status == "queued"
    assert refused_key(c, sales[2].setl_id) == "refund_queue_full"
    c.close()

    c = make_counter(sim, make_cfg, **{"refund.max_queued": 5, "refund.max_queued_total": "50.00"})
    sim.start()
    sales = [sell(c, sim, "310"), sell(c, sim, "390")]
    sim.stop()
    assert c.queue_refund(sales[0].setl_id, "顾客退药", "c1", "s1", SUPERVISOR_PIN).status == "queued"
    assert refused_key(c, sales[1].setl_id) == "refund_queue_total"  # 37.50 + 37.50 > 50.00
    c.close()


def test_cli_pin_comes_from_env_or_prompt_only(sim, make_cfg):
    c = make_counter(sim, make_cfg)
    s = sell(c, sim)
    cfg = c.cfg
    c.close()
    args = ["refund", s.setl_id, "--reason", "顾客退药", "--cashier", "c1", "--supervisor", "s1"]
    no_pin = ecpos(cfg, *args)  # no ECPOS_SUPERVISOR_PIN and no terminal: refused, nothing sent
    assert no_pin.returncode == 2 and "密码" in no_pin.stderr
    assert ecpos(cfg, *args, "--pin", SUPERVISOR_PIN).returncode == 2  # there is no such flag
    wrong = ecpos(cfg, *args, env={"ECPOS_PIN": PIN, "ECPOS_SUPERVISOR_PIN": "1111"})
    assert wrong.returncode == 2 and "密码错误" in wrong.stderr
    too_much = ecpos(cfg, *args, "--amount", "99.00", env={"ECPOS_PIN": PIN, "ECPOS_SUPERVISOR_PIN": SUPERVISOR_PIN})
    assert too_much.returncode == 2 and "超过结算金额" in too_much.stderr
    assert sim.ledger()["refunds"] == []
    ok = ecpos(cfg, *args, env={"ECPOS_PIN": PIN, "ECPOS_SUPERVISOR_PIN": SUPERVISOR_PIN})
    assert ok.returncode == 0, ok.stderr
    assert len(sim.ledger()["refunds"]) == 1


def test_amount_that_is_not_a_number_is_refused_not_a_crash(sim, make_cfg):
    c = make_counter(sim, make_cfg)
    s = sell(c, sim)
    cfg = c.cfg
    assert refused_key(c, s.setl_id, amount=Decimal("NaN")) == "refund_amount"
    c.close()
    args = ["refund", s.setl_id, "--reason", "顾客退药", "--cashier", "c1", "--supervisor", "s1"]
    for bad in ("NaN", "Infinity", "abc"):
        r = ecpos(cfg, *args, "--amount", bad, env={"ECPOS_PIN": PIN, "ECPOS_SUPERVISOR_PIN": SUPERVISOR_PIN})
        assert r.returncode == 2 and "Traceback" not in r.stderr and "金额" in r.stderr, (bad, r.stderr)
    assert sim.ledger()["refunds"] == []


def test_refund_of_an_unsettled_sale_says_what_to_do(sim, make_cfg):
    from terminal.errors import PlatformUnknown
    c = make_counter(sim, make_cfg)
    p = sim.person("active", insutype="310")
    quote = c.presettle(c.identify(sim.code(p["psn_no"])), ITEMS)
    sim.faults("2102:drop:1")
    with pytest.raises(PlatformUnknown):
        c.settle(quote)
    setl_id = "UNKNOWN-SETL"  # an unknown outcome has no setl_id yet; give it one to ask for a refund
    with c.journal.tx() as db:
        db.execute("UPDATE sales SET setl_id=? WHERE id=?", (setl_id, quote.sale_id))
    with pytest.raises(RefundRefused) as e:
        c.queue_refund(setl_id, "顾客退药", "c1", "s1", SUPERVISOR_PIN)
    assert e.value.key == "refund_not_settled" and "ecpos sync" in e.value.message
    c.sync()
    with pytest.raises(RefundRefused) as e:
        c.queue_refund(setl_id, "顾客退药", "c1", "s1", SUPERVISOR_PIN)
    assert "已冲正" in e.value.message and "无需退费" in e.value.message
    c.close()
