"""The app's handle on the core: a Counter living on the worker thread, results back as signals.

Views call `session.run(lambda c: c.identify(code), ok, fail)`; nothing in ui/ decides a business
question, it shows what the Counter returns. The session also polls Counter.status() for the status bar
and runs Counter.sync() now and then so queued refunds leave when the platform is back.
"""
from __future__ import annotations

import threading
import time
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

from terminal.checkout import Checkout
from terminal.counter import Counter
from terminal.errors import EcposError
from terminal.logs import event
from terminal.states import BUSY
from ui.qt_i18n import current
from ui.qt_worker import QtWorker

STATUS_MS = 3000
SYNC_EVERY = 10  # status polls between background syncs
HEARTBEAT_MS = 5000  # platform probes while idle
RECHECK_S = 10.0  # after a failed exchange, a real one (Counter.recheck) at most this often while the probe answers
# The 9002 sent at quit for the signed-in cashier gives up after this long: a platform outage never holds the
# quit (the window waits for the worker's last job), and the platform ends a sign-in by itself anyway.
QUIT_SIGN_OUT_S = 2.0


def error_text(e: BaseException) -> str:
    """What the cashier reads: the core's Chinese message (it says what to do), or a generic next step.
    In English the core's message stays Chinese, so its English log key follows for the IT admin."""
    if isinstance(e, EcposError):
        if e.cashier_message:  # a setup fault: the cashier's sentence; the admin's words go to the log
            event("setup_fault_shown", error=e.key, message=e.message)
            return e.cashier_message
        code = getattr(e, "code", "")
        text = f"{e.message}" + (f" ({code})" if code else "")
        return text + (f" [{e.key}]" if current() == "en" and e.key else "")
    event("ui_unexpected_error", error=f"{type(e).__name__}: {e}")
    return QCoreApplication.translate("Session", "内部错误：%1。请重试；如反复出现请联系维护人员").replace("%1", type(e).__name__)


def scanner_text(status) -> tuple[str, str]:
    """(text, state) for a drivers ScannerStatus, state in ok/warn/bad/idle."""
    if status is None:
        return QCoreApplication.translate("Session", "扫码器：未配置"), "idle"
    state = getattr(status, "state", "")
    reason = getattr(status, "reason", "") or ""
    text = {"connected": QCoreApplication.translate("Session", "扫码器：已连接"), "reconnecting": QCoreApplication.translate("Session", "扫码器：重连中"),
            "error": QCoreApplication.translate("Session", "扫码器：故障"), "stopped": QCoreApplication.translate("Session", "扫码器：已停止")}.get(state, state)
    if reason and state != "connected":
        text += f" ({reason})"
    return text, {"connected": "ok", "reconnecting": "warn", "error": "bad"}.get(state, "idle")


class QtSession(QObject):
    """Owns the Counter (on the worker thread) and reports its state."""

    status_changed = Signal(object)   # CounterStatus
    heartbeat_changed = Signal(object)  # the Beat of Counter.heartbeat(): is the platform there
    ready = Signal()
    open_failed = Signal(object)
    note = Signal(str)                # one transcript line (demo, logs)
    _beat_done = Signal(object)
    sale_changed = Signal(object)      # terminal.sale.sales.Sale after a committed change (queued to the GUI)
    checkout_changed = Signal(object)  # terminal.checkout.Change of a sale's script (queued to the GUI)

    def __init__(self, cfg, counter_factory: Callable[[Any], Any] | None = None, poll: bool = True):
        super().__init__()
        self.cfg = cfg
        self.counter = None
        self.last_status = None
        self.worker = QtWorker()
        # Printing has a thread of its own: a jammed printer (a USB write that blocks, a network printer out of
        # paper) never holds the Counter's worker, so the next scan goes through meanwhile.
        self.printing = QtWorker("ecpos-printer")
        self._factory = counter_factory or _default_counter
        self._polls = 0
        self._recheck_at = 0.0  # monotonic time of the last recheck (worker thread only)
        self._status_pending = False
        self._sync_again = False
        self.worker.submit(self._open, lambda _r: self._opened(), self.open_failed.emit, "open")
        self.timer = QTimer(self)
        self.timer.setInterval(STATUS_MS)
        self.timer.timeout.connect(self.refresh_status)
        # The platform's heartbeat: a cheap probe every few seconds while the Counter is idle (a sale's
        # own exchange says as much), on a thread of its own so it never queues behind a sale.
        self.last_beat = None
        self._beat_pending = False
        self._beat_done.connect(self._got_beat)
        self.beat_timer = QTimer(self)
        self.beat_timer.setInterval(HEARTBEAT_MS)
        self.beat_timer.timeout.connect(self.heartbeat)
        if poll:
            self.timer.start()
            self.beat_timer.start()

    def _open(self) -> None:
        self.counter = self._factory(self.cfg)
        subscribe = getattr(self.counter, "subscribe", None)
        if subscribe is not None:  # the core announces each committed change of a sale (any thread)
            subscribe(self.sale_changed.emit)

    def _opened(self) -> None:
        self.ready.emit()
        self.refresh_status()
        if self.beat_timer.isActive():  # the first probe as soon as the Counter can make it
            self.heartbeat()

    def run(self, fn: Callable[[Any], Any], ok: Callable[[Any], None] | None = None,
            fail: Callable[[BaseException], None] | None = None, name: str = ""):
        """Run fn(counter) on the worker thread; ok(result) / fail(exception) on the GUI thread."""
        def job():
            if self.counter is None:
                raise EcposError(QCoreApplication.translate("Session", "结算引擎未就绪，请稍候再试"), key="counter_not_ready")
            return fn(self.counter)
        return self.worker.submit(job, ok, fail, name)

    def checkout(self):
        """A new sale's script (terminal/checkout.py) over the worker's Counter. Its Changes come back as
        checkout_changed: at once for a step begun on the GUI thread, queued from the worker for its outcome."""
        if self.counter is None:
            raise EcposError(QCoreApplication.translate("Session", "结算引擎未就绪，请稍候再试"), key="counter_not_ready")
        sale = Checkout(self.counter)
        sale.subscribe(self.checkout_changed.emit)
        return sale

    def drive(self, sale, step: str, fn: Callable[[Any], Any], name: str = ""):
        """One step of a sale's script: begun here (the view shows it under way before the worker has it;
        SaleStateError when its stage does not allow it), fn(sale) on the worker. Its outcome, a failure
        too, arrives as checkout_changed: the job's own answer is not needed."""
        sale.begin(step)

        def failed(e: BaseException) -> None:  # the script announced its own failures; this one died before
            if sale.stage in BUSY:
                sale.fall(step, e)
        return self.worker.submit(lambda: fn(sale), None, failed, name or step)

    def heartbeat(self, force: bool = False) -> None:
        """Probe the platform now (Counter.heartbeat) unless a probe is under way (or, unless forced, a sale is)."""
        counter = self.counter
        if counter is None or self._beat_pending or (not force and self.worker.busy):
            return
        self._beat_pending = True

        def run():
            beat = counter.heartbeat()
            try:
                self._beat_done.emit(beat)  # queued to the GUI thread
            except RuntimeError:  # the session is gone (app closing): nobody to tell
                pass
        threading.Thread(target=run, name="heartbeat", daemon=True).start()

    def _got_beat(self, beat) -> None:
        self._beat_pending = False
        if self.last_beat is None or self.last_beat.online != beat.online:
            event("platform_heartbeat", online=beat.online, seen=beat.seen)
        self.last_beat = beat
        self.heartbeat_changed.emit(beat)

    def refresh_status(self, then_sync: bool = False) -> None:
        """Ask the Counter for its status (and sometimes sync) without blocking the GUI; 立即同步
        (then_sync) also probes the platform at once."""
        if then_sync:
            self.heartbeat(force=True)
        if self._status_pending and then_sync:
            self._sync_again = True  # 立即同步 during a poll: run it right after, not at the next sync tick
        if self.counter is None or self._status_pending:
            return
        self._status_pending = True
        self._polls += 1
        do_sync = then_sync or self._polls % SYNC_EVERY == 0

        beat = self.last_beat

        def job():
            st = self.counter.status()
            if do_sync and (st.online or getattr(st, "queued_refunds", 0)
                            or getattr(st, "unknown_outcomes", 0)):
                self.counter.sync()
                st = self.counter.status()
            if not st.online and (beat is None or beat.online) and hasattr(self.counter, "recheck") \
                    and time.monotonic() - self._recheck_at >= RECHECK_S:
                # the last exchange failed while the probe answers: only a real exchange can tell
                self._recheck_at = time.monotonic()
                self.counter.recheck()
                st = self.counter.status()
            return st
        self.worker.submit(job, self._got_status, self._status_failed, "status")

    def _got_status(self, st) -> None:
        self._status_pending = False
        self.last_status = st
        self.status_changed.emit(st)
        self._maybe_sync_again()

    def _status_failed(self, e: BaseException) -> None:
        self._status_pending = False
        self.note.emit(QCoreApplication.translate("Session", "状态查询失败：%1").replace("%1", error_text(e)))
        self._maybe_sync_again()

    def _maybe_sync_again(self) -> None:
        if self._sync_again:
            self._sync_again = False
            self.refresh_status(then_sync=True)

    def print(self, fn: Callable[[], Any], ok: Callable[[Any], None] | None = None,
              fail: Callable[[BaseException], None] | None = None) -> int:
        """Run a printing job (fn() on the printer's own thread); ok / fail on the GUI thread."""
        return self.printing.submit(fn, ok, fail, "print")

    def close(self) -> None:
        """Stop polling and close the Counter on its own thread (a probe in flight is not waited for)."""
        self.timer.stop()
        self.printing.stop()
        self.beat_timer.stop()

        def shut():
            if self.counter is not None:
                sign_out = getattr(self.counter, "sign_out", None)
                try:
                    if sign_out is not None:  # the cashier's turn ends at the platform too: a best-effort 9002
                        sign_out(within=QUIT_SIGN_OUT_S)
                finally:
                    self.counter.close()
        self.worker.stop(shut)


def _default_counter(cfg):
    return Counter(cfg)
