"""Clinic front desk visit (2201 → 2203/2204/2206 → 2207) with department and doctor from config, and a
refund from the journal that needs the supervisor's PIN: a wrong PIN first, then the right one."""
from __future__ import annotations

from decimal import Decimal

from ui.demo import script
from ui.demo.director import DEMO_PIN


def test_clinic_visit_registration_and_settlement(terminal, sim, qtbot):
    d = terminal("clinic")
    v = d.sale
    assert [v.dept.itemData(i) for i in range(v.dept.count())] == ["A03", "A04", "A07"]
    v.dept.setCurrentIndex(1)                          # 外科: the doctor list follows the department
    assert [v.doctor.itemData(i) for i in range(v.doctor.count())] == ["D002"]
    assert not v.b_register.isEnabled()                # nobody identified yet
    d.box.scan(sim.code(sim.person("active", insutype="390")["psn_no"]))
    qtbot.waitUntil(lambda: v.state == "identified", timeout=15000)
    assert v.b_register.isEnabled() and not v.b_presettle.isEnabled()
    v.register()
    qtbot.waitUntil(lambda: v.visit is not None, timeout=15000)
    assert v.visit.dept_code == "A04" and v.visit.doctor_code == "D002"
    assert v.visit.mdtrt_id in v.visit_label.text()
    assert [line.code for line, _ in v.bill.rows()] == ["110200001"]   # the registration fee line
    v.add_line(list(d.ctx.catalogue.values())[0], 2)
    v.presettle()
    qtbot.waitUntil(lambda: v.state == "quoted", timeout=15000)
    assert v.quote.medfee_sumamt == Decimal(d.cfg.clinic.registration_fee) + 2 * list(
        d.ctx.catalogue.values())[0].price
    assert v.tender_panel.isVisible() and v.quote.psn_cash_pay > 0  # cash due: the tender comes first
    v.confirm()
    assert v.state == "quoted" and "不足" in d.window.message_bar.text()  # nothing received: not settled
    v.tender_panel.received.setText("500")
    v.confirm()
    qtbot.waitUntil(lambda: v.state == "settled", timeout=15000)
    s = v.settlement
    assert s.mdtrt_id == v.visit.mdtrt_id
    ledger = sim.ledger()["settlements"]
    assert [(x["setl_id"], x["mdtrt_id"], x["status"]) for x in ledger] == [(s.setl_id, s.mdtrt_id, "settled")]
    qtbot.waitUntil(lambda: v.receipt_path is not None, timeout=15000)
    text = v.receipt_path.read_text(encoding="utf-8")
    assert "普通挂号费" in text and "110200001" not in text   # names, not codes, on paper


def test_refund_wrong_then_right_supervisor_pin(terminal, sim, qtbot):
    d = terminal("pharmacy")
    s = script.counter_sale(d)
    d.window.show_page("journal")
    j = d.window.pages["journal"]
    with qtbot.waitSignal(j.loaded, timeout=10000):
        j.reload()
    assert j.select_setl(s.setl_id)
    assert j.table.item(j.table.currentRow(), 3).text() == "已结算"
    dlg = j.refund_selected()
    dlg.fill_and_submit("sup01", "0000")
    qtbot.waitUntil(lambda: dlg.buttons.isEnabled(), timeout=10000)
    assert "密码错误" in dlg.error.text()
    assert dlg.isVisible() and dlg.pin.text() == ""      # stays open, PIN cleared for another try
    assert sim.ledger()["refunds"] == []
    with qtbot.waitSignal(j.refunded, timeout=15000) as got:
        dlg.fill_and_submit("sup01", DEMO_PIN["supervisor"])
    ticket = got.args[0]
    assert ticket.status == "refunded" and ticket.amount == s.medfee_sumamt
    assert not dlg.isVisible()
    qtbot.waitUntil(lambda: j.select_setl(s.setl_id)
                    and j.table.item(j.table.currentRow(), 3).text() == "已退费", timeout=10000)
    assert [x["status"] for x in sim.ledger()["settlements"]] == ["refunded"]
    assert len(sim.ledger()["refunds"]) == 1


def test_refund_while_offline_is_queued_then_sent(terminal, sim, qtbot):
    d = terminal("pharmacy")
    s = script.counter_sale(d)
    sim.faults("*:down")
    d.window.show_page("journal")
    j = d.window.pages["journal"]
    with qtbot.waitSignal(j.loaded, timeout=10000):
        j.reload()
    j.select_setl(s.setl_id)
    dlg = j.refund_selected()
    with qtbot.waitSignal(j.refunded, timeout=20000) as got:
        dlg.fill_and_submit("sup01", DEMO_PIN["supervisor"])
    assert got.args[0].status == "queued"
    assert "排队" in d.window.message_bar.text()
    qtbot.waitUntil(lambda: "待退费 1" in d.window.status.queue.text(), timeout=10000)
    sim.clear_faults()
    d.window.status.sync_button.click()                  # 立即同步: the queue drains
    qtbot.waitUntil(lambda: "待退费 0" in d.window.status.queue.text(), timeout=15000)
    assert [x["status"] for x in sim.ledger()["settlements"]] == ["refunded"]


def test_clinic_bill_is_fixed_after_presettle_and_esc_undoes_the_visit(terminal, sim, qtbot):
    d = terminal("clinic")
    v = d.sale
    d.box.scan(sim.code(sim.person("active")["psn_no"]))
    qtbot.waitUntil(lambda: v.state == "identified", timeout=15000)
    v.register()
    qtbot.waitUntil(lambda: v.visit is not None, timeout=15000)
    v.presettle()
    qtbot.waitUntil(lambda: v.state == "quoted", timeout=15000)
    v.add_line(list(d.ctx.catalogue.values())[0])           # fees are uploaded: refused, says why
    assert len(v.bill.rows()) == 1 and "撤销就诊" in d.window.message_bar.text()
    assert not v.quick_buttons[0].isEnabled()
    visit = v.visit
    v.cancel()                                               # Esc: 2205 + 2202 through the Counter
    qtbot.waitUntil(lambda: v.visit is None and v.state == "waiting", timeout=15000)
    rows = d.ctx.session.counter.journal.query("SELECT status, note FROM sales WHERE mdtrt_id=?",
                                                (visit.mdtrt_id,))
    assert [(r["status"], r["note"]) for r in rows] == [("cancelled", "cancelled")]
    assert sim.ledger()["settlements"] == []
