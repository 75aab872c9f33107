"""药品追溯码 on the platform side: 3505 商品销售 and 3506 商品销售退货 (one selinfo row), 3505A / 3506A (a
selinfoDetail list), and drug_trac_info beside a settlement's fee lines (2102 / 2207).

The platform keeps every code it was told of. A code already sold (and not returned) is refused; a return of
a code it has no sale for is refused. Answers are output.result {retRslt "1" accepted | "0" refused, msgRslt},
with infcode 0 also for a business refusal (as the public integrations read them: tests/terminal/test_trace.py);
a missing node is an envelope-level refusal (infcode -1). A refusal changes nothing (the whole request).
The refusal wording is ours in the platform's style (bracketed ids); the real texts are not public.
"""
from __future__ import annotations

from simulator.platform import Ctx, handler
from simulator.wire import Refusal, node, number, rows

# 3505 / 3506 selinfo fields a row must carry (the subset of the spec's required ones a till can fill; the
# spec also requires lot data, manu_lotnum and manu_date, which a till sends only for a line whose lot it knows).
ROW_REQUIRED = ("med_list_codg", "fixmedins_hilist_id", "fixmedins_hilist_name", "fixmedins_bchno", "rx_flag",
                "trdn_flag", "sel_retn_cnt", "sel_retn_time", "sel_retn_opter_name")
SALE_REQUIRED = ("rtal_docno", "mdtrt_setl_type")
NODE_REQUIRED = ("feedetl_sn", "drug_trac_codg", "trdn_flag", "min_prcunt_type")  # drug_trac_info


def _result(ok: bool, msg: str) -> dict:
    return {"result": {"retRslt": "1" if ok else "0", "msgRslt": msg}}


def _codes(row: dict, n: int) -> list[str]:
    nodes = row.get("drugtracinfo")
    if isinstance(nodes, dict):
        nodes = [nodes]
    if not isinstance(nodes, list) or not nodes:
        raise ValueError(f"第{n}行溯源码节点(drugtracinfo)不能为空")
    out = []
    for k, t in enumerate(nodes, 1):
        code = str(t.get("drug_trac_codg") or "").strip() if isinstance(t, dict) else ""
        if len(code) != 20 or not code.isdigit():
            raise ValueError(f"第{n}行第{k}个药品追溯码[{code}]格式错误，应为20位数字")
        out.append(code)
    return out


def _check(ctx: Ctx, data: list[dict], sale: bool) -> list[tuple[dict, list[str]]]:
    """Rows with their codes, or ValueError with the first problem (nothing has been written yet)."""
    checked, seen = [], set()
    for n, row in enumerate(data, 1):
        for f in ROW_REQUIRED + (SALE_REQUIRED if sale else ()):
            if row.get(f) in (None, ""):
                raise ValueError(f"第{n}行{f}不能为空")
        try:
            number(row["sel_retn_cnt"], "sel_retn_cnt", places=4)
        except Refusal as e:
            raise ValueError(f"第{n}行{e.err_msg}") from None
        if sale and str(row["mdtrt_setl_type"]) not in ("1", "2"):
            raise ValueError(f"第{n}行就诊结算类型(mdtrt_setl_type)[{row['mdtrt_setl_type']}]应为1或2")
        if sale and str(row["mdtrt_setl_type"]) == "1":
            setl = ctx.db.execute("SELECT 1 FROM settlements WHERE setl_id=? AND fixmedins_code=?",
                                  (str(row.get("setl_id") or ""), ctx.fixmedins_code)).fetchone()
            if setl is None:
                raise ValueError(f"第{n}行结算ID[{row.get('setl_id') or ''}]不存在")
        codes = _codes(row, n)
        for code in codes:
            if code in seen:
                raise ValueError(f"药品追溯码[{code}]在本次上传中重复")
            seen.add(code)
            held = ctx.db.execute("SELECT status FROM trace_codes WHERE code=?", (code,)).fetchone()
            if sale and held is not None and held["status"] == "sold":
                raise ValueError(f"药品追溯码[{code}]已存在销售记录，不能重复销售")
            if not sale and (held is None or held["status"] != "sold"):
                raise ValueError(f"药品追溯码[{code}]无销售记录，不能退货")
        checked.append((row, codes))
    return checked


def sell(ctx: Ctx, code: str, med_list_codg: str, setl_id: str) -> None:
    """Record a code as sold (a returned code may be sold again)."""
    ctx.db.execute("INSERT INTO trace_codes(code, status, fixmedins_code, med_list_codg, setl_id, infno, msgid,"
                   " sold_at) VALUES(?, 'sold', ?,?,?,?,?,?) ON CONFLICT(code) DO UPDATE SET status='sold',"
                   " fixmedins_code=excluded.fixmedins_code, med_list_codg=excluded.med_list_codg,"
                   " setl_id=excluded.setl_id, infno=excluded.infno, msgid=excluded.msgid,"
                   " sold_at=excluded.sold_at, returned_at=NULL, times_sold=times_sold+1",
                   (code, ctx.fixmedins_code, med_list_codg, setl_id, ctx.infno, ctx.msgid, ctx.now))


def _report(ctx: Ctx, data: list[dict], sale: bool) -> dict:
    try:
        checked = _check(ctx, data, sale)
    except ValueError as e:
        return _result(False, str(e))
    for row, codes in checked:
        for code in codes:
            if sale:
                sell(ctx, code, str(row["med_list_codg"]), str(row.get("setl_id") or ""))
            else:
                ctx.db.execute("UPDATE trace_codes SET status='returned', returned_at=? WHERE code=?",
                               (ctx.now, code))
    n = sum(len(c) for _, c in checked)
    return _result(True, f"{'销售' if sale else '退货'}信息上传成功，药品追溯码{n}条")


@handler("3505")
def sale(ctx: Ctx, inp: dict) -> dict:
    """商品销售: one selinfo row."""
    return _report(ctx, [node(inp, "selinfo")], True)


@handler("3506")
def sale_return(ctx: Ctx, inp: dict) -> dict:
    """商品销售退货: one selinfo row."""
    return _report(ctx, [node(inp, "selinfo")], False)


@handler("3505A")
def sale_batch(ctx: Ctx, inp: dict) -> dict:
    """商品销售 (A): a selinfoDetail list."""
    return _report(ctx, rows(inp, "selinfoDetail"), True)


@handler("3506A")
def sale_return_batch(ctx: Ctx, inp: dict) -> dict:
    """商品销售退货 (A): a selinfoDetail list."""
    return _report(ctx, rows(inp, "selinfoDetail"), False)


def settle_codes(ctx: Ctx, inp: dict, lines: dict[str, str], setl_id: str) -> None:
    """drug_trac_info beside a settlement's fee lines: every node names one of `lines` (feedetl_sn ->
    med_list_codg); a code sold already refuses the whole settlement (Refusal rolls it back)."""
    nodes = inp.get("drug_trac_info")
    if nodes in (None, "", []):
        return
    if isinstance(nodes, dict):
        nodes = [nodes]
    if not isinstance(nodes, list):
        raise Refusal("drug_trac_info 格式错误")
    for n, t in enumerate(nodes, 1):
        if not isinstance(t, dict) or any(t.get(f) in (None, "") for f in NODE_REQUIRED):
            raise Refusal(f"drug_trac_info第{n}行必填字段缺失({'/'.join(NODE_REQUIRED)})")
        line = lines.get(str(t["feedetl_sn"]))
        if line is None:
            raise Refusal(f"drug_trac_info第{n}行费用明细流水号[{t['feedetl_sn']}]不存在")
        try:
            _codes({"drugtracinfo": [t]}, n)
            _check_sold(ctx, str(t["drug_trac_codg"]))
        except ValueError as e:
            raise Refusal(str(e)) from None
        sell(ctx, str(t["drug_trac_codg"]), line, setl_id)


def _check_sold(ctx: Ctx, code: str) -> None:
    held = ctx.db.execute("SELECT status FROM trace_codes WHERE code=?", (code,)).fetchone()
    if held is not None and held["status"] == "sold":
        raise ValueError(f"药品追溯码[{code}]已存在销售记录，不能重复销售")


def undo_settlement(ctx: Ctx, setl_id: str, status: str) -> None:
    """A refunded (returned) or reversed settlement takes the codes it carried back."""
    ctx.db.execute("UPDATE trace_codes SET status=?, returned_at=? WHERE setl_id=? AND status='sold'"
                   " AND infno IN ('2102', '2207')", (status, ctx.now, setl_id))
