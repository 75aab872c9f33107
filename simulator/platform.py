"""The platform endpoint: envelope checks, msgid idempotency, tombstones, then the transaction handler.

Choices written down (the real platform's rules are not public):
- Envelope faults (unknown infno, malformed msgid, missing fixmedins_code, a business transaction without a
  valid sign_no) are refused like a gateway would: infcode -1, nothing stored, so the same msgid may be sent
  again once fixed (e.g. after 9001).
- sign_no from 9001 (not signed out by 9002) is required for the transactions that create or undo money or
  visits (2xxx, 2601, 3201). 9001, 9002, 1101, 1162 and the query 5203 work without it: a terminal decodes a
  code (1162) and reads the person (1101) before or while signing in.
- Anything that reached a handler (answer or refusal) is stored under its msgid: the same msgid and content
  gets the same answer with no second effect; the same msgid with other content is refused.
- When the input names a psn_no insured outside the envelope's mdtrtarea_admvs, insuplc_admdvs must carry the
  person's insured area (from 1101); a wrong non-empty insuplc_admdvs is refused for everyone.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from typing import Callable

from simulator import checker, roster
from simulator.store import Store, next_seq
from simulator.wire import Refusal, answer, dumps, loads, stamp

SIGNED = frozenset({"2101", "2102", "2103", "2201", "2202", "2203", "2204", "2205", "2206", "2207", "2208",
                    "2601", "3201", "3505", "3506", "3505A", "3506A"})
# New business for a person: refused for suspended / uninsured persons.
NEW_BUSINESS = frozenset({"2101", "2102", "2201", "2203", "2204", "2206", "2207"})
REFMSG_AREA = "320100"  # inf_refmsgid = area 6 + time 14 + seq 10 (the platform's own area, invented)


@dataclass
class Ctx:
    """What a handler gets: the open transaction, the service time and the envelope."""

    db: sqlite3.Connection
    now: float
    env: dict
    store: Store

    @property
    def msgid(self) -> str:
        return self.env["msgid"]

    @property
    def infno(self) -> str:
        return self.env["infno"]

    @property
    def fixmedins_code(self) -> str:
        return str(self.env.get("fixmedins_code") or "")

    def person(self, psn_no: str) -> roster.Person:
        """The roster person or a refusal."""
        p = roster.get(str(psn_no or ""))
        if p is None:
            raise Refusal(f"人员编号[{psn_no}]不存在")  # invented wording
        return p


Handler = Callable[[Ctx, dict], dict]
HANDLERS: dict[str, Handler] = {}


def handler(infno: str):
    """Register a transaction handler."""
    def deco(fn: Handler) -> Handler:
        HANDLERS[infno] = fn
        return fn
    return deco


def _refmsgid(db: sqlite3.Connection, now: float) -> str:
    return REFMSG_AREA + stamp(now, "%Y%m%d%H%M%S") + f"{next_seq(db, 'refmsgid'):010d}"


def _fingerprint(env: dict) -> str:
    body = {"infno": env["infno"], "input": env.get("input"), "insuplc_admdvs": env.get("insuplc_admdvs", "")}
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def find_psn_no(inp: dict) -> str:
    """The psn_no an input is about (top level, or in its first-level nodes / rows)."""
    if inp.get("psn_no"):
        return str(inp["psn_no"])
    for v in inp.values():
        for row in (v if isinstance(v, list) else [v]):
            if isinstance(row, dict) and row.get("psn_no"):
                return str(row["psn_no"])
    return ""


def _check_envelope(env: object) -> str:
    """An envelope-level error message, or "" when the envelope may be processed."""
    if not isinstance(env, dict):
        return "请求报文格式错误"
    infno = str(env.get("infno") or "")
    if infno not in HANDLERS:
        return f"交易编号[{infno}]不存在"
    fix = str(env.get("fixmedins_code") or "")
    if len(fix) != 12:
        return "定点医药机构编号(fixmedins_code)不能为空"
    msgid = str(env.get("msgid") or "")
    if len(msgid) != 30 or not msgid.startswith(fix) or not msgid[12:].isdigit():
        return "报文ID(msgid)格式错误：应为机构编号12位+时间14位+顺序号4位"
    if not isinstance(env.get("input"), dict):
        return "input 不能为空"
    return ""


def _check_sign_no(db: sqlite3.Connection, env: dict) -> str:
    if env["infno"] not in SIGNED:
        return ""
    sign_no = str(env.get("sign_no") or "")
    row = db.execute("SELECT * FROM signins WHERE sign_no=?", (sign_no,)).fetchone() if sign_no else None
    if row is None or row["signed_out"] or row["fixmedins_code"] != env["fixmedins_code"]:
        return "签到编号(sign_no)无效或已签退，请先签到(9001)"  # invented wording
    return ""


def _check_person(ctx: Ctx, inp: dict) -> None:
    psn_no = find_psn_no(inp)
    if not psn_no or ctx.infno in ("9001", "9002"):
        return
    p = ctx.person(psn_no)
    given = str(ctx.env.get("insuplc_admdvs") or "")
    elsewhere = p.insuplc_admdvs != str(ctx.env.get("mdtrtarea_admvs") or "")
    if elsewhere and not given:
        raise Refusal("参保地医保区划(insuplc_admdvs)不能为空：该人员为异地参保，请使用1101返回的insuplc_admdvs")
    if given and given != p.insuplc_admdvs:
        raise Refusal(f"参保地医保区划(insuplc_admdvs)[{given}]与人员参保地不符")
    if ctx.infno in NEW_BUSINESS:
        if p.status == "suspended":
            raise Refusal("参保人参保状态为暂停参保，不能享受医保待遇")  # invented wording
        if p.status == "no_insurance" or not p.insutype:
            raise Refusal("未查询到该人员有效参保信息")


def dispatch(store: Store, env: object, schema: checker.Schema | None = None) -> dict:
    """Process one envelope and return the answer dict (infcode 0 or -1). The request must conform to the
    schema (default: national) or it is refused naming the field, before anything is stored."""
    now = store.now()
    problem = _check_envelope(env) or checker.check(schema or checker.load(), env)
    with store.tx() as db:
        if problem:
            return answer(now, _refmsgid(db, now), err_msg=problem)
        fp = _fingerprint(env)
        row = db.execute("SELECT * FROM answers WHERE msgid=?", (env["msgid"],)).fetchone()
        if row is not None:
            if row["infno"] == env["infno"] and row["fingerprint"] == fp:
                return loads(row["answer"].encode("utf-8"))  # idempotent: same answer, no second effect
            return answer(now, _refmsgid(db, now),
                          err_msg=f"报文ID(msgid)重复：与已处理的交易内容不一致（原交易{row['infno']}）")
        problem = _check_sign_no(db, env)
        if problem:
            return answer(now, _refmsgid(db, now), err_msg=problem)
        ctx = Ctx(db, now, env, store)
        warn = "；".join(checker.warnings(schema or checker.load(), env))
        db.execute("SAVEPOINT handler")
        try:
            if db.execute("SELECT 1 FROM tombstones WHERE omsgid=?", (env["msgid"],)).fetchone():
                raise Refusal("该交易已冲正")  # a 2601 for this msgid arrived first (CONTRACTS.md)
            _check_person(ctx, env["input"])
            result = answer(now, _refmsgid(db, now), HANDLERS[env["infno"]](ctx, env["input"]), warn_msg=warn)
            db.execute("RELEASE handler")
        except Refusal as e:
            if not e.keep:
                db.execute("ROLLBACK TO handler")  # a refusal leaves no effect, only its stored answer
            db.execute("RELEASE handler")
            result = answer(now, _refmsgid(db, now), err_msg=e.err_msg, warn_msg=warn)
        db.execute("INSERT INTO answers(msgid, infno, fingerprint, answer, at, opter, sign_no) VALUES(?,?,?,?,?,?,?)",
                   (env["msgid"], env["infno"], fp, dumps(result).decode("utf-8"), now,
                    str(env.get("opter") or ""), str(env.get("sign_no") or "")))
    return result
