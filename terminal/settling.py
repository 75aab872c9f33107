"""What pharmacy and clinic flows share: reading a pre-settlement, and settling journal-first.

The settlement request (2102 / 2207) is journaled before it is sent; its answer makes the sale settled in
the same transaction. A lost answer makes the sale unknown and queues a 2601 reversal for sync; it is never
resent. An unreachable platform (nothing processed) or a refusal leaves the sale failed.
"""
from __future__ import annotations

import json
import sqlite3
from decimal import Decimal

from terminal import audit, messages
from terminal.errors import PlatformError, PlatformRefused
from terminal.journal import Journal, now
from terminal.money import ZERO, total, wire, yuan
from terminal.records import Patient, Quote, Settlement
from terminal.session import sign_refusal
from terminal.wire import JournaledClient, Malformed
from terminal.workflow import Flow, State

AMOUNTS = ("medfee_sumamt", "fund_pay_sumamt", "acct_pay", "psn_cash_pay", "psn_part_amt", "hosp_part_amt",
           "balc")


setlinfo = messages.setlinfo  # kept for the callers that read answers through settling


def amounts(info: dict) -> dict[str, Decimal]:
    """The money fields of a setlinfo as Decimal yuan (missing ones 0.00)."""
    return {k: yuan(info[k]) if info.get(k) not in (None, "") else ZERO for k in AMOUNTS}


def read_settlement(out: object) -> dict:
    """The setlinfo of a settlement answer (2102 / 2207) that can be trusted as settled: a setl_id and every
    amount a number; anything less raises Malformed (the outcome is unknown, sync resolves it)."""
    if not isinstance(out, dict) or not out:
        raise Malformed("no output")
    info = setlinfo(out)
    if not isinstance(info, dict) or not str(info.get("setl_id") or "").strip():
        raise Malformed("no setl_id")
    for k in AMOUNTS:
        v = info.get(k)
        if v is None and k not in ("medfee_sumamt", "fund_pay_sumamt", "acct_pay", "psn_cash_pay"):
            continue  # optional parts may be absent or null
        try:
            if isinstance(v, (bool, float)) or v is None:
                raise ValueError(k)
            yuan(v)
        except (ValueError, TypeError):
            raise Malformed(f"{k} is {v!r}, not an amount") from None
    return info


def read_refund(out: object) -> dict:
    """A refund answer (2103 / 2208) that can be trusted as done: an output; else Malformed (unknown)."""
    if not isinstance(out, dict) or not out:
        raise Malformed("no output")
    return out


def quote_from(out: dict, patient: Patient, sale_id: int, items, flow: Flow, **extra) -> Quote:
    """A Quote from a pre-settlement answer; checks that the platform's parts add up."""
    info = setlinfo(out)
    a = amounts(info)
    if a["psn_part_amt"] == ZERO and (a["acct_pay"] or a["psn_cash_pay"]):
        a["psn_part_amt"] = a["acct_pay"] + a["psn_cash_pay"]
    given = extra.pop("mdtrt_id", "")
    mdtrt_id = str(info.get("mdtrt_id") or given or "")
    expected = total(i.amount for i in items)
    if a["medfee_sumamt"] != expected:
        raise PlatformRefused(f"预结算总金额 {a['medfee_sumamt']} 与明细合计 {expected} 不符，请重新预结算")
    return Quote(patient=patient, sale_id=sale_id, items=tuple(items), medfee_sumamt=a["medfee_sumamt"],
                 setlinfo=dict(info),
                 fund_pay_sumamt=a["fund_pay_sumamt"], acct_pay=a["acct_pay"], psn_cash_pay=a["psn_cash_pay"],
                 psn_part_amt=a["psn_part_amt"], hosp_part_amt=a["hosp_part_amt"], balc=a["balc"],
                 mdtrt_id=mdtrt_id, flow=flow, **extra)


def invoice_no(client: JournaledClient, sale_id: int) -> str:
    """invono: unique per institution, not just per till, so the till's msgid node leads the sale number."""
    return f"S{client.cfg.institution.msgid_node}{sale_id:09d}"


def items_json(items) -> str:
    return json.dumps([{"code": i.code, "name": i.name, "qty": str(i.qty), "price": str(i.price)}
                       for i in items], ensure_ascii=False)


def settle(client: JournaledClient, quote: Quote, infno: str, input_: dict, opter: str,
           signed=lambda fn: fn()) -> Settlement:
    """Send the settlement journal-first and apply its answer atomically; raises PlatformError as sent.
    `signed` re-signs and resends (new msgid) only when the platform refused the sign_no."""
    flow: Flow = quote.flow
    flow.advance(State.SETTLING)
    p = quote.patient
    holder: dict = {}

    def apply(c: sqlite3.Connection, state: str, out: dict) -> None:
        msgid = holder["msgid"]
        if state == "ok":
            info = setlinfo(out)
            a = amounts(info)
            fields = {k: wire(a[k]) for k in ("medfee_sumamt", "fund_pay_sumamt", "acct_pay", "psn_cash_pay")}
            Journal.set_sale(c, quote.sale_id, status="settled", msgid=msgid,
                             setl_id=str(info.get("setl_id", "")),
                             mdtrt_id=str(info.get("mdtrt_id") or quote.mdtrt_id),
                             setl_time=str(info.get("setl_time", "")), confirmed_at=now(),
                             **messages.clearing(info), **fields)
            audit.append(c, "settled", opter, sale_id=quote.sale_id, msgid=msgid, infno=infno,
                         setl_id=str(info.get("setl_id", "")), medfee_sumamt=fields["medfee_sumamt"])
        elif state == "unknown":
            Journal.set_sale(c, quote.sale_id, status="unknown", msgid=msgid, note="结算结果未知，待冲正")
            Journal.outbox_add(c, "reverse", msgid)
            audit.append(c, "settle_unknown", opter, sale_id=quote.sale_id, msgid=msgid, infno=infno)
        elif state == "refused" and sign_refusal(out.get("err_msg", "")):
            pass  # the sign_no was stale: `signed` signs in again and resends; the sale stays pending
        else:  # refused or unreachable: nothing happened at the platform
            Journal.set_sale(c, quote.sale_id, status="failed", msgid=msgid, note=state)
            audit.append(c, "settle_" + state, opter, sale_id=quote.sale_id, msgid=msgid, infno=infno)

    def send() -> dict:
        env = client.envelope(infno, input_, insuplc_admdvs=p.insuplc_admdvs)
        holder["msgid"] = env["msgid"]
        return client.exchange(env, sale_id=quote.sale_id, apply=apply, read=read_settlement)

    try:
        answer = signed(send)
    except PlatformError as e:
        flow.advance(State.UNKNOWN if e.key == "platform_unknown" else State.FAILED)
        raise
    flow.advance(State.SETTLED)
    info = setlinfo(answer.get("output") or {})
    a = amounts(info)
    return Settlement(
        sale_id=quote.sale_id, setl_id=str(info.get("setl_id", "")),
        mdtrt_id=str(info.get("mdtrt_id") or quote.mdtrt_id), psn_no=p.psn_no, msgid=holder["msgid"],
        setl_time=str(info.get("setl_time", "")), medfee_sumamt=a["medfee_sumamt"],
        fund_pay_sumamt=a["fund_pay_sumamt"], acct_pay=a["acct_pay"], psn_cash_pay=a["psn_cash_pay"],
        psn_part_amt=a["psn_part_amt"] or a["acct_pay"] + a["psn_cash_pay"], hosp_part_amt=a["hosp_part_amt"],
        balc=a["balc"], name_masked=p.name_masked, id_masked=p.id_masked, insutype=p.insutype,
        insutype_name=p.insutype_name, family_of=p.family_of, items=quote.items)
