"""The counter features cashiers expect (issue 25), in the core: 挂单 / 取单 (terminal/sale/holds.py, Checkout.hold /
recall), 组合支付 (terminal/sale/tender.py: Split) and 整单折扣 / 抹零 (terminal/sale/adjust.py, Checkout.adjust).
tests/acceptance/test_counter_features.py drives them through the app, tests/e2e/test_counter_features_cli.py
through `ecpos`; these pin the rules."""
from __future__ import annotations

import sqlite3
from decimal import Decimal
from types import SimpleNamespace

import pytest

from terminal.errors import OperatorError
from terminal.office import operators
from terminal.office import reports, shifts
from terminal.sale import adjust, holds, refunds, selfpay, tender
from terminal.checkout import Checkout
from terminal.counter import Counter
from terminal.sale.items import Item
from terminal.journal.journal import Journal
from terminal.sale.receipt import for_sale, layout
from terminal.sale.sales import SaleStore

D = Decimal
AMX = Item("XJ01CAA040A001010100007", "阿莫西林胶囊", D(2), D("12.50"))
LHQW = Item("ZA01AAL0345010103456", "连花清瘟胶囊", D(1), D("14.80"))


@pytest.fixture
def journal(cfg):
    j = Journal.for_config(cfg)
    operators.add(j, "c1", "cashier", "2468")
    operators.add(j, "s1", "supervisor", "9753")
    yield j
    j.close()


# --- 组合支付 ------------------------------------------------------------------------------------------
def test_a_split_pays_part_by_app_and_the_rest_in_cash_with_change():
    t = tender.parse("wechat:30:4200001234,cash:50", D("47.83"))
    assert isinstance(t, tender.Split) and t.amount == D("47.83")
    assert [(p.method, p.amount) for p in t.parts] == [("wechat", D("30.00")), ("cash", D("17.83"))]
    assert t.change == D("32.17") and t.received == D("50.00")
    assert t.receipt_lines() == ["微信支付：30.00  凭证号：4200001234", "现金支付：17.83", "实收：50.00  找零：32.17"]
    two = tender.parse("alipay:20:2088001,card:27.83:6222001", D("47.83"))  # no cash: the parts make it up
    assert [p.method for p in two.parts] == ["alipay", "card"] and two.change is None
    assert tender.parse("wechat:4200001234", D("47.83")).amount == D("47.83")  # one method: the whole part


@pytest.mark.parametrize("spec, key", [
    ("wechat:60:4200001234,cash:50", "tender_split_over"),   # more than due by app: no change from an app
    ("wechat:30:4200001234,card:10:6222001", "tender_short"),  # 7.83 left and no cash
    ("wechat:30:4200001234,cash:10", "tender_short"),         # cash short for the rest
    ("wechat:4200001234,cash:50", "tender_split"),            # a part without its amount
    ("cash:20,cash:30", "tender_split"),
    ("wechat:30:42,cash:50", "tender_reference"),             # a reference too short
])
def test_a_split_that_does_not_make_up_the_cash_part_is_refused(spec, key):
    with pytest.raises(tender.TenderError) as e:
        tender.parse(spec, D("47.83"))
    assert e.value.key == key, e.value.message


def test_the_shift_and_the_receipt_list_each_part(journal, cfg):
    shifts.open_shift(journal, "c1", D("100"))
    store = SaleStore(journal)
    paid = tender.split(D("37.30"), [tender.other("wechat", D("20"), "4200009999")], cash_received=D("20"))
    sale_id = selfpay.record_sale(store, "pharmacy", "c1", [AMX, Item("X1", "口罩", D(1), D("12.30"))], paid)
    r = shifts.report(journal)
    assert r.tenders == {"wechat": D("20.00"), "cash": D("17.30")}
    assert r.expected_cash == D("117.30")                    # only the cash part goes in the drawer
    assert "  微信 20.00" in shifts.slip_lines(r) and "  现金 17.30" in shifts.slip_lines(r)
    text = "\n".join(layout(for_sale(cfg, journal, sale_id)))
    assert "微信支付：20.00\n  凭证号：4200009999\n" in text  # the reference whole: wrapped, not cut
    assert "实收：20.00  找零：2.70" in text


# --- 整单折扣 / 抹零 -----------------------------------------------------------------------------------
def test_a_discount_then_rounding_take_from_the_cash_part_only():
    a = adjust.make(D("47.83"), "9.5折", "jiao")
    assert (a.discount, a.rounding, a.pay) == (D("2.39"), D("0.04"), D("45.40"))  # 47.83*0.95=45.44 -> 45.40
    assert adjust.make(D("47.83"), "5").pay == D("42.83")
    assert adjust.make(D("47.83"), "", "yuan").pay == D("47.00")
    assert a.receipt_lines() == ["整单折扣（9.5折）：-2.39", "抹零：-0.04", "折后现金：45.40（医保结算不变）"]


@pytest.mark.parametrize("due, discount, rounding, key", [
    ("47.83", "50", "", "adjust_too_much"), ("47.83", "47.83", "", "adjust_too_much"),
    ("47.83", "10折", "", "adjust_format"), ("47.83", "abc", "", "adjust_format"), ("47.83", "-5", "", "adjust_format"),
    ("47.83", "", "fen", "adjust_rounding"), ("0.00", "5", "", "adjust_nothing_due"),
    ("47.00", "", "yuan", "adjust_nothing"), ("0.80", "", "yuan", "adjust_nothing"),  # 抹零 never takes it all
])
def test_a_discount_that_cannot_be_given_is_refused(due, discount, rounding, key):
    with pytest.raises(adjust.AdjustError) as e:
        adjust.make(D(due), discount, rounding)
    assert e.value.key == key


class _Quoted:
    """A Counter stand-in with a quote on it: Checkout.adjust asks it to authorize and nothing else."""

    def __init__(self, journal, cfg):
        self.journal, self.cfg, self.operator = journal, cfg, "c1"

    def authorize(self, op_id, pin, roles=("supervisor", "admin"), purpose=""):
        return Counter.authorize(self, op_id, pin, roles, purpose)


def test_only_a_supervisors_pin_allows_a_discount_and_both_are_audited(journal, cfg):
    sale = Checkout(_Quoted(journal, cfg))
    with pytest.raises(adjust.AdjustError):
        sale.adjust("5", "", "s1", "9753")                   # nothing quoted yet
    sale.quoted = SimpleNamespace(psn_cash_pay=D("47.83"), sale_id=1)
    with pytest.raises(OperatorError):
        sale.adjust("5", "", "c1", "2468")                   # a cashier may not
    with pytest.raises(OperatorError):
        sale.adjust("5", "", "s1", "0000")
    assert sale.adjustment is None
    a = sale.adjust("5", "jiao", "s1", "9753")
    assert a.by == "s1" and a.pay == D("42.80")
    events = [(r["event"], r["actor"]) for r in journal.query("SELECT event, actor FROM audit ORDER BY seq")]
    assert events[-3:] == [("authorization_refused", "c1"), ("authorization_refused", "s1"), ("authorized", "s1")]


def test_the_shift_counts_a_discount_as_given_not_as_unpaid(journal, cfg):
    shifts.open_shift(journal, "c1", D("0"))
    store = SaleStore(journal)
    sale_id = selfpay.record_sale(store, "pharmacy", "c1", [AMX], tender.cash(D("25.00"), D("25")))
    with journal.tx() as c:                               # a 2.00 discount, as a supervisor gave it
        adjust.save(c, sale_id, adjust.Adjustment(D("25.00"), D("2.00"), by="s1"), "c1")
    r = shifts.report(journal)
    assert r.discounts == D("2.00")
    assert "  折扣/抹零 2.00（医保结算金额不变）" in shifts.slip_lines(r)
    assert "整单折扣：-2.00" in "\n".join(layout(for_sale(cfg, journal, sale_id)))
    assert journal.query("SELECT data FROM audit WHERE event='discounted'")


# --- 挂单 / 取单 ----------------------------------------------------------------------------------------
def test_a_held_bill_survives_a_restart_and_is_recalled_once(cfg):
    j = Journal.for_config(cfg)
    item = Item(AMX.code, AMX.name, D(2), AMX.price, trace=("83003850000000131001",))
    hid = holds.hold(j, [item, LHQW], "c1", SimpleNamespace(psn_no="3201000000000001", name_masked="张*"))
    j.close()
    j = Journal.for_config(cfg)                           # the till restarted
    try:
        [h] = holds.held(j)
        assert (h.id, h.name_masked, h.amount, h.boxes) == (hid, "张*", D("39.80"), 1)
        back = holds.recall(j, hid, "c1")
        assert back.items[0].trace == ("83003850000000131001",) and back.items[1] == LHQW
        with pytest.raises(holds.HoldError) as e:
            holds.recall(j, hid, "c1")
        assert e.value.key == "hold_recalled" and holds.held(j) == []
        with pytest.raises(holds.HoldError):
            holds.hold(j, [], "c1")
    finally:
        j.close()


def test_held_bills_expire_at_the_shifts_close_and_the_slip_says_so(journal):
    shifts.open_shift(journal, "c1", D("0"))
    hid = holds.hold(journal, [LHQW], "c1")
    r = shifts.close_shift(journal, "c1", D("0"))
    assert r.held_expired == 1 and "1 张挂单未取回，已随交班作废" in shifts.slip_lines(r)
    with pytest.raises(holds.HoldError) as e:
        holds.recall(journal, hid, "c1")
    assert e.value.key == "hold_expired" and "已随交班作废" in e.value.message


def test_an_older_journal_gains_the_new_tables_and_keeps_its_rows(cfg):
    j = Journal.for_config(cfg)
    holds.hold(j, [LHQW], "c1")
    j.close()
    conn = sqlite3.connect(cfg.data_dir / "journal.sqlite3")  # as a journal from before this feature was
    conn.executescript("DROP TABLE held_bills; DROP TABLE adjustments;")
    conn.close()
    j = Journal.for_config(cfg)
    try:
        assert holds.held(j) == [] and j.query("SELECT COUNT(*) n FROM adjustments")[0]["n"] == 0
        assert j.verify_rows().ok
    finally:
        j.close()


def test_the_day_close_splits_the_days_money_by_tender(journal):
    store = SaleStore(journal)
    paid = tender.split(D("25.00"), [tender.other("alipay", D("5"), "2088000011")], cash_received=D("50"))
    sale_id = selfpay.record_sale(store, "pharmacy", "c1", [AMX], paid)
    selfpay.record_sale(store, "pharmacy", "c1", [LHQW], tender.other("wechat", D("14.80"), "4200001111"))
    ticket = refunds.self_paid(store, sale_id, "退药", "c1", "s1", "9753")
    tender.record_refund(journal, ticket.refund_id, "c1")
    from terminal.journal.clock import local_time
    day = local_time(journal.query("SELECT created_at FROM tenders LIMIT 1")[0]["created_at"])[:10]
    totals = reports.day_tenders(journal, day)
    assert list(totals) == ["cash", "wechat", "alipay"]           # METHODS order
    assert totals["cash"] == {"taken": D("20.00"), "back": D("20.00"), "net": D("0.00")}
    assert totals["alipay"]["back"] == D("5") and totals["wechat"]["net"] == D("14.80")
    assert reports.tender_lines(totals)[1] == "微信 收 14.80 净 14.80"
    assert reports.day_tenders(journal, "2000-01-01") == {}


# --- the sale script over a real Counter and the reference service ------------------------------------------
def test_a_quoted_bill_is_cancelled_when_held_and_a_settled_one_cannot_be_held(sim, make_cfg):
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    with Counter(cfg) as counter:
        person = sim.person("active", insutype="390")
        sale = Checkout(counter)
        sale.bill([Item(AMX.code, AMX.name, D(1), AMX.price, trace=("83003850000000131001",))])
        sale.identify(sim.code(person["psn_no"]))
        quoted = sale.quote()
        hold_id = sale.hold()
        assert counter.sale(quoted.sale_id).status == "cancelled"      # nothing open stays behind
        back = Checkout.recall(counter, hold_id)
        assert back.patient == sale.patient and back.trace.codes == ["83003850000000131001"] and not back.dropped
        back.quote()
        back.confirm()
        with pytest.raises(holds.HoldError) as e:                       # its settlement was sent
            back.hold()
        assert e.value.key == "hold_sent"
        again = holds.hold(counter.journal, [Item(AMX.code, AMX.name, D(1), AMX.price,
                                                  trace=("83003850000000131001",))], "c1")
        later = Checkout.recall(counter, again)                          # that box was sold meanwhile
        assert later.trace.codes == [] and later.dropped[0][0] == "83003850000000131001"


def test_a_self_paid_bill_takes_a_discount_and_keeps_its_amounts(journal, cfg):
    store = SaleStore(journal)
    given = adjust.make(D("25.00"), "9.5折", "jiao", by="s1")      # 23.75 -> 23.70
    with pytest.raises(tender.TenderError):                         # the whole bill is no longer what is due
        selfpay.record_sale(store, "pharmacy", "c1", [AMX], tender.cash(D("25.00"), D("30")), given)
    sale_id = selfpay.record_sale(store, "pharmacy", "c1", [AMX], tender.cash(given.pay, D("30")), given)
    row = journal.sale(sale_id)
    assert (row["medfee_sumamt"], row["psn_cash_pay"]) == ("25.00", "25.00")
    assert adjust.of_sale(journal, sale_id).pay == D("23.70")
    text = "\n".join(layout(for_sale(cfg, journal, sale_id)))
    assert "整单折扣（9.5折）：-1.25" in text and "抹零：-0.05" in text and "找零：6.30" in text
