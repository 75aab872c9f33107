"""Whatever the input, a transaction answers infcode 0 or -1 (never a crash), in-process for speed."""
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from simulator import clinic, identity, pharmacy, platform, queries, reversal  # noqa: F401  (handlers)
from simulator.store import Store

FIX = "P32010200001"
ENVELOPE = {"fixmedins_code": FIX, "fixmedins_name": "示例大药房", "mdtrtarea_admvs": "320100", "recer_sys_code": "YBXT",
            "infver": "V1.0", "opter_type": "1", "opter": "0001", "opter_name": "收银员",
            "inf_time": "2026-11-23 09:00:00"}
KEYS = ["psn_no", "mdtrt_cert_type", "mdtrt_cert_no", "medfee_sumamt", "insutype", "med_type", "mdtrt_id",
        "setl_id", "cnt", "pric", "det_item_fee_sumamt", "med_list_codg", "feedetl_sn", "chrg_bchno",
        "ipt_otp_no", "omsgid", "oinfno", "ecQrCode", "opter_no", "sign_no", "stmt_begndate", "stmt_enddate",
        "fund_pay_sumamt", "acct_pay", "fixmedins_setl_cnt", "acct_used_flag", "diag_code", "diag_name"]
NODES = ["data", "druginfo", "drugdetail", "mdtrtinfo", "diseinfo", "feedetail", "signIn", "signOut"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.text(max_size=12),
                    st.sampled_from(["3201000000000001", "01", "02", "41", "11", "310", "0000", "2102",
                                     "1.005", "-1", "NaN", "1e3", "2026-11-23"]),
                    st.decimals(allow_nan=True, allow_infinity=True, places=3))
records = st.dictionaries(st.sampled_from(KEYS), scalars, max_size=8)
inputs = st.dictionaries(st.sampled_from(NODES), st.one_of(records, st.lists(records, max_size=3), scalars),
                         max_size=4)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = Store(tmp_path_factory.mktemp("robust") / "sim.db")
    env = {**ENVELOPE, "infno": "9001", "msgid": FIX + "202611230000000000",
           "input": {"signIn": {"opter_no": "1", "mac": "00-00-00-00-00-00", "ip": "127.0.0.1"}}}
    s.sign_no = platform.dispatch(s, env)["output"]["signinoutb"]["sign_no"]
    s.n = 0
    return s


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(infno=st.sampled_from(sorted(platform.HANDLERS)), inp=inputs, insuplc=st.sampled_from(["", "440300"]))
def test_any_input_gets_an_answer(store, infno, inp, insuplc):
    store.n += 1
    env = {**ENVELOPE, "infno": infno, "msgid": f"{FIX}20261123{store.n:010d}", "insuplc_admdvs": insuplc,
           "sign_no": store.sign_no, "input": inp}
    ans = platform.dispatch(store, env)
    assert ans["infcode"] in (0, -1)
    assert isinstance(ans["err_msg"], str) and (ans["infcode"] == 0) == (ans["err_msg"] == "")
    again = platform.dispatch(store, env)
    # An answer is stored under its msgid; a refusal before any handler (sign_no, schema) is not, but says the same.
    assert again == ans if ans["infcode"] == 0 else again["err_msg"] == ans["err_msg"]


def test_decimal_infinity_is_refused_not_crashing(store):
    env = {**ENVELOPE, "infno": "3201", "msgid": f"{FIX}202611239999999999", "sign_no": store.sign_no,
           "input": {"data": {"stmt_begndate": "2026-11-23", "stmt_enddate": "2026-11-23",
                              "medfee_sumamt": Decimal("Infinity"), "fund_pay_sumamt": "0", "acct_pay": "0",
                              "fixmedins_setl_cnt": 0, "clr_type": "41"}}}
    assert "data.medfee_sumamt 格式错误" in platform.dispatch(store, env)["err_msg"]


def test_absurdly_large_numbers_are_refused_not_crashing(store):
    """cnt x pric beyond Decimal's 28 digits cannot be quantized: a refusal, never HTTP 500."""
    from simulator import roster
    p = roster.get("3201000000000001")
    env = {**ENVELOPE, "infno": "2101", "msgid": f"{FIX}202611239999999998", "sign_no": store.sign_no,
           "input": {"druginfo": {"psn_no": p.psn_no, "mdtrt_cert_type": "02", "mdtrt_cert_no": p.certno,
                                  "medfee_sumamt": "1.00", "begntime": "2026-11-23 09:00:00", "insutype": "310",
                                  "acct_used_flag": "1", "med_type": "41"},
                     "drugdetail": [{"feedetl_sn": "1", "rx_circ_flag": "0", "fee_ocur_time": "2026-11-23 09:00:00",
                                     "med_list_codg": "X", "medins_list_codg": "X", "det_item_fee_sumamt": "1.00",
                                     "bilg_dr_codg": "D1", "bilg_dr_name": "王医生",
                                     "cnt": "1000000000", "pric": "1000000000"}]}}
    ans = platform.dispatch(store, env)
    assert ans["infcode"] == -1 and ans["err_msg"] == "drugdetail[0].cnt 格式错误（数值过大）"
