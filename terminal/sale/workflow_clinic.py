"""Clinic and kiosk flow (门诊): 2201 register -> 2203 visit -> 2204 fees -> 2206 pre-settle -> 2207 settle;
2205 / 2202 undo an unfinished visit; 2208 refunds. The kiosk runs the same flow with opter_type 2 (config)
and deviceType SelfService (credential adapter)."""
from __future__ import annotations

import json
from datetime import datetime

from terminal.journal import audit
from terminal.sale import settling
from terminal.wire import answers, messages
from terminal.errors import EcposError
from terminal.sale.records import Patient, Quote, Settlement, Visit
from terminal.sale.sales import SaleStore
from terminal.wire.wire import JournaledClient
from terminal.sale.workflow import Steps
from terminal.sale.workflow_pharmacy import sale_fields
from terminal.states import RequestState, SaleState, Stage

MED_TYPE = "11"  # 普通门诊
CHRG_BCHNO = "0001"  # one fee batch per visit
# No HIS is connected, so the visit carries a general-consultation diagnosis (ICD-10 Z00.0, 一般医学检查);
# an institution with a HIS passes the doctor's diagnosis instead.
DIAGNOSIS = ("Z00.000", "一般医学检查")


class ClinicError(EcposError):
    key = "clinic_input"
    exit_code = 2


def _pick(entries, code: str, what: str) -> list[str]:
    """A configured "code:name[:dept]" entry by code (or the whole entry)."""
    code = code.split(":")[0]
    for e in entries:
        parts = e.split(":")
        if parts[0] == code:
            return parts
    raise ClinicError(f"未配置的{what}：{code}（见配置 [clinic]）", key="clinic_unknown")


def _now() -> str:
    return datetime.now().strftime("%Y-%m-%d %H:%M:%S")


def register(client: JournaledClient, store: SaleStore, cfg, patient: Patient, dept: str, doctor: str) -> Visit:
    """2201: a new visit (mdtrt_id) in a new pending sale."""
    d_code, d_name = _pick(cfg.clinic.departments, dept, "科室")[:2]
    doc = _pick(cfg.clinic.doctors, doctor, "医生")
    steps = Steps(cfg.profile)
    begntime = _now()
    # 门诊号 must be unique in the institution across terminals and reinstalls: borrow a msgid's time+sequence.
    ipt_otp_no = "MZ" + client.msgids.next()[12:]
    visit = {"ipt_otp_no": ipt_otp_no, "dept_code": d_code, "doctor": doc[0], "begntime": begntime}
    with store.tx() as c:
        sale_id = store.open(c, cfg.profile, cfg.operator.id, **sale_fields(patient),
                             visit=json.dumps(visit, ensure_ascii=False))
    inp = messages.register_input(patient, begntime=begntime, ipt_otp_no=ipt_otp_no, dept=(d_code, d_name),
                                  doctor=messages.Prescriber(doc[0], doc[1]))
    outcome = client.send_open("2201", inp, insuplc_admdvs=patient.insuplc_admdvs, sale_id=sale_id,
                               read=answers.registered)
    with store.tx() as c:
        if client.record(c, outcome):
            if outcome.state == RequestState.OK:
                visit["mdtrt_id"] = outcome.value
                store.amend(c, sale_id, visit=json.dumps(visit, ensure_ascii=False), mdtrt_id=outcome.value)
            elif outcome.state in (RequestState.REFUSED, RequestState.UNREACHABLE):
                store.move(c, sale_id, SaleState.FAILED, note=f"register {outcome.state}")
            # unknown: the visit may exist; the sale stays pending until sync undoes it (abandon)
    client.committed(outcome)
    mdtrt_id = outcome.result()
    steps.advance(Stage.REGISTERED)
    return Visit(patient=patient, sale_id=sale_id, mdtrt_id=mdtrt_id, ipt_otp_no=ipt_otp_no, dept_code=d_code,
                 dept_name=d_name, doctor_code=doc[0], doctor_name=doc[1], begntime=begntime, steps=steps,
                 chrg_bchno=CHRG_BCHNO)


def presettle(client: JournaledClient, store: SaleStore, visit: Visit, items) -> Quote:
    """2203 visit information, 2204 fee details, 2206 pre-settlement."""
    items = tuple(items)
    steps: Steps = visit.steps
    if not steps.can(Stage.UPLOADED):
        steps.advance(Stage.UPLOADED)  # raises WorkflowError: fees are uploaded once per visit
    p, adm = visit.patient, visit.patient.insuplc_admdvs
    when = _now()
    with store.tx(durable=False) as c:
        store.amend(c, visit.sale_id, items=settling.items_json(items))
    client.call_journaled("2203", messages.visit_input(visit, med_type=MED_TYPE, diagnosis=DIAGNOSIS, when=when),
                          insuplc_admdvs=adm, sale_id=visit.sale_id)
    fees = messages.fees_input(visit, items, med_type=MED_TYPE, when=when)
    outcome = client.send_open("2204", fees, insuplc_admdvs=adm, sale_id=visit.sale_id)
    with store.tx() as c:
        if client.record(c, outcome) and outcome.state in (RequestState.OK, RequestState.UNKNOWN):
            # a lost answer may have left the fees live: undo withdraws them (2205 before 2202)
            v = json.loads(c.execute("SELECT visit FROM sales WHERE id=?", (visit.sale_id,)).fetchone()[0] or "{}")
            v["fees"] = visit.chrg_bchno
            store.amend(c, visit.sale_id, visit=json.dumps(v, ensure_ascii=False))
    client.committed(outcome)
    if outcome.state in (RequestState.OK, RequestState.UNKNOWN):
        visit.fees_uploaded = True  # cancel() must send 2205 before 2202
    outcome.result()
    steps.advance(Stage.UPLOADED)
    got = client.call_journaled("2206", messages.presettle_data(visit, items, med_type=MED_TYPE),
                                insuplc_admdvs=adm, sale_id=visit.sale_id, read=answers.quoted)
    q = settling.quote_from(got, p, visit.sale_id, items, steps, mdtrt_id=visit.mdtrt_id, visit=visit,
                            begntime=visit.begntime)
    steps.advance(Stage.QUOTED)
    return q


def settle(client: JournaledClient, store: SaleStore, quote: Quote, opter: str,
           extra: dict | None = None, cash_at_window: bool = False) -> Settlement:
    """2207 with the confirmed bill, journal-first; `extra` adds nodes beside data (drug_trac_info);
    `cash_at_window`: nobody here takes the cash part, which is left due at the window (sales.CASH_DUE)."""
    inp = messages.settle_data(quote.visit, quote.items, quote.setlinfo, med_type=MED_TYPE,
                               invono=settling.invoice_no(client, quote.sale_id))
    inp.update(extra or {})
    return settling.settle(client, store, quote, "2207", inp, opter, cash_at_window)


def _undo(client: JournaledClient, store: SaleStore, sale_id: int, patient_psn: str, adm: str, mdtrt_id: str,
          ipt_otp_no: str, fees: bool, note: str, status: SaleState = SaleState.FAILED) -> None:
    if mdtrt_id and fees:
        client.call_journaled("2205", {"data": {"mdtrt_id": mdtrt_id, "chrg_bchno": CHRG_BCHNO,
                                                "psn_no": patient_psn}}, insuplc_admdvs=adm, sale_id=sale_id)
    if mdtrt_id:
        client.call_journaled("2202", {"data": {"psn_no": patient_psn, "mdtrt_id": mdtrt_id,
                                                "ipt_otp_no": ipt_otp_no}}, insuplc_admdvs=adm, sale_id=sale_id)
    with store.tx() as c:
        store.move(c, sale_id, status, note=note)
        audit.append(c, "visit_undone", "", sale_id=sale_id, mdtrt_id=mdtrt_id, why=note)


def cancel(client: JournaledClient, store: SaleStore, visit: Visit) -> None:
    """Undo an unfinished visit: 2205 (fees) then 2202 (registration). A visit whose settlement failed
    (refused or unreachable: nothing was paid) is undone too, or it would stay open on the platform; an
    unknown one is not (sync reverses it and then releases the visit)."""
    steps: Steps = visit.steps
    failed = steps.state == Stage.FAILED
    if not failed:
        steps.advance(Stage.CANCELLED)
    p = visit.patient
    _undo(client, store, visit.sale_id, p.psn_no, p.insuplc_admdvs, visit.mdtrt_id, visit.ipt_otp_no,
          visit.fees_uploaded, SaleState.CANCELLED, SaleState.FAILED if failed else SaleState.CANCELLED)
    if failed:  # only once the platform has undone it, so a cashier can retry after an outage
        steps.advance(Stage.CANCELLED)


def abandon(client: JournaledClient, store: SaleStore, sale: dict, reversed_: bool = False) -> None:
    """Undo what the platform recorded of a visit that will not be settled: one whose process died before
    settling (the sale becomes failed), or one whose settlement was reversed by sync (it stays reversed; the
    cashier registers the patient again). When the 2201 answer itself was lost the mdtrt_id is unknown (a
    replay cannot match: the journal keeps the credential masked); a registration moves no money, so it is
    noted for the platform's own clean-up."""
    v = json.loads(sale["visit"] or "{}")
    mdtrt_id = v.get("mdtrt_id", "")
    if reversed_:
        note = "结算结果未知，已冲正并撤销就诊，请重新挂号结算"
    else:
        note = "abandoned" if mdtrt_id else "abandoned; registration answer lost"
    _undo(client, store, sale["id"], sale["psn_no"], sale["insuplc_admdvs"], mdtrt_id, v.get("ipt_otp_no", ""),
          bool(v.get("fees")), note, SaleState.REVERSED if reversed_ else SaleState.FAILED)
