"""9001/9002 sign-in, 1101 person lookup, and the envelope checks every transaction goes through."""
import pytest

from terminal.errors import PlatformRefused
from terminal.wire.platform import PlatformClient
from tests.simulator.helpers import drug_input, identify, signed_in


def test_sign_in_and_out(cfg):
    pc = signed_in(cfg)
    assert len(pc.sign_no) == 20 and pc.sign_no.isdigit()
    pc.call("9002", {"signOut": {"sign_no": pc.sign_no, "opter_no": "0001"}})
    with pytest.raises(PlatformRefused, match="已签退"):
        pc.call("9002", {"signOut": {"sign_no": pc.sign_no, "opter_no": "0001"}})


def test_business_transactions_need_a_live_sign_no(shared_sim, cfg):
    pc = signed_in(cfg)
    who = identify(pc, shared_sim, "3201000000000001")
    fresh = PlatformClient(cfg)   # never signed in: 1162 and 1101 work, 2101 does not
    assert identify(fresh, shared_sim, "3201000000000001")["psn_no"] == who["psn_no"]
    env = fresh.envelope("2101", drug_input(who))
    with pytest.raises(PlatformRefused, match="请先签到"):
        fresh.send(env)
    pc.call("9002", {"signOut": {"sign_no": pc.sign_no, "opter_no": "0001"}})
    with pytest.raises(PlatformRefused, match="请先签到"):
        pc.call("2101", drug_input(who))
    # The refusal was not stored: the same msgid goes through once signed in.
    fresh.sign_no = signed_in(cfg).sign_no
    assert fresh.send(dict(env, sign_no=fresh.sign_no))["output"]["setlinfo"]["mdtrt_id"]


def test_1101_by_ec_token_and_by_id_card(shared_sim, pc):
    who = identify(pc, shared_sim, "3201000000000001")
    base, insu = who["base"], who["insu"]
    assert (base["psn_no"], base["psn_name"], base["certno"], base["gend"], base["brdy"]) == \
        ("3201000000000001", "张伟", "320102198001011238", "1", "1980-01-01")
    assert (insu["insutype"], insu["psn_insu_stas"], insu["insuplc_admdvs"]) == ("310", "1", "320100")
    assert isinstance(base["age"], int) and base["age"] >= 45
    by_id = pc.call("1101", {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": "320102198001011238",
                                      "psn_cert_type": "01", "certno": "320102198001011238"}})
    assert by_id["baseinfo"]["psn_no"] == "3201000000000001"


def test_1101_refusals(shared_sim, pc):
    cases = [({"mdtrt_cert_type": "01", "mdtrt_cert_no": "320100ec" + "x" * 30}, "无效的电子凭证令牌"),
             ({"mdtrt_cert_type": "02", "mdtrt_cert_no": "110101199001011234"}, "未查询到该人员信息"),
             ({"mdtrt_cert_type": "02", "mdtrt_cert_no": "320102199509091624"}, "未查询到该人员有效参保信息"),
             ({"mdtrt_cert_type": "09", "mdtrt_cert_no": "x"}, "mdtrt_cert_type"),
             ({"mdtrt_cert_no": "x"}, "data.mdtrt_cert_type 不能为空")]
    for data, msg in cases:
        with pytest.raises(PlatformRefused, match=msg):
            pc.call("1101", {"data": data})


def test_not_activated_person_is_found_by_id_card(pc):
    out = pc.call("1101", {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": "320102199005050116"}})
    assert out["baseinfo"]["psn_no"] == "3201000000000011" and out["insuinfo"][0]["balc"] == 300


def test_envelope_errors_are_refused_and_not_stored(pc):
    env = pc.envelope("9001", {"signIn": {"opter_no": "0001", "mac": "00-00-00-00-00-00", "ip": "127.0.0.1"}})
    for bad, msg in ((dict(env, infno="9999"), "交易编号\\[9999\\]不存在"),
                     (dict(env, msgid="123"), "msgid"),
                     (dict(env, msgid="X" * 12 + env["msgid"][12:]), "msgid"),
                     (dict(env, fixmedins_code=""), "fixmedins_code"),
                     (dict(env, input=None), "input")):
        with pytest.raises(PlatformRefused, match=msg):
            pc.send(bad)
    assert pc.send(env)["output"]["signinoutb"]["sign_no"]


def test_answer_envelope_shape(pc):
    ans = pc.send(pc.envelope("9001", {"signIn": {"opter_no": "0001", "mac": "00-00-00-00-00-00", "ip": "127.0.0.1"}}))
    assert ans["infcode"] == 0 and ans["err_msg"] == ""
    assert len(ans["inf_refmsgid"]) == 30 and ans["inf_refmsgid"].isdigit()
    assert len(ans["respond_time"]) == 17 and len(ans["refmsg_time"]) == 17
