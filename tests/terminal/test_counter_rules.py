"""The counter's rules the cashier script found missing (issue 21), in the core: Enter's pick from the catalogue,
the handover's words, the shift a signed-in cashier needs, taking the last 追溯码 off, refunding a self-paid
sale. tests/acceptance drives them through the app; these pin the rules themselves."""
from __future__ import annotations

from decimal import Decimal

import pytest

from terminal import config
from terminal.office import operators
from terminal.office import shifts
from terminal.sale import refunds, selfpay, tender
from terminal.sale.items import BillLine, Catalogue
from terminal.sale.items import Item
from terminal.journal.journal import Journal
from terminal.sale.sales import SaleStore
from terminal.sale.trace import TraceBill, TraceRules


@pytest.fixture
def journal(cfg):
    j = Journal.for_config(cfg)
    operators.add(j, "c1", "cashier", "2468")
    operators.add(j, "s1", "supervisor", "9753")
    yield j
    j.close()


LINES = [BillLine("XJ01CAA040A001010100007", "阿莫西林胶囊", Decimal("12.50"), initials="AMXLJN"),
         BillLine("XA02BCA018A001010101234", "奥美拉唑肠溶胶囊", Decimal("23.60"), initials="AMLZCRJN",
                  barcode="6920000000012")]


def test_enter_picks_the_code_the_barcode_a_codes_end_or_the_first_match():
    cat = Catalogue(LINES)
    assert cat.pick("6920000000012") is LINES[1]          # a box's barcode
    assert cat.pick("XJ01CAA040A001010100007") is LINES[0]
    assert cat.pick("1234") is LINES[1]                   # a code's last digits
    assert cat.pick("am") is LINES[0]                     # the first of the list the search shows
    assert cat.pick("奥美") is LINES[1]                    # part of a name
    assert cat.pick("zzz") is None and cat.pick("  ") is None


def test_the_handover_says_short_or_over_before_it_closes(journal):
    shifts.open_shift(journal, "c1", Decimal("200"))
    r = shifts.report(journal)
    assert shifts.count_words(r, Decimal("196.40")) == "短款 3.60"
    assert shifts.count_words(r, Decimal("201.20")) == "长款 1.20"
    assert shifts.count_words(r, Decimal("200")) == ""
    assert shifts.current(journal) is not None            # asking closes nothing


def test_require_shift_holds_only_when_set_and_no_shift_is_open(journal, cfg):
    assert cfg.till.require_shift                         # the pharmacy profile's default
    with pytest.raises(shifts.ShiftError) as e:
        shifts.require_open(journal, cfg)
    assert e.value.key == "shift_required" and "Ctrl+J" in e.value.message
    shifts.open_shift(journal, "c1", Decimal("0"))
    shifts.require_open(journal, cfg)
    clinic = config.load(profile="clinic", data_dir=cfg.data_dir, center_url="http://127.0.0.1:9", env={})
    assert not clinic.till.require_shift


def test_the_box_scanned_last_comes_off_again():
    items = [Item("XJ01CAA040A001010100007", "阿莫西林胶囊", Decimal(2), Decimal("12.50"))]
    b = TraceBill(items, TraceRules())
    b.scan("83003850000000131001")
    b.scan("83003850000000999999")                        # the wrong box
    line, code = b.undo_last()
    assert code == "83003850000000999999" and line.codes == ["83003850000000131001"] and b.missing == 1
    assert b.undo_last()[1] == "83003850000000131001" and b.undo_last() is None


def test_a_self_paid_sale_is_refunded_once_with_a_supervisors_pin(journal, cfg):
    items = [Item("XJ01CAA040A001010100007", "阿莫西林胶囊", Decimal(1), Decimal("12.50"))]
    store = SaleStore(journal)
    sale_id = selfpay.record_sale(store, "pharmacy", "c1", items, tender.cash(Decimal("12.50"), Decimal("20")))
    with pytest.raises(refunds.RefundRefused) as e:
        refunds.self_paid(store, sale_id, "患者退药", "c1", "s1", "0000")
    assert e.value.key == "refund_wrong_pin"
    ticket = refunds.self_paid(store, sale_id, "患者退药", "c1", "s1", "9753")
    assert ticket.status == "refunded" and ticket.amount == Decimal("12.50")
    assert journal.sale(sale_id)["status"] == "refunded"
    assert tender.record_refund(journal, ticket.refund_id, "c1") == {"cash": Decimal("12.50")}
    with pytest.raises(refunds.RefundRefused) as e:   # once
        refunds.self_paid(store, sale_id, "患者退药", "c1", "s1", "9753")
    assert e.value.key == "refund_not_self_paid"
