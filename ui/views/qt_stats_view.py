"""Statistics: the e-credential settlement rate per day against the bureau's target ([report] ec_rate_target)."""
from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QDateEdit, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ui.qt_session import error_text
from ui.views.qt_record_view import QtRecordTable, field_labels, record_items
from ui.widgets.qt_buttons import ShortcutButton
from ui.widgets.qt_rate_chart import QtRateChart


def rate_points(stats) -> list[tuple[str, Decimal]]:
    """(day label, rate) pairs from the Stats record's per-day list."""
    days = next((v for k, v in record_items(stats) if isinstance(v, (list, tuple)) and "day" in k), None)
    out = []
    for d in days or []:
        row = dict(record_items(d)) if not isinstance(d, dict) else d
        label = str(row.get("day") or row.get("date") or "")[5:]
        rate = row.get("ec_rate", row.get("rate"))
        if rate is not None:
            out.append((label, Decimal(str(rate))))
    return out


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
        target = Decimal(str(getattr(stats, "target", None) or self.ctx.cfg.report.ec_rate_target))
        points = rate_points(stats)
        self.chart.set_data(points, target, self.tr("医保电子凭证结算率（按日）"))
        rate = getattr(stats, "ec_rate", None)
        if rate is not None:
            verdict = self.tr("达标") if Decimal(str(rate)) >= target else self.tr("未达标")
            self.headline.setText(self.tr("期间医保码结算率 %1%，目标 %2% · %3")
                                  .replace("%1", f"{Decimal(str(rate)) * 100:.1f}")
                                  .replace("%2", f"{target * 100:.0f}").replace("%3", verdict))
        days = next((v for k, v in record_items(stats) if isinstance(v, (list, tuple)) and "day" in k), None)
        if days:
            self.table.show_rows(days)
        else:
            self.table.show_record(stats)
        self.loaded.emit(stats)

    def _failed(self, e: BaseException) -> None:
        self.headline.setText(error_text(e))
        self.message.emit("error", error_text(e))
