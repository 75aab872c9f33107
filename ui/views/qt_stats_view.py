"""Statistics: the e-credential settlement rate per day against the bureau's target ([report] ec_rate_target),
and beside it the 药品追溯码 collection rate (boxes sold with their code)."""
from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QDateEdit, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from terminal.office.reports import percent
from ui.qt_session import error_text
from ui.views.qt_record_view import QtRecordTable, field_labels
from ui.widgets.qt_buttons import ShortcutButton
from ui.widgets.qt_rate_chart import QtRateChart


def rate_points(stats) -> list[tuple[str, Decimal]]:
    """(MM-DD, rate) per day: the rows are per day and operator, the chart shows each day's whole."""
    days: dict[str, list[int]] = {}
    for r in stats.rows:
        d = days.setdefault(str(r["day"]), [0, 0])
        d[0] += int(r["ec_01"])
        d[1] += int(r["settlements"])
    return [(day[5:], (Decimal(ec) / Decimal(n)) if n else Decimal(0)) for day, (ec, n) in sorted(days.items())]


class QtStatsView(QWidget):
    """Counter.stats(frm, to) as a chart (QPainter) and a table."""

    message = Signal(str, str)
    loaded = Signal(object)

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.stats = None
        box = QVBoxLayout(self)
        top = QHBoxLayout()
        today = QDate.currentDate()
        self.frm = QDateEdit(today.addDays(-13))
        self.to = QDateEdit(today)
        for w in (self.frm, self.to):
            w.setCalendarPopup(True)
            w.setDisplayFormat("yyyy-MM-dd")
        top.addWidget(QLabel(self.tr("从")))
        top.addWidget(self.frm)
        top.addWidget(QLabel(self.tr("到")))
        top.addWidget(self.to)
        self.b_run = ShortcutButton(self.tr("统计"), "F7", self.run, self)
        top.addWidget(self.b_run)
        top.addStretch(1)
        box.addLayout(top)
        self.headline = QLabel()
        self.headline.setObjectName("pageTitle")
        box.addWidget(self.headline)
        self.chart = QtRateChart(self)
        box.addWidget(self.chart, 3)
        self.table = QtRecordTable(field_labels())
        box.addWidget(self.table, 2)
        self.trace_table = QtRecordTable(field_labels())
        box.addWidget(self.trace_table, 1)

    def activated(self) -> None:
        """Shown: refresh."""
        self.run()

    def run(self) -> None:
        """Fetch the statistics on the worker thread."""
        frm = self.frm.date().toString("yyyy-MM-dd")
        to = self.to.date().toString("yyyy-MM-dd")
        self.ctx.session.run(lambda c: c.stats(frm, to), self._show, self._failed, "stats")

    def _show(self, stats) -> None:
        self.stats = stats
        target = Decimal(str(stats.target))
        self.chart.set_data(rate_points(stats), target, self.tr("医保电子凭证结算率（按日）"))
        t = stats.total
        rate = Decimal(str(t.get("ec_rate") or "0"))
        # the core judges the target on the exact fraction (terminal/office/reports.py); the UI only says it
        verdict = self.tr("达标") if t.get("met") == "是" else self.tr("未达标")
        self.headline.setText(self.tr("%1 至 %2：结算 %3 笔，医保电子凭证 %4 笔，结算率 %5%，目标 %6% · %7")
                              .replace("%1", stats.frm).replace("%2", stats.to)
                              .replace("%3", str(t.get("settlements", 0))).replace("%4", str(t.get("ec_01", 0)))
                              .replace("%5", percent(rate)).replace("%6", percent(target, None))
                              .replace("%7", verdict))
        if stats.trace:
            tr = stats.trace[-1]
            self.headline.setText(self.headline.text() + self.tr(" · 追溯码采集率 %1%（%2/%3 盒）")
                                  .replace("%1", percent(tr["trace_rate"]))
                                  .replace("%2", str(tr["boxes_coded"])).replace("%3", str(tr["boxes"])))
        self.table.show_rows([*stats.rows, t])
        self.trace_table.show_rows(stats.trace)
        self.loaded.emit(stats)

    def _failed(self, e: BaseException) -> None:
        self.headline.setText(error_text(e))
        self.message.emit("error", error_text(e))
