"""Bar chart of the e-credential settlement rate per day against the bureau's target, drawn with QPainter
(QtCharts lives in PySide6-Addons, which we do not install)."""
from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from terminal.office.reports import percent

BLUE, GREEN, RED, GRID = QColor("#1459c7"), QColor("#1a7f37"), QColor("#c62828"), QColor("#d9dee5")


class QtRateChart(QWidget):
    """set_data([(label, rate 0..1)], target) then it paints; bars under target are red."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.points: list[tuple[str, Decimal]] = []
        self.target = Decimal("0.90")
        self.title = ""
        self.setMinimumHeight(260)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)

    def set_data(self, points, target, title: str = "") -> None:
        """Rates are fractions (Decimal or str); target likewise."""
        self.points = [(str(label), Decimal(str(rate))) for label, rate in points]
        self.target = Decimal(str(target))
        self.title = title
        self.update()

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        p.fillRect(self.rect(), QColor("white"))
        fm = p.fontMetrics()
        left, right, top, bottom = fm.horizontalAdvance("100%") + 14, 16, fm.height() * 2 + 8, \
            fm.height() + 12
        area = QRectF(left, top, max(10, self.width() - left - right), max(10, self.height() - top - bottom))
        p.setPen(QColor("#1d2733"))
        p.drawText(QRectF(0, 4, self.width(), fm.height() + 4), Qt.AlignHCenter, self.title)

        def y_of(rate: Decimal) -> float:
            frac = min(max(int(rate * 1000), 0), 1000) / 1000  # display position only, not money
            return area.bottom() - frac * area.height()
        for pct in (0, 25, 50, 75, 100):
            y = y_of(Decimal(pct) / 100)
            p.setPen(QPen(GRID, 1))
            p.drawLine(int(area.left()), int(y), int(area.right()), int(y))
            p.setPen(QColor("#5f6b7a"))
            p.drawText(QRectF(0, y - fm.height() / 2, left - 6, fm.height()), Qt.AlignRight, f"{pct}%")
        n = max(1, len(self.points))
        slot = area.width() / n
        bar = min(72.0, max(4.0, slot * 0.6))
        for i, (label, rate) in enumerate(self.points):
            x = area.left() + i * slot + (slot - bar) / 2
            y = y_of(rate)
            p.fillRect(QRectF(x, y, bar, area.bottom() - y), GREEN if rate >= self.target else RED)
            p.setPen(QColor("#1d2733"))
            p.drawText(QRectF(x - slot / 2, y - fm.height() - 2, bar + slot, fm.height()), Qt.AlignHCenter,
                       f"{percent(rate, 0)}%")
            if n <= 16 or i % max(1, n // 8) == 0:
                p.drawText(QRectF(area.left() + i * slot, area.bottom() + 4, slot, fm.height()),
                           Qt.AlignHCenter, label)
        ty = y_of(self.target)
        p.setPen(QPen(BLUE, 2, Qt.DashLine))
        p.drawLine(int(area.left()), int(ty), int(area.right()), int(ty))
        p.setPen(BLUE)
        p.drawText(QRectF(area.left(), top - fm.height() - 2, area.width(), fm.height()), Qt.AlignRight,
                   self.tr("目标 %1%").replace("%1", percent(self.target, None)))
        if not self.points:
            p.setPen(QColor("#5f6b7a"))
            p.drawText(area, Qt.AlignCenter, self.tr("所选期间暂无结算"))
        p.end()
