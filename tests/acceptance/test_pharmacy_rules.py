"""批号/效期 and 含麻黄碱类复方制剂 at the pharmacy counter (issue 25), on the assembled app at 1366x768 and 1024x768:
only keys on the window and on what has focus; checked against the screen, the receipt file and
`ecpos journal --json` / `ecpos register --json` run as processes. Core rules: tests/terminal/test_pharmacy_rules.py;
the CLI: tests/e2e/test_pharmacy_rules_cli.py."""
from __future__ import annotations

import json
from datetime import date, timedelta

from PySide6.QtCore import Qt

from tests.acceptance.conftest import PINS, ecpos
from tests.acceptance.test_cashier_shift import sign_in_and_open_shift
from terminal import config as config_mod

EPHEDRINE = "XR05XAA123A001010100321"
BUYER_ID = "330102199001011234"
LATER = (date.today() + timedelta(days=500)).isoformat()
GONE = (date.today() - timedelta(days=3)).isoformat()


def ime(t, text: str) -> None:
    """A Chinese input method commits `text` into the field with the cursor (what 拼音 typing ends in; key
    clicks carry no Chinese characters)."""
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtWidgets import QApplication
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(t.focus(), event)


def _overrides() -> dict:
    entries = list(config_mod.load(profile="pharmacy", env={}).catalogue.entries)
    return {"catalogue.entries": [*entries, f"{EPHEDRINE}:复方盐酸伪麻黄碱缓释胶囊:10粒:18.50"],
            "catalogue.registered": [EPHEDRINE],
            "catalogue.lots": [f"{EPHEDRINE}:EPH2401:2024-01-10:{LATER}", f"{EPHEDRINE}:EPH2001:2020-01-10:{GONE}"]}


def test_a_registered_drug_with_its_lot_and_buyer(till):
    t = till(_overrides())
    sign_in_and_open_shift(t)
    t.show_phone(insutype="310")
    t.sees("已识别参保人")

    t.type("amxl")                                   # a drug without lots: no question asked …
    t.sees("阿莫西林胶囊")
    t.enter()
    t.qtbot.waitUntil(lambda: len(t.bill()) == 1, timeout=5000)
    t.key(Qt.Key_Delete)                             # … and Del from the item field takes it off again
    t.qtbot.waitUntil(lambda: t.bill() == [], timeout=5000)

    # the drug goes on the bill with its lot: the catalogue's lots offered, the expired one refused
    t.type("ffys")                                   # 复方盐酸伪麻黄碱 by its 拼音 initials
    t.sees("复方盐酸伪麻黄碱缓释胶囊")
    t.enter()
    t.sees("请选择药盒上的批号", f"批号 EPH2401 效期至 {LATER}", f"批号 EPH2001 效期至 {GONE}（已过期）")
    t.key(Qt.Key_Down)                               # the expired lot …
    t.enter()
    t.sees("效期已过，不能销售")                       # … refused, the dialog stays
    t.key(Qt.Key_Up)
    t.enter()
    t.sees(f"已添加 复方盐酸伪麻黄碱缓释胶囊 批号 EPH2401 效期至 {LATER}")
    assert t.bill()[0]["批号/效期"] == f"EPH2401 至{LATER}", t.bill()
    t.type("+")                                      # two boxes of that lot
    t.qtbot.waitUntil(lambda: t.bill()[0]["数量"] == "2", timeout=5000)
    # a third box from another lot, typed from the box
    t.type("ffys")
    t.sees("复方盐酸伪麻黄碱缓释胶囊")
    t.enter()
    t.sees("请选择药盒上的批号")
    t.key(Qt.Key_Tab)                                # from the list to 批号
    t.type("EPH2409")
    t.key(Qt.Key_Tab)
    t.type("2024-09-01")
    t.key(Qt.Key_Tab)
    t.type(LATER)
    t.enter()
    t.sees(f"已添加 复方盐酸伪麻黄碱缓释胶囊 批号 EPH2409 效期至 {LATER}")
    assert len(t.bill()) == 2, t.bill()              # another lot: another line

    # three boxes: over the limit, said in the cashier's words; one box fewer, then the buyer is asked
    t.key(Qt.Key_F5)
    t.sees("每次限售 2 个最小包装", "本单 3 个")
    t.type("-")
    t.qtbot.waitUntil(lambda: [r["数量"] for r in t.bill()] == ["1", "1"], timeout=5000)
    t.key(Qt.Key_F5)
    t.sees("请查验购药人身份证并登记")
    t.type("330102199001011235")                     # a digit wrong
    t.enter()                                        # Enter after the number: on to the name
    ime(t, "张三")
    t.enter()
    t.sees("校验位不符")
    t.key(Qt.Key_Backtab, Qt.ShiftModifier)          # back to the number
    t.key(Qt.Key_A, Qt.ControlModifier)
    t.type(BUYER_ID)
    t.enter()                                        # the name is there: registered, and F5 goes on
    t.sees("核对金额后按 Enter 或 F12 确认结算", "购药人 张* 3301**********1234")
    assert BUYER_ID not in t.text()
    t.enter()
    t.sees("结算成功")

    receipt = t.receipt(1)
    assert f"批号 EPH2401 效期至 {LATER}" in receipt and f"批号 EPH2409 效期至 {LATER}" in receipt
    assert "登记药品购药人：张*" in receipt and "身份证号：3301**********1234" in receipt
    assert BUYER_ID not in receipt and "张三" not in receipt
    [sale] = t.journal()
    assert sale["status"] == "settled"

    # the supervisor reads the day's register on screen (Ctrl+R, their PIN)
    t.key(Qt.Key_R, Qt.ControlModifier)
    t.sees("查看登记药品销售登记需主管授权")
    t.type("sup01")
    t.key(Qt.Key_Tab)
    t.type(PINS["sup01"])
    t.enter()
    t.sees("共 2 条", "EPH2401", "EPH2409", "张*", "3301**********1234", "settled")
    assert BUYER_ID not in t.text()
    t.key(Qt.Key_A, Qt.ControlModifier)             # another day: the cursor is in the date field
    t.type("2000-01-01")
    t.enter()
    t.sees("共 0 条")
    t.key(Qt.Key_A, Qt.ControlModifier)
    t.type("2026-13-01")
    t.enter()
    t.sees("日期格式应为 YYYY-MM-DD")
    t.key(Qt.Key_Escape)
    done = ecpos(t.cfg_file, "--data-dir", str(t.cfg.data_dir), "register", "--date", date.today().isoformat(),
                 "--json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["rows"]
    assert [(r["qty"], r["manu_lotnum"], r["certno"]) for r in rows] == [
        ("1", "EPH2401", "3301**********1234"), ("1", "EPH2409", "3301**********1234")]


def test_a_registered_drug_paid_by_the_buyer_without_insurance(till):
    """No 医保码: F4 self-pay; the core asks for the buyer when the cash is taken, then the sale goes through."""
    t = till(_overrides())
    sign_in_and_open_shift(t)
    t.type("ffys")
    t.sees("复方盐酸伪麻黄碱缓释胶囊")
    t.enter()
    t.sees("请选择药盒上的批号")
    t.enter()                                        # the first lot offered: the one within its expiry
    t.sees(f"已添加 复方盐酸伪麻黄碱缓释胶囊 批号 EPH2401 效期至 {LATER}")
    t.key(Qt.Key_F4)
    t.sees("自费：应收 ¥18.50")
    t.type("20")
    t.enter()
    t.sees("请查验购药人身份证并登记")
    t.type(BUYER_ID)
    t.enter()
    ime(t, "李四")
    t.enter()
    t.sees("自费收款完成", "购药人 李* 3301**********1234")
    assert BUYER_ID not in t.text()
    receipt = t.receipt(1)
    assert "收费凭证" in receipt and f"批号 EPH2401 效期至 {LATER}" in receipt
    assert "登记药品购药人：李*" in receipt and "身份证号：3301**********1234" in receipt and BUYER_ID not in receipt
    [sale] = t.journal()
    assert sale["status"] == "self_paid"
