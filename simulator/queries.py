"""3201 对总账 (totals from the simulator's own ledger) and 5203 结算信息查询.

3201 counts, for the envelope's fixmedins_code and setl_time dates in [stmt_begndate, stmt_enddate]
(optionally one insutype / clr_type / setl_optins = the settlement's clearing agency, clr_optins): every settlement that is not reversed
(+amounts, refunded ones included) and every refund that is not reversed (negated amounts); the count is
settlements + refunds. stmt_rslt "0" agrees, "1" disagrees with stmt_rslt_dscr naming each difference.
"""
from __future__ import annotations

from decimal import Decimal

from simulator.platform import Ctx, handler
from simulator.settlement import find_settlement
from simulator.wire import Refusal, node, number, required

FIELDS = ("medfee_sumamt", "fund_pay_sumamt", "acct_pay")
NAMES = {"medfee_sumamt": "医疗费总额", "fund_pay_sumamt": "基金支付总额", "acct_pay": "个人账户支付总额",
         "fixmedins_setl_cnt": "结算笔数"}


def totals(ctx: Ctx, begn: str, end: str, insutype: str = "", clr_type: str = "", optins: str = "") -> dict:
    """The centre's totals for a period (amount Decimals and an int count)."""
    out = {k: Decimal("0.00") for k in FIELDS}
    out["fixmedins_setl_cnt"] = 0
    for table in ("settlements", "refunds"):
        sql = (f"SELECT * FROM {table} WHERE fixmedins_code=? AND status!='reversed' "
               "AND substr(setl_time, 1, 10) BETWEEN ? AND ?")
        args: list = [ctx.fixmedins_code, begn, end]
        for col, value in (("insutype", insutype), ("clr_type", clr_type), ("clr_optins", optins)):
            if value:
                sql += f" AND {col}=?"
                args.append(value)
        for r in ctx.db.execute(sql, args):
            for k in FIELDS:
                out[k] += Decimal(r[k])
            out["fixmedins_setl_cnt"] += 1
    return out


def _date(value: object, field: str) -> str:
    s = str(value)[:10]
    if len(s) != 10 or s[4] != "-" or s[7] != "-" or not (s[:4] + s[5:7] + s[8:]).isdigit():
        raise Refusal(f"{field} 格式错误，应为yyyy-MM-dd")
    return s


@handler("3201")
def reconcile(ctx: Ctx, inp: dict) -> dict:
    data = node(inp, "data")
    required(data, "stmt_begndate", "stmt_enddate", "medfee_sumamt", "fund_pay_sumamt", "acct_pay",
             "fixmedins_setl_cnt", where="data")
    begn, end = _date(data["stmt_begndate"], "stmt_begndate"), _date(data["stmt_enddate"], "stmt_enddate")
    if begn > end:
        raise Refusal("对账开始日期不能晚于结束日期")
    theirs = {k: number(data[k], f"data.{k}", negative=True) for k in FIELDS}
    try:
        theirs["fixmedins_setl_cnt"] = int(str(data["fixmedins_setl_cnt"]))
    except ValueError:
        raise Refusal("data.fixmedins_setl_cnt 格式错误") from None
    ours = totals(ctx, begn, end, str(data.get("insutype") or ""), str(data.get("clr_type") or ""),
                  str(data.get("setl_optins") or ""))
    diffs = [f"{NAMES[k]}不符：机构{theirs[k]}，中心{ours[k]}" for k in (*FIELDS, "fixmedins_setl_cnt")
             if theirs[k] != ours[k]]
    return {"stmtinfo": {"setl_optins": str(data.get("setl_optins") or ""), "stmt_rslt": "1" if diffs else "0",
                         "stmt_rslt_dscr": "；".join(diffs) if diffs else "对账一致"}}


@handler("5203")
def settlement_info(ctx: Ctx, inp: dict) -> dict:
    """结算信息查询: the settlement (or refund) by setl_id; vali_flag 0 once reversed, refd_setl_flag 1 once
    refunded."""
    data = node(inp, "data")
    required(data, "psn_no", "setl_id", where="data")
    refund = ctx.db.execute("SELECT * FROM refunds WHERE setl_id=? AND fixmedins_code=?",
                            (str(data["setl_id"]), ctx.fixmedins_code)).fetchone()
    row = refund if refund is not None and refund["psn_no"] == str(data["psn_no"]) \
        else find_settlement(ctx, data, "")
    info = {k: row[k] for k in ("setl_id", "mdtrt_id", "psn_no", "insutype", "clr_type", "setl_time")}
    info.update({k: Decimal(row[k]) for k in ("medfee_sumamt", "fund_pay_sumamt", "psn_part_amt", "acct_pay",
                                               "psn_cash_pay", "hosp_part_amt", "balc")})
    info["medins_setl_id"] = row["msgid"]
    info["vali_flag"] = "0" if row["status"] == "reversed" else "1"
    info["refd_setl_flag"] = "1" if (refund is not None or row["status"] == "refunded") else "0"
    return {"setlinfo": info, "setldetail": []}


@handler("1201")
def institution_info(ctx: Ctx, inp: dict) -> dict:
    """医药机构信息获取: the asking institution as the centre knows it (the shape of the Zhejiang harness's
    answer: medinsinfo[] with fixmedins_code, fixmedins_name, fixmedins_type, hosp_lv; level invented)."""
    data = node(inp, "medinsInfo")
    code = str(data.get("fixmedins_code") or ctx.fixmedins_code)
    if code != ctx.fixmedins_code:
        return {"medinsinfo": []}  # only its own record, here
    return {"medinsinfo": [{"fixmedins_code": code, "uscc": None,
                            "fixmedins_name": str(ctx.env.get("fixmedins_name") or ""),
                            "fixmedins_type": str(data.get("fixmedins_type") or "1"), "hosp_lv": "02"}]}
