"""Day close: reconcile a day with the platform (3201 per group, 5203 per settlement), totals by credential
type (from Counter.stats for the day), and print the day-close report."""
from __future__ import annotations

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QDateEdit, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from terminal.office import reports
from ui.qt_session import error_text
from ui.views.qt_record_view import QtRecordTable, field_labels
from ui.widgets.qt_buttons import ShortcutButton

GROUP_KEYS = ("insutype", "setl_optins", "fixmedins_setl_cnt", "medfee_sumamt", "fund_pay_sumamt", "acct_pay",
              "stmt_rslt", "stmt_rslt_dscr")
TYPE_KEYS = ("day", "settlements", "ec_01", "idcard_02", "sscard_03", "ec_rate", "target", "met")
TRACE_KEYS = ("trace_rate", "boxes", "boxes_coded", "codes_reported", "codes_pending", "codes_refused")


class QtDayCloseView(QWidget):
    """Counter.reconcile(day) + Counter.stats(day, day); `reconciled((rec, stats))` when both arrived."""

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
        self.tenders = QLabel()  # the day's money by tender (组合支付 parts under their own methods)
        self.tenders.setObjectName("dayTenders")
        self.tenders.setWordWrap(True)
        box.addWidget(self.tenders)
        self.tender_totals: dict = {}
        labels = {**field_labels(), **self.labels()}
        box.addWidget(QLabel(self.tr("按凭证类型汇总")))
        self.by_type = QtRecordTable(labels)
        box.addWidget(self.by_type, 1)
        box.addWidget(QLabel(self.tr("医保平台对账（3201，按险种）")))
        self.groups = QtRecordTable(labels)
        box.addWidget(self.groups, 2)
        box.addWidget(QLabel(self.tr("逐笔差异（5203）")))
        self.mismatches = QtRecordTable(labels)
        box.addWidget(self.mismatches, 1)

    def labels(self) -> dict[str, str]:
        """Column names of this page."""
        return {"insutype": self.tr("险种"), "setl_optins": self.tr("清算机构"),
                "fixmedins_setl_cnt": self.tr("笔数"), "settlements": self.tr("结算笔数"),
                "ec_01": self.tr("医保电子凭证"), "idcard_02": self.tr("身份证"), "sscard_03": self.tr("社保卡"),
                "met": self.tr("达标"), "setl_id": self.tr("结算流水号"), "journal_status": self.tr("本地状态"),
                "platform_status": self.tr("中心状态"), "detail": self.tr("差异")}

    def run(self) -> None:
        """Reconcile the chosen day and count it by credential type, on the worker thread."""
        d = self.day.date().toString("yyyy-MM-dd")
        self.verdict.setText(self.tr("正在对账…"))
        self.ctx.session.run(lambda c: (c.reconcile(d), c.stats(d, d)), self._show, self._failed, "reconcile")
        self.ctx.session.run(lambda c: reports.day_tenders(c.journal, d), self._show_tenders, None, "day-tenders")

    def _show_tenders(self, totals: dict) -> None:
        self.tender_totals = totals
        self.tenders.setText(self.tr("按支付方式：") + ("；".join(reports.tender_lines(totals)) or self.tr("无收款")))

    def _show(self, pair) -> None:
        rec, stats = pair
        self.result = pair
        trace = stats.trace[-1] if stats.trace else {}  # the 追溯码 collection rate beside the e-credential rate
        self.by_type.show_rows([{**{k: stats.total.get(k) for k in TYPE_KEYS}, **{k: trace.get(k) for k in TRACE_KEYS}}])
        self.groups.show_rows([{k: g.get(k) for k in GROUP_KEYS} for g in rec.groups])
        self.mismatches.show_rows(rec.mismatches)
        if not rec.groups:
            self.verdict.setText(self.tr("%1 没有结算，无需对账").replace("%1", rec.date))
        elif rec.ok:
            self.verdict.setText(self.tr("%1 对账一致：%2 组，0 笔差异").replace("%1", rec.date)
                                 .replace("%2", str(len(rec.groups))))
        else:
            bad_groups = sum(1 for g in rec.groups if str(g.get("stmt_rslt")) != "0")
            self.verdict.setText(self.tr("%1 对账不一致：%2 组汇总与中心不符，%3 笔逐笔差异；请核对后联系医保经办机构")
                                 .replace("%1", rec.date).replace("%2", str(bad_groups))
                                 .replace("%3", str(len(rec.mismatches))))
        if rec.unresolved:  # a sale whose outcome is unknown is never closed over quietly
            self.verdict.setText(self.verdict.text() + self.tr("；%1 笔结算结果待确认：请勿重复结算，请主管按交易日志的说明核实")
                                 .replace("%1", str(len(rec.unresolved))))
        self.b_print.setEnabled(True)
        self.message.emit("ok" if rec.ok else "error", self.verdict.text())
        self.reconciled.emit(pair)

    def _failed(self, e: BaseException) -> None:
        self.verdict.setText(error_text(e))
        self.message.emit("error", error_text(e))

    def report_lines(self) -> list[str]:
        """The printed day-close report (Chinese, as the bureau reads it)."""
        rec, stats = self.result
        t = stats.total
        lines = [f"日期 {rec.date}", f"对账结果 {'一致' if rec.ok else '不一致'}",
                 f"结算笔数 {t.get('settlements')}", f"医保电子凭证 {t.get('ec_01')}",
                 f"身份证 {t.get('idcard_02')}  社保卡 {t.get('sscard_03')}",
                 f"电子凭证结算率 {t.get('ec_rate')}（目标 {t.get('target')}）"]
        if stats.trace:
            tr = stats.trace[-1]
            lines += [f"追溯码采集率 {tr['trace_rate']}（应扫 {tr['boxes']} 盒，已扫 {tr['boxes_coded']} 盒）",
                      f"  已上报 {tr['codes_reported']} 待上报 {tr['codes_pending']} 被拒 {tr['codes_refused']}"]
        lines += ["-" * 8, "按支付方式", *reports.tender_lines(self.tender_totals), "-" * 8]
        for g in rec.groups:
            lines += [f"险种 {g.get('insutype')} 笔数 {g.get('fixmedins_setl_cnt')}",
                      f"  合计 {g.get('medfee_sumamt')} 统筹 {g.get('fund_pay_sumamt')}",
                      f"  个账 {g.get('acct_pay')} 结果 {g.get('stmt_rslt_dscr') or g.get('stmt_rslt')}"]
        lines += [f"差异 {m.get('setl_id')} {m.get('detail')}" for m in rec.mismatches]
        lines += [f"待确认 第 {u['sale_id']} 笔 {u['medfee_sumamt']}：{u['note']}" for u in rec.unresolved]
        # The journal chain's head: a later `ecpos journal --verify` ending before it shows a deleted tail.
        lines += ["-" * 8, f"日志链头 {rec.chain_head_text}"]
        return lines

    def print_report(self) -> None:
        """Print the day-close report off the GUI thread."""
        if self.result is None:
            return
        day = self.result[0].date
        lines = self.report_lines()
        printer = self.ctx.printer
        self.ctx.session.print(
            lambda: printer.print_lines(f"dayclose-{day}", f"日结单 {day}", lines),
            lambda p: self.message.emit("ok", self.tr("日结单已打印：%1").replace("%1", str(p))),
            lambda e: self.message.emit("error", error_text(e)))
