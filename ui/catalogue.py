"""The quick-pick catalogue from [catalogue] entries ("code:name:spec:price"); data only, no Qt."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from terminal.errors import ConfigError


@dataclass(frozen=True)
class BillLine:
    """One catalogue entry on the bill (name and price come from the catalogue, never typed)."""

    code: str
    name: str
    price: Decimal
    spec: str = ""


def load_catalogue(cfg) -> dict[str, BillLine]:
    """Code -> BillLine for every configured catalogue entry, in configured order."""
    out: dict[str, BillLine] = {}
    for raw in cfg.catalogue.entries:
        parts = raw.split(":")
        if len(parts) != 4:
            raise ConfigError(f"[catalogue] entries: {raw!r} 应为 \"编码:名称:规格:单价\"", key="catalogue_entry")
        code, name, spec, price = (p.strip() for p in parts)
        try:
            out[code] = BillLine(code, name, Decimal(price), spec)
        except InvalidOperation:
            raise ConfigError(f"[catalogue] entries: {raw!r} 的单价不是数字", key="catalogue_price") from None
    return out
