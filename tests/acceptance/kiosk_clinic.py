"""Harness for the kiosk and clinic walkthroughs (issue 21): the app as `ecpos app --profile kiosk|clinic`
builds it, driven only as its users drive it, read only as they read it.

- The window: `AppContext` + `build_window`, the two calls `ui/cli.py cmd_app` makes, on a till data dir
  with the demo's operators, then given the screen's size (a kiosk is full screen; a desk's window is
  maximised) at 1366×768 or 1024×768.
- Touches: `touch(text)` finds a visible widget showing `text` and presses the window at that point as a
  finger would (the press goes to whatever is under it, through the window, not to a widget's method).
- Keys: `key(...)` / `type(...)` on the window's focus widget, as a keyboard does.
- Codes: a virtual serial scan box (a pty, ui/demo/vpty.py) the app opens as its scanner.
- Reading: `screen()` is every visible text in the window and its dialogs; `receipts()` the printed
  receipts' text; `journal()` runs `ecpos journal --json` as a process.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPoint, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import (QAbstractButton, QApplication, QComboBox, QLabel, QLineEdit,  # noqa: E402
                               QTabBar, QTableWidget, QWidget)

from ui.demo.director import DEMO_PIN, add_operators, demo_config, spin  # noqa: E402
from ui.demo.vpty import VirtualScanBox  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SIZES = [(1366, 768), (1024, 768)]
WAIT_S = 15.0


def quick_clock(monkeypatch) -> None:
    """The session's status poll, heartbeat and recheck at a test's pace (1 s, 1 s, 2 s instead of 3 s, 5 s,
    10 s): an outage script then waits seconds, not a quarter of a minute, for what a till does by itself."""
    import ui.qt_session as qs
    monkeypatch.setattr(qs, "STATUS_MS", 1000)
    monkeypatch.setattr(qs, "HEARTBEAT_MS", 1000)
    monkeypatch.setattr(qs, "RECHECK_S", 2.0)


def _shown(w: QWidget) -> bool:
    return w.isVisible() and w.width() > 0 and w.height() > 0


def _texts(top: QWidget) -> list[str]:
    out = []
    for w in top.findChildren(QWidget):
        if not _shown(w):
            continue
        if isinstance(w, QLineEdit) and w.echoMode() != QLineEdit.Normal:
            t = "•" * len(w.text())  # a PIN shows as dots
        elif isinstance(w, (QLabel, QAbstractButton, QLineEdit)):
            t = w.text()
        elif isinstance(w, QComboBox):
            t = w.currentText()
        elif isinstance(w, QTabBar):
            t = " | ".join(w.tabText(i) for i in range(w.count()))
        elif isinstance(w, QTableWidget):
            t = " ".join(w.item(r, c).text() for r in range(w.rowCount()) for c in range(w.columnCount())
                         if w.item(r, c) is not None)
        else:
            continue
        if t:
            out.append(t)
    return out


class Till:
    """One till: its config, window, scan box, receipts and journal."""

    def __init__(self, sim, workdir: Path, profile: str, size: tuple[int, int], overrides: dict | None = None):
        from ui.qt_app import AppContext, build_window
        self.sim, self.profile, self.size = sim, profile, size
        self.box = VirtualScanBox()
        self.cfg = demo_config(Path(workdir), profile, sim.url, self.box.path,
                               {"kiosk.idle_timeout_s": 30, **(overrides or {})})
        add_operators(self.cfg)
        from terminal import logs
        logs.to_file(self.cfg.data_dir / "ecpos.log")  # as cmd_app's load_config does
        self.ctx = AppContext(self.cfg)  # as ui/cli.py cmd_app
        self.window = build_window(self.ctx)
        # the kiosk takes the whole screen; a desk's window is maximised on it
        self.window.setGeometry(0, 0, *size)
        self.window.activateWindow()  # the user's window in front, with the keyboard
        self.wait(lambda: QApplication.activeWindow() is self.window, "the window active")
        self.wait(lambda: self.ctx.session.counter is not None, "the counter opened")
        self.wait(lambda: self.ctx.scanner.status is not None and self.ctx.scanner.status.state == "connected",
                  "the scan box connected")

    # -- time -----------------------------------------------------------------------------------------
    def wait(self, cond, what: str, timeout: float = WAIT_S):
        """Run the event loop until cond() is truthy; fails naming `what` and showing the screen."""
        end = time.monotonic() + timeout
        while True:
            value = cond()
            if value:
                return value
            if time.monotonic() > end:
                raise AssertionError(f"timed out waiting for {what}; the screen shows:\n{self.screen()}")
            spin(20)

    def see(self, text: str, timeout: float = WAIT_S) -> str:
        """Wait until `text` is on screen; returns the screen."""
        self.wait(lambda: text in self.screen(), f"{text!r} on screen", timeout)
        return self.screen()

    def sign_in(self) -> None:
        """The clerk signs in at the locked desk by keys: their id, Enter, their PIN, Enter."""
        self.see("收银台已锁定，请登录")
        self.type(self.cfg.operator.id)
        self.key(Qt.Key_Return)
        self.type(DEMO_PIN["cashier"])
        self.key(Qt.Key_Return)
        self.see("已登录")

    def idle(self) -> None:
        """Wait until the app's worker has nothing in flight (a step's platform work is done)."""
        self.wait(lambda: not self.ctx.session.worker.busy, "the worker to finish")
        spin(50)

    # -- reading ----------------------------------------------------------------------------------------
    def screen(self) -> str:
        """Every visible text of the window and its open dialogs, one per line."""
        tops = [self.window] + [w for w in QApplication.topLevelWidgets()
                                if w is not self.window and _shown(w) and w.parent() is not None]
        seen, lines = set(), []
        for top in tops:
            for t in _texts(top):
                if t not in seen:
                    seen.add(t)
                    lines.append(t)
        return "\n".join(lines)

    def receipts(self) -> list[str]:
        """The printed receipts' text copies, oldest first."""
        folder = self.cfg.data_dir / "receipts"
        return [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"), key=os.path.getmtime)] \
            if folder.exists() else []

    def ecpos(self, *argv: str) -> subprocess.CompletedProcess:
        """`ecpos ARGV` run as a process on this till's config and data dir (as staff run it)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("ECPOS_")}
        env["ECPOS_PROFILE"] = self.profile
        return subprocess.run([sys.executable, "-m", "ecpos", "--config", str(self.cfg.data_dir.parent / "demo.toml"),
                               "--data-dir", str(self.cfg.data_dir), *argv],
                              capture_output=True, text=True, timeout=60, env=env, cwd=ROOT)

    def journal(self) -> list[dict]:
        """`ecpos journal --json` run as a process on this till's data dir, newest first."""
        out = self.ecpos("journal", "--json")
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)

    # -- doing ------------------------------------------------------------------------------------------
    def widget_showing(self, text: str, exact: bool = False) -> QWidget:
        """The visible button (else label) whose text contains (or is) `text`."""
        found = []
        for top in [self.window] + [w for w in QApplication.topLevelWidgets() if _shown(w) and w.parent()]:
            for w in top.findChildren(QWidget):
                if isinstance(w, (QAbstractButton, QLabel)) and _shown(w) and (
                        w.text() == text if exact else text in w.text()):
                    found.append(w)
        found.sort(key=lambda w: not isinstance(w, QAbstractButton))
        assert found, f"nothing on screen shows {text!r}; the screen shows:\n{self.screen()}"
        return found[0]

    def touch_exact(self, text: str) -> None:
        """A finger on the widget whose whole text is `text` (a keypad's digit)."""
        self.touch(text, exact=True)

    def touch(self, text: str, exact: bool = False) -> None:
        """A finger on the widget showing `text` (or a tab's title): a press and release at its centre,
        through the window."""
        tabs = [(bar, i) for bar in self.window.findChildren(QTabBar) if _shown(bar)
                for i in range(bar.count()) if text in bar.tabText(i)]
        if tabs:
            w, i = tabs[0]
            centre = w.tabRect(i).center()
        else:
            w = self.widget_showing(text, exact)
            centre = QPoint(w.width() // 2, w.height() // 2)
        top = w.window()
        at = w.mapTo(top, centre)
        assert top.rect().contains(at), f"{text!r} is off screen at {at} in a {top.width()}x{top.height()} window"
        target = top.childAt(at)
        assert target is not None, f"nothing under {text!r} at {at}"
        # the widget under the finger gets the press, as Qt routes a real touch; it must be the one showing text
        assert target is w or w.isAncestorOf(target), f"{text!r} is covered by {target!r}"
        local = target.mapFrom(top, at)
        QTest.mouseClick(target, Qt.LeftButton, Qt.NoModifier, local)
        spin(30)
        self.fits()

    def fits(self) -> None:
        """The window still fits the screen (a page that grows past it hides its bottom from the user)."""
        w, h = self.size
        assert self.window.width() <= w and self.window.height() <= h, \
            f"the window grew to {self.window.width()}x{self.window.height()} on a {w}x{h} screen"

    def focus(self) -> QWidget:
        w = QApplication.focusWidget()
        return w if w is not None else self.window

    def key(self, key, modifier=Qt.NoModifier) -> None:
        """One key on whatever has focus (the window when nothing has)."""
        QTest.keyClick(self.focus(), key, modifier)
        spin(20)
        self.fits()

    def type(self, text: str) -> None:
        """Typed text on whatever has focus."""
        QTest.keyClicks(self.focus(), text)
        spin(20)

    def show_code(self, status: str = "active", **match) -> str:
        """A patient holds their phone's fresh code to the scan box."""
        code = self.sim.code(self.sim.person(status, **match)["psn_no"])
        self.box.scan(code)
        return code

    def admin_pin(self) -> str:
        return DEMO_PIN["admin"]

    def close(self) -> None:
        from PySide6.QtCore import QCoreApplication, QEvent
        self.ctx.force_close()
        spin(50)
        self.box.close()
        from terminal import logs
        logs.close_file()  # the next test's till (or module) sets its own
        self.window.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
