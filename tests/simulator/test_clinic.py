"""Outpatient 2201 -> 2203 -> 2204 -> 2206 -> 2207 -> 2208, the undo steps 2205/2202, and their refusals."""
import itertools
from decimal import Decimal as D

import pytest

from terminal.errors import PlatformRefused
from tests.simulator.helpers import ITEMS, adds_up, by_msgid, details, identify

CLINIC_ITEMS = ITEMS + (("REG000000001", "1", "12.00"),)   # 37.80 + 12.00 挂号费
TOTAL = D("49.80")
_otp = itertools.count(1)
ECHOED = ("fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt")


class Visit:
    """One patient's visit driven step by step."""

    def __init__(self, pc, sim, psn_no):
        self.pc, self.who = pc, identify(pc, sim, psn_no)
        self.psn = self.who["psn_no"]

    def call(self, infno, inp, **kw):
        return self.pc.call(infno, inp, insuplc_admdvs=self.who["insuplc"], **kw)

    def register(self, ipt_otp_no=None):
        data = {"psn_no": self.psn, "insutype": self.who["insu"]["insutype"], "begntime": "2026-11-23 09:00:00",
                "mdtrt_cert_type": "01", "mdtrt_cert_no": self.who["token"],
                "ipt_otp_no": ipt_otp_no or f"MZ{next(_otp):06d}", "atddr_no": "D001", "dr_name": "王医生",
                "dept_code": "A03", "dept_name": "内科", "caty": "A03"}
        out = self.call("2201", {"data": data})["data"]
        self.mdtrt_id, self.otp = out["mdtrt_id"], data["ipt_otp_no"]
        return out

    def info(self, med_type="11", dise=True):
        inp = {"mdtrtinfo": [{"mdtrt_id": self.mdtrt_id, "psn_no": self.psn, "med_type": med_type,
                              "begntime": "2026-11-23 09:05:00", "main_cond_dscr": "咳嗽"}]}
        if dise:
            inp["diseinfo"] = [{"diag_type": "1", "diag_srt_no": 1, "diag_code": "J06.900",
                                "diag_name": "急性上呼吸道感染", "diag_dept": "内科", "dise_dor_no": "D001",
                                "dise_dor_name": "王医生", "diag_time": "2026-11-23 09:05:00", "vali_flag": "1"}]
        return self.call("2203", inp)

    def fees(self, items=CLINIC_ITEMS, batch="B001", start=1):
        rows = [dict(r, mdtrt_id=self.mdtrt_id, psn_no=self.psn, chrg_bchno=batch) for r in details(items, start, fee=True)]
        return self.call("2204", {"feedetail": rows})["result"]

    def pay(self, infno, total=TOTAL, batch="B001", **extra):
        data = {"psn_no": self.psn, "mdtrt_cert_type": "01", "mdtrt_cert_no": self.who["token"],
                "med_type": "11", "medfee_sumamt": f"{total:.2f}", "psn_setlway": "01",
                "mdtrt_id": self.mdtrt_id, "chrg_bchno": batch, "insutype": self.who["insu"]["insutype"],
                "acct_used_flag": "1"}
        if infno == "2207":  # 2207 repeats the 2206 answer's amounts (required in the specification)
            data.update({k: str(getattr(self, "pre", {}).get(k, "0.00")) for k in ECHOED})
        data.update(extra)
        got = self.call(infno, {"data": data})["setlinfo"]
        if infno == "2206":
            self.pre = got
        return got

    def ready(self):
        self.register()
        self.info()
        self.fees()
        return self


def test_full_outpatient_visit(shared_sim, pc):
    v = Visit(pc, shared_sim, "3201000000000001").ready()
    pre = v.pay("2206")
    adds_up(pre)
    # 310 普通门诊: deductible 10.00, then 70 %: (49.80 - 10.00) x 0.70 = 27.86
    assert (pre["fund_pay_sumamt"], pre["psn_part_amt"], pre["setl_id"]) == (D("27.86"), D("21.94"), "")
    got = v.pay("2207")
    adds_up(got)
    assert got["setl_id"] and got["mdtrt_id"] == v.mdtrt_id and got["acct_pay"] == D("21.94")
    visit = next(x for x in shared_sim.ledger()["visits"] if x["mdtrt_id"] == v.mdtrt_id)
    assert (visit["status"], visit["med_type"]) == ("settled", "11")
    with pytest.raises(PlatformRefused, match="已结算"):
        v.pay("2207")
    back = v.call("2208", {"data": {"setl_id": got["setl_id"], "mdtrt_id": v.mdtrt_id, "psn_no": v.psn}})
    assert back["setlinfo"]["medfee_sumamt"] == -TOTAL and back["setlinfo"]["acct_pay"] == D("-21.94")
    assert by_msgid(shared_sim.ledger(), got["medins_setl_id"])["status"] == "refunded"


def test_fee_results_and_resident_without_account(shared_sim, pc):
    v = Visit(pc, shared_sim, "3201000000000002")
    v.register()
    v.info()
    result = v.fees()
    assert [r["det_item_fee_sumamt"] for r in result] == [D("25.00"), D("8.80"), D("4.00"), D("12.00")]
    got = v.pay("2206")
    # 390 普通门诊: (49.80 - 10.00) x 0.50 = 19.90; no personal account
    assert (got["fund_pay_sumamt"], got["acct_pay"], got["psn_cash_pay"]) == (D("19.90"), D("0.00"), D("29.90"))


def test_account_not_used_when_the_terminal_says_so(shared_sim, pc):
    v = Visit(pc, shared_sim, "3201000000000016").ready()
    got = v.pay("2206", acct_used_flag="0")
    assert (got["acct_pay"], got["psn_cash_pay"]) == (D("0.00"), D("21.94"))


def test_settle_must_follow_a_matching_presettle(shared_sim, pc):
    v = Visit(pc, shared_sim, "3201000000000016").ready()
    with pytest.raises(PlatformRefused, match="请先预结算"):
        v.pay("2207")
    with pytest.raises(PlatformRefused, match="与已上传明细合计49.80不符"):
        v.pay("2206", total=D("40.00"))
    v.pay("2206")
    v.fees(items=(("XD04DDD0004", "1", "5.00"),), batch="B002", start=10)
    with pytest.raises(PlatformRefused, match="与预结算金额49.80不符"):
        v.pay("2207", total=D("54.80"), batch="0000")
    assert v.pay("2207")["medfee_sumamt"] == TOTAL                 # batch B001 as pre-settled


def test_order_and_duplicates(shared_sim, pc):
    v = Visit(pc, shared_sim, "3201000000000016")
    v.register()
    with pytest.raises(PlatformRefused, match="已挂号"):
        v.register(v.otp)
    v.fees()
    with pytest.raises(PlatformRefused, match="请先上传就诊信息"):
        v.pay("2206")
    with pytest.raises(PlatformRefused, match="流水号\\[0001\\]重复"):
        v.fees()
    with pytest.raises(PlatformRefused, match="med_type"):
        v.info(med_type="41")
    with pytest.raises(PlatformRefused, match="diseinfo 不能为空"):
        v.info(dise=False)
    v.info(med_type="12", dise=False)                              # 挂号 only: no diagnosis needed


def test_undo_an_unfinished_visit(shared_sim, pc):
    v = Visit(pc, shared_sim, "3201000000000016")
    v.register()
    v.info()
    v.fees()
    undo = {"data": {"psn_no": v.psn, "mdtrt_id": v.mdtrt_id, "ipt_otp_no": v.otp}}
    with pytest.raises(PlatformRefused, match="请先撤销明细"):
        v.call("2202", undo)
    v.call("2205", {"data": {"mdtrt_id": v.mdtrt_id, "psn_no": v.psn, "chrg_bchno": "0000"}})
    v.call("2202", undo)
    visit = next(x for x in shared_sim.ledger()["visits"] if x["mdtrt_id"] == v.mdtrt_id)
    assert visit["status"] == "cancelled"
    with pytest.raises(PlatformRefused, match="已撤销挂号"):
        v.fees()
    v.register(v.otp)                                              # the number is free again


def test_reversed_outpatient_settlement_can_be_settled_again(shared_sim, pc):
    v = Visit(pc, shared_sim, "3201000000000001").ready()
    v.pay("2206")
    got = v.pay("2207")
    out = v.call("2601", {"data": {"psn_no": v.psn, "omsgid": got["medins_setl_id"], "oinfno": "2207"}})
    assert out["data"]["rslt"] == "reversed"
    again = v.pay("2207")
    assert again["setl_id"] != got["setl_id"]
    ledger = shared_sim.ledger()
    assert [by_msgid(ledger, m)["status"] for m in (got["medins_setl_id"], again["medins_setl_id"])] == \
        ["reversed", "settled"]


def test_visit_belongs_to_its_person(shared_sim, pc):
    v = Visit(pc, shared_sim, "3201000000000016")
    v.register()
    other = Visit(pc, shared_sim, "3201000000000001")
    other.mdtrt_id = v.mdtrt_id
    with pytest.raises(PlatformRefused, match="就诊ID与人员编号不符"):
        other.info()
