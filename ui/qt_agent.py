"""The agent API inside the app ([agent] enabled_in_app): a bill the HIS pushes shows on the counter's message
bar, and while it waits for a code the app's scanner hands the code to it. The agent holds its own Counter on
the same journal; nothing here decides anything, it shows what the agent's events say. The messages are
literal translate() calls so ui/translations/update.sh picks them up."""
from __future__ import annotations

import threading

from PySide6.QtCore import QCoreApplication, QObject, Signal


class QtAgent(QObject):
    """Starts the agent (agent.server.InApp); `take_scan` routes a scan to a pushed sale waiting for one."""

    event = Signal(str, dict)  # from the agent's threads, delivered on the GUI thread

    def __init__(self, cfg):
        super().__init__()
        from agent.server import InApp  # why: FastAPI and uvicorn load only when [agent] enabled_in_app is set
        self.agent = InApp(cfg)
        self.window = None
        self.event.connect(self._show)
        self.agent.desk.hub.listen(lambda ev: self.event.emit(ev.type, ev.data))

    @property
    def url(self) -> str:
        return self.agent.url

    def take_scan(self, text: str) -> bool:
        """True when a pushed sale waits for a code: it gets this one (on a thread of its own)."""
        if not self.agent.desk.waiting:
            return False
        threading.Thread(target=self.agent.desk.scanned, args=(text,), name="agent-scan", daemon=True).start()
        return True

    def _show(self, kind: str, data: dict) -> None:
        if self.window is None or not kind.startswith("sale."):
            return
        bill = data.get("external_id", "")
        if kind == "sale.waiting_for_code":
            if data.get("error"):
                self.window.show_message("error", QCoreApplication.translate("Agent", "HIS 账单 %1：%2").replace("%1", bill)
                                         .replace("%2", data.get("message", "")))
            else:
                self.window.show_message("info", QCoreApplication.translate("Agent", "HIS 推送账单 %1（合计 %2 元）：请患者出示医保码")
                                         .replace("%1", bill).replace("%2", data.get("medfee_sumamt", "")))
        elif kind == "sale.quoted":
            self.window.show_message("info", QCoreApplication.translate("Agent", "HIS 账单 %1 已预结算：合计 %2 元，个人现金 %3 元，等待 HIS 确认")
                                     .replace("%1", bill).replace("%2", data.get("medfee_sumamt", ""))
                                     .replace("%3", data.get("psn_cash_pay", "")))
        elif kind == "sale.settled":
            self.window.show_message("ok", QCoreApplication.translate("Agent", "HIS 账单 %1 已结算").replace("%1", bill))
        elif kind == "sale.cancelled" and data.get("error"):  # given up by the agent (nobody scanned)
            self.window.show_message("error", QCoreApplication.translate("Agent", "HIS 账单 %1：%2").replace("%1", bill)
                                     .replace("%2", data.get("message", "")))
        elif kind == "sale.cancelled":
            self.window.show_message("info", QCoreApplication.translate("Agent", "HIS 账单 %1 已取消").replace("%1", bill))
        elif kind in ("sale.failed", "sale.unknown"):
            self.window.show_message("error", QCoreApplication.translate("Agent", "HIS 账单 %1：%2").replace("%1", bill)
                                     .replace("%2", data.get("message", "")))

    def stop(self) -> None:
        """Stop serving (the app is closing)."""
        self.agent.stop()
