"""Switching the language rebuilds the pages: not while a sale is open, or its patient and quote (a clinic's
registered visit) would be dropped without telling the Counter."""
from __future__ import annotations

from ui.demo import script


def test_language_switch_waits_for_the_open_sale(terminal, qtbot):
    d = terminal("pharmacy")
    w = d.window
    assert script.identify(d, "active") is not None
    sale = w.pages["sale"]
    w.show_page("settings")
    combo = w.pages["settings"].language
    combo.setCurrentIndex(combo.findData("en"))
    assert w.pages["sale"] is sale and sale.patient is not None      # the sale page was kept
    assert "收银" in w.tabs.tabText(0)                                  # still Chinese
    assert combo.currentData() == "zh_CN"                               # the choice is put back
    assert "切换语言" in w.message_bar.text()
    sale.next_customer()
    combo.setCurrentIndex(combo.findData("en"))
    qtbot.waitUntil(lambda: "Checkout" in w.tabs.tabText(0), timeout=5000)
