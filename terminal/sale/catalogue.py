"""The pharmacy's catalogue: the quick-pick entries of [catalogue] plus the items imported from the
pharmacy's own list (CSV or .xlsx) into the journal, searched by name, 拼音 initials, code or barcode.

Import is all-or-nothing: a file with one bad row changes nothing and names the row, so a half-imported
price list never reaches the bill. Search is in memory over prepared lower-case keys (10,000 items well
under the 50 ms the counter allows; bench/catalogue.py measures it).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from terminal.sale import lots as lots_mod
from terminal.codes import item_barcode
from terminal.errors import ConfigError, EcposError
from terminal.journal import audit
from terminal.journal.clock import now


# Header names a pharmacy's export uses for each field (first match wins); English ones for scripts.
HEADERS = {
    "code": ("医保编码", "医保目录编码", "医保代码", "国家医保编码", "code", "med_list_codg"),
    "name": ("名称", "药品名称", "商品名称", "通用名", "name"),
    "spec": ("规格", "spec"),
    "price": ("单价", "价格", "零售价", "售价", "price"),
    "barcode": ("条码", "条形码", "商品条码", "barcode", "ean"),
    "initials": ("拼音", "拼音码", "助记码", "拼音首字母", "initials", "pinyin"),
    # a lot per row (批号/效期, terminal/sale/lots.py): a drug's rows repeat its code, one per lot on the shelf
    "lotnum": ("批号", "生产批号", "manu_lotnum", "lot"),
    "manu_date": ("生产日期", "manu_date"),
    "expy_end": ("有效期至", "有效期", "有效期止", "效期", "expy_end"),
}
LOT_FIELDS = ("lotnum", "manu_date", "expy_end")
MAX_ROWS = 200_000


class CatalogueError(EcposError):
    """The catalogue file cannot be imported; the message names the row and what to fix."""

    key = "catalogue_invalid"
    exit_code = 2


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


def _read_rows(path: Path) -> list[list[str]]:
    """The file's rows as text cells: .xlsx through openpyxl (first sheet), else CSV in UTF-8 or GBK."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook  # why: 0.65 s to import, paid only for an .xlsx file
        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except Exception as e:  # openpyxl raises zipfile/KeyError/InvalidFileException for a bad file
            raise CatalogueError(f"{path} 不是有效的 Excel (.xlsx) 文件：{type(e).__name__}；请在 Excel 中另存为"
                                 f" .xlsx 或 CSV", key="catalogue_unreadable") from None
        try:
            ws = wb.worksheets[0]
            return [["" if v is None else _cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
        finally:
            wb.close()
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):  # Excel's CSV on zh-CN Windows is GBK; GB18030 is its superset
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise CatalogueError(f"{path} 不是文本文件：请存为 UTF-8 或 GBK 编码的 CSV，或 .xlsx",
                             key="catalogue_unreadable")
    return [row for row in csv.reader(io.StringIO(text))]


def _cell(v) -> str:
    """An Excel cell as text: a whole number without '.0' (codes and barcodes typed as numbers), a float
    price through its shortest repr (12.5 -> '12.5')."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _columns(header: list[str], path: Path) -> dict[str, int]:
    names = [h.strip().lower() for h in header]
    cols = {}
    for field, aliases in HEADERS.items():
        for a in aliases:
            if a.lower() in names:
                cols[field] = names.index(a.lower())
                break
    missing = [HEADERS[f][0] for f in ("code", "name", "price") if f not in cols]
    if missing:
        raise CatalogueError(f"{path}：第一行缺少列 {'、'.join(missing)}（需要 医保编码、名称、单价，可选 规格、"
                             f"条码、拼音）", key="catalogue_header")
    return cols


def parse_file(path: str | Path) -> list[BillLine]:
    """Read and check every row of a catalogue file; CatalogueError names the first bad row."""
    p = Path(path)
    try:
        rows = _read_rows(p)
    except FileNotFoundError:
        raise CatalogueError(f"目录文件不存在：{p}", key="catalogue_missing_file") from None
    except OSError as e:
        raise CatalogueError(f"目录文件无法读取：{p}：{e.strerror or e}", key="catalogue_unreadable") from None
    rows = [r for r in rows if any(str(c).strip() for c in r)]
    if len(rows) < 2:
        raise CatalogueError(f"{p}：没有药品行；第一行为列名（医保编码、名称、规格、单价、条码、拼音），其后每行一个药品",
                             key="catalogue_empty")
    if len(rows) > MAX_ROWS + 1:
        raise CatalogueError(f"{p}：超过 {MAX_ROWS} 行，请分成几个文件导入", key="catalogue_too_big")
    cols = _columns(rows[0], p)
    out: dict[str, BillLine] = {}
    for n, row in enumerate(rows[1:], 2):
        def get(field: str) -> str:
            i = cols.get(field)
            return str(row[i]).strip() if i is not None and i < len(row) else ""
        where = f"{p} 第 {n} 行"
        code, name, price_text = get("code"), get("name"), get("price")
        if not code or not name:
            raise CatalogueError(f"{where}：医保编码和名称不能为空", key="catalogue_row")
        lot = _lot(cols, get, where)
        if code in out and (lot is None or any(x.lotnum == lot.lotnum for x in out[code].lots)):
            raise CatalogueError(f"{where}：医保编码 {code} 重复（第一次出现在前面的行）" + ("" if lot is None else
                                 f"，批号 {lot.lotnum} 也相同"), key="catalogue_duplicate")
        try:
            price = Decimal(price_text.replace("¥", "").replace("￥", ""))
        except InvalidOperation:
            price = Decimal("NaN")
        if not price.is_finite() or price <= 0 or price.as_tuple().exponent < -4:
            raise CatalogueError(f"{where}：单价 {price_text!r} 应为大于 0 的金额（如 12.50）", key="catalogue_price")
        barcode = get("barcode")
        if barcode and not ean13_ok(barcode):
            raise CatalogueError(f"{where}：条码 {barcode} 不是有效的 13 位 EAN-13 条码（校验位不符）；请核对或留空",
                                 key="catalogue_barcode")
        initials = get("initials").upper() or initials_of(name)
        line = BillLine(code, name, Decimal(format(price, "f")), get("spec"), barcode, initials)
        if code in out:  # another lot of a drug already read: the same drug, or a row to fix
            if replace(out[code], lots=()) != line:
                raise CatalogueError(f"{where}：医保编码 {code} 的批号行与前面的行名称、规格、单价或条码不一致",
                                     key="catalogue_lot_row")
            line = out[code]
        out[code] = replace(line, lots=line.lots + ((lot,) if lot is not None else ()))
    return list(out.values())


def _lot(cols: dict[str, int], get, where: str):
    """The row's lot when the file has lot columns and the row fills them (all three), else None."""
    if not any(f in cols for f in LOT_FIELDS) or not any(get(f) for f in LOT_FIELDS):
        return None
    try:
        return lots_mod.make(get("lotnum"), get("manu_date"), get("expy_end"), where)
    except lots_mod.LotError as e:
        raise CatalogueError(e.message + "（批号、生产日期、有效期至 三列需一起填写）", key="catalogue_lot") from None


def import_file(journal, path: str | Path, actor: str = "") -> tuple[int, int]:
    """Import a catalogue file into the journal (all rows or none); returns (added, updated). Audited."""
    lines = parse_file(path)
    stamp = now()
    added = updated = 0
    with journal.tx() as c:
        if any(ln.lots for ln in lines):  # the file's lots replace those of the drugs it lists
            c.execute(LOTS_TABLE)
            for ln in lines:
                c.execute("DELETE FROM catalogue_lots WHERE code=?", (ln.code,))
                c.executemany("INSERT INTO catalogue_lots(code, lotnum, manu_date, expy_end, imported_at)"
                              " VALUES (?,?,?,?,?)", [(ln.code, lot.lotnum, lot.manu_date.isoformat(),
                                                       lot.expy_end.isoformat(), stamp) for lot in ln.lots])
        for ln in lines:
            exists = c.execute("SELECT 1 FROM catalogue WHERE code=?", (ln.code,)).fetchone()
            c.execute("INSERT INTO catalogue(code, name, spec, price, barcode, initials, imported_at)"
                      " VALUES (?,?,?,?,?,?,?) ON CONFLICT(code) DO UPDATE SET name=excluded.name,"
                      " spec=excluded.spec, price=excluded.price, barcode=excluded.barcode,"
                      " initials=excluded.initials, imported_at=excluded.imported_at",
                      (ln.code, ln.name, ln.spec, str(ln.price), ln.barcode, ln.initials, stamp))
            updated += bool(exists)
            added += not exists
        audit.append(c, "catalogue_imported", actor, file=Path(path).name, added=added, updated=updated)
    return added, updated
