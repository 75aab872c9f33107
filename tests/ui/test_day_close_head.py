"""The day-close slip carries the journal chain's head, so a later `ecpos journal --verify` that ends
before it shows a deleted tail."""
from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from terminal.office.reports import Reconciliation, Stats


def test_day_close_slip_prints_the_chain_head(qapp, qtbot):
    from ui.views.qt_day_close_view import QtDayCloseView
    page = QtDayCloseView(SimpleNamespace())
    qtbot.addWidget(page)
    rec = Reconciliation("2026-11-23", chain_head=(42, "9f" * 32))
    stats = Stats("2026-11-23", "2026-11-23", target=Decimal("0.90"),
                  total={"settlements": 0, "ec_01": 0, "idcard_02": 0, "sscard_03": 0, "ec_rate": "0.0000",
                         "target": "0.90", "met": "否"})
    page._show((rec, stats))
    lines = page.report_lines()
    assert "日志链头 第 42 条 9f9f9f9f9f9f9f9f" in lines
