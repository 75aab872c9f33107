"""The counter devices' rules in the core (issue 25): when the cash drawer opens and the audit of who opened it
and why; what the customer display shows of a sale, worked out from the core's events alone.
tests/acceptance/test_counter_devices.py drives them through the app; these pin the rules themselves."""
from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from terminal import config
from terminal.office import operators, reports
from terminal.sale import adjust, drawer, facing, selfpay, tender
from terminal.counter import Counter
from terminal.sale.items import Item
from terminal.journal.journal import Journal
from terminal.errors import OperatorError
from terminal.sale.records import Quote
from terminal.sale.sales import Sale, SaleStore
from tests.conftest import write_toml

ITEMS = [Item("XJ01CAA040A001010100007", "阿莫西林胶囊", Decimal(2), Decimal("12.50")),
         Item("XR06AXL032A001010100118", "氯雷他定片", Decimal(1), Decimal("19.80"))]


def till_cfg(tmp_path, **over):
    layer = write_toml(tmp_path / "till.toml", {"center.url": "http://127.0.0.1:9", **over})
    return config.load(profile="pharmacy", config_file=layer, data_dir=tmp_path / "d", env={})


@pytest.fixture
def journal(tmp_path):
    j = Journal.for_config(till_cfg(tmp_path))
    yield j
    j.close()


def self_paid(journal, t: tender.Tender) -> int:
    return selfpay.record_sale(SaleStore(journal), "pharmacy", "c1", ITEMS, t)


# --- the cash drawer ---------------------------------------------------------------------------------
def test_the_drawer_opens_after_a_sale_that_took_cash_and_says_so_in_the_audit(tmp_path):
    cfg = till_cfg(tmp_path, **{"printer.cash_drawer": True})
    j = Journal.for_config(cfg)
    try:
        cash = self_paid(j, tender.cash(Decimal("44.80"), Decimal("50")))
        wechat = self_paid(j, tender.other("wechat", Decimal("44.80"), "4200001234"))
        assert drawer.cash_taken(j, cash) == Decimal("50.00")       # the note went in, the change came out of it
        assert drawer.opens_after(cfg, j, cash, "c1")
        assert not drawer.opens_after(cfg, j, wechat, "c1")        # no cash, nothing to put in
        assert not drawer.opens_after(cfg, j, 999, "c1")           # no such sale (a quote, a reprint)
        assert [(o["actor"], o["why"], o["sale_id"], o["cash"]) for o in reports.drawer_openings(j)] == [
            ("c1", "cash_sale", cash, "50.00")]
    finally:
        j.close()


def test_the_drawer_opens_for_a_refund_only_when_cash_is_handed_back(tmp_path):
    cfg = till_cfg(tmp_path, **{"printer.cash_drawer": True})
    with Counter(cfg) as c:
        operators.add(c.journal, "s1", "supervisor", "9753")
        cash = c.self_pay(ITEMS, tender.cash(Decimal("44.80"), Decimal("50")))
        card = c.self_pay(ITEMS, tender.other("card", Decimal("44.80"), "6222001"))
        by_cash, by_card = (c.refund_self_paid(s, "患者退药", "c1", "s1", "9753") for s in (cash, card))
        for t in (by_cash, by_card):
            tender.record_refund(c.journal, t.refund_id, "c1")
        assert drawer.opens_for_refund(cfg, c.journal, by_cash.refund_id, "c1")
        assert not drawer.opens_for_refund(cfg, c.journal, by_card.refund_id, "c1")   # back through the card
        assert [(o["why"], o["refund_id"], o["cash"]) for o in reports.drawer_openings(c.journal)] == [
            ("cash_refund", by_cash.refund_id, "44.80")]                            # what was kept, not the note


def test_no_drawer_configured_no_pulse(journal, tmp_path):
    cfg = till_cfg(tmp_path)                                        # [printer] cash_drawer = false: the default
    sale = self_paid(journal, tender.cash(Decimal("44.80"), Decimal("50")))
    assert not drawer.opens_after(cfg, journal, sale, "c1")
    assert reports.drawer_openings(journal) == []


def test_a_supervisor_opens_it_with_pin_and_reason_audited_with_who_and_why(tmp_path):
    cfg = till_cfg(tmp_path)
    with Counter(cfg) as c:
        operators.add(c.journal, "c1", "cashier", "2468")
        operators.add(c.journal, "s1", "supervisor", "9753")
        with pytest.raises(drawer.DrawerError) as e:
            drawer.supervisor_open(c, "s1", "9753", "  ", cashier="c1")
        assert "原因" in e.value.message and e.value.exit_code == 2
        with pytest.raises(OperatorError):
            drawer.supervisor_open(c, "s1", "0000", "换零钱", cashier="c1")   # a wrong PIN opens nothing
        with pytest.raises(OperatorError):
            drawer.supervisor_open(c, "c1", "2468", "换零钱", cashier="c1")   # a cashier may not
        assert reports.drawer_openings(c.journal) == []
        drawer.supervisor_open(c, "s1", "9753", " 换零钱 ", cashier="c1")
        drawer.not_opened(c.journal, "s1", "换零钱", "OSError: printer off")
        got = reports.drawer_openings(c.journal)
        assert [(o["event"], o["actor"], o["why"]) for o in got] == [
            ("drawer_not_opened", "s1", "换零钱"), ("drawer_opened", "s1", "换零钱")]
        assert got[1]["cashier"] == "c1"
        refused = c.journal.query("SELECT actor, data FROM audit WHERE event='authorization_refused'")
        assert [r["actor"] for r in refused] == ["s1", "c1"] and all("open_drawer" in r["data"] for r in refused)
        assert c.journal.verify_chain().ok


# --- the customer display ----------------------------------------------------------------------------
def sale(**kw) -> Sale:
    base = dict(id=7, profile="pharmacy", status="pending", opter="c1", created_at="", status_at="", day="",
                psn_no="", name_masked="张*", id_masked="", insutype="310", family_of="", mdtrt_id="", setl_id="",
                msgid="", medfee_sumamt=Decimal("0"), fund_pay_sumamt=Decimal("0"), acct_pay=Decimal("0"),
                psn_cash_pay=Decimal("0"), setl_time="", note="",
                items=({"code": "X1", "name": "阿莫西林胶囊", "qty": "2", "price": "12.50"},
                       {"code": "X2", "name": "氯雷他定片", "qty": "1", "price": "19.80"}))
    base.update(kw)
    base["status"] = facing.SaleState(base["status"])
    return Sale(**base)


def quote() -> Quote:
    return Quote(patient=None, sale_id=7, items=tuple(ITEMS), medfee_sumamt=Decimal("44.80"), setlinfo={},
                 fund_pay_sumamt=Decimal("20.00"), acct_pay=Decimal("10.00"), psn_cash_pay=Decimal("14.80"),
                 psn_part_amt=Decimal("24.80"), hosp_part_amt=Decimal("0"), balc=Decimal("0"), mdtrt_id="",
                 steps=None)


def test_the_patient_sees_the_lines_then_the_split_then_the_change_and_the_result():
    f = facing.of_sale(sale())                                     # the bill, before the platform has said
    assert [(ln.name, ln.qty, ln.amount) for ln in f.lines] == [("阿莫西林胶囊", 2, Decimal("25.00")),
                                                                ("氯雷他定片", 1, Decimal("19.80"))]
    assert f.total == Decimal("44.80") and f.fund is None and f.cash is None and f.result == ""
    f = facing.of_sale(sale(), quote())                            # quoted: the split, the cash due
    assert (f.fund, f.account, f.cash, f.result) == (Decimal("20.00"), Decimal("10.00"), Decimal("14.80"),
                                                     "请核对金额")
    settled = sale(status="settled", medfee_sumamt=Decimal("44.80"), fund_pay_sumamt=Decimal("20.00"),
                   acct_pay=Decimal("10.00"), psn_cash_pay=Decimal("14.80"))
    f = facing.of_sale(settled, None, [tender.cash(Decimal("14.80"), Decimal("20"))])
    assert (f.cash, f.received, f.change, f.result) == (Decimal("14.80"), Decimal("20.00"), Decimal("5.20"),
                                                        "结算成功")
    f = facing.of_sale(settled, None, [tender.other("card", Decimal("14.80"), "6222001")])
    assert f.received is None and f.change is None                 # no cash handed over: no change to show
    f = facing.of_sale(settled, None, [tender.cash(Decimal("14.00"), Decimal("20"))],
                       adjust.make(Decimal("14.80"), "", "yuan"))  # 抹角分: what the patient paid, not the platform's
    assert (f.total, f.cash, f.change) == (Decimal("44.80"), Decimal("14.00"), Decimal("6.00"))


@pytest.mark.parametrize("status, words", [("unknown", "结果待确认：请勿重复付款"), ("refunded", "已退款"),
                                           ("refund_queued", "退款办理中"), ("reversed", "已冲正，未扣费"),
                                           ("self_paid", "收款成功"), ("failed", "未结算，未扣费")])
def test_every_ending_in_the_patients_words_never_failure_for_a_lost_answer(status, words):
    assert facing.of_sale(sale(status=status)).result == words


def test_the_display_follows_the_newest_sale_and_an_older_one_only_when_refunded():
    held = {7: quote()}
    counter = SimpleNamespace(quoted=held.get, journal=SimpleNamespace(query=lambda *a: []))
    follow = facing.Follower(counter)
    assert follow.see(sale()).cash == Decimal("14.80")             # the counter's quote, from the core
    assert follow.see(sale(id=5, status="reversed")) is None       # sync closing an old one: not for this patient
    assert follow.see(sale(id=5, status="refunded")) is None       # …not even a refund, while a sale is open
    assert follow.see(sale(status="settled")).result == "结算成功"
    assert follow.see(sale(id=5, status="refunded")).result == "已退款"   # the patient who came back with a box
    assert follow.see(sale(id=8)).sale_id == 8                    # the next customer
    assert follow.see(None) is None


def test_the_counter_announces_the_quote_and_the_tender_so_the_display_needs_no_state_of_its_own(tmp_path):
    cfg = till_cfg(tmp_path)
    with Counter(cfg) as c:
        heard = []
        follow = facing.Follower(c)
        c.subscribe(lambda s: heard.append(follow.see(s)))
        sale_id = c.self_pay(ITEMS, tender.cash(Decimal("44.80"), Decimal("50")))
        assert heard[-1].sale_id == sale_id and heard[-1].change == Decimal("5.20")
        c.record_tender(sale_id, tender.other("wechat", Decimal("1.00"), "4200001234"))  # a tender after the sale
        assert len(heard) == 2                                    # …is heard too
        assert c.quoted(sale_id) is None


def test_the_customer_display_is_asked_for_and_never_on_a_kiosk(tmp_path):
    assert not till_cfg(tmp_path).till.customer_display                    # a second window only when asked
    kiosk = config.load(profile="kiosk", data_dir=tmp_path / "k", center_url="http://127.0.0.1:9", env={})
    assert not kiosk.till.customer_display and not kiosk.printer.cash_drawer


def test_the_bill_reaches_the_display_line_by_line_before_the_platform_has_a_sale(tmp_path):
    from terminal.checkout import Checkout
    with Counter(till_cfg(tmp_path)) as c:
        sale, shown = Checkout(c), []
        sale.subscribe(lambda ch: ch.step == "lines" and shown.append(facing.of_lines(ch.checkout.items)))
        sale.show_lines(ITEMS[:1])
        sale.show_lines(ITEMS)
        assert [[(ln.name, ln.amount) for ln in f.lines] for f in shown] == [
            [("阿莫西林胶囊", Decimal("25.00"))], [("阿莫西林胶囊", Decimal("25.00")), ("氯雷他定片", Decimal("19.80"))]]
        assert shown[-1].total == Decimal("44.80") and shown[-1].cash is None and shown[-1].result == ""
        assert c.journal.query("SELECT COUNT(*) n FROM sales")[0]["n"] == 0   # nothing written, nothing sent
