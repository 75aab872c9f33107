"""The agent API inside the app ([agent] enabled_in_app), over the app's own Counter (one Counter per journal):
a bill the HIS pushes goes onto the sale page (the pharmacy's or the clinic desk's cart, read-only; the kiosk's
bill to pay) while its patient shows the code; the code step's quote shows there as the cashier's own would, and
the cashier's F12 / Enter (the kiosk's 确认缴费) settles it (or the HIS's confirm does; the page follows the core's
event). The agent's answers follow the core: what the cashier does to the sale is what the HIS reads. While a pushed sale waits for a code the app's scanner hands
the code to it. Nothing here decides anything; the messages are literal translate() calls so
ui/translations/update.sh picks them up."""
from __future__ import annotations

import threading

from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot

from agent.desk import AgentError
from agent.events import Hub
from terminal import checkout
from terminal.states import Stage
from ui.qt_session import error_text


class QtAgent(QObject):
    """Starts the agent (agent.server.InApp) once the session's Counter is open; `take_scan` routes a scan to a
    pushed sale waiting for one."""

    event = Signal(str, dict)  # from the agent's threads, delivered on the GUI thread

    def __init__(self, cfg, session):
        super().__init__()
        self.session = session
        self.agent = None
        self.url = ""
        self.window = None
        self._pending: tuple[str, list] | None = None  # a pushed bill waiting for the cart to be free
        self._stopped = False
        self._wired = None  # the sale page whose signals reach us
        self.event.connect(self._show)
        hub = Hub()
        hub.listen(lambda ev: self.event.emit(ev.type, ev.data))  # before the first request can come

        def start(counter):  # on the session's worker, right after it opened the Counter
            from agent.server import InApp  # why: FastAPI and uvicorn load only when [agent] enabled_in_app is set
            return None if self._stopped else InApp(cfg, counter, hub)
        session.run(start, self._started, self._not_started, "agent")

    def _started(self, agent) -> None:
        if agent is None:
            return
        self.agent, self.url = agent, agent.url
        if self._stopped:
            agent.stop()

    def _not_started(self, e: BaseException) -> None:
        if self.window is not None:
            self.window.show_message("error", QCoreApplication.translate("Agent", "HIS 接口未启动：%1")
                                     .replace("%1", error_text(e)))

    def take_scan(self, text: str) -> bool:
        """True when a pushed sale waits for a code and this is one (a 医保码, not a drug box's 追溯码 or an
        item's barcode: those stay the cart's): it gets it, on a thread of its own."""
        if self.agent is None or not self.agent.desk.waiting or checkout.sort_scan(text).kind != "code":
            return False
        threading.Thread(target=self.agent.desk.scanned, args=(text,), name="agent-scan", daemon=True).start()
        return True

    # --- the cart (the profile's sale page: the pharmacy's and the clinic desk's cart, the kiosk's bill) ----
    def _page(self):
        """The sale page, which shows a pushed bill as its own (load_pushed, show_pushed_quote, drop_pushed)."""
        if self.window is None:
            return None
        return self.window.pages.get("sale")

    def _follow(self, kind: str, sid: str, data: dict) -> None:
        page, desk = self._page(), self.agent.desk if self.agent is not None else None
        if page is None or desk is None:
            return
        if kind == "sale.waiting_for_code" and not data.get("error") and page.pushed != sid:
            self.session.run(lambda _c: desk.bill_of(sid), lambda items: self._load(sid, items), None, "pushed-bill")
        elif kind == "sale.waiting_for_code" and page.pushed == sid and hasattr(page, "pushed_refused"):
            page.pushed_refused(sid, data.get("message", ""))  # a kiosk's patient reads no message bar
        elif kind == "sale.quoted":
            page.show_pushed_quote(sid, desk.script_of(sid))
        elif kind in ("sale.cancelled", "sale.failed"):
            if self._pending is not None and self._pending[0] == sid:
                self._pending = None
            page.drop_pushed(sid)

    def _load(self, sid: str, items) -> None:
        page = self._page()
        if page is None:
            return
        if page is not self._wired:  # a page rebuilt (language switch) is wired again
            self._wired = page
            page.pushed_dropped.connect(self._dropped)
            page.state_changed.connect(self._retry)
        if not page.load_pushed(sid, items):
            self._pending = (sid, items)  # the cashier's own sale is on the page: the bill goes in after it
            return
        # quoted while it waited for the cart (the HIS posted the code): shown too
        page.show_pushed_quote(sid, self.agent.desk.script_of(sid))

    @Slot(str)
    def _retry(self, state: str) -> None:
        """The page's state moved: a bill that waited goes in once the cashier has moved on (F9), not while
        the page still shows the sale just settled (its change, its receipt)."""
        pending, self._pending = self._pending, None  # taken first: loading changes the page's state again
        if pending is not None and state == Stage.WAITING:
            self._load(*pending)
        else:
            self._pending = pending

    @Slot(str)
    def _dropped(self, sid: str) -> None:
        """The cashier let a pushed bill go (Esc, F9, the next patient): the HIS reads it cancelled. On the
        worker, after the page's own cancel of its quote (jobs run in order)."""
        desk = self.agent.desk if self.agent is not None else None
        if desk is None:
            return

        def cancel(_c):
            try:
                desk.cancel(sid)
            except AgentError:
                pass  # settled or gone meanwhile: the HIS reads that instead
        self.session.run(cancel, None, None, "pushed-cancel")

    # --- the message bar -----------------------------------------------------------------------
    def _show(self, kind: str, data: dict) -> None:
        if not kind.startswith("sale."):
            return
        self._follow(kind, data.get("sale_id", ""), data)
        if self.window is None:
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
        """Stop serving (the app is closing; the session closes the Counter after this)."""
        self._stopped = True
        if self.agent is not None:
            self.agent.stop()

