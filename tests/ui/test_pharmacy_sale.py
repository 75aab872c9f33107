"""A whole pharmacy sale through the UI: a code down the pty scan box, keyboard-only bill and confirm,
the receipt on disk, the platform's ledger agreeing; and the platform going down mid-sale."""
from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt

BUSY = ("identifying", "quoting", "settling")


def test_full_sale_through_pty_scan_box(terminal, sim, qtbot):
    d = terminal("pharmacy")
    v = d.sale
    person = sim.person("active", insutype="310")
    d.box.scan(sim.code(person["psn_no"]))
    qtbot.waitUntil(lambda: v.state == "identified", timeout=15000)
    assert v.card.name.text() == person["name"]           # masked name as the platform gave it
    assert "*" in v.card.id_no.text()
    assert v.card.balance.text() == f"¥{Decimal(person['balc']):,.2f}"

    # keyboard only: item codes + Enter, then Enter (pre-settle), then Enter (confirm)
    codes = list(d.ctx.catalogue)
    qtbot.keyClicks(v.item_code, codes[0])
    qtbot.keyClick(v.item_code, Qt.Key_Return)
    qtbot.keyClicks(v.item_code, codes[1][-6:])         # a code's tail is enough when unique
    qtbot.keyClick(v.item_code, Qt.Key_Return)
    qtbot.keyClicks(v.item_code, codes[1])              # the same code again raises the quantity
    qtbot.keyClick(v.item_code, Qt.Key_Return)
    assert [(line.code, qty) for line, qty in v.bill.rows()] == [(codes[0], 1), (codes[1], 2)]
    qtbot.keyClick(v.item_code, Qt.Key_Return)
    qtbot.waitUntil(lambda: v.state == "quoted", timeout=15000)
    q = v.quote
    assert q.medfee_sumamt == v.bill.total()
    assert v.split.amount_text("psn_cash_pay") == f"¥{q.psn_cash_pay:,.2f}"
    assert q.fund_pay_sumamt + q.acct_pay + q.psn_cash_pay == q.medfee_sumamt
    qtbot.keyClick(v.item_code, Qt.Key_Return)
    qtbot.waitUntil(lambda: v.state == "settled", timeout=15000)
    qtbot.waitUntil(lambda: v.receipt_path is not None, timeout=15000)

    s = v.settlement
    text = v.receipt_path.read_text(encoding="utf-8")
    assert s.setl_id in text and person["name"] in text
    assert person["id_masked"] in text                   # masked ID, never the full number
    raw = v.receipt_path.with_suffix(".bin").read_bytes()
    assert "医保电子凭证结算单".encode("gb18030") in raw   # the printer gets GB18030
    ledger = sim.ledger()["settlements"]
    assert [(x["setl_id"], x["status"]) for x in ledger] == [(s.setl_id, "settled")]
    assert Decimal(str(ledger[0]["medfee_sumamt"])) == s.medfee_sumamt

    # F9 / next customer clears everything
    v.next_customer()
    assert v.patient is None and v.bill.rows() == [] and v.state == "waiting"


def test_platform_down_mid_sale_keeps_the_bill(terminal, sim, qtbot):
    d = terminal("pharmacy")
    v = d.sale
    d.box.scan(sim.code(sim.person("active")["psn_no"]))
    qtbot.waitUntil(lambda: v.state == "identified", timeout=15000)
    lines = list(d.ctx.catalogue.values())
    v.add_line(lines[0], 3)
    v.presettle()
    qtbot.waitUntil(lambda: v.state == "quoted", timeout=15000)

    sim.faults("*:down")                                  # the platform goes away before the confirm
    v.confirm()
    qtbot.waitUntil(lambda: v.state not in BUSY, timeout=20000)
    assert v.state == "identified" and v.settlement is None
    assert "无法连接" in v.split.note.text()                # says what happened and what to do
    assert "无法连接" in d.window.message_bar.text()
    assert [(line.code, qty) for line, qty in v.bill.rows()] == [(lines[0].code, 3)]   # nothing lost
    assert v.patient is not None
    assert sim.ledger()["settlements"] == []
    qtbot.waitUntil(lambda: "离线" in d.window.status.platform.text(), timeout=10000)

    sim.clear_faults()                                    # back: pre-settle and confirm again
    v.presettle()
    qtbot.waitUntil(lambda: v.state == "quoted", timeout=15000)
    v.confirm()
    qtbot.waitUntil(lambda: v.state == "settled", timeout=15000)
    assert [x["status"] for x in sim.ledger()["settlements"]] == ["settled"]
    d.ctx.session.refresh_status()
    qtbot.waitUntil(lambda: "在线" in d.window.status.platform.text(), timeout=10000)


def test_changed_bill_requotes_the_same_sale(terminal, sim, qtbot):
    d = terminal("pharmacy")
    v = d.sale
    d.box.scan(sim.code(sim.person("active")["psn_no"]))
    qtbot.waitUntil(lambda: v.state == "identified", timeout=15000)
    lines = list(d.ctx.catalogue.values())
    v.add_line(lines[0])
    v.presettle()
    qtbot.waitUntil(lambda: v.state == "quoted", timeout=15000)
    first = v.quote
    v.add_line(lines[1])                                     # the bill changes: the quote is void
    assert v.state == "identified" and v.quote is None and "重新预结算" in v.split.note.text()
    assert not v.b_confirm.isEnabled()
    v.presettle()
    qtbot.waitUntil(lambda: v.state == "quoted", timeout=15000)
    assert v.quote.sale_id == first.sale_id                  # re-quoted, not a second sale
    assert v.quote.medfee_sumamt == lines[0].price + lines[1].price
    v.confirm()
    qtbot.waitUntil(lambda: v.state == "settled", timeout=15000)
    assert len(sim.ledger()["settlements"]) == 1


def test_a_jammed_printer_never_delays_the_next_scan(terminal, sim, qtbot):
    """Printing has its own thread: while the receipt printer hangs, the next patient is identified."""
    import threading
    d = terminal("pharmacy")
    v = d.sale
    real, jammed, release = v.printer, threading.Event(), threading.Event()

    class JammedPrinter:
        def print(self, receipt):
            jammed.set()
            release.wait(60)  # a USB write that does not return until the paper is fixed
            return real.print(receipt)
    v.printer = JammedPrinter()
    try:
        d.box.scan(sim.code(sim.person("active", insutype="310")["psn_no"]))
        qtbot.waitUntil(lambda: v.state == "identified", timeout=15000)
        v.add_line(list(d.ctx.catalogue.values())[0], 1)
        v.presettle()
        qtbot.waitUntil(lambda: v.state == "quoted", timeout=15000)
        v.confirm()
        qtbot.waitUntil(lambda: v.state == "settled", timeout=15000)
        qtbot.waitUntil(jammed.is_set, timeout=15000)

        v.next_customer()
        second = sim.person("active", insutype="390")
        d.box.scan(sim.code(second["psn_no"]))
        qtbot.waitUntil(lambda: v.state == "identified", timeout=15000)  # identified while the printer hangs
        assert v.card.name.text() == second["name"] and v.receipt_path is None
    finally:
        release.set()
    qtbot.waitUntil(lambda: v.receipt_path is not None, timeout=15000)  # and the receipt comes out after
