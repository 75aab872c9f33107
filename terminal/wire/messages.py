"""What the platform's requests carry and what its answers mean, transaction by transaction.

The flows decide *when* to send; this module alone decides *what* a request holds and how an answer is
read, after ../shared/PROTOCOL.md §2b and the public integrations cited in tests/conformance/README.md.
Nodes are built in the national specification's shapes (lists for 2203/2204's mdtrtinfo, diseinfo,
feedetail...); a provincial channel (terminal/wire/channels.py) reshapes them and renames the transaction.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterable

from terminal.money import ZERO, total, wire, yuan

PSN_SETLWAY = "01"          # 个人结算方式: 01 按项目结算 (02 按定额结算)
PHARMACY_MED_TYPE = "41"    # 定点药店购药
RX_CIRC_OWN = "0"           # 外购处方标志: 0 not an outside (circulated) prescription
# 2207 must repeat these amounts of the 2206 answer (required numbers in the specification).
ECHOED_2207 = ("fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt")
# Where a settlement is cleared: the agency (clr_optins), the way (clr_way) and the type (clr_type).
# 3201's setl_optins is the settlement's clr_optins, not the patient's insured area.
CLEARING = ("clr_optins", "clr_way", "clr_type")
# A drug line's dosage, when the item knows it (prescription drugs); sent as given.
DOSAGE = ("sin_dos_dscr", "used_frqu_dscr", "prd_days", "medc_way_dscr", "tcmdrug_used_way")


@dataclass(frozen=True)
class Prescriber:
    """Who ordered the lines (开单医师): a doctor, or at a pharmacy counter the pharmacist on duty."""

    code: str
    name: str

    @classmethod
    def parse(cls, entry: str) -> "Prescriber":
        """From a "code:name" configuration entry."""
        code, _, name = (entry or "").partition(":")
        return cls(code.strip(), name.strip())


# -- pharmacy: 2101 药店预结算 / 2102 药店结算 -----------------------------------------------------------

def druginfo(patient, *, begntime: str, medfee_sumamt: Decimal, invono: str,
             diagnosis: tuple[str, str] = ("", ""), acct_used_flag: str = "1") -> dict[str, Any]:
    """The druginfo node: who, when, how much, which insurance (no settlement way: not in this node)."""
    return {"psn_no": patient.psn_no, "mdtrt_cert_type": patient.mdtrt_cert_type,
            "mdtrt_cert_no": patient.mdtrt_cert_no, "begntime": begntime, "medfee_sumamt": wire(medfee_sumamt),
            "invono": invono, "insutype": patient.insutype, "dise_codg": diagnosis[0], "dise_name": diagnosis[1],
            "acct_used_flag": acct_used_flag, "med_type": PHARMACY_MED_TYPE}


def line_prescriber(item, default: Prescriber) -> Prescriber:
    """Who ordered a line: its own 开单医生 (code and name come together, terminal/sale/items.py), else the
    sale's (the visit's doctor, or at a pharmacy counter [pharmacy] prescriber)."""
    code = str(getattr(item, "bilg_dr_codg", "") or "")
    return Prescriber(code, str(getattr(item, "bilg_dr_name", "") or "")) if code else default


def drug_line(item, sn: str, *, fee_ocur_time: str, prescriber: Prescriber) -> dict[str, Any]:
    """One drugdetail row; an item may carry its own rxno, prescriber and dosage (a prescription)."""
    dr = line_prescriber(item, prescriber)
    row = {"feedetl_sn": sn, "rxno": str(getattr(item, "rxno", "") or ""),
           "rx_circ_flag": str(getattr(item, "rx_circ_flag", "") or RX_CIRC_OWN),
           "fee_ocur_time": fee_ocur_time, "med_list_codg": item.code, "medins_list_codg": item.code,
           "det_item_fee_sumamt": wire(item.amount), "cnt": str(item.qty), "pric": str(item.price),
           "bilg_dr_codg": dr.code, "bilg_dr_name": dr.name}
    for k in DOSAGE:
        v = getattr(item, k, None)
        if v not in (None, ""):
            row[k] = str(v)
    return row


def pharmacy_input(patient, items: Iterable, *, sale_id: int, begntime: str, invono: str,
                   prescriber: Prescriber, fee_ocur_time: str = "",
                   diagnosis: tuple[str, str] = ("", "")) -> dict[str, Any]:
    """2101 / 2102 input: druginfo + drugdetail[] (2102 repeats the confirmed bill; the platform links it to
    the person's open pre-settlement, druginfo has no mdtrt_id)."""
    items = tuple(items)
    detail = [drug_line(i, line_sn(sale_id, n), fee_ocur_time=fee_ocur_time or begntime, prescriber=prescriber)
              for n, i in enumerate(items, 1)]
    return {"druginfo": druginfo(patient, begntime=begntime, medfee_sumamt=total(i.amount for i in items),
                                 invono=invono, diagnosis=diagnosis),
            "drugdetail": detail}


def line_sn(sale_id: int, n: int) -> str:
    """feedetl_sn: unique per institution with the invoice number's help (sale id 8 + line 4)."""
    return f"{sale_id:08d}{n:04d}"


# -- clinic: 2201 挂号, 2203 就诊信息, 2204 费用明细, 2206 预结算, 2207 结算 ----------------------------------

def register_input(patient, *, begntime: str, ipt_otp_no: str, dept: tuple[str, str],
                   doctor: Prescriber) -> dict[str, Any]:
    """2201 data."""
    return {"data": {"psn_no": patient.psn_no, "insutype": patient.insutype, "begntime": begntime,
                     "mdtrt_cert_type": patient.mdtrt_cert_type, "mdtrt_cert_no": patient.mdtrt_cert_no,
                     "ipt_otp_no": ipt_otp_no, "atddr_no": doctor.code, "dr_name": doctor.name,
                     "dept_code": dept[0], "dept_name": dept[1], "caty": dept[0]}}


def visit_input(visit, *, med_type: str, diagnosis: tuple[str, str], when: str) -> dict[str, Any]:
    """2203 mdtrtinfo + diseinfo[] (lists in the specification; a channel may send single objects)."""
    p = visit.patient
    mdtrtinfo = {"mdtrt_id": visit.mdtrt_id, "psn_no": p.psn_no, "med_type": med_type,
                 "begntime": visit.begntime, "main_cond_dscr": "", "dise_codg": diagnosis[0],
                 "dise_name": diagnosis[1]}
    diseinfo = {"psn_no": p.psn_no, "diag_type": "1", "diag_srt_no": "1", "diag_code": diagnosis[0],
                "diag_name": diagnosis[1], "diag_dept": visit.dept_name, "dise_dor_no": visit.doctor_code,
                "dise_dor_name": visit.doctor_name, "diag_time": when, "vali_flag": "1"}
    return {"mdtrtinfo": [mdtrtinfo], "diseinfo": [diseinfo]}


def fees_input(visit, items: Iterable, *, med_type: str, when: str) -> dict[str, Any]:
    """2204 feedetail[]: one row per bill line, ordered by the line's own doctor and department when it names
    them (a HIS's order), else by the visit's."""
    p = visit.patient
    doctor = Prescriber(visit.doctor_code, visit.doctor_name)
    detail = []
    for n, i in enumerate(items, 1):
        dr = line_prescriber(i, doctor)
        dept = str(getattr(i, "bilg_dept_codg", "") or "")
        dept_name = str(getattr(i, "bilg_dept_name", "") or "") if dept else visit.dept_name
        detail.append({"feedetl_sn": line_sn(visit.sale_id, n), "mdtrt_id": visit.mdtrt_id, "psn_no": p.psn_no,
                     "chrg_bchno": visit.chrg_bchno, "med_type": med_type,
                     "rxno": str(getattr(i, "rxno", "") or ""),
                     "rx_circ_flag": str(getattr(i, "rx_circ_flag", "") or RX_CIRC_OWN), "fee_ocur_time": when,
                     "med_list_codg": i.code, "medins_list_codg": i.code, "det_item_fee_sumamt": wire(i.amount),
                     "cnt": str(i.qty), "pric": str(i.price), "bilg_dept_codg": dept or visit.dept_code,
                     "bilg_dept_name": dept_name, "bilg_dr_codg": dr.code, "bilg_dr_name": dr.name,
                     "hosp_appr_flag": "1"})
    return {"feedetail": detail}


def presettle_data(visit, items: Iterable, *, med_type: str, acct_used_flag: str = "1") -> dict[str, Any]:
    """2206 data (psn_setlway is required)."""
    p = visit.patient
    return {"data": {"psn_no": p.psn_no, "mdtrt_cert_type": p.mdtrt_cert_type, "mdtrt_cert_no": p.mdtrt_cert_no,
                     "med_type": med_type, "medfee_sumamt": wire(total(i.amount for i in items)),
                     "psn_setlway": PSN_SETLWAY, "mdtrt_id": visit.mdtrt_id, "chrg_bchno": visit.chrg_bchno,
                     "insutype": p.insutype, "acct_used_flag": acct_used_flag}}


def settle_data(visit, items: Iterable, presettled: dict, *, med_type: str, invono: str = "",
                acct_used_flag: str = "1") -> dict[str, Any]:
    """2207 data: 2206's fields plus the amounts its answer gave (fulamt_ownpay_amt, overlmt_selfpay,
    preselfpay_amt, inscp_scp_amt), as numbers; a missing one is 0.00."""
    data = presettle_data(visit, items, med_type=med_type, acct_used_flag=acct_used_flag)["data"]
    for k in ECHOED_2207:
        data[k] = wire(amount(presettled, k))
    if invono:
        data["invono"] = invono
    return {"data": data}


# -- answers ---------------------------------------------------------------------------------------------

def setlinfo(out: dict) -> dict:
    """The settlement block of a 2101/2102/2206/2207 answer (setlinfo; some versions say data); a list
    (some channels) gives its first row."""
    info = out.get("setlinfo") or out.get("data") or {}
    if isinstance(info, list):
        info = info[0] if info else {}
    return info if isinstance(info, dict) else {}


def amount(info: dict, key: str) -> Decimal:
    """A money field of an answer node as Decimal yuan (missing, null or empty: 0.00)."""
    v = info.get(key)
    return ZERO if v in (None, "") else yuan(v)


def clearing(info: dict) -> dict[str, str]:
    """clr_optins / clr_way / clr_type of a settlement answer (null or missing: "")."""
    return {k: "" if info.get(k) is None else str(info[k]).strip() for k in CLEARING}


def rows(node: Any) -> list[dict]:
    """A node the specification gives as a list, which some platforms send as one object (or null)."""
    if isinstance(node, dict):
        return [node]
    if isinstance(node, list):
        return [r for r in node if isinstance(r, dict)]
    return []


def insurances(out: dict) -> list[dict]:
    """1101's insuinfo rows (a list, or one object as in the specification's own example), each with its
    insured area under insuplc_admdvs whichever name the answer used (insuplc_admdvs or insu_admdvs)."""
    result = []
    for r in rows(out.get("insuinfo")):
        r = dict(r)
        r["insuplc_admdvs"] = str(r.get("insuplc_admdvs") or r.get("insu_admdvs") or "")
        result.append(r)
    return result


def baseinfo(out: dict) -> dict:
    """1101's baseinfo (an object; a one-row list read as that row)."""
    b = rows(out.get("baseinfo"))
    return b[0] if b else {}
