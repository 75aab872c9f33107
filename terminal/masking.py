"""Masking of personal data for logs, receipts and screens (ID numbers and names)."""
from __future__ import annotations


def mask_id(id_no: str | None) -> str:
    """Keep the first 4 and last 4 characters of an ID number: 3201**********1234."""
    s = (id_no or "").strip()
    if len(s) <= 8:
        return "*" * len(s)
    return s[:4] + "*" * (len(s) - 8) + s[-4:]


def mask_name(name: str | None) -> str:
    """Keep the first character of a name: 张*, 欧阳** ."""
    s = (name or "").strip()
    if not s:
        return ""
    return s[0] + "*" * max(1, len(s) - 1)
