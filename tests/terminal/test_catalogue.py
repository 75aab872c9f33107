"""The pharmacy's catalogue: import from CSV (UTF-8 or GBK) or .xlsx, all rows or none, pinyin initials
made when missing, search by name, initials, code and barcode; EAN-13 checked (GS1 check digit)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from terminal.office import pricelist
from terminal.sale import catalogue
from terminal.sale.items import Catalogue
from terminal.journal.journal import Journal

from tests.engine.helpers import ecpos

HEADER = "医保编码,名称,规格,单价,条码,拼音\n"
ROWS = ("XJ01CAA040A001010100007,阿莫西林胶囊,0.25g*24粒,12.50,6901234567892,\n"
        "XR05CAA091A001010104178,复方甘草片,100片,8.00,,FFGCP\n"
        "XA02BCA211A001010101996,奥美拉唑肠溶胶囊,20mg*14粒,23.80,6920000000012,\n")


@pytest.fixture
def journal(cfg):
    j = Journal.for_config(cfg)
    yield j
    j.close()


def test_ean13_check_digit():
    # 4006381333931 is the worked example of the EAN-13 check digit (GS1 / Wikipedia "EAN-13")
    assert catalogue.ean13_ok("4006381333931") and catalogue.ean13_ok("6901234567892")
    assert not catalogue.ean13_ok("4006381333932") and not catalogue.ean13_ok("400638133393")


def test_initials_from_pypinyin():
    assert catalogue.initials_of("阿莫西林胶囊") == "AMXLJN"
    assert catalogue.initials_of("维生素C片") == "WSSCP"


def test_csv_import_and_search(journal, cfg, tmp_path):
    f = tmp_path / "cat.csv"
    f.write_text(HEADER + ROWS, encoding="utf-8")
    assert pricelist.import_file(journal, f) == (3, 0)
    cat = Catalogue(catalogue.load_catalogue(cfg, journal))
    assert cat.search("6920000000012")[0].name == "奥美拉唑肠溶胶囊"           # barcode
    assert cat.search("amxl")[0].name == "阿莫西林胶囊"                        # initials, any case
    assert cat.search("XR05CAA091A001010104178")[0].name == "复方甘草片"       # code
    assert cat.search("甘草")[0].name == "复方甘草片"                          # part of a name
    assert cat.by_barcode("6901234567892").price == Decimal("12.50")
    assert cat.search("zzzz") == []
    f.write_text(HEADER + ROWS.replace("23.80", "25.00"), encoding="utf-8")
    assert pricelist.import_file(journal, f) == (0, 3)  # imported again: updated, not doubled
    assert Catalogue(catalogue.load_catalogue(cfg, journal)).exact("6920000000012").price == Decimal("25.00")


def test_gbk_csv_from_excel(journal, tmp_path):
    f = tmp_path / "cat.csv"
    f.write_bytes((HEADER + ROWS).encode("gbk"))
    assert pricelist.import_file(journal, f) == (3, 0)


def test_xlsx_import(journal, tmp_path):
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.append(["医保编码", "药品名称", "规格", "零售价", "商品条码"])
    ws.append(["XJ01CAA040A001010100007", "阿莫西林胶囊", "0.25g*24粒", 12.5, 6901234567892])  # numbers
    ws.append(["XR05CAA091A001010104178", "复方甘草片", "100片", "8.00", None])
    wb.save(tmp_path / "cat.xlsx")
    assert pricelist.import_file(journal, tmp_path / "cat.xlsx") == (2, 0)
    rows = {r["code"]: r for r in journal.query("SELECT * FROM catalogue")}
    assert rows["XJ01CAA040A001010100007"]["barcode"] == "6901234567892"
    assert rows["XJ01CAA040A001010100007"]["price"] == "12.5" and rows["XR05CAA091A001010104178"]["initials"] == "FFGCP"


@pytest.mark.parametrize("bad, key, words", [
    ("X1,药,1,abc,,\n", "catalogue_price", "第 3 行"),
    ("X1,药,1,0,,\n", "catalogue_price", "大于 0"),
    ("X1,药,1,1.00,6901234567890,\n", "catalogue_barcode", "校验位"),
    (",药,1,1.00,,\n", "catalogue_row", "不能为空"),
    ("XJ01CAA040A001010100007,又一个,1,1.00,,\n", "catalogue_duplicate", "重复"),
])
def test_a_bad_row_imports_nothing_and_names_the_row(journal, tmp_path, bad, key, words):
    f = tmp_path / "cat.csv"
    f.write_text(HEADER + ROWS.splitlines(keepends=True)[0] + bad, encoding="utf-8")
    with pytest.raises(pricelist.CatalogueError) as e:
        pricelist.import_file(journal, f)
    assert e.value.key == key and words in e.value.message
    assert journal.query("SELECT COUNT(*) n FROM catalogue")[0]["n"] == 0


def test_missing_columns_and_bad_files(journal, tmp_path):
    f = tmp_path / "cat.csv"
    f.write_text("code,name\nX,Y\n", encoding="utf-8")
    with pytest.raises(pricelist.CatalogueError) as e:
        pricelist.import_file(journal, f)
    assert e.value.key == "catalogue_header" and "单价" in e.value.message
    (tmp_path / "bad.xlsx").write_bytes(b"not a zip")
    with pytest.raises(pricelist.CatalogueError) as e:
        pricelist.import_file(journal, tmp_path / "bad.xlsx")
    assert e.value.key == "catalogue_unreadable"


def test_catalogue_commands(cfg, tmp_path):
    f = tmp_path / "cat.csv"
    f.write_text(HEADER + ROWS, encoding="utf-8")
    r = ecpos(cfg, "catalogue", "import", str(f))
    assert r.returncode == 0 and "新增 3" in r.stdout
    r = ecpos(cfg, "catalogue", "search", "amxl", "--json")
    assert r.returncode == 0 and '"阿莫西林胶囊"' in r.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "X1,药,1,abc,,\n", encoding="utf-8")
    r = ecpos(cfg, "catalogue", "import", str(bad))
    assert r.returncode == 2 and "[catalogue_price]" in r.stderr
