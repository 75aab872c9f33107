"""Kiosk: a paid session that returns to welcome after the idle timeout, the activation guide for a
code that is not activated, and no way out without the admin PIN."""
from __future__ import annotations

from ui.demo.director import DEMO_PIN


def test_kiosk_session_pays_and_idles_back_to_welcome(terminal, sim, qtbot):
    d = terminal("kiosk", overrides={"kiosk.idle_timeout_s": 1})
    v = d.sale
    assert v.page == "welcome"
    pages = []
    v.page_changed.connect(pages.append)
    d.box.scan(sim.code(sim.person("active", insutype="310")["psn_no"]))
    qtbot.waitUntil(lambda: v.page == "confirm", timeout=15000)
    assert all(b.minimumHeight() >= 48 and b.height() >= 48 for b in v.confirm.dept_buttons)
    qtbot.mouseClick(v.confirm.dept_buttons[0], __import__("PySide6.QtCore").QtCore.Qt.LeftButton)
    qtbot.waitUntil(lambda: v.quote is not None and v.page == "confirm", timeout=15000)
    assert v.confirm.pay.isEnabled() and v.confirm.pay.height() >= 48
    assert v.confirm.split.amount_text("medfee_sumamt") == f"¥{v.quote.medfee_sumamt:,.2f}"
    v.confirm.pay.click()
    qtbot.waitUntil(lambda: v.page == "result" and v.settlement is not None, timeout=15000)
    assert v.settlement.setl_id in v.result.text.text()
    assert [s["status"] for s in sim.ledger()["settlements"]] == ["settled"]
    with qtbot.waitSignal(v.page_changed, timeout=5000) as blocker:
        pass                                   # nobody touches the screen: back to welcome
    assert blocker.args == ["welcome"] and v.page == "welcome"
    assert pages[:2] == ["busy", "confirm"]


def test_idle_on_an_unpaid_visit_undoes_it(terminal, sim, qtbot):
    d = terminal("kiosk", overrides={"kiosk.idle_timeout_s": 1})
    v = d.sale
    d.box.scan(sim.code(sim.person("active")["psn_no"]))
    qtbot.waitUntil(lambda: v.page == "confirm", timeout=15000)
    v.register(v.departments[0][0])
    qtbot.waitUntil(lambda: v.quote is not None, timeout=15000)
    visit = v.visit
    qtbot.waitUntil(lambda: v.page == "welcome", timeout=5000)
    assert v.visit is None and v.quote is None
    qtbot.waitUntil(lambda: d.ctx.session.worker.busy is False, timeout=10000)
    rows = d.ctx.session.counter.journal.query("SELECT status, note FROM sales WHERE mdtrt_id=?",
                                                (visit.mdtrt_id,))
    assert [(r["status"], r["note"]) for r in rows] == [("cancelled", "cancelled")]   # 2205/2202 undone
    assert sim.ledger()["settlements"] == []


def test_not_activated_code_shows_the_activation_guide(terminal, sim, qtbot):
    d = terminal("kiosk")
    v = d.sale
    d.box.scan(sim.code(sim.person("not_activated")["psn_no"]))
    qtbot.waitUntil(lambda: v.page == "guide", timeout=15000)
    g = v.guide.guide
    assert "激活" in g.headline.text()
    channels = [label.text() for label in g.channel_labels]
    assert channels == ["国家医保服务平台APP", "微信", "支付宝", "银行APP"]
    assert "亲情账户" in g.family.text()
    assert v.guide.back.height() >= 48
    v.guide.back.click()
    assert v.page == "welcome"


def test_kiosk_needs_the_admin_pin_to_leave(terminal, qtbot):
    d = terminal("kiosk")
    d.window.close()
    assert d.window.isVisible()                        # locked: closing is refused
    assert not d.window.tabs.tabBar().isVisible()
    dlg = d.sale.ask_admin()
    dlg.fill_and_submit(d.cfg.kiosk.admin_id, "9999")
    qtbot.waitUntil(lambda: dlg.buttons.isEnabled(), timeout=10000)
    assert "错误" in dlg.error.text() and not d.ctx.unlocked
    dlg.fill_and_submit(d.cfg.kiosk.admin_id, DEMO_PIN["admin"])
    qtbot.waitUntil(lambda: d.ctx.unlocked, timeout=10000)
    assert d.window.tabs.tabBar().isVisible()
    d.window.close()
    assert not d.window.isVisible()
