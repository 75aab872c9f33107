"""Codes in a manager's words, for the fleet page and its Excel file: what a till is (not its profile name),
the credential a patient showed, the insurance type, the clearing class 3201 reconciles by, a journal status.

The counter's screens have their own (translatable) copy in ui/qt_values.py; fleet/ may not import ui/.
"""
from __future__ import annotations

from terminal.sale.tender import METHODS

PROFILES = {"pharmacy": "药店收款台", "clinic": "门诊收费处", "kiosk": "自助机"}

# mdtrt_cert_type as the journal keeps it (01/02/03); a self-paid sale has none ("" in the journal).
CERTS = {"01": "医保电子凭证（医保码）", "02": "居民身份证", "03": "社会保障卡", "self": "自费（未用医保）"}

# insutype (the national dictionary; ../shared/PROTOCOL.md §2 names 310, 390, 340).
INSUTYPES = {"310": "职工基本医疗保险", "320": "公务员医疗补助", "330": "大额医疗费用补助", "340": "离休人员医疗保障",
             "390": "城乡居民基本医疗保险", "391": "城乡居民大病医疗保险", "510": "生育保险"}

# clr_type, 清算类别: the class the medical-insurance centre settles the institution's money by, and the key
# 3201 reconciles on. 11 门诊, 21 住院, 41 药店, 51 暂缓 as public settlement-data notes list them (an
# extraction script's `clr_type = 21 --清算类别(11:门诊,21:住院,41:药店,51:暂缓)`); terminal/sale/flows.py sends 41
# for a pharmacy, 11 for a clinic.
CLR_TYPES = {"11": "门诊就医", "21": "住院", "41": "定点药店购药", "51": "暂缓清算"}

STATUSES = {"pending": "处理中", "unknown": "结果待确认", "settled": "已结算", "reversed": "已冲正",
            "refund_queued": "退费排队中", "refunded": "已退费", "failed": "失败", "queued": "排队中",
            "cancelled": "已取消", "self_paid": "自费"}

TENDERS = {**METHODS, "untendered": "未登记支付方式"}


def profile(p: str) -> str:
    return PROFILES.get(p, p)


def insutype(code: str) -> str:
    """'职工基本医疗保险（310）'; an unknown code as it is."""
    return f"{INSUTYPES[code]}（{code}）" if code in INSUTYPES else (code or "未注明")


def clr_type(code: str) -> str:
    """'定点药店购药（清算类别 41）'."""
    return f"{CLR_TYPES[code]}（清算类别 {code}）" if code in CLR_TYPES else f"清算类别 {code or '未注明'}"


def clr_optins(code: str) -> str:
    """The clearing agency (a 6-digit division code) in words."""
    return f"医保经办机构（区划 {code}）" if code else "未注明"


def status(s: str) -> str:
    return STATUSES.get(s, s)
