"""Shared by pharmacy (2101-2103) and clinic (2206-2208): split, record, refund, and the setlinfo answer."""
from __future__ import annotations

import sqlite3
from decimal import Decimal

from simulator import roster, rules
from simulator.platform import Ctx
from simulator.store import balance, next_seq, set_balance
from simulator.wire import Refusal, number, stamp

AMOUNTS = ("medfee_sumamt", "fund_pay_sumamt", "psn_part_amt", "acct_pay", "psn_cash_pay", "hosp_part_amt")
# 清算类别 by med_type (invented mapping): outpatient 11, pharmacy 41.
CLR_TYPE = {"11": "11", "12": "11", "14": "11", "41": "41"}
CODE_AREA = "320100"  # ids the platform issues start with its own area (invented)


def clearing_agency(ctx: Ctx) -> str:
    """clr_optins: the agency that clears the settlement with the institution. Settlements are cleared where
    care was given (异地就医 too), so the care area's city-level agency (area[:4] + "99"; invented shape after
    public samples such as 131199), never the patient's insured area."""
    area = str(ctx.env.get("mdtrtarea_admvs") or CODE_AREA)
    return area[:4] + "99"



def new_id(ctx: Ctx, kind: str) -> str:
    """mdtrt_id / setl_id: area 6 + date 8 + sequence 8 (22 digits, invented shape)."""
    return CODE_AREA + stamp(ctx.now, "%Y%m%d") + f"{next_seq(ctx.db, kind):08d}"


def check_cert(ctx: Ctx, node: dict, person: roster.Person, where: str) -> None:
    """mdtrt_cert_type/no must identify the same person (01 ecToken issued for them, 02 their ID number)."""
    cert_type, cert_no = str(node.get("mdtrt_cert_type") or ""), str(node.get("mdtrt_cert_no") or "")
    if cert_type == "01":
        row = ctx.db.execute("SELECT psn_no FROM tokens WHERE token=?", (cert_no,)).fetchone()
        ok = row is not None and row["psn_no"] == person.psn_no
    elif cert_type == "02":
        ok = cert_no.upper() == person.certno
    else:
        raise Refusal(f"{where}.mdtrt_cert_type 错误：01 电子凭证，02 身份证")
    if not ok:
        raise Refusal(f"{where}.mdtrt_cert_no 与人员编号不符")


def insutype_of(node: dict, person: roster.Person) -> str:
    """The insutype asked for (must be the person's) or the person's own."""
    insutype = str(node.get("insutype") or person.insutype)
    if insutype != person.insutype:
        raise Refusal(f"险种类型(insutype)[{insutype}]与人员参保险种不符")
    return insutype


def quote(ctx: Ctx, person: roster.Person, total: Decimal, insutype: str, med_type: str,
          acct_used_flag: object) -> dict:
    """The split for `total` at the person's current balance."""
    flag = str(acct_used_flag if acct_used_flag not in (None, "") else "1")
    if flag not in ("0", "1"):
        raise Refusal("个人账户使用标志(acct_used_flag)只能为0或1")
    bal = balance(ctx.db, person.psn_no, person.balc) if person.has_account else Decimal("0.00")
    try:
        return rules.split(total, insutype, med_type, bal, use_account=flag == "1")
    except KeyError:
        raise Refusal(f"险种[{insutype}]不支持医疗类别[{med_type}]") from None


def detail_sum(rows: list[dict], where: str) -> Decimal:
    """Sum of det_item_fee_sumamt, each checked against cnt x pric (2 places, half-up)."""
    total = Decimal("0.00")
    for i, r in enumerate(rows):
        if not r.get("med_list_codg"):
            raise Refusal(f"{where}[{i}].med_list_codg 不能为空")
        cnt = number(r.get("cnt"), f"{where}[{i}].cnt", places=4)
        pric = number(r.get("pric"), f"{where}[{i}].pric", places=6)
        amount = (cnt * pric).quantize(rules.CENT, rules.ROUND_HALF_UP)
        if r.get("det_item_fee_sumamt") not in (None, ""):
            given = number(r["det_item_fee_sumamt"], f"{where}[{i}].det_item_fee_sumamt")
            if given != amount:
                raise Refusal(f"{where}[{i}] 明细金额{given:.2f}与数量×单价{amount:.2f}不符")
        total += amount
    return total


def setlinfo(ctx: Ctx, person: roster.Person, split: dict, *, mdtrt_id: str, med_type: str, insutype: str,
             setl_id: str = "", setl_time: str = "") -> dict:
    """The setlinfo node (2101/2102/2206/2207 and, negated, 2103/2208)."""
    info = {"setl_id": setl_id, "mdtrt_id": mdtrt_id, "psn_no": person.psn_no, "psn_name": person.name,
            "psn_cert_type": "01", "certno": person.certno, "gend": person.gend, "brdy": person.brdy,
            "insutype": insutype, "psn_type": person.psn_type, "med_type": med_type,
            "clr_type": CLR_TYPE.get(med_type, "11"), "clr_way": "1", "clr_optins": clearing_agency(ctx),
            "medins_setl_id": ctx.msgid, "setl_time": setl_time, "fulamt_ownpay_amt": Decimal("0.00"),
            "overlmt_selfpay": Decimal("0.00"), "preselfpay_amt": Decimal("0.00"),
            "inscp_scp_amt": split["medfee_sumamt"], "acct_mulaid_pay": Decimal("0.00")}
    info.update({k: split[k] for k in AMOUNTS})
    info["balc"] = split["balc"]
    return info


def setldetail(split: dict, insutype: str) -> list[dict]:
    """Fund breakdown: one row for the basic fund when it paid anything."""
    if not split["fund_pay_sumamt"]:
        return []
    return [{"fund_pay_type": rules.FUND_PAY_TYPE.get(insutype, "310100"), "inscp_scp_amt":
             split["medfee_sumamt"], "fund_payamt": split["fund_pay_sumamt"], "setl_proc_info": ""}]


def record(ctx: Ctx, person: roster.Person, split: dict, *, mdtrt_id: str, insutype: str, med_type: str) -> dict:
    """Commit a settlement (balance first) and return its setlinfo."""
    if person.has_account and split["acct_pay"]:
        set_balance(ctx.db, person.psn_no, split["balc"])
    setl_id, setl_time = new_id(ctx, "setl_id"), stamp(ctx.now)
    ctx.db.execute(
        "INSERT INTO settlements(setl_id, mdtrt_id, psn_no, msgid, infno, status, fixmedins_code, insutype, "
        "med_type, clr_type, insuplc_admdvs, clr_optins, medfee_sumamt, fund_pay_sumamt, psn_part_amt, acct_pay, "
        "psn_cash_pay, hosp_part_amt, balc, setl_time, at) VALUES(?,?,?,?,?,'settled',?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (setl_id, mdtrt_id, person.psn_no, ctx.msgid, ctx.infno, ctx.fixmedins_code, insutype, med_type,
         CLR_TYPE.get(med_type, "11"), person.insuplc_admdvs, clearing_agency(ctx), *(f"{split[k]:.2f}" for k in AMOUNTS),
         f"{split['balc']:.2f}", setl_time, ctx.now))
    return setlinfo(ctx, person, split, mdtrt_id=mdtrt_id, med_type=med_type, insutype=insutype,
                    setl_id=setl_id, setl_time=setl_time)


def find_settlement(ctx: Ctx, data: dict, infno: str) -> sqlite3.Row:
    """The settlement a 2103/2208/5203 names (setl_id, mdtrt_id, psn_no must agree)."""
    row = ctx.db.execute("SELECT * FROM settlements WHERE setl_id=?", (str(data["setl_id"]),)).fetchone()
    if row is None or row["fixmedins_code"] != ctx.fixmedins_code:
        raise Refusal(f"结算ID[{data['setl_id']}]不存在")
    if row["psn_no"] != str(data["psn_no"]) or (data.get("mdtrt_id") and row["mdtrt_id"] != str(data["mdtrt_id"])):
        raise Refusal("结算ID与人员编号/就诊ID不符")
    if infno and row["infno"] != infno:
        raise Refusal(f"该结算由{row['infno']}产生，不能用{ctx.infno}撤销")
    return row


def refund(ctx: Ctx, row: sqlite3.Row) -> dict:
    """Undo a settled settlement: restore the account, record the negated refund, return its setlinfo."""
    if row["status"] != "settled":
        raise Refusal({"refunded": "该结算已撤销，不能重复撤销", "reversed": "该结算已冲正"}[row["status"]])
    person = roster.get(row["psn_no"])
    acct = Decimal(row["acct_pay"])
    bal = balance(ctx.db, person.psn_no, person.balc) + acct if person.has_account else Decimal("0.00")
    if person.has_account and acct:
        set_balance(ctx.db, person.psn_no, bal)
    neg = {k: -Decimal(row[k]) for k in AMOUNTS}
    neg["balc"] = bal
    setl_id, setl_time = new_id(ctx, "setl_id"), stamp(ctx.now)
    ctx.db.execute(
        "INSERT INTO refunds(setl_id, osetl_id, mdtrt_id, psn_no, msgid, infno, status, fixmedins_code, insutype, "
        "clr_type, insuplc_admdvs, clr_optins, medfee_sumamt, fund_pay_sumamt, psn_part_amt, acct_pay, "
        "psn_cash_pay, hosp_part_amt, balc, setl_time, at) VALUES(?,?,?,?,?,?,'refunded',?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (setl_id, row["setl_id"], row["mdtrt_id"], row["psn_no"], ctx.msgid, ctx.infno, ctx.fixmedins_code,
         row["insutype"], row["clr_type"], row["insuplc_admdvs"], row["clr_optins"], *(f"{neg[k]:.2f}" for k in AMOUNTS),
         f"{bal:.2f}", setl_time, ctx.now))
    ctx.db.execute("UPDATE settlements SET status='refunded' WHERE setl_id=?", (row["setl_id"],))
    info = setlinfo(ctx, person, neg, mdtrt_id=row["mdtrt_id"], med_type=row["med_type"],
                    insutype=row["insutype"], setl_id=setl_id, setl_time=setl_time)
    info["osetl_id"] = row["setl_id"]
    info["inscp_scp_amt"] = neg["medfee_sumamt"]
    return info
