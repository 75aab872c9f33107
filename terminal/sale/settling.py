"""What pharmacy and clinic flows share: reading a pre-settlement, and settling journal-first.

The settlement request (2102 / 2207) is journaled (synced) before it is sent; its answer makes the sale
settled in the same transaction that journals it. A lost, late or garbled answer makes the sale unknown and
queues a 2601 reversal for sync; it is never resent. An unreachable platform (nothing processed) or a
refusal leaves the sale failed.
"""
from __future__ import annotations

import json

from terminal.journal import audit
from terminal.wire import answers, messages
from terminal.journal.clock import now
from terminal.errors import PlatformRefused
from terminal.sale.items import WIRE
from terminal.journal.journal import JournalFull
from terminal.sale.lots import FIELDS as LOT
from terminal.money import ZERO, total, wire
from terminal.sale.records import Patient, Quote, Settlement
from terminal.sale.sales import CASH_DUE, SaleStore
from terminal.wire.wire import JournaledClient
from terminal.sale.workflow import Steps
from terminal.states import RequestState, SaleState, Stage

def quote_from(got: answers.Quoted, patient: Patient, sale_id: int, items, steps: Steps, **extra) -> Quote:
    """A Quote from a pre-settlement answer; checks that the platform's total is the bill's."""
    a = got.split
    mdtrt_id = got.mdtrt_id or extra.pop("mdtrt_id", "")
    extra.pop("mdtrt_id", None)
    expected = total(i.amount for i in items)
    if a.medfee_sumamt != expected:
        raise PlatformRefused(f"预结算总金额 {a.medfee_sumamt} 与明细合计 {expected} 不符，请重新预结算")
    return Quote(patient=patient, sale_id=sale_id, items=tuple(items), medfee_sumamt=a.medfee_sumamt,
                 setlinfo=dict(got.info), fund_pay_sumamt=a.fund_pay_sumamt, acct_pay=a.acct_pay,
                 psn_cash_pay=a.psn_cash_pay, psn_part_amt=a.psn_part_amt, hosp_part_amt=a.hosp_part_amt,
                 balc=a.balc, mdtrt_id=mdtrt_id, steps=steps, **extra)


def invoice_no(client: JournaledClient, sale_id: int) -> str:
    """invono: unique per institution, not just per till, so the till's msgid node leads the sale number."""
    return f"S{client.cfg.institution.msgid_node}{sale_id:09d}"


def items_json(items) -> str:
    """The bill as the journal keeps it; a line's own rxno / prescriber / department and lot when it has them."""
    return json.dumps([{"code": i.code, "name": i.name, "qty": str(i.qty), "price": str(i.price),
                        **{k: getattr(i, k) for k in (*WIRE, *LOT) if getattr(i, k, "")}}
                       for i in items], ensure_ascii=False)


def settle(client: JournaledClient, store: SaleStore, quote: Quote, infno: str, input_: dict,
           opter: str, cash_at_window: bool = False) -> Settlement:
    """Send the settlement journal-first and journal its answer with the sale's new status in one synced
    transaction; raises the PlatformError (unknown: the sale waits for sync's reversal). With
    `cash_at_window` a cash part (psn_cash_pay) is marked due at the window in that same transaction: the
    platform's part is paid, the patient's is not, and the counter collects it (Counter.collect)."""
    quote.steps.advance(Stage.SETTLING)
    p = quote.patient
    outcome = client.send_open(infno, input_, insuplc_admdvs=p.insuplc_admdvs, sale_id=quote.sale_id,
                               read=answers.settled)
    msgid = outcome.msgid
    try:
        with store.tx() as c:
            if client.record(c, outcome):
                if outcome.state == RequestState.OK:
                    got: answers.Settled = outcome.value
                    fields = {k: wire(getattr(got.split, k)) for k in answers.REQUIRED}
                    due = cash_at_window and got.split.psn_cash_pay > 0
                    store.move(c, quote.sale_id, SaleState.SETTLED, msgid=msgid, setl_id=got.setl_id,
                               mdtrt_id=got.mdtrt_id or quote.mdtrt_id, setl_time=got.setl_time,
                               confirmed_at=now(), **({"note": CASH_DUE} if due else {}), **got.clearing,
                               **fields)
                    audit.append(c, SaleState.SETTLED, opter, sale_id=quote.sale_id, msgid=msgid, infno=infno,
                                 setl_id=got.setl_id, medfee_sumamt=fields["medfee_sumamt"])
                    if due:
                        audit.append(c, "cash_due_at_window", opter, sale_id=quote.sale_id,
                                     amount=fields["psn_cash_pay"])
                elif outcome.state == RequestState.UNKNOWN:
                    store.move(c, quote.sale_id, SaleState.UNKNOWN, msgid=msgid, note="结算结果未知，待冲正")
                    store.outbox_add(c, "reverse", msgid)
                    audit.append(c, "settle_unknown", opter, sale_id=quote.sale_id, msgid=msgid, infno=infno)
                else:  # refused or unreachable: nothing happened at the platform
                    store.move(c, quote.sale_id, SaleState.FAILED, msgid=msgid, note=outcome.state)
                    audit.append(c, "settle_" + outcome.state, opter, sale_id=quote.sale_id, msgid=msgid,
                                 infno=infno)
    except JournalFull as e:
        raise client.full(e, outcome) from None
    client.committed(outcome)
    if outcome.error is not None:
        quote.steps.advance(Stage.UNKNOWN if outcome.state == RequestState.UNKNOWN else Stage.FAILED)
        raise outcome.error
    quote.steps.advance(Stage.SETTLED)
    got = outcome.value
    a = got.split
    return Settlement(
        sale_id=quote.sale_id, setl_id=got.setl_id, mdtrt_id=got.mdtrt_id or quote.mdtrt_id, psn_no=p.psn_no,
        msgid=msgid, setl_time=got.setl_time, medfee_sumamt=a.medfee_sumamt, fund_pay_sumamt=a.fund_pay_sumamt,
        acct_pay=a.acct_pay, psn_cash_pay=a.psn_cash_pay, psn_part_amt=a.psn_part_amt,
        hosp_part_amt=a.hosp_part_amt, balc=a.balc, name_masked=p.name_masked, id_masked=p.id_masked,
        insutype=p.insutype, insutype_name=p.insutype_name, family_of=p.family_of, items=quote.items,
        cash_due=a.psn_cash_pay if cash_at_window and a.psn_cash_pay > 0 else ZERO)


