"""Dynamic 医保码 codes and ecTokens: issue (as the phone would), decode once (as the credential service).

A code is 28 random digits, first digit 1-9 (one public sample was 28 digits; the rest is invented), valid
`ttl` seconds on the service clock and single use. Decoding yields an ecToken (6-digit area + "ec" + 30
lowercase alphanumerics) that 1101 accepts as mdtrt_cert_no for the code's lifetime plus 10 minutes.
"""
from __future__ import annotations

import re
import secrets
import sqlite3
import string

from simulator import roster
from simulator.store import Store

DEFAULT_TTL = 60.0
TOKEN_GRACE = 600.0   # the ecToken outlives its code by 10 minutes (CONTRACTS.md)

# Credential service answers (CONTRACTS.md); the full vendor table is not public.
NOT_EC_CODE = ("500159", "请使用医保电子凭证二维码")
EXPIRED = ("500160", "电子凭证二维码已过期，请刷新后重新出示")
USED = ("500161", "电子凭证二维码已使用，请刷新后重新出示")
UNKNOWN = ("500162", "无效的电子凭证二维码")
NOT_ACTIVATED = ("500170", "医保电子凭证未激活，请先激活后使用")
NO_INSURANCE = ("500171", "已激活但未查询到有效参保记录")
BUSY = ("500100", "系统繁忙，请稍后重试")

CODE_RE = re.compile(r"[1-9][0-9]{27}")
_ALNUM = string.ascii_lowercase + string.digits


class CodeError(Exception):
    """A credential-service refusal: .code (str) and .message (the service's Chinese text)."""

    def __init__(self, pair: tuple[str, str]):
        super().__init__(f"{pair[0]} {pair[1]}")
        self.code, self.message = pair


class IssueError(ValueError):
    """A code cannot be issued (unknown person, not in the holder's family)."""


def issue(store: Store, psn_no: str, by: str | None = None, ttl: float | None = None) -> str:
    """A fresh code for psn_no, shown by `by`'s phone (a family holder) or the person's own."""
    person = roster.get(psn_no)
    if person is None:
        raise IssueError(f"unknown psn_no {psn_no!r}; see `ecpos sim persons`")
    holder = ""
    if by and by != psn_no:
        h = roster.get(by)
        if h is None:
            raise IssueError(f"unknown holder psn_no {by!r}")
        if psn_no not in dict(h.members):
            raise IssueError(f"{psn_no} is not in {by}'s family account")
        holder = by
    ttl = float(store.setting("code_ttl", DEFAULT_TTL) if ttl is None else ttl)
    now = store.now()
    with store.tx() as db:
        while True:
            code = str(secrets.randbelow(9) + 1) + "".join(secrets.choice(string.digits) for _ in range(27))
            if not db.execute("SELECT 1 FROM codes WHERE code=?", (code,)).fetchone():
                break
        db.execute("INSERT INTO codes(code, psn_no, holder, issued_at, expires_at) VALUES(?,?,?,?,?)",
                   (code, psn_no, holder, now, now + ttl))
    return code


def decode(db: sqlite3.Connection, now: float, text: str) -> dict:
    """ec.query inside the caller's transaction: the credential fields (+ "familyAccount" for a code a
    holder's phone showed); raises CodeError. The code is spent even when the person cannot use it (not
    activated, no insurance): the caller commits on CodeError too."""
    text = (text or "").strip()
    if not CODE_RE.fullmatch(text):
        raise CodeError(NOT_EC_CODE)  # payment codes, URLs, anything not shaped like our codes
    row = db.execute("SELECT * FROM codes WHERE code=?", (text,)).fetchone()
    if row is None:
        raise CodeError(UNKNOWN)
    if row["used_at"] is not None:
        raise CodeError(USED)
    if now > row["expires_at"]:
        raise CodeError(EXPIRED)
    db.execute("UPDATE codes SET used_at=? WHERE code=?", (now, text))
    person = roster.get(row["psn_no"])
    refusal = {"not_activated": NOT_ACTIVATED, "no_insurance": NO_INSURANCE}.get(person.status)
    if refusal:
        raise CodeError(refusal)
    token = person.insuplc_admdvs + "ec" + "".join(secrets.choice(_ALNUM) for _ in range(30))
    db.execute("INSERT INTO tokens(token, psn_no, holder, expires_at) VALUES(?,?,?,?)",
               (token, person.psn_no, row["holder"], row["expires_at"] + TOKEN_GRACE))
    data = {"ecToken": token, "idNo": person.certno, "idType": "01", "userName": person.name,
            "insuOrg": person.insuplc_admdvs, "ecIndexNo": person.ec_index_no, "gender": person.gend,
            "birthday": person.brdy, "nationality": "CHN", "email": ""}
    if row["holder"]:
        holder = roster.get(row["holder"])
        data["familyAccount"] = {"holderName": holder.name, "relation": dict(holder.members)[person.psn_no]}
    return data


def token_person(db: sqlite3.Connection, now: float, token: str) -> roster.Person:
    """The person an ecToken stands for; raises ValueError with the platform's message."""
    row = db.execute("SELECT * FROM tokens WHERE token=?", (token,)).fetchone()
    if row is None:
        raise ValueError("无效的电子凭证令牌(ecToken)，请重新扫码")   # invented wording
    if now > row["expires_at"]:
        raise ValueError("电子凭证令牌(ecToken)已失效，请重新扫码")   # invented wording
    return roster.get(row["psn_no"])
