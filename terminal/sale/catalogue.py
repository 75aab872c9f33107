"""The pharmacy's catalogue: the quick-pick entries of [catalogue] plus the items imported from the
pharmacy's own list into the journal (the back office's import: terminal/office/pricelist.py), searched by name,
拼音 initials, code or barcode. Search is in memory over prepared lower-case keys (10,000 items well under the
50 ms the counter allows; bench/catalogue.py measures it).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation

from terminal.sale import lots as lots_mod
from terminal.codes import item_barcode
from terminal.errors import ConfigError


@dataclass(frozen=True)
class BillLine:
    """One catalogue entry on the bill (name and price come from the catalogue, never typed)."""

    code: str
    name: str
    price: Decimal
    spec: str = ""
    barcode: str = ""
    initials: str = ""
    lot: object = None  # the terminal.sale.lots.Lot picked for this sale's line (批号/效期), None when not asked
    lots: tuple = ()    # the catalogue's lots of the item (terminal.sale.lots.Lot), the latest expiry first


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


class Catalogue:
    """Search over a catalogue's lines: barcode or code exactly, then 拼音 initials / code prefixes, then
    names containing the text."""

    def __init__(self, lines):
        self.lines = list(lines.values() if isinstance(lines, dict) else lines)
        self._by_code = {ln.code: ln for ln in self.lines}
        self._by_barcode = {ln.barcode: ln for ln in self.lines if ln.barcode}
        # one tuple per line, prepared once: (initials, code, name) lower-cased
        self._keys = [(ln.initials.lower(), ln.code.lower(), ln.name.lower(), ln) for ln in self.lines]

    def __len__(self) -> int:
        return len(self.lines)

    def exact(self, text: str) -> BillLine | None:
        """The line with this barcode or code, or None."""
        text = text.strip()
        return self._by_barcode.get(text) or self._by_code.get(text)

    def search(self, text: str, limit: int = 20) -> list[BillLine]:
        """Up to `limit` lines matching `text`, best first."""
        q = text.strip().lower()
        if not q:
            return []
        hit = self.exact(text)
        first: list[BillLine] = [hit] if hit else []
        starts: list[BillLine] = []
        contains: list[BillLine] = []
        for ini, code, name, ln in self._keys:
            if ln is hit:
                continue
            if ini.startswith(q) or code.startswith(q) or name.startswith(q):
                starts.append(ln)
                if len(starts) >= limit:
                    break
            elif len(contains) < limit and (q in name or q in ini or (len(q) >= 4 and q in code)):
                contains.append(ln)
        return (first + starts + contains)[:limit]

    def pick(self, text: str) -> BillLine | None:
        """The line Enter adds for what the cashier typed: the code or barcode itself, a code's last digits
        (4 or more), else the first line of the list `search` shows (initials, part of a name), as at the POS
        counters cashiers know; None when nothing matches."""
        text = text.strip()
        if not text:
            return None
        hit = self.exact(text)
        if hit is None and len(text) >= 4:
            hit = next((ln for ln in self.lines if ln.code.endswith(text)), None)
        return hit or next(iter(self.search(text, 1)), None)

    def by_barcode(self, barcode: str) -> BillLine | None:
        """The line for a scanned EAN-13, or None."""
        return self._by_barcode.get(barcode)


# --- import ------------------------------------------------------------------------------------------
LOTS_TABLE = """CREATE TABLE IF NOT EXISTS catalogue_lots (  -- the imported lots on the shelf (批号/效期)
    code TEXT NOT NULL,
    lotnum TEXT NOT NULL,
    manu_date TEXT NOT NULL,        -- yyyy-MM-dd
    expy_end TEXT NOT NULL,         -- yyyy-MM-dd, the last day it may be sold
    imported_at TEXT NOT NULL,
    PRIMARY KEY (code, lotnum)
)"""
