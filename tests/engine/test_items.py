"""Items files: JSON or CSV of code,name,qty,price; bad files say what to fix (exit 2)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from terminal.sale.items import ItemsError, load_items, named_lines

from tests.engine.helpers import ecpos


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_json_and_csv_give_the_same_items(tmp_path):
    j = load_items(write(tmp_path, "a.json", '[{"code":"XA01","name":"阿莫西林","qty":"2","price":"12.345678"}]'))
    c = load_items(write(tmp_path, "a.csv", "code,name,qty,price\nXA01,阿莫西林,2,12.345678\n"))
    assert j == c
    assert j[0].qty == Decimal("2") and j[0].amount == Decimal("24.69")


@pytest.mark.parametrize("name,text,key", [
    ("f.json", '[{"code":"X","name":"n","qty":1.5,"price":"1"}]', "items_float"),
    ("m.json", '[{"code":"X","name":"n","qty":"1"}]', "items_missing"),
    ("u.json", '[{"code":"X","name":"n","qty":"1","price":"1","amount":"1"}]', "items_unknown"),
    ("n.json", '[{"code":"X","name":"n","qty":"-1","price":"1"}]', "items_number"),
    ("p.json", '[{"code":"X","name":"n","qty":"1","price":"1.1234567"}]', "items_places"),
    ("e.json", "[]", "items_empty"),
    ("s.json", "[{", "items_json"),
    ("h.csv", "code;name;qty;price\nX;n;1;1\n", "items_header"),
    ("r.json", '[{"code":"X","name":"n","qty":"1","price":"1","rxno":"%s"}]' % ("R" * 31), "items_field_length"),
    ("d.json", '[{"code":"X","name":"n","qty":"1","price":"1","bilg_dr_name":"王医生"}]', "items_named_without_code"),
    ("i.json", '[{"code":"X","name":"n","qty":"1","price":"1","rxno":7}]', "items_shape"),
    ("x.json", '[{"code":"X","name":"n","qty":"1","price":"1","rx_circ_flag":"2"}]', "items_rx_circ_flag"),
])
def test_bad_files_are_refused_with_what_to_fix(tmp_path, name, text, key):
    with pytest.raises(ItemsError) as e:
        load_items(write(tmp_path, name, text))
    assert e.value.key == key and e.value.exit_code == 2


def test_cli_settle_with_a_bad_items_file_exits_2_before_anything_is_sent(tmp_path):
    from terminal import config
    cfg = config.load(profile="pharmacy", data_dir=tmp_path / "d", center_url="http://127.0.0.1:9", env={})
    bad = write(tmp_path, "bad.json", '[{"code":"X","name":"n","qty":"1"}]')
    r = ecpos(cfg, "settle", "--qr", "1" * 28, "--items", str(bad))
    assert r.returncode == 2 and "缺少 price" in r.stderr
    r = ecpos(cfg, "settle", "--qr", "1" * 28, "--items", str(tmp_path / "none.json"))
    assert r.returncode == 2 and "不存在" in r.stderr
    # a clinic line's department the desk does not know: refused before the code is even read
    clinic = config.load(profile="clinic", data_dir=tmp_path / "c", center_url="http://127.0.0.1:9", env={})
    dept = write(tmp_path, "dept.json", '[{"code":"X","name":"n","qty":"1","price":"1","bilg_dept_codg":"Z99"}]')
    r = ecpos(clinic, "settle", "--qr", "1" * 28, "--items", str(dept))
    assert r.returncode == 2 and "开单科室 Z99 未配置" in r.stderr, r.stderr


def test_exponent_notation_reaches_the_wire_as_plain_digits(tmp_path):
    [item] = load_items(write(tmp_path, "e.csv", "code,name,qty,price\nXA01,阿莫西林,1E1,1.25E1\n"))
    assert (str(item.qty), str(item.price)) == ("10", "12.5")  # cnt / pric as the platform reads them
    assert item.amount == Decimal("125.00")


@pytest.mark.parametrize("price", ["1,250.00", "¥12.50", "12.50元"])
def test_a_price_with_separator_or_currency_says_to_drop_it(tmp_path, price):
    p = write(tmp_path, "p.json", '[{"code":"X","name":"n","qty":"1","price":"%s"}]' % price)
    with pytest.raises(ItemsError, match="去掉千位分隔符和货币符号") as e:
        load_items(p)
    assert e.value.key == "items_number"


def test_the_registration_fee_is_one_item_at_the_configured_price():
    from types import SimpleNamespace
    from terminal.sale.items import REGISTRATION_CODE, registration_item
    item = registration_item(SimpleNamespace(clinic=SimpleNamespace(registration_fee="15.5")))
    assert (item.code, item.name, item.qty, item.price, item.amount) == (
        REGISTRATION_CODE, "普通挂号费", Decimal(1), Decimal("15.50"), Decimal("15.50"))


def test_a_json_line_takes_its_own_rxno_prescriber_and_department(tmp_path):
    [item] = load_items(write(tmp_path, "rx.json", '[{"code":"XA01","name":"阿莫西林","qty":"1","price":"2",'
                                                   '"rxno":" RX1 ","bilg_dr_codg":"D002","bilg_dept_codg":"A04"}]'))
    assert (item.rxno, item.bilg_dr_codg, item.bilg_dr_name, item.bilg_dept_codg) == ("RX1", "D002", "", "A04")
    # a code alone is named from the configuration (clinic: doctors and departments) ...
    [named] = named_lines([item], ["D002:李医生:A04"], ["A04:外科"])
    assert (named.bilg_dr_name, named.bilg_dept_name) == ("李医生", "外科")
    # ... and refused when the configuration does not know it: the platform needs the name too
    with pytest.raises(ItemsError) as e:
        named_lines([item], ["D001:王医生:A03"], ["A04:外科"])
    assert e.value.key == "items_prescriber"
    with pytest.raises(ItemsError) as e:
        named_lines([item], ["D002:李医生:A04"], ["A03:内科"])
    assert e.value.key == "items_department"
    # a pharmacy's 2101 has no department: kept as given, never looked up
    [kept] = named_lines([item], ["D002:李医生:A04"])
    assert (kept.bilg_dept_codg, kept.bilg_dept_name) == ("A04", "")
