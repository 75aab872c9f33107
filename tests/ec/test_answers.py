"""Answer parsing (object or JSON-string data, family accounts, every code), library answer decoding, bitness."""
from __future__ import annotations

import json
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from terminal.ec import Credential, CredentialError, CredentialUnavailable, parse_answer
from terminal.ec.binfmt import NotALibrary, interpreter_bits, library_bits
from terminal.ec.credential import GUIDANCE
from terminal.ec.decode1162 import code_for
from terminal.ec.library import decode_answer, encode_request

FIELDS = {"ecToken": "320100ec" + "a1b2c3d4e5" * 3, "idNo": "320102198001011238", "idType": "01",
          "userName": "欧阳娜娜", "insuOrg": "320100", "ecIndexNo": "0f" * 16, "gender": "2",
          "birthday": "1980-01-01", "nationality": "CHN", "email": ""}

SERVICE_CODES = {
    "500159": "请使用医保电子凭证二维码", "500160": "电子凭证二维码已过期，请刷新后重新出示",
    "500161": "电子凭证二维码已使用，请刷新后重新出示", "500162": "无效的电子凭证二维码",
    "500170": "医保电子凭证未激活，请先激活后使用", "500171": "已激活但未查询到有效参保记录",
    "500100": "系统繁忙，请稍后重试",
}
# Only 500159 is a documented code; the others are the simulator's inventions (simulator/README.md), so the
# client tells them apart by their words, never by the number.
SITUATION = {"500159": "not_ec_code", "500160": "expired", "500161": "used", "500162": "invalid",
             "500170": "not_activated", "500171": "no_insurance", "500100": "busy"}


@pytest.mark.parametrize("as_string", [False, True])
def test_data_as_object_or_json_string_gives_the_same_credential(as_string):
    data = json.dumps(FIELDS, ensure_ascii=False) if as_string else FIELDS
    cred = parse_answer({"code": 0, "message": "成功", "data": data, "extra": {}})
    assert cred == Credential(ec_token=FIELDS["ecToken"], id_no=FIELDS["idNo"], id_type="01", user_name="欧阳娜娜",
                              insu_org="320100", ec_index_no="0f" * 16, gender="2", birthday="1980-01-01")
    assert cred.masked_id == "3201**********1238" and cred.masked_name == "欧***"
    assert "欧阳娜娜" not in repr(cred) and FIELDS["idNo"] not in repr(cred)  # safe to log by accident
    assert not cred.is_family


def test_family_account_holder_is_masked_and_relation_kept():
    cred = parse_answer({"code": "0", "message": "成功", "data": FIELDS,
                         "extra": {"familyAccount": {"holderName": "刘洋", "relation": "子女"}}})
    assert cred.family_holder == "刘*" and cred.family_relation == "子女" and cred.is_family
    shown = cred.display()
    assert shown["familyHolder"] == "刘*" and shown["userName"] == "欧***" and "idNo" in shown
    assert "刘洋" not in json.dumps(shown, ensure_ascii=False)


@pytest.mark.parametrize("code", sorted(SERVICE_CODES))
@pytest.mark.parametrize("as_text", [False, True])
def test_every_service_code_becomes_a_typed_error_with_what_to_do(code, as_text):
    answer = {"code": code if as_text else int(code), "message": SERVICE_CODES[code], "data": None}
    with pytest.raises(CredentialError) as ei:
        parse_answer(answer)
    e = ei.value
    assert e.code == code and e.service_message == SERVICE_CODES[code]
    assert e.situation == SITUATION[code] and e.exit_code == 4
    assert e.message.startswith(GUIDANCE[SITUATION[code]]) and SERVICE_CODES[code] in e.message
    assert e.activation_guide is (code in ("500170", "500171"))
    if e.activation_guide:
        assert all(w in e.message for w in ("国家医保服务平台APP", "微信", "支付宝", "银行APP"))
    if code == "500170":
        assert "先激活后缴费" in e.message


def test_an_unknown_code_keeps_the_service_message_for_the_cashier():
    with pytest.raises(CredentialError) as ei:
        parse_answer({"code": 599999, "message": "新的错误", "data": None})
    assert ei.value.code == "599999" and "新的错误" in ei.value.message and not ei.value.activation_guide


@pytest.mark.parametrize("code", ["-1", "-3", "-4", "-5"])
def test_library_transport_codes_mean_unavailable_exit_3(code):
    with pytest.raises(CredentialUnavailable) as ei:
        parse_answer({"code": int(code), "message": "x", "data": None, "extra": {"detail": "connect refused"}})
    assert ei.value.exit_code == 3 and ei.value.code == code and "connect refused" in ei.value.detail


def test_scan_cancelled_says_scan_again():
    with pytest.raises(CredentialError) as ei:
        parse_answer({"code": -2, "message": "扫码已取消/超时", "data": None})
    assert "重新扫码" in ei.value.message and ei.value.exit_code == 4


@pytest.mark.parametrize("answer", [
    None, [], "not json", '{"code": 0', {"message": "no code"}, {"code": 0, "data": None},
    {"code": 0, "data": "[1,2]"}, {"code": 0, "data": {"userName": "张三"}}, {"code": 0, "data": "{bad"},
])
def test_malformed_success_answers_are_unavailable_not_crashes(answer):
    with pytest.raises(CredentialUnavailable):
        parse_answer(answer)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=20)
answers = st.fixed_dictionaries(
    {"code": st.one_of(st.just(0), st.just("0"), st.integers(), st.text(max_size=8), st.none(), json_values)},
    optional={"message": json_values,
              "data": st.one_of(json_values, st.dictionaries(st.sampled_from(sorted(FIELDS)), json_values),
                                st.builds(json.dumps, st.dictionaries(st.sampled_from(sorted(FIELDS)), json_values))),
              "extra": st.one_of(json_values, st.fixed_dictionaries({"familyAccount": json_values}))})


@settings(max_examples=400, deadline=None)
@given(st.one_of(answers, json_values, st.text(max_size=60)))
def test_parse_answer_never_crashes(answer):
    try:
        cred = parse_answer(answer)
    except CredentialError as e:
        assert e.message and e.code
        return
    assert isinstance(cred, Credential) and cred.ec_token


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=64), st.binary(max_size=300))
def test_decode_answer_never_crashes_and_always_gives_an_answer_dict(status, raw):
    out = decode_answer(status, raw, "gbk")
    assert isinstance(out, dict) and "code" in out
    try:
        parse_answer(out)
    except CredentialError:
        pass


def test_failure_status_with_a_success_body_is_not_trusted():
    body = json.dumps({"code": 0, "data": FIELDS}, ensure_ascii=False).encode("gbk")
    assert decode_answer(b"1005", body, "gbk")["code"] == -4
    assert decode_answer(b"0000", body, "gbk")["data"]["userName"] == "欧阳娜娜"


def test_request_encoding_falls_back_to_escapes_for_characters_gbk_lacks():
    assert "王".encode("gbk") in encode_request({"n": "王"}, "gbk")
    raw = encode_request({"n": "𠮷野"}, "gbk")
    assert json.loads(raw.decode("gbk")) == {"n": "𠮷野"}


@pytest.mark.parametrize("message, code", [
    ("请使用医保电子凭证二维码", "500159"), ("电子凭证二维码已过期，请刷新后重新出示", "1162"), ("未知错误", "1162"),
    ("错误500161：已使用", "500161"), ("请使用医保电子凭证二维码（500159）", "500159")])
def test_1162_refusals_name_only_documented_or_stated_codes(message, code):
    assert code_for(message) == code


def test_an_invented_code_is_classified_by_its_words_not_its_number():
    # The same invented number with other words means what the words say; the number alone means nothing.
    with pytest.raises(CredentialError) as ei:
        parse_answer({"code": 500170, "message": "二维码已过期", "data": None})
    assert ei.value.situation == "expired" and not ei.value.activation_guide
    with pytest.raises(CredentialError) as ei:
        parse_answer({"code": 500170, "message": "其他", "data": None})
    assert ei.value.situation == "" and not ei.value.activation_guide and "500170" in ei.value.message


def _pe(machine: int) -> bytes:
    head = bytearray(0x80)
    head[:2] = b"MZ"
    struct.pack_into("<I", head, 0x3C, 0x40)
    head[0x40:0x44] = b"PE\0\0"
    struct.pack_into("<H", head, 0x44, machine)
    return bytes(head)


@pytest.mark.parametrize("blob, bits", [
    (b"\x7fELF\x01" + b"\0" * 60, 32), (b"\x7fELF\x02" + b"\0" * 60, 64),
    (_pe(0x014C), 32), (_pe(0x8664), 64), (b"\xcf\xfa\xed\xfe" + b"\0" * 60, 64),
])
def test_bitness_is_read_from_the_header(tmp_path, blob, bits):
    f = tmp_path / "lib"
    f.write_bytes(blob)
    assert library_bits(f) == bits


@pytest.mark.parametrize("blob", [b"", b"hello world" * 8, b"\x7fELF\x07" + b"\0" * 60, _pe(0x1234)])
def test_unreadable_headers_are_named(tmp_path, blob):
    f = tmp_path / "lib"
    f.write_bytes(blob)
    with pytest.raises(NotALibrary):
        library_bits(f)


def test_reference_builds_have_the_bitness_their_folder_says(lib64):
    assert library_bits(lib64) == 64 == interpreter_bits()
