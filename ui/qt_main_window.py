"""The main window: one sale page per profile plus journal, day close, statistics and settings tabs,
a message bar, and the status bar. Rebuilds its pages when the language changes."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QMainWindow, QTabWidget, QVBoxLayout, QWidget

from ui import qt_i18n
from ui.qt_session import error_text
from ui.widgets.qt_status_bar import QtStatusBar

ADMIN_TABS = ("journal", "dayclose", "stats", "settings")


class QtMainWindow(QMainWindow):
    """Hosts the pages; routes scans to the sale page; reflects session and scanner state."""

    language_changed = Signal(str)
    closed = Signal()

    def __init__(self, app_ctx):
        super().__init__()
        self.ctx = app_ctx
        self.pages: dict[str, QWidget] = {}
        self.status = QtStatusBar(self)
        self.setStatusBar(self.status)
        self.status.sync_button.clicked.connect(lambda: self.ctx.session.refresh_status(then_sync=True))
        self.ctx.session.status_changed.connect(self.status.set_counter)
        self.ctx.session.open_failed.connect(
            lambda e: self.show_message("error", self.tr("结算引擎无法启动：%1").replace("%1", error_text(e))))
        self.ctx.scanner.status_changed.connect(self.status.set_scanner)
        self.ctx.scanner.scanned.connect(self._scanned)
        self.ctx.admin_unlocked.connect(self._admin)
        self.status.set_scanner(self.ctx.scanner.status)  # it may have connected before the window
        self.build()

    def build(self) -> None:
        """(Re)create every page in the current language."""
        old = self.centralWidget()
        self.pages.clear()
        central = QWidget()
        box = QVBoxLayout(central)
        box.setContentsMargins(8, 8, 8, 4)
        self.message_bar = QLabel()
        self.message_bar.setObjectName("messageBar")
        self.message_bar.setWordWrap(True)
        box.addWidget(self.message_bar)
        self.tabs = QTabWidget()
        box.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        if old is not None:
            old.deleteLater()
        ctx, profile = self.ctx, self.ctx.cfg.profile
        name = self.ctx.cfg.institution.fixmedins_name
        self.setWindowTitle(self.tr("医保码结算 ecpos · %1").replace("%1", name))
        sale = ctx.make_sale_view(self)
        self.pages["sale"] = sale
        sale.message.connect(self.show_message)
        title = {"pharmacy": self.tr("收银 [Alt+1]"), "clinic": self.tr("挂号收费 [Alt+1]"),
                 "kiosk": self.tr("自助服务")}[profile]
        self.tabs.addTab(sale, title)
        from ui.views.qt_day_close_view import QtDayCloseView
        from ui.views.qt_journal_view import QtJournalView
        from ui.views.qt_settings_view import QtSettingsView
        from ui.views.qt_stats_view import QtStatsView
        for key, cls, label in (("journal", QtJournalView, self.tr("流水与退费 [Alt+2]")),
                                ("dayclose", QtDayCloseView, self.tr("日结对账 [Alt+3]")),
                                ("stats", QtStatsView, self.tr("统计 [Alt+4]")),
                                ("settings", QtSettingsView, self.tr("设置 [Alt+5]"))):
            page = cls(ctx, self)
            if hasattr(page, "message"):
                page.message.connect(self.show_message)
            self.pages[key] = page
            self.tabs.addTab(page, label)
        if profile == "kiosk":
            # the kiosk shows its own pages; the admin reaches the rest (and the message bar) after the PIN
            self.tabs.tabBar().setVisible(ctx.unlocked)
            self.message_bar.setVisible(ctx.unlocked)
            self.status.sync_button.setVisible(ctx.unlocked)
        else:
            from PySide6.QtGui import QKeySequence, QShortcut
            for i in range(self.tabs.count()):
                QShortcut(QKeySequence(f"Alt+{i + 1}"), central, lambda i=i: self.tabs.setCurrentIndex(i))
        self.tabs.currentChanged.connect(self._tab_changed)
        self.show_message("info", self.tr("就绪：请出示医保码"))
        st = ctx.session.last_status
        if st is not None:
            self.status.set_counter(st)

    def _admin(self, unlocked: bool) -> None:
        self.tabs.tabBar().setVisible(unlocked)
        self.message_bar.setVisible(unlocked)
        self.status.sync_button.setVisible(unlocked)
        self.show_page("settings" if unlocked else "sale")

    def _tab_changed(self, index: int) -> None:
        page = self.tabs.widget(index)
        if hasattr(page, "activated"):
            page.activated()

    def show_page(self, key: str) -> None:
        """Bring one page to the front (kiosk admin, tests, screenshots)."""
        self.tabs.setCurrentWidget(self.pages[key])

    def show_message(self, level: str, text: str) -> None:
        """The one-line message bar: ok (green), error (red), info (blue)."""
        self.message_bar.setText(text)
        self.message_bar.setProperty("level", level)
        self.message_bar.style().unpolish(self.message_bar)
        self.message_bar.style().polish(self.message_bar)

    def _scanned(self, ev) -> None:
        if self.ctx.agent is not None and self.ctx.agent.take_scan(ev.text):
            return  # a bill the HIS pushed waits for this code
        sale = self.pages.get("sale")
        if sale is None:
            return
        if self.tabs.currentWidget() is not sale and self.ctx.cfg.profile != "kiosk":
            self.tabs.setCurrentWidget(sale)
        sale.on_scan(ev)

    def set_language(self, lang: str) -> bool:
        """Switch language and rebuild the pages (the session and devices keep running); refused (False)
        while a sale is open: rebuilding would drop its patient, quote or visit behind the Counter's back."""
        sale = self.pages.get("sale")
        if sale is not None and getattr(sale, "sale_open", lambda: False)():
            self.show_message("error", self.tr("请先完成或取消当前业务，再切换语言"))
            return False
        qt_i18n.set_language(lang)
        self.status.retranslate()
        current = self.tabs.currentIndex()
        self.build()
        self.tabs.setCurrentIndex(current)
        self.language_changed.emit(lang)
        return True

    def closeEvent(self, event) -> None:
        if not self.ctx.may_close():
            event.ignore()
            return
        self.ctx.shutdown()
        super().closeEvent(event)
        self.closed.emit()
