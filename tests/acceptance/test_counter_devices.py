"""The counter's devices on the assembled app (issue 25): the customer display (客显) the patient reads while the
cashier works, and the cash drawer's pulse through the receipt printer. Only keys on the cashier's window and
codes at the scan box; checked against the customer window's text as the patient sees it, the bytes the printer
got (a network printer here is a TCP listener), the screen, and `ecpos drawer --list --json` run as a process."""
from __future__ import annotations

import json
import os
import re
import select
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from drivers.pole_display import amounts, frame
from tests.acceptance.conftest import PINS, SIZES, ecpos, visible_text
from tests.acceptance.test_cashier_shift import sign_in_and_open_shift
from tests.drivers.test_counter_devices import PULSE_PIN2, Capture

CUT = b"\x1dV"


def customer_window():
    """The one window titled 客显, as the patient's screen shows it."""
    shown = [w for w in QApplication.topLevelWidgets() if w.isVisible() and w.windowTitle() == "客显"]
    assert len(shown) == 1, [w.windowTitle() for w in QApplication.topLevelWidgets() if w.isVisible()]
    return shown[0]


def patient_sees(t, *words: str, timeout: int = 20000) -> str:
    """Wait until the customer window shows every word; its text when it does."""
    def text() -> str:
        return "\n".join(visible_text(customer_window()))
    try:
        t.qtbot.waitUntil(lambda: all(w in text() for w in words), timeout=timeout)
    except Exception:
        raise AssertionError(f"the patient does not see {[w for w in words if w not in text()]}\n"
                             f"--- customer window ---\n{text()}") from None
    return text()


def amount(text: str, title: str) -> Decimal:
    return Decimal(re.search(rf"{title}\n¥([\d,.]+)", text).group(1).replace(",", ""))


def drawer_log(t) -> list[dict]:
    done = ecpos(t.cfg_file, "--data-dir", str(t.cfg.data_dir), "drawer", "--list", "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


class Pole:
    """The pole display's serial line: a pseudo-terminal whose other end the test reads."""

    def __init__(self):
        self.master, slave = os.openpty()
        self.path = os.ttyname(slave)
        os.close(slave)  # the app opens the port itself
        self.data = b""

    def got(self) -> bytes:
        while select.select([self.master], [], [], 0)[0]:
            self.data += os.read(self.master, 4096)
        return self.data

    def close(self):
        os.close(self.master)


def test_the_patient_watches_the_sale_and_the_drawer_opens_only_for_cash(till):
    cap, pole = Capture(), Pole()
    try:
        t = till({"till.customer_display": True, "printer.kind": "network", "devices.pole_display": pole.path,
                  "printer.target": f"127.0.0.1:{cap.port}", "printer.cash_drawer": True})
        patient_sees(t, "欢迎光临")
        sign_in_and_open_shift(t)                            # keys reach the cashier's window, not the patient's

        # 1. cash: the lines, the split and the cash due, then what was handed over and the change
        t.show_phone(psn_no="3201000000000003")             # 王芳: no personal account balance
        t.sees("已识别参保人 王*")
        t.type("ffgc")                                       # 复方甘草片
        t.enter()
        seen = patient_sees(t, "复方甘草片", "费用合计")       # the line as it is scanned, before any quote
        assert "现金支付" not in seen and "欢迎光临" not in seen
        t.key(Qt.Key_F5)
        t.sees("收款后按 Enter 或 F12 确认结算")
        seen = patient_sees(t, "复方甘草片", "费用合计", "现金支付", "请核对金额")
        due = amount(seen, "现金支付")
        assert due > 0 and "找零" not in seen
        t.type("50")
        t.enter()
        t.sees("结算成功")
        seen = patient_sees(t, "结算成功", "实收现金\n¥50.00", "找零")
        assert amount(seen, "找零") == Decimal("50.00") - due
        # the pole display: CD5220 clear, then the total (ESC Q A) and the change (ESC Q B), each ended by CR
        shown = frame(*amounts(amount(seen, "费用合计"), due, Decimal("50.00") - due))
        t.qtbot.waitUntil(lambda: pole.got().endswith(shown), timeout=10000)
        assert pole.got().startswith(b"\x1b@") and b"CHANGE" in shown
        t.qtbot.waitUntil(lambda: cap.bytes(0).count(CUT) == 1, timeout=10000)   # the receipt …
        assert cap.bytes(0).count(PULSE_PIN2) == 1                                   # … and one pulse

        # 2. the personal account pays it all: the result, no change, the drawer stays shut
        t.key(Qt.Key_F9)
        t.show_phone(insutype="310")                         # 张伟
        t.sees("已识别参保人 张*")
        t.type("lhqw")
        t.enter()
        seen = patient_sees(t, "连花清瘟胶囊")                 # the next patient's bill replaces the last one
        assert "复方甘草片" not in seen and "结算成功" not in seen
        t.key(Qt.Key_F5)
        t.sees("核对金额后按 Enter")
        t.enter()
        t.sees("结算成功")
        seen = patient_sees(t, "连花清瘟胶囊", "结算成功", "个人账户支付")
        assert "复方甘草片" not in seen and "找零" not in seen
        t.qtbot.waitUntil(lambda: cap.bytes(0).count(CUT) == 2, timeout=10000)
        assert cap.bytes(0).count(PULSE_PIN2) == 1

        # 3. 王芳 comes back: her sale refunded at the journal, the patient reads 已退款
        first = next(r for r in reversed(t.journal()) if r["status"] == "settled")
        t.key(Qt.Key_2, Qt.AltModifier)
        t.click_row(first["setl_id"])
        t.key(Qt.Key_T, Qt.ControlModifier)
        t.sees("主管工号")
        t.type("sup01")
        t.key(Qt.Key_Tab)
        t.type(PINS["sup01"])
        t.enter()
        t.sees("退费已完成：" + first["setl_id"], f"请退还现金 ¥{due:.2f}")
        patient_sees(t, "已退款", "复方甘草片")
        t.qtbot.waitUntil(lambda: cap.bytes(0).count(PULSE_PIN2) == 2, timeout=10000)  # the cash comes out

        # 4. the supervisor opens the drawer outside a sale: PIN and reason, audited with who and why
        t.key(Qt.Key_D, Qt.ControlModifier)
        t.sees("开钱箱原因", "主管工号")
        t.type("sup01")
        t.key(Qt.Key_Tab)
        t.type("0000")
        t.enter()
        t.sees("工号或密码错误")                              # a wrong PIN opens nothing; the dialog stays
        t.type(PINS["sup01"])
        t.enter()
        t.sees("钱箱已打开（换零钱）")
        t.qtbot.waitUntil(lambda: cap.bytes(0).count(PULSE_PIN2) == 3, timeout=10000)
        log = drawer_log(t)
        assert [(r["actor"], r["why"]) for r in log] == [("sup01", "换零钱"), ("c01", "cash_refund"),
                                                         ("c01", "cash_sale")]
        assert log[0]["cashier"] == "c01" and log[2]["sale_id"] == first["sale_id"]

        # 5. a settlement's answer lost: the patient is told not to pay again (last: the background sync
        # reversing it would speak on the cashier's message bar)
        t.key(Qt.Key_1, Qt.AltModifier)
        t.key(Qt.Key_F9)
        t.show_phone(insutype="310")
        t.sees("已识别参保人 张*")
        t.type("lhqw")
        t.enter()
        t.sim.faults("2102:drop:1,2601:reset")
        t.key(Qt.Key_F5)
        t.sees("核对金额后按 Enter")
        t.enter()
        t.sees("结果待确认")
        patient_sees(t, "结果待确认：请勿重复付款")
        t.type("+")                                          # the cashier edits the bill meanwhile …
        t.qtbot.waitUntil(lambda: t.bill()[-1]["数量"] == "2", timeout=5000)
        t.qtbot.wait(300)
        patient_sees(t, "结果待确认：请勿重复付款", timeout=1000)   # … the patient is still told not to pay again
    finally:
        cap.close()
        pole.close()


@pytest.mark.parametrize("screen", [SIZES[0]], ids=["1366x768"])
def test_a_drawer_that_cannot_open_is_a_message_and_the_sale_stands(till):
    t = till({"printer.cash_drawer": True})
    (t.cfg.data_dir / "receipts" / "drawer.bin").mkdir(parents=True)   # the pulse cannot be written
    sign_in_and_open_shift(t)
    t.show_phone(psn_no="3201000000000003")
    t.sees("已识别参保人 王*")
    t.type("ffgc")
    t.enter()
    t.key(Qt.Key_F5)
    t.sees("收款后按 Enter 或 F12 确认结算")
    t.type("50")
    t.enter()
    t.sees("结算成功", "钱箱未能打开", "不受影响")
    assert "找零" in t.receipt(1)                                      # the receipt printed all the same
    assert [r["status"] for r in t.journal()] == ["settled"]
    assert [r["event"] for r in drawer_log(t)] == ["drawer_not_opened", "drawer_opened"]


@pytest.mark.parametrize("screen", [SIZES[0]], ids=["1366x768"])
def test_one_box_back_of_a_cash_sale_opens_the_drawer_for_the_cash_handed_back(till):
    t = till({"printer.cash_drawer": True, "till.customer_display": True})
    pulses = t.cfg.data_dir / "receipts" / "drawer.bin"     # the file printer keeps each pulse
    sign_in_and_open_shift(t)
    t.key(Qt.Key_F9)
    t.type("lhqw")                                          # 连花清瘟胶囊 14.80, two boxes, no insurance
    t.enter()
    t.type("+")
    t.qtbot.waitUntil(lambda: t.bill()[-1]["数量"] == "2", timeout=5000)
    seen = patient_sees(t, "连花清瘟胶囊", "¥29.60")          # no patient identified: the lines all the same
    assert "结算成功" not in seen
    t.key(Qt.Key_F4)
    t.sees("自费：应收 ¥29.60")
    t.type("30")
    t.enter()
    t.sees("自费收款完成")
    t.qtbot.waitUntil(lambda: pulses.exists() and pulses.read_bytes() == PULSE_PIN2, timeout=10000)
    t.key(Qt.Key_2, Qt.AltModifier)
    t.sees("| 29.60 |")
    t.click_row("自费")
    t.key(Qt.Key_B, Qt.ControlModifier)                     # 退一盒
    t.sees("用 ↑↓ 选行", "连花清瘟胶囊")
    t.type("+")
    t.key(Qt.Key_Tab)
    t.key(Qt.Key_Tab)
    t.type("sup01")
    t.key(Qt.Key_Tab)
    t.type(PINS["sup01"])
    t.enter()
    t.sees("退货完成", "请退还现金 14.80 元")
    patient_sees(t, "收款成功")                              # a box back leaves the sale self-paid
    t.qtbot.waitUntil(lambda: pulses.read_bytes() == PULSE_PIN2 * 2, timeout=10000)
    assert [(r["why"], r.get("cash")) for r in drawer_log(t)] == [("cash_refund", "14.80"), ("cash_sale", "30.00")]
