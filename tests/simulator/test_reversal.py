"""2601 reverses a settlement or refund exactly once; a 2601 that arrives first leaves a tombstone."""
from decimal import Decimal as D

import pytest

from terminal.errors import PlatformRefused
from tests.simulator.helpers import by_msgid, drug_input, identify, presettle, sale, settle


def balc(sim, psn_no):
    return D(next(p for p in sim.persons() if p["psn_no"] == psn_no)["balc"])


def reverse(pc, who, omsgid, oinfno="2102", msgid=None):
    return pc.call("2601", {"data": {"psn_no": who["psn_no"], "omsgid": omsgid, "oinfno": oinfno}},
                   msgid=msgid, insuplc_admdvs=who["insuplc"])["data"]


def test_reversal_undoes_a_settlement_exactly_once(shared_sim, pc):
    psn = "3201000000000016"
    start = balc(shared_sim, psn)
    who, got = sale(pc, shared_sim, psn)
    assert balc(shared_sim, psn) == start - got["acct_pay"]
    env = pc.envelope("2601", {"data": {"psn_no": psn, "omsgid": got["medins_setl_id"], "oinfno": "2102"}})
    first = pc.send(env)["output"]["data"]
    assert first == {"omsgid": got["medins_setl_id"], "oinfno": "2102", "rslt": "reversed"}
    assert balc(shared_sim, psn) == start
    assert pc.send(env)["output"]["data"] == first                 # same msgid: stored answer
    assert reverse(pc, who, got["medins_setl_id"])["rslt"] == "reversed"   # new msgid: no second effect
    assert balc(shared_sim, psn) == start
    ledger = shared_sim.ledger()
    assert by_msgid(ledger, got["medins_setl_id"])["status"] == "reversed"
    rows = [r for r in ledger["reversals"] if r["omsgid"] == got["medins_setl_id"]]
    assert len(rows) == 2 and {r["rslt"] for r in rows} == {"reversed"} and rows[0]["ref"] == got["setl_id"]
    # the pre-settlement may now be settled afresh with a new msgid
    again = settle(pc, who, got["mdtrt_id"])
    assert again["setl_id"] != got["setl_id"] and balc(shared_sim, psn) == start - again["acct_pay"]


def test_reversal_first_leaves_a_tombstone_for_the_original(shared_sim, pc):
    who = identify(pc, shared_sim, "3201000000000001")
    pre = presettle(pc, who)
    original = pc.envelope("2102", drug_input(who, mdtrt_id=pre["mdtrt_id"]), insuplc_admdvs=who["insuplc"])
    out = reverse(pc, who, original["msgid"])
    assert out == {"omsgid": original["msgid"], "oinfno": "2102", "rslt": "not_found"}
    for _ in range(2):   # the late original is refused, and stays refused
        with pytest.raises(PlatformRefused, match="该交易已冲正"):
            pc.send(original)
    assert not [s for s in shared_sim.ledger()["settlements"] if s["msgid"] == original["msgid"]]
    assert reverse(pc, who, original["msgid"])["rslt"] == "not_found"
    assert settle(pc, who, pre["mdtrt_id"])["setl_id"]          # a fresh msgid settles normally


def test_reversing_a_refused_original_finds_nothing_to_undo(shared_sim, pc):
    who = identify(pc, shared_sim, "3201000000000002")
    env = pc.envelope("2102", drug_input(who))
    with pytest.raises(PlatformRefused, match="请先预结算"):
        pc.send(env)
    assert reverse(pc, who, env["msgid"])["rslt"] == "not_found"
    with pytest.raises(PlatformRefused, match="请先预结算"):
        pc.send(env)                                              # its own answer, not a tombstone


def test_reversing_a_refund_reinstates_the_settlement(shared_sim, pc):
    psn = "3201000000000016"
    who, got = sale(pc, shared_sim, psn)
    charged = balc(shared_sim, psn)
    env = pc.envelope("2103", {"data": {"setl_id": got["setl_id"], "mdtrt_id": got["mdtrt_id"], "psn_no": psn}})
    pc.send(env)
    assert balc(shared_sim, psn) == charged + got["acct_pay"]
    with pytest.raises(PlatformRefused, match="已撤销"):
        reverse(pc, who, got["medins_setl_id"])                   # a refunded settlement is not reversed
    assert reverse(pc, who, env["msgid"], "2103")["rslt"] == "reversed"
    assert balc(shared_sim, psn) == charged
    ledger = shared_sim.ledger()
    assert by_msgid(ledger, got["medins_setl_id"])["status"] == "settled"
    assert next(r for r in ledger["refunds"] if r["msgid"] == env["msgid"])["status"] == "reversed"


def test_reversal_refusals(shared_sim, pc):
    who, got = sale(pc, shared_sim, "3201000000000001")
    with pytest.raises(PlatformRefused, match="不支持冲正"):
        reverse(pc, who, got["medins_setl_id"], "2101")
    with pytest.raises(PlatformRefused, match="原交易编号"):
        reverse(pc, who, got["medins_setl_id"], "2207")
    other = identify(pc, shared_sim, "3201000000000002")
    with pytest.raises(PlatformRefused, match="人员编号与原交易不符"):
        reverse(pc, other, got["medins_setl_id"])
    with pytest.raises(PlatformRefused, match="不属于本机构"):
        reverse(pc, who, "H32010200009" + got["medins_setl_id"][12:])
    with pytest.raises(PlatformRefused, match="omsgid 不能为空"):
        pc.call("2601", {"data": {"psn_no": who["psn_no"], "oinfno": "2102"}})
    assert by_msgid(shared_sim.ledger(), got["medins_setl_id"])["status"] == "settled"


def test_reversing_a_refund_whose_money_was_spent_again_is_refused(shared_sim, pc):
    psn = "3201000000000004"   # 12.34 in the account: one sale empties it
    who, got = sale(pc, shared_sim, psn)
    assert got["acct_pay"] == D("12.34") and balc(shared_sim, psn) == D("0.00")
    env = pc.envelope("2103", {"data": {"setl_id": got["setl_id"], "mdtrt_id": got["mdtrt_id"], "psn_no": psn}})
    pc.send(env)
    assert balc(shared_sim, psn) == D("12.34")
    sale(pc, shared_sim, psn)                                    # the refunded money is spent again
    assert balc(shared_sim, psn) == D("0.00")
    with pytest.raises(PlatformRefused, match="余额不足"):
        reverse(pc, who, env["msgid"], "2103")                   # an account never goes negative
    assert balc(shared_sim, psn) == D("0.00")
    ledger = shared_sim.ledger()
    assert by_msgid(ledger, got["medins_setl_id"])["status"] == "refunded"
    assert next(r for r in ledger["refunds"] if r["msgid"] == env["msgid"])["status"] == "refunded"
