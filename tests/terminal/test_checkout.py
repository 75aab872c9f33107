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
from decimal import Decimal  # noqa: E402

import pytest  # noqa: E402

from terminal.checkout import Checkout  # noqa: E402
from terminal.counter import Counter  # noqa: E402
from terminal.errors import EcposError  # noqa: E402
from terminal.sale.items import Item  # noqa: E402
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
