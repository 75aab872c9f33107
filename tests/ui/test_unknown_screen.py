"""The screen follows a sale whose settlement answer was lost: 结果待确认 with no way to settle twice, then,
once sync has reversed it, 请重新结算 with one key (F5) on the same bill; a sale sync finds settled is shown
as settled. After a settlement the card shows the personal account's new balance, not the pre-sale one."""
from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt

from terminal.states import SaleState
from ui.demo import script


def quoted_sale(d, sim, qtbot):
    v = d.sale
    script.identify(d, insutype="310")
    lines = list(d.ctx.catalogue.values())
    v.add_line(lines[0], 2)
    v.presettle()
    qtbot.waitUntil(lambda: v.state == "quoted", timeout=15000)
    return v


def test_unknown_then_reversed_then_one_key_settles_again(terminal, sim, qtbot, tmp_path):
    d = terminal("pharmacy")
    v = quoted_sale(d, sim, qtbot)
    # processed at the platform, the answer lost; and the reversal cannot get through yet
    sim.faults("2102:drop:1,2601:reset")
    v.confirm()
    qtbot.waitUntil(lambda: v.state == "unknown", timeout=20000)
    assert "待确认" in v.split.note.text() and "请勿重复结算" in v.split.note.text()
    assert "待确认" in d.window.message_bar.text()
    assert not v.b_presettle.isEnabled() and not v.b_confirm.isEnabled()
    d.window.grab().save(str(tmp_path / "unknown.png"))  # to look at
    qtbot.keyClick(d.window, Qt.Key_F5)            # no second settlement while the first is unknown
    assert v.state == "unknown"
    sim.clear_faults()
    qtbot.mouseClick(d.window.status.sync_button, Qt.LeftButton)   # sync reverses it (2601)
    qtbot.waitUntil(lambda: v.state == "identified", timeout=20000)
    assert "重新结算" in v.split.note.text() and "F5" in v.split.note.text()
    assert "已冲正" in d.window.message_bar.text()
    assert v.b_presettle.isEnabled() and v.b_presettle.text().startswith("重新结算")
    d.window.grab().save(str(tmp_path / "reversed.png"))
    assert [s["status"] for s in sim.ledger()["settlements"]] == ["reversed"]
    qtbot.keyClick(d.window, Qt.Key_F5)            # the one key: the same bill, pre-settled again
    qtbot.waitUntil(lambda: v.state == "quoted", timeout=15000)
    v.confirm()
    qtbot.waitUntil(lambda: v.state == "settled", timeout=15000)
    assert sorted(s["status"] for s in sim.ledger()["settlements"]) == ["reversed", "settled"]
    # the personal account after this sale, as the platform answered it
    assert v.card.balance.text() == f"¥{v.settlement.balc:,.2f}"
    assert v.settlement.balc == Decimal(v.patient.balc) - v.settlement.acct_pay


def test_an_unknown_sale_found_settled_is_shown_settled(terminal, sim, qtbot):
    d = terminal("pharmacy")
    v = quoted_sale(d, sim, qtbot)
    sim.faults("2102:drop:1,2601:reset")           # processed at the platform, the answer lost, no reversal
    v.confirm()
    qtbot.waitUntil(lambda: v.state == "unknown", timeout=20000)
    assert v.settlement is None
    # the core then finds it settled (states.TRANSITIONS: unknown -> settled, as 5203 would): the screen follows
    done = sim.ledger()["settlements"][0]
    found = []
    d.ctx.session.run(lambda c: found.append(_found_settled(c, v.unknown_sale, done["setl_id"])), None, None, "t")
    qtbot.waitUntil(lambda: bool(found), timeout=10000)
    v._follow_unknown()
    qtbot.waitUntil(lambda: v.state == "settled", timeout=10000)
    assert v.settlement.setl_id == found[0].setl_id == done["setl_id"]
    assert v.split.amount_text("medfee_sumamt") == f"¥{found[0].medfee_sumamt:,.2f}"
    qtbot.waitUntil(lambda: v.receipt_path is not None, timeout=10000)  # printed like any other settled sale
    assert done["setl_id"] in v.receipt_path.read_text(encoding="utf-8")


def _found_settled(counter, sale_id: int, setl_id: str):
    with counter.journal.tx() as c:
        counter.store.move(c, sale_id, SaleState.SETTLED, setl_id=setl_id)
    return counter.sale(sale_id)


def test_a_refused_reversal_is_put_before_the_cashier_with_what_to_do(terminal, sim, qtbot):
    """Sync cannot resolve it (the platform refuses the 2601 for another reason than not having the sale): the
    sale stays unknown and the screen says why and what a supervisor does, instead of waiting silently."""
    d = terminal("pharmacy")
    v = quoted_sale(d, sim, qtbot)
    sim.faults("2102:drop:1,2601:error:冲正失败:冲正的结算信息退费结算标志不为未退费")
    v.confirm()
    qtbot.waitUntil(lambda: v.state == "unknown", timeout=20000)
    qtbot.mouseClick(d.window.status.sync_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: "冲正被拒绝" in v.split.note.text(), timeout=20000)
    assert "请勿重复结算" in v.split.note.text() and "请主管" in v.split.note.text()
    assert "冲正被拒绝" in d.window.message_bar.text() and v.state == "unknown"
    assert not v.b_confirm.isEnabled()


BOX = "83003850000000131881"


def test_a_new_patient_while_an_answer_is_lost_is_a_new_sale_with_the_bill_on_screen(terminal, sim, qtbot):
    d = terminal("pharmacy")
    v = quoted_sale(d, sim, qtbot)
    d.box.scan(BOX)                                   # one of the two boxes on the bill
    qtbot.waitUntil(lambda: "还需逐盒扫描 1 盒" in v.trace_note.text(), timeout=10000)
    sim.faults("2102:drop:1,2601:reset")
    v.confirm()
    qtbot.waitUntil(lambda: v.state == "unknown", timeout=20000)
    lost = v.unknown_sale
    d.show_code("active", insutype="310")             # the next patient's code: the bill stays on screen
    qtbot.waitUntil(lambda: v.state == "identified", timeout=15000)
    assert v.unknown_sale is None and len(v.bill.rows()) == 1 and v.trace.lines[0].codes == [BOX]
    assert "还需逐盒扫描 1 盒" in v.trace_note.text()
    qtbot.keyClick(d.window, Qt.Key_F5)
    qtbot.waitUntil(lambda: v.state == "quoted", timeout=15000)
    assert v.quote.sale_id != lost and [it.code for it in v.quote.items] == [v.bill.rows()[0][0].code]
    assert d.ctx.session.counter.sale(lost).status == "unknown"   # sync still resolves that one
