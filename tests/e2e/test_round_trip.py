"""One pharmacy sale and its refund against a real `ecpos sim serve`, the code issued by `ecpos sim code`
in another process: 9001 -> 1162 -> 1101 -> 2101 -> 2102 -> 2103, every amount a 2-place Decimal."""
import subprocess
import sys
from decimal import Decimal

from terminal.money import total, yuan
from terminal.wire.platform import PlatformClient

ITEMS = [("XA01AAA0001", "阿莫西林胶囊", "2", "12.50"), ("XB02BBB0002", "布洛芬缓释胶囊", "1", "18.80")]
AMOUNTS = ("medfee_sumamt", "fund_pay_sumamt", "psn_part_amt", "acct_pay", "psn_cash_pay", "hosp_part_amt")


def two_places(info: dict) -> dict:
    for k in AMOUNTS + ("balc",):
        assert isinstance(info[k], Decimal) and info[k].as_tuple().exponent == -2, (k, info[k])
    assert info["medfee_sumamt"] == info["fund_pay_sumamt"] + info["psn_part_amt"] + info["hosp_part_amt"]
    assert info["psn_part_amt"] == info["acct_pay"] + info["psn_cash_pay"]
    return info


def test_round_trip(sim, make_cfg):
    holder = sim.person("active", insutype="310", balc="500.00")
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    pc = PlatformClient(cfg)

    pc.sign_no = pc.call("9001", {"signIn": {"opter_no": cfg.operator.id, "mac": "00-00-00-00-00-00", "ip": "127.0.0.1"}}
                         )["signinoutb"]["sign_no"]
    code = subprocess.run([sys.executable, "-m", "ecpos", "sim", "code", holder["psn_no"], "--db", str(sim.db)],
                          capture_output=True, text=True, timeout=60, check=True).stdout.strip()
    cred = pc.call("1162", {"data": {"ecQrCode": code, "orgId": cfg.institution.fixmedins_code,
                                     "businessType": "02121", "operatorId": cfg.operator.id,
                                     "operatorName": cfg.operator.name, "officeId": cfg.institution.office_id,
                                     "officeName": cfg.institution.office_name, "deviceType": ""}})["data"]
    person = pc.call("1101", {"data": {"mdtrt_cert_type": "01", "mdtrt_cert_no": cred["ecToken"],
                                       "psn_cert_type": "01", "certno": cred["idNo"],
                                       "psn_name": cred["userName"]}})
    psn_no, insu = person["baseinfo"]["psn_no"], person["insuinfo"][0]
    assert psn_no == holder["psn_no"] and insu["balc"] == yuan("500.00")

    when = "2026-11-23 09:00:00"
    detail = [{"feedetl_sn": f"{i:04d}", "rx_circ_flag": "0", "med_list_codg": c, "medins_list_codg": c,
               "fee_ocur_time": when, "bilg_dr_codg": "Y320100000001", "bilg_dr_name": "值班药师",
               "cnt": cnt, "pric": pric, "det_item_fee_sumamt": str(yuan(Decimal(cnt) * Decimal(pric)))}
              for i, (c, _name, cnt, pric) in enumerate(ITEMS, 1)]
    medfee = total(d["det_item_fee_sumamt"] for d in detail)
    assert medfee == yuan("43.80")
    druginfo = {"psn_no": psn_no, "mdtrt_cert_type": "01", "mdtrt_cert_no": cred["ecToken"],
                "insutype": insu["insutype"], "med_type": "41", "medfee_sumamt": str(medfee), "begntime": when,
                "acct_used_flag": "1"}
    where = insu["insuplc_admdvs"]

    pre = two_places(pc.call("2101", {"druginfo": druginfo, "drugdetail": detail},
                             insuplc_admdvs=where)["setlinfo"])
    assert pre["medfee_sumamt"] == medfee and pre["setl_id"] == ""
    assert pre["balc"] == yuan("500.00") - pre["acct_pay"]
    got = two_places(pc.call("2102", {"druginfo": {**druginfo, "invono": "F0001"},
                                      "drugdetail": detail}, insuplc_admdvs=where)["setlinfo"])
    assert {k: got[k] for k in AMOUNTS} == {k: pre[k] for k in AMOUNTS}
    assert (got["fund_pay_sumamt"], got["acct_pay"], got["psn_cash_pay"]) == \
        (yuan("21.90"), yuan("21.90"), yuan("0.00"))          # 310 at a pharmacy: 50 % fund, rest from account

    ledger = sim.ledger()
    row = ledger["settlements"][0]
    assert (row["setl_id"], row["status"], row["msgid"]) == (got["setl_id"], "settled", got["medins_setl_id"])
    assert {k: yuan(row[k]) for k in AMOUNTS} == {k: got[k] for k in AMOUNTS}

    back = two_places(pc.call("2103", {"data": {"setl_id": got["setl_id"], "mdtrt_id": got["mdtrt_id"],
                                                "psn_no": psn_no}}, insuplc_admdvs=where)["setlinfo"])
    assert {k: back[k] for k in AMOUNTS} == {k: -got[k] for k in AMOUNTS}
    assert back["balc"] == yuan("500.00")
    ledger = sim.ledger()
    assert ledger["settlements"][0]["status"] == "refunded"
    assert [(r["osetl_id"], r["medfee_sumamt"]) for r in ledger["refunds"]] == [(got["setl_id"], "-43.80")]
    assert next(p for p in sim.persons() if p["psn_no"] == psn_no)["balc"] == "500.00"
