"""Offline refunds: made from a settled journal entry (never a scan), guarded, queued durably, and forwarded
in order by sync with 2103 (pharmacy) / 2208 (clinic, kiosk) exactly once.

Guards: a reason; known cashier; a supervisor's PIN (5 wrong in 15 minutes lock that supervisor for 15,
terminal/journal/operators.py); the sale settled and confirmed by the platform's answer;
not already refunded or queued; the whole settled amount (2103/2208 cancel a settlement as a whole, so
asking for more, or for part of it, is refused); not older than [refund] max_age_days; the queue under
max_queued and max_queued_total. Every decision is in the audit log.
"""
from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from terminal.journal import audit, operators
from terminal.sale import flows
from terminal.wire import answers
from terminal.errors import EcposError
from terminal.journal.journal import Journal, now, rows
from terminal.money import ZERO, wire, yuan
from terminal.journal.operators import LOCK_FOR, OperatorError, PinLocked, check_pin_guarded, verify
from terminal.sale.records import RefundTicket
from terminal.sale.sales import SaleStore
from terminal.wire.wire import JournaledClient
from terminal import states
from terminal.states import RefundState, RequestState, SaleState, sql_list

OPEN = (RefundState.QUEUED, RefundState.UNKNOWN)  # refunds that still need the platform


class RefundRefused(EcposError):
    """A refund guard said no; the message says why and what to do."""

    key = "refund_refused"
    exit_code = 2


def _refuse(journal: Journal, key: str, message: str, actor: str, **data) -> RefundRefused:
    journal.audit("refund_refused", actor, why=key, **data)
    return RefundRefused(message, key=key)


def check_supervisor(journal: Journal, supervisor: str, pin: str | None, setl_id: str) -> None:
    """The supervisor exists, may approve refunds, and gave the right PIN (audited either way)."""
    rows = journal.query("SELECT rowid AS row_key, * FROM operators WHERE id=?", (supervisor,))
    if not rows or rows[0]["role"] not in ("supervisor", "admin") or rows[0]["disabled_at"]:
        raise _refuse(journal, "refund_no_supervisor", f"{supervisor} 不是主管，退费需主管授权",
                      supervisor, setl_id=setl_id)
    if not journal.row_holds("operators", rows[0]["row_key"]):  # made supervisor, or its PIN copied, behind ecpos
        raise _refuse(journal, "refund_record_tampered", f"主管 {supervisor} 的登记在 ecpos 之外被改动过，不能授权退费："
                      f"请联系信息科核查（ecpos journal --verify）", supervisor, setl_id=setl_id)
    if not pin:
        raise _refuse(journal, "refund_no_pin", "退费需主管输入密码", supervisor, setl_id=setl_id)
    try:
        left = check_pin_guarded(journal, supervisor, pin, rows[0], purpose="refund")
    except PinLocked as e:
        raise _refuse(journal, "refund_pin_locked", f"退费未受理：主管 {e.message}", supervisor,
                      setl_id=setl_id) from None
    if left is not None:
        raise _refuse(journal, "refund_wrong_pin", f"主管密码错误，退费未受理（再错 {left} 次将锁定 "
                      f"{int(LOCK_FOR.total_seconds() // 60)} 分钟）", supervisor, setl_id=setl_id)


def queue(store: SaleStore, cfg, setl_id: str, reason: str, cashier: str, supervisor: str,
          pin: str | None, amount: Decimal | None = None, cashier_pin: str | None = None,
          then=None) -> RefundTicket:
    """Check every guard and queue the refund durably through the counter's store (its subscribers hear of
    it); raises RefundRefused (exit 2) on any guard. `then(c, refund_id, sale)` writes what goes with the
    refund in its transaction (a return's kept lines: terminal/returns.py), so neither is journaled alone."""
    journal = store.journal
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise _refuse(journal, "refund_no_reason", "请填写退费原因（至少 2 个字）", cashier, setl_id=setl_id)
    known = journal.query("SELECT disabled_at FROM operators WHERE id=?", (cashier,))
    if not known or known[0]["disabled_at"]:
        raise _refuse(journal, "refund_unknown_cashier", f"收银员 {cashier} 未登记或已停用（ecpos operator list）",
                      cashier, setl_id=setl_id)
    if cashier_pin is not None:  # headless: the cashier proves who they are too (the app signed them in)
        try:
            verify(journal, cashier, cashier_pin, purpose="refund")
        except OperatorError as e:
            raise _refuse(journal, "refund_cashier_pin", f"退费未受理：{e.message}", cashier,
                          setl_id=setl_id) from None
    if amount is not None and not (isinstance(amount, Decimal) and amount.is_finite()):
        raise _refuse(journal, "refund_amount", f"退费金额格式错误：{amount}；请输入结算金额，如 37.50", cashier,
                      setl_id=setl_id)
    check_supervisor(journal, supervisor, pin, setl_id)  # slow hash: before the write transaction
    actor = f"{cashier}/{supervisor}"
    problem = None
    with store.tx() as c:
        problem = _guards(c, cfg, setl_id, amount, journal.guard.row_holds)
        if problem is None:
            sale = _sale(c, setl_id)
            amt = yuan(sale["medfee_sumamt"])
            refund_id = store.add_refund(c, sale, wire(amt), reason, cashier, supervisor)
            audit.append(c, SaleState.REFUND_QUEUED, actor, refund_id=refund_id, setl_id=setl_id, amount=wire(amt),
                         reason=reason)
            if then is not None:
                then(c, refund_id, sale)
    if problem is not None:
        raise _refuse(journal, problem[0], problem[1], actor, setl_id=setl_id)
    return RefundTicket(refund_id, setl_id, amt, RefundState.QUEUED)


def self_paid(store: SaleStore, sale_id: int, reason: str, cashier: str, supervisor: str,
              pin: str | None) -> RefundTicket:
    """Refund a self-paid sale (自费): the same reason and supervisor guards, nothing to send; the ticket is
    refunded at once and the caller hands the money back (tender.record_refund)."""
    journal = store.journal
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise _refuse(journal, "refund_no_reason", "请填写退费原因（至少 2 个字）", cashier, sale_id=sale_id)
    check_supervisor(journal, supervisor, pin, f"sale {sale_id}")
    problem = None
    with store.tx() as c:
        found = rows(c, "SELECT * FROM sales WHERE id=?", (sale_id,))
        sale = found[0] if found else None
        if sale is None or sale["status"] != SaleState.SELF_PAID:
            problem = ("refund_not_self_paid", f"交易 {sale_id} 不是待退的自费收款（{sale['status'] if sale else '不存在'}）")
        elif not journal.guard.row_holds("sales", sale["id"]):
            problem = ("refund_record_tampered", f"交易 {sale_id} 的日志记录在 ecpos 之外被改动过，不能据此退费："
                       f"请联系信息科核查（ecpos journal --verify）")
        elif c.execute("SELECT 1 FROM returns WHERE sale_id=?", (sale_id,)).fetchone():
            # the whole amount would hand back the boxes already returned a second time
            problem = ("refund_partly_returned", f"交易 {sale_id} 已部分退货：请按行退回剩余药品（ecpos return）")
        else:
            amt = yuan(sale["medfee_sumamt"])
            refund_id = store.add_local_refund(c, sale, wire(amt), reason, cashier, supervisor)
            audit.append(c, "self_pay_refunded", f"{cashier}/{supervisor}", refund_id=refund_id, sale_id=sale_id,
                         amount=wire(amt), reason=reason)
    if problem is not None:
        raise _refuse(journal, problem[0], problem[1], f"{cashier}/{supervisor}", sale_id=sale_id)
    return RefundTicket(refund_id, "", amt, RefundState.REFUNDED)


def _sale(c: sqlite3.Connection, setl_id: str) -> dict | None:
    found = rows(c, "SELECT * FROM sales WHERE setl_id=? AND setl_id!='' ORDER BY id DESC LIMIT 1", (setl_id,))
    return found[0] if found else None


def _guards(c: sqlite3.Connection, cfg, setl_id: str, amount: Decimal | None, holds) -> tuple[str, str] | None:
    """(key, message) of the first guard that fails, inside the queueing transaction; holds(table, rowid): the
    row is as ecpos last wrote it (chain.row_holds)."""
    sale = _sale(c, setl_id)
    if sale is None:
        return "refund_unknown_sale", f"交易日志中没有结算 {setl_id}；退费只能依据本机已结算的记录"
    if not holds("sales", sale["id"]):  # its amounts or status edited behind ecpos: cash would go out on them
        return "refund_record_tampered", (f"结算 {setl_id} 的日志记录在 ecpos 之外被改动过，不能据此退费："
                                          f"请联系信息科核查（ecpos journal --verify）")
    if c.execute(f"SELECT 1 FROM refunds WHERE sale_id=? AND status IN {sql_list(states.OPEN_REFUND)}",
                 (sale["id"],)).fetchone():
        return "refund_twice", f"结算 {setl_id} 已退费或已在退费队列中"
    if sale["status"] != SaleState.SETTLED or not sale["confirmed_at"]:
        then = {SaleState.UNKNOWN: "结果待确认：请先同步（ecpos sync），系统将自动冲正，冲正后无需退费",
                SaleState.REVERSED: "已冲正，款项已退回，无需退费",
                SaleState.PENDING: "尚未结算，无需退费"}.get(sale["status"], "未结算成功，无需退费")
        return "refund_not_settled", f"结算 {setl_id} 状态为 {sale['status']}，{then}"
    settled = yuan(sale["medfee_sumamt"])
    if amount is not None and yuan(amount) > settled:
        return "refund_too_much", f"退费金额 {wire(amount)} 超过结算金额 {wire(settled)}"
    if amount is not None and yuan(amount) != settled:
        return "refund_partial", f"医保结算只能整笔撤销：退费金额应为 {wire(settled)}"
    confirmed = datetime.fromisoformat(sale["confirmed_at"])
    if datetime.now(timezone.utc) - confirmed > timedelta(days=cfg.refund.max_age_days):
        return "refund_too_old", f"结算已超过 {cfg.refund.max_age_days} 天，请到医保经办机构办理"
    n, queued_total = c.execute(
        f"SELECT COUNT(*), COALESCE(GROUP_CONCAT(amount), '') FROM refunds WHERE status IN {sql_list(OPEN)}"
    ).fetchone()
    if n >= cfg.refund.max_queued:
        return "refund_queue_full", f"待上传退费已达上限 {cfg.refund.max_queued} 笔，请先联网同步（ecpos sync）"
    pending = sum((yuan(a) for a in queued_total.split(",") if a), ZERO)
    cap = yuan(cfg.refund.max_queued_total)
    if pending + settled > cap:
        return "refund_queue_total", f"待上传退费总额将超过上限 {wire(cap)} 元，请先联网同步（ecpos sync）"
    return None


def forward(client: JournaledClient, store: SaleStore, refund_id: int) -> str:
    """Send one queued refund (2103/2208); returns the refund's status afterwards. An unreachable platform
    leaves it queued with the same msgid (nothing was processed); a lost or garbled answer makes it unknown."""
    journal = store.journal
    r = journal.refund(refund_id)
    if r["status"] != RefundState.QUEUED:
        return r["status"]
    # The platform audits a refund by the operator who made it at the counter: the cashier's platform code
    # (their own 9001), whoever the client acts for when sync sends it later. A public refund tool sends its
    # 2208 so: liwerAKM/YbRefund, Form1.cs (opter = the operator named for the refund) with CSBHelper.cs
    # CreateInputRoot (that operator's own day sign_no, a 9001 for them when they have none); one source.
    with client.acting_for(*operators.platform_identity(journal, client.cfg, r["cashier"])):
        return _send(client, store, r)


def _send(client: JournaledClient, store: SaleStore, r: dict) -> str:
    journal, refund_id = store.journal, r["id"]
    sale = journal.sale(r["sale_id"])
    infno = flows.for_profile(sale["profile"]).refund_infno
    inp = {"data": {"setl_id": sale["setl_id"], "mdtrt_id": sale["mdtrt_id"], "psn_no": sale["psn_no"]}}
    # Claim the attempt: reuse a msgid that never reached the platform (unreachable, or written just before
    # a crash), else issue a new one; skip if another process is sending it right now.
    with store.tx() as c:
        status, msgid = c.execute("SELECT status, msgid FROM refunds WHERE id=?", (refund_id,)).fetchone()
        if status != RefundState.QUEUED or (msgid and c.execute(
                "SELECT 1 FROM requests WHERE msgid=? AND state='sending'", (msgid,)).fetchone()):
            return status
        msgid = msgid or client.msgids.next()
        store.claim_refund(c, refund_id, msgid)
    outcome = client.send_open(infno, inp, msgid=msgid, insuplc_admdvs=sale["insuplc_admdvs"], sale_id=sale["id"],
                               refund_id=refund_id, read=answers.refunded)
    msgid = outcome.msgid  # a new one when the client signed in again and resent
    with store.tx() as c:
        if client.record(c, outcome):
            if outcome.state == RequestState.OK:
                store.refund_move(c, refund_id, RefundState.REFUNDED, msgid=msgid, done_at=now(),
                                  setl_time=outcome.value, err="")
                store.move(c, sale["id"], SaleState.REFUNDED)
                store.outbox_done(c, "refund", str(refund_id))
                audit.append(c, SaleState.REFUNDED, r["supervisor"], refund_id=refund_id, setl_id=r["setl_id"],
                             msgid=msgid)
            elif outcome.state == RequestState.UNKNOWN:
                store.refund_move(c, refund_id, RefundState.UNKNOWN, msgid=msgid)
                store.outbox_add(c, "reverse", msgid)
                audit.append(c, "refund_unknown", "", refund_id=refund_id, msgid=msgid)
            elif outcome.state == RequestState.REFUSED:
                store.refund_move(c, refund_id, RefundState.FAILED, msgid=msgid, done_at=now(), err=outcome.err_msg)
                store.move(c, sale["id"], SaleState.SETTLED)
                store.outbox_done(c, "refund", str(refund_id))
                audit.append(c, "refund_failed", "", refund_id=refund_id, msgid=msgid, err_msg=outcome.err_msg)
            else:  # unreachable: nothing processed, stays queued for the same msgid
                store.refund_move(c, refund_id, RefundState.QUEUED, msgid=msgid)
    client.committed(outcome)
    if outcome.state == RequestState.REFUSED:
        return RefundState.FAILED
    outcome.result()
    return RefundState.REFUNDED


def open_refunds(journal: Journal) -> list[dict]:
    """Refunds still waiting for the platform, oldest first."""
    return journal.query(f"SELECT * FROM refunds WHERE status IN {sql_list(OPEN)} ORDER BY id")
