"""3201 totals from the simulator's own ledger, and `ecpos sim ledger --json` = GET /admin/ledger."""
import json
import subprocess
import sys
from decimal import Decimal as D

import pytest

from terminal.errors import PlatformRefused
from tests.simulator.helpers import identify, presettle, sale, settle, signed_in


def stmt(pc, day, medfee, fund, acct, cnt, **filters):
    data = {"insutype": "", "clr_type": "41", "setl_optins": "", "stmt_begndate": day, "stmt_enddate": day,
            "medfee_sumamt": medfee, "fund_pay_sumamt": fund, "acct_pay": acct, "fixmedins_setl_cnt": cnt,
            **filters}
    return pc.call("3201", {"data": data})["stmtinfo"]


def test_reconcile_against_the_ledger_and_the_ledger_command(sim, make_cfg):
    pc = signed_in(make_cfg())
    who_a, a = sale(pc, sim, "3201000000000001")      # 37.80: fund 18.90, acct 18.90
    _, b = sale(pc, sim, "3201000000000002")          # 37.80: fund 15.12, acct 0 (390)
    pc.call("2103", {"data": {"setl_id": a["setl_id"], "mdtrt_id": a["mdtrt_id"], "psn_no": who_a["psn_no"]}})
    who_c = identify(pc, sim, "3201000000000016")
    c = settle(pc, who_c, presettle(pc, who_c)["mdtrt_id"])
    pc.call("2601", {"data": {"psn_no": who_c["psn_no"], "omsgid": c["medins_setl_id"], "oinfno": "2102"}})

    ledger = sim.ledger()
    assert [s["status"] for s in ledger["settlements"]] == ["refunded", "settled", "reversed"]
    assert ledger["refunds"][0]["medfee_sumamt"] == "-37.80" and len(ledger["reversals"]) == 1
    day = ledger["settlements"][0]["setl_time"][:10]
    # Not reversed: a (+), its refund (-), b (+)  ->  37.80 / 15.12 / 0.00 over 3 records.
    ok = stmt(pc, day, "37.80", "15.12", "0.00", 3)
    assert ok == {"setl_optins": "", "stmt_rslt": "0", "stmt_rslt_dscr": "对账一致"}
    bad = stmt(pc, day, "75.60", "15.12", "0.00", 2)
    assert bad["stmt_rslt"] == "1"
    assert "医疗费总额不符：机构75.60，中心37.80" in bad["stmt_rslt_dscr"] and "结算笔数不符" in bad["stmt_rslt_dscr"]
    assert stmt(pc, day, "37.80", "15.12", "0.00", 1, insutype="390")["stmt_rslt"] == "0"
    assert stmt(pc, day, "0.00", "0.00", "0.00", 0, clr_type="11")["stmt_rslt"] == "0"
    assert stmt(pc, "2001-01-01", "0", "0", "0", 0)["stmt_rslt"] == "0"
    with pytest.raises(PlatformRefused, match="stmt_begndate 格式错误"):
        stmt(pc, "20260101", "0", "0", "0", 0)

    out = subprocess.run([sys.executable, "-m", "ecpos", "sim", "ledger", "--db", str(sim.db), "--json"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    # The same ledger; its request log has grown by the 3201s asked since.
    assert {k: v for k, v in json.loads(out.stdout).items() if k != "requests"} == \
        {k: v for k, v in ledger.items() if k != "requests"}
    text = subprocess.run([sys.executable, "-m", "ecpos", "sim", "ledger", "--db", str(sim.db)],
                          capture_output=True, text=True, timeout=60)
    assert text.stdout.splitlines()[-1] == "settlements: 3, refunds: 1, reversals: 1"
    persons = subprocess.run([sys.executable, "-m", "ecpos", "sim", "persons", "--json", "--db", str(sim.db)],
                             capture_output=True, text=True, timeout=60)
    balances = {p["psn_no"]: p["balc"] for p in json.loads(persons.stdout)}
    assert balances["3201000000000001"] == "1000.00" and balances["3201000000000016"] == "5000.00"
    row = ledger["settlements"][1]
    assert row["setl_id"] == b["setl_id"] and D(row["medfee_sumamt"]) == b["medfee_sumamt"]
    assert {"setl_id", "mdtrt_id", "psn_no", "msgid", "infno", "status", "medfee_sumamt", "fund_pay_sumamt",
            "acct_pay", "psn_cash_pay"} <= set(row)


def test_ledger_command_without_a_db(tmp_path):
    out = subprocess.run([sys.executable, "-m", "ecpos", "sim", "ledger", "--db", str(tmp_path / "no.db")],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "不存在" in out.stderr


def test_amounts_as_strings_setting(sim, make_cfg):
    pc = signed_in(make_cfg())
    sim.settings(amounts_as_strings=True)
    who = identify(pc, sim, "3201000000000001")
    pre = presettle(pc, who)
    assert pre["medfee_sumamt"] == "37.80" and pre["acct_pay"] == "18.90"
