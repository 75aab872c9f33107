"""Journal: the day's sales with search; refund a settled sale with the supervisor's PIN (offline-safe)."""
from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLineEdit, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from ui import qt_values
from ui.qt_session import error_text
from ui.widgets.qt_buttons import ShortcutButton
from ui.widgets.qt_pin_dialog import QtPinDialog
from ui.widgets.qt_return_dialog import start_return
from terminal.checkout import hand_back, reprint
from terminal.states import CASH_DUE, RefundState, SaleState

COLUMNS = ("created_at", "setl_id", "name_masked", "status", "medfee_sumamt", "fund_pay_sumamt",
           "acct_pay", "psn_cash_pay", "mdtrt_cert_type", "msgid")


def local_time(stamp: str) -> str:
    """A journal timestamp (ISO, UTC) as local 'YYYY-MM-DD HH:MM:SS'."""
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return stamp


def _field(row, name: str):
    value = getattr(row, name, None)
    if value is None and isinstance(row, dict):
        value = row.get(name)
    return "" if value is None else value


class QtJournalView(QWidget):
    """Sales from Counter.sales(search); `refunded(ticket)` after a refund is queued."""

    message = Signal(str, str)
    refunded = Signal(object)
    loaded = Signal(int)

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list = []
        self.dialog: QtPinDialog | None = None
        self.handed_back: dict = {}  # method -> amount handed back for the last refund
        box = QVBoxLayout(self)
        top = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("journalSearch")
        # what Counter.sales(search) matches; names are masked in the journal, so they cannot be searched
        self.search.setPlaceholderText(self.tr("搜索结算流水号、报文ID、人员编号、就诊ID或状态（回车）"))
        self.search.returnPressed.connect(self.reload)
        top.addWidget(self.search, 1)
        self.b_reload = ShortcutButton(self.tr("刷新"), "Ctrl+R", self.reload, self)
        self.b_refund = ShortcutButton(self.tr("退费"), "Ctrl+T", self.refund_selected, self)
        self.b_reprint = ShortcutButton(self.tr("重打小票"), "Ctrl+Y", self.reprint_selected, self)  # 印; Ctrl+P is 日结's
        # 退一盒 (Box): some lines or boxes back, ui/widgets/qt_return_dialog.py
        self.b_return = ShortcutButton(self.tr("退货"), "Ctrl+B", lambda: start_return(self), self)
        top.addWidget(self.b_reload)
        top.addWidget(self.b_refund)
        top.addWidget(self.b_return)
        top.addWidget(self.b_reprint)
        box.addLayout(top)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("journalTable")
        self.table.setHorizontalHeaderLabels([
            self.tr("时间"), self.tr("结算流水号"), self.tr("姓名"), self.tr("状态"), self.tr("合计"),
            self.tr("统筹"), self.tr("个账"), self.tr("现金"), self.tr("凭证类型"), self.tr("报文ID")])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().hide()
        if getattr(ctx, "kiosk", False):   # the admin picks a sale by touch on the kiosk's screen
            self.table.verticalHeader().setDefaultSectionSize(56)
        box.addWidget(self.table, 1)
        # a sale changed (sync reversed or found one, a refund went through): the list on screen follows
        self._stale = False
        session = getattr(ctx, "session", None)  # the layout tests' stand-in contexts have none
        if hasattr(session, "sale_changed"):
            session.sale_changed.connect(self._sale_changed)

    def _sale_changed(self, _sale=None) -> None:
        if self.isVisible() and not self._stale:
            self._stale = True  # one reload for a burst of changes (a sync closes several at once)
            QTimer.singleShot(200, self._refresh)

    def _refresh(self) -> None:
        self._stale = False
        self.reload()

    def activated(self) -> None:
        """Shown: reload."""
        self.reload()

    def reload(self) -> None:
        """Fetch sales matching the search text on the worker thread."""
        text = self.search.text().strip()
        # the core matches status keys (refunded); the cashier types the word the table shows (已退费)
        text = next((k for k in qt_values.STATUSES if qt_values.status_text(k) == text), text)
        self.ctx.session.run(lambda c: c.sales(text), self._show, self._failed, "sales")

    def _show(self, rows) -> None:
        self.rows = list(rows)
        self.table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            for c, name in enumerate(COLUMNS):
                value = _field(row, name)
                if name == "status":
                    value = self.status_text(str(value))
                    if _field(row, "note") == CASH_DUE:  # a kiosk sale whose cash part the window collects
                        value += self.tr("（现金待收）")
                elif name == "created_at":
                    value = local_time(str(value))
                elif name == "mdtrt_cert_type":
                    value = self.cert_text(str(value))
                self.table.setItem(r, c, QTableWidgetItem(str(value)))
        self.loaded.emit(len(self.rows))

    def status_text(self, status: str) -> str:
        """The journal status in words."""
        return qt_values.status_text(status)

    def cert_text(self, cert: str) -> str:
        """The credential type in words (01 e-credential, 02 ID card, 03 social security card)."""
        return qt_values.cert_text(cert)

    def _failed(self, e: BaseException) -> None:
        self.message.emit("error", error_text(e))

    def select_setl(self, setl_id: str) -> bool:
        """Select the row of a settlement id (tests, demo)."""
        for r, row in enumerate(self.rows):
            if str(_field(row, "setl_id")) == setl_id:
                self.table.selectRow(r)
                return True
        return False

    def refund_selected(self) -> QtPinDialog | None:
        """Open the refund dialog for the selected sale; the supervisor's PIN is checked by the Counter."""
        r = self.table.currentRow()
        if not (0 <= r < len(self.rows)):
            self.message.emit("error", self.tr("请先在列表中选中要退费的结算记录"))
            return None
        setl_id = str(_field(self.rows[r], "setl_id"))
        sale_id = int(_field(self.rows[r], "sale_id") or 0)
        self_paid = _field(self.rows[r], "status") == SaleState.SELF_PAID  # nothing went to the platform
        op = getattr(self.ctx, "operator", None)  # the signed-in cashier books the refund
        cashier = op.id if op is not None else self.ctx.cfg.operator.id
        amount = str(_field(self.rows[r], "medfee_sumamt"))
        text = (self.tr("退还自费收款 #%1，金额 %2 元。请主管输入工号和密码授权。").replace("%1", str(sale_id))
                if self_paid else self.tr("退费结算 %1，金额 %2 元。请主管输入工号和密码授权；"
                                          "平台离线时退费将排队，恢复后自动提交。").replace("%1", setl_id))
        d = QtPinDialog(self.tr("退费"), text.replace("%2", amount), parent=self, with_reason=True)
        self._drop_dialog()
        self.dialog = d

        def submit(supervisor: str, pin: str) -> None:
            reason = d.reason_text()
            def job(c):
                ticket = (c.refund_self_paid(sale_id, reason, cashier, supervisor, pin) if self_paid
                          else c.queue_refund(setl_id, reason, cashier, supervisor, pin))
                self.handed_back = hand_back(c, ticket, cashier)  # at the counter now; the platform follows
                return ticket
            self.handed_back = {}
            self.ctx.session.run(job, lambda ticket: self._refunded(d, ticket), d.reject_pin, "refund")
        d.submitted.connect(submit)
        d.open()
        return d

    def reprint_selected(self) -> None:
        """Print the selected sale's receipt again (marked 重打, audited with the signed-in cashier)."""
        r = self.table.currentRow()
        if not (0 <= r < len(self.rows)):
            self.message.emit("error", self.tr("请先在列表中选中要重打小票的记录"))
            return
        sale_id, cfg, printer = int(_field(self.rows[r], "sale_id")), self.ctx.cfg, self.ctx.printer
        fail = lambda e: self.message.emit("error", error_text(e))  # noqa: E731

        def printed(path) -> None:
            self.message.emit("ok", self.tr("小票已重打"))
            self.ctx.session.note.emit(f"receipt {path}")

        def send(rec) -> None:  # the printing on the printer's thread, never the Counter's worker
            self.ctx.session.print(lambda: printer.print(rec), printed, fail)
        # the journal's receipt on the Counter's worker; handed to the printer's thread on the GUI thread
        self.ctx.session.run(lambda c: reprint(cfg, c.journal, sale_id, c.operator, lambda rec: rec), send, fail,
                             "reprint")

    def _drop_dialog(self) -> None:
        """Delete the previous refund dialog (each refund opens a new one) unless the Counter is still
        checking its PIN: its answer would reach a deleted dialog."""
        old, self.dialog = self.dialog, None
        if old is not None and old.buttons.isEnabled():
            old.deleteLater()

    def _refunded(self, d: QtPinDialog, ticket) -> None:
        d.accept_result(ticket)
        status = getattr(ticket, "status", "")
        what = str(getattr(ticket, "setl_id", "")) or self.tr("自费收款")
        text = (self.tr("退费已完成：%1") if status == RefundState.REFUNDED
                else self.tr("退费已排队，平台恢复后自动提交：%1")).replace("%1", what)
        cash = getattr(self, "handed_back", {}).get("cash")
        if cash:
            text += self.tr("；请退还现金 ¥%1").replace("%1", f"{cash:.2f}")
            from ui.qt_counter_devices import drawer_after_refund  # the cash comes out of the drawer
            drawer_after_refund(self.ctx.session, self.ctx.printer, ticket.refund_id, self.message.emit)
        self.message.emit("ok", text)
        self.ctx.session.note.emit(text)
        self.refunded.emit(ticket)
        self.ctx.session.refresh_status()
        self.reload()
