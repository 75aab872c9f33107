"""批号 / 效期: the lot a bill line's boxes come from, picked from the catalogue's lots ([catalogue] lots) or
typed, carried on the line to the journal, the receipt and the 3505 report (manu_lotnum, manu_date,
expy_end); a lot whose 有效期至 has passed is refused before anything is sent.

The three fields are the 3505 商品销售 row's (public integrations' tables: binzhe12123/Medical
SY.Com.Medical.Model/SYB/YYJGFW/YPXS3505.cs — 生产批号 字符型 30, 生产日期 日期型 yyyy-MM-dd, 有效期止 日期型
yyyy-MM-dd). The 2101/2102 drugdetail has no lot fields, so a lot never changes what is settled.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from terminal.errors import ConfigError, EcposError

FIELDS = ("manu_lotnum", "manu_date", "expy_end")  # the line's lot, under its 3505 field names
LOTNUM_MAX = 30  # 生产批号 字符型 30
EXPIRED = "效期已过，不能销售"


class LotError(EcposError):
    """A lot cannot be used on the bill: typed wrong, or expired (the message names the line and the lot)."""

    key = "lot_invalid"
    exit_code = 2


@dataclass(frozen=True)
class Lot:
    """One lot of a drug: 生产批号, 生产日期 and 有效期至 (the last day it may be sold)."""

    lotnum: str
    manu_date: date
    expy_end: date

    def expired(self, today: date | None = None) -> bool:
        return (today or date.today()) > self.expy_end

    def text(self) -> str:
        """As the bill and the receipt show it."""
        return f"批号 {self.lotnum} 效期至 {self.expy_end.isoformat()}"

    def wire(self) -> dict[str, str]:
        return {"manu_lotnum": self.lotnum, "manu_date": self.manu_date.isoformat(),
                "expy_end": self.expy_end.isoformat()}


def _day(text: str, what: str, where: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise LotError(f"{where}：{what} 应为日期 yyyy-MM-dd（如 2026-03-01）：{text!r}", key="lot_date") from None


def make(lotnum: str, manu_date: str, expy_end: str, where: str = "批号") -> Lot:
    """A typed or configured lot, checked: a lot number of at most 30 characters, two dates in order."""
    lotnum = (lotnum or "").strip()
    if not lotnum or len(lotnum) > LOTNUM_MAX:
        raise LotError(f"{where}：批号应为 1 至 {LOTNUM_MAX} 个字符：{lotnum!r}", key="lot_number")
    made, ends = _day(manu_date, "生产日期", where), _day(expy_end, "有效期至", where)
    if ends < made:
        raise LotError(f"{where}：有效期至 {ends} 早于生产日期 {made}，请核对药盒", key="lot_dates")
    return Lot(lotnum, made, ends)


def picked(lotnum: str, manu_date: str, expy_end: str, today: date | None = None) -> Lot:
    """A lot the cashier picks or types for a line: checked, and refused once its 有效期至 has passed."""
    lot = make(lotnum, manu_date, expy_end)
    if lot.expired(today):
        raise LotError(f"{lot.text()}：{EXPIRED}", key="lot_expired")
    return lot


def of_item(item) -> Lot | None:
    """The lot a bill line carries, or None (a line without one: nothing is sent or printed for it)."""
    if not getattr(item, "manu_lotnum", ""):
        return None
    return Lot(item.manu_lotnum, date.fromisoformat(item.manu_date), date.fromisoformat(item.expy_end))


def catalogue_lots(cfg) -> dict[str, list[Lot]]:
    """医保目录编码 -> its lots from [catalogue] lots ("编码:批号:生产日期:有效期至"), the latest expiry first
    (what a cashier picks, first-expiring-first being the stock's business, not the till's)."""
    out: dict[str, list[Lot]] = {}
    for raw in cfg.catalogue.lots:
        parts = [p.strip() for p in raw.split(":")]
        if len(parts) != 4:
            raise ConfigError(f"[catalogue] lots: {raw!r} 应为 \"医保目录编码:批号:生产日期:有效期至\"", key="catalogue_lot")
        try:
            lot = make(*parts[1:], where=f"[catalogue] lots {raw!r}")
        except LotError as e:
            raise ConfigError(e.message, key="catalogue_lot") from None
        out.setdefault(parts[0], []).append(lot)
    for lots in out.values():
        lots.sort(key=lambda lot: lot.expy_end, reverse=True)
    return out


def check(items, today: date | None = None) -> None:
    """Refuse a bill with an expired lot on it, naming the line (LotError lot_expired)."""
    for n, item in enumerate(items, 1):
        lot = of_item(item)
        if lot is not None and lot.expired(today):
            raise LotError(f"第 {n} 行 {item.name} {lot.text()}：{EXPIRED}；请换一个批号", key="lot_expired")
