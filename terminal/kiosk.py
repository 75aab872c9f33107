"""The kiosk's and the clinic desk's bill rules: the registration fee ([clinic] registration_fee) as the
bill's first line (terminal/items.py holds the item itself)."""
from __future__ import annotations

from terminal.items import Item, registration_item
from terminal.catalogue import BillLine


def registration_line(cfg) -> BillLine:
    """The registration fee as a bill line."""
    item = registration_item(cfg)
    return BillLine(item.code, item.name, item.price, "")


def registration_items(cfg) -> list[Item]:
    """The kiosk's bill: the registration fee, once."""
    return [registration_item(cfg)]
