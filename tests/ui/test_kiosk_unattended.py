"""The unattended kiosk: patients read patient words (no 请患者, no staff counters, no device states), a
scanner fault reads 暂停服务，请到人工窗口, 确认缴费 waits for an amount, the error page leads home, and the
admin PIN is typed on an on-screen keypad. The counter shows a scanner fault in its banner."""
from __future__ import annotations

from PySide6.QtCore import Qt

from ui.demo.director import DEMO_PIN


def test_patient_words_on_a_refused_code_and_the_way_home(terminal, qtbot):
    d = terminal("kiosk")
    v = d.sale
    assert not d.window.statusBar().isVisible()      # 待退费/待确认 and device pills are the admin's
    assert not v.confirm.pay.isEnabled()             # nothing to pay yet
    assert v.welcome.hint.isVisible() and not v.welcome.scanner.isVisible()
    d.box.scan("ABC")                                # not a 医保码
    qtbot.waitUntil(lambda: v.page == "result", timeout=15000)
    text = v.result.text.text()
    assert text and "请患者" not in text and "患者" not in text and "请您" in text
    assert v.result.done.text() == "返回首页"
    qtbot.mouseClick(v.result.done, Qt.LeftButton)
    assert v.page == "welcome"


def test_scanner_fault_pauses_the_kiosk_in_patient_words(terminal, qtbot):
    d = terminal("kiosk")
    v = d.sale
    d.box.close()                                     # the scan box is unplugged
    qtbot.waitUntil(lambda: v.welcome.scanner.isVisible(), timeout=15000)
    assert v.welcome.scanner.text() == "暂停服务，请到人工窗口"
    assert not v.welcome.hint.isVisible()


def test_admin_pin_on_the_on_screen_keypad(terminal, qtbot):
    d = terminal("kiosk")
    dlg = d.sale.ask_admin()
    assert dlg.operator.text() == d.cfg.kiosk.admin_id
    assert all(dlg.keys[k].height() >= 48 for k in "0123456789")
    for digit in "12":
        qtbot.mouseClick(dlg.keys[digit], Qt.LeftButton)
    qtbot.mouseClick(dlg.keys["⌫"], Qt.LeftButton)
    assert dlg.pin.text() == "1"
    qtbot.mouseClick(dlg.keys["clear"], Qt.LeftButton)
    for digit in DEMO_PIN["admin"]:
        qtbot.mouseClick(dlg.keys[digit], Qt.LeftButton)
    assert dlg.pin.text() == DEMO_PIN["admin"]
    qtbot.mouseClick(dlg.buttons.button(dlg.buttons.StandardButton.Ok), Qt.LeftButton)
    qtbot.waitUntil(lambda: d.ctx.unlocked, timeout=10000)
    assert d.window.statusBar().isVisible()           # the admin sees the device and queue states


def test_counter_banner_shows_a_scanner_fault(terminal, qtbot):
    d = terminal("pharmacy")
    bar = d.window.message_bar
    d.box.close()
    qtbot.waitUntil(lambda: bar.property("level") == "error" and "扫码器" in bar.text(), timeout=15000)
    assert "F2" in bar.text()
    d.window.show_message("info", "就绪：请出示医保码")  # a later 就绪 does not hide the fault
    assert "扫码器" in bar.text()
