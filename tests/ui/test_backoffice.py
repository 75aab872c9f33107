"""Back office: day close (reconcile, totals by credential type, print), statistics chart against the
target, the language switch, and an unknown outcome (answer lost) mid-sale resolved by sync."""
from __future__ import annotations

from decimal import Decimal

from ui.demo import script
from ui.views.qt_stats_view import rate_points


def test_day_close_reconciles_counts_and_prints(terminal, qtbot):
    d = terminal("pharmacy")
    s = script.counter_sale(d)
    page = d.window.pages["dayclose"]
    d.window.show_page("dayclose")
    with qtbot.waitSignal(page.reconciled, timeout=20000) as got:
        page.run()
    rec, stats = got.args[0]
    assert rec.ok and "一致" in page.verdict.text()
    assert stats.total["ec_01"] == 1 and stats.total["settlements"] == 1
    assert page.by_type.item(0, 5).text() == "100.0%"          # e-credential rate as a percentage
    assert page.groups.rowCount() == len(rec.groups) >= 1
    page.print_report()
    day = rec.date
    path = d.cfg.data_dir / "receipts" / f"dayclose-{day}.txt"
    qtbot.waitUntil(path.exists, timeout=10000)
    assert "对账结果 一致" in path.read_text(encoding="utf-8")
    raw = path.with_suffix(".bin").read_bytes()
    assert "日结单".encode("gb18030") in raw
    assert s.setl_id  # the sale it counted


def test_stats_chart_against_target(terminal, qtbot):
    d = terminal("pharmacy")
    script.counter_sale(d)
    page = d.window.pages["stats"]
    with qtbot.waitSignal(page.loaded, timeout=10000) as got:
        d.window.show_page("stats")                           # shown: it loads itself
    stats = got.args[0]
    points = rate_points(stats)
    assert [rate for _, rate in points] == [Decimal(1)]
    assert page.chart.points == points and page.chart.target == Decimal(d.cfg.report.ec_rate_target)
    assert "达标" in page.headline.text()
    img = page.chart.grab().toImage()                          # the chart really paints a green bar
    greens = sum(1 for x in range(0, img.width(), 4) for y in range(0, img.height(), 4)
                 if img.pixelColor(x, y).name() == "#1a7f37")
    assert greens > 20


def test_language_switch_to_english_and_back(terminal, qtbot):
    d = terminal("pharmacy")
    w = d.window
    w.show_page("settings")
    combo = w.pages["settings"].language
    combo.setCurrentIndex(combo.findData("en"))
    qtbot.waitUntil(lambda: "Checkout" in w.tabs.tabText(0), timeout=5000)
    assert w.pages["sale"].b_presettle.text() == "Pre-settle  [F5]"
    assert "Scanner" in w.status.scanner.text()
    assert w.current_page() is w.pages["settings"]       # stays where the user was
    combo = w.pages["settings"].language
    combo.setCurrentIndex(combo.findData("zh_CN"))
    qtbot.waitUntil(lambda: "收银" in w.tabs.tabText(0), timeout=5000)
    assert w.pages["sale"].b_presettle.text() == "预结算  [F5]"


def test_answer_lost_mid_sale_is_never_resent_and_sync_resolves_it(terminal, sim, qtbot):
    d = terminal("pharmacy")
    v = d.sale
    d.box.scan(sim.code(sim.person("active")["psn_no"]))
    qtbot.waitUntil(lambda: v.state == "identified", timeout=15000)
    v.add_line(list(d.ctx.catalogue.values())[0])
    v.presettle()
    qtbot.waitUntil(lambda: v.state == "quoted", timeout=15000)
    # settled on the platform, answer lost; 2601 lost on the way until we let sync through: the session's own background
    # sync (every 10th status poll, ~30 s after start — mid-test on a loaded machine) would otherwise reverse
    # it before the status bar ever showed 待确认 1
    sim.faults("2102:drop,2601:reset")
    v.confirm()
    qtbot.waitUntil(lambda: v.state != "settling", timeout=30000)
    assert v.settlement is None and "请勿重复结算" in v.split.note.text()
    qtbot.waitUntil(lambda: "待确认 1" in d.window.status.queue.text(), timeout=10000)
    sim.clear_faults()
    d.window.status.sync_button.click()                        # sync reverses it (2601)
    qtbot.waitUntil(lambda: "待确认 0" in d.window.status.queue.text(), timeout=20000)
    assert [x["status"] for x in sim.ledger()["settlements"]] in ([], ["reversed"])


def test_unplugged_scan_box_shows_in_status_bar_and_settings(terminal, qtbot):
    d = terminal("pharmacy")
    w = d.window
    qtbot.waitUntil(lambda: "已连接" in w.status.scanner.text(), timeout=5000)
    d.box.close()                                              # the pty goes away: the box is unplugged
    qtbot.waitUntil(lambda: "重连中" in w.status.scanner.text() or "故障" in w.status.scanner.text(),
                    timeout=10000)
    assert w.status.scanner.property("state") in ("warn", "bad")
    assert w.pages["settings"].scanner.text().startswith(("重连中", "故障"))   # live on the settings page too
