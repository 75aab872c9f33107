"""A bill line's own rxno, prescriber and department reach the platform's rows, through a real `ecpos agent`
and the strict reference service.

What the rows hold, from public material:
- 2101/2102 drugdetail: rxno, rx_circ_flag, bilg_dr_codg, bilg_dr_name and no department field
  (../shared/PROTOCOL.md §2b; a public C# integration's `T2102.drugdetail` class, region "【2101】药店预结算",
  found by code search for "药店预结算").
- 2204 feedetail: rxno ("外购处方时传入外购处方的处方号；非外购处方，传入医药机构处方号"), rx_circ_flag (required),
  bilg_dept_codg / bilg_dept_name / bilg_dr_codg / bilg_dr_name (all required): GitHub newtouch-cloud/openhis,
  WinServiceAPI/YiBaoInterface/Models/Input/Input_2204.cs (commit ffa7e660), whose field table is copied
  from the specification; a public HIS's SQL for the same upload sends the ordering department and doctor
  per line ("@ksbm bilg_dept_codg ... @gjysbm bilg_dr_codg", code search "bilg_dept_codg").
What was sent is read from the journal's requests (written before sending, as tests/conformance does); the
service's strict schema (simulator/schema/national.toml, closed drugdetail node) answered each one "ok".
"""
from __future__ import annotations

import json

from tests.engine.helpers import journal_rows


def sent_rows(cfg, infno: str, node: str) -> list[list[dict]]:
    """The `node` rows of each `infno` request the agent sent, with the request's state (all must be ok)."""
    got = journal_rows(cfg, "SELECT state, request FROM requests WHERE infno=? ORDER BY sent_at", (infno,))
    assert [r["state"] for r in got] == ["ok"] * len(got) and got, (infno, [r["state"] for r in got])
    return [json.loads(r["request"])["input"][node] for r in got]


def test_pharmacy_lines_carry_their_own_rxno_and_doctor_in_2101_and_2102(sim, agent):
    proc, http, cfg = agent("pharmacy")
    person = sim.person("active", insutype="310")
    body = {"external_id": "ERP-RX-1", "items": [
        {"code": "XJ01CAA040A001010100007", "name": "阿莫西林胶囊", "qty": "2", "price": "12.50",
         "rxno": "RX20261129001", "dr_code": "D320100000123", "dr_name": "周医生"},
        {"code": "XN02BEA010A001010100123", "name": "对乙酰氨基酚片", "qty": "1", "price": "6.80"},
        # a hospital's prescription filled here: 外购处方
        {"code": "XJ01DCA030A001010100321", "name": "头孢克洛胶囊", "qty": "1", "price": "18.00",
         "rxno": "H330100RX0007", "rx_circ_flag": "1", "dr_code": "D330100000777", "dr_name": "孙医生"}]}
    sale = http.post("/v1/sales", json=body, headers={"Idempotency-Key": "rx-1"}).json()
    quoted = http.post(f"/v1/sales/{sale['sale_id']}/code", json={"qr": sim.code(person["psn_no"])}).json()
    assert quoted["state"] == "quoted", quoted
    assert http.post(f"/v1/sales/{sale['sale_id']}/confirm").json()["state"] == "settled"

    for infno in ("2101", "2102"):  # 2102 repeats the confirmed bill, lines and all
        [rows] = sent_rows(cfg, infno, "drugdetail")
        rx, plain, outside = rows
        assert (rx["rxno"], rx["bilg_dr_codg"], rx["bilg_dr_name"]) == ("RX20261129001", "D320100000123", "周医生")
        assert rx["rx_circ_flag"] == "0"  # the prescription is the institution's own, not 外购 (as before)
        assert (outside["rxno"], outside["rx_circ_flag"]) == ("H330100RX0007", "1")  # 外购处方, from the line
        # the line without them sends what it always sent: no rxno, the pharmacist on duty
        assert (plain["rxno"], plain["rx_circ_flag"]) == ("", "0")
        assert (plain["bilg_dr_codg"], plain["bilg_dr_name"]) == ("Y320100000001", "值班药师")
        assert not {"bilg_dept_codg", "bilg_dept_name"} & set(rx)  # not a drugdetail field


def test_clinic_lines_carry_their_own_doctor_and_department_in_2204(sim, agent):
    proc, http, cfg = agent("clinic")
    person = sim.person("active", insutype="390")
    body = {"external_id": "HIS-MZ-90", "dept": "A03", "doctor": "D001", "items": [
        {"code": "110200001", "name": "普通挂号费", "qty": "1", "price": "12.00"},
        # ordered by a configured doctor of another department: the code alone names them
        {"code": "XJ01CAA040A001010100007", "name": "阿莫西林胶囊", "qty": "1", "price": "25.00",
         "rxno": "MZ-RX-0090", "dr_code": "D002", "dept": "A04"},
        # a doctor the desk's configuration does not list, with the name the HIS has
        {"code": "XN02BEA010A001010100123", "name": "对乙酰氨基酚片", "qty": "1", "price": "6.80",
         "dr_code": "D777", "dr_name": "钱医生"}]}
    sale = http.post("/v1/sales", json=body, headers={"Idempotency-Key": "mz-90"}).json()
    quoted = http.post(f"/v1/sales/{sale['sale_id']}/code", json={"qr": sim.code(person["psn_no"])}).json()
    assert quoted["state"] == "quoted" and quoted["split"]["medfee_sumamt"] == "43.80", quoted
    assert http.post(f"/v1/sales/{sale['sale_id']}/confirm").json()["state"] == "settled"

    [rows] = sent_rows(cfg, "2204", "feedetail")
    who = [(r["rxno"], r["bilg_dept_codg"], r["bilg_dept_name"], r["bilg_dr_codg"], r["bilg_dr_name"]) for r in rows]
    assert who == [("", "A03", "内科", "D001", "王医生"),          # the visit's, as today
                   ("MZ-RX-0090", "A04", "外科", "D002", "李医生"),  # the line's own
                   ("", "A03", "内科", "D777", "钱医生")]
    assert {r["rx_circ_flag"] for r in rows} == {"0"}


def test_a_line_the_platform_could_not_take_is_refused_before_anything_is_sent(sim, agent):
    proc, http, cfg = agent("clinic")
    line = {"code": "XJ01CAA040A001010100007", "name": "阿莫西林胶囊", "qty": "1", "price": "25.00"}
    cases = [({**line, "dept": "Z99"}, 422, "items_department"),       # not a configured department
             ({**line, "rx_circ_flag": "2"}, 422, "invalid_request"),   # 外购处方标志 is "0" or "1"
             ({**line, "dr_code": "D999"}, 422, "items_prescriber"),    # an unknown doctor without a name
             ({**line, "dr_name": "钱医生"}, 422, "items_named_without_code"),
             ({**line, "rxno": "R" * 31}, 422, "invalid_request")]      # rxno is 30 characters on the wire
    for n, (bad, status, key) in enumerate(cases):
        r = http.post("/v1/sales", json={"external_id": f"HIS-BAD-{n}", "items": [bad]},
                      headers={"Idempotency-Key": f"bad-{n}"})
        assert r.status_code == status and r.json()["error"]["key"] == key, r.text
        assert any("\u4e00" <= ch <= "\u9fff" for ch in r.json()["error"]["message"])
    assert http.get("/v1/status").json()["open_sale"] is None  # no sale was made
    assert journal_rows(cfg, "SELECT COUNT(*) n FROM requests")[0]["n"] == 0
