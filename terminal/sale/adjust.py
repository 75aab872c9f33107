"""整单折扣 / 抹零: the pharmacy gives up part of the self-pay (cash) part of one bill — a discount in yuan or
as 折 (9.5折 pays 95 %), then 抹零 (drop the 分, or the 角 and 分) — authorised by a supervisor's PIN.

Only what the patient hands over shrinks. The platform settled the bill at the prices the pharmacy reported
(the fund's share is worked out from them); the 2101 / 2102 lines go out before any discount is booked and
nothing here changes them, so the price reported stays the catalogue's. The shift and the receipt show what
was given up, and by whom.

One row per sale in the journal's `adjustments` table, booked to the open shift; audited.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

from terminal.errors import EcposError
from terminal.journal import audit
from terminal.journal.clock import now
from terminal.money import ZERO, yuan
from terminal.sale.tender import open_shift_id

ROUNDING = {"jiao": (Decimal("0.1"), "抹分"), "yuan": (Decimal("1"), "抹角分")}
SCREEN_NOTE = "折扣仅减少现金部分，上传医保的单价不变"


class AdjustError(EcposError):
    """The discount or rounding cannot be given (bad amount, more than the cash part, nothing due)."""

    key = "adjust_invalid"
    exit_code = 2


@dataclass(frozen=True)
class Adjustment:
    """What is given up of `due` (the self-pay part as settled): `discount` then `rounding`, both yuan."""

    due: Decimal
    discount: Decimal = ZERO
    rounding: Decimal = ZERO
    spec: str = ""            # the discount as typed ("5", "9.5折")
    mode: str = ""            # jiao | yuan | ""
    by: str = ""              # the supervisor who authorised it

    @property
    def pay(self) -> Decimal:
        """What the patient pays now."""
        return self.due - self.discount - self.rounding

    def receipt_lines(self) -> list[str]:
        """The receipt's lines: what was given up, then what is paid (the 现金支付 above is the platform's)."""
        out = []
        if self.discount:
            out.append(f"整单折扣{f'（{self.spec}）' if self.spec.endswith('折') else ''}：-{self.discount:.2f}")
        if self.rounding:
            out.append(f"抹零：-{self.rounding:.2f}")
        return out + [f"折后现金：{self.pay:.2f}（医保结算不变）"]

    def on(self, due: Decimal) -> "Adjustment":
        """The same discount and rounding worked out again on another amount (the settled cash part)."""
        return make(due, self.spec, self.mode, self.by)


def discount_of(spec: str, due: Decimal) -> Decimal:
    """Yuan off `due` for "5" / "5.00" (yuan) or "9折" / "9.5折" (pay that many tenths, rounded to the 分)."""
    text = (spec or "").strip().replace("¥", "").replace("￥", "")
    if not text:
        return ZERO
    try:
        if text.endswith("折"):
            tenths = Decimal(text[:-1])
            if not tenths.is_finite() or not 0 < tenths < 10 or tenths.as_tuple().exponent < -1:
                raise InvalidOperation
            return due - (due * tenths / 10).quantize(Decimal("0.01"), ROUND_HALF_UP)
        off = Decimal(text)
        if not off.is_finite() or off <= 0 or off.as_tuple().exponent < -2:
            raise InvalidOperation
        return yuan(off)
    except InvalidOperation:
        raise AdjustError(f"折扣格式错误：{spec!r}；请输入减免金额（如 5 或 5.00）或折数（如 9折、9.5折）",
                          key="adjust_format") from None


def make(due: Decimal, discount: str = "", rounding: str = "", by: str = "") -> Adjustment:
    """The adjustment of `due`: the discount first, then 抹零 (`jiao` drops the 分, `yuan` the 角 and 分) of
    what is left. Refused when nothing is given up, nothing is due, or it would take all of it."""
    if rounding and rounding not in ROUNDING:
        raise AdjustError(f"抹零方式无效：{rounding}（jiao 抹分 / yuan 抹角分）", key="adjust_rounding")
    if due <= 0:
        raise AdjustError("本单没有现金部分，无需折扣或抹零", key="adjust_nothing_due")
    off = discount_of(discount, due)
    if off >= due:
        raise AdjustError(f"折扣 {off:.2f} 元不能达到或超过现金部分 {due:.2f} 元", key="adjust_too_much")
    left = due - off
    rounded = ZERO
    if rounding:
        step = ROUNDING[rounding][0]
        rounded = left - left.quantize(step, ROUND_DOWN)
        if rounded >= left:  # less than one step left: nothing would be paid at all
            rounded = ZERO
    if not off and not rounded:
        raise AdjustError("没有可减免的金额（现金部分已是整数）", key="adjust_nothing")
    return Adjustment(due, off, rounded, (discount or "").strip(), rounding, by)


def save(c, sale_id: int, adj: Adjustment, operator: str) -> None:
    """Write a sale's adjustment inside a transaction, booked to the open shift (if any); audited."""
    c.execute("INSERT INTO adjustments(sale_id, due, discount, rounding, spec, mode, operator, authorized_by,"
              " shift_id, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
              (sale_id, str(adj.due), str(adj.discount), str(adj.rounding), adj.spec, adj.mode, operator, adj.by,
               open_shift_id(c), now()))
    audit.append(c, "discounted", operator, sale_id=sale_id, due=str(adj.due), discount=str(adj.discount),
                 rounding=str(adj.rounding), authorized_by=adj.by)


def of_sale(journal, sale_id: int) -> Adjustment | None:
    """A sale's adjustment, if one was given."""
    rows = journal.query("SELECT * FROM adjustments WHERE sale_id=? ORDER BY id DESC LIMIT 1", (sale_id,))
    if not rows:
        return None
    r = rows[0]
    return Adjustment(Decimal(r["due"]), Decimal(r["discount"]), Decimal(r["rounding"]), r["spec"], r["mode"],
                      r["authorized_by"])
