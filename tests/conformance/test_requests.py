"""Requests against the strict reference service: public samples pass, the client's own pass, and requests
that break the specification are refused naming the field (so the check can fail)."""
from __future__ import annotations

import copy
import json

import pytest

from simulator import checker
from terminal.counter import Counter
from terminal.errors import PlatformRefused
from tests.conformance.helpers import load, names
from tests.engine.helpers import ecpos, items_file
from tests.simulator.helpers import identify, signed_in

NATIONAL = checker.load("national")


@pytest.mark.parametrize("name", names("requests"))
def test_public_request_samples_pass_the_schema(name):
    # The schema is our transcription; real requests must pass it, or the transcription is wrong.
    assert checker.check(NATIONAL, load(name)) == ""


def test_a_2207_without_what_it_needs_is_refused_naming_the_field():
    for field in ("psn_setlway", "inscp_scp_amt"):
        env = load("requests/2207_openhis.json")
        del env["input"]["data"][field]
        assert f"{field} 不能为空" in checker.check(NATIONAL, env)
    env = load("requests/2207_openhis.json")
    env["input"]["data"]["medfee_sumamt"] = "四块五"
    assert "medfee_sumamt 格式错误：应为数值" in checker.check(NATIONAL, env)


@pytest.mark.parametrize("mutate, words", [
    (lambda d: d.update(psn_setlway="03"), "psn_setlway 值[03]不在字典psn_setlway中"),
    (lambda d: d.update(medfee_sumamt="4.521"), "medfee_sumamt 格式错误：最多2位小数"),
    (lambda d: d.update(acct_used_flag="01"), "acct_used_flag 长度超过1"),   # as a public C# test form sent it
    (lambda d: d.update(psn_setl_way="01"), "psn_setl_way 不是节点data的字段"),
])
def test_what_no_platform_was_seen_to_refuse_is_warned_of_naming_the_field(mutate, words):
    # A platform took vali_flag "01" (outside the specification's dictionary) and fields its tables lack
    # (samples/accepted), so a value the table would not allow is named in warn_msg, not refused.
    env = load("requests/2207_openhis.json")
    mutate(env["input"]["data"])
    assert checker.check(NATIONAL, env) == ""
    assert any(words in w for w in checker.warnings(NATIONAL, env)), checker.warnings(NATIONAL, env)


def test_a_field_the_node_does_not_hold_is_warned_of_not_refused():
    # Live platforms took requests with fields their tables lack (tests/conformance/samples/accepted): the
    # service names them (warn_msg) and never refuses, so it is no stricter than a platform.
    env = load("requests/2207_openhis.json")
    env["input"]["data"]["psn_setl_way"] = "01"
    assert checker.check(NATIONAL, env) == ""
    assert checker.warnings(NATIONAL, env) == ["input.data.psn_setl_way 不是节点data的字段"]


def test_wrong_shapes_are_refused():
    env = load("requests/2204_openhis.json")
    env["input"]["feedetail"] = "[]"
    assert "feedetail 节点格式错误：应为数组或对象" in checker.check(NATIONAL, env)
    env = load("requests/2207_openhis.json")
    env["input"]["data"] = [env["input"]["data"]]
    assert "data 节点格式错误：应为对象" in checker.check(NATIONAL, env)


def test_the_running_service_refuses_a_2206_without_psn_setlway(shared_sim, cfg):
    pc = signed_in(cfg)
    who = identify(pc, shared_sim, "3201000000000016")
    data = {"psn_no": who["psn_no"], "mdtrt_cert_type": "01", "mdtrt_cert_no": who["token"], "med_type": "11",
            "medfee_sumamt": "10.00", "mdtrt_id": "1", "chrg_bchno": "0001", "insutype": who["insu"]["insutype"],
            "acct_used_flag": "1"}
    with pytest.raises(PlatformRefused, match=r"psn_setlway 不能为空（个人结算方式）"):
        pc.call("2206", {"data": data})
    # The old misspelling beside the right field: not refused for it (a platform ignores it), named in warn_msg.
    env = pc.envelope("2206", {"data": {**data, "psn_setl_way": "01", "psn_setlway": "01"}})
    answer = json.loads(pc.session.post(pc.url, data=json.dumps(env, ensure_ascii=False).encode(), timeout=5).content)
    assert answer["err_msg"] == "就诊ID[1]不存在"   # the handler's own refusal: the schema let it through
    assert answer["warn_msg"] == "input.data.psn_setl_way 不是节点data的字段"


@pytest.mark.parametrize("profile", ["pharmacy", "clinic"])
def test_ecpos_settle_sends_what_the_strict_service_accepts(sim, make_cfg, tmp_path, profile):
    cfg = make_cfg(profile, {"credential.adapter": "http"})
    person = sim.person("active", insutype="310")
    items = items_file(tmp_path, ("XJ01CAA040A001010100007", "阿莫西林胶囊", "2", "12.50"))
    r = ecpos(cfg, "settle", "--qr", sim.code(person["psn_no"]), "--items", str(items), "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["status"] == "settled"
    with Counter(cfg) as c:
        sent = c.journal.query("SELECT infno, state, request FROM requests ORDER BY sent_at")
    assert {s["state"] for s in sent} == {"ok"}, [(s["infno"], s["state"]) for s in sent]
    # Nothing the client sent is only warned of: no field a node lacks, no value outside a dictionary, too
    # long or with too many places.
    assert [checker.warnings(NATIONAL, json.loads(s["request"])) for s in sent] == [[] for _ in sent]
    req = {s["infno"]: json.loads(s["request"])["input"] for s in sent}
    if profile == "pharmacy":
        assert set(req["2102"]["druginfo"]) == set(req["2101"]["druginfo"]) and "psn_setlway" not in req["2102"]["druginfo"]
        assert req["2102"]["drugdetail"][0]["bilg_dr_codg"] and req["2102"]["drugdetail"][0]["fee_ocur_time"]
    else:
        assert req["2206"]["data"]["psn_setlway"] == "01"
        assert {"fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt"} <= set(req["2207"]["data"])
