"""Fee-split rules as data plus one function (all figures invented for the simulator, per settlement).

Per (insutype, med_type): the fund pays `ratio` of what exceeds `deductible`, at most `cap`; the rest is the
person's share. When the insutype has a personal account (310) and the terminal allows it (acct_used_flag
"1"), the account pays the person's share up to the balance; cash pays the remainder. hosp_part_amt (the
institution's share) is always 0 here. Arithmetic is exact Decimal, rounded half-up to the cent:
    medfee_sumamt = fund_pay_sumamt + psn_part_amt + hosp_part_amt
    psn_part_amt  = acct_pay + psn_cash_pay
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from simulator.roster import ACCOUNT_INSUTYPES

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Rule:
    deductible: Decimal
    ratio: Decimal
    cap: Decimal


def _r(deductible: str, ratio: str, cap: str) -> Rule:
    return Rule(Decimal(deductible), Decimal(ratio), Decimal(cap))


# med_type: 11 普通门诊, 12 门诊挂号, 14 门诊慢特病, 41 定点药店购药.
RULES: dict[tuple[str, str], Rule] = {
    ("310", "11"): _r("10.00", "0.70", "2000.00"),
    ("310", "12"): _r("0.00", "0.50", "50.00"),
    ("310", "14"): _r("0.00", "0.85", "5000.00"),
    ("310", "41"): _r("0.00", "0.50", "1000.00"),
    ("390", "11"): _r("10.00", "0.50", "1000.00"),
    ("390", "12"): _r("0.00", "0.50", "30.00"),
    ("390", "14"): _r("0.00", "0.60", "3000.00"),
    ("390", "41"): _r("0.00", "0.40", "500.00"),
    # 离休人员: the fund pays everything.
    ("340", "11"): _r("0.00", "1.00", "999999.00"),
    ("340", "12"): _r("0.00", "1.00", "999999.00"),
    ("340", "14"): _r("0.00", "1.00", "999999.00"),
    ("340", "41"): _r("0.00", "1.00", "999999.00"),
}
MED_TYPES = frozenset(m for _, m in RULES)
# Fund code for setldetail (invented subset of the 基金支付类型 dictionary).
FUND_PAY_TYPE = {"310": "310100", "390": "390100", "340": "340100"}


def split(total: Decimal, insutype: str, med_type: str, balance: Decimal, use_account: bool = True) -> dict:
    """The settlement amounts for `total` (Decimal, 2 places) as a dict of Decimals; KeyError if no rule."""
    rule = RULES[(insutype, med_type)]
    total = total.quantize(CENT, ROUND_HALF_UP)
    over = max(total - rule.deductible, ZERO)
    fund = min((over * rule.ratio).quantize(CENT, ROUND_HALF_UP), rule.cap)
    hosp = ZERO
    psn_part = total - fund - hosp
    acct = min(psn_part, max(balance, ZERO)) if (use_account and insutype in ACCOUNT_INSUTYPES) else ZERO
    cash = psn_part - acct
    result = {"medfee_sumamt": total, "fund_pay_sumamt": fund, "psn_part_amt": psn_part, "acct_pay": acct,
              "psn_cash_pay": cash, "hosp_part_amt": hosp, "balc": balance - acct}
    assert result["medfee_sumamt"] == fund + psn_part + hosp and psn_part == acct + cash
    return result
