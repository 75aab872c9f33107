"""Bill items: the Item the script takes; the BillLine a screen puts on its bill and the Catalogue it picks one
in (by name, 拼音 initials, code or barcode; terminal/sale/catalogue.py loads and imports the lines); and the
headless items file (JSON list or CSV of code,name,qty,price; JSON lines may carry their own trace codes, rxno,
prescriber and department)."""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

from terminal.sale import lots
from terminal.errors import EcposError
from terminal.money import yuan

FIELDS = ("code", "name", "qty", "price")
# A line's own wire fields (JSON only), at most this many characters as the specification's field tables say
# (2101 drugdetail, 2204 feedetail): 处方号, 外购处方标志 ("1": the prescription came from outside, e.g. a
# hospital's prescription filled at a pharmacy), 开单医生, 开单科室 (2204 only). A code given alone is named
# from [clinic] doctors / departments (named_lines).
WIRE = {"rxno": 30, "rx_circ_flag": 1, "bilg_dr_codg": 30, "bilg_dr_name": 50, "bilg_dept_codg": 30,
        "bilg_dept_name": 100}
OPTIONAL = ("trace", *WIRE, *lots.FIELDS)  # JSON only; trace: the line's 药品追溯码, one per box scanned
# 国家医疗服务项目 普通门诊诊查费: the line a clinic or kiosk bill starts with; the fee is [clinic] registration_fee.
REGISTRATION_CODE = "110200001"


class ItemsError(EcposError):
    """The items file cannot be used; the message says what to fix."""

    key = "items_invalid"
    exit_code = 2


@dataclass(frozen=True)
class Item:
    """One bill line: catalogue code (med_list_codg), name, quantity (up to 4 places), unit price (up to 6)."""

    code: str
    name: str
    qty: Decimal
    price: Decimal
    trace: tuple[str, ...] = field(default=(), compare=False)  # 追溯码 given with the line (headless)
    # The line's own wire fields; empty = the sale's: the visit's doctor and department, or at a pharmacy
    # counter [pharmacy] prescriber; rx_circ_flag empty = "0" (the institution's own prescription, not 外购).
    rxno: str = ""
    rx_circ_flag: str = ""
    bilg_dr_codg: str = ""
    bilg_dr_name: str = ""
    bilg_dept_codg: str = ""
    bilg_dept_name: str = ""
    # the boxes' lot (terminal/sale/lots.py): 3505's manu_lotnum, manu_date, expy_end; empty = none recorded
    manu_lotnum: str = ""
    manu_date: str = ""
    expy_end: str = ""

    @property
    def amount(self) -> Decimal:
        """The line amount in yuan, rounded to the cent."""
        return yuan(self.qty * self.price)


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

    def item(self, qty: Decimal) -> Item:
        """The line as the script takes it: `qty` of it, with its lot's 批号/效期 when one was picked."""
        return Item(self.code, self.name, qty, self.price, **(self.lot.wire() if self.lot else {}))

    @classmethod
    def of(cls, item: Item, listed: dict[str, "BillLine"]) -> "BillLine":
        """An Item back on a screen's bill (a recalled 挂单): the catalogue's line when it lists the code (its
        spec, barcode and lots), else the item's own name and price; the item's lot picked on it."""
        return replace(listed.get(item.code) or cls(item.code, item.name, item.price), lot=lots.of_item(item))


class Catalogue:
    """Search over a catalogue's lines: barcode or code exactly, then 拼音 initials / code prefixes, then
    names containing the text. In memory over prepared lower-case keys: 10,000 items well under the 50 ms the
    counter allows (bench/catalogue.py measures it)."""

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


def registration_item(cfg) -> Item:
    """The registration fee ([clinic] registration_fee) as one bill item."""
    return Item(REGISTRATION_CODE, "普通挂号费", Decimal(1), yuan(cfg.clinic.registration_fee))


def _number(raw, what: str, where: str, places: int) -> Decimal:
    if isinstance(raw, float):
        raise ItemsError(f"{where}：{what} 请写成字符串（如 \"12.50\"），不要写成小数浮点数",
                         key="items_float")
    try:
        d = Decimal(str(raw).strip())
    except InvalidOperation:
        hint = "（去掉千位分隔符和货币符号，如 1250.00）" if any(c in str(raw) for c in ",，¥￥元") else ""
        raise ItemsError(f"{where}：{what} 不是数字：{raw!r}{hint}", key="items_number") from None
    if not d.is_finite() or d <= 0:
        raise ItemsError(f"{where}：{what} 必须大于 0：{raw!r}", key="items_number")
    if d.as_tuple().exponent < -places:
        raise ItemsError(f"{where}：{what} 最多 {places} 位小数：{raw!r}", key="items_places")
    return Decimal(format(d, "f"))  # "1E+1" -> "10": cnt and pric go on the wire as str(d)


def parse_items(rows: list, source: str = "items") -> list[Item]:
    """Check rows of {code, name, qty, price[, trace, rxno, bilg_dr_codg, ...]} and turn them into Items."""
    if not isinstance(rows, list) or not rows:
        raise ItemsError(f"{source}：需要至少一个项目，格式为 [{{\"code\",\"name\",\"qty\",\"price\"}}, ...]",
                         key="items_empty")
    items = []
    for n, row in enumerate(rows, 1):
        where = f"{source} 第 {n} 项"
        if not isinstance(row, dict):
            raise ItemsError(f"{where}：应为包含 code, name, qty, price 的对象", key="items_shape")
        missing = [f for f in FIELDS if str(row.get(f) if row.get(f) is not None else "").strip() == ""]
        if missing:
            raise ItemsError(f"{where}：缺少 {', '.join(missing)}", key="items_missing")
        unknown = sorted(set(row) - set(FIELDS) - set(OPTIONAL))
        if unknown:
            raise ItemsError(f"{where}：未知字段 {', '.join(unknown)}（只允许 {', '.join(FIELDS + OPTIONAL)}）",
                             key="items_unknown")
        trace = row.get("trace", [])
        if not isinstance(trace, list) or not all(isinstance(t, str) for t in trace):
            raise ItemsError(f"{where}：trace 应为追溯码字符串列表，如 [\"83003850000000131888\"]",
                             key="items_trace")
        items.append(Item(str(row["code"]).strip(), str(row["name"]).strip(),
                          _number(row["qty"], "qty 数量", where, 4),
                          _number(row["price"], "price 单价", where, 6), tuple(t.strip() for t in trace),
                          **_wire_fields(row, where), **_lot_fields(row, where)))
    return items


def _lot_fields(row: dict, where: str) -> dict[str, str]:
    """The line's lot: all three of manu_lotnum, manu_date, expy_end, or none."""
    given = {k: row[k] for k in lots.FIELDS if row.get(k) not in (None, "")}
    if not given:
        return {}
    if len(given) < len(lots.FIELDS) or not all(isinstance(v, str) for v in given.values()):
        raise ItemsError(f"{where}：批号需同时给出 manu_lotnum、manu_date、expy_end（字符串，日期如 \"2027-02-28\"）",
                         key="items_lot")
    return lots.make(given["manu_lotnum"], given["manu_date"], given["expy_end"], where).wire()


def _wire_fields(row: dict, where: str) -> dict[str, str]:
    """The line's own rxno / prescriber / department, checked as the platform would (length, pairs)."""
    got = {}
    for k, size in WIRE.items():
        v = row.get(k)
        if v is None:
            continue
        if not isinstance(v, str):
            raise ItemsError(f"{where}：{k} 应为字符串", key="items_shape")
        v = v.strip()
        if len(v) > size:
            raise ItemsError(f"{where}：{k} 最长 {size} 个字符：{v!r}", key="items_field_length")
        if v:
            got[k] = v
    if got.get("rx_circ_flag", "0") not in ("0", "1"):
        raise ItemsError(f"{where}：rx_circ_flag 外购处方标志只能是 \"1\"（外购处方）或 \"0\"：{got['rx_circ_flag']!r}",
                         key="items_rx_circ_flag")
    for code, name, what in (("bilg_dr_codg", "bilg_dr_name", "开单医生"),
                             ("bilg_dept_codg", "bilg_dept_name", "开单科室")):
        if got.get(name) and not got.get(code):
            raise ItemsError(f"{where}：给出{what}名称 {name} 时也要给出编码 {code}", key="items_named_without_code")
    return got


def named_lines(items: list[Item], doctors, departments=None) -> list[Item]:
    """Lines naming their own 开单医生 / 开单科室 by code alone get the configured name ("code:name[:...]"
    entries: [clinic] doctors, departments), as the platform needs both; a code alone that is not configured
    is refused, before anything is sent. departments None: not on this flow's wire (a pharmacy's 2101)."""
    doctor_names = dict(e.split(":")[:2] for e in doctors if ":" in e)
    dept_names = dict(e.split(":")[:2] for e in departments or () if ":" in e)
    out = []
    for n, i in enumerate(items, 1):
        if i.bilg_dr_codg and not i.bilg_dr_name:
            if i.bilg_dr_codg not in doctor_names:
                hint = "，或使用 [clinic] doctors 中配置的医生编码" if doctors else ""
                raise ItemsError(f"第 {n} 项：开单医生 {i.bilg_dr_codg} 只有编码没有姓名；请同时给出医生姓名{hint}",
                                 key="items_prescriber")
            i = replace(i, bilg_dr_name=doctor_names[i.bilg_dr_codg])
        if departments is not None and i.bilg_dept_codg and not i.bilg_dept_name:
            if i.bilg_dept_codg not in dept_names:
                raise ItemsError(f"第 {n} 项：开单科室 {i.bilg_dept_codg} 未配置（[clinic] departments）；"
                                 f"请使用已配置的科室编码，或同时给出科室名称", key="items_department")
            i = replace(i, bilg_dept_name=dept_names[i.bilg_dept_codg])
        out.append(i)
    return out


def load_items(path: str | Path) -> list[Item]:
    """Read an items file (UTF-8 or GBK): a JSON list, or CSV with a header line code,name,qty,price."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise ItemsError(f"项目文件不存在：{p}", key="items_missing_file") from None
    except OSError as e:
        raise ItemsError(f"项目文件无法读取：{p}：{e.strerror or e}", key="items_unreadable") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:  # Excel's CSV on zh-CN Windows is GBK; GB18030 is its superset
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            raise ItemsError(f"项目文件无法读取：{p} 不是文本文件（请存为 UTF-8 或 GBK 编码的 CSV / JSON）",
                             key="items_unreadable") from None
    if "\x00" in text:
        raise ItemsError(f"项目文件无法读取：{p} 不是文本文件（请存为 UTF-8 或 GBK 编码的 CSV / JSON）",
                         key="items_unreadable")
    if not text.strip():
        raise ItemsError(f"{p}：文件是空的；请写入项目：JSON 列表，或第一行为 code,name,qty,price 的 CSV",
                         key="items_empty")
    if p.suffix.lower() == ".csv" or not text.lstrip().startswith(("[", "{")):
        reader = csv.DictReader(io.StringIO(text))
        if reader.fieldnames is None or [f.strip() for f in reader.fieldnames] != list(FIELDS):
            raise ItemsError(f"{p}：CSV 第一行必须是 code,name,qty,price", key="items_header")
        rows = []
        for n, row in enumerate(reader, 1):
            if None in row:  # DictReader keeps the cells beyond the header under the key None
                raise ItemsError(f"{p} 第 {n} 项：比第一行多出 {len(row[None])} 列；每行应为 {len(FIELDS)} 列 "
                                 f"code,name,qty,price（名称中有逗号时请加双引号）", key="items_columns")
            rows.append({k.strip(): v for k, v in row.items()})
        return parse_items(rows, str(p))
    try:
        rows = json.loads(text)
    except ValueError as e:
        raise ItemsError(f"{p}：JSON 格式错误：{e}", key="items_json") from None
    except RecursionError:
        raise ItemsError(f"{p}：JSON 嵌套层数太多，不是项目列表；请写成 [{{\"code\": …, \"name\": …, \"qty\": …, "
                         f"\"price\": …}}, …]", key="items_json") from None
    return parse_items(rows, str(p))
