"""Outpatient: 2201 挂号, 2202 挂号撤销, 2203 就诊信息, 2204 费用明细, 2205 明细撤销, 2206 预结算,
2207 结算, 2208 结算撤销.

Input (the simulator's reading of the public samples):
  2201 data {psn_no, mdtrt_cert_type, mdtrt_cert_no, ipt_otp_no, [insutype], [dept_code], [atddr_no], ...}
       -> data {mdtrt_id, psn_no, ipt_otp_no}
  2202 data {psn_no, mdtrt_id, [ipt_otp_no]}: refused while fee details are live or the visit is settled
  2203 mdtrtinfo {mdtrt_id, psn_no, med_type 11|12|14, ...} + diseinfo[] (required unless med_type 12)
  2204 feedetail[] {feedetl_sn, mdtrt_id, psn_no, chrg_bchno, med_list_codg, cnt, pric,
       [det_item_fee_sumamt]} -> result[]
  2205 data {mdtrt_id, psn_no, chrg_bchno ("0000" = every live detail)}
  2206/2207 data {psn_no, mdtrt_cert_type, mdtrt_cert_no, mdtrt_id, chrg_bchno ("0000" = all),
       medfee_sumamt, [med_type], [insutype], [acct_used_flag]}: medfee_sumamt must equal the live details;
       2207 must repeat the 2206 total and batch.
  2208 data {setl_id, mdtrt_id, psn_no}
"""
from __future__ import annotations

import json
from decimal import Decimal

from simulator import settlement, trace
from simulator.platform import Ctx, handler
from simulator.wire import Refusal, node, node_or_first_row, number, required, rows

OUTPATIENT_MED_TYPES = ("11", "12", "14")
PSN_SETLWAYS = ("01", "02")  # 个人结算方式: 01 按项目结算, 02 按定额结算
# 2207 repeats these amounts of the 2206 answer (required numbers in the specification).
ECHOED = ("fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt")
ALL_BATCHES = "0000"


def _visit(ctx: Ctx, mdtrt_id: object, psn_no: object):
    row = ctx.db.execute("SELECT * FROM visits WHERE mdtrt_id=?", (str(mdtrt_id),)).fetchone()
    if row is None or row["fixmedins_code"] != ctx.fixmedins_code:
        raise Refusal(f"就诊ID[{mdtrt_id}]不存在")
    if row["psn_no"] != str(psn_no):
        raise Refusal("就诊ID与人员编号不符")
    return row


def _open(row) -> None:
    if row["status"] == "cancelled":
        raise Refusal("该就诊已撤销挂号")
    if row["status"] in ("settled", "refunded"):
        raise Refusal("该就诊已结算，不能修改")


def _live_fees(ctx: Ctx, mdtrt_id: str, batch: str) -> list:
    sql = "SELECT * FROM fees WHERE mdtrt_id=? AND status='live'"
    args: tuple = (mdtrt_id,)
    if batch != ALL_BATCHES:
        sql, args = sql + " AND chrg_bchno=?", (mdtrt_id, batch)
    return ctx.db.execute(sql, args).fetchall()


@handler("2201")
def register(ctx: Ctx, inp: dict) -> dict:
    """门诊挂号: opens a visit (mdtrt_id)."""
    data = node(inp, "data")
    required(data, "psn_no", "mdtrt_cert_type", "mdtrt_cert_no", "ipt_otp_no", where="data")
    person = ctx.person(data["psn_no"])
    settlement.check_cert(ctx, data, person, "data")
    insutype = settlement.insutype_of(data, person)
    dup = ctx.db.execute("SELECT 1 FROM visits WHERE ipt_otp_no=? AND fixmedins_code=? AND status!='cancelled'",
                         (str(data["ipt_otp_no"]), ctx.fixmedins_code)).fetchone()
    if dup:
        raise Refusal(f"门诊号[{data['ipt_otp_no']}]已挂号")
    mdtrt_id = settlement.new_id(ctx, "mdtrt_id")
    ctx.db.execute("INSERT INTO visits(mdtrt_id, psn_no, insutype, med_type, ipt_otp_no, fixmedins_code, status, "
                   "msgid, at) VALUES(?,?,?,?,?,?,'registered',?,?)",
                   (mdtrt_id, person.psn_no, insutype, "11", str(data["ipt_otp_no"]), ctx.fixmedins_code,
                    ctx.msgid, ctx.now))
    return {"data": {"mdtrt_id": mdtrt_id, "psn_no": person.psn_no, "ipt_otp_no": str(data["ipt_otp_no"])}}


@handler("2202")
def unregister(ctx: Ctx, inp: dict) -> dict:
    """挂号撤销: only for a visit with no live fee details and no settlement."""
    data = node(inp, "data")
    required(data, "psn_no", "mdtrt_id", where="data")
    visit = _visit(ctx, data["mdtrt_id"], data["psn_no"])
    _open(visit)
    if _live_fees(ctx, visit["mdtrt_id"], ALL_BATCHES):
        raise Refusal("该就诊存在已上传的费用明细，请先撤销明细(2205)")
    ctx.db.execute("UPDATE visits SET status='cancelled' WHERE mdtrt_id=?", (visit["mdtrt_id"],))
    return {}


@handler("2203")
def visit_info(ctx: Ctx, inp: dict) -> dict:
    """就诊信息上传: sets the visit's med_type."""
    info = node_or_first_row(inp, "mdtrtinfo")  # a list in the specification; some platforms take one object
    required(info, "mdtrt_id", "psn_no", "med_type", where="mdtrtinfo")
    visit = _visit(ctx, info["mdtrt_id"], info["psn_no"])
    _open(visit)
    med_type = str(info["med_type"])
    if med_type not in OUTPATIENT_MED_TYPES:
        raise Refusal(f"门诊医疗类别(med_type)[{med_type}]错误：11 普通门诊，12 门诊挂号，14 门诊慢特病")
    if med_type != "12":
        dise = rows(inp, "diseinfo", allow_object=True)
        for i, d in enumerate(dise):
            required(d, "diag_code", "diag_name", where=f"diseinfo[{i}]")
    ctx.db.execute("UPDATE visits SET med_type=?, mdtrtinfo=1 WHERE mdtrt_id=?", (med_type, visit["mdtrt_id"]))
    return {}


@handler("2204")
def upload_fees(ctx: Ctx, inp: dict) -> dict:
    """费用明细上传: stores each detail under its visit and batch; feedetl_sn unique per visit."""
    details = rows(inp, "feedetail", allow_object=True)  # one line may come as one object (Zhejiang)
    result = []
    for i, d in enumerate(details):
        required(d, "feedetl_sn", "mdtrt_id", "psn_no", "chrg_bchno", "med_list_codg", where=f"feedetail[{i}]")
        visit = _visit(ctx, d["mdtrt_id"], d["psn_no"])
        _open(visit)
        amount = settlement.detail_sum([d], f"feedetail[{i}]")
        sn = str(d["feedetl_sn"])
        if ctx.db.execute("SELECT 1 FROM fees WHERE mdtrt_id=? AND feedetl_sn=? AND status='live'",
                          (visit["mdtrt_id"], sn)).fetchone():
            raise Refusal(f"费用明细流水号[{sn}]重复")
        ctx.db.execute("INSERT OR REPLACE INTO fees(mdtrt_id, feedetl_sn, chrg_bchno, med_list_codg, cnt, pric, "
                       "amount, status, msgid) VALUES(?,?,?,?,?,?,?,'live',?)",
                       (visit["mdtrt_id"], sn, str(d["chrg_bchno"]), str(d["med_list_codg"]), str(d["cnt"]),
                        str(d["pric"]), f"{amount:.2f}", ctx.msgid))
        result.append({"feedetl_sn": sn, "det_item_fee_sumamt": amount, "cnt": Decimal(str(d["cnt"])),
                       "pric": Decimal(str(d["pric"])), "pric_uplmt_amt": Decimal(str(d["pric"])),
                       "selfpay_prop": Decimal("0.00"), "fulamt_ownpay_amt": Decimal("0.00"),
                       "overlmt_amt": Decimal("0.00"), "preselfpay_amt": Decimal("0.00"),
                       "inscp_scp_amt": amount, "chrgitm_lv": "01", "med_chrgitm_type": "09"})
    return {"result": result}


@handler("2205")
def cancel_fees(ctx: Ctx, inp: dict) -> dict:
    """明细撤销: withdraws live details of a batch ("0000": all) of an unsettled visit."""
    data = node(inp, "data")
    required(data, "mdtrt_id", "psn_no", "chrg_bchno", where="data")
    visit = _visit(ctx, data["mdtrt_id"], data["psn_no"])
    _open(visit)
    batch = str(data["chrg_bchno"])
    sql = "UPDATE fees SET status='cancelled' WHERE mdtrt_id=? AND status='live'"
    if batch == ALL_BATCHES:
        ctx.db.execute(sql, (visit["mdtrt_id"],))
    else:
        ctx.db.execute(sql + " AND chrg_bchno=?", (visit["mdtrt_id"], batch))
    ctx.db.execute("UPDATE visits SET presettle=NULL WHERE mdtrt_id=?", (visit["mdtrt_id"],))
    return {}


def _read(ctx: Ctx, inp: dict):
    data = node(inp, "data")
    required(data, "psn_no", "mdtrt_cert_type", "mdtrt_cert_no", "mdtrt_id", "chrg_bchno", "medfee_sumamt",
             "psn_setlway", where="data")
    if str(data["psn_setlway"]) not in PSN_SETLWAYS:
        raise Refusal(f"个人结算方式(psn_setlway)[{data['psn_setlway']}]错误：01 按项目结算，02 按定额结算")
    person = ctx.person(data["psn_no"])
    settlement.check_cert(ctx, data, person, "data")
    visit = _visit(ctx, data["mdtrt_id"], person.psn_no)
    _open(visit)
    if not visit["mdtrtinfo"]:
        raise Refusal("请先上传就诊信息(2203)")
    if data.get("med_type") and str(data["med_type"]) != visit["med_type"]:
        raise Refusal("医疗类别(med_type)与就诊信息不符")
    insutype = settlement.insutype_of(data, person)
    batch = str(data["chrg_bchno"])
    fees = _live_fees(ctx, visit["mdtrt_id"], batch)
    if not fees:
        raise Refusal("未找到该就诊的费用明细，请先上传(2204)")
    summed = sum((Decimal(f["amount"]) for f in fees), Decimal("0.00"))
    total = number(data["medfee_sumamt"], "data.medfee_sumamt")
    if total != summed:
        raise Refusal(f"医疗费总额{total:.2f}与已上传明细合计{summed:.2f}不符")
    split = settlement.quote(ctx, person, total, insutype, visit["med_type"], data.get("acct_used_flag"))
    return person, visit, insutype, batch, total, split


@handler("2206")
def presettle(ctx: Ctx, inp: dict) -> dict:
    """门诊预结算: the split; remembered on the visit for 2207."""
    person, visit, insutype, batch, total, split = _read(ctx, inp)
    info = settlement.setlinfo(ctx, person, split, mdtrt_id=visit["mdtrt_id"], med_type=visit["med_type"],
                               insutype=insutype)
    ctx.db.execute("UPDATE visits SET presettle=? WHERE mdtrt_id=?",
                   (json.dumps({"chrg_bchno": batch, "medfee_sumamt": f"{total:.2f}",
                                **{k: f"{info[k]:.2f}" for k in ECHOED}}), visit["mdtrt_id"]))
    return {"setlinfo": info, "setldetail": settlement.setldetail(split, insutype)}


@handler("2207")
def settle(ctx: Ctx, inp: dict) -> dict:
    """门诊结算: must repeat the pre-settled batch and total."""
    person, visit, insutype, batch, total, split = _read(ctx, inp)
    pre = json.loads(visit["presettle"]) if visit["presettle"] else None
    if pre is None:
        raise Refusal("未找到预结算信息，请先预结算(2206)")
    if pre["chrg_bchno"] != batch or pre["medfee_sumamt"] != f"{total:.2f}":
        raise Refusal(f"结算金额{total:.2f}与预结算金额{pre['medfee_sumamt']}不符，请重新预结算")
    data = inp["data"]
    required(data, *ECHOED, where="data")
    for k in ECHOED:
        given = number(data[k], f"data.{k}")
        if k in pre and f"{given:.2f}" != pre[k]:
            raise Refusal(f"data.{k}[{given:.2f}]与预结算返回值{pre[k]}不符，请按2206返回值传入")
    ctx.db.execute("UPDATE visits SET status='settled' WHERE mdtrt_id=?", (visit["mdtrt_id"],))
    info = settlement.record(ctx, person, split, mdtrt_id=visit["mdtrt_id"], insutype=insutype,
                             med_type=visit["med_type"])
    fees = ctx.db.execute("SELECT feedetl_sn, med_list_codg FROM fees WHERE mdtrt_id=? AND status='live'",
                          (visit["mdtrt_id"],)).fetchall()
    trace.settle_codes(ctx, inp, {f["feedetl_sn"]: f["med_list_codg"] for f in fees}, info["setl_id"])
    return {"setlinfo": info, "setldetail": settlement.setldetail(split, insutype)}


@handler("2208")
def undo(ctx: Ctx, inp: dict) -> dict:
    """门诊结算撤销: refund a 2207 settlement (amounts negated); the visit is closed as refunded."""
    data = node(inp, "data")
    required(data, "setl_id", "mdtrt_id", "psn_no", where="data")
    row = settlement.find_settlement(ctx, data, "2207")
    info = settlement.refund(ctx, row)
    ctx.db.execute("UPDATE visits SET status='refunded' WHERE mdtrt_id=?", (row["mdtrt_id"],))
    return {"setlinfo": info}


