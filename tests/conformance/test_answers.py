"""The client's parsers on every public answer sample (tests/conformance/README.md names each source)."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from terminal.wire import messages
from terminal.sale.session import patient_from_1101
from tests.conformance.helpers import load, names


def test_every_answer_sample_is_covered_here():
    # A new sample must get a reader below (1162: test_decode1162.py), or this fails.
    assert set(names("answers")) == {
        "answers/1101_hebei_list.json", "answers/1101_shanghai_string_order.json", "answers/1101_spec_object.json",
        "answers/1162_success.json", "answers/1162_refused_500159.json", "answers/2206_hebei.json",
        "answers/2207_hebei.json", "answers/9001_zhejiang.json"}


@pytest.mark.parametrize("name, psn_no, insutype, area, balc", [
    ("answers/1101_hebei_list.json", "13030000000000000001", "310", "130399", D("1378.15")),
    ("answers/1101_shanghai_string_order.json", "801874939", "310", "310115", D("41509.00")),
    # The specification's own example: insuinfo is ONE object and the area is insu_admdvs (PROTOCOL.md §2b).
    ("answers/1101_spec_object.json", "13030000000000000002", "390", "130302", D("200.00")),
])
def test_1101_samples_identify_the_patient(name, psn_no, insutype, area, balc):
    answer = load(name)
    assert str(answer["infcode"]) == "0"
    p = patient_from_1101(None, answer["output"], "02", "x", area)
    assert (p.psn_no, p.insutype, p.insuplc_admdvs, p.balc) == (psn_no, insutype, area, balc)
    assert "*" in p.name_masked and "*" in p.id_masked   # masked before it leaves the parser


def test_the_2206_answer_gives_what_2207_must_echo():
    info = messages.setlinfo(load("answers/2206_hebei.json")["output"])
    assert messages.clearing(info) == {"clr_optins": "", "clr_way": "", "clr_type": "11"}   # null before settling

    class V:  # the visit the 2206 answered for
        patient = type("P", (), {"psn_no": info["psn_no"], "mdtrt_cert_type": "02", "mdtrt_cert_no": "x",
                                 "insutype": "310"})()
        mdtrt_id, chrg_bchno = info["mdtrt_id"], "0001"
    item = type("I", (), {"amount": D("4.52")})()
    data = messages.settle_data(V, [item], info, med_type="11")["data"]
    assert {k: data[k] for k in messages.ECHOED_2207} == {
        "fulamt_ownpay_amt": "0.00", "overlmt_selfpay": "0.00", "preselfpay_amt": "0.23", "inscp_scp_amt": "4.29"}
    assert data["psn_setlway"] == "01" and data["medfee_sumamt"] == "4.52"


def test_the_2207_answer_is_cleared_by_an_agency_other_than_the_insured_area():
    info = messages.setlinfo(load("answers/2207_hebei.json")["output"])
    insured = messages.insurances(load("answers/1101_hebei_list.json")["output"])[0]["insuplc_admdvs"]
    assert messages.clearing(info) == {"clr_optins": "131199", "clr_way": "1", "clr_type": "11"}
    assert insured == "130399" != info["clr_optins"]   # 3201 must group by 131199, not 130399
    amounts = {k: messages.amount(info, k) for k in ("medfee_sumamt", "fund_pay_sumamt", "acct_pay", "psn_cash_pay")}
    assert amounts == {"medfee_sumamt": D("4.52"), "fund_pay_sumamt": D("0.00"), "acct_pay": D("4.52"),
                       "psn_cash_pay": D("0.00")}
    assert info["setl_id"] == "400125241"


def test_the_zhejiang_sign_in_answer_gives_a_sign_no():
    answer = load("answers/9001_zhejiang.json")
    assert answer["infcode"] == 0 and answer["output"]["signinoutb"]["sign_no"] == "680003"
