"""挂单 / 取单, 整单折扣 / 抹零 and 组合支付 (issue 25) on the assembled app, at 1366x768 and 1024x768: keys on the
window and on what has focus, codes at the scan box; checked against the screen, the receipt file and
`ecpos journal --json`. README's key table lists these keys."""
from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt

from tests.acceptance.conftest import PINS
from tests.acceptance.test_cashier_shift import sign_in_and_open_shift

REF = "4200000000000000000000123456"   # a WeChat Pay transaction number: 28 digits


def test_hold_serve_another_recall_then_discount_and_pay_in_two_parts(till):
    t = till()
    sign_in_and_open_shift(t)

    # 1. 挂单: a quoted bill with its boxes scanned is parked (Ctrl+G) while the patient fetches their card
    t.show_phone(psn_no="3201000000000003")          # 王芳: no personal account, a cash part
    t.sees("已识别参保人 王*")
    t.type("lhqw")
    t.enter()
    t.type("tbkw")                                   # 头孢克肟
    t.enter()
    t.scan("83003850000000131891")
    t.scan("83003850000000131892")
    t.sees("追溯码：已扫齐")
    t.key(Qt.Key_F5)
    t.sees("收款后按 Enter 或 F12 确认结算")
    t.key(Qt.Key_G, Qt.ControlModifier)
    t.sees("已挂单 #1")
    assert t.bill() == []                           # the counter is free for the next customer

    # 2. the next customer meanwhile: self-pay (19.80), 抹角分 by the supervisor, cash
    t.type("lltd")
    t.enter()
    t.key(Qt.Key_F4)
    t.sees("自费：应收 ¥19.80")
    t.key(Qt.Key_K, Qt.ControlModifier)
    t.sees("现金部分 ¥19.80")
    t.key(Qt.Key_Down)
    t.key(Qt.Key_Down)                               # 抹角分, no discount
    t.sees("实收现金 ¥19.00（减免 ¥0.80）")
    t.enter()
    t.type("sup01")
    t.enter()
    t.type(PINS["sup01"])
    t.enter()
    t.sees("请收 ¥19.00")
    t.type("20")
    t.enter()
    t.sees("自费收款完成", "找零 ¥1.00")
    assert "抹零：-0.80" in t.receipt(1) and "现金支付：19.00" in t.receipt(1)
    t.key(Qt.Key_F9)

    # 3. 取单: the list (Ctrl+H), Enter takes the first back: its lines, its boxes, the patient
    t.key(Qt.Key_H, Qt.ControlModifier)
    t.sees("挂单号", "#1", "王*", "连花清瘟胶囊")
    t.enter()
    t.sees("已取单：参保人 王*", "追溯码：已扫齐")
    assert [r["名称"][:4] for r in t.bill()] == ["连花清瘟", "头孢克肟"]
    t.key(Qt.Key_F5)
    t.sees("收款后按 Enter 或 F12 确认结算")

    # 4. 整单折扣 / 抹零: the supervisor's discount of the cash part, the 医保 price untouched (said on screen)
    t.key(Qt.Key_K, Qt.ControlModifier)
    t.sees("折扣仅减少现金部分，上传医保的单价不变", "现金部分 ¥")
    t.type("1")                                      # 1 yuan off …
    t.key(Qt.Key_Down)
    t.key(Qt.Key_Down)                               # … and 抹角分 (the arrows choose it)
    t.sees("抹角分（元以下）", "实收现金 ¥")          # what the patient pays then, before the PIN
    t.enter()
    t.type("c01")                                    # a cashier cannot allow it
    t.enter()
    t.type(PINS["c01"])
    t.enter()
    t.sees("工号或密码错误，或无此权限")
    t.key(Qt.Key_Tab, Qt.ShiftModifier)              # back to the ID, all of it selected, the supervisor's
    t.key(Qt.Key_A, Qt.ControlModifier)
    t.type("sup01")
    t.enter()
    t.type(PINS["sup01"])
    t.enter()
    t.sees("主管 sup01 已减免 ¥", "折扣仅减少现金部分，上传医保的单价不变", "折后实收 ¥")
    assert (t.window.width(), t.window.height()) == t.size   # the tender panel with its 折扣 key fits

    # 5. 组合支付: 5.00 by WeChat with its number (↓ picks WeChat), the rest in cash with the change
    t.key(Qt.Key_Down)
    t.sees("微信")
    t.type("5")
    t.enter()
    t.type(REF)
    t.enter()
    t.sees("已收微信 ¥5.00，还需 ¥")
    t.type("50")
    t.enter()
    t.sees("结算成功", "找零 ¥")

    receipt = t.receipt(2)                          # the self-paid sale printed the first
    assert "整单折扣：-1.00" in receipt and "抹零：-" in receipt and "医保结算不变" in receipt
    assert "微信支付：5.00" in receipt and REF in receipt and "实收：50.00" in receipt
    row = t.journal()[0]
    assert row["status"] == "settled" and Decimal(row["medfee_sumamt"]) == Decimal("43.30")  # 14.80 + 28.50
    paid = Decimal(receipt.split("折后现金：")[1].split("（")[0])
    assert paid == int(Decimal(row["psn_cash_pay"]) - 1)    # the platform's cash part, less 1.00, 抹角分

    # 6. the day close splits the day's money by tender: the WeChat part under WeChat
    t.key(Qt.Key_3, Qt.AltModifier)
    t.key(Qt.Key_F6)
    t.sees("按支付方式：现金 收 ", "；微信 收 5.00 净 5.00")
    t.key(Qt.Key_1, Qt.AltModifier)

    # 7. a bill left held at the handover expires with the shift, and the till says so
    t.key(Qt.Key_F9)
    t.type("lltd")
    t.enter()
    t.key(Qt.Key_G, Qt.ControlModifier)
    t.sees("已挂单 #2")
    t.key(Qt.Key_J, Qt.ControlModifier)
    t.sees("未取回的挂单 1 张：交班时作废")
    t.type("0")
    t.enter()
    t.sees("确认交班？")                               # the difference asked first
    t.enter()
    t.sees("1 张挂单未取回，已作废", "收银台已锁定，请登录")
