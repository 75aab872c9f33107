"""Composition of the Qt app: QApplication, language, font, style, session, scanner, printer, window."""
from __future__ import annotations

import gc
import os
import signal
import sys

from PySide6.QtCore import QObject, QTimer, Signal, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from drivers.printer import ReceiptPrinter, escpos_cache
from terminal import checkout
from terminal.logs import event
from terminal.office.msgid_nodes import node_warning
from ui import qt_i18n, qt_sound
from ui.qt_counter_devices import CounterDevices
from ui.qt_main_window import QtMainWindow
from ui.qt_scanner import QtScanBridge
from ui.qt_session import QtSession
from ui.qt_style import style_sheet
from ui.views.qt_clinic_view import QtClinicView
from ui.views.qt_kiosk_view import QtKioskView
from ui.views.qt_pharmacy_view import QtPharmacyView


def _qt_messages(mode, context, message: str) -> None:
    # the offscreen platform says this on every size-hint change; it means nothing for us
    if "propagateSizeHints" in message:
        return
    sys.stderr.write(message + "\n")


def make_qapp(argv=None, headless: bool = False) -> QApplication:
    """The QApplication (offscreen when headless or when there is no display)."""
    if headless or not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    qInstallMessageHandler(_qt_messages)
    # hand the GIL back to the GUI thread sooner when the worker and reader threads are busy
    sys.setswitchinterval(0.002)
    app = QApplication.instance() or QApplication(argv or ["ecpos"])
    app.setApplicationName("ecpos")
    return app


def quit_on_signals(app: QApplication) -> None:
    """Ctrl+C and SIGTERM end the event loop (the caller then stops devices and the Counter);
    a short timer lets the interpreter run its handlers while Qt's loop is in C++."""
    # exit(), not quit(): Qt 6's quit() first asks every window to close and gives up when one refuses,
    # which a locked kiosk does; systemctl stop would then wait for SIGKILL.
    # Through a zero timer, not at once: exit() does nothing while no event loop runs, and a signal that
    # comes while the window is being built (the handler runs before app.exec()) was lost, leaving the
    # app running until SIGKILL. The timer waits in the queue until the loop starts.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: QTimer.singleShot(0, lambda: app.exit(0)))
    tick = QTimer(app)
    tick.timeout.connect(lambda: None)
    tick.start(200)


class AppContext(QObject):
    """Everything the pages share: config, session (Counter), scanner, printer, catalogue."""

    admin_unlocked = Signal(bool)
    operator_changed = Signal(object)  # the signed-in Operator, or None when the till is locked
    catalogue_loaded = Signal(object)  # the whole catalogue (with the imported items), once read

    def __init__(self, cfg, *, counter_factory=None, poll: bool = True, start_scanner: bool = True,
                 language: str | None = None):
        super().__init__()
        self.cfg = cfg
        self.kiosk = cfg.profile == "kiosk"
        app = QApplication.instance()
        qt_i18n.set_language(language or cfg.ui.language)
        pt = int(cfg.ui.font_pt) + (4 if self.kiosk else 0)
        app.setFont(qt_i18n.cjk_font(pt))
        app.setStyleSheet(style_sheet(pt, self.kiosk))
        qt_sound.configure(cfg.devices.sound)
        self.catalogue = checkout.catalogue(cfg)  # the quick-pick entries now; imported items from the worker
        self.operator = None
        self.requires_sign_in = not self.kiosk and bool(cfg.till.sign_in)
        self.printer = ReceiptPrinter(cfg)
        self.session = QtSession(cfg, counter_factory, poll=poll)
        self.session.run(lambda c: checkout.catalogue(cfg, c), self._catalogue_read, None, "catalogue")
        # python-escpos takes most of a second to import: do it on the worker before the first receipt
        self.session.printing.submit(lambda: (escpos_cache(), __import__("escpos.printer")),
                                     name="warm-printer")
        # another till on this till's msgid_node fails sales with msgid重复: say so at start instead
        self.start_warning = ""
        self.session.worker.submit(lambda: node_warning(cfg), self._start_warning, None, "msgid-node")
        self.scanner = QtScanBridge(cfg)
        self._unlocked = not self.kiosk
        self._closing = False
        self.window = None
        self.agent = None
        if cfg.agent.enabled_in_app:  # the HIS's local API in this process, over its Counter (ui/qt_agent.py)
            from ui.qt_agent import QtAgent  # why: the agent's modules load only when it runs in the app
            self.agent = QtAgent(cfg, self.session)
        if start_scanner:
            self.scanner.start()

    def _start_warning(self, text: str) -> None:
        if not text:
            return
        event("msgid_node_shared", node=self.cfg.institution.msgid_node)
        self.start_warning = text
        if self.window is not None:
            self.window.show_message("error", text)

    def make_sale_view(self, parent):
        """The profile's sale page."""
        if self.cfg.profile == "pharmacy":
            return QtPharmacyView(self.session, self.catalogue, self.printer, parent)
        if self.cfg.profile == "clinic":
            return QtClinicView(self, parent)
        return QtKioskView(self, parent)

    def _catalogue_read(self, catalogue) -> None:
        self.catalogue = catalogue
        self.catalogue_loaded.emit(catalogue)

    # -- who is at the till ---------------------------------------------------------------------
    def sign_in(self, op_id: str, pin: str, fail) -> None:
        """Check the PIN on the worker (lockout counted, audited); the till opens for that operator."""
        self.session.run(lambda c: c.sign_in(op_id, pin), self._signed_in, fail, "sign_in")

    def _signed_in(self, op) -> None:
        self.operator = op
        self.session.note.emit(f"signed in {op.id}")
        self.operator_changed.emit(op)

    def lock(self) -> None:
        """Lock the till (key, idle timer, after the handover): sales fall back to nobody until sign-in."""
        if self.operator is None or not self.requires_sign_in:
            return
        self.operator = None
        self.session.run(lambda c: c.sign_out(), None, None, "sign_out")
        self.session.note.emit("locked")
        self.operator_changed.emit(None)

    @property
    def till_open(self) -> bool:
        """True when scans and keys may reach the sale page."""
        return self.operator is not None or not self.requires_sign_in

    def set_unlocked(self, unlocked: bool) -> None:
        """Kiosk: admin PIN accepted (True) or admin mode left (False)."""
        self._unlocked = unlocked or not self.kiosk
        self.admin_unlocked.emit(self._unlocked)

    @property
    def unlocked(self) -> bool:
        """True when the window may be left (always outside the kiosk profile)."""
        return self._unlocked

    def may_close(self) -> bool:
        """A kiosk window closes only after the admin PIN."""
        return self._unlocked or self._closing

    def shutdown(self) -> None:
        """Stop devices and the Counter (idempotent)."""
        if self._closing and self.window is None:
            return
        self._closing = True
        self.scanner.stop()
        if self.agent is not None:
            self.agent.stop()
        self.session.close()
        self.window = None

    def force_close(self) -> None:
        """Close even a locked kiosk (the demo and tests end the process this way)."""
        self._closing = True
        if self.window is not None:
            self.window.close()


def build_window(ctx: AppContext, fullscreen: bool | None = None):
    """The main window for a context (full screen for the kiosk on a real display)."""
    win = QtMainWindow(ctx)
    ctx.window = win
    ctx.scanner.window = win
    if ctx.agent is not None:
        ctx.agent.window = win
    # everything built so far lives as long as the app: keep it out of the collector's full passes,
    # which otherwise walk it on the GUI thread (tens of ms) every so often
    gc.collect()
    gc.freeze()
    if fullscreen is None:
        fullscreen = ctx.kiosk and os.environ.get("QT_QPA_PLATFORM") != "offscreen"
    if fullscreen:
        # On a bare X session (an unattended kiosk, no window manager) nobody acts on the full-screen
        # request: the window takes the screen's geometry itself, and follows it when the screen changes.
        screen = win.screen()
        win.setGeometry(screen.geometry())
        screen.geometryChanged.connect(win.setGeometry)
        win.showFullScreen()
    else:
        # a 5:4 kiosk monitor; a counter's 1280x800; never more than the screen leaves a window
        room = win.screen().availableGeometry()
        win.resize(min(1280, room.width()), min(1024 if ctx.kiosk else 800, room.height()))
        win.show()
    if ctx.cfg.till.customer_display or ctx.cfg.devices.pole_display:  # 客显 (ui/qt_counter_devices.py)
        ctx.devices = CounterDevices(ctx, win)
    return win
