"""2601 冲正: undo omsgid's effect exactly once, or leave a tombstone when omsgid was never processed.

Answers (CONTRACTS.md): output.data {omsgid, oinfno, rslt}; rslt "reversed" when the effect is undone (also
for a repeated 2601 naming the same omsgid: no second effect), "not_found" when omsgid never arrived
(tombstone: the original arriving later is refused "该交易已冲正") or arrived and was refused (there is no
effect to undo; its stored refusal stays its answer).
"""
from __future__ import annotations

from decimal import Decimal

from simulator import roster, trace
from simulator.platform import Ctx, handler
from simulator.store import balance, set_balance
from simulator.wire import Refusal, loads, node, required

REVERSIBLE = ("2102", "2103", "2207", "2208")


def _restore_balance(ctx: Ctx, psn_no: str, delta: Decimal) -> None:
    person = roster.get(psn_no)
    if person.has_account and delta:
        set_balance(ctx.db, psn_no, balance(ctx.db, psn_no, person.balc) + delta)


def _reverse_settlement(ctx: Ctx, row) -> None:
    if row["status"] == "refunded":
        raise Refusal("原结算已撤销(退费)，不能冲正")
    _restore_balance(ctx, row["psn_no"], Decimal(row["acct_pay"]))
    ctx.db.execute("UPDATE settlements SET status='reversed' WHERE setl_id=?", (row["setl_id"],))
    trace.undo_settlement(ctx, row["setl_id"], "reversed")
    # The pre-settlement / visit may be settled afresh with a new msgid.
    ctx.db.execute("UPDATE presettles SET status='open' WHERE mdtrt_id=?", (row["mdtrt_id"],))
    ctx.db.execute("UPDATE visits SET status='registered' WHERE mdtrt_id=? AND status='settled'", (row["mdtrt_id"],))


def _reverse_refund(ctx: Ctx, row) -> None:
    acct = Decimal(row["acct_pay"])  # negative: the account is charged again
    person = roster.get(row["psn_no"])
    if person.has_account and balance(ctx.db, person.psn_no, person.balc) + acct < 0:
        # The refunded money was spent again: an account never goes negative, so the refund stands
        # (invented wording; the real platform's rule is not public).
        raise Refusal("个人账户余额不足，不能冲正该退费交易")
    _restore_balance(ctx, row["psn_no"], acct)
    ctx.db.execute("UPDATE refunds SET status='reversed' WHERE setl_id=?", (row["setl_id"],))
    ctx.db.execute("UPDATE settlements SET status='settled' WHERE setl_id=?", (row["osetl_id"],))
    ctx.db.execute("UPDATE visits SET status='settled' WHERE mdtrt_id=? AND status='refunded'", (row["mdtrt_id"],))


def _log(ctx: Ctx, omsgid: str, oinfno: str, psn_no: str, rslt: str, ref: str = "") -> dict:
    ctx.db.execute("INSERT INTO reversals(msgid, omsgid, oinfno, psn_no, rslt, ref, at) VALUES(?,?,?,?,?,?,?)",
                   (ctx.msgid, omsgid, oinfno, psn_no, rslt, ref, ctx.now))
    return {"data": {"omsgid": omsgid, "oinfno": oinfno, "rslt": rslt}}


@handler("2601")
def reverse(ctx: Ctx, inp: dict) -> dict:
    data = node(inp, "data")
    required(data, "psn_no", "omsgid", "oinfno", where="data")
    omsgid, oinfno, psn_no = str(data["omsgid"]), str(data["oinfno"]), str(data["psn_no"])
    if oinfno not in REVERSIBLE:
        raise Refusal(f"交易[{oinfno}]不支持冲正，可冲正交易：{'、'.join(REVERSIBLE)}")
    if omsgid == ctx.msgid:
        raise Refusal("原报文ID(omsgid)不能是本交易的报文ID")
    if len(omsgid) != 30 or not omsgid.startswith(ctx.fixmedins_code):
        raise Refusal("原报文ID(omsgid)不属于本机构或格式错误")  # an institution reverses only its own
    original = ctx.db.execute("SELECT * FROM answers WHERE msgid=?", (omsgid,)).fetchone()
    if original is None:
        ctx.db.execute("INSERT OR IGNORE INTO tombstones(omsgid, oinfno, psn_no, msgid, at) VALUES(?,?,?,?,?)",
                       (omsgid, oinfno, psn_no, ctx.msgid, ctx.now))
        return _log(ctx, omsgid, oinfno, psn_no, "not_found")
    if original["infno"] != oinfno:
        raise Refusal(f"原交易编号[{oinfno}]与原报文[{original['infno']}]不符")
    if str(loads(original["answer"].encode("utf-8")).get("infcode")) != "0":
        return _log(ctx, omsgid, oinfno, psn_no, "not_found")  # refused: nothing to undo
    table = "settlements" if oinfno in ("2102", "2207") else "refunds"
    row = ctx.db.execute(f"SELECT * FROM {table} WHERE msgid=?", (omsgid,)).fetchone()
    if row["psn_no"] != psn_no:
        raise Refusal("人员编号与原交易不符")
    if row["status"] != "reversed":  # a repeated 2601 finds it reversed already: no second effect
        (_reverse_settlement if table == "settlements" else _reverse_refund)(ctx, row)
    return _log(ctx, omsgid, oinfno, psn_no, "reversed", row["setl_id"])


