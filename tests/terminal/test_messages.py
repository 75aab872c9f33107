"""What requests carry and how answers are read (terminal.wire.messages), against the public material listed in
tests/conformance/README.md and ../shared/PROTOCOL.md §2b."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal as D

from terminal.wire import messages
from terminal.sale.items import Item
from terminal.sale.records import Patient
from terminal.sale.session import patient_from_1101

PATIENT = Patient(credential=None, psn_no="32010000000000000001", name_masked="张*", id_masked="3201**1234",
                  insutype="310", insutype_name="职工", insuplc_admdvs="320100", balc=D("100.00"),
                  mdtrt_cert_type="01", mdtrt_cert_no="320000ec" + "a" * 30)
ITEMS = (Item("XJ01CAA040A001010100007", "阿莫西林胶囊", D("2"), D("12.50")),
         Item("XR05CAA091A001010104178", "复方甘草片", D("1"), D("8.00")))
PHARMACIST = messages.Prescriber("Y320100000001", "值班药师")


def test_druginfo_holds_exactly_the_specification_fields():
    # 2101 druginfo in public HIS integrations (README: 2101 input classes) and PROTOCOL.md §2b: no
    # psn_setlway, no insuplc_admdvs (that travels in the envelope), no mdtrt_id.
    inp = messages.pharmacy_input(PATIENT, ITEMS, sale_id=7, begntime="2026-11-29 10:00:00", invono="S0000000007",
                                  prescriber=PHARMACIST)
    assert set(inp["druginfo"]) == {"psn_no", "mdtrt_cert_type", "mdtrt_cert_no", "begntime", "medfee_sumamt",
                                    "invono", "insutype", "dise_codg", "dise_name", "acct_used_flag", "med_type"}
    assert inp["druginfo"]["medfee_sumamt"] == "33.00" and inp["druginfo"]["med_type"] == "41"
    first = inp["drugdetail"][0]
    for k in ("feedetl_sn", "rxno", "rx_circ_flag", "fee_ocur_time", "med_list_codg", "medins_list_codg",
              "det_item_fee_sumamt", "cnt", "pric", "bilg_dr_codg", "bilg_dr_name"):
        assert k in first, k
    assert first["fee_ocur_time"] == "2026-11-29 10:00:00" and first["rx_circ_flag"] == "0"
    assert (first["bilg_dr_codg"], first["bilg_dr_name"]) == ("Y320100000001", "值班药师")
    assert [r["feedetl_sn"] for r in inp["drugdetail"]] == ["000000070001", "000000070002"]


def test_a_prescription_line_carries_its_own_doctor_and_dosage():
    @dataclass(frozen=True)
    class RxItem(Item):  # dosage is not an Item field yet; rxno and the prescriber are
        sin_dos_dscr: str = ""
        used_frqu_dscr: str = ""
        prd_days: str = ""
        medc_way_dscr: str = ""

    rx = RxItem("XC09AAA012A001010100456", "卡托普利片", D("1"), D("9.90"), rxno="RX001", bilg_dr_codg="D0001",
                bilg_dr_name="王医生", sin_dos_dscr="25mg", used_frqu_dscr="bid", prd_days="7", medc_way_dscr="口服")
    row = messages.drug_line(rx, "1", fee_ocur_time="2026-11-29 10:00:00", prescriber=PHARMACIST)
    assert row["rxno"] == "RX001" and row["bilg_dr_codg"] == "D0001" and row["prd_days"] == "7"
    assert row["medc_way_dscr"] == "口服" and "tcmdrug_used_way" not in row


@dataclass
class _Visit:
    patient: Patient
    sale_id: int = 3
    mdtrt_id: str = "320100202611290000001"
    chrg_bchno: str = "0001"
    begntime: str = "2026-11-29 09:00:00"
    dept_code: str = "A03"
    dept_name: str = "内科"
    doctor_code: str = "D001"
    doctor_name: str = "王医生"


def test_a_2204_line_names_its_own_doctor_and_department_others_the_visits():
    # 2204 feedetail holds bilg_dept_codg / bilg_dept_name / bilg_dr_codg / bilg_dr_name per line, all required
    # (newtouch-cloud/openhis Input_2204.cs, see tests/agent/test_lines.py).
    own = Item("XJ01CAA040A001010100007", "阿莫西林胶囊", D("1"), D("25.00"), rxno="MZ-RX-1",
               bilg_dr_codg="D002", bilg_dr_name="李医生", bilg_dept_codg="A04", bilg_dept_name="外科")
    rows = messages.fees_input(_Visit(PATIENT), (ITEMS[0], own), med_type="11", when="2026-11-29 09:05:00")
    plain, line = rows["feedetail"]
    assert [plain[k] for k in ("rxno", "bilg_dept_codg", "bilg_dept_name", "bilg_dr_codg", "bilg_dr_name")] == [
        "", "A03", "内科", "D001", "王医生"]
    assert [line[k] for k in ("rxno", "bilg_dept_codg", "bilg_dept_name", "bilg_dr_codg", "bilg_dr_name")] == [
        "MZ-RX-1", "A04", "外科", "D002", "李医生"]
    assert plain["rx_circ_flag"] == line["rx_circ_flag"] == "0"


def test_2206_names_psn_setlway_and_2207_echoes_the_2206_amounts():
    v = _Visit(PATIENT)
    pre = messages.presettle_data(v, ITEMS, med_type="11")["data"]
    assert pre["psn_setlway"] == "01" and "psn_setl_way" not in pre
    assert set(pre) == {"psn_no", "mdtrt_cert_type", "mdtrt_cert_no", "med_type", "medfee_sumamt", "psn_setlway",
                        "mdtrt_id", "chrg_bchno", "insutype", "acct_used_flag"}
    # A 2206 answer as the public integrations read it: amounts as numbers, one of them null.
    answer = {"setlinfo": {"fulamt_ownpay_amt": D("3.20"), "overlmt_selfpay": 0, "preselfpay_amt": None,
                           "inscp_scp_amt": D("29.80"), "medfee_sumamt": D("33.00")}}
    data = messages.settle_data(v, ITEMS, messages.setlinfo(answer), med_type="11", invono="S1")["data"]
    assert {k: data[k] for k in messages.ECHOED_2207} == {"fulamt_ownpay_amt": "3.20", "overlmt_selfpay": "0.00",
                                                          "preselfpay_amt": "0.00", "inscp_scp_amt": "29.80"}
    assert data["psn_setlway"] == "01" and data["mdtrt_id"] == v.mdtrt_id and data["invono"] == "S1"


def test_2203_nodes_are_lists_as_in_the_specification():
    inp = messages.visit_input(_Visit(PATIENT), med_type="11", diagnosis=("Z00.000", "一般医学检查"),
                               when="2026-11-29 09:05:00")
    assert isinstance(inp["mdtrtinfo"], list) and isinstance(inp["diseinfo"], list)


# The specification's 1101 example gives insuinfo as ONE object and some platforms name the area
# insu_admdvs (PROTOCOL.md §2b; tests/conformance/answers/1101_*.json).
def test_1101_insuinfo_as_one_object_with_insu_admdvs_identifies_the_patient():
    out = {"baseinfo": {"psn_no": "13030000000000000001", "psn_cert_type": "01", "certno": "130302199001011234",
                        "psn_name": "张三", "gend": "1", "brdy": "1990-01-01", "age": 36},
           "insuinfo": {"balc": D("512.3"), "insutype": "390", "psn_type": "1", "psn_insu_stas": "1",
                        "insu_admdvs": "130399", "emp_name": ""},
           "idetinfo": []}
    p = patient_from_1101(None, out, "01", "tok", "320100")
    assert (p.psn_no, p.insutype, p.insuplc_admdvs, p.balc) == ("13030000000000000001", "390", "130399",
                                                                 D("512.30"))
    assert p.name_masked == "张*" and "1234" in p.id_masked


def test_1101_list_prefers_the_care_area_and_skips_suspended():
    out = {"baseinfo": {"psn_no": "1", "certno": "x", "psn_name": "李四"},
           "insuinfo": [{"insutype": "310", "psn_insu_stas": "2", "insuplc_admdvs": "320100", "balc": "1"},
                        {"insutype": "390", "psn_insu_stas": "1", "insuplc_admdvs": "440300", "balc": "2"}]}
    p = patient_from_1101(None, out, "01", "tok", "320100")
    assert (p.insutype, p.insuplc_admdvs) == ("390", "440300")


def test_clearing_fields_are_read_and_null_is_empty():
    info = messages.setlinfo({"setlinfo": [{"clr_optins": "131199", "clr_way": None, "clr_type": 41}]})
    assert messages.clearing(info) == {"clr_optins": "131199", "clr_way": "", "clr_type": "41"}
