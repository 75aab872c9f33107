"""Pharmacy flow (定点药店购药): 2101 pre-settlement, cashier confirms, 2102 settlement, 2103 to refund."""
from __future__ import annotations

from datetime import datetime

from terminal.sale import settling
from terminal.wire import answers, messages
from terminal.errors import EcposError
from terminal.sale.records import Patient, Quote, Settlement
from terminal.sale.sales import SaleStore
from terminal.wire.wire import JournaledClient
from terminal.sale.workflow import Steps
from terminal.states import SaleState, Stage

MED_TYPE = messages.PHARMACY_MED_TYPE  # 定点药店购药


def _input(client: JournaledClient, patient: Patient, items, begntime: str, sale_id: int) -> dict:
    """2101 / 2102 input (terminal.wire.messages): druginfo + drugdetail[] of the bill."""
    return messages.pharmacy_input(patient, items, sale_id=sale_id, begntime=begntime,
                                   invono=settling.invoice_no(client, sale_id),
                                   prescriber=messages.Prescriber.parse(client.cfg.pharmacy.prescriber))


def presettle(client: JournaledClient, store: SaleStore, patient: Patient, items, opter: str,
              quote: Quote | None = None) -> Quote:
    """2101 for the bill; a new pending sale, or the same sale when re-quoting a changed bill."""
    items = tuple(items)
    if quote is not None:
        steps, sale_id, begntime = quote.steps, quote.sale_id, quote.begntime
    else:
        steps = Steps("pharmacy")
        begntime = datetime.now().strftime("%Y-%m-%d %H:%M:%S")
    if not steps.can(Stage.QUOTED):
        steps.advance(Stage.QUOTED)  # raises WorkflowError naming the state
    # A quote moves no money: the sale and the 2101 reach the WAL now, the disk with the 2102.
    with store.tx(durable=False) as c:
        if quote is not None:
            store.amend(c, sale_id, items=settling.items_json(items))
        else:
            sale_id = store.open(c, "pharmacy", opter, **sale_fields(patient), items=settling.items_json(items))
    try:
        got = client.call_journaled("2101", _input(client, patient, items, begntime, sale_id),
                                    insuplc_admdvs=patient.insuplc_admdvs, sale_id=sale_id, read=answers.quoted)
        q = settling.quote_from(got, patient, sale_id, items, steps, begntime=begntime)
    except EcposError as e:
        if quote is None:  # nothing was paid; a new attempt starts a new sale
            with store.tx(durable=False) as c:
                store.move(c, sale_id, SaleState.FAILED, note=f"presettle: {e.key}")
        raise
    steps.advance(Stage.QUOTED)
    return q


def settle(client: JournaledClient, store: SaleStore, quote: Quote, opter: str,
           extra: dict | None = None) -> Settlement:
    """2102 with the confirmed bill, journal-first; `extra` adds nodes beside the fee lines (drug_trac_info)."""
    inp = _input(client, quote.patient, quote.items, quote.begntime, quote.sale_id)
    inp.update(extra or {})
    return settling.settle(client, store, quote, "2102", inp, opter)


def cancel(store: SaleStore, quote: Quote) -> None:
    """Drop a quote the patient did not take: nothing was paid, the sale is closed as cancelled (not failed:
    nothing went wrong, the cashier or patient let it go)."""
    quote.steps.advance(Stage.CANCELLED)
    store.cancel(quote.sale_id)


def abandon(store: SaleStore, sale: dict) -> None:
    """A pending sale whose process died before settling: nothing was paid; close it."""
    store.cancel(sale["id"], note="abandoned")


def sale_fields(patient: Patient) -> dict:
    """The masked patient data a sale keeps (enough for refunds, reconciliation and stats)."""
    return {"psn_no": patient.psn_no, "insutype": patient.insutype, "insuplc_admdvs": patient.insuplc_admdvs,
            "mdtrt_cert_type": patient.mdtrt_cert_type, "name_masked": patient.name_masked,
            "id_masked": patient.id_masked,
            "family_of": f"{patient.family_of}（{patient.family_relation}）" if patient.family_of
            and patient.family_relation else patient.family_of}
