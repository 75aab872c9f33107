"""Shifts (交班) and tenders: a shift opened with a float adds up its settlements, tenders and refunds; the
expected cash is float + cash taken - cash handed back; a shift left open across a restart is still open."""
from __future__ import annotations

from decimal import Decimal

import pytest

from terminal.office import shifts
from terminal.sale import tender
from terminal.counter import Counter, Item
from terminal.journal.journal import Journal

from tests.engine.helpers import PIN, SUPERVISOR_PIN, ecpos, ecpos_json, staff

ITEMS = [Item("XA01", "阿莫西林胶囊", Decimal("3"), Decimal("12.50"))]


def test_cash_tender_and_change():
    t = tender.cash(Decimal("14.16"), Decimal("20"))
    assert t.change == Decimal("5.84") and "找零：5.84" in t.receipt_lines()[1]
    with pytest.raises(tender.TenderError) as e:
        tender.cash(Decimal("14.16"), Decimal("10.00"))
    assert e.value.key == "tender_short" and "再收 4.16" in e.value.message
    assert tender.parse("wechat:4200001234", Decimal("3.00")).reference == "4200001234"
    for bad in ("wechat:", "bitcoin:1234", "cash:abc"):
        with pytest.raises(tender.TenderError):
            tender.parse(bad, Decimal("3.00"))


def test_shift_adds_up_and_survives_a_restart(sim, make_cfg):
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    staff(cfg)
    env = {"ECPOS_PIN": PIN}
    opened = ecpos_json(cfg, "shift", "open", "--float", "200", "--cashier", "c1", env=env)
    assert opened["status"] == "open" and opened["float"] == "200.00"
    r = ecpos(cfg, "shift", "open", "--float", "100", "--cashier", "c1", env=env)
    assert r.returncode == 2 and "[shift_already_open]" in r.stderr and "请先交班" in r.stderr
    r = ecpos(cfg, "shift", "open", "--float", "100", "--cashier", "c1", env={"ECPOS_PIN": "9999"})
    assert r.returncode == 2 and "[pin_wrong]" in r.stderr
    person = sim.person("active", insutype="390")  # no personal account: a cash share to tender
    with Counter(cfg) as c:  # another process (a restart): the shift is still open
        s1 = c.settle(c.presettle(c.identify(sim.code(person["psn_no"])), ITEMS))
        tender.save(c.journal, s1.sale_id, tender.cash(s1.psn_cash_pay, s1.psn_cash_pay + Decimal("10")), "c1")
        s2 = c.settle(c.presettle(c.identify(sim.code(person["psn_no"])), ITEMS))
        tender.save(c.journal, s2.sale_id, tender.other("wechat", s2.psn_cash_pay, "4200009876"), "c1")
        ticket = c.queue_refund(s1.setl_id, "顾客退药", "c1", "s1", SUPERVISOR_PIN)
        back = tender.record_refund(c.journal, ticket.refund_id, "c1")
    assert back == {"cash": s1.psn_cash_pay} and s1.psn_cash_pay > 0
    rep = ecpos_json(cfg, "shift", "report")
    assert rep["sales"] == 2 and rep["refunds"] == 1
    assert rep["tenders"] == {"cash": f"{s1.psn_cash_pay:.2f}", "wechat": f"{s2.psn_cash_pay:.2f}"}
    assert rep["expected_cash"] == "200.00" and rep["cash_back"] == f"{s1.psn_cash_pay:.2f}"
    closed = ecpos_json(cfg, "shift", "close", "--counted", "199.00", "--cashier", "c1", env=env)
    assert closed["status"] == "closed" and closed["difference"] == "-1.00"
    slip = (cfg.data_dir / "receipts" / f"shift-{closed['shift_id']}.txt")
    assert slip.read_text(encoding="utf-8").count("差额 -1.00") == 1
    assert (slip.stat().st_mode & 0o777) == 0o600 and (slip.parent.stat().st_mode & 0o777) == 0o700
    j = Journal.for_config(cfg)
    try:
        assert shifts.current(j) is None
        events = [r["event"] for r in j.query("SELECT event FROM audit ORDER BY seq")]
        assert {"shift_opened", "shift_closed", "tendered", "refund_handed_back"} <= set(events)
    finally:
        j.close()
    r = ecpos(cfg, "shift", "close", "--counted", "1", "--cashier", "c1", env=env)
    assert r.returncode == 2 and "[shift_none]" in r.stderr
