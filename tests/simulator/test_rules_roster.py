"""simulator/rules.py (the fee split) and simulator/roster.py (the test persons), without a server."""
import json
import subprocess
import sys
from decimal import Decimal as D

import pytest
from hypothesis import given, strategies as st

from simulator import roster, rules

cents = st.integers(min_value=0, max_value=10_000_000).map(lambda c: D(c) / 100)


@given(total=cents, balance=cents, key=st.sampled_from(sorted(rules.RULES)), use=st.booleans())
def test_split_always_adds_up(total, balance, key, use):
    s = rules.split(total, *key, balance, use_account=use)
    rule = rules.RULES[key]
    assert s["medfee_sumamt"] == s["fund_pay_sumamt"] + s["psn_part_amt"] + s["hosp_part_amt"] == total
    assert s["psn_part_amt"] == s["acct_pay"] + s["psn_cash_pay"]
    assert all(v == v.quantize(D("0.01")) and v >= 0 for k, v in s.items())
    assert s["fund_pay_sumamt"] <= rule.cap and s["acct_pay"] <= balance
    assert s["balc"] == balance - s["acct_pay"]
    if key[0] not in roster.ACCOUNT_INSUTYPES or not use:
        assert s["acct_pay"] == 0


@pytest.mark.parametrize("total,insutype,med_type,balance,expect", [
    ("37.80", "310", "41", "1000.00", ("18.90", "18.90", "0.00")),
    ("0.01", "310", "41", "1000.00", ("0.01", "0.00", "0.00")),      # half-up: 0.005 -> 0.01
    ("5.00", "310", "11", "100.00", ("0.00", "5.00", "0.00")),       # under the deductible
    ("100.00", "310", "11", "20.00", ("63.00", "20.00", "17.00")),   # account runs out
    ("9999.00", "390", "41", "0.00", ("500.00", "0.00", "9499.00")), # capped
    ("123.45", "340", "14", "0.00", ("123.45", "0.00", "0.00")),     # 离休: all by the fund
])
def test_split_examples(total, insutype, med_type, balance, expect):
    s = rules.split(D(total), insutype, med_type, D(balance))
    assert (s["fund_pay_sumamt"], s["acct_pay"], s["psn_cash_pay"]) == tuple(map(D, expect))


def test_roster_ids_are_valid_and_unique():
    assert len(roster.PERSONS) >= 12
    assert len(roster.BY_PSN_NO) == len(roster.BY_CERTNO) == len(roster.PERSONS)
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    for p in roster.PERSONS:
        body = p.certno[:17]
        assert "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11] == p.certno[17]
        assert p.certno[:4] == p.insuplc_admdvs[:4]


def test_persons_command_lists_every_case():
    out = subprocess.run([sys.executable, "-m", "ecpos", "sim", "persons", "--json"], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    persons = json.loads(out.stdout)
    assert len(persons) >= 12
    assert {"active", "not_activated", "no_insurance", "suspended", "other_province"} <= \
        {p["status"] for p in persons}
    assert {"310", "390", "340"} <= {p["insutype"] for p in persons}
    assert any(p["insutype"] == "310" and p["balc"] == "0.00" for p in persons)
    assert all("*" in p["name"] and set(p) >= {"psn_no", "name", "status", "insutype", "balc",
                                                "insuplc_admdvs", "family"} for p in persons)
    by = {p["psn_no"]: p for p in persons}
    holders = [p for p in persons if (p["family"] or {}).get("role") == "holder"]
    assert holders and all(1 <= len(h["family"]["members"]) <= 5 for h in holders)
    for h in holders:
        for m in h["family"]["members"]:
            assert by[m["psn_no"]]["family"] == {"role": "member", "holder": h["psn_no"],
                                                 "relation": m["relation"]}
    other = next(p for p in persons if p["status"] == "other_province")
    assert other["insuplc_admdvs"][:2] != "32"


def test_persons_text_listing():
    out = subprocess.run([sys.executable, "-m", "ecpos", "sim", "persons"], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert len(lines) == len(roster.PERSONS)
    assert "family holder of 5" in lines[4] and "family member of 3201000000000005 (子女)" in lines[6]
