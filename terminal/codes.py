"""Classify a scanned code before anything is sent, and remember codes already used in a sale.

The 医保码's own format is not public, so only what can be proven *not* to be one is rejected here:
payment codes with published shapes, URLs, empty, over-long, control characters. Everything else goes to
the credential service, which has the last word (500159 for anything it does not recognise).
"""
from __future__ import annotations

import hashlib
import re
import time
import unicodedata
from typing import Any, Callable

from terminal.errors import EcposError

MAX_LENGTH = 512

# Published payment-code shapes (cashier SDKs and acquirers' docs agree on these):
_WECHAT = re.compile(r"1[0-5][0-9]{16}")              # WeChat Pay 付款码: 18 digits, 10-15
_ALIPAY = re.compile(r"(2[5-9]|30)[0-9]{14,22}")      # Alipay 付款码: 16-24 digits, 25-30
_UNIONPAY = re.compile(r"62[0-9]{17}")                # UnionPay QR 付款码 (云闪付 and banks): 19 digits, 62
_URL = re.compile(r"(?i)^(?:[a-z][a-z0-9+.\-]{1,15}://|www\.)")
# 药品追溯码: 20 digits starting with 8 on a linear barcode on each drug box (the tracing platform drops any
# other shape), the first 7 the product's 药品标识码 (sources in tests/terminal/test_trace.py). No payment code
# above starts with 8, so such a scan is a box, never a patient's code.
TRACE = re.compile(r"8[0-9]{19}")

_ASK = "请出示医保码："
# A keyboard wedge typing while a Chinese IME is in full-width mode gives "１２３": the same code.
_HALF_WIDTH = {0xFF01 + i: 0x21 + i for i in range(0x5E)}


class CodeRejected(EcposError):
    """What was scanned is certainly not a 医保码; `reason` is a short English tag for logs."""

    key = "code_rejected"
    exit_code = 2

    def __init__(self, why_zh: str, reason: str):
        super().__init__(_ASK + why_zh, detail=reason)
        self.reason = reason


def classify(text: str | None) -> str:
    """The cleaned code text, or CodeRejected saying why it cannot be a 医保码."""
    if text is None:
        raise CodeRejected("未读到内容，请患者打开医保码后重新扫码", "empty")
    if not isinstance(text, str):
        raise CodeRejected("扫码内容无法识别，请患者打开医保码后重新扫码", "not_text")
    # scanners end a code with CR/LF, keyboard wedges sometimes add spaces (any Unicode space, a BOM):
    # those are not content
    code = text.translate(_HALF_WIDTH).replace("\ufeff", "").strip()
    if not code:
        raise CodeRejected("未读到内容，请患者打开医保码后重新扫码", "empty")
    if len(code) > MAX_LENGTH:
        raise CodeRejected(f"扫码内容过长（{len(code)}个字符），不是医保码，请患者打开医保码", "too_long")
    if any(unicodedata.category(ch) == "Cc" for ch in code):
        raise CodeRejected("扫码内容含有控制字符，可能扫码枪设置有误或扫错了码，请重新扫描医保码", "control_chars")
    if any(unicodedata.category(ch) == "Cs" for ch in code):  # half a surrogate pair: cannot be sent
        raise CodeRejected("扫码内容无法识别，请患者打开医保码后重新扫码", "not_text")
    if _URL.match(code):
        raise CodeRejected("这是一个网址二维码，不是医保码，请患者打开医保码", "url")
    if _WECHAT.fullmatch(code):
        raise CodeRejected("这是微信付款码，请患者打开医保码", "wechat_pay")
    if _ALIPAY.fullmatch(code):
        raise CodeRejected("这是支付宝付款码，请患者打开医保码", "alipay")
    if _UNIONPAY.fullmatch(code):
        raise CodeRejected("这是银联（云闪付）付款码，请患者打开医保码", "unionpay")
    if TRACE.fullmatch(code):
        raise CodeRejected("这是药盒上的药品追溯码，不是医保码，请患者打开医保码", "trace_code")
    return code


def trace_code(text: str | None) -> str | None:
    """The cleaned 20-digit 药品追溯码 when the scan is one (and not a payment code), else None."""
    if not isinstance(text, str):
        return None
    code = text.translate(_HALF_WIDTH).replace("\ufeff", "").strip()
    return code if TRACE.fullmatch(code) else None


def item_barcode(text: str | None) -> str | None:
    """The EAN-13 of a drug box when that is what was scanned (13 digits, GS1 check digit right), else None:
    the same scan box or wedge reads both, a 医保码 starts the patient and a barcode adds the item."""
    code = (text or "").translate(_HALF_WIDTH).strip()
    if len(code) != 13 or not code.isdigit():
        return None
    odd_even = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(code[:12]))
    return code if (10 - odd_even % 10) % 10 == int(code[12]) else None


class SeenCodes:
    """A per-sale memo: a code scanned again within its lifetime gets the earlier result, not a resend.

    Codes are kept as SHA-256 digests only (a 医保码 is never stored), in memory, for `lifetime` seconds.
    """

    def __init__(self, lifetime: float = 60.0, clock: Callable[[], float] = time.monotonic):
        self.lifetime = lifetime
        self._clock = clock
        self._seen: dict[bytes, tuple[float, Any]] = {}

    @staticmethod
    def _key(code: str) -> bytes:
        return hashlib.sha256(code.encode("utf-8", "surrogatepass")).digest()

    def _prune(self, now: float) -> None:
        for k in [k for k, (at, _) in self._seen.items() if now - at >= self.lifetime]:
            del self._seen[k]

    def get(self, code: str) -> Any | None:
        """The remembered result for this code, or None when unseen or expired."""
        now = self._clock()
        self._prune(now)
        hit = self._seen.get(self._key(code))
        return hit[1] if hit else None

    def __contains__(self, code: str) -> bool:
        return self.get(code) is not None

    def remember(self, code: str, result: Any) -> None:
        """Remember the result of a code sent now."""
        now = self._clock()
        self._prune(now)
        self._seen[self._key(code)] = (now, result)

    def clear(self) -> None:
        """Forget everything (the sale is over)."""
        self._seen.clear()

    def __len__(self) -> int:
        self._prune(self._clock())
        return len(self._seen)
