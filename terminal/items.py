"""Bill items: the Item type and the headless items file (JSON list or CSV of code,name,qty,price)."""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from terminal.errors import EcposError
from terminal.money import yuan

FIELDS = ("code", "name", "qty", "price")
OPTIONAL = ("trace",)  # JSON only: the line's 药品追溯码, one per box scanned
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

    @property
    def amount(self) -> Decimal:
        """The line amount in yuan, rounded to the cent."""
        return yuan(self.qty * self.price)


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
    """Check rows of {code, name, qty, price} and turn them into Items."""
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
            raise ItemsError(f"{where}：未知字段 {', '.join(unknown)}（只允许 code, name, qty, price, trace）",
                             key="items_unknown")
        trace = row.get("trace", [])
        if not isinstance(trace, list) or not all(isinstance(t, str) for t in trace):
            raise ItemsError(f"{where}：trace 应为追溯码字符串列表，如 [\"83003850000000131888\"]",
                             key="items_trace")
        items.append(Item(str(row["code"]).strip(), str(row["name"]).strip(),
                          _number(row["qty"], "qty 数量", where, 4),
                          _number(row["price"], "price 单价", where, 6), tuple(t.strip() for t in trace)))
    return items


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
    return parse_items(rows, str(p))
