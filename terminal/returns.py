"""Bringing back part of a sale (退一盒): some lines, or some boxes of a line, of a settled 医保 sale or of a
self-paid (自费) one. Supervisor-authorized, reasoned and audited like any refund (terminal/sale/refunds.py).

医保. The platform cancels a settlement only as a whole (2103 药店 / 2208 门诊, ../shared/PROTOCOL.md), so a
return is three steps of one journaled operation (table `returns`):
  1. the whole settlement refunded through the refund queue (refunds.queue: its guards; the return is written
     in the refund's own transaction; sync forwards it exactly once, a lost answer reversed with 2601);
  2. the kept lines settled again for the same person as a new sale, through the one sale script
     (checkout.Checkout: identify, register, bill with the kept boxes' 追溯码, quote, confirm);
  3. the difference handed back per tender, booked once.
Its state is read from its refund and its new sale, never stored twice, so whatever step a kill or a hostile
gateway interrupts, the journal says where it stands: an unknown refund or re-settlement is resolved by sync
(2601, never resent), and `resettle` / `finish` go on from there.

The patient's code. The re-settlement's 2101 / 2206 carry mdtrt_cert_type and mdtrt_cert_no (PROTOCOL.md
§2b). A public HIS that does the same 全撤重结 (package com.yb.hi.service.cashier, CashierService
rebuildPartialChain: 2208 -> 2205 -> 2204 -> 2206 -> 2207) sends the original psn_no and mdtrt_id with the
credential its visit stored (mdtrt_cert_type, "02" and the ID number by default): no new scan, because it keeps
the patient's ID number. ecpos journals neither the ecToken (valid for minutes) nor the ID number (masked), so
the kept lines wait for the patient's code again (state needs_code): a fresh 1101 that must name the original
psn_no. One source; whether a platform takes a stale ecToken is not known.

自费. Nothing at the platform: the returned amount goes back at once from the sale's tenders (in the order
they were paid), the returned boxes' 追溯码 the platform knew are reported 3506 and may be sold again at once.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal

from terminal import states
from terminal.checkout import Checkout
from terminal.journal import audit
from terminal.sale import refunds
from terminal.journal.clock import now
from terminal.journal.operators import OperatorError, verify
from terminal.errors import EcposError, PlatformError, PlatformRefused
from terminal.sale.items import Item
from terminal.sale.receipt import Receipt, ReceiptLine, for_sale
from terminal.money import ZERO, wire, yuan
from terminal.states import RefundState, ReturnState, SaleState, sql_list
from terminal.sale.tender import METHODS, open_shift_id

NEEDS_CODE, REVERSING, SETTLING, HANDBACK, DONE, FAILED = (
    ReturnState.NEEDS_CODE, ReturnState.REVERSING, ReturnState.SETTLING, ReturnState.HANDBACK, ReturnState.DONE,
    ReturnState.FAILED)
OFFSET = "退货抵扣"  # the reference of the tender rows that keep the kept lines' cash part from the hand-back


class ReturnError(EcposError):
    """The return cannot go on as asked; the message says why and what to do."""

    key = "return_refused"
    exit_code = 2


@dataclass(frozen=True)
class Pick:
    """What comes back of one bill line (1-based): `qty` boxes, or the whole line (None)."""

    line: int
    qty: Decimal | None = None


@dataclass(frozen=True)
class Return:
    """A return as the journal holds it; `state` says what it waits for, `back` what was handed back."""

    id: int
    sale_id: int
    refund_id: int
    state: str
    returned: tuple[dict, ...]
    kept: tuple[dict, ...]
    resale_id: int | None
    back: dict = field(default_factory=dict)
    message: str = ""

    @property
    def amount(self) -> Decimal:
        """The returned lines' amount at their price (what the boxes cost)."""
        return sum((yuan(r["amount"]) for r in self.returned), ZERO)


def parse_picks(specs: list[str]) -> list[Pick]:
    """`--lines 2:1` (line 2, one box), `--lines 3` (all of line 3), several allowed; ReturnError otherwise."""
    picks = []
    for spec in specs:
        for part in str(spec).replace("，", ",").split(","):
            line, _, qty = part.strip().partition(":")
            try:
                n = int(line)
                q = Decimal(qty) if qty.strip() else None
            except (ValueError, ArithmeticError):
                n, q = 0, None
            if n < 1 or (q is not None and (not q.is_finite() or q <= 0)):
                raise ReturnError(f"退货行写法错误：{part!r}；写成 行号 或 行号:盒数，如 2:1", key="return_lines")
            picks.append(Pick(n, q))
    if not picks:
        raise ReturnError("请选择要退回的药品行（如 --lines 2:1）", key="return_lines")
    return picks


# --- what comes back and what stays ---------------------------------------------------------------------
def _live_codes(c, sale_id: int) -> dict[int, list[str]]:
    """Per line, the 追溯码 still sold with the sale (not void, not returned)."""
    out: dict[int, list[str]] = {}
    for line, code in c.execute("SELECT line, code FROM trace_codes WHERE sale_id=? AND status NOT IN"
                                " ('void', 'returned', 'returning') ORDER BY line, id", (sale_id,)):
        out.setdefault(line, []).append(code)
    return out


def _remaining(c, sale: dict) -> list[dict]:
    """The sale's lines less what earlier returns of it brought back (a self-paid sale keeps its lines); a
    return whose reversal the platform refused brought nothing back."""
    lines = [dict(i, line=n, qty=Decimal(i["qty"])) for n, i in enumerate(json.loads(sale["items"] or "[]"), 1)]
    for (returned,) in c.execute("SELECT r.returned FROM returns r JOIN refunds f ON f.id = r.refund_id"
                                 " WHERE r.sale_id=? AND f.status != ?", (sale["id"], RefundState.FAILED)):
        for r in json.loads(returned):
            lines[r["line"] - 1]["qty"] -= Decimal(r["qty"])
    return lines


def split(lines: list[dict], codes: dict[int, list[str]], picks: list[Pick]) -> tuple[list[dict], list[dict]]:
    """(returned, kept) for the picks: each returned line's amount is what its boxes cost (the line's amount
    less the kept part's, so the parts add up to the cent) and takes the line's last scanned boxes."""
    by_line: dict[int, Decimal | None] = {}
    for p in picks:
        if not 1 <= p.line <= len(lines) or lines[p.line - 1]["qty"] <= 0:
            raise ReturnError(f"第 {p.line} 行不在这笔结算里，或已全部退回", key="return_lines")
        if p.line in by_line:
            raise ReturnError(f"第 {p.line} 行写了两次", key="return_lines")
        by_line[p.line] = p.qty
    returned, kept = [], []
    for ln in lines:
        have, price = ln["qty"], Decimal(ln["price"])
        if have <= 0:
            continue
        line_codes = codes.get(ln["line"], [])
        take = by_line[ln["line"]] if ln["line"] in by_line else Decimal(0)
        take = have if take is None else take
        if take > have:
            raise ReturnError(f"第 {ln['line']} 行只有 {have.normalize():f} 可退，不能退 {take.normalize():f}",
                              key="return_too_many")
        if take != have and (take != take.to_integral_value() or have != have.to_integral_value()):
            raise ReturnError(f"第 {ln['line']} 行为拆零数量，只能整行退回", key="return_lines")
        boxes = int(take) if take == take.to_integral_value() else len(line_codes)
        back_codes = line_codes[len(line_codes) - min(boxes, len(line_codes)):] if take else []
        rest = {k: v for k, v in ln.items() if k not in ("line", "qty")}
        if take:
            returned.append({"line": ln["line"], "code": ln["code"], "name": ln["name"], "qty": _num(take),
                             "price": ln["price"], "codes": back_codes,
                             "amount": wire(yuan(have * price) - yuan((have - take) * price))})
        if have - take > 0:
            kept.append({**rest, "line": ln["line"], "qty": _num(have - take),
                         "trace": [x for x in line_codes if x not in back_codes]})
    return returned, kept


def _num(d: Decimal) -> str:
    return f"{d.normalize():f}"


# --- reading -----------------------------------------------------------------------------------------------
def get(journal, return_id: int) -> Return:
    """A return with its state; ReturnError when there is none."""
    rows = journal.query("SELECT * FROM returns WHERE id=?", (return_id,))
    if not rows:
        raise ReturnError(f"没有退货单 {return_id}（ecpos return --list）", key="return_unknown")
    return _read(journal, rows[0])


def open_returns(journal) -> list[Return]:
    """Returns still waiting for something (the platform, the patient's code, the hand-back), oldest first."""
    found = [_read(journal, r) for r in journal.query("SELECT * FROM returns WHERE done_at='' ORDER BY id")]
    return [r for r in found if r.state not in (DONE, FAILED)]


def open_of_sale(journal, sale_id: int) -> Return | None:
    """The return of this sale (the one it came back from) still waiting for something, if any: a face goes
    on with it instead of starting another."""
    rows = journal.query("SELECT * FROM returns WHERE sale_id=? AND done_at='' ORDER BY id DESC LIMIT 1", (sale_id,))
    found = _read(journal, rows[0]) if rows else None
    return found if found is not None and found.state not in (DONE, FAILED) else None


def _read(journal, row: dict) -> Return:
    refund = journal.query("SELECT * FROM refunds WHERE id=?", (row["refund_id"],))[0]
    sale = journal.sale(row["sale_id"])
    kept = tuple(json.loads(row["kept"]))
    resale = journal.sale(row["resale_id"]) if row["resale_id"] else None
    if not sale["setl_id"]:
        state = DONE  # self-paid: handed back in the transaction that made it
    elif refund["status"] == RefundState.FAILED:
        state = FAILED
    elif refund["status"] != RefundState.REFUNDED:
        state = REVERSING
    elif kept and (resale is None or resale["status"] in states.GONE):
        state = NEEDS_CODE
    elif kept and resale["status"] in (SaleState.PENDING, SaleState.UNKNOWN):
        state = SETTLING
    else:
        state = DONE if row["done_at"] else HANDBACK
    back: dict[str, Decimal] = {}
    for r in journal.query("SELECT method, amount, reference, refund_id FROM tenders WHERE refund_id=?"
                           " OR (sale_id=? AND reference=?)", (row["refund_id"], row["resale_id"] or 0, OFFSET)):
        back[r["method"]] = back.get(r["method"], ZERO) - yuan(r["amount"])
    words = {
        REVERSING: ("原结算整笔撤销已提交医保平台（平台离线时排队，联网后自动上传）；平台受理后请患者出示医保码，"
                    "重新结算保留的药品"),
        NEEDS_CODE: f"原结算已撤销：请患者出示医保码，重新结算保留的 {len(kept)} 行药品；重新结算前不退款",
        SETTLING: "保留药品的重新结算结果待确认，请勿重复结算：同步（ecpos sync）后继续",
        HANDBACK: "保留药品已重新结算：请退还差额",
        DONE: "退货完成",
        FAILED: f"医保平台拒绝撤销原结算：{refund['err']}；原结算不变，未退任何款项",
    }
    return Return(row["id"], row["sale_id"], row["refund_id"], state,
                  tuple(json.loads(row["returned"])), kept, row["resale_id"], back, words[state])


# --- starting a return ----------------------------------------------------------------------------------------
def start(counter, sale_ref: str | int, picks: list[Pick], reason: str, cashier: str, supervisor: str,
          pin: str | None, cashier_pin: str | None = None) -> Return:
    """Bring back the picked lines / boxes of a journaled sale (its 流水号 setl_id, its SALE number or id):
    a 医保 sale's whole settlement goes to the refund queue and is forwarded at once; a self-paid sale's
    returned amount is handed back now. Raises RefundRefused / ReturnError (exit 2) on a guard."""
    journal = counter.journal
    sale = _find(journal, sale_ref)
    if sale["status"] == SaleState.SELF_PAID:
        return _self_paid(counter, sale, picks, reason, cashier, supervisor, pin, cashier_pin)
    with journal.tx() as c:
        returned, kept = split(_remaining(c, sale), _live_codes(c, sale["id"]), picks)
    made: list[int] = []

    def write(c, refund_id, row):
        cur = c.execute("INSERT INTO returns(sale_id, refund_id, returned, kept, cashier, created_at)"
                        " VALUES (?,?,?,?,?,?)", (row["id"], refund_id, json.dumps(returned, ensure_ascii=False),
                                                 json.dumps(kept, ensure_ascii=False), cashier, now()))
        made.append(int(cur.lastrowid))
        audit.append(c, "return_started", f"{cashier}/{supervisor}", return_id=made[0], sale_id=row["id"],
                     refund_id=refund_id, setl_id=row["setl_id"],
                     returned=[f"{r['line']}:{r['qty']}" for r in returned], kept=len(kept))

    refunds.queue(counter.store, counter.cfg, sale["setl_id"], reason, cashier, supervisor, pin,
                  cashier_pin=cashier_pin, then=write)
    counter.sync()  # forward at once; unreachable: it stays queued for the next sync
    return finish(counter, made[0], cashier)


def returnable(journal, sale_ref: str | int) -> tuple[dict, list[dict]]:
    """A sale and its lines as they may come back: {line, code, name, qty (left), price, boxes (codes)}."""
    sale = _find(journal, sale_ref)
    with journal.tx(durable=False) as c:
        lines, codes = _remaining(c, sale), _live_codes(c, sale["id"])
    return sale, [{"line": ln["line"], "code": ln["code"], "name": ln["name"], "qty": _num(ln["qty"]),
                   "price": ln["price"], "boxes": len(codes.get(ln["line"], []))} for ln in lines if ln["qty"] > 0]


def _find(journal, ref: str | int) -> dict:
    text = str(ref).strip()
    if text.upper().startswith("SALE") and text[4:].isdigit():
        text = str(int(text[4:]))
    rows = journal.query("SELECT * FROM sales WHERE setl_id=? AND setl_id!='' ORDER BY id DESC LIMIT 1", (text,))
    if not rows and text.isdigit():
        rows = journal.query("SELECT * FROM sales WHERE id=?", (int(text),))
    if not rows:
        raise ReturnError(f"交易日志中没有结算 {ref}；退货只能依据本机已结算的记录", key="return_unknown_sale")
    return rows[0]


def _self_paid(counter, sale: dict, picks, reason: str, cashier: str, supervisor: str, pin,
               cashier_pin: str | None = None) -> Return:
    """A self-paid sale's boxes back: refund row, hand-back from its tenders and the 3506 of the known boxes,
    in one transaction; the 3506 goes at once (best effort, else with the next sync)."""
    journal, store = counter.journal, counter.store
    reason = (reason or "").strip()
    actor = f"{cashier}/{supervisor}"
    if len(reason) < 2:
        journal.audit("refund_refused", cashier, why="refund_no_reason", sale_id=sale["id"])
        raise ReturnError("请填写退货原因（至少 2 个字）", key="refund_no_reason")
    if cashier_pin is not None:  # headless: the cashier proves who they are too (the app signed them in)
        try:
            verify(journal, cashier, cashier_pin, purpose="refund")
        except OperatorError as e:
            journal.audit("refund_refused", cashier, why="refund_cashier_pin", sale_id=sale["id"])
            raise ReturnError(f"退货未受理：{e.message}", key="refund_cashier_pin") from None
    refunds.check_supervisor(journal, supervisor, pin, f"sale {sale['id']}")
    with store.tx() as c:
        now_sale = c.execute("SELECT status FROM sales WHERE id=?", (sale["id"],)).fetchone()
        if now_sale[0] != SaleState.SELF_PAID or not journal.guard.row_holds("sales", sale["id"]):
            raise ReturnError(f"交易 {sale['id']} 已退费或其记录在 ecpos 之外被改动过（ecpos journal --verify）",
                              key="return_not_self_paid")
        returned, kept = split(_remaining(c, sale), _live_codes(c, sale["id"]), picks)
        amount = sum((yuan(r["amount"]) for r in returned), ZERO)
        refund_id = store.add_local_refund(c, sale, wire(amount), reason, cashier, supervisor, whole=not kept)
        cur = c.execute("INSERT INTO returns(sale_id, refund_id, returned, kept, cashier, created_at, done_at)"
                        " VALUES (?,?,?,?,?,?,?)", (sale["id"], refund_id, json.dumps(returned, ensure_ascii=False),
                                                   json.dumps(kept, ensure_ascii=False), cashier, now(), now()))
        return_id = int(cur.lastrowid)
        back = _hand_back_self_paid(c, sale["id"], refund_id, amount, cashier)
        _free_codes(c, counter.client, sale["id"], return_id, returned)
        audit.append(c, "return_self_paid", actor, return_id=return_id, sale_id=sale["id"], refund_id=refund_id,
                     amount=wire(amount), reason=reason, returned=[f"{r['line']}:{r['qty']}" for r in returned],
                     **{m: wire(a) for m, a in back.items()})
    if any(r["codes"] for r in returned):
        counter.report_trace()
    return get(journal, return_id)


def _hand_back_self_paid(c, sale_id: int, refund_id: int, amount: Decimal, operator: str) -> dict[str, Decimal]:
    """Hand `amount` back from the sale's tenders in the order they were paid, each less what earlier returns
    took from it, never more than is left of them (a 整单折扣 / 抹零 paid less than the lines' prices:
    terminal/sale/adjust.py); one negative tender row per method, booked to the open shift."""
    left: dict[str, Decimal] = {}
    for method, amt in c.execute("SELECT method, amount FROM tenders WHERE sale_id=? ORDER BY id", (sale_id,)):
        left[method] = left.get(method, ZERO) + yuan(amt)  # refund rows are negative: what is left to give
    back: dict[str, Decimal] = {}
    due = amount
    for method, have in left.items():
        take = min(have, due)
        if take > 0:
            back[method] = take
            due -= take
    if due > 0 and not left:  # a sale journaled without its tender: it goes back in cash
        back["cash"] = due
    shift = open_shift_id(c)
    for method, amt in back.items():
        c.execute("INSERT INTO tenders(sale_id, refund_id, method, amount, operator, shift_id, created_at)"
                  " VALUES (?,?,?,?,?,?,?)", (sale_id, refund_id, method, str(-amt), operator, shift, now()))
    return back


def _free_codes(c, client, sale_id: int, return_id: int, returned: list[dict]) -> None:
    """The returned boxes may be sold again: a code the platform never knew is void; a known one is returning
    until its 3506 (one report per line of this return, its msgid claimed here) is accepted."""
    stamp = now()
    for r in returned:
        if not r["codes"]:
            continue
        marks = ",".join("?" * len(r["codes"]))
        c.execute(f"UPDATE trace_codes SET status='void', status_at=? WHERE sale_id=? AND code IN ({marks})"
                  " AND status IN ('scanned', 'refused')", (stamp, sale_id, *r["codes"]))
        cur = c.execute(f"UPDATE trace_codes SET status='returning', status_at=? WHERE sale_id=? AND code IN"
                        f" ({marks}) AND status='reported'", (stamp, sale_id, *r["codes"]))
        if cur.rowcount:
            via = c.execute("SELECT via FROM trace_codes WHERE sale_id=? AND line=? LIMIT 1",
                            (sale_id, r["line"])).fetchone()[0]
            c.execute("INSERT INTO trace_reports(sale_id, kind, line, infno, msgid, status, created_at)"
                      " VALUES (?,?,?,?,?, 'open', ?)", (sale_id, f"return:{return_id}", r["line"],
                                                          "3506A" if via == "3505A" else "3506",
                                                          client.msgids.next(), stamp))


# --- the kept lines settled again -------------------------------------------------------------------------
def resettle(counter, return_id: int, code: str = "", card: tuple[str, str] | None = None,
             cashier: str = "") -> Return:
    """Settle the kept lines of a return again for the same person, with the code they show now (or their
    02 / 03 card), then hand back the difference. A refusal leaves it needing the code; an unknown outcome
    leaves it settling until sync resolves it (never settle it again by hand)."""
    r = get(counter.journal, return_id)
    if r.state == SETTLING:
        counter.sync()  # a dead process's half-made re-settlement: sync closes or resolves it first
        r = get(counter.journal, return_id)
    if r.state != NEEDS_CODE:
        if r.state == HANDBACK:
            return finish(counter, return_id, cashier)
        raise ReturnError(r.message, key=f"return_{r.state}")
    orig = counter.journal.sale(r.sale_id)
    sale = Checkout(counter)
    patient = sale.identify_card(*card) if card else sale.identify(code)
    if patient.psn_no != orig["psn_no"]:
        counter.journal.audit("return_other_person", cashier, return_id=return_id)
        raise ReturnError(f"此医保码不是原结算参保人（{orig['name_masked']}）的：保留药品只能为原参保人重新结算",
                          key="return_other_person")
    visit = json.loads(orig["visit"] or "{}")
    sale.register(visit.get("dept_code", ""), visit.get("doctor", ""))
    sale.keep_from(r.sale_id)  # sold already: no lot or buyer asked again (terminal/checkout.py)
    sale.bill([_item(k) for k in r.kept])
    quote = sale.quote()
    with counter.store.tx() as c:  # one re-settlement at a time: the link is the claim
        cur = c.execute(f"UPDATE returns SET resale_id=? WHERE id=? AND (resale_id IS NULL OR resale_id IN"
                        f" (SELECT id FROM sales WHERE status IN {sql_list(states.GONE)}))", (quote.sale_id, return_id))
        if cur.rowcount:
            audit.append(c, "return_resettling", cashier, return_id=return_id, sale_id=quote.sale_id)
    if not cur.rowcount:
        sale.cancel()
        raise ReturnError("另一个窗口正在为这笔退货重新结算，请稍候查看（ecpos return --list）", key="return_busy")
    try:
        sale.confirm()
    except PlatformRefused:
        raise  # the platform said no: nothing settled; the return still needs the code
    except PlatformError:
        return get(counter.journal, return_id)  # unknown: settling until sync resolves it
    return finish(counter, return_id, cashier)


def _item(kept: dict) -> Item:
    wire_fields = {k: v for k, v in kept.items() if k in Item.__dataclass_fields__
                   and k not in ("code", "name", "qty", "price", "trace")}
    return Item(kept["code"], kept["name"], Decimal(kept["qty"]), Decimal(kept["price"]),
                trace=tuple(kept.get("trace", ())), **wire_fields)


def finish(counter, return_id: int, cashier: str) -> Return:
    """Once the kept lines are settled again (or nothing was kept and the refund went through), book the
    hand-back once: the original tenders back (the whole refund's rows), less the kept lines' new cash part
    kept from them in the order they were paid (its tender rows on the new sale, reference 退货抵扣). When
    the new cash part is more than the original one, the rest is cash to collect (a negative hand-back)."""
    journal = counter.journal
    r = get(journal, return_id)
    if r.state != HANDBACK:
        return r
    paid = [(t["method"], yuan(t["amount"])) for t in journal.query(
        "SELECT method, amount FROM tenders WHERE sale_id=? AND refund_id IS NULL ORDER BY id", (r.sale_id,))]
    new_cash = yuan(journal.sale(r.resale_id)["psn_cash_pay"]) if r.resale_id else ZERO
    kept_from: list[tuple[str, Decimal]] = []
    due = new_cash
    for method, amt in paid:
        take = min(amt, due)
        if take > 0:
            kept_from.append((method, take))
            due -= take
    if due > 0:
        kept_from.append(("cash", due))  # more than was paid before: the patient pays the rest in cash
    with journal.tx() as c:
        if not c.execute("UPDATE returns SET done_at=? WHERE id=? AND done_at=''", (now(), return_id)).rowcount:
            return get(journal, return_id)  # another process booked it
        shift = open_shift_id(c)
        totals: dict[str, Decimal] = {}
        for method, amt in paid:
            totals[method] = totals.get(method, ZERO) + amt
        for method, amt in totals.items():
            c.execute("INSERT INTO tenders(sale_id, refund_id, method, amount, operator, shift_id, created_at)"
                      " VALUES (?,?,?,?,?,?,?)", (r.sale_id, r.refund_id, method, str(-amt), cashier, shift, now()))
        for method, amt in kept_from:  # cash: received what was kept, no change (the receipt's 实收 / 找零)
            cash = (str(amt), "0.00") if method == "cash" else ("", "")
            c.execute("INSERT INTO tenders(sale_id, method, amount, received, change, reference, operator, shift_id,"
                      " created_at) VALUES (?,?,?,?,?,?,?,?,?)",
                      (r.resale_id, method, str(amt), *cash, OFFSET, cashier, shift, now()))
        done = get_in(c, journal, return_id)
        audit.append(c, "return_handed_back", cashier, return_id=return_id, resale_id=r.resale_id,
                     **{m: wire(a) for m, a in done.items()})
    return get(journal, return_id)


def get_in(c, journal, return_id: int) -> dict[str, Decimal]:
    """What a return handed back per method, read inside a transaction."""
    row = c.execute("SELECT refund_id, resale_id FROM returns WHERE id=?", (return_id,)).fetchone()
    back: dict[str, Decimal] = {}
    for method, amount in c.execute("SELECT method, amount FROM tenders WHERE refund_id=? OR (sale_id=? AND"
                                    " reference=?)", (row[0], row[1] or 0, OFFSET)):
        back[method] = back.get(method, ZERO) - yuan(amount)
    return back


def hand_back_words(back: dict[str, Decimal]) -> list[str]:
    """What the cashier does with the money, one line per method."""
    out = []
    for m, a in back.items():
        label = "现金" if m == "cash" else f"{METHODS.get(m, m)}（原渠道）"
        out.append(f"请退还{label} {a:.2f} 元" if a >= 0 else f"请向患者收取{label} {-a:.2f} 元")
    return out


# --- the slip ---------------------------------------------------------------------------------------------------
def slip(cfg, journal, return_id: int):
    """The return slip (退货单): the returned lines with their amount, the kept ones, the new settlement's
    流水号 and amounts, and what went back per tender."""
    r = get(journal, return_id)
    sale = journal.sale(r.sale_id)
    resale = journal.sale(r.resale_id) if r.resale_id else None
    notes = [f"保留 {k['name']} x{Decimal(k['qty']).normalize():f}" for k in r.kept]
    if resale is not None and resale["setl_id"] and r.state in (HANDBACK, DONE):
        notes += ["重新结算流水号：", f"  {resale['setl_id']}",
                  f"  统筹 {resale['fund_pay_sumamt']} 个账 {resale['acct_pay']}",
                  f"  现金 {resale['psn_cash_pay']}"]
    notes += ["原流水号：", f"  {sale['setl_id'] or 'SALE%08d' % sale['id']}"]
    codes = [x for ret in r.returned for x in ret["codes"]]
    if codes:
        notes.append(f"退回追溯码 {len(codes)} 个（3506 退货）")
    notes.append(r.message)
    return Receipt(title=cfg.institution.fixmedins_name, headline="退货单", setl_id=f"RET{r.id:08d}",
                   when=now()[:19].replace("T", " "), patient_name=sale["name_masked"], patient_id=sale["id_masked"],
                   lines=tuple(ReceiptLine(x["name"], Decimal(x["qty"]), yuan(x["amount"])) for x in r.returned),
                   totals=(("退货金额", r.amount),), tenders=tuple(hand_back_words(r.back)),
                   notes=tuple(notes), operator=journal.query("SELECT cashier FROM returns WHERE id=?",
                                                              (r.id,))[0]["cashier"], footer=())


def papers(cfg, journal, return_id: int) -> list:
    """What prints when a return is done: its slip, and the kept lines' own receipt (结算单) when they were
    settled again."""
    r = get(journal, return_id)
    return [slip(cfg, journal, return_id)] + ([for_sale(cfg, journal, r.resale_id)] if r.resale_id else [])
