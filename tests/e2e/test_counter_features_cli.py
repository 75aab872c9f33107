"""挂单 / 取单, 组合支付 and 整单折扣 / 抹零 (issue 25) from the command line, as a script or an IT admin runs
them: `ecpos hold / held / recall`, `ecpos settle --tender A,B --discount --round --supervisor`, `ecpos shift`;
read back from their output, the receipt file and `ecpos journal --json`."""
from __future__ import annotations

import json
from decimal import Decimal

from tests.engine.helpers import PIN, SUPERVISOR_PIN, ecpos, ecpos_json, staff

D = Decimal
BOXES = ["83003850000000131001", "83003850000000131002"]


def test_a_bill_held_recalled_and_paid_in_two_parts_after_a_discount(sim, make_cfg, tmp_path):
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    staff(cfg)
    me = {"ECPOS_PIN": PIN}
    assert ecpos_json(cfg, "shift", "open", "--float", "100", "--cashier", "c1", env=me)["status"] == "open"
    bill = tmp_path / "bill.json"
    bill.write_text(json.dumps([{"code": "XA01", "name": "阿莫西林胶囊", "qty": "2", "price": "12.55", "trace": BOXES},
                                {"code": "XR05", "name": "复方甘草片", "qty": "1", "price": "8.00"}],
                               ensure_ascii=False), encoding="utf-8")

    held = ecpos_json(cfg, "hold", "--items", str(bill), "--cashier", "c1", env=me)   # 挂单
    assert held["status"] == "held" and held["amount"] == "33.10" and held["trace_codes"] == 2
    assert [h["hold_id"] for h in ecpos_json(cfg, "held")] == [held["hold_id"]]
    back = tmp_path / "back.json"
    got = ecpos_json(cfg, "recall", str(held["hold_id"]), "--out", str(back))          # 取单
    assert got["status"] == "recalled" and ecpos_json(cfg, "held") == []
    assert json.loads(back.read_text(encoding="utf-8"))[0]["trace"] == BOXES
    again = ecpos(cfg, "recall", str(held["hold_id"]))
    assert again.returncode == 2 and "[hold_recalled]" in again.stderr

    person = sim.person("active", insutype="390")  # no personal account: a cash part
    code = sim.code(person["psn_no"])
    args = ("settle", "--qr", code, "--items", str(back), "--cashier", "c1")
    refused = ecpos(cfg, *args, "--discount", "5", "--supervisor", "c1", "--cash-received", "100",
                    env={**me, "ECPOS_SUPERVISOR_PIN": PIN})     # a cashier cannot allow a discount
    assert refused.returncode == 2 and "[operator_refused]" in refused.stderr
    assert all(r["status"] != "settled" for r in ecpos_json(cfg, "journal"))   # nothing settled

    s = ecpos_json(cfg, *args[:2], sim.code(person["psn_no"]), *args[3:], "--discount", "2", "--round", "yuan",
                   "--supervisor", "s1", "--tender", "wechat:10:4200000000000000000000123456,cash:50",
                   env={**me, "ECPOS_SUPERVISOR_PIN": SUPERVISOR_PIN})
    due = D(s["psn_cash_pay"])                                  # the platform's figure, unchanged
    assert D(s["medfee_sumamt"]) == D("33.10")                  # the prices reported: the catalogue's
    adj = s["adjustment"]
    pay = D(adj["cash_paid"])
    assert adj["authorized_by"] == "s1" and D(adj["discount"]) == D("2.00")
    assert pay == int(due - 2) and pay + D(adj["discount"]) + D(adj["rounding"]) == due
    parts = s["tender"]["parts"]
    assert [(p["method"], D(p["amount"])) for p in parts] == [("wechat", D(10)), ("cash", pay - 10)]
    assert D(s["change"]) == 50 - (pay - 10)
    receipt = open(s["receipt"], encoding="utf-8").read()
    assert "整单折扣：-2.00" in receipt and "抹零：-" in receipt and "折后现金" in receipt
    assert "微信支付：10.00" in receipt and "4200000000000000000000123456" in receipt   # the reference whole
    assert f"现金支付：{pay - 10:.2f}" in receipt
    row = next(r for r in ecpos_json(cfg, "journal") if r["status"] == "settled")
    assert D(row["psn_cash_pay"]) == due and D(row["medfee_sumamt"]) == D("33.10")

    day = ecpos_json(cfg, "journal")[0]["day"]
    closed_day = ecpos_json(cfg, "reconcile", "--date", day)         # the day close: its money by tender
    assert closed_day["tenders"]["wechat"] == {"taken": "10.00", "back": "0.00", "net": "10.00"}
    assert D(closed_day["tenders"]["cash"]["taken"]) == pay - 10

    other = tmp_path / "other.json"
    other.write_text('[{"code": "XR05", "name": "复方甘草片", "qty": "1", "price": "8.00"}]', encoding="utf-8")
    report = ecpos_json(cfg, "shift", "report")
    assert report["tenders"] == {"wechat": "10.00", "cash": f"{pay - 10:.2f}"}
    assert D(report["discounts"]) == due - pay and report["untendered"] == "0.00"
    assert D(report["expected_cash"]) == 100 + pay - 10

    own = ecpos_json(cfg, "settle", "--self-pay", "--items", str(other), "--cashier", "c1", "--discount", "9折",
                     "--supervisor", "s1", "--cash-received", "10", env={**me, "ECPOS_SUPERVISOR_PIN": SUPERVISOR_PIN})
    assert own["adjustment"]["cash_paid"] == "7.20" and own["change"] == "2.80"   # 8.00 at 9折
    assert own["medfee_sumamt"] == "8.00"                                         # the bill stays the bill

    sold = ecpos(cfg, "hold", "--items", str(bill), "--cashier", "c1", env=me)  # its boxes are sold now
    assert sold.returncode == 2 and "[trace_already_sold]" in sold.stderr
    ecpos_json(cfg, "hold", "--items", str(other), "--cashier", "c1", env=me)   # left at the handover
    closed = ecpos(cfg, "shift", "close", "--counted", f"{100 + pay - 10 + D('7.20'):.2f}", "--cashier", "c1", env=me)
    assert closed.returncode == 0 and "1 张挂单未取回，已随交班作废" in closed.stdout
    assert "差额 0.00" in closed.stdout                  # the drawer holds what the discounted sales took
    assert ecpos_json(cfg, "held") == []
