"""Helpers for the simulator tests: a signed-in client, identification, and transaction inputs."""
from __future__ import annotations

from decimal import Decimal

from terminal.wire.platform import PlatformClient

# (med_list_codg, cnt, pric) -> 2 x 12.50 + 1 x 8.8 + 3 x 1.333333 = 25.00 + 8.80 + 4.00 = 37.80
ITEMS = (("XA01AAA0001", "2", "12.50"), ("XB02BBB0002", "1", "8.8"), ("XC03CCC0003", "3", "1.333333"))
ITEMS_TOTAL = Decimal("37.80")


def signed_in(cfg) -> PlatformClient:
    """A PlatformClient that has done 9001."""
    pc = PlatformClient(cfg)
    out = pc.call("9001", {"signIn": {"opter_no": cfg.operator.id, "mac": "00-00-00-00-00-00",
                                      "ip": "127.0.0.1"}})
    pc.sign_no = out["signinoutb"]["sign_no"]
    return pc


def identify(pc: PlatformClient, sim, psn_no: str, by: str | None = None) -> dict:
    """Code -> 1162 -> 1101; returns {token, base, insu, insuplc} (insuplc for later envelopes)."""
    code = sim.code(psn_no, by=by)
    cred = pc.call("1162", {"data": {"ecQrCode": code, "businessType": "02121"}})["data"]
    out = pc.call("1101", {"data": {"mdtrt_cert_type": "01", "mdtrt_cert_no": cred["ecToken"],
                                    "psn_cert_type": "01", "certno": cred["idNo"], "psn_name": cred["userName"]}})
    insu = out["insuinfo"][0]
    return {"token": cred["ecToken"], "cred": cred, "base": out["baseinfo"], "insu": insu,
            "insuplc": insu["insuplc_admdvs"], "psn_no": out["baseinfo"]["psn_no"]}


WHEN = "2026-11-23 09:00:00"


def details(items=ITEMS, start: int = 1, fee: bool = False) -> list[dict]:
    """drugdetail (or, fee=True, feedetail) rows as the specification's table has them, with
    det_item_fee_sumamt = cnt x pric (2 places)."""
    rows = []
    for i, (codg, cnt, pric) in enumerate(items, start):
        amount = (Decimal(cnt) * Decimal(pric)).quantize(Decimal("0.01"))
        row = {"feedetl_sn": f"{i:04d}", "rx_circ_flag": "0", "fee_ocur_time": WHEN, "med_list_codg": codg,
               "medins_list_codg": codg, "cnt": cnt, "pric": pric, "det_item_fee_sumamt": f"{amount:.2f}",
               "bilg_dr_codg": "D001", "bilg_dr_name": "王医生"}
        if fee:
            row.update(bilg_dept_codg="A03", bilg_dept_name="内科", hosp_appr_flag="1")
        rows.append(row)
    return rows


def drug_input(who: dict, total=ITEMS_TOTAL, items=ITEMS, **extra) -> dict:
    """2101/2102 input for an identified person. druginfo has no mdtrt_id (PROTOCOL.md §2b): 2102 settles the
    person's open pre-settlement, so an mdtrt_id a caller passes is not sent."""
    extra.pop("mdtrt_id", None)
    info = {"psn_no": who["psn_no"], "mdtrt_cert_type": "01", "mdtrt_cert_no": who["token"], "begntime": WHEN,
            "insutype": who["insu"]["insutype"], "med_type": "41", "medfee_sumamt": f"{total:.2f}",
            "acct_used_flag": "1", **extra}
    return {"druginfo": info, "drugdetail": details(items)}


def presettle(pc: PlatformClient, who: dict, **extra) -> dict:
    return pc.call("2101", drug_input(who, **extra), insuplc_admdvs=who["insuplc"])["setlinfo"]


def settle(pc: PlatformClient, who: dict, mdtrt_id: str | None = None, msgid: str | None = None, **extra) -> dict:
    if mdtrt_id:
        extra["mdtrt_id"] = mdtrt_id
    return pc.call("2102", drug_input(who, **extra), msgid=msgid, insuplc_admdvs=who["insuplc"])["setlinfo"]


def sale(pc: PlatformClient, sim, psn_no: str, **extra) -> tuple[dict, dict]:
    """identify + 2101 + 2102; returns (who, setlinfo)."""
    who = identify(pc, sim, psn_no)
    pre = presettle(pc, who, **extra)
    return who, settle(pc, who, pre["mdtrt_id"], **extra)


def adds_up(info: dict) -> None:
    """PROTOCOL.md's arithmetic, on Decimals."""
    for k in ("medfee_sumamt", "fund_pay_sumamt", "psn_part_amt", "acct_pay", "psn_cash_pay", "hosp_part_amt"):
        assert isinstance(info[k], Decimal), (k, info[k])
        assert info[k] == info[k].quantize(Decimal("0.01")) and -info[k].as_tuple().exponent == 2, (k, info[k])
    assert info["medfee_sumamt"] == info["fund_pay_sumamt"] + info["psn_part_amt"] + info["hosp_part_amt"]
    assert info["psn_part_amt"] == info["acct_pay"] + info["psn_cash_pay"]


def by_msgid(ledger: dict, msgid: str) -> dict:
    return next(s for s in ledger["settlements"] if s["msgid"] == msgid)
