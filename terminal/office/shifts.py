"""Shifts (交班): open with a cash float, close with the counted cash; the report adds up the shift's
settlements, tenders and refunds from the journal and says how much cash the drawer should hold.

One open shift per till (a partial unique index on the journal makes a second `open` fail even from another
process). A shift left open across a restart is still open: it is a journal row, not process state.
A settlement belongs to the shift when the platform's answer was journaled while the shift was open; tenders
and cash handed back carry the shift's id. At the handover the cashier signs out at the platform too (9002,
platform_sign_out).
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from terminal import logs
from terminal.errors import EcposError, PlatformError
from terminal.journal import audit, operators
from terminal.journal.clock import local_time, now
from terminal.money import ZERO, yuan
from terminal.sale import holds
from terminal.sale.holds import expired_words
from terminal.sale.tender import METHODS
from terminal import states
from terminal.states import RefundState, SaleState
from terminal.wire.wire import JournaledClient

STOOD = states.STOOD  # settlements that happened


class ShiftError(EcposError):
    """No open shift to close, one already open, or a bad amount."""

    key = "shift_invalid"
    exit_code = 2


@dataclass
class ShiftReport:
    """What a shift did, in yuan (Decimal); `difference` = counted - expected cash (None while open)."""

    shift_id: int
    opened_by: str
    opened_at: str
    closed_at: str
    closed_by: str
    float: Decimal
    sales: int = 0
    medfee_sumamt: Decimal = ZERO
    fund_pay_sumamt: Decimal = ZERO
    acct_pay: Decimal = ZERO
    psn_cash_pay: Decimal = ZERO
    tenders: dict[str, Decimal] = field(default_factory=dict)
    untendered: Decimal = ZERO       # self-pay settled without a recorded method (headless, older sales)
    discounts: Decimal = ZERO        # 整单折扣 / 抹零 given up of the self-pay part (terminal/sale/adjust.py)
    self_paid: int = 0               # sales without insurance (自费), paid whole by a tender above
    self_paid_sumamt: Decimal = ZERO
    refunds: int = 0
    refund_sumamt: Decimal = ZERO
    cash_back: Decimal = ZERO        # cash handed back for refunds
    expected_cash: Decimal = ZERO
    counted: Decimal | None = None
    difference: Decimal | None = None
    held_expired: int = 0            # 挂单 still held at the close, expired with it (terminal/sale/holds.py)
    held_open: int = 0               # 挂单 waiting while the shift is open: they expire at its close

    def to_json(self) -> dict:
        """Field -> text (money as '12.50'), for --json and the journal."""
        def out(v):
            if isinstance(v, Decimal):
                return f"{v:.2f}"
            if isinstance(v, dict):
                return {k: out(x) for k, x in v.items()}
            return v
        return {k: out(v) for k, v in asdict(self).items()}


def current(journal) -> dict | None:
    """The open shift's row, or None."""
    rows = journal.query("SELECT * FROM shifts WHERE closed_at='' ORDER BY id DESC LIMIT 1")
    return rows[0] if rows else None


def open_shift(journal, cashier: str, float_: Decimal) -> int:
    """Open a shift with the cash float in the drawer; ShiftError when one is open already. Audited."""
    if not float_.is_finite() or float_ < 0:
        raise ShiftError(f"备用金格式错误：{float_}；请输入金额，如 200.00", key="shift_float")
    try:
        with journal.tx() as c:
            cur = c.execute("INSERT INTO shifts(opened_by, opened_at, float) VALUES (?,?,?)",
                            (cashier, now(), str(yuan(float_))))
            audit.append(c, "shift_opened", cashier, shift_id=cur.lastrowid, float=str(yuan(float_)))
            return int(cur.lastrowid)
    except sqlite3.IntegrityError:
        row = current(journal)
        raise ShiftError(f"已有未交班的班次 #{row['id']}（{row['opened_by']} 于 {local_time(row['opened_at'])} 开班）；"
                         f"请先交班（ecpos shift close --counted 金额）", key="shift_already_open") from None


def report(journal, shift_id: int | None = None) -> ShiftReport:
    """The report of a shift (the open one by default), counted from the journal as it is now."""
    rows = (journal.query("SELECT * FROM shifts WHERE id=?", (shift_id,)) if shift_id is not None
            else journal.query("SELECT * FROM shifts WHERE closed_at='' ORDER BY id DESC LIMIT 1"))
    if not rows:
        raise ShiftError("当前没有开班；请先开班（ecpos shift open --float 备用金）" if shift_id is None
                         else f"没有班次 #{shift_id}", key="shift_none")
    s = rows[0]
    r = ShiftReport(s["id"], s["opened_by"], s["opened_at"], s["closed_at"], s["closed_by"], yuan(s["float"]))
    end = s["closed_at"] or "9999"
    sales = journal.query(
        f"SELECT * FROM sales WHERE status IN ({','.join('?' * len(STOOD))}) AND "
        "COALESCE(NULLIF(confirmed_at,''), status_at) >= ? AND COALESCE(NULLIF(confirmed_at,''), status_at) < ?",
        (*STOOD, s["opened_at"], end))
    r.sales = len(sales)
    for k in ("medfee_sumamt", "fund_pay_sumamt", "acct_pay", "psn_cash_pay"):
        setattr(r, k, sum((yuan(x[k]) for x in sales), ZERO))
    for t in journal.query("SELECT method, amount, refund_id FROM tenders WHERE shift_id=? ORDER BY id", (s["id"],)):
        if t["refund_id"] is None:
            r.tenders[t["method"]] = r.tenders.get(t["method"], ZERO) + yuan(t["amount"])
        elif t["method"] == "cash":
            r.cash_back -= yuan(t["amount"])  # stored negative
    own = journal.query("SELECT medfee_sumamt FROM sales WHERE status=? AND confirmed_at >= ? "
                        "AND confirmed_at < ?", (SaleState.SELF_PAID, s["opened_at"], end))
    r.self_paid = len(own)
    r.self_paid_sumamt = sum((yuan(x["medfee_sumamt"]) for x in own), ZERO)
    ids = ",".join(str(int(x["id"])) for x in sales) or "NULL"
    paid = sum((yuan(t["amount"]) for t in journal.query(
        f"SELECT amount FROM tenders WHERE refund_id IS NULL AND sale_id IN ({ids})")), ZERO)
    given = journal.query("SELECT sale_id, discount, rounding FROM adjustments WHERE shift_id=?", (s["id"],))
    r.discounts = sum((yuan(a["discount"]) + yuan(a["rounding"]) for a in given), ZERO)
    settled = {int(x["id"]) for x in sales}  # what was given up of them was never to be paid
    r.untendered = max(r.psn_cash_pay - paid - sum((yuan(a["discount"]) + yuan(a["rounding"]) for a in given
                                                    if a["sale_id"] in settled), ZERO), ZERO)
    refunds = journal.query("SELECT amount FROM refunds WHERE status!=? AND created_at >= ? AND created_at < ?",
                            (RefundState.FAILED, s["opened_at"], end))
    r.refunds = len(refunds)
    r.refund_sumamt = sum((yuan(x["amount"]) for x in refunds), ZERO)
    r.expected_cash = r.float + r.tenders.get("cash", ZERO) - r.cash_back
    if not s["closed_at"]:
        r.held_open = journal.query("SELECT COUNT(*) n FROM held_bills WHERE status='held'")[0]["n"]
    if s["counted"]:
        r.counted = yuan(s["counted"])
        r.difference = r.counted - r.expected_cash
    return r


def count_words(r: ShiftReport, counted: Decimal) -> str:
    """What the cash counted says against the shift's expected cash, for the cashier to confirm before the
    handover: "短款 3.60" (less in the drawer), "长款 1.20" (more), "" when it balances."""
    diff = yuan(counted) - r.expected_cash
    return "" if not diff else f"{'短款' if diff < 0 else '长款'} {abs(diff):.2f}"


def require_open(journal, cfg) -> None:
    """[till] require_shift: the app's cashier takes money only inside an open shift (its float and its
    tenders counted at the handover). ShiftError saying how to open one otherwise."""
    if getattr(cfg.till, "require_shift", False) and current(journal) is None:
        raise ShiftError("尚未开班，不能收费：请先按 Ctrl+J 输入备用金开班", key="shift_required")


def close_shift(journal, cashier: str, counted: Decimal) -> ShiftReport:
    """Close the open shift with the cash counted in the drawer; the report (with the difference) is kept
    in the journal as the slip printed it. Audited."""
    if not counted.is_finite() or counted < 0:
        raise ShiftError(f"清点现金格式错误：{counted}；请输入金额，如 356.00", key="shift_counted")
    row = current(journal)
    if row is None:
        raise ShiftError("当前没有开班，无需交班", key="shift_none")
    stamp = now()
    with journal.tx() as c:
        cur = c.execute("UPDATE shifts SET closed_at=?, closed_by=?, counted=? WHERE id=? AND closed_at=''",
                        (stamp, cashier, str(yuan(counted)), row["id"]))
        if cur.rowcount == 0:
            raise ShiftError("该班次已由其他窗口交班", key="shift_none")
        expired = holds.expire(c, cashier)
    r = report(journal, row["id"])
    r.held_expired = expired
    with journal.tx() as c:
        c.execute("UPDATE shifts SET report=? WHERE id=?", (json.dumps(r.to_json(), ensure_ascii=False), row["id"]))
        audit.append(c, "shift_closed", cashier, shift_id=row["id"], expected=f"{r.expected_cash:.2f}",
                     counted=f"{r.counted:.2f}", difference=f"{r.difference:.2f}")
    return r


def slip_lines(r: ShiftReport, institution: str = "") -> list[str]:
    """The handover slip as text lines (printed on the receipt printer, kept under receipts/)."""
    lines = [f"{institution} 交班单".strip(), f"班次 #{r.shift_id}  收银员 {r.opened_by}",
             f"开班 {local_time(r.opened_at)}", f"交班 {local_time(r.closed_at) or '（未交班）'}" +
             (f"  {r.closed_by}" if r.closed_by else ""), "-" * 28,
             f"结算笔数 {r.sales}", f"医疗费总额 {r.medfee_sumamt:.2f}", f"统筹支付 {r.fund_pay_sumamt:.2f}",
             f"个人账户 {r.acct_pay:.2f}", f"个人现金部分 {r.psn_cash_pay:.2f}"]
    for m, label in METHODS.items():
        if m in r.tenders:
            lines.append(f"  {label} {r.tenders[m]:.2f}")
    if r.untendered:
        lines.append(f"  未登记支付方式 {r.untendered:.2f}")
    if r.discounts:
        lines.append(f"  折扣/抹零 {r.discounts:.2f}（医保结算金额不变）")
    if r.self_paid:
        lines.append(f"自费笔数 {r.self_paid}  金额 {r.self_paid_sumamt:.2f}（含在上列支付方式中）")
    lines += [f"退费笔数 {r.refunds}  金额 {r.refund_sumamt:.2f}", f"退还现金 {r.cash_back:.2f}", "-" * 28,
              f"备用金 {r.float:.2f}", f"应有现金 {r.expected_cash:.2f}"]
    if r.counted is not None:
        lines += [f"清点现金 {r.counted:.2f}", f"差额 {r.difference:+.2f}" if r.difference else "差额 0.00"]
    if r.held_expired:
        lines.append(expired_words(r.held_expired))
    elif r.held_open:
        lines.append(f"未取回的挂单 {r.held_open} 张：交班时作废")
    return lines


def platform_sign_out(cfg, journal, op_id: str) -> bool:
    """9002 for an operator signed in with the platform today (their sign_no kept in the journal), at the end
    of their turn; True when sent. Failing to sign out never undoes the handover: the platform ends a
    sign-in by itself, and the next 9001 starts a new one (logged, not raised)."""
    op = operators.get(journal, op_id)
    client = JournaledClient(cfg, journal)
    try:
        if op is not None:
            client.act_for(op.opter, op.name or op.id)
        if not client.signed_in:
            return False
        client.sign_out()
        return True
    except PlatformError as e:
        logs.event("platform_sign_out_failed", opter=client.opter, error=e.key)
        return False
    finally:
        client.session.close()
