"""Day close: reconcile a day with the platform (3201), totals by credential type, print the report."""
from __future__ import annotations

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QDateEdit, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ui.qt_session import error_text
from ui.views.qt_record_view import QtRecordTable, field_labels, record_items, text_of
from ui.widgets.qt_buttons import ShortcutButton


class QtDayCloseView(QWidget):
    """Counter.reconcile(date) shown as a summary and a per-credential-type table."""

    message = Signal(str, str)
    reconciled = Signal(object)

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.result = None
        box = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("对账日期")))
        self.day = QDateEdit(QDate.currentDate())
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        top.addWidget(self.day)
        self.b_run = ShortcutButton(self.tr("对账"), "F6", self.run, self)
        self.b_print = ShortcutButton(self.tr("打印日结单"), "Ctrl+P", self.print_report, self)
        self.b_print.setEnabled(False)
        top.addWidget(self.b_run)
        top.addWidget(self.b_print)
        top.addStretch(1)
        box.addLayout(top)
        self.verdict = QLabel(self.tr("选择日期后按 F6 对账：本地流水与医保平台逐笔核对"))
        self.verdict.setObjectName("pageTitle")
        self.verdict.setWordWrap(True)
        box.addWidget(self.verdict)
        labels = field_labels()
        self.summary = QtRecordTable(labels)
        self.by_type = QtRecordTable(labels)
        box.addWidget(QLabel(self.tr("汇总")))
        box.addWidget(self.summary, 2)
        box.addWidget(QLabel(self.tr("按凭证类型")))
        box.addWidget(self.by_type, 2)

    def run(self) -> None:
        """Reconcile the chosen day on the worker thread."""
        d = self.day.date().toString("yyyy-MM-dd")
        self.verdict.setText(self.tr("正在对账…"))
        self.ctx.session.run(lambda c: c.reconcile(d), self._show, self._failed, "reconcile")

    def _show(self, rec) -> None:
        self.result = rec
        tables = {k: v for k, v in record_items(rec) if isinstance(v, (list, tuple, dict))}
        self.summary.show_record(rec)
        by_type = next((v for k, v in tables.items() if "type" in k or "cert" in k), None)
        if isinstance(by_type, dict):
            by_type = [{"cert_type": k, **(dict(record_items(v)) if not isinstance(v, (int, str)) else
                                           {"count": v})} for k, v in by_type.items()]
        self.by_type.show_rows(by_type or [])
        ok = getattr(rec, "ok", getattr(rec, "matched", None))
        self.verdict.setText(self.tr("对账一致") if ok else (
            self.tr("对账不一致：请查看差异，联系医保经办机构核实") if ok is False else self.tr("对账完成")))
        self.b_print.setEnabled(True)
        self.message.emit("ok" if ok is not False else "error", self.verdict.text())
        self.reconciled.emit(rec)

    def _failed(self, e: BaseException) -> None:
        self.verdict.setText(error_text(e))
        self.message.emit("error", error_text(e))

    def report_lines(self) -> list[str]:
        """The printed day-close report."""
        labels = field_labels()
        lines = [f"{labels.get(k, k)}: {text_of(v)}" for k, v in record_items(self.result)
                 if not isinstance(v, (list, tuple, dict))]
        for k, v in record_items(self.result):
            if isinstance(v, dict):
                lines += [f"{kk}: {text_of(vv) if isinstance(vv, (int, str)) else ''}" for kk, vv in v.items()]
                for kk, vv in v.items():
                    if not isinstance(vv, (int, str)):
                        lines += [f"  {labels.get(a, a)}: {text_of(b)}" for a, b in record_items(vv)]
        return lines

    def print_report(self) -> None:
        """Print the day-close report off the GUI thread."""
        if self.result is None:
            return
        day = self.day.date().toString("yyyy-MM-dd")
        lines = self.report_lines()
        printer = self.ctx.printer
        self.ctx.session.worker.submit(
            lambda: printer.print_lines(f"dayclose-{day}", f"日结单 {day}", lines),
            lambda p: self.message.emit("ok", self.tr("日结单已打印：%1").replace("%1", str(p))),
            lambda e: self.message.emit("error", error_text(e)), "print")
