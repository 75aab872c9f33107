"""A pharmacy cashier's whole shift on the assembled app, at 1366x768 and 1024x768 (issue 21): only keys on
the window and on what has focus, codes at the scan box or from the barcode gun; checked only against the
screen, the receipt files and `ecpos journal --json`. README's "A cashier's day" is these steps."""
from __future__ import annotations

from PySide6.QtCore import Qt

from tests.acceptance.conftest import PINS


def sign_in_and_open_shift(t) -> None:
    t.sees("收银台已锁定，请登录")
    t.shot("01-sign-in")
    t.type("c01")
    t.enter()
    t.type(PINS["c01"])
    t.enter()
    t.sees("收银员：c01", "尚未开班")
    t.key(Qt.Key_J, Qt.ControlModifier)             # 开班: the float in the drawer
    t.sees("备用金", "确定")                           # the dialog asks for it
    t.type("200")
    t.enter()
    t.sees("已开班 #1")


def test_a_cashiers_shift(till):
    t = till()
    sign_in_and_open_shift(t)

    # 1. a patient with a personal account: items by 拼音 and by barcode, F5, Enter
    t.show_phone(insutype="310")                     # 张伟
    t.sees("已识别参保人")
    t.type("lhqw")                                   # 连花清瘟 by its initials
    t.sees("连花清瘟胶囊")                            # the suggestion list shows it
    t.enter()                                        # Enter takes the first match
    t.type("am")                                     # 阿莫西林 and 奥美拉唑 both start so
    t.sees("阿莫西林胶囊", "奥美拉唑肠溶胶囊")
    t.key(Qt.Key_Down)                               # the arrow picks the second
    t.enter()
    t.gun("6930000000011")                           # the gun reads a box's EAN-13: 布洛芬
    t.scan("6940000000010")                          # the scan box reads another box: 氯雷他定
    t.sees("氯雷他定片")
    bill = t.bill()
    names = ["连花清瘟胶囊", "奥美拉唑肠溶胶囊", "布洛芬缓释胶囊", "氯雷他定片"]
    assert len(bill) == 4 and all(r["名称"].startswith(n) for r, n in zip(bill, names)), bill  # readable
    assert [r["数量"] for r in bill] == ["1"] * 4, bill   # one box each: Enter on the list never adds two
    t.shot("02-bill")
    t.key(Qt.Key_F5)
    t.sees("核对金额后按 Enter 或 F12 确认结算")
    t.enter()                                        # what the screen says: Enter confirms
    t.sees("结算成功")
    t.shot("03-settled")
