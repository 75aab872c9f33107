"""药品追溯码 end to end against the reference service: a pharmacy sale of three boxes reports three codes once
(3505 after the settlement, 3505A per sale, or drug_trac_info beside the 2102 fee lines, per channel), a
platform outage delays the report to sync, a refund returns them (3506), a code sold twice is refused here and
by the platform, and a kill -9 anywhere in the report leaves each code reported exactly once.

Wire facts and their public sources are listed in tests/terminal/test_trace.py.
"""
from __future__ import annotations

import json
import signal
from decimal import Decimal

import pytest

from terminal.counter import Counter, Item
from terminal.sale.trace import TraceError

from tests.engine.helpers import PIN, SUPERVISOR_PIN, ecpos, ecpos_json, staff

AMOX = "XJ01CAA040A001010100007"
CODES = ["83003850000000131001", "83003850000000131002", "83003850000000131003"]
ITEMS = [Item(AMOX, "阿莫西林胶囊", Decimal("3"), Decimal("12.50"))]


def _sell(c: Counter, sim, codes=CODES, items=ITEMS):
    person = sim.person("active", insutype="310")
    quote = c.presettle(c.identify(sim.code(person["psn_no"])), items)
    bill = c.trace_bill(items)
    for code in codes:
        bill.scan(code)
    return c.settle(quote, bill), bill


def _ledger_codes(sim) -> dict[str, dict]:
    return {r["code"]: r for r in sim.ledger()["trace_codes"]}


def test_three_boxes_three_codes_reported_once_by_3505(sim, make_cfg):
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    with Counter(cfg) as c:
        s, bill = _sell(c, sim)
        assert bill.missing == 0
        rows = c.journal.query("SELECT code, status, via FROM trace_codes ORDER BY id")
        assert [(r["code"], r["status"], r["via"]) for r in rows] == [(x, "reported", "3505") for x in CODES]
        reports = c.journal.query("SELECT infno, status FROM trace_reports")
        assert [(r["infno"], r["status"]) for r in reports] == [("3505", "accepted")]
        assert c.sync().trace["accepted"] == 0  # nothing left: not sent again
        [req] = [json.loads(r["request"]) for r in c.journal.query("SELECT request FROM requests WHERE infno='3505'")]
    got = _ledger_codes(sim)
    assert sorted(got) == CODES
    assert all(r["status"] == "sold" and r["setl_id"] == s.setl_id and r["times_sold"] == 1 for r in got.values())
    row = req["input"]["selinfo"]
    assert row["drugtracinfo"] == [{"drug_trac_codg": x} for x in CODES]
    assert row["mdtrt_setl_type"] == "1" and row["setl_id"] == s.setl_id and row["sel_retn_cnt"] == "3"
    assert "rxno" not in row  # no prescription on the line: none invented


def test_a_prescription_line_reports_its_rxno_with_its_codes(sim, make_cfg):
    """3505 selinfo has rxno (处方号, optional; simulator/schema/national.toml from the spec's table): a line
    sold on a prescription reports it beside its codes, as its 2101/2102 drugdetail row carried it."""
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    items = [Item(AMOX, "阿莫西林胶囊", Decimal("3"), Decimal("12.50"), rxno="RX20261129001")]
    with Counter(cfg) as c:
        _sell(c, sim, items=items)
        [req] = [json.loads(r["request"]) for r in c.journal.query("SELECT request FROM requests WHERE infno='3505'")]
        [sent] = [json.loads(r["request"]) for r in c.journal.query("SELECT request FROM requests WHERE infno='2102'")]
    assert req["input"]["selinfo"]["rxno"] == "RX20261129001"
    assert sent["input"]["drugdetail"][0]["rxno"] == "RX20261129001"


def test_platform_down_codes_wait_then_sync_reports_them_and_refund_returns_them(sim, make_cfg):
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    staff(cfg)
    sim.faults("3505:reset")  # the settlement goes through; the sale report is lost on the way
    with Counter(cfg) as c:
        s, _ = _sell(c, sim)
        assert {r["status"] for r in c.journal.query("SELECT status FROM trace_codes")} == {"scanned"}
        [open_] = c.journal.query("SELECT msgid, status FROM trace_reports")
        assert open_["status"] == "open"
    assert _ledger_codes(sim) == {}
    out = ecpos_json(cfg, "sync", expect=3)
    assert out["trace"]["accepted"] == 0 and out["trace"]["open"] == 1 and "platform_unknown" in out["trace"]["error"]
    sim.clear_faults()
    out = ecpos_json(cfg, "sync")
    assert out["trace"] == {"accepted": 1, "refused": [], "open": 0, "error": ""}
    assert sorted(_ledger_codes(sim)) == CODES
    with Counter(cfg) as c:  # the retry carried the msgid claimed before the outage
        assert [r["msgid"] for r in c.journal.query("SELECT msgid FROM requests WHERE infno='3505'")] == [open_["msgid"]]

    # The refund (2103) is queued offline and forwarded; its codes go back with 3506 after it.
    out = ecpos_json(cfg, "refund", s.setl_id, "--reason", "顾客退药", "--cashier", "c1", "--supervisor", "s1",
                     env={"ECPOS_SUPERVISOR_PIN": SUPERVISOR_PIN, "ECPOS_PIN": PIN})
    assert out["status"] == "refunded"
    ecpos_json(cfg, "sync")
    assert {r["status"] for r in _ledger_codes(sim).values()} == {"returned"}
    with Counter(cfg) as c:
        assert {r["status"] for r in c.journal.query("SELECT status FROM trace_codes")} == {"returned"}
        assert [(r["infno"], r["status"]) for r in c.journal.query(
            "SELECT infno, status FROM trace_reports ORDER BY id")] == [("3505", "accepted"), ("3506", "accepted")]
        # Returned boxes are back on the shelf: they may be sold again, and the platform takes them.
        s2, _ = _sell(c, sim)
    got = _ledger_codes(sim)
    assert {r["status"] for r in got.values()} == {"sold"} and {r["times_sold"] for r in got.values()} == {2}


def test_a_code_sold_twice_is_refused_here_and_by_the_platform(sim, make_cfg):
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    with Counter(cfg) as c:
        s, _ = _sell(c, sim)
        bill = c.trace_bill(ITEMS)
        with pytest.raises(TraceError) as e:
            bill.scan(CODES[0])
        assert e.value.key == "trace_already_sold" and s.setl_id in e.value.message and "不能再次销售" in e.value.message
    # Another till (its own journal) does not know the box: the platform refuses the report.
    other = make_cfg("pharmacy", {"credential.adapter": "http"})
    with Counter(other) as c:
        _sell(c, sim, codes=[CODES[1], "83003850000000131009", "83003850000000131010"])
        [rep] = c.journal.query("SELECT status, msg FROM trace_reports")
        assert rep["status"] == "refused"
        assert rep["msg"] == f"药品追溯码[{CODES[1]}]已存在销售记录，不能重复销售"
        assert {r["status"] for r in c.journal.query("SELECT status FROM trace_codes")} == {"refused"}
        # That till now refuses the code at the counter with the platform's words.
        with pytest.raises(TraceError) as e:
            c.trace_bill(ITEMS).scan(CODES[1])
        assert "拒收" in e.value.message and "已存在销售记录" in e.value.message
    assert _ledger_codes(sim)[CODES[1]]["setl_id"] == s.setl_id  # the refusal changed nothing


@pytest.mark.parametrize("report", ["3505A", "settlement"])
def test_per_sale_and_settlement_channels_report_once(sim, make_cfg, report):
    cfg = make_cfg("pharmacy", {"credential.adapter": "http", "trace.report": report})
    items = ITEMS + [Item("XN02BEA010A001010100123", "对乙酰氨基酚片", Decimal("1"), Decimal("6.80"))]
    codes = CODES + ["86978120000000000017"]
    with Counter(cfg) as c:
        s, bill = _sell(c, sim, codes=codes, items=items)
        assert [ln.codes for ln in bill.lines] == [CODES, codes[3:]]
        assert {r["status"] for r in c.journal.query("SELECT status FROM trace_codes")} == {"reported"}
        infnos = [r["infno"] for r in c.journal.query("SELECT infno FROM requests ORDER BY sent_at")]
    got = _ledger_codes(sim)
    assert sorted(got) == sorted(codes) and {r["setl_id"] for r in got.values()} == {s.setl_id}
    if report == "3505A":
        assert infnos.count("3505A") == 1 and "3505" not in infnos
    else:
        assert "3505" not in infnos and "3505A" not in infnos
        assert {r["infno"] for r in got.values()} == {"2102"}


def test_settlement_channel_refuses_a_sold_code_with_the_whole_settlement(sim, make_cfg):
    cfg = make_cfg("pharmacy", {"credential.adapter": "http", "trace.report": "settlement"})
    with Counter(cfg) as c:
        _sell(c, sim)
    other = make_cfg("pharmacy", {"credential.adapter": "http", "trace.report": "settlement"})
    with Counter(other) as c:
        from terminal.errors import PlatformRefused
        with pytest.raises(PlatformRefused) as e:
            _sell(c, sim, codes=[CODES[2], "83003850000000131011", "83003850000000131012"])
        assert f"药品追溯码[{CODES[2]}]已存在销售记录" in e.value.err_msg
        c.sync()
        assert {r["status"] for r in c.journal.query("SELECT status FROM trace_codes")} == {"void"}
    assert len(sim.ledger()["settlements"]) == 1


@pytest.mark.parametrize("point", ["before_send:3505", "answered:3505", "committed:3505", "in_flight:3505@3"])
def test_kill_during_the_report_leaves_each_code_reported_once(sim, make_cfg, point):
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    sim.faults("3505:reset:1")  # settle in process, leave the report for the `ecpos sync` we kill
    with Counter(cfg) as c:
        s, _ = _sell(c, sim)
    r = ecpos(cfg, "sync", env={"ECPOS_TEST_KILL_AT": point})
    assert r.returncode == -signal.SIGKILL, (point, r.returncode, r.stderr)
    out = ecpos_json(cfg, "sync")
    assert out["trace"]["open"] == 0
    got = _ledger_codes(sim)
    assert sorted(got) == CODES and {r["times_sold"] for r in got.values()} == {1}
    with Counter(cfg) as c:
        assert {r["status"] for r in c.journal.query("SELECT status FROM trace_codes")} == {"reported"}
        msgids = {r["msgid"] for r in c.journal.query("SELECT msgid FROM requests WHERE infno='3505'")}
        assert len(msgids) == 1  # every attempt carried the one claimed msgid


def _items(tmp_path, trace):
    p = tmp_path / "items.json"
    p.write_text(json.dumps([{"code": AMOX, "name": "阿莫西林胶囊", "qty": "3", "price": "12.50", "trace": trace},
                             {"code": "T0901000100001", "name": "当归", "qty": "30", "price": "0.40"}],
                            ensure_ascii=False), encoding="utf-8")
    return p


def test_headless_items_file_carries_the_codes_and_settle_json_reports_them(sim, make_cfg, tmp_path):
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    person = sim.person("active", insutype="310")
    out = ecpos_json(cfg, "settle", "--qr", sim.code(person["psn_no"]), "--items", str(_items(tmp_path, CODES)))
    assert out["status"] == "settled"
    assert [(t["line"], t["expected"], t["missing"], t["trace"], t["reported"]) for t in out["trace"]] == [
        (1, 3, 0, CODES, 3), (2, 0, 0, [], 0)]
    assert sorted(_ledger_codes(sim)) == CODES


def test_required_refuses_a_headless_bill_with_boxes_not_scanned_before_sending(sim, make_cfg, tmp_path):
    cfg = make_cfg("pharmacy", {"credential.adapter": "http", "trace.required": True})
    person = sim.person("active", insutype="310")
    out = ecpos_json(cfg, "settle", "--qr", sim.code(person["psn_no"]), "--items",
                     str(_items(tmp_path, CODES[:2])), expect=2)
    assert out["error"] == "trace_missing" and "第 1 行 阿莫西林胶囊 还差 1 盒" in out["message"]
    assert sim.ledger()["settlements"] == []
    with Counter(cfg) as c:
        assert c.journal.query("SELECT msgid FROM requests WHERE infno LIKE '21%'") == []  # not even 2101


def test_stats_show_the_collection_rate_beside_the_ec_rate(sim, make_cfg):
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    with Counter(cfg) as c:
        _sell(c, sim)                                            # 3 boxes, 3 codes, reported
        sim.faults("3505:reset")                                 # the second sale's report waits
        _sell(c, sim, codes=["83003850000000131020"])             # 3 boxes, 1 code, pending
        day = c.journal.query("SELECT day FROM sales LIMIT 1")[0]["day"]
    out = ecpos_json(cfg, "stats", "--from", day, "--to", day)
    assert out["total"]["settlements"] == 2
    assert out["trace"][-1] == {"day": f"{day}~{day}", "boxes": 6, "boxes_coded": 4, "trace_rate": "0.6666",
                                "codes_reported": 3, "codes_pending": 1, "codes_refused": 0}
    r = ecpos(cfg, "stats", "--from", day, "--to", day)
    assert "追溯码采集率" in r.stdout and "0.6666" in r.stdout


def test_a_self_pay_sale_reports_its_codes_as_self_paid(sim, make_cfg, tmp_path):
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    staff(cfg)
    out = ecpos_json(cfg, "settle", "--self-pay", "--items", str(_items(tmp_path, CODES)), "--cashier", "c1",
                     "--cash-received", "50.00", env={"ECPOS_PIN": PIN})
    assert out["status"] == "self_paid" and [t["reported"] for t in out["trace"]] == [3, 0]
    got = _ledger_codes(sim)
    assert sorted(got) == CODES and {r["setl_id"] for r in got.values()} == {""}
    with Counter(cfg) as c:
        [req] = [json.loads(r["request"]) for r in c.journal.query("SELECT request FROM requests WHERE infno='3505'")]
    assert req["input"]["selinfo"]["mdtrt_setl_type"] == "2" and "setl_id" not in req["input"]["selinfo"]


@pytest.mark.parametrize("report", ["3505", "settlement"])
def test_a_lost_settlement_answer_holds_the_codes_until_sync_reverses_it_then_they_sell_again(sim, make_cfg, report):
    from terminal.errors import PlatformUnknown
    cfg = make_cfg("pharmacy", {"credential.adapter": "http", "trace.report": report})
    sim.faults("2102:drop:1")  # processed, answer lost
    with Counter(cfg) as c:
        with pytest.raises(PlatformUnknown):
            _sell(c, sim)
        with pytest.raises(TraceError) as e:  # unknown: the boxes are not free yet
            c.trace_bill(ITEMS).scan(CODES[0])
        assert "未完成的结算" in e.value.message
        assert c.journal.query("SELECT * FROM trace_reports") == []  # nothing reported for an unknown sale
        report_ = c.sync()
        assert [r["rslt"] for r in report_.reversed] == ["reversed"]
        assert {r["status"] for r in c.journal.query("SELECT status FROM trace_codes")} == {"void"}
        s, _ = _sell(c, sim)  # the same boxes, a new sale
    got = _ledger_codes(sim)
    assert sorted(got) == CODES and {r["status"] for r in got.values()} == {"sold"}
    assert {r["setl_id"] for r in got.values()} == {s.setl_id}


def test_the_service_checks_3505_fields_and_answers_in_the_real_shape(sim, make_cfg):
    from terminal.errors import PlatformRefused
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    row = {"med_list_codg": AMOX, "fixmedins_hilist_id": AMOX, "fixmedins_hilist_name": "阿莫西林胶囊",
           "fixmedins_bchno": "S0000000001-1", "rx_flag": "0", "trdn_flag": "0", "rtal_docno": "S0000000001",
           "sel_retn_cnt": "1", "sel_retn_time": "2026-11-29 10:00:00", "sel_retn_opter_name": "收银员",
           "mdtrt_setl_type": "2", "drugtracinfo": [{"drug_trac_codg": "83003850000000131201"}]}
    with Counter(cfg) as c:
        c.client.sign_in()
        out = c.client.call("3505", {"selinfo": row})
        assert out["result"]["retRslt"] == "1"
        again = c.client.call("3505", {"selinfo": row})  # a new msgid: the platform says no, in its shape
        assert again["result"] == {"retRslt": "0",
                                   "msgRslt": "药品追溯码[83003850000000131201]已存在销售记录，不能重复销售"}
        with pytest.raises(PlatformRefused) as e:  # the schema: a field the table requires
            c.client.call("3505", {"selinfo": {k: v for k, v in row.items() if k != "rx_flag"}})
        assert "rx_flag 不能为空" in e.value.err_msg
        back = c.client.call("3506", {"selinfo": {**row, "drugtracinfo": [{"drug_trac_codg": "83003850000000131299"}]}})
        assert back["result"] == {"retRslt": "0", "msgRslt": "药品追溯码[83003850000000131299]无销售记录，不能退货"}
