"""Returning part of a sale (退一盒, terminal/returns.py) against the reference service: a 医保 sale's whole
settlement reversed (2103) and its kept lines settled again for the same person with a fresh code (2101/2102),
the difference handed back per tender; a self-paid sale's boxes back with their 追溯码 freed and reported (3506);
and a hostile gateway (503 / reset / lost answer) at each step neither loses money nor settles twice.

Whether the re-settlement needs the patient's code: see terminal/returns.py (a public HIS's 全撤重结 reuses the
credential it stored; ecpos stores none, so it asks for the code again).
"""
from __future__ import annotations

import json
from decimal import Decimal

import pytest

from terminal import returns
from terminal.sale import tender, trace_store
from terminal.counter import Counter, Item
from terminal.errors import PlatformRefused
from terminal.sale.receipt import layout

from tests.engine.helpers import SUPERVISOR_PIN, staff

AMOX = "XJ01CAA040A001010100007"
CODES = ["83003850000000131001", "83003850000000131002", "83003850000000131003"]
ITEMS = [Item(AMOX, "阿莫西林胶囊", Decimal("3"), Decimal("12.50")),
         Item("XA02", "布洛芬缓释胶囊", Decimal("1"), Decimal("20.00"))]


@pytest.fixture
def till(sim, make_cfg):
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    staff(cfg)
    return cfg


def _settle(c: Counter, sim, person, items=ITEMS, codes=CODES, cash_tender=True):
    from terminal.checkout import Checkout
    sale = Checkout(c)
    sale.identify(sim.code(person["psn_no"]))
    sale.bill([Item(items[0].code, items[0].name, items[0].qty, items[0].price, trace=tuple(codes)), *items[1:]])
    q = sale.quote()
    s = sale.confirm(tender.cash(q.psn_cash_pay, q.psn_cash_pay) if cash_tender and q.psn_cash_pay else None)
    return s


def _start(c, s, lines=("1:1",)):
    return returns.start(c, s.setl_id, returns.parse_picks(list(lines)), "顾客退一盒", "c1", "s1", SUPERVISOR_PIN)


def test_one_box_back_reverses_and_resettles_the_rest_for_the_same_person(sim, till):
    person = sim.person("active", insutype="390")
    with Counter(till) as c:
        s = _settle(c, sim, person)
        r = _start(c, s)
        assert r.state == returns.NEEDS_CODE and r.back == {}  # nothing goes back before the kept lines settle
        assert [(x["line"], x["qty"], x["amount"]) for x in r.returned] == [(1, "1", "12.50")]
        assert r.returned[0]["codes"] == CODES[2:]
        assert [(k["line"], k["qty"], k["trace"]) for k in r.kept] == [(1, "2", CODES[:2]), (2, "1", [])]
        done = returns.resettle(c, r.id, sim.code(person["psn_no"]), cashier="c1")
        assert done.state == returns.DONE
        resale = c.journal.sale(done.resale_id)
        assert resale["status"] == "settled" and resale["psn_no"] == s.psn_no and resale["medfee_sumamt"] == "45.00"
        # the hand-back is the difference of the cash parts, in Decimal yuan, per tender
        assert done.back == {"cash": s.psn_cash_pay - Decimal(resale["psn_cash_pay"])}
        assert returns.finish(c, r.id, "c1").back == done.back  # booked once
        assert c.journal.sale(s.sale_id)["status"] == "refunded"
        slip = "\n".join(layout(returns.slip(till, c.journal, r.id)))
    assert "退货单" in slip and "阿莫西林胶囊" in slip and "保留" in slip and resale["setl_id"] in slip
    ledger = sim.ledger()
    assert [x["status"] for x in ledger["settlements"]] == ["refunded", "settled"]
    got = {x["code"]: x for x in ledger["trace_codes"]}
    assert got[CODES[2]]["status"] != "sold"  # the returned box is back (3506), the kept ones sold again
    assert all(got[x]["status"] == "sold" and got[x]["setl_id"] == resale["setl_id"] for x in CODES[:2])


def test_another_persons_code_cannot_take_the_kept_lines(sim, till):
    person, other = sim.person("active", insutype="390"), sim.person("active", insutype="310")
    with Counter(till) as c:
        s = _settle(c, sim, person)
        r = _start(c, s)
        with pytest.raises(returns.ReturnError) as e:
            returns.resettle(c, r.id, sim.code(other["psn_no"]), cashier="c1")
        assert e.value.key == "return_other_person"
        assert returns.get(c.journal, r.id).state == returns.NEEDS_CODE


def test_platform_down_the_return_waits_in_the_queue_then_goes_on(sim, till):
    person = sim.person("active", insutype="390")
    with Counter(till) as c:
        s = _settle(c, sim, person)
        sim.stop()
        r = _start(c, s)
        assert r.state == returns.REVERSING and r.back == {}
        with pytest.raises(returns.ReturnError):
            returns.resettle(c, r.id, "whatever", cashier="c1")
        sim.start()
        c.sync()
        assert returns.get(c.journal, r.id).state == returns.NEEDS_CODE
        assert returns.resettle(c, r.id, sim.code(person["psn_no"]), cashier="c1").state == returns.DONE


@pytest.mark.parametrize("fault", ["2103:gateway:503", "2103:reset:1", "2103:drop:1"])
def test_hostile_gateway_on_the_reversal_refunds_once(sim, till, fault):
    person = sim.person("active", insutype="390")
    with Counter(till) as c:
        s = _settle(c, sim, person)
        sim.faults(fault)
        r = _start(c, s)
        sim.clear_faults()
        for _ in range(3):
            c.sync()
        r = returns.get(c.journal, r.id)
        assert r.state == returns.NEEDS_CODE
        assert returns.resettle(c, r.id, sim.code(person["psn_no"]), cashier="c1").state == returns.DONE
    ledger = sim.ledger()
    assert [x["status"] for x in ledger["refunds"] if x["status"] == "refunded"] == ["refunded"]
    assert [x["status"] for x in ledger["settlements"]] == ["refunded", "settled"]


@pytest.mark.parametrize("fault", ["2102:gateway:503", "2102:reset:1", "2102:drop:1"])
def test_hostile_gateway_on_the_resettlement_never_settles_twice_nor_hands_back_early(sim, till, fault):
    person = sim.person("active", insutype="390")
    with Counter(till) as c:
        s = _settle(c, sim, person)
        r = _start(c, s)
        sim.faults(fault)
        try:
            got = returns.resettle(c, r.id, sim.code(person["psn_no"]), cashier="c1")
        except PlatformRefused:
            got = returns.get(c.journal, r.id)
        sim.clear_faults()
        assert got.state in (returns.SETTLING, returns.NEEDS_CODE) and got.back == {}  # no money yet
        c.sync()  # sync reverses an unknown re-settlement (2601), never resends it
        r = returns.get(c.journal, r.id)
        assert r.state == returns.NEEDS_CODE and r.back == {}
        done = returns.resettle(c, r.id, sim.code(person["psn_no"]), cashier="c1")
        assert done.state == returns.DONE
        handed = c.journal.query("SELECT COUNT(*) n FROM tenders WHERE refund_id=?", (r.refund_id,))[0]["n"]
    assert handed == 1
    live = [x for x in sim.ledger()["settlements"] if x["status"] == "settled"]
    assert len(live) == 1  # the kept lines are settled exactly once


def test_a_whole_line_back_and_nothing_kept_is_a_refund_handed_back_once(sim, till):
    person = sim.person("active", insutype="390")
    with Counter(till) as c:
        s = _settle(c, sim, person)
        r = _start(c, s, lines=("1", "2"))
        assert r.state == returns.DONE and r.kept == () and r.back == {"cash": s.psn_cash_pay}


def test_self_paid_boxes_back_hand_back_their_price_and_report_3506(sim, till):
    with Counter(till) as c:
        items = [Item(AMOX, "阿莫西林胶囊", Decimal("3"), Decimal("12.50"), trace=tuple(CODES))]
        bill = c.trace_bill(items)
        for code in CODES:
            bill.scan(code, line=1)
        sale_id = c.self_pay(items, tender.cash(Decimal("37.50"), Decimal("50")), bill)
        sim.stop()  # the 3506 waits for the next sync; the money and the box go back now
        r = returns.start(c, f"SALE{sale_id:08d}", returns.parse_picks(["1:1"]), "顾客退一盒", "c1", "s1",
                          SUPERVISOR_PIN)
        assert r.state == returns.DONE and r.back == {"cash": Decimal("12.50")}
        assert c.journal.sale(sale_id)["status"] == "self_paid"  # two boxes still sold
        statuses = {x["code"]: x["status"] for x in c.journal.query("SELECT code, status FROM trace_codes")}
        assert statuses == {CODES[0]: "reported", CODES[1]: "reported", CODES[2]: "returning"}
        # the returned box may be sold again at once (its older sale's 3506 goes first)
        assert trace_store.sold_where(c.journal, CODES[2]) is None
        assert trace_store.sold_where(c.journal, CODES[1]) is not None
        sim.start()
        c.sync()
        [rep] = c.journal.query("SELECT * FROM trace_reports WHERE kind LIKE 'return:%'")
        assert rep["infno"] == "3506" and rep["status"] == "accepted"
        [req] = [json.loads(x["request"]) for x in c.journal.query("SELECT request FROM requests WHERE infno='3506'")]
        assert req["input"]["selinfo"]["drugtracinfo"] == [{"drug_trac_codg": CODES[2]}]
        assert req["input"]["selinfo"]["sel_retn_cnt"] == "1"  # one box of the line, not the line
        assert c.journal.query("SELECT status FROM trace_codes WHERE code=?", (CODES[2],))[0]["status"] == "returned"
        # the whole refund cannot hand the returned box back a second time
        with pytest.raises(Exception) as e:
            c.refund_self_paid(sale_id, "顾客退货", "c1", "s1", SUPERVISOR_PIN)
        assert e.value.key == "refund_partly_returned"
        rest = returns.start(c, sale_id, returns.parse_picks(["1"]), "顾客退货", "c1", "s1", SUPERVISOR_PIN)
        assert rest.back == {"cash": Decimal("25.00")} and c.journal.sale(sale_id)["status"] == "refunded"
        with pytest.raises(returns.ReturnError):
            returns.start(c, sale_id, returns.parse_picks(["1"]), "顾客退货", "c1", "s1", SUPERVISOR_PIN)
    ledger = {x["code"]: x for x in sim.ledger()["trace_codes"]}
    assert all(ledger[x]["status"] != "sold" for x in CODES)


def test_picks_are_checked_before_anything_is_written(sim, till):
    with pytest.raises(returns.ReturnError):
        returns.parse_picks(["0:1"])
    with pytest.raises(returns.ReturnError):
        returns.parse_picks(["2:-1"])
    person = sim.person("active", insutype="390")
    with Counter(till) as c:
        s = _settle(c, sim, person)
        for bad in (["1:4"], ["3"], ["1:1", "1:1"]):
            with pytest.raises(returns.ReturnError):
                _start(c, s, lines=bad)
        assert c.journal.query("SELECT COUNT(*) n FROM refunds")[0]["n"] == 0
        assert c.journal.sale(s.sale_id)["status"] == "settled"


def test_a_clinic_return_cancels_with_2208_and_settles_the_kept_lines_on_a_new_visit(sim, make_cfg):
    from terminal.checkout import Checkout
    cfg = make_cfg("clinic", {"credential.adapter": "http"})
    staff(cfg)
    person = sim.person("active", insutype="390")
    items = [Item("XA01", "阿莫西林胶囊", Decimal("2"), Decimal("12.50")),
             Item("XA02", "布洛芬缓释胶囊", Decimal("1"), Decimal("20.00"))]
    with Counter(cfg) as c:
        sale = Checkout(c)
        sale.identify(sim.code(person["psn_no"]))
        sale.register()
        sale.bill(items, trace=False)
        sale.quote()
        s = sale.confirm()
        r = returns.start(c, s.setl_id, returns.parse_picks(["1:1"]), "患者退药", "c1", "s1", SUPERVISOR_PIN)
        assert r.state == returns.NEEDS_CODE
        done = returns.resettle(c, r.id, sim.code(person["psn_no"]), cashier="c1")
        assert done.state == returns.DONE
        resale = c.journal.sale(done.resale_id)
        infnos = [x["infno"] for x in c.journal.query("SELECT infno FROM requests ORDER BY sent_at")]
    assert resale["medfee_sumamt"] == "32.50" and resale["mdtrt_id"] != s.mdtrt_id  # a new visit
    assert "2208" in infnos and infnos.count("2207") == 2 and infnos.count("2201") == 2
    assert [x["status"] for x in sim.ledger()["settlements"]] == ["refunded", "settled"]


def test_the_difference_goes_back_the_way_it_was_paid(sim, till):
    """Paid by WeChat: the kept lines' new cash part is kept from it, the rest goes back through WeChat."""
    person = sim.person("active", insutype="390")
    with Counter(till) as c:
        from terminal.checkout import Checkout
        sale = Checkout(c)
        sale.identify(sim.code(person["psn_no"]))
        sale.bill(ITEMS, trace=False)
        q = sale.quote()
        s = sale.confirm(tender.other("wechat", q.psn_cash_pay, "WX4200001234"))
        r = _start(c, s, lines=("2",))
        done = returns.resettle(c, r.id, sim.code(person["psn_no"]), cashier="c1")
        new_cash = Decimal(c.journal.sale(done.resale_id)["psn_cash_pay"])
        assert done.back == {"wechat": s.psn_cash_pay - new_cash} and new_cash > 0
        kept = c.journal.query("SELECT method, amount, reference FROM tenders WHERE sale_id=?", (done.resale_id,))
        assert [(k["method"], Decimal(k["amount"]), k["reference"]) for k in kept] == [("wechat", new_cash, "退货抵扣")]
        assert returns.hand_back_words(done.back) == [f"请退还微信（原渠道） {done.back['wechat']:.2f} 元"]


def test_a_refused_reversal_leaves_the_sale_as_it_was_and_the_return_failed(sim, till):
    person = sim.person("active", insutype="390")
    with Counter(till) as c:
        s = _settle(c, sim, person)
        sim.faults("2103:error:该结算已对账，不能撤销")
        r = _start(c, s)
        sim.clear_faults()
        assert r.state == returns.FAILED and r.back == {} and "原结算不变" in r.message
        assert c.journal.sale(s.sale_id)["status"] == "settled"
        assert returns.open_returns(c.journal) == []
        again = _start(c, s)  # the refused one brought nothing back: the line has its three boxes
        assert again.state == returns.NEEDS_CODE and again.kept[0]["qty"] == "2"


def test_a_discounted_self_paid_sale_never_hands_back_more_than_was_paid(sim, till):
    from terminal.sale import adjust
    items = [Item(AMOX, "阿莫西林胶囊", Decimal("2"), Decimal("14.80"))]
    with Counter(till) as c:
        off = adjust.make(Decimal("29.60"), rounding="yuan", by="s1")  # 抹角分: 29.00 paid
        sale_id = c.self_pay(items, tender.cash(off.pay, Decimal("30")), adjustment=off)
        first = returns.start(c, sale_id, returns.parse_picks(["1:1"]), "顾客退一盒", "c1", "s1", SUPERVISOR_PIN)
        rest = returns.start(c, sale_id, returns.parse_picks(["1"]), "顾客退一盒", "c1", "s1", SUPERVISOR_PIN)
    assert first.back == {"cash": Decimal("14.80")} and rest.back == {"cash": Decimal("14.20")}
    assert first.back["cash"] + rest.back["cash"] == off.pay == Decimal("29.00")
