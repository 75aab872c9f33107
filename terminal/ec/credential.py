"""The credential an e-credential answer carries, its typed errors, and the answer parser."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from terminal.errors import EcposError
from terminal.masking import mask_id, mask_name

_CHANNELS = "国家医保服务平台APP、微信、支付宝或银行APP"

# What the cashier should do, by situation (wording after the bureaus' notices in shared/seeds).
GUIDANCE: dict[str, str] = {
    "not_ec_code": "请出示医保码：扫到的不是医保电子凭证二维码，请患者打开医保码（" + _CHANNELS + "）后重新扫码",
    "expired": "医保码已过期，请患者刷新医保码后重新扫码",
    "used": "医保码已使用过，请患者刷新医保码后重新出示",
    "invalid": "医保码无效，请患者刷新医保码后重新出示；仍不行请改用医保卡（社保卡）",
    "not_activated": "患者的医保电子凭证尚未激活。请先激活后缴费：引导患者通过" + _CHANNELS + "激活医保电子凭证后重新扫码",
    "no_insurance": "医保电子凭证已激活但未查询到有效参保记录：请患者在" + _CHANNELS + "中核对参保信息"
                    "（可能在外地参保或参保已中断），核对前可改用医保卡或按自费结算",
    "busy": "医保电子凭证服务繁忙，请稍后重新扫码",
    "scan_cancelled": "扫码已取消/超时，请患者出示医保码后重新扫码",
    "answer_too_long": "医保电子凭证服务应答异常（过长），请稍后重试；仍不行请联系信息科",
    "bad_request": "医保电子凭证请求无效，请联系信息科检查终端配置",
    "scanner": "扫码设备无法使用，请检查扫码盒连接后重试",
}
# Codes with a public meaning: 500159 (the decode service's refusal, PROTOCOL.md §2b) and -2 (scan
# cancelled); -5..-7 are the reference library's own ABI (simulator/libec/nationec.h). Any other service code
# (the simulator's 500160-500171 included: they are invented) is read by its message below.
CODES: dict[str, str] = {"500159": "not_ec_code", "-2": "scan_cancelled", "-5": "answer_too_long",
                         "-6": "bad_request", "-7": "scanner"}
# Words of a service message -> situation, first match wins (the messages the services are known to use).
MESSAGE_WORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("请使用医保电子凭证二维码",), "not_ec_code"),
    (("未激活",), "not_activated"),
    (("未查询到", "参保"), "no_insurance"),
    (("过期",), "expired"),
    (("已使用",), "used"),
    (("已被使用",), "used"),
    (("繁忙",), "busy"),
    (("无效",), "invalid"),
)
ACTIVATION = frozenset({"not_activated", "no_insurance"})
# The library's own codes for "no usable answer from the service": nothing to do but retry later.
UNAVAILABLE_CODES = frozenset({"-1", "-3", "-4", "-5"})
UNAVAILABLE_MESSAGE = "医保电子凭证服务暂时无法连接，请稍后重新扫码；急需时可改用医保卡（社保卡）"


def situation(code: str, service_message: str) -> str:
    """What a refusal means: by a documented code, else by the words of its message ("" when unknown)."""
    if code in CODES:
        return CODES[code]
    for words, what in MESSAGE_WORDS:
        if all(w in (service_message or "") for w in words):
            return what
    return ""


class CredentialError(EcposError):
    """The credential service (or library) said no: `code`, its `service_message`, what to do."""

    key = "credential_refused"
    exit_code = 4

    def __init__(self, code: Any, service_message: str = "", *, message: str | None = None,
                 detail: str = "", key: str | None = None):
        self.code = str(code)
        self.service_message = str(service_message or "")
        self.situation = situation(self.code, self.service_message)
        self.activation_guide = self.situation in ACTIVATION
        guide = GUIDANCE.get(self.situation, "")
        if guide and self.service_message and self.service_message not in guide:
            guide += f"（服务提示：{self.service_message}）"  # the service's own words reach the cashier too
        text = message or guide or (
            f"医保码核验未通过（{self.code}：{self.service_message or '无说明'}），"
            "请患者刷新医保码后重试；仍不行请改用医保卡（社保卡）")
        super().__init__(text, key=key, detail=detail or f"code={self.code}")


class CredentialUnavailable(CredentialError):
    """No usable answer (service down, timeout, garbage, bridge gone): nothing was decided; retry later."""

    key = "credential_unreachable"
    exit_code = 3

    def __init__(self, code: Any = "-1", service_message: str = "", *, detail: str = "", **kw):
        kw.setdefault("message", UNAVAILABLE_MESSAGE)
        super().__init__(code, service_message, detail=detail, **kw)


class LibraryLoadError(CredentialError):
    """The credential library cannot be used as configured (missing, wrong bitness, bridge failed)."""

    key = "credential_library"
    exit_code = 2
    cashier_message = ("医保码核验组件暂时不能使用：请联系信息科处理；患者可先用医保卡/身份证 [F3] 或自费 [F4]")

    def __init__(self, message: str, detail: str = ""):
        super().__init__("library", "", message=message, detail=detail)


@dataclass(frozen=True)
class Credential:
    """Who the code belongs to. Name and ID stay out of repr(); show masked_name / masked_id."""

    ec_token: str
    id_no: str = field(repr=False)
    id_type: str
    user_name: str = field(repr=False)
    insu_org: str
    ec_index_no: str
    gender: str = ""
    birthday: str = field(default="", repr=False)
    family_holder: str = ""      # masked name of the family-account holder who showed the code
    family_relation: str = ""

    @property
    def masked_id(self) -> str:
        return mask_id(self.id_no)

    @property
    def masked_name(self) -> str:
        return mask_name(self.user_name)

    @property
    def is_family(self) -> bool:
        return bool(self.family_holder or self.family_relation)

    def display(self) -> dict[str, str]:
        """Masked fields for screens, logs and `ecpos verify` (ecToken and ecIndexNo as the journal keeps them:
        the token is what 1101 and the settlement take, so it is never shown whole)."""
        out = {"ecToken": mask_id(self.ec_token), "userName": self.masked_name, "idNo": self.masked_id,
               "idType": self.id_type, "insuOrg": self.insu_org, "ecIndexNo": mask_id(self.ec_index_no),
               "gender": self.gender}
        if self.is_family:
            out["familyHolder"] = self.family_holder
            out["familyRelation"] = self.family_relation
        return out


def _text(v: Any) -> str:
    return "" if v is None else str(v).strip()


def _object(v: Any) -> dict | None:
    """A JSON object given as a dict or as a JSON-encoded string (some library versions)."""
    if isinstance(v, (str, bytes, bytearray)):
        try:
            v = json.loads(v)
        except (ValueError, RecursionError):
            return None
    return v if isinstance(v, dict) else None


def parse_answer(answer: Any) -> Credential:
    """The Credential in an ec.query answer, or a typed CredentialError; never anything else."""
    if isinstance(answer, (str, bytes, bytearray)):
        answer = _object(answer)
    if not isinstance(answer, dict) or "code" not in answer:
        raise CredentialUnavailable("-4", "", detail="answer is not an ec answer object")
    code = _text(answer.get("code"))
    message = _text(answer.get("message"))
    if code not in ("0", "0.0"):
        if code in UNAVAILABLE_CODES:  # the library's own answer: extra.detail says what happened
            extra = _object(answer.get("extra")) or {}
            raise CredentialUnavailable(code, message, detail=f"code={code} {_text(extra.get('detail'))}"[:300])
        raise CredentialError(code or "?", message)
    data = _object(answer.get("data"))
    if data is None:
        raise CredentialUnavailable("-4", message, detail="answer data is missing or not an object")
    token = _text(data.get("ecToken"))
    if not token:
        raise CredentialUnavailable("-4", message, detail="answer has no ecToken")
    extra = _object(answer.get("extra")) or {}
    family = _object(extra.get("familyAccount")) or {}
    return Credential(
        ec_token=token, id_no=_text(data.get("idNo")), id_type=_text(data.get("idType")),
        user_name=_text(data.get("userName")), insu_org=_text(data.get("insuOrg")),
        ec_index_no=_text(data.get("ecIndexNo")), gender=_text(data.get("gender")),
        birthday=_text(data.get("birthday")),
        family_holder=mask_name(_text(family.get("holderName"))),
        family_relation=_text(family.get("relation")))
