"""A clinic desk visit, as the clerk works it: sign in by keys, a code held to the scan box, F10 register,
F5 pre-settle, F12 settle, Esc to undo a visit; read from the screen, the receipt and `ecpos journal --json`
(issue 21), at 1366×768 and 1024×768."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.acceptance.kiosk_clinic import SIZES, Till, quick_clock
from ui.demo.director import spin


@pytest.fixture(params=SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def desk(sim, qtbot, tmp_path, request, monkeypatch):
    quick_clock(monkeypatch)
    t = Till(sim, tmp_path / "clinic", "clinic", request.param)
    t.sign_in()
    yield t
    t.close()


def visit(d: Till, **who) -> None:
    """A patient shows their code; the clerk registers them (F10) with the department shown."""
    d.show_code(**who)
    d.see("请选择科室和医生后挂号")
    d.key(Qt.Key_F10)
    d.see("挂号成功")


def test_register_settle_then_undo_the_next_visit(desk, sim):
    d = desk
    visit(d, insutype="310", balc="1000.00")
    assert "普通挂号费" in d.screen() or "挂号费" in d.screen()
    d.key(Qt.Key_F5)
    d.see("确认结算")
    d.idle()
    d.key(Qt.Key_F12)
    d.wait(lambda: d.receipts(), "the receipt")
    d.idle()
    settled = d.journal()[0]
    assert settled["status"] == "settled" and settled["profile"] == "clinic"
    assert settled["setl_id"] in d.receipts()[-1]
    # the next patient changes their mind after registering: Esc undoes the visit (2205 / 2202)
    d.key(Qt.Key_F9)
    visit(d, insutype="310", balc="260.50")
    d.key(Qt.Key_Escape)
    d.see("就诊已撤销")
    d.idle()
    rows = d.journal()
    assert [r["status"] for r in rows[:2]] == ["cancelled", "settled"]
    assert [s["status"] for s in sim.ledger()["settlements"]] == ["settled"]


def test_platform_down_the_pill_stays_offline_until_a_real_answer(desk, sim):
    """Issue 21 item 6: the probe GET answers through a 503 outage; the pill must not say 在线."""
    d = desk
    d.see("医保平台：在线")
    sim.faults("*:down")
    d.show_code(insutype="310", balc="1000.00")
    d.see("医保平台：离线")
    d.idle()
    spin(2500)                                        # heartbeats: their GET answered
    assert "医保平台：离线" in d.screen() and "医保平台：在线" not in d.screen()
    sim.clear_faults()
    d.see("医保平台：在线", timeout=15)               # back by itself after a real exchange (9001)
