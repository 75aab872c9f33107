"""The till in the app: sign-in / lock / idle lock, the tender of the self-pay part (change, Enter confirms,
a quote with cash due is not dropped silently), the shift (open, close with the counted cash, slip), the
catalogue search and an EAN-13 scanned on the scan box, the card-number and self-pay fallbacks, reprint."""
from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from simulator import roster
from terminal.sale.items import BillLine
from ui.demo.director import DEMO_PIN


def rows(d, sql: str) -> list[dict]:
    from terminal.journal.journal import Journal
    j = Journal.for_config(d.cfg)
    try:
        return j.query(sql)
    finally:
        j.close()


def test_locked_till_signs_in_and_locks_by_key_and_when_idle(terminal, sim, qtbot):
    d = terminal("pharmacy")
    w, v = d.window, d.sale
    assert w.stack.currentWidget() is not w.lock_page and d.cfg.operator.id in w.operator_label.text()
    qtbot.keyClick(v.item_code, Qt.Key_L, Qt.ControlModifier)       # Ctrl+L: locked by key
    assert w.stack.currentWidget() is w.lock_page and not d.ctx.till_open
    d.box.scan(sim.code(sim.person("active")["psn_no"]))              # a scan while locked goes nowhere
    qtbot.waitUntil(lambda: "请先登录" in w.lock_page.error.text(), timeout=10000)
    assert v.patient is None and v.state == "waiting"
    w.lock_page.fill_and_submit(d.cfg.operator.id, "9999")
    qtbot.waitUntil(lambda: "密码错误" in w.lock_page.error.text(), timeout=10000)
    assert "4" in w.lock_page.error.text() and not d.ctx.till_open   # tries left before the lockout
    w.lock_page.fill_and_submit(d.cfg.operator.id, DEMO_PIN["cashier"])
    qtbot.waitUntil(lambda: d.ctx.till_open, timeout=10000)
    assert w.stack.currentWidget() is not w.lock_page
    w.idle.setInterval(200)                                           # idle: locks by itself
    w._restart_idle()
    qtbot.waitUntil(lambda: w.stack.currentWidget() is w.lock_page, timeout=5000)
    events = [r["event"] for r in rows(d, "SELECT event FROM audit ORDER BY seq")]
    assert events.count("signed_in") == 2 and "sign_in_refused" in events and "signed_out" in events


def test_cash_tender_change_enter_and_reprint(terminal, sim, qtbot, monkeypatch):
    d = terminal("pharmacy")
    v = d.sale
    person = sim.person("active", insutype="390")                     # no account: cash due
    d.box.scan(sim.code(person["psn_no"]))
    qtbot.waitUntil(lambda: v.state == "identified", timeout=15000)
    v.add_line(list(d.ctx.catalogue.values())[0], 2)
    qtbot.keyClick(v.item_code, Qt.Key_Return)                        # Enter: pre-settle
    qtbot.waitUntil(lambda: v.state == "quoted", timeout=15000)
    due = v.quote.psn_cash_pay
    assert due > 0 and v.tender_panel.isVisible()
    # leaving a quote with cash due asks first; "No" keeps it
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.No)
    assert not v.may_leave() and v.state == "quoted"
    qtbot.keyClicks(v.tender_panel.received, "100")
    assert v.tender_panel.change.text() == f"¥{Decimal('100') - due:.2f}"   # change in large type
    qtbot.keyClick(v.tender_panel.received, Qt.Key_Return)           # Enter confirms
    qtbot.waitUntil(lambda: v.state == "settled", timeout=15000)
    qtbot.waitUntil(lambda: v.receipt_path is not None, timeout=15000)
    text = v.receipt_path.read_text(encoding="utf-8")
    assert f"找零：{Decimal('100') - due:.2f}" in text and d.cfg.operator.id in text
    [t] = rows(d, "SELECT * FROM tenders")
    assert (t["method"], t["amount"], t["received"], t["operator"]) == ("cash", f"{due:.2f}", "100.00",
                                                                     d.cfg.operator.id)
    [sale] = rows(d, "SELECT opter FROM sales")
    assert sale["opter"] == d.cfg.operator.id
    first = v.receipt_path
    v.receipt_path = None
    v.b_reprint.click()                                               # F8: marked 重打 and audited
    qtbot.waitUntil(lambda: v.receipt_path is not None, timeout=15000)
    assert v.receipt_path != first and "【重打】" in v.receipt_path.read_text(encoding="utf-8")
    assert rows(d, "SELECT actor FROM audit WHERE event='receipt_reprinted'") == [{"actor": d.cfg.operator.id}]
    # the refund tells the cashier how much cash to hand back
    j = d.window.pages["journal"]
    loaded = []
    j.loaded.connect(loaded.append)
    d.window.show_page("journal")
    j.reload()
    qtbot.waitUntil(lambda: bool(loaded), timeout=10000)
    assert j.select_setl(v.settlement.setl_id)
    j.refund_selected().fill_and_submit("sup01", DEMO_PIN["supervisor"])
    qtbot.waitUntil(lambda: "请退还现金" in d.window.message_bar.text(), timeout=15000)
    assert f"¥{due:.2f}" in d.window.message_bar.text()
    [back] = rows(d, "SELECT method, amount, operator FROM tenders WHERE refund_id IS NOT NULL")
    assert back == {"method": "cash", "amount": f"{-due:.2f}", "operator": d.cfg.operator.id}


def test_a_left_quote_with_cash_due_is_cancelled_after_asking(terminal, sim, qtbot, monkeypatch):
    d = terminal("pharmacy")
    v = d.sale
    d.box.scan(sim.code(sim.person("active", insutype="390")["psn_no"]))
    qtbot.waitUntil(lambda: v.state == "identified", timeout=15000)
    v.add_line(list(d.ctx.catalogue.values())[0])
    v.presettle()
    qtbot.waitUntil(lambda: v.state == "quoted", timeout=15000)
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a) or QMessageBox.Yes)
    d.box.scan(sim.code(sim.person("active", insutype="310")["psn_no"]))  # the next patient
    qtbot.waitUntil(lambda: rows(d, "SELECT status FROM sales") == [{"status": "cancelled"}], timeout=15000)
    assert len(asked) == 1


def test_shift_open_and_close_in_the_app(terminal, sim, qtbot):
    d = terminal("pharmacy")
    w, v = d.window, d.sale
    qtbot.keyClick(v.item_code, Qt.Key_J, Qt.ControlModifier)       # Ctrl+J: no shift yet -> open one
    qtbot.waitUntil(lambda: w.shift_dialog is not None, timeout=10000)
    assert not w.shift_dialog.closing
    w.shift_dialog.fill_and_submit("200")
    qtbot.waitUntil(lambda: w.shift_dialog is None, timeout=10000)
    d.box.scan(sim.code(sim.person("active", insutype="390")["psn_no"]))
    qtbot.waitUntil(lambda: v.state == "identified", timeout=15000)
    v.add_line(list(d.ctx.catalogue.values())[0])
    v.presettle()
    qtbot.waitUntil(lambda: v.state == "quoted", timeout=15000)
    due = v.quote.psn_cash_pay
    v.tender_panel.received.setText("50")
    v.confirm()
    qtbot.waitUntil(lambda: v.state == "settled", timeout=15000)
    w.shift()
    qtbot.waitUntil(lambda: w.shift_dialog is not None, timeout=10000)
    dlg = w.shift_dialog
    assert dlg.closing and f"应有现金 {Decimal('200') + due:.2f}" in dlg.report.toPlainText()
    dlg.fill_and_submit("abc")                                        # not an amount: says what to type
    qtbot.waitUntil(lambda: "金额" in dlg.error.text(), timeout=10000)
    dlg.fill_and_submit(f"{Decimal('200') + due:.2f}")
    qtbot.waitUntil(lambda: w.stack.currentWidget() is w.lock_page, timeout=10000)  # handed over: locked
    assert "差额 0.00" in w.message_bar.text() or "0.00" in w.message_bar.text()
    slip = d.cfg.data_dir / "receipts" / "shift-1.txt"
    qtbot.waitUntil(slip.exists, timeout=10000)
    assert "差额 0.00" in slip.read_text(encoding="utf-8")
    [s] = rows(d, "SELECT counted, closed_by FROM shifts")
    assert s == {"counted": f"{Decimal('200') + due:.2f}", "closed_by": d.cfg.operator.id}


def test_search_barcode_card_number_and_self_pay(terminal, sim, qtbot):
    d = terminal("pharmacy")
    v = d.sale
    lines = list(d.ctx.catalogue.values())
    box = BillLine("XA02BCA211A001010101996", "奥美拉唑肠溶胶囊", Decimal("23.80"), "20mg*14粒", "6920000000012",
                   "AMLZCRJN")
    v.set_catalogue({**d.ctx.catalogue, box.code: box})
    v._search("amlz")                                                 # 拼音 initials
    assert v.matches.stringList()[0].startswith("奥美拉唑肠溶胶囊")
    d.box.scan("6920000000012")                                       # the drug box on the same scan box
    qtbot.waitUntil(lambda: [ln.code for ln, _ in v.bill.rows()] == [box.code], timeout=10000)
    assert v.patient is None                                          # a barcode never starts a patient
    person = sim.person("active", insutype="390")
    v.identify_by_card()                                              # F3: no 医保码
    dlg = v.card_dialog
    dlg.number.setText(roster.get(person["psn_no"]).certno)
    dlg._ok()
    qtbot.waitUntil(lambda: v.state == "identified", timeout=15000)
    assert v.patient.mdtrt_cert_type == "02"
    v.next_customer()
    v.add_line(lines[0])                                              # F4: self-pay, no insurance
    v.self_pay()
    assert v.tender_panel.isVisible() and v.tender_panel.due == lines[0].price
    v.tender_panel.method.setCurrentIndex(v.tender_panel.method.findData("wechat"))
    v.tender_panel.confirm.emit()                                     # no reference: refused
    assert "凭证号" in d.window.message_bar.text() and v.state != "self_paid"
    v.tender_panel.reference.setText("4200000001")
    v.tender_panel.confirm.emit()
    qtbot.waitUntil(lambda: v.state == "self_paid", timeout=15000)
    qtbot.waitUntil(lambda: v.receipt_path is not None, timeout=15000)
    assert "自费" in v.receipt_path.read_text(encoding="utf-8")
    [s] = rows(d, "SELECT status, mdtrt_cert_type, medfee_sumamt FROM sales")
    assert s == {"status": "self_paid", "mdtrt_cert_type": "", "medfee_sumamt": f"{lines[0].price:.2f}"}
