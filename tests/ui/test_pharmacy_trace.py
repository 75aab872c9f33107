"""The pharmacy screen and 药品追溯码: boxes scanned down the same pty scan box as the 医保码 go on the bill,
each line shows how many codes are still to scan, a box sold already is refused with the reason, and the
confirmed sale reports its codes (3505)."""
from __future__ import annotations

from terminal.sale.trace import TraceRules

CODES = ["83003850000000131101", "83003850000000131102", "83003850000000131103"]


def test_codes_scanned_box_by_box_are_counted_per_line_and_reported(terminal, sim, qtbot):
    d = terminal("pharmacy")
    v = d.sale
    d.box.scan(sim.code(sim.person("active", insutype="310")["psn_no"]))
    qtbot.waitUntil(lambda: v.state == "identified", timeout=15000)
    lines = list(d.ctx.catalogue.values())
    assert TraceRules().expected(lines[0].code, 1) == 1  # the demo catalogue's drugs carry codes
    v.add_line(lines[0], 3)
    v.add_line(lines[1], 1)
    assert v.bill.item(0, 5).text() == "0/3 还差3" and v.bill.item(1, 5).text() == "0/1 还差1"
    assert v.trace_note.text() == "追溯码：还需逐盒扫描 4 盒"

    for code in CODES[:2]:
        d.box.scan(code)
    qtbot.waitUntil(lambda: v.bill.item(0, 5).text() == "2/3 还差1", timeout=10000)
    assert v.patient is not None and v.state == "identified"   # a box is never taken for a 医保码
    assert v.trace_note.text() == "追溯码：还需逐盒扫描 2 盒"

    d.box.scan(CODES[0])  # the same box twice
    qtbot.waitUntil(lambda: "同一盒药只扫一次" in d.window.message_bar.text(), timeout=10000)

    v.bill.set_qty(0, 2)  # the bill is edited: codes of lines still on it are kept
    assert v.bill.item(0, 5).text() == "2/2" and v.trace_note.text() == "追溯码：还需逐盒扫描 1 盒"

    v.presettle()
    qtbot.waitUntil(lambda: v.state == "quoted", timeout=15000)
    v.confirm()
    qtbot.waitUntil(lambda: v.state == "settled", timeout=15000)
    got = {r["code"]: r for r in sim.ledger()["trace_codes"]}
    assert sorted(got) == CODES[:2] and {r["setl_id"] for r in got.values()} == {v.settlement.setl_id}

    # next customer: the boxes sold are refused at once, with where they went
    v.next_customer()
    d.box.scan(sim.code(sim.person("active", insutype="390")["psn_no"]))
    qtbot.waitUntil(lambda: v.state == "identified", timeout=15000)
    v.add_line(lines[0], 1)
    d.box.scan(CODES[1])
    qtbot.waitUntil(lambda: "不能再次销售" in d.window.message_bar.text(), timeout=10000)
    assert v.settlement is None and v.bill.item(0, 5).text() == "0/1 还差1"

    # day close and statistics: the collection rate beside the e-credential rate (2 of 3 boxes)
    page = d.window.pages["dayclose"]
    d.window.show_page("dayclose")
    with qtbot.waitSignal(page.reconciled, timeout=20000):
        page.run()
    heads = [page.by_type.horizontalHeaderItem(c).text() for c in range(page.by_type.columnCount())]
    row = {h: page.by_type.item(0, c).text() for c, h in enumerate(heads)}
    assert row["医保码结算率"] == "100.0%" and row["追溯码采集率"] == "66.6%" and row["应扫码药盒"] == "3"
    assert any(line.startswith("追溯码采集率 0.6666（应扫 3 盒，已扫 2 盒）") for line in page.report_lines())
    stats = d.window.pages["stats"]
    with qtbot.waitSignal(stats.loaded, timeout=10000):
        d.window.show_page("stats")
    assert "追溯码采集率 66.6%（2/3 盒）" in stats.headline.text()
