"""The kiosk's and the clinic desk's bill rules: the registration fee ([clinic] registration_fee) as the
bill's first line (terminal/sale/items.py holds the item itself)."""
from __future__ import annotations

from datetime import datetime

from terminal.sale.flows import for_profile
from terminal.sale.items import BillLine, Item, registration_item


def registration_line(cfg) -> BillLine:
    """The registration fee as a bill line."""
    item = registration_item(cfg)
    return BillLine(item.code, item.name, item.price, "")


def registration_items(cfg) -> list[Item]:
    """The kiosk's bill: the registration fee, once."""
    return [registration_item(cfg)]


def cash_at_window(cfg, amount) -> bool:
    """True when a cash part of `amount` cannot be taken here and is due at the window (the kiosk has no
    cash drawer: flows.Flow.takes_cash)."""
    return amount > 0 and not for_profile(cfg.profile).takes_cash


def cash_due_notes(settlement) -> list[str]:
    """The receipt's lines for a cash part left due at the window: what to pay, where, with which slip."""
    due = getattr(settlement, "cash_due", 0)
    if not due:
        return []
    return [f"待缴现金：{due:.2f} 元（未收）", "请持本单到人工窗口缴纳现金", f"流水号：{settlement.setl_id}"]


def self_pay_slip(cfg) -> tuple[str, list[str]]:
    """(title, lines) of the slip an uninsured patient takes to the window: a self-paid registration is
    paid in full, and the kiosk takes no money (flows.Flow.takes_cash), so it is paid and registered there."""
    fee = registration_item(cfg).price
    return f"{cfg.institution.fixmedins_name} 自费挂号单", [
        f"普通挂号费：{fee:.2f} 元（自费）", "本机不能收取现金：请持此单到人工窗口缴费挂号",
        f"打印时间：{datetime.now():%Y-%m-%d %H:%M:%S}"]
