"""Sets up one demo terminal (config layer, operators, virtual scan box, app window) and drives it:
waits on the event loop for conditions, never sleeps the GUI thread, and records a transcript."""
from __future__ import annotations

import os
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QTimer
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QApplication, QDialog

from terminal import config as config_mod
from terminal.errors import EcposError
from terminal.office import books, operators
from ui.demo.vpty import VirtualScanBox
from ui.qt_app import AppContext, build_window

ROOT = Path(__file__).resolve().parents[2]
DEMO_PIN = {"cashier": "2468", "supervisor": "1357", "admin": "8642"}


class DemoFailed(EcposError):
    """A scripted step did not happen in time; the message names the step."""

    key = "demo_failed"


def spin(ms: int) -> None:
    """Let the event loop run for ms (the GUI keeps painting; workers report back)."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait(cond, what: str, timeout: float = 20.0):
    """Run the event loop until cond() is truthy; DemoFailed naming `what` after timeout seconds."""
    end = time.monotonic() + timeout
    while True:
        value = cond()
        if value:
            return value
        if time.monotonic() > end:
            raise DemoFailed(f"演示步骤超时：{what}", detail=what)
        spin(10)


def write_layer(path: Path, layers: dict) -> Path:
    """A TOML config layer from {"section.key": value}."""
    tables: dict[str, list[str]] = {}
    for dotted, value in layers.items():
        sec, key = dotted.split(".")
        v = ("true" if value else "false") if isinstance(value, bool) else (
            repr(value) if isinstance(value, (int, float)) else '"' + str(value).replace('"', '\\"') + '"')
        tables.setdefault(sec, []).append(f"{key} = {v}")
    path.write_text("".join(f"[{s}]\n" + "\n".join(lines) + "\n\n" for s, lines in tables.items()),
                    encoding="utf-8")
    return path


def demo_config(workdir: Path, profile: str, center_url: str, serial_port: str, overrides: dict | None = None):
    """Config for a demo terminal: the embedded simulator, the virtual scan box, a private data dir."""
    lib = ROOT / "build" / "lib64" / "libnationec.so"
    workdir.mkdir(parents=True, exist_ok=True)
    layer = write_layer(workdir / "demo.toml", {
        "center.url": center_url, "devices.scanner": "serial", "devices.serial_port": serial_port,
        "devices.serial_terminator": "CR", "devices.sound": False,
        "credential.adapter": "library" if lib.exists() else "http", "kiosk.idle_timeout_s": 30,
        # the scripted demo and the UI tests sell without a handover first; tests/acceptance keeps the
        # profile's own [till] require_shift
        "till.require_shift": False, **(overrides or {})})
    env = {k: v for k, v in os.environ.items() if k not in (
        "ECPOS_CONFIG", "ECPOS_DATA_DIR", "ECPOS_CENTER_URL", "ECPOS_PROFILE")}
    return config_mod.load(profile=profile, config_file=layer, data_dir=workdir / "data", env=env)


def add_operators(cfg) -> None:
    """Register the demo's cashier, supervisor and kiosk admin in the terminal's journal (PINs hashed)."""
    with books.opened(cfg) as journal:
        known = {op.id for op in operators.listing(journal)}
        for op_id, role in ((cfg.operator.id, "cashier"), ("sup01", "supervisor"),
                            (cfg.kiosk.admin_id, "admin")):
            if op_id not in known:
                operators.add(journal, op_id, role, DEMO_PIN[role], actor="demo")


class Director:
    """One demo terminal: ctx (AppContext), window, box (VirtualScanBox), transcript lines."""

    def __init__(self, sim, workdir: Path, profile: str, lang: str, *, kiosk_fullscreen: bool = False,
                 overrides: dict | None = None):
        self.sim, self.profile, self.lang = sim, profile, lang
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.box = VirtualScanBox()
        self.cfg = demo_config(self.workdir, profile, sim.url, self.box.path, overrides)
        self.t0 = time.monotonic()
        self.lines: list[str] = []
        add_operators(self.cfg)
        self.ctx = AppContext(self.cfg, language=lang)
        self.ctx.session.note.connect(lambda text: self.say(text, "app"))
        self.window = build_window(self.ctx, fullscreen=kiosk_fullscreen)
        self.sale = self.window.pages["sale"]
        if self.ctx.requires_sign_in:  # the till starts locked: the demo cashier signs in
            self.window.lock_page.fill_and_submit(self.cfg.operator.id, DEMO_PIN["cashier"])

    def say(self, text: str, who: str = "demo") -> None:
        """One transcript line."""
        line = f"[{time.monotonic() - self.t0:6.2f}s] {who:5} {text}"
        self.lines.append(line)

    def ready(self, timeout: float = 30.0) -> None:
        """Wait until the Counter is open and the scan box is connected."""
        wait(lambda: self.ctx.session.counter is not None, "结算引擎就绪", timeout)
        wait(lambda: self.ctx.till_open, "收银员登录", timeout)
        st = wait(lambda: self.ctx.scanner.status if self.ctx.scanner.status and
                  self.ctx.scanner.status.state == "connected" else None, "扫码盒连接", timeout)
        self.say(f"scan box connected on {st.device}")

    def show_code(self, status: str = "active", **match) -> str:
        """The phone shows a fresh code for a roster person; it goes through the virtual scan box."""
        by_holder = match.pop("by_holder", False)
        p = self.sim.person(status, **match)
        fam = p.get("family") or {}
        by = fam.get("holder") if by_holder and fam.get("role") == "member" else None
        code = self.sim.code(p["psn_no"], by)
        self.say(f"phone: {p['name']} ({status}{', shown by family holder' if by else ''}) shows "
                 f"{code[:4]}…{code[-4:]}")
        self.box.scan(code)
        return code

    def shot(self, directory: Path | None, name: str) -> Path | None:
        """Save a screenshot of the whole window."""
        if directory is None:
            return None
        directory.mkdir(parents=True, exist_ok=True)
        spin(60)  # let pending paints land
        path = directory / f"{name}.png"
        pix = self.window.grab()
        dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()]
        if dialogs:  # a modal dialog is its own top-level window: paint it where it would appear
            p = QPainter(pix)
            for dlg in dialogs:
                img = dlg.grab()
                p.drawPixmap((pix.width() - img.width()) // 2, (pix.height() - img.height()) // 3, img)
            p.end()
        pix.save(str(path))
        self.say(f"screenshot {path}")
        return path

    def close(self) -> None:
        """Close the window, stop the Counter and the scan box, and free the window.

        Freed, not just closed: a closed window lives on with its thousands of widgets, which every later
        style sheet (each new terminal sets one) polishes again, and a kiosk page filters every event of
        the app. The screenshot tour and the UI tests make many terminals in one process: by the fortieth
        test, building a terminal took 5 s instead of 0.3 s, and every wait ran that much closer to its
        timeout."""
        self.ctx.force_close()
        spin(50)
        self.box.close()
        self.window.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
