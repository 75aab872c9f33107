"""Plain helpers for the kiosk and clinic pages (no Qt): the registration fee (a core rule) as a bill line."""
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
