"""Core values in the screen's language: the core (and the platform) speak Chinese data words (是/否, 合计,
insurance-type names, family relations, reconciliation results) and English status keys; the UI turns them
into words through Qt's translator, context "Values", so English mode shows no core Chinese.
"""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from terminal.states import RefundState, SaleState as S

CONTEXT = "Values"

# Chinese words the core or the platform put into records (marked for lupdate; translated when shown).
WORDS = (
    QT_TRANSLATE_NOOP("Values", "是"), QT_TRANSLATE_NOOP("Values", "否"), QT_TRANSLATE_NOOP("Values", "合计"),
    QT_TRANSLATE_NOOP("Values", "对账一致"), QT_TRANSLATE_NOOP("Values", "一致"),
    QT_TRANSLATE_NOOP("Values", "不一致"),
    # family-account relations (亲情账户)
    QT_TRANSLATE_NOOP("Values", "配偶"), QT_TRANSLATE_NOOP("Values", "子女"), QT_TRANSLATE_NOOP("Values", "父母"),
    QT_TRANSLATE_NOOP("Values", "本人"), QT_TRANSLATE_NOOP("Values", "其他"),
)

# Insurance types by code (national code table); the core's names are Chinese, the code is the key.
INSUTYPES = {
    "310": QT_TRANSLATE_NOOP("Values", "职工基本医疗保险"),
    "320": QT_TRANSLATE_NOOP("Values", "公务员医疗补助"),
    "330": QT_TRANSLATE_NOOP("Values", "大额医疗费用补助"),
    "340": QT_TRANSLATE_NOOP("Values", "离休人员医疗保障"),
    "390": QT_TRANSLATE_NOOP("Values", "城乡居民基本医疗保险"),
    "391": QT_TRANSLATE_NOOP("Values", "城乡居民大病医疗保险"),
    "510": QT_TRANSLATE_NOOP("Values", "生育保险"),
}

# Journal statuses (terminal/journal/journal keys) in words.
STATUSES = {
    S.PENDING: QT_TRANSLATE_NOOP("Values", "处理中"), S.UNKNOWN: QT_TRANSLATE_NOOP("Values", "结果待确认"),
    S.SETTLED: QT_TRANSLATE_NOOP("Values", "已结算"), S.REVERSED: QT_TRANSLATE_NOOP("Values", "已冲正"),
    S.REFUND_QUEUED: QT_TRANSLATE_NOOP("Values", "退费排队中"), S.REFUNDED: QT_TRANSLATE_NOOP("Values", "已退费"),
    S.FAILED: QT_TRANSLATE_NOOP("Values", "失败"), RefundState.QUEUED: QT_TRANSLATE_NOOP("Values", "排队中"),
    S.CANCELLED: QT_TRANSLATE_NOOP("Values", "已取消"), S.SELF_PAID: QT_TRANSLATE_NOOP("Values", "自费"),
}

# 3201 stmt_rslt: "0" agrees, "1" disagrees.
STMT_RESULTS = {"0": QT_TRANSLATE_NOOP("Values", "一致"), "1": QT_TRANSLATE_NOOP("Values", "不一致")}

# Credential types (mdtrt_cert_type).
CERT_TYPES = {"01": QT_TRANSLATE_NOOP("Values", "医保电子凭证"), "02": QT_TRANSLATE_NOOP("Values", "居民身份证"),
              "03": QT_TRANSLATE_NOOP("Values", "社会保障卡")}

WORD_KEYS = ("met", "opter", "stmt_rslt_dscr", "relation", "family_relation")


def _tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def word(text: str) -> str:
    """A known core word (是, 合计, 子女, 对账一致…) in the screen's language; anything else unchanged."""
    return _tr(text) if text in WORDS else text


def insutype_text(code: str, name: str = "") -> str:
    """'Name (code)' of an insurance type; the core's own name for a code we do not know."""
    code = str(code or "")
    shown = _tr(INSUTYPES[code]) if code in INSUTYPES else (name or "")
    return f"{shown} ({code})" if shown and code else (shown or code)


def status_text(status: str) -> str:
    """A journal status key in words."""
    return _tr(STATUSES[status]) if status in STATUSES else status


def cert_text(cert: str) -> str:
    """A credential type code (01/02/03) in words."""
    return _tr(CERT_TYPES[cert]) if cert in CERT_TYPES else cert


def value_text(key: str, value: str) -> str:
    """A record field's text as shown: core words, statuses and codes translated by field name."""
    if key == "insutype":
        return insutype_text(value)
    if key in ("journal_status", "platform_status", "status"):
        return status_text(value)
    if key == "stmt_rslt":
        return _tr(STMT_RESULTS[value]) if value in STMT_RESULTS else value
    if key in ("mdtrt_cert_type", "cert_type"):
        return cert_text(value)
    if key in WORD_KEYS:
        return word(value)
    return value
