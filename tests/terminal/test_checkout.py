"""The sale script's own rules (terminal/checkout.py); the faces over it are tested as their users drive them
(tests/e2e for ecpos settle / refund / reprint, tests/agent, tests/ui)."""
from terminal.checkout import Scan, default_visit, self_paid_ref, sort_scan
from terminal import config


def test_a_scan_is_a_box_a_barcode_or_a_code():
    assert sort_scan("83003850000000131001") == Scan("box", "83003850000000131001")  # a drug box's 追溯码
    assert sort_scan("6901234567892").kind == "barcode"          # EAN-13, check digit right
    assert sort_scan("6901234567891").kind == "code"             # check digit wrong: not an item
    assert sort_scan("xyz-ec-code").kind == "code"


def test_a_visit_nobody_named_goes_to_the_profiles_first_department_and_doctor(tmp_path):
    cfg = config.load(profile="clinic", data_dir=tmp_path / "d", center_url="http://127.0.0.1:9", env={})
    assert default_visit(cfg) == (cfg.clinic.departments[0], cfg.clinic.doctors[0])
    assert default_visit(cfg, "A09", "D9") == ("A09", "D9")


def test_a_self_paid_sale_is_shown_by_its_own_reference():
    assert self_paid_ref(42) == "SALE00000042"


# --- the script's events: what a face renders (one sale, against the reference service) -----------------------
from datetime import date  # noqa: E402
from decimal import Decimal  # noqa: E402

import pytest  # noqa: E402

from terminal.checkout import Checkout, SelfPaid  # noqa: E402
from terminal.counter import Counter  # noqa: E402
from terminal.errors import EcposError  # noqa: E402
from terminal.sale import tender as tender_mod  # noqa: E402
from terminal.sale.items import BillLine, Item  # noqa: E402
from terminal.sale.lots import Lot  # noqa: E402
from terminal.states import SaleState, Stage  # noqa: E402

PILL = Item("XJ01CAA040A001010100007", "阿莫西林胶囊", Decimal("1"), Decimal("12.50"))


def _heard(sale):
    heard = []
    sale.subscribe(lambda ch: heard.append((ch.step, ch.stage, ch.error is not None)))
    return heard


def test_a_pharmacy_sale_announces_each_step_begun_then_done(make_cfg, sim):
    with Counter(make_cfg("pharmacy")) as counter:
        sale = Checkout(counter)
        heard = _heard(sale)
        last = []
        sale.subscribe(last.append)
        sale.identify(sim.code(sim.person("active", insutype="310")["psn_no"]))
        assert last[-1].allowed >= {"quote", "identify", "self_pay"} and "register" not in last[-1].allowed
        sale.bill([PILL], trace=False)
        sale.quote()
        assert last[-1].quote.sale_id == sale.sale_id and "confirm" in last[-1].allowed
        sale.revise()             # the bill changed on screen: no confirm until quoted again
        assert last[-1].stage == Stage.IDENTIFIED and "confirm" not in last[-1].allowed
        with pytest.raises(EcposError) as refused:
            sale.confirm()
        assert refused.value.key == "sale_state"
        first = sale.sale_id
        sale.quote()              # the same sale quoted again
        s = sale.confirm()
        assert s.sale_id == first == last[-1].settlement.sale_id and last[-1].allowed == {"reprint", "refund"}
    assert heard == [("identify", Stage.IDENTIFYING, False), ("identify", Stage.IDENTIFIED, False),
                     ("quote", Stage.QUOTING, False), ("quote", Stage.QUOTED, False),
                     ("revise", Stage.IDENTIFIED, False),
                     ("quote", Stage.QUOTING, False), ("quote", Stage.QUOTED, False),
                     ("confirm", Stage.SETTLING, False), ("confirm", Stage.SETTLED, False)]


def test_a_failed_step_falls_back_and_says_why(make_cfg, sim):
    with Counter(make_cfg("clinic")) as counter:
        sale = Checkout(counter)
        heard = _heard(sale)
        with pytest.raises(EcposError):
            sale.identify("not-a-code")
        assert heard[-1] == ("identify", Stage.WAITING, True) and sale.stage == Stage.WAITING
        sale.identify(sim.code(sim.person("active", insutype="310")["psn_no"]))
        assert "quote" not in sale.allowed_next and "register" in sale.allowed_next   # a clinic quotes a visit
        sale.register()
        sale.bill([PILL], trace=False)
        sim.faults("2207:error")
        sale.quote()
        with pytest.raises(EcposError):
            sale.confirm()
        # refused: nothing was paid; the visit is still open, to be undone
        assert heard[-1] == ("confirm", Stage.REGISTERED, True) and "cancel" in sale.allowed_next
        sim.clear_faults()
        sale.cancel()
        assert heard[-1] == ("cancel", Stage.CANCELLED, False)
        assert counter.sale(sale.sale_id).status == SaleState.FAILED  # the visit undone; the sale stays failed


# --- what a screen reads from the script: it keeps no copy of its own (issue 22) ------------------------------
C1, C2 = "83003850000000131001", "83003850000000131002"


def test_a_screen_reads_the_quote_the_boxes_the_outcome_and_the_receipt_from_the_script(make_cfg, sim):
    with Counter(make_cfg("pharmacy")) as counter:
        sale = Checkout(counter)
        sale.identify(sim.code(sim.person("active", insutype="310")["psn_no"]))
        # the bill as the screen edits it: the boxes scanned stay with the lines still on it
        assert sale.retrace([PILL]) == [] and sale.trace.missing == 1
        sale.trace.scan(C1)
        two = Item("XA02BCA211A001010101996", "奥美拉唑肠溶胶囊", Decimal("1"), Decimal("23.80"))
        assert sale.retrace([PILL, two]) == [] and sale.trace.lines[0].codes == [C1]
        sale.trace.scan(C2, line=2)
        assert sale.retrace([PILL]) == [C2] and sale.trace.missing == 0   # the second line taken off
        assert sale.retrace([]) == [] and sale.trace is None
        sale.retrace([PILL])
        sale.trace.scan(C1)
        assert sale.open_quote is None
        quote = sale.quote()
        assert sale.open_quote is quote and sale.outcome is None
        sale.revise()                                     # the bill changed: the split is not on offer any more
        assert sale.open_quote is None and sale.quoted is quote
        sale.quote()
        s = sale.confirm()
        assert sale.outcome is s and sale.open_quote is None
        receipt = sale.receipt()
        assert receipt.setl_id == s.setl_id and not receipt.reprint
        assert counter.journal.query("SELECT 1 FROM audit WHERE event='receipt_reprinted'") == []
        again = sale.receipt(again=True)                  # F8: marked 重打, audited with the operator
        assert again.reprint and again.setl_id == s.setl_id
        [row] = counter.journal.query("SELECT actor FROM audit WHERE event='receipt_reprinted'")
        assert row["actor"] == counter.operator


def test_a_self_paid_sale_ends_as_its_id_and_reference(make_cfg, sim):
    with Counter(make_cfg("pharmacy")) as counter:
        sale = Checkout(counter)
        sale.draft([PILL], None)
        paid = tender_mod.cash(Decimal("12.50"), Decimal("20"))
        sale_id = sale.self_pay(paid)
        assert sale.outcome == SelfPaid(sale_id, self_paid_ref(sale_id)) and sale.tender is paid


def test_a_recalled_item_goes_back_on_the_bill_as_the_catalogue_lists_it_with_its_lot():
    listed = BillLine(PILL.code, PILL.name, PILL.price, "0.25g*24粒", "6920000000012")
    held = Item(PILL.code, PILL.name, Decimal("2"), PILL.price, manu_lotnum="A1", manu_date="2025-01-01",
                expy_end="2027-12-31")
    line = BillLine.of(held, {PILL.code: listed})
    assert (line.spec, line.barcode, line.lot) == ("0.25g*24粒", "6920000000012",
                                                   Lot("A1", date(2025, 1, 1), date(2027, 12, 31)))
    assert line.item(Decimal("2")) == held                        # and on to the script as it was held
    gone = BillLine.of(PILL, {})                                   # no longer listed: the item's own words
    assert (gone.name, gone.price, gone.lot) == (PILL.name, PILL.price, None)
