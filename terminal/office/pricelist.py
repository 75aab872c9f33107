"""The pharmacy's price list brought into the journal's catalogue, in the back office (`ecpos catalogue import /
search`): its own CSV or .xlsx read and checked row by row, then imported all or nothing — a file with one bad
row changes nothing and names the row, so a half-imported price list never reaches the bill. What a line on the
bill is, and the counter's search, are the sale's (terminal/sale/catalogue.py)."""
from __future__ import annotations

import csv
import io
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

from terminal.errors import EcposError
from terminal.journal import audit
from terminal.journal.clock import now
from terminal.sale import lots as lots_mod
from terminal.sale.catalogue import LOTS_TABLE, ean13_ok, initials_of, load_catalogue
from terminal.sale.items import BillLine, Catalogue

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


def search(cfg, journal, text: str, limit: int = 20) -> list[BillLine]:
    """The catalogue's entries (the profile's quick picks and the imported list) matching `text` by name, 拼音
    initials, code or barcode, as the counter finds them."""
    return Catalogue(load_catalogue(cfg, journal)).search(text, limit)
