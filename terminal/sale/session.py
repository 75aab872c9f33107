"""Patient identification (credential -> 1101 person information -> Patient). The
platform session itself (9001, sign_no kept in the journal) is the client's: terminal/wire/wire.py JournaledClient."""
from __future__ import annotations

from decimal import Decimal

from terminal.wire import messages
from terminal.errors import EcposError
from terminal.masking import mask_id, mask_name
from terminal.money import yuan
from terminal.sale.records import INSUTYPE_NAMES, Patient
from terminal.wire.wire import JournaledClient


class PersonError(EcposError):
    """1101 found the person but they cannot be settled (no valid insurance)."""

    key = "person_not_insured"
    exit_code = 4


def patient_from_1101(cred, out: dict, cert_type: str, cert_no: str, mdtrtarea: str) -> Patient:
    """A Patient from a 1101 answer and the credential that asked for it."""
    base = messages.baseinfo(out)
    # insuinfo may be one object and the area may be named insu_admdvs (PROTOCOL.md §2b): read both.
    insu = [i for i in messages.insurances(out) if str(i.get("psn_insu_stas") or "1") == "1"]
    if not base.get("psn_no"):
        raise PersonError("医保平台未返回参保人信息，请核对后重试", key="person_missing")
    if not insu:
        raise PersonError("未查询到有效参保记录（参保状态暂停或无参保），请到参保地医保经办机构咨询",
                          key="person_not_insured")
    # Prefer an insurance of the care area; otherwise the first valid one (异地就医).
    chosen = next((i for i in insu if i.get("insuplc_admdvs") == mdtrtarea), insu[0])
    insutype = str(chosen.get("insutype", ""))
    name = getattr(cred, "user_name", "") or base.get("psn_name", "")
    id_no = getattr(cred, "id_no", "") or base.get("certno", "")
    return Patient(
        credential=cred, psn_no=str(base["psn_no"]), name_masked=mask_name(name), id_masked=mask_id(id_no),
        insutype=insutype, insutype_name=INSUTYPE_NAMES.get(insutype, insutype),
        insuplc_admdvs=str(chosen.get("insuplc_admdvs", "")),
        balc=yuan(chosen.get("balc") or Decimal("0")),
        family_of=getattr(cred, "family_holder", "") or "",
        family_relation=getattr(cred, "family_relation", "") or "",
        mdtrt_cert_type=cert_type, mdtrt_cert_no=cert_no, psn_type=str(chosen.get("psn_type", "")),
        age=str(base.get("age", "")))


def query_person(client: JournaledClient, cred, cert_type: str = "01", cert_no: str = "",
                 psn_name: str = "") -> dict:
    """1101 for a credential (01 ecToken) or an ID / social-security card number (02 / 03)."""
    if cert_type == "01":
        data = {"mdtrt_cert_type": "01", "mdtrt_cert_no": cred.ec_token, "card_sn": "", "begntime": "",
                "psn_cert_type": getattr(cred, "id_type", "") or "01", "certno": cred.id_no,
                "psn_name": cred.user_name}
    else:
        data = {"mdtrt_cert_type": cert_type, "mdtrt_cert_no": cert_no, "card_sn": "", "begntime": "",
                "psn_cert_type": "01", "certno": cert_no, "psn_name": psn_name}
    return client.call_journaled("1101", {"data": data})
