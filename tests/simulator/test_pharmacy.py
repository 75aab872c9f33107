"""Pharmacy 2101 -> 2102 -> 2103 through PlatformClient: the split per person, validation, idempotency."""
from decimal import Decimal as D

import pytest

from terminal.errors import PlatformRefused
from tests.simulator.helpers import (ITEMS_TOTAL, adds_up, by_msgid, drug_input, identify, presettle, sale,
                                     settle)

# (psn_no, fund, acct_pay, psn_cash_pay, balance after): ITEMS_TOTAL 37.80 under simulator/rules.py
CASES = [
    ("3201000000000001", "18.90", "18.90", "0.00", "981.10"),   # 310 with a large balance
    ("3201000000000004", "18.90", "12.34", "6.56", "0.00"),     # 310, balance smaller than the share
    ("3201000000000003", "18.90", "0.00", "18.90", "0.00"),     # 310, zero balance
    ("3201000000000002", "15.12", "0.00", "22.68", "0.00"),     # 390 resident: no account
    ("3201000000000015", "37.80", "0.00", "0.00", "0.00"),      # 340 离休: the fund pays all
]


@pytest.mark.parametrize("psn_no,fund,acct,cash,balc", CASES)
def test_presettle_and_settle_split(shared_sim, pc, psn_no, fund, acct, cash, balc):
    who = identify(pc, shared_sim, psn_no)
    pre = presettle(pc, who)
    assert pre["setl_id"] == "" and pre["mdtrt_id"]
    adds_up(pre)
    assert (pre["medfee_sumamt"], pre["fund_pay_sumamt"], pre["acct_pay"], pre["psn_cash_pay"]) == \
        (ITEMS_TOTAL, D(fund), D(acct), D(cash))
    got = settle(pc, who, pre["mdtrt_id"])
    adds_up(got)
    assert got["setl_id"] and got["mdtrt_id"] == pre["mdtrt_id"] and got["balc"] == D(balc)
    assert (got["fund_pay_sumamt"], got["acct_pay"], got["psn_cash_pay"]) == (D(fund), D(acct), D(cash))
    row = next(s for s in shared_sim.ledger()["settlements"] if s["setl_id"] == got["setl_id"])
    assert row["status"] == "settled" and row["medfee_sumamt"] == "37.80" and row["acct_pay"] == acct
    assert row["msgid"] == got["medins_setl_id"]


def test_settle_must_match_the_presettled_total(shared_sim, pc):
    who = identify(pc, shared_sim, "3201000000000016")
    pre = presettle(pc, who)
    items = (("XA01AAA0001", "1", "12.50"),)
    with pytest.raises(PlatformRefused, match="与预结算金额37.80不符"):
        settle(pc, who, pre["mdtrt_id"], total=D("12.50"), items=items)
    assert settle(pc, who, pre["mdtrt_id"])["medfee_sumamt"] == ITEMS_TOTAL


def test_settle_without_presettle_is_refused(shared_sim, pc):
    who = identify(pc, shared_sim, "3201000000000010")
    with pytest.raises(PlatformRefused, match="请先预结算"):
        settle(pc, who)


def test_amounts_that_do_not_add_up_are_refused(shared_sim, pc):
    who = identify(pc, shared_sim, "3201000000000016")
    with pytest.raises(PlatformRefused, match="与明细合计37.80不符"):
        presettle(pc, who, total=D("40.00"))
    bad = drug_input(who)
    bad["drugdetail"][0]["det_item_fee_sumamt"] = "25.01"
    with pytest.raises(PlatformRefused, match="与数量×单价25.00不符"):
        pc.call("2101", bad)
    bad = drug_input(who)
    bad["drugdetail"][0]["pric"] = "12.5000001"
    with pytest.raises(PlatformRefused, match="pric 格式错误"):
        pc.call("2101", bad)


@pytest.mark.parametrize("field", ["psn_no", "mdtrt_cert_no", "medfee_sumamt"])
def test_missing_fields_are_named(shared_sim, pc, field):
    who = identify(pc, shared_sim, "3201000000000016")
    inp = drug_input(who)
    del inp["druginfo"][field]
    with pytest.raises(PlatformRefused, match=f"druginfo.{field} 不能为空"):
        pc.call("2101", inp)


def test_unknown_person_and_foreign_token_are_refused(shared_sim, pc):
    who = identify(pc, shared_sim, "3201000000000016")
    with pytest.raises(PlatformRefused, match="人员编号.*不存在"):
        pc.call("2101", drug_input({**who, "psn_no": "3201009999999999"}))
    other = identify(pc, shared_sim, "3201000000000001")
    with pytest.raises(PlatformRefused, match="mdtrt_cert_no 与人员编号不符"):
        pc.call("2101", drug_input({**who, "token": other["token"]}))


def test_other_province_needs_insuplc_admdvs_from_1101(shared_sim, pc):
    who = identify(pc, shared_sim, "4403000000000014")
    assert who["insuplc"] == "440300"
    with pytest.raises(PlatformRefused, match="insuplc_admdvs"):
        pc.call("2101", drug_input(who))                       # envelope without it
    with pytest.raises(PlatformRefused, match="与人员参保地不符"):
        pc.call("2101", drug_input(who), insuplc_admdvs="320100")
    pre = presettle(pc, who)
    got = settle(pc, who, pre["mdtrt_id"])
    # Cleared by the care area's agency, not the insured area (PROTOCOL.md §2b: clr_optins 131199 for a
    # patient insured in 130399): 3201 groups by this, so it must differ from insuplc_admdvs here.
    assert got["clr_optins"] == "320199" and got["acct_pay"] == D("18.90")


def test_suspended_person_is_identified_but_cannot_settle(shared_sim, pc):
    who = identify(pc, shared_sim, "3201000000000013")
    assert who["insu"]["psn_insu_stas"] == "2"
    with pytest.raises(PlatformRefused, match="暂停参保"):
        presettle(pc, who)


def test_retry_with_same_msgid_gets_same_answer_and_no_second_effect(shared_sim, pc):
    who = identify(pc, shared_sim, "3201000000000006")
    pre = presettle(pc, who)
    env = pc.envelope("2102", drug_input(who, mdtrt_id=pre["mdtrt_id"]))
    first = pc.send(env)
    again = pc.send(dict(env, inf_time="2030-01-01 00:00:00"))   # a resend may carry a new inf_time
    assert again == first
    rows = [s for s in shared_sim.ledger()["settlements"] if s["psn_no"] == who["psn_no"]]
    assert len(rows) == 1 and rows[0]["balc"] == f"{D('260.50') - D('18.90'):.2f}"
    person = next(p for p in shared_sim.persons() if p["psn_no"] == who["psn_no"])
    assert person["balc"] == "241.60"
    with pytest.raises(PlatformRefused, match="报文ID\\(msgid\\)重复"):
        pc.send(dict(env, input=drug_input(who, mdtrt_id=pre["mdtrt_id"], acct_used_flag="0")))


def test_a_settled_presettlement_cannot_settle_twice(shared_sim, pc):
    who, got = sale(pc, shared_sim, "3201000000000016")
    # 2102 names no mdtrt_id (PROTOCOL.md §2b): with its pre-settlement settled, there is nothing open to settle.
    with pytest.raises(PlatformRefused, match="请先预结算"):
        settle(pc, who, got["mdtrt_id"])


def test_refund_restores_the_account_once(shared_sim, pc):
    who, got = sale(pc, shared_sim, "3201000000000016")
    before = next(p for p in shared_sim.persons() if p["psn_no"] == who["psn_no"])["balc"]
    data = {"setl_id": got["setl_id"], "mdtrt_id": got["mdtrt_id"], "psn_no": who["psn_no"]}
    ref = pc.call("2103", {"data": data}, insuplc_admdvs=who["insuplc"])["setlinfo"]
    assert ref["osetl_id"] == got["setl_id"] and ref["setl_id"] != got["setl_id"]
    assert (ref["medfee_sumamt"], ref["acct_pay"]) == (-ITEMS_TOTAL, -got["acct_pay"])
    adds_up(ref)
    after = next(p for p in shared_sim.persons() if p["psn_no"] == who["psn_no"])["balc"]
    assert D(after) == D(before) + got["acct_pay"]
    with pytest.raises(PlatformRefused, match="不能重复撤销"):
        pc.call("2103", {"data": data})
    ledger = shared_sim.ledger()
    assert by_msgid(ledger, got["medins_setl_id"])["status"] == "refunded"
    assert [r["osetl_id"] for r in ledger["refunds"]].count(got["setl_id"]) == 1
    with pytest.raises(PlatformRefused, match="不存在"):
        pc.call("2103", {"data": {**data, "setl_id": "999"}})


def test_5203_reports_a_settlement_and_its_refund_flag(shared_sim, pc):
    who, got = sale(pc, shared_sim, "3201000000000001")
    q = {"data": {"psn_no": who["psn_no"], "setl_id": got["setl_id"], "mdtrt_id": got["mdtrt_id"]}}
    info = pc.call("5203", q)["setlinfo"]
    assert (info["medfee_sumamt"], info["vali_flag"], info["refd_setl_flag"]) == (ITEMS_TOTAL, "1", "0")
    pc.call("2103", {"data": q["data"]})
    assert pc.call("5203", q)["setlinfo"]["refd_setl_flag"] == "1"
