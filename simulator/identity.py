"""Sign-in (9001/9002), person lookup (1101) and code decoding (1162)."""
from __future__ import annotations

from datetime import datetime

from simulator import codes, roster
from simulator.platform import Ctx, handler
from simulator.store import balance, next_seq
from simulator.wire import Refusal, node, required, stamp


@handler("9001")
def sign_in(ctx: Ctx, inp: dict) -> dict:
    """签到: a new sign_no for this institution and operator."""
    data = node(inp, "signIn")
    required(data, "opter_no", where="signIn")
    sign_no = stamp(ctx.now, "%Y%m%d%H%M%S") + f"{next_seq(ctx.db, 'sign_no'):06d}"  # 20 digits, invented
    sign_time = stamp(ctx.now)
    ctx.db.execute("INSERT INTO signins(sign_no, fixmedins_code, opter, sign_time) VALUES(?,?,?,?)",
                   (sign_no, ctx.fixmedins_code, str(data["opter_no"]), sign_time))
    return {"signinoutb": {"sign_time": sign_time, "sign_no": sign_no}}


@handler("9002")
def sign_out(ctx: Ctx, inp: dict) -> dict:
    """签退: closes the sign_no; business transactions need a new 9001 afterwards."""
    data = node(inp, "signOut")
    required(data, "sign_no", "opter_no", where="signOut")
    row = ctx.db.execute("SELECT * FROM signins WHERE sign_no=?", (str(data["sign_no"]),)).fetchone()
    if row is None or row["fixmedins_code"] != ctx.fixmedins_code:
        raise Refusal("签到编号(sign_no)不存在")
    if row["signed_out"]:
        raise Refusal("该签到编号已签退")
    ctx.db.execute("UPDATE signins SET signed_out=1 WHERE sign_no=?", (row["sign_no"],))
    return {"signoutoutb": {"sign_time": stamp(ctx.now)}}


def _person_by_cert(ctx: Ctx, data: dict) -> roster.Person:
    cert_type = str(data.get("mdtrt_cert_type") or "")
    cert_no = str(data.get("mdtrt_cert_no") or "")
    if cert_type == "01":  # 电子凭证: the ecToken from ec.query / 1162
        required(data, "mdtrt_cert_no", where="data")
        try:
            return codes.token_person(ctx.db, ctx.now, cert_no)
        except ValueError as e:
            raise Refusal(str(e)) from None
    if cert_type == "02":  # 居民身份证: mdtrt_cert_no (or certno) is the ID number
        idno = cert_no or str(data.get("certno") or "")
        p = roster.BY_CERTNO.get(idno.upper())
        if p is None:
            raise Refusal("未查询到该人员信息，请核对证件号码")
        return p
    if cert_type == "03":
        # The simulator keeps no social-security-card registry (written down as a deviation).
        raise Refusal("模拟平台不支持社会保障卡(03)，请使用电子凭证(01)或身份证(02)")
    raise Refusal("就诊凭证类型(mdtrt_cert_type)错误：01 电子凭证，02 身份证，03 社保卡")


@handler("1101")
def person_info(ctx: Ctx, inp: dict) -> dict:
    """人员信息获取: baseinfo + insuinfo[] (with the current balance) + idetinfo[]."""
    data = node(inp, "data")
    required(data, "mdtrt_cert_type", where="data")
    p = _person_by_cert(ctx, data)
    if p.status == "no_insurance" or not p.insutype:
        raise Refusal("未查询到该人员有效参保信息")
    today = datetime.fromtimestamp(ctx.now).date()
    base = {"psn_no": p.psn_no, "psn_cert_type": "01", "certno": p.certno, "psn_name": p.name, "gend": p.gend,
            "naty": "01", "brdy": p.brdy, "age": p.age(today), "exp_content": ""}
    # psn_insu_stas: 1 正常参保, 2 暂停参保.
    insu = {"balc": balance(ctx.db, p.psn_no, p.balc) if p.has_account else p.balc, "insutype": p.insutype,
            "psn_type": p.psn_type, "psn_insu_stas": "2" if p.status == "suspended" else "1",
            "psn_insu_date": "2010-01-01", "paus_insu_date": "2026-01-01" if p.status == "suspended" else "",
            "cvlserv_flag": "0", "insuplc_admdvs": p.insuplc_admdvs, "emp_name": p.emp_name}
    return {"baseinfo": base, "insuinfo": [insu], "idetinfo": []}


@handler("1162")
def decode_code(ctx: Ctx, inp: dict) -> dict:
    """电子凭证解码: the ec.query fields under output.data; a holder's code adds output.extra.familyAccount."""
    data = node(inp, "data")
    required(data, "ecQrCode", where="data")
    try:
        fields = codes.decode(ctx.db, ctx.now, str(data["ecQrCode"]))
    except codes.CodeError as e:
        raise Refusal(e.message, keep=True) from None  # keep: the code stays spent
    family = fields.pop("familyAccount", None)
    return {"data": fields, **({"extra": {"familyAccount": family}} if family else {})}
