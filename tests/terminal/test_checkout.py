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
