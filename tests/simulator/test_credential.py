"""The credential service (ec.query) and 1162: codes are 28 digits, single use, expire on the service clock."""
import json
import subprocess
import sys
import urllib.error

import pytest
import requests

from terminal.errors import PlatformRefused

PATH = "/localcfc/api/hsecfc/localQrCodeQuery"


def ec_query(sim, code, **data):
    body = {"orgId": "P32010200001", "transType": "ec.query",
            "data": {"orgId": "P32010200001", "businessType": "02121", "operatorId": "0001",
                     "operatorName": "收银员", "officeId": "YF01", "officeName": "药房", "deviceType": "",
                     "ecQrCode": code, **data}, "extra": {}}
    return requests.post(sim.url + PATH, json=body, timeout=5).json()


def test_a_code_decodes_once_into_the_credential(shared_sim):
    code = shared_sim.code("3201000000000001")
    assert len(code) == 28 and code.isdigit() and code[0] in "123456789"
    ans = ec_query(shared_sim, code)
    assert (ans["code"], ans["message"], ans["extra"]) == (0, "成功", {})
    d = ans["data"]
    assert d["idNo"] == "320102198001011238" and d["userName"] == "张伟" and d["insuOrg"] == "320100"
    assert d["ecToken"][:8] == "320100ec" and len(d["ecToken"]) == 38
    assert d["ecToken"][8:].isalnum() and d["ecToken"][8:] == d["ecToken"][8:].lower()
    assert len(d["ecIndexNo"]) == 32 and int(d["ecIndexNo"], 16) >= 0
    assert {"gender", "birthday", "nationality", "email", "idType"} <= set(d)
    again = ec_query(shared_sim, code)
    assert again == {"code": 500161, "message": "电子凭证二维码已使用，请刷新后重新出示", "data": None,
                     "extra": {}}


def test_two_codes_for_one_person_differ_and_both_work(shared_sim):
    a, b = shared_sim.code("3201000000000002"), shared_sim.code("3201000000000002")
    assert a != b
    assert ec_query(shared_sim, b)["code"] == 0 and ec_query(shared_sim, a)["code"] == 0


@pytest.mark.parametrize("text", [
    "134567890123456789",             # WeChat Pay payment code: 18 digits starting 10-15
    "2812345678901234567",            # Alipay: 16-24 digits starting 25-30
    "6212345678901234567",            # UnionPay QR payment code
    "https://example.com/pay?x=1",    # a URL
    "hello",                          # garbage
    "0123456789012345678901234567",   # 28 digits but a leading 0
    "",
])
def test_things_that_are_not_our_codes(shared_sim, text):
    assert ec_query(shared_sim, text)["code"] == 500159


def test_well_formed_but_never_issued(shared_sim):
    ans = ec_query(shared_sim, "9" * 28)
    assert (ans["code"], ans["message"], ans["data"]) == (500162, "无效的电子凭证二维码", None)


@pytest.mark.parametrize("status,code,message", [
    ("not_activated", 500170, "医保电子凭证未激活，请先激活后使用"),
    ("no_insurance", 500171, "已激活但未查询到有效参保记录"),
])
def test_persons_who_cannot_use_their_credential(shared_sim, status, code, message):
    c = shared_sim.code(shared_sim.person(status)["psn_no"])
    assert ec_query(shared_sim, c) == {"code": code, "message": message, "data": None, "extra": {}}
    assert ec_query(shared_sim, c)["code"] == 500161  # spent all the same


def test_family_holder_shows_a_members_code(shared_sim):
    holder = next(p for p in shared_sim.persons() if (p["family"] or {}).get("role") == "holder")
    member = holder["family"]["members"][1]
    ans = ec_query(shared_sim, shared_sim.code(member["psn_no"], by=holder["psn_no"]))
    assert ans["code"] == 0 and ans["data"]["userName"] == "刘子涵"
    assert ans["extra"]["familyAccount"] == {"holderName": "刘洋", "relation": "子女"}
    own = ec_query(shared_sim, shared_sim.code(member["psn_no"]))
    assert own["code"] == 0 and own["extra"] == {}
    with pytest.raises(urllib.error.HTTPError):
        shared_sim.code("3201000000000001", by=holder["psn_no"])   # not in that family


def test_data_as_json_string_setting(sim):
    sim.settings(ec_data_as_string=True)
    ans = ec_query(sim, sim.code("3201000000000001"))
    assert isinstance(ans["data"], str) and json.loads(ans["data"])["userName"] == "张伟"


def test_code_expires_on_the_service_clock_and_token_outlives_it_by_ten_minutes(sim, make_cfg):
    from tests.simulator.helpers import signed_in
    pc = signed_in(make_cfg())
    late = sim.code("3201000000000001")
    sim.advance(61)
    assert ec_query(sim, late) == {"code": 500160, "message": "电子凭证二维码已过期，请刷新后重新出示",
                                   "data": None, "extra": {}}
    fresh = sim.code("3201000000000001")
    sim.advance(59)
    token = ec_query(sim, fresh)["data"]["ecToken"]
    person = {"data": {"mdtrt_cert_type": "01", "mdtrt_cert_no": token}}
    sim.advance(600)   # 59 + 600 s after issue: within 60 + 600
    assert pc.call("1101", person)["baseinfo"]["psn_no"] == "3201000000000001"
    sim.advance(2)
    with pytest.raises(PlatformRefused, match="已失效"):
        pc.call("1101", person)


def test_code_ttl_option(sim_factory):
    s = sim_factory(code_ttl=5)
    try:
        c = s.code("3201000000000001")
        s.advance(6)
        assert ec_query(s, c)["code"] == 500160
    finally:
        s.stop()


def test_1162_decodes_like_ec_query_and_refuses_with_the_same_messages(shared_sim, pc):
    code = shared_sim.code("3201000000000008", by="3201000000000005")
    out = pc.call("1162", {"data": {"ecQrCode": code, "businessType": "02121"}})
    assert out["data"]["userName"] == "刘子墨" and out["extra"]["familyAccount"]["relation"] == "子女"
    for text, msg in ((code, "电子凭证二维码已使用，请刷新后重新出示"), ("134567890123456789", "请使用医保电子凭证二维码"),
                      ("1" * 28, "无效的电子凭证二维码")):
        with pytest.raises(PlatformRefused) as e:
            pc.call("1162", {"data": {"ecQrCode": text, "businessType": "02121"}})
        assert e.value.err_msg == msg
    c = shared_sim.code(shared_sim.person("not_activated")["psn_no"])
    with pytest.raises(PlatformRefused, match="未激活"):
        pc.call("1162", {"data": {"ecQrCode": c, "businessType": "02121"}})
    assert ec_query(shared_sim, c)["code"] == 500161


def test_sim_code_command_writes_the_db_a_running_server_reads(shared_sim, tmp_path):
    png = tmp_path / "code.png"
    out = subprocess.run([sys.executable, "-m", "ecpos", "sim", "code", "3201000000000007", "--by",
                          "3201000000000005", "--db", str(shared_sim.db), "--png", str(png)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    code = out.stdout.strip()
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    ans = ec_query(shared_sim, code)
    assert ans["code"] == 0 and ans["extra"]["familyAccount"]["holderName"] == "刘洋"
    bad = subprocess.run([sys.executable, "-m", "ecpos", "sim", "code", "3201009999999999", "--url",
                          shared_sim.url], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "unknown psn_no" in bad.stderr


def test_decoded_png_carries_the_code(shared_sim, tmp_path):
    zxingcpp = pytest.importorskip("zxingcpp")
    cv2 = pytest.importorskip("cv2")
    png = tmp_path / "c.png"
    out = subprocess.run([sys.executable, "-m", "ecpos", "sim", "code", "3201000000000001", "--url",
                          shared_sim.url, "--png", str(png)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert [r.text for r in zxingcpp.read_barcodes(cv2.imread(str(png)))] == [out.stdout.strip()]
