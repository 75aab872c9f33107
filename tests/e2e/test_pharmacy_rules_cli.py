"""批号/效期 and 含麻黄碱类复方制剂 from the command line, as a script or an IT admin runs it: `ecpos settle` lines
carry their lot, the buyer goes with --buyer-id/--buyer-name; what is checked is what a user reads: the exit
code and message, the receipt file, `ecpos journal --json`, `ecpos register`; and what went to the reference
service (the 3505 row, accepted). Core rules: tests/terminal/test_pharmacy_rules.py."""
from __future__ import annotations

import json
from decimal import Decimal
from datetime import date, timedelta
from pathlib import Path

from simulator import checker
from tests.engine.helpers import SUPERVISOR_PIN, ecpos, ecpos_json, journal_rows, staff

EPHEDRINE = "XR05XAA123A001010100321"
BUYER_ID = "330102199001011234"
BOXES = ["83003850000000131001", "83003850000000131002"]
FRESH = {"manu_lotnum": "240301", "manu_date": "2024-03-01",
         "expy_end": (date.today() + timedelta(days=400)).isoformat()}


def _cfg(make_cfg):
    return make_cfg("pharmacy", {"credential.adapter": "http", "catalogue.registered": [EPHEDRINE]})


def _items(tmp_path: Path, qty: str = "2", lot: dict = FRESH, trace=BOXES) -> str:
    p = tmp_path / "items.json"
    p.write_text(json.dumps([{"code": EPHEDRINE, "name": "复方盐酸伪麻黄碱缓释胶囊", "qty": qty, "price": "18.50",
                              "trace": trace, **lot}], ensure_ascii=False), encoding="utf-8")
    return str(p)


def test_a_registered_drug_with_its_lot_settles_and_is_registered_masked(sim, make_cfg, tmp_path):
    cfg = _cfg(make_cfg)
    staff(cfg)
    code = sim.code(sim.person("active", insutype="310")["psn_no"])
    out = ecpos_json(cfg, "settle", "--qr", code, "--items", _items(tmp_path), "--buyer-id", BUYER_ID,
                     "--buyer-name", "张三")
    assert out["status"] == "settled"
    receipt = Path(out["receipt"]).read_text(encoding="utf-8")
    assert f"批号 240301 效期至 {FRESH['expy_end']}" in receipt
    assert "登记药品购药人：张*" in receipt and "身份证号：3301**********1234" in receipt
    assert BUYER_ID not in receipt and "张三" not in receipt
    [sale] = ecpos_json(cfg, "journal")
    assert sale["status"] == "settled" and sale["setl_id"] == out["setl_id"]
    # the 3505 row the platform took carries the lot (yyyy-MM-dd, as its table and the reference service read it)
    [sent] = journal_rows(cfg, "SELECT request FROM requests WHERE infno='3505'")
    env = json.loads(sent["request"])
    row = env["input"]["selinfo"]
    assert {k: row[k] for k in FRESH} == FRESH
    schema = checker.load("national")             # the reference service's own reading of the table
    assert checker.check(schema, env) == "" and checker.warnings(schema, env) == []
    env["input"]["selinfo"]["manu_date"] = "2024/03/01"
    assert "manu_date 格式错误：应为yyyy-MM-dd" in checker.check(schema, env)  # so the check can fail
    assert [r["status"] for r in journal_rows(cfg, "SELECT status FROM trace_reports")] == ["accepted"]
    day = date.today().isoformat()
    reg = ecpos_json(cfg, "register", "--date", day)
    [entry] = reg["rows"]
    assert (entry["name"], entry["qty"], entry["manu_lotnum"], entry["psn_name"], entry["certno"], entry["status"]) \
        == ("复方盐酸伪麻黄碱缓释胶囊", "2", "240301", "张*", "3301**********1234", "settled")
    assert BUYER_ID not in json.dumps(reg, ensure_ascii=False)
    printed = ecpos(cfg, "register", "--date", day)
    assert printed.returncode == 0 and "3301**********1234" in printed.stdout and BUYER_ID not in printed.stdout
    # the inspector's export: in full, only with a supervisor's PIN
    csv = tmp_path / "专册.csv"
    refused = ecpos(cfg, "register", "--date", day, "--csv", str(csv))
    assert refused.returncode == 2 and "[register_export_supervisor]" in refused.stderr and not csv.exists()
    wrong = ecpos(cfg, "register", "--date", day, "--csv", str(csv), "--supervisor", "s1",
                  env={"ECPOS_SUPERVISOR_PIN": "0000"})
    assert wrong.returncode == 2 and "[pin_wrong]" in wrong.stderr and not csv.exists()
    ecpos_json(cfg, "register", "--date", day, "--csv", str(csv), "--supervisor", "s1",
               env={"ECPOS_SUPERVISOR_PIN": SUPERVISOR_PIN})
    assert f"{BUYER_ID}" in csv.read_text(encoding="utf-8-sig") and "张三" in csv.read_text(encoding="utf-8-sig")
    assert csv.stat().st_mode & 0o077 == 0


def test_over_the_limit_without_a_buyer_or_an_expired_lot_is_refused_before_anything_is_sent(sim, make_cfg,
                                                                                           tmp_path):
    cfg = _cfg(make_cfg)
    code = sim.code(sim.person("active")["psn_no"])
    over = ecpos(cfg, "settle", "--qr", code, "--items", _items(tmp_path, "3", trace=[]), "--buyer-id", BUYER_ID,
                 "--buyer-name", "张三")
    assert over.returncode == 2 and "[register_limit]" in over.stderr and "每次限售 2 个最小包装" in over.stderr
    nobody = ecpos(cfg, "settle", "--qr", code, "--items", _items(tmp_path, "1", trace=[]))
    assert nobody.returncode == 2 and "[buyer_required]" in nobody.stderr
    bad_id = ecpos(cfg, "settle", "--qr", code, "--items", _items(tmp_path, "1", trace=[]), "--buyer-id",
                   "330102199001011235", "--buyer-name", "张三")
    assert bad_id.returncode == 2 and "校验位不符" in bad_id.stderr
    old = {"manu_lotnum": "220101", "manu_date": "2022-01-01",
           "expy_end": (date.today() - timedelta(days=1)).isoformat()}
    expired = ecpos(cfg, "settle", "--qr", code, "--items", _items(tmp_path, "1", old, trace=[]), "--buyer-id",
                    BUYER_ID, "--buyer-name", "张三")
    assert expired.returncode == 2 and "[lot_expired]" in expired.stderr and "效期已过，不能销售" in expired.stderr
    assert journal_rows(cfg, "SELECT infno FROM requests") == []   # not even the patient's code was used
    assert ecpos_json(cfg, "journal") == []


def test_the_pharmacys_list_with_lots_imported_as_a_process(make_cfg, tmp_path):
    cfg = _cfg(make_cfg)
    csv = tmp_path / "目录.csv"
    csv.write_text("医保编码,名称,规格,单价,批号,生产日期,有效期至\n"
                   f"{EPHEDRINE},复方盐酸伪麻黄碱缓释胶囊,10粒,18.50,EPH2401,2024-01-10,2027-01-09\n"
                   f"{EPHEDRINE},复方盐酸伪麻黄碱缓释胶囊,10粒,18.50,EPH2501,2025-01-10,2028-01-09\n",
                   encoding="utf-8")
    assert ecpos_json(cfg, "catalogue", "import", str(csv))["added"] == 1
    [hit] = ecpos_json(cfg, "catalogue", "search", "fysw")
    assert hit["lots"] == [{"manu_lotnum": "EPH2501", "manu_date": "2025-01-10", "expy_end": "2028-01-09"},
                           {"manu_lotnum": "EPH2401", "manu_date": "2024-01-10", "expy_end": "2027-01-09"}]
    csv.write_text(csv.read_text(encoding="utf-8").replace("2027-01-09", "2027-13-09"), encoding="utf-8")
    bad = ecpos(cfg, "catalogue", "import", str(csv))
    assert bad.returncode == 2 and "[catalogue_lot]" in bad.stderr and "第 2 行" in bad.stderr


def test_a_registered_drug_returned_in_part_is_settled_again_for_the_kept_boxes(sim, make_cfg, monkeypatch):
    """退一盒 of a registered drug whose lot has expired since: the kept box is no new sale at the counter (it was
    in date and its buyer registered when sold), so its re-settlement is neither refused for the lot nor for the
    buyer; the register lists the new sale with the same buyer, masked."""
    from datetime import date as real_date

    from terminal import returns
    from terminal.sale import drug_register, lots
    from terminal.checkout import Checkout
    from terminal.counter import Counter, Item
    from tests.engine.helpers import SUPERVISOR_PIN
    cfg = _cfg(make_cfg)
    staff(cfg)
    person = sim.person("active", insutype="390")
    soon = {**FRESH, "expy_end": (date.today() + timedelta(days=1)).isoformat()}
    with Counter(cfg) as c:
        sale = Checkout(c)
        sale.identify(sim.code(person["psn_no"]))
        sale.bill([Item(EPHEDRINE, "复方盐酸伪麻黄碱缓释胶囊", Decimal(2), Decimal("18.50"), **soon)], trace=False)
        sale.take_buyer(BUYER_ID, "张三")
        sale.quote()
        s = sale.confirm()

        class Later(real_date):  # two days on: the kept box's lot has expired meanwhile
            @classmethod
            def today(cls):
                return real_date.today() + timedelta(days=2)
        monkeypatch.setattr(lots, "date", Later)
        r = returns.start(c, s.setl_id, returns.parse_picks(["1:1"]), "顾客退一盒", "c1", "s1", SUPERVISOR_PIN)
        done = returns.resettle(c, r.id, sim.code(person["psn_no"]), cashier="c1")
        assert done.state == returns.DONE
        monkeypatch.undo()
        day = c.journal.sale(s.sale_id)["day"]
        rows = drug_register.report(c.journal, cfg, day)
    assert [(x["sale_id"], x["qty"], x["certno"], x["status"]) for x in rows] == [
        (s.sale_id, "2", "3301**********1234", "refunded"), (done.resale_id, "1", "3301**********1234", "settled")]
