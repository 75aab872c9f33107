"""The pharmacy's rules of a bill in the core (terminal/sale/lots.py, terminal/sale/drug_register.py, terminal/checkout.py):
批号 / 效期 on a line, an expired lot refused; 含麻黄碱类复方制剂 sold against the buyer's ID, within the limit,
registered. The faces over them: tests/e2e/test_pharmacy_rules_cli.py (ecpos settle / register as processes),
tests/acceptance/test_pharmacy_rules.py (keys on the app's window).

Wire facts: 3505 selinfo's manu_lotnum (生产批号 字符型 30), manu_date (生产日期 日期型 yyyy-MM-dd), expy_end (有效期止
日期型 yyyy-MM-dd) as public integrations define the row, e.g. binzhe12123/Medical
SY.Com.Medical.Model/SYB/YYJGFW/YPXS3505.cs (In3505); simulator/schema/national.toml holds the same table.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from terminal import config as config_mod
from terminal.sale import drug_register, lots, trace_report
from terminal.checkout import Checkout
from terminal.counter import Counter
from terminal.errors import ConfigError
from terminal.sale.items import Item, ItemsError, parse_items
from terminal.journal.journal import Journal
from terminal.sale.receipt import for_sale, layout

EPHEDRINE = "XR05XAA123A001010100321"  # 复方盐酸伪麻黄碱缓释胶囊 (a 含麻黄碱类复方制剂)
AMOX = "XJ01CAA040A001010100007"
BUYER_ID = "330102199001011234"        # check digit right (GB 11643)
TODAY = date.today()
GOOD = {"manu_lotnum": "240301", "manu_date": "2024-03-01", "expy_end": (TODAY + timedelta(days=400)).isoformat()}
OLD = {"manu_lotnum": "220101", "manu_date": "2022-01-01", "expy_end": (TODAY - timedelta(days=1)).isoformat()}


@pytest.fixture
def pharmacy(tmp_path):
    """A pharmacy profile with one registered drug and two lots of amoxicillin (offline: nothing is sent)."""
    layer = tmp_path / "p.toml"
    layer.write_text(f'[catalogue]\nregistered = ["{EPHEDRINE}"]\nlots = ["{AMOX}:240301:2024-03-01:2027-02-28",'
                     f' "{AMOX}:250601:2025-06-01:2028-05-31"]\n', encoding="utf-8")
    return config_mod.load(profile="pharmacy", config_file=layer, data_dir=tmp_path / "d",
                           center_url="http://127.0.0.1:9", env={})


def line(code=AMOX, qty="1", **kw) -> Item:
    return Item(code, "复方盐酸伪麻黄碱缓释胶囊" if code == EPHEDRINE else "阿莫西林胶囊", Decimal(qty),
                Decimal("18.50"), **kw)


# --- 批号 / 效期 ------------------------------------------------------------------------------------------
def test_a_line_carries_its_lot_from_the_items_file_and_refuses_half_a_lot_or_a_bad_date():
    [item] = parse_items([{"code": AMOX, "name": "阿莫西林胶囊", "qty": "1", "price": "12.50", **GOOD}])
    assert (item.manu_lotnum, item.manu_date, item.expy_end) == tuple(GOOD.values())
    with pytest.raises(ItemsError) as half:
        parse_items([{"code": AMOX, "name": "阿莫西林胶囊", "qty": "1", "price": "12.50", "manu_lotnum": "240301"}])
    assert half.value.key == "items_lot"
    with pytest.raises(lots.LotError) as bad:
        parse_items([{"code": AMOX, "name": "阿莫西林胶囊", "qty": "1", "price": "12.50", **GOOD,
                      "manu_date": "2024/03/01"}])
    assert bad.value.key == "lot_date" and "yyyy-MM-dd" in bad.value.message
    with pytest.raises(lots.LotError) as order:
        lots.make("240301", "2024-03-01", "2023-03-01")
    assert order.value.key == "lot_dates"
    with pytest.raises(lots.LotError):
        lots.make("X" * 31, "2024-03-01", "2026-03-01")  # 生产批号 字符型 30


def test_the_catalogues_lots_latest_expiry_first_and_a_bad_entry_named(pharmacy, tmp_path):
    got = lots.catalogue_lots(pharmacy)[AMOX]
    assert [lot.lotnum for lot in got] == ["250601", "240301"]
    assert got[0].text() == "批号 250601 效期至 2028-05-31"
    bad = tmp_path / "bad.toml"
    bad.write_text(f'[catalogue]\nlots = ["{AMOX}:240301:2024-03-01"]\n', encoding="utf-8")
    cfg = config_mod.load(profile="pharmacy", config_file=bad, data_dir=tmp_path / "e", env={})
    with pytest.raises(ConfigError) as e:
        lots.catalogue_lots(cfg)
    assert e.value.key == "catalogue_lot"


def test_an_expired_lot_is_refused_before_anything_is_sent_naming_the_line(pharmacy):
    with Counter(pharmacy) as c:
        sale = Checkout(c)
        assert sale.bill([line(**GOOD)], trace=False)  # within its expiry: on the bill
        with pytest.raises(lots.LotError) as e:
            sale.bill([line(**GOOD), line(**OLD)], trace=False)
        assert c.journal.query("SELECT COUNT(*) n FROM requests")[0]["n"] == 0
    assert e.value.key == "lot_expired"
    assert e.value.message.startswith("第 2 行 阿莫西林胶囊 批号 220101") and lots.EXPIRED in e.value.message
    assert not lots.Lot("x", TODAY, TODAY).expired(TODAY)  # 有效期至 is the last day it may be sold


def test_the_3505_row_carries_the_lines_lot_and_none_is_invented_without_one(pharmacy):
    sale = {"setl_id": "S1", "psn_no": "P1", "confirmed_at": "2026-12-06T08:00:00+00:00", "created_at": ""}
    items = [{"code": AMOX, "name": "阿莫西林胶囊", "qty": "1", "price": "12.50", **GOOD},
             {"code": AMOX, "name": "阿莫西林胶囊", "qty": "1", "price": "12.50"}]
    with_lot = trace_report._row(pharmacy, "D1", sale, items, 1, ["83003850000000131001"], "0", None)
    without = trace_report._row(pharmacy, "D1", sale, items, 2, ["83003850000000131002"], "0", None)
    assert {k: with_lot[k] for k in lots.FIELDS} == GOOD
    assert not set(lots.FIELDS) & set(without)


# --- 含麻黄碱类复方制剂 ------------------------------------------------------------------------------------
def test_the_buyers_id_is_checked_by_its_check_digit_and_shown_masked():
    who = drug_register.buyer(" 330102199001011234 ", "张三")
    assert who.masked == "张* 3301**********1234"
    for bad in ("330102199001011235", "33010219900101123", "33010219900101123A"):
        with pytest.raises(drug_register.RegisterError) as e:
            drug_register.buyer(bad, "张三")
        assert e.value.key == "buyer_id"
    assert drug_register.buyer("11010519491231002X", "李四").id_number.endswith("X")  # GB 11643's own example
    with pytest.raises(drug_register.RegisterError) as e:
        drug_register.buyer(BUYER_ID, " ")
    assert e.value.key == "buyer_name"


def test_a_registered_drug_needs_its_buyer_and_keeps_to_the_limit_a_prescription_excepted(pharmacy):
    with Counter(pharmacy) as c:
        sale = Checkout(c)
        sale.bill([line(AMOX, "5")], trace=False)
        sale.check_rules()                                # nothing registered: nothing asked
        sale.bill([line(EPHEDRINE, "2")], trace=False)
        with pytest.raises(drug_register.RegisterError) as missing:
            sale.check_rules()
        sale.take_buyer(BUYER_ID, "张三")
        sale.check_rules()                                # 2 boxes with the buyer: fine
        sale.bill([line(EPHEDRINE, "2"), line(EPHEDRINE, "1", **GOOD)], trace=False)
        with pytest.raises(drug_register.RegisterError) as over:
            sale.check_rules()
        sale.bill([line(EPHEDRINE, "2"), line(EPHEDRINE, "3", rxno="RX1")], trace=False)
        sale.check_rules()                                # the prescription's boxes count as prescribed
    assert missing.value.key == "buyer_required" and "身份证号码和姓名" in missing.value.message
    assert over.value.key == "register_limit"
    assert "每次限售 2 个最小包装" in over.value.message and "本单 3 个" in over.value.message


def test_a_self_paid_sale_of_a_registered_drug_is_in_the_register_and_on_the_receipt_masked(pharmacy):
    from terminal.sale import tender
    with Counter(pharmacy) as c:
        sale = Checkout(c)
        sale.bill([line(EPHEDRINE, "2", **GOOD)], trace=False)
        sale.take_buyer(BUYER_ID, "张三丰")
        sale_id = sale.self_pay(tender.cash(Decimal("37.00"), Decimal("40")))
        text = "\n".join(layout(for_sale(pharmacy, c.journal, sale_id)))
        day = c.journal.sale(sale_id)["day"]
    assert "批号 240301 效期至" in text, text
    assert "登记药品购药人：张**" in text and "身份证号：3301**********1234" in text, text
    assert BUYER_ID not in text and "张三丰" not in text
    j = Journal.for_config(pharmacy)
    try:
        [row] = drug_register.entries(j, pharmacy, day)
        assert drug_register.entries(j, pharmacy, "2000-01-01") == []
        audit = j.query("SELECT data FROM audit WHERE event='drug_registered'")
    finally:
        j.close()
    assert (row["name"], row["qty"], row["manu_lotnum"], row["certno"], row["status"]) == (
        "复方盐酸伪麻黄碱缓释胶囊", "2", "240301", "3301**********1234", "self_paid")
    assert row["buyer_id"] == BUYER_ID                    # kept in full for the inspector …
    assert BUYER_ID in drug_register.to_csv([row])
    assert BUYER_ID not in audit[0]["data"]               # … never in the audit log


def test_a_sale_over_the_limit_is_not_paid(pharmacy):
    from terminal.sale import tender
    with Counter(pharmacy) as c:
        sale = Checkout(c)
        sale.bill([line(EPHEDRINE, "3")], trace=False)
        sale.take_buyer(BUYER_ID, "张三")
        with pytest.raises(drug_register.RegisterError):
            sale.self_pay(tender.cash(Decimal("55.50"), Decimal("60")))
        assert c.journal.query("SELECT COUNT(*) n FROM sales")[0]["n"] == 0


def test_a_lot_picked_or_typed_at_the_counter_is_refused_once_expired():
    from terminal.checkout import pick_lot
    assert pick_lot("240301", "2024-03-01", GOOD["expy_end"]).lotnum == "240301"
    with pytest.raises(lots.LotError) as e:
        pick_lot("220101", "2022-01-01", OLD["expy_end"])
    assert e.value.key == "lot_expired" and e.value.message.endswith(lots.EXPIRED)


def test_the_pharmacys_list_brings_its_lots_one_row_each_and_a_wrong_row_changes_nothing(pharmacy, tmp_path):
    from terminal.office import pricelist
    from terminal.sale import catalogue
    good = tmp_path / "批号.csv"
    good.write_text("医保编码,名称,规格,单价,批号,生产日期,有效期至\n"
                    f"{EPHEDRINE},复方盐酸伪麻黄碱缓释胶囊,10粒,18.50,EPH2401,2024-01-10,2027-01-09\n"
                    f"{EPHEDRINE},复方盐酸伪麻黄碱缓释胶囊,10粒,18.50,EPH2501,2025-01-10,2028-01-09\n"
                    "XA02BCA018A001010101234,奥美拉唑肠溶胶囊,20mg*14粒,23.60,,,\n", encoding="utf-8")
    j = Journal.for_config(pharmacy)
    try:
        assert pricelist.import_file(j, good) == (2, 0)
        lines = catalogue.load_catalogue(pharmacy, j)
        assert [lot.lotnum for lot in lines[EPHEDRINE].lots] == ["EPH2501", "EPH2401"]  # latest expiry first
        assert lines["XA02BCA018A001010101234"].lots == ()
        assert [lot.lotnum for lot in lines[AMOX].lots] == ["250601", "240301"]  # [catalogue] lots still there
        for body, key in (
                (f"{EPHEDRINE},复方盐酸伪麻黄碱缓释胶囊,10粒,18.50,EPH2601,2026-01-10,\n", "catalogue_lot"),
                (f"{EPHEDRINE},复方盐酸伪麻黄碱缓释胶囊,10粒,19.00,EPH2601,2026-01-10,2029-01-09\n",
                 "catalogue_lot_row"),
                (f"{EPHEDRINE},复方盐酸伪麻黄碱缓释胶囊,10粒,18.50,EPH2401,2024-01-10,2027-01-09\n",
                 "catalogue_duplicate")):
            bad = tmp_path / "bad.csv"
            bad.write_text(good.read_text(encoding="utf-8").splitlines(keepends=True)[0]
                           + good.read_text(encoding="utf-8").splitlines(keepends=True)[1] + body, encoding="utf-8")
            with pytest.raises(pricelist.CatalogueError) as e:
                pricelist.import_file(j, bad)
            assert e.value.key == key and "第 3 行" in e.value.message
        assert len(catalogue.load_catalogue(pharmacy, j)[EPHEDRINE].lots) == 2  # nothing changed
    finally:
        j.close()
