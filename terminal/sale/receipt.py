"""What a receipt says, and its layout in half-width cells: the same text for the app, the headless
`ecpos settle`, the agent and a reprint from the journal. Printing it is drivers/printer.py's.

Names and ID numbers are masked here whatever the caller passes (masking is idempotent), so a receipt can
never carry them in clear.
"""
from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache
from datetime import datetime
from decimal import Decimal
from types import SimpleNamespace

from terminal.sale import lots
from terminal.sale import adjust, drug_register, tender
from terminal.sale.items import Item
from terminal.masking import mask_id, mask_name
from terminal.money import wire
from terminal.sale.records import INSUTYPE_NAMES
from terminal.states import SaleState

AMOUNT_LABELS = (("medfee_sumamt", "费用合计"), ("fund_pay_sumamt", "统筹基金支付"),
                 ("acct_pay", "个人账户支付"), ("psn_cash_pay", "现金支付"), ("balc", "个人账户余额"))


@dataclass(frozen=True)
class ReceiptLine:
    """One bill line: name, quantity and line amount (and its lot, 批号 / 效期, when recorded)."""

    name: str
    qty: Decimal
    amount: Decimal
    lot: str = ""


@dataclass(frozen=True)
class Receipt:
    """What a receipt shows; every field is plain data (built by the UI from a Settlement)."""

    title: str
    setl_id: str
    when: str
    patient_name: str
    patient_id: str
    insutype_name: str = ""
    lines: tuple[ReceiptLine, ...] = ()
    totals: tuple[tuple[str, Decimal], ...] = ()
    notes: tuple[str, ...] = ()
    headline: str = "医保电子凭证结算单"
    footer: tuple[str, ...] = field(default=("先激活后缴费", "先医保电子凭证后医保卡"))
    reprint: bool = False           # a copy printed again from the journal: marked 重打
    operator: str = ""              # the cashier the sale is booked to
    tenders: tuple[str, ...] = ()   # how the self-pay part was paid (terminal.sale.tender.Tender.receipt_lines)


@lru_cache(maxsize=4096)
def _cells(c: str) -> int:
    # cached: a receipt is a few hundred characters of the same few dozen, laid out at every GET of a sale
    return 2 if unicodedata.east_asian_width(c) in "WF" else 1


def text_width(s: str) -> int:
    """Printed width of a string in half-width cells (CJK and full-width characters take two)."""
    return sum(map(_cells, s))


def _fit(s: str, width: int) -> str:
    used = 0
    for n, c in enumerate(s):
        used += _cells(c)
        if used > width:
            return s[:n]
    return s


def _wrap(s: str, width: int) -> list[str]:
    """A line broken at `width` cells (a tender's reference is never cut off: the patient may need it)."""
    out = []
    while text_width(s) > width:
        head = _fit(s, width)
        # between a tender's amount and its reference, else after its label: a reference stays in one piece
        cut = head.rfind("  ") if head.rfind("  ") > 0 else head.rfind("：") + 1
        head = head[:cut] if cut > 0 else head
        out.append(head)
        s = "  " + s[len(head):].lstrip()
    return out + [s]


def _pair(left: str, right: str, width: int) -> str:
    left = _fit(left, max(1, width - text_width(right) - 1))
    return left + " " * max(1, width - text_width(left) - text_width(right)) + right


def center(s: str, width: int) -> str:
    s = _fit(s, width)
    pad = max(0, (width - text_width(s)) // 2)
    return " " * pad + s


def layout(r: Receipt, width: int = 32) -> list[str]:
    """The receipt as lines of at most `width` cells (the plain-text copy and the printed body)."""
    rule = "-" * width
    out = [center(r.title, width), center(r.headline, width)]
    if r.reprint:
        out.append(center("【重打】", width))
    out += [rule,
           _pair("流水号", r.setl_id, width), _pair("时间", r.when, width),
           _pair("姓名", mask_name(r.patient_name), width),
           _pair("证件号", mask_id(r.patient_id), width)]
    if r.insutype_name:
        out.append(_pair("险种", r.insutype_name, width))
    if r.lines:
        out.append(rule)
        for line in r.lines:
            out.append(_fit(line.name, width))
            if line.lot:
                out.append(_fit("  " + line.lot, width))
            out.append(_pair(f"  x{line.qty.normalize():f}", wire(line.amount), width))
    out.append(rule)
    out += [_pair(label, wire(amount), width) for label, amount in r.totals]
    out += [part for t in r.tenders for part in _wrap(t, width)]
    if r.operator:
        out.append(_pair("收银员", r.operator, width))
    if r.notes:
        out.append(rule)
        out += [_fit(n, width) for n in r.notes]
    out.append(rule)
    out += [center(f, width) for f in r.footer]
    return out


def for_settlement(cfg, settlement, extra_notes=(), title_suffix: str = "", operator: str = "",
                   tenders: tuple[str, ...] = ()) -> Receipt:
    """The receipt of a settlement just made: institution, masked patient, its items and amounts."""
    totals = tuple((label, getattr(settlement, f)) for f, label in AMOUNT_LABELS
                   if getattr(settlement, f, None) is not None)
    lines = tuple(ReceiptLine(it.name, it.qty, it.amount, _lot_text(it)) for it in getattr(settlement, "items", ()))
    when = getattr(settlement, "setl_time", "") or datetime.now().strftime("%Y-%m-%d %H:%M:%S")
    notes = []
    family = getattr(settlement, "family_of", "")
    if family:
        notes.append(f"亲情账户：{family} 代为出示")
    notes += list(extra_notes)
    return Receipt(title=cfg.institution.fixmedins_name + title_suffix,
                   setl_id=str(getattr(settlement, "setl_id", "")), when=str(when),
                   patient_name=getattr(settlement, "name_masked", ""),
                   patient_id=getattr(settlement, "id_masked", ""),
                   insutype_name=getattr(settlement, "insutype_name", ""), lines=lines, totals=totals,
                   notes=tuple(notes), operator=operator, tenders=tuple(tenders))


def for_row(cfg, row: dict, *, tenders: tuple[str, ...] = (), reprint: bool = False) -> Receipt:
    """The receipt of a journaled sale (settled or self-paid) from its row: what the app, the headless
    `ecpos settle`, `ecpos reprint` and the agent print; `reprint` marks it 重打."""
    items = tuple(Item(i["code"], i["name"], Decimal(i["qty"]), Decimal(i["price"]),
                       **{k: i[k] for k in lots.FIELDS if k in i})
                  for i in json.loads(row["items"] or "[]"))
    amounts = {k: Decimal(row[k]) for k in ("medfee_sumamt", "fund_pay_sumamt", "acct_pay", "psn_cash_pay")}
    self_paid = row["status"] == SaleState.SELF_PAID
    if self_paid:  # no insurance: only the total and what was paid
        amounts = {"medfee_sumamt": amounts["medfee_sumamt"], "psn_cash_pay": amounts["psn_cash_pay"]}
    sale = SimpleNamespace(setl_id=row["setl_id"] or f"SALE{row['id']:08d}", setl_time=row["setl_time"],
                           name_masked=row["name_masked"], id_masked=row["id_masked"], family_of=row["family_of"],
                           insutype_name=INSUTYPE_NAMES.get(row["insutype"], row["insutype"]), items=items, **amounts)
    r = for_settlement(cfg, sale, extra_notes=("自费（未使用医保）",) if self_paid else ())
    return replace(r, reprint=reprint, operator=row["opter"], tenders=tuple(tenders),
                   headline="收费凭证" if self_paid else r.headline)


def for_sale(cfg, journal, sale_id: int, reprint: bool = False) -> Receipt:
    """The receipt of a journaled sale with its operator and tenders (terminal/sale/tender.py), any 整单折扣 / 抹零
    first (terminal/sale/adjust.py: what the tenders below paid), and the buyer registered for its 含麻黄碱类复方制剂
    (terminal/sale/drug_register.py), masked."""
    adj = adjust.of_sale(journal, sale_id)
    lines = tuple((adj.receipt_lines() if adj else [])
                  + [line for t in tender.of_sale(journal, sale_id) for line in t.receipt_lines()])
    r = for_row(cfg, journal.sale(sale_id), tenders=lines, reprint=reprint)
    return replace(r, notes=r.notes + drug_register.receipt_notes(journal, sale_id))


def _lot_text(item) -> str:
    lot = lots.of_item(item)
    return lot.text() if lot is not None else ""
