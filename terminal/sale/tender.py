"""Tendering the self-pay part (psn_cash_pay) of a settlement: cash received -> change, or another method
(WeChat, Alipay, bank card, other) with its reference, or a Split of them (组合支付: part by WeChat, the rest in
cash); and the cash handed back when a sale is refunded.

One row per tender in the journal's `tenders` table, booked to the operator and the open shift, so the
handover (terminal/office/shifts.py) adds them up.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from terminal.errors import EcposError
from terminal.journal import audit
from terminal.journal.clock import now
from terminal.money import ZERO, yuan

METHODS = {"cash": "现金", "wechat": "微信", "alipay": "支付宝", "card": "银行卡", "other": "其他"}


class TenderError(EcposError):
    """The tender does not cover the amount, or its method / reference is not usable."""

    key = "tender_invalid"
    exit_code = 2


@dataclass(frozen=True)
class Tender:
    """How the self-pay part was paid: for cash, what was received and the change given."""

    method: str
    amount: Decimal
    received: Decimal | None = None
    change: Decimal | None = None
    reference: str = ""

    @property
    def label(self) -> str:
        """现金 / 微信 … as receipts and slips show it."""
        return METHODS[self.method]

    def receipt_lines(self) -> list[str]:
        """The receipt's lines for this tender."""
        if self.method == "cash":
            return [f"现金支付：{self.amount:.2f}", f"实收：{self.received:.2f}  找零：{self.change:.2f}"]
        return [f"{self.label}支付：{self.amount:.2f}  凭证号：{self.reference}"]


@dataclass(frozen=True)
class Split:
    """One bill's self-pay part paid by several tenders (组合支付), each with its amount and reference; at most
    one cash part, which covers what the others leave and gives the change. Stands where a Tender does."""

    parts: tuple[Tender, ...]
    method = "split"
    reference = ""
    label = "组合支付"

    @property
    def amount(self) -> Decimal:
        return sum((t.amount for t in self.parts), ZERO)

    @property
    def _cash(self) -> Tender | None:
        return next((t for t in self.parts if t.method == "cash"), None)

    @property
    def received(self) -> Decimal | None:
        return self._cash.received if self._cash else None

    @property
    def change(self) -> Decimal | None:
        return self._cash.change if self._cash else None

    def receipt_lines(self) -> list[str]:
        """Each part's lines, as the receipt lists them."""
        return [line for t in self.parts for line in t.receipt_lines()]


def parts_of(tender) -> tuple[Tender, ...]:
    """The tenders one payment is booked as: a Split's parts, or the one Tender."""
    return tender.parts if isinstance(tender, Split) else (tender,)


def split(due: Decimal, others: list[Tender], cash_received: Decimal | None = None) -> Tender | Split:
    """`due` paid by the non-cash `others` (each its own amount and reference) and, when cash_received is
    given, cash for what they leave (change given back). TenderError when the parts do not make up `due`
    exactly: more than due by a card or app cannot be handed back as change."""
    left = due - sum((t.amount for t in others), ZERO)
    if any(t.method == "cash" or t.amount <= 0 for t in others):
        raise TenderError("组合支付：每种非现金方式填写大于 0 的金额，现金只能一笔", key="tender_split")
    if left < 0:
        raise TenderError(f"组合支付超出应收 {due:.2f} 元 {-left:.2f} 元：非现金部分不能找零，请改小金额",
                          key="tender_split_over")
    parts = list(others)
    if cash_received is not None and left > 0:
        parts.append(cash(left, cash_received))
    elif left > 0:
        raise TenderError(f"组合支付还差 {left:.2f} 元：请收现金或再加一种支付方式", key="tender_short")
    return parts[0] if len(parts) == 1 else Split(tuple(parts))


def amount_of(text: str, what: str = "金额") -> Decimal:
    """A yuan amount typed by a person ('50', '50.00'), refusing anything else with what to type."""
    try:
        d = Decimal(str(text).strip().replace("¥", "").replace("￥", ""))
    except InvalidOperation:
        d = Decimal("NaN")
    if not d.is_finite() or d < 0 or d.as_tuple().exponent < -2:
        raise TenderError(f"{what}格式错误：{text!r}；请输入金额，如 50 或 50.00", key="tender_amount")
    return yuan(d)


def cash(due: Decimal, received: Decimal) -> Tender:
    """Cash for `due`: TenderError when less was received; the change otherwise."""
    if received < due:
        raise TenderError(f"实收 {received:.2f} 元不足应收现金 {due:.2f} 元，请再收 {due - received:.2f} 元",
                          key="tender_short")
    return Tender("cash", due, received, received - due)


def other(method: str, due: Decimal, reference: str) -> Tender:
    """A non-cash method with its reference (the payment slip's or app's transaction number)."""
    if method not in METHODS or method == "cash":
        raise TenderError(f"支付方式无效：{method}（wechat 微信 / alipay 支付宝 / card 银行卡 / other 其他）",
                          key="tender_method")
    reference = (reference or "").strip()
    if not 4 <= len(reference) <= 64 or not reference.isprintable():
        raise TenderError(f"请填写{METHODS[method]}支付的凭证号（交易单号后几位，4-64 个字符）", key="tender_reference")
    return Tender(method, due, reference=reference)


def parse(spec: str, due: Decimal) -> Tender | Split:
    """`--tender wechat:REF` (or cash:RECEIVED) from the command line; a split is parts joined by commas,
    each non-cash part with its amount (`wechat:30:REF,cash:50`: 30 by WeChat, the rest from 50 in cash)."""
    specs = [p.strip() for p in (spec or "").split(",")]
    if len(specs) == 1:
        method, _, rest = specs[0].partition(":")
        method = method.strip().lower()
        if method == "cash":
            return cash(due, amount_of(rest, "实收金额") if rest else due)
        return other(method, due, rest)
    others, received = [], None
    for part in specs:
        method, _, rest = part.partition(":")
        method = method.strip().lower()
        if method == "cash":
            if received is not None:
                raise TenderError("组合支付中现金只能写一次：cash:实收金额", key="tender_split")
            received = amount_of(rest, "实收金额") if rest else None
            if received is None:
                raise TenderError("组合支付中的现金请写实收金额：cash:50", key="tender_split")
            continue
        amount, sep, ref = rest.partition(":")
        if not sep:
            raise TenderError(f"组合支付的 {part!r} 请写成 方式:金额:凭证号，如 wechat:30:4200001234",
                              key="tender_split")
        others.append(other(method, amount_of(amount, f"{METHODS.get(method, method)}金额"), ref))
    return split(due, others, received)


def open_shift_id(c) -> int | None:
    """The till's open shift (terminal/office/shifts.py) inside a transaction, or None: tenders are booked to it."""
    row = c.execute("SELECT id FROM shifts WHERE closed_at='' ORDER BY id DESC LIMIT 1").fetchone()
    return row[0] if row else None


def record(c, sale_id: int, tender: Tender | Split, operator: str) -> None:
    """Write a sale's tender (one row per part of a Split) inside a transaction, booked to the open shift
    (if any)."""
    for t in parts_of(tender):
        c.execute("INSERT INTO tenders(sale_id, method, amount, received, change, reference, operator, shift_id,"
                  " created_at) VALUES (?,?,?,?,?,?,?,?,?)",
                  (sale_id, t.method, str(t.amount), "" if t.received is None else str(t.received),
                   "" if t.change is None else str(t.change), t.reference, operator, open_shift_id(c), now()))


def save(journal, sale_id: int, tender: Tender | Split, operator: str) -> None:
    """Record a sale's tender in its own transaction; audited, part by part."""
    with journal.tx() as c:
        record(c, sale_id, tender, operator)
        for t in parts_of(tender):
            audit.append(c, "tendered", operator, sale_id=sale_id, method=t.method, amount=str(t.amount))


def of_sale(journal, sale_id: int) -> list[Tender]:
    """A sale's tenders (not the refund rows)."""
    return [Tender(r["method"], Decimal(r["amount"]), Decimal(r["received"]) if r["received"] else None,
                   Decimal(r["change"]) if r["change"] else None, r["reference"])
            for r in journal.query("SELECT * FROM tenders WHERE sale_id=? AND refund_id IS NULL ORDER BY id",
                                   (sale_id,))]


def cash_back(journal, sale_id: int) -> Decimal:
    """Cash to hand back when this sale is refunded: what it took in cash (change already given)."""
    return sum((t.amount for t in of_sale(journal, sale_id) if t.method == "cash"), ZERO)


def record_refund(journal, refund_id: int, operator: str) -> dict[str, Decimal]:
    """Book what is handed back for a refund, per method (cash out of the drawer; other methods are
    returned through their own channel); returns method -> amount handed back. Once per refund."""
    refund = journal.refund(refund_id)
    if refund is None:
        return {}
    sale_id = refund["sale_id"]
    back: dict[str, Decimal] = {}
    for t in of_sale(journal, sale_id):
        back[t.method] = back.get(t.method, ZERO) + t.amount
    with journal.tx() as c:
        if c.execute("SELECT 1 FROM tenders WHERE refund_id=?", (refund_id,)).fetchone():
            return back
        shift = open_shift_id(c)
        for method, amount in back.items():
            c.execute("INSERT INTO tenders(sale_id, refund_id, method, amount, operator, shift_id, created_at)"
                      " VALUES (?,?,?,?,?,?,?)", (sale_id, refund_id, method, str(-amount), operator, shift, now()))
        audit.append(c, "refund_handed_back", operator, refund_id=refund_id,
                     **{m: str(a) for m, a in back.items()})
    return back
