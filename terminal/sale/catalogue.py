"""The pharmacy's catalogue: the quick-pick entries of [catalogue] plus the items imported from the
pharmacy's own list into the journal (the back office's import: terminal/office/pricelist.py), as BillLines
(searched by name, 拼音 initials, code or barcode: terminal/sale/items.py Catalogue, what a screen picks a line in).
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal, InvalidOperation

from terminal.sale import lots as lots_mod
from terminal.sale.items import BillLine
from terminal.codes import item_barcode
from terminal.errors import ConfigError


def ean13_ok(text: str) -> bool:
    """True for 13 digits whose last is the EAN-13 check digit (GS1 General Specifications §7.9)."""
    return item_barcode(text) == text


def initials_of(name: str) -> str:
    """拼音 initials of a name, upper case (阿莫西林胶囊 -> AMXLJN); letters and digits kept as they are."""
    # why: pypinyin takes 0.5 s to import (its dictionaries): paid only when search initials are made
    from pypinyin import Style, lazy_pinyin
    parts = lazy_pinyin(name, style=Style.FIRST_LETTER, errors=lambda s: list(s))
    return "".join(p for p in parts if p.isalnum()).upper()


def _config_entries(cfg, initials: bool) -> list[BillLine]:
    out = []
    for raw in cfg.catalogue.entries:
        parts = raw.split(":")
        if len(parts) != 4:
            raise ConfigError(f"[catalogue] entries: {raw!r} 应为 \"编码:名称:规格:单价\"", key="catalogue_entry")
        code, name, spec, price = (p.strip() for p in parts)
        try:
            out.append(BillLine(code, name, Decimal(price), spec, "", initials_of(name) if initials else ""))
        except InvalidOperation:
            raise ConfigError(f"[catalogue] entries: {raw!r} 的单价不是数字", key="catalogue_price") from None
    return out


def load_catalogue(cfg, journal=None) -> dict[str, BillLine]:
    """Code -> BillLine: the configured quick-pick entries first (in their order), then the imported items;
    an imported item with a quick-pick's code replaces it in place (the pharmacy's list has its price).
    Without a journal (the app's first paint) the entries come without 拼音 initials: pypinyin takes about
    half a second to load, so the worker's full read adds them."""
    out = {line.code: line for line in _config_entries(cfg, initials=journal is not None)}
    shelf = lots_mod.catalogue_lots(cfg)  # [catalogue] lots, then the imported ones
    if journal is not None:
        for r in journal.query("SELECT * FROM catalogue ORDER BY rowid"):
            out[r["code"]] = (BillLine(r["code"], r["name"], Decimal(r["price"]), r["spec"],
                                                r["barcode"], r["initials"]))
        if journal.query("SELECT 1 FROM sqlite_master WHERE type='table' AND name='catalogue_lots'"):
            for r in journal.query("SELECT * FROM catalogue_lots ORDER BY code, expy_end DESC"):
                shelf.setdefault(r["code"], []).append(lots_mod.Lot(r["lotnum"], date.fromisoformat(r["manu_date"]),
                                                                    date.fromisoformat(r["expy_end"])))
    for code, found in shelf.items():
        if code in out:
            found = sorted(dict.fromkeys(found), key=lambda lot: lot.expy_end, reverse=True)
            out[code] = replace(out[code], lots=tuple(found))
    return out


# --- import ------------------------------------------------------------------------------------------
LOTS_TABLE = """CREATE TABLE IF NOT EXISTS catalogue_lots (  -- the imported lots on the shelf (批号/效期)
    code TEXT NOT NULL,
    lotnum TEXT NOT NULL,
    manu_date TEXT NOT NULL,        -- yyyy-MM-dd
    expy_end TEXT NOT NULL,         -- yyyy-MM-dd, the last day it may be sold
    imported_at TEXT NOT NULL,
    PRIMARY KEY (code, lotnum)
)"""
