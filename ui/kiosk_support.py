"""Plain helpers for the kiosk and clinic pages (no Qt): the registration-fee line from [clinic]."""
from __future__ import annotations

from decimal import Decimal

from terminal.items import Item
from ui.catalogue import BillLine

# 国家医疗服务项目 普通门诊诊查费; the fee itself comes from [clinic] registration_fee.
REGISTRATION_CODE = "110200001"


def registration_line(cfg) -> BillLine:
    """The registration fee as a bill line."""
    return BillLine(REGISTRATION_CODE, "普通挂号费", Decimal(cfg.clinic.registration_fee), "")


def registration_items(cfg) -> list[Item]:
    """The kiosk's bill: the registration fee, once."""
    line = registration_line(cfg)
    return [Item(line.code, line.name, Decimal(1), line.price)]
