"""Code classification before anything is sent, and the per-sale memo of codes already answered."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from terminal.codes import MAX_LENGTH, CodeRejected, SeenCodes, classify

EC_LIKE = "1" + "2" * 27  # the sim's shape: 28 digits, first 1-9


@pytest.mark.parametrize("text, reason, words", [
    ("134567890123456789", "wechat_pay", "微信付款码"),          # 18 digits, 13
    ("104567890123456789", "wechat_pay", "微信付款码"),          # 10 is the lowest prefix
    ("154567890123456789", "wechat_pay", "微信付款码"),          # 15 the highest
    ("2812345678901234", "alipay", "支付宝付款码"),              # 16 digits
    ("251234567890123456789012", "alipay", "支付宝付款码"),      # 24 digits
    ("301234567890123456", "alipay", "支付宝付款码"),
    ("6212345678901234567", "unionpay", "银联"),                 # 19 digits, 62
    ("https://qr.alipay.com/fkx1234", "url", "网址"),
    ("HTTP://WEIXIN.QQ.COM/r/abc", "url", "网址"),
    ("weixin://wxpay/bizpayurl?pr=abc", "url", "网址"),
    ("www.example.com/x", "url", "网址"),
    ("", "empty", "未读到"),
    ("  \r\n", "empty", "未读到"),
    ("1" * (MAX_LENGTH + 1), "too_long", "过长"),
    ("1234\x00567", "control_chars", "控制字符"),
    ("12\x1b[31m34", "control_chars", "控制字符"),
])
def test_not_a_medical_insurance_code_is_rejected_with_the_reason(text, reason, words):
    with pytest.raises(CodeRejected) as ei:
        classify(text)
    e = ei.value
    assert e.reason == reason
    assert e.message.startswith("请出示医保码")
    assert words in e.message
    assert e.exit_code == 2


@pytest.mark.parametrize("text", [
    EC_LIKE,
    "164567890123456789",        # 18 digits but 16: not a WeChat prefix
    "13456789012345678",         # 17 digits
    "1345678901234567890",       # 19 digits starting 13
    "311234567890123456",        # 31: past Alipay's range
    "2412345678901234",          # 24: before it
    "62123456789012345678",      # 20 digits starting 62
    "621234567890123456",        # 18 digits starting 62
    "2812345678901234567890123", # 25 digits: longer than Alipay's
    "ECQR:abc-123_XYZ",          # unknown formats go to the service
    "医保码测试",
    "1" * MAX_LENGTH,
])
def test_what_cannot_be_proven_wrong_goes_to_the_service(text):
    assert classify(text) == text


def test_scanner_terminators_and_padding_are_not_content():
    assert classify(f"  {EC_LIKE}\r\n") == EC_LIKE
    assert classify(f"\ufeff{EC_LIKE}\t") == EC_LIKE


def test_a_wechat_code_with_a_terminator_is_still_a_wechat_code():
    with pytest.raises(CodeRejected, match="微信付款码"):
        classify("134567890123456789\r")


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=600), st.from_regex(r"[0-9]{14,30}", fullmatch=True), st.none(),
                 st.binary(max_size=40), st.integers()))
def test_classify_never_crashes_and_only_passes_plausible_text(text):
    try:
        out = classify(text)
    except CodeRejected as e:
        assert e.message.startswith("请出示医保码：")
        return
    assert isinstance(out, str) and out == out.strip() and 0 < len(out) <= MAX_LENGTH
    assert not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in out)
    assert not re.fullmatch(r"1[0-5]\d{16}|(2[5-9]|30)\d{14,22}|62\d{17}", out)
    assert not re.match(r"(?i)https?://", out)


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


def test_seen_codes_returns_the_earlier_result_within_the_lifetime_only():
    clock = Clock()
    seen = SeenCodes(lifetime=60, clock=clock)
    assert seen.get(EC_LIKE) is None and EC_LIKE not in seen
    seen.remember(EC_LIKE, "cred-1")
    clock.t += 59.9
    assert seen.get(EC_LIKE) == "cred-1" and len(seen) == 1
    assert seen.get("9" * 28) is None
    clock.t += 0.1
    assert seen.get(EC_LIKE) is None and len(seen) == 0
    seen.remember(EC_LIKE, "cred-2")
    seen.clear()
    assert EC_LIKE not in seen


def test_seen_codes_keeps_no_code_text():
    seen = SeenCodes()
    seen.remember(EC_LIKE, "x")
    assert EC_LIKE not in repr(vars(seen))


def test_full_width_digits_from_an_ime_are_the_same_code():
    from terminal.codes import CodeRejected, classify
    assert classify("１２３４５６７８９０１２３４５６７８９０１２３４５６７８") == "1234567890123456789012345678"
    with pytest.raises(CodeRejected) as e:
        classify("１３４５６７８９０１２３４５６７８９")  # a WeChat payment code typed full-width
    assert e.value.reason == "wechat_pay"
    assert classify("\xa0\u3000123456789012345678901234567８\ufeff\r\n") == "1234567890123456789012345678"
