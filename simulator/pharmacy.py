"""Pharmacy: 2101 预结算, 2102 结算 (must repeat the pre-settled total), 2103 结算撤销.

Input: druginfo + drugdetail[] as simulator/schema/national.toml has them (checked before this module runs).
2102 settles the person's latest open 2101 (druginfo names no mdtrt_id); its medfee_sumamt and details must
add up to the pre-settled total, or it is refused.
"""
from __future__ import annotations

from simulator import settlement, trace
from simulator.platform import Ctx, handler
from simulator.wire import Refusal, node, number, required, rows

MED_TYPE = "41"  # 定点药店购药


def _read(ctx: Ctx, inp: dict):
    info = node(inp, "druginfo")
    required(info, "psn_no", "mdtrt_cert_type", "mdtrt_cert_no", "medfee_sumamt", where="druginfo")
    details = rows(inp, "drugdetail")
    person = ctx.person(info["psn_no"])
    settlement.check_cert(ctx, info, person, "druginfo")
    med_type = str(info.get("med_type") or MED_TYPE)
    if med_type != MED_TYPE:
        raise Refusal(f"药店结算医疗类别(med_type)应为{MED_TYPE}")
    insutype = settlement.insutype_of(info, person)
    total = number(info["medfee_sumamt"], "druginfo.medfee_sumamt")
    summed = settlement.detail_sum(details, "drugdetail")
    if summed != total:
        raise Refusal(f"医疗费总额{total:.2f}与明细合计{summed:.2f}不符")
    return info, person, insutype, total


@handler("2101")
def presettle(ctx: Ctx, inp: dict) -> dict:
    """药店预结算: the split at the current balance, and an mdtrt_id for 2102; nothing is paid."""
    info, person, insutype, total = _read(ctx, inp)
    split = settlement.quote(ctx, person, total, insutype, MED_TYPE, info.get("acct_used_flag"))
    mdtrt_id = settlement.new_id(ctx, "mdtrt_id")
    ctx.db.execute("INSERT INTO presettles(mdtrt_id, psn_no, msgid, fixmedins_code, medfee_sumamt, status, at) "
                   "VALUES(?,?,?,?,?,'open',?)",
                   (mdtrt_id, person.psn_no, ctx.msgid, ctx.fixmedins_code, f"{total:.2f}", ctx.now))
    return {"setlinfo": settlement.setlinfo(ctx, person, split, mdtrt_id=mdtrt_id, med_type=MED_TYPE,
                                            insutype=insutype),
            "setldetail": settlement.setldetail(split, insutype)}


@handler("2102")
def settle(ctx: Ctx, inp: dict) -> dict:
    """药店结算: settles the open pre-settlement; the personal account is charged now."""
    info, person, insutype, total = _read(ctx, inp)
    # druginfo names no mdtrt_id (PROTOCOL.md §2b): settle the person's latest open pre-settlement.
    pre = ctx.db.execute("SELECT * FROM presettles WHERE psn_no=? AND fixmedins_code=? AND status='open' "
                         "ORDER BY at DESC, mdtrt_id DESC LIMIT 1",
                         (person.psn_no, ctx.fixmedins_code)).fetchone()
    if pre is None:
        raise Refusal("未找到该人员的预结算信息，请先预结算(2101)")
    if f"{total:.2f}" != pre["medfee_sumamt"]:
        raise Refusal(f"结算金额{total:.2f}与预结算金额{pre['medfee_sumamt']}不符，请重新预结算")
    split = settlement.quote(ctx, person, total, insutype, MED_TYPE, info.get("acct_used_flag"))
    ctx.db.execute("UPDATE presettles SET status='settled' WHERE mdtrt_id=?", (pre["mdtrt_id"],))
    info_out = settlement.record(ctx, person, split, mdtrt_id=pre["mdtrt_id"], insutype=insutype,
                                 med_type=MED_TYPE)
    lines = {str(r.get("feedetl_sn")): str(r.get("med_list_codg") or "") for r in rows(inp, "drugdetail")}
    trace.settle_codes(ctx, inp, lines, info_out["setl_id"])  # channels whose 2102 carries them
    return {"setlinfo": info_out, "setldetail": settlement.setldetail(split, insutype)}


@handler("2103")
def undo(ctx: Ctx, inp: dict) -> dict:
    """药店结算撤销: refund a 2102 settlement in full (account restored); amounts in the answer are negated."""
    data = node(inp, "data")
    required(data, "setl_id", "mdtrt_id", "psn_no", where="data")
    row = settlement.find_settlement(ctx, data, "2102")
    info = settlement.refund(ctx, row)
    trace.undo_settlement(ctx, row["setl_id"], "returned")
    return {"setlinfo": info}
