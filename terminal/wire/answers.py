"""Each platform answer read once into a typed value; an answer that does not hold what its transaction must
answer raises Malformed, and the exchange counts as an unknown outcome (the request may have been processed).

The field readers (setlinfo, amounts, clearing) are terminal/wire/messages.py's; this module decides what a flow
may rely on.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from terminal.wire import messages
from terminal.money import ZERO, yuan

SPLIT = ("medfee_sumamt", "fund_pay_sumamt", "acct_pay", "psn_cash_pay", "psn_part_amt", "hosp_part_amt", "balc")
REQUIRED = ("medfee_sumamt", "fund_pay_sumamt", "acct_pay", "psn_cash_pay")  # a settlement without them is no answer


class Malformed(ValueError):
    """An infcode-0 answer that does not hold what its transaction must answer (no output, no setl_id, a null
    or non-numeric amount): the request may have been processed, so its outcome is unknown."""


@dataclass(frozen=True)
class Split:
    """Who pays what (Decimal yuan): the total, the fund, the personal account, cash, and the balance."""

    medfee_sumamt: Decimal = ZERO
    fund_pay_sumamt: Decimal = ZERO
    acct_pay: Decimal = ZERO
    psn_cash_pay: Decimal = ZERO
    psn_part_amt: Decimal = ZERO
    hosp_part_amt: Decimal = ZERO
    balc: Decimal = ZERO


@dataclass(frozen=True)
class Settled:
    """A settlement answer (2102 / 2207) that can be trusted: the platform's setl_id and a numeric split."""

    setl_id: str
    mdtrt_id: str
    setl_time: str
    split: Split
    clearing: dict[str, str]
    info: dict[str, Any] = field(repr=False)


@dataclass(frozen=True)
class Quoted:
    """A pre-settlement answer (2101 / 2206): the split the patient confirms, and the node 2207 echoes."""

    mdtrt_id: str
    split: Split
    info: dict[str, Any] = field(repr=False)


def _split(info: dict, required: tuple[str, ...]) -> Split:
    values = {}
    for k in SPLIT:
        v = info.get(k)
        if v is None or v == "":
            if k in required:
                raise Malformed(f"{k} is {v!r}, not an amount")
            values[k] = ZERO
            continue
        if isinstance(v, (bool, float)):
            raise Malformed(f"{k} is {v!r}, not an amount")
        try:
            values[k] = yuan(v)
        except (ValueError, TypeError):
            raise Malformed(f"{k} is {v!r}, not an amount") from None
    s = Split(**values)
    if s.psn_part_amt == ZERO and (s.acct_pay or s.psn_cash_pay):
        s = Split(**{**values, "psn_part_amt": s.acct_pay + s.psn_cash_pay})
    return s


def _output(out: object) -> dict:
    if not isinstance(out, dict) or not out:
        raise Malformed("no output")
    return out


def settled(out: object) -> Settled:
    """Read a 2102 / 2207 answer; Malformed unless it names the settlement and every amount is a number."""
    info = messages.setlinfo(_output(out))
    setl_id = str(info.get("setl_id") or "").strip()
    if not setl_id:
        raise Malformed("no setl_id")
    return Settled(setl_id=setl_id, mdtrt_id=str(info.get("mdtrt_id") or ""),
                   setl_time=str(info.get("setl_time") or ""), split=_split(info, REQUIRED),
                   clearing=messages.clearing(info), info=dict(info))


def quoted(out: object) -> Quoted:
    """Read a 2101 / 2206 answer (the split to show); Malformed when its amounts are not numbers."""
    info = messages.setlinfo(_output(out))
    return Quoted(mdtrt_id=str(info.get("mdtrt_id") or ""), split=_split(info, ("medfee_sumamt",)),
                  info=dict(info))


def refunded(out: object) -> str:
    """Read a 2103 / 2208 answer; returns the platform's time of the refund ("" when not given)."""
    info = messages.setlinfo(_output(out))
    return str(info.get("setl_time") or "")


def registered(out: object) -> str:
    """Read a 2201 answer: the visit's mdtrt_id (Malformed without one: the visit may exist)."""
    data = _output(out).get("data") or {}
    mdtrt_id = str(data.get("mdtrt_id") or "") if isinstance(data, dict) else ""
    if not mdtrt_id:
        raise Malformed("no mdtrt_id")
    return mdtrt_id


def reversed_(out: object) -> str:
    """Read a 2601 answer: its result word (reversed, not_found, ...); "reversed" when not said."""
    data = (out or {}).get("data") if isinstance(out, dict) else None
    return str((data or {}).get("rslt") or "reversed") if isinstance(data, dict) or data is None else "reversed"


def signed_in(out: object) -> str:
    """Read a 9001 answer: the sign_no ("" when missing: the caller refuses it)."""
    node = (out or {}).get("signinoutb") if isinstance(out, dict) else None
    return str((node or {}).get("sign_no") or "") if isinstance(node, dict) or node is None else ""
