"""A reference service no stricter than a platform: every public request a live platform took (answered with
success, or refused only on the business state) passes the service's router, receiver check and schema, for
its own channel and for the national reading. The samples and their sources: samples/accepted/ (each file
names its source and what the platform answered) and tests/conformance/README.md."""
from __future__ import annotations

import json

import pytest

from simulator import channel as sim_channel
from simulator import checker
from tests.conformance.helpers import SAMPLES, load

ACCEPTED = sorted(p.name for p in (SAMPLES / "accepted").glob("*.json"))


def test_there_are_accepted_samples():
    assert len(ACCEPTED) >= 13


@pytest.mark.parametrize("name", ACCEPTED)
def test_a_request_a_platform_took_passes_the_reference_service(name):
    sample = load(f"accepted/{name}")
    assert sample["source"] and sample["answered"]
    env, ch = sample["request"], sim_channel.load(sample["channel"])
    national, wrong = ch.national(sample["path"], env["infno"])
    assert wrong == ""
    assert ch.receiver(national) in ("", env["recer_sys_code"])
    if national == "2601":
        assert ch.original(env["input"]["data"]["oinfno"]) == ("2207", "")
    assert checker.check(checker.load(sample["channel"]), env, national) == ""
    assert checker.check(checker.load("national"), env, national) == ""


def test_the_zhejiang_router_refuses_what_the_platform_refused():
    # The harness posted 3201 to reverseService/revsMethod and the platform answered "未知交易编号".
    ch = sim_channel.load("zhejiang")
    assert "未知交易编号" in ch.national("/fsi/api/reverseService/revsMethod", "3201")[1]
    # 2207 where the platform takes 2207A, and a 2601 naming the national number of what went as 2207A.
    assert "未知交易编号" in ch.national("/fsi/api/outpatientSettleService/saveSettletmentA", "2207")[1]
    assert ch.original("2207")[0] == ""


def test_what_the_schema_still_refuses_is_a_missing_field_or_a_wrong_shape():
    sample = load("accepted/zhejiang_2207A.json")
    env = json.loads(json.dumps(sample["request"]))
    del env["input"]["data"]["psn_setlway"]
    assert "psn_setlway 不能为空" in checker.check(checker.load("zhejiang"), env, "2207")
    env = load("accepted/zhejiang_2203A.json")["request"]
    env["input"]["diseinfo"]["diag_time"] = "21/01/2022"
    assert "diag_time 格式错误" in checker.check(checker.load("zhejiang"), env, "2203")
