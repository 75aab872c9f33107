"""Acceptance harness: the assembled app driven only as its users drive it (issue 21).

`till` starts the reference service, a till data dir (operators registered, the pharmacy's catalogue imported
with `ecpos catalogue import` as a process) and the main window exactly as `ecpos app` builds it
(ui.cli.open_app), at each screen size counters have. A script then only
- types on the window or on whatever has focus (qtbot.keyClicks / keyClick), clicks what it sees by its text,
- shows codes at the serial scan box (a pty) or types them as a USB barcode gun does (fast keys + Enter),
- reads what a user reads: the visible text of the window and its dialogs (table cells as elided on screen),
  the receipt files, and `ecpos journal --json` run as a process.
Never a view's method or a private widget. ECPOS_SHOTS=1 saves the screenshots README shows
(docs/screenshots/), so a plain `make test` never rewrites them.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QEvent, QObject, Qt  # noqa: E402
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QApplication, QComboBox, QDialog,  # noqa: E402
                               QLabel, QLineEdit, QPlainTextEdit, QStyle, QTableWidget, QTabWidget,
                               QWidget)

from tests.conftest import write_toml  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SIZES = [(1366, 768), (1024, 768)]
PINS = {"c01": "2468", "sup01": "1357"}
SHOTS = ROOT / "docs" / "screenshots"

# The pharmacy's own list as its ERP exports it (医保编码, 名称, 规格, 单价, 条码): what `ecpos catalogue import`
# takes. The barcodes are EAN-13 with a right check digit.
CATALOGUE = """医保编码,名称,规格,单价,条码
ZA01AAL0345010103456,连花清瘟胶囊,0.35g*24粒,14.80,6901234567892
XJ01DDA131A001010100321,头孢克肟胶囊,0.1g*6粒,28.50,6920000000012
XM01AEB024A001010100212,布洛芬缓释胶囊,0.3g*20粒,16.90,6930000000011
XR06AXL032A001010100118,氯雷他定片,10mg*6片,19.80,6940000000010
"""


def ecpos(cfg_file: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run `ecpos ...` as a process on this till's configuration (as the IT admin or a script would)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECPOS_")}
    return subprocess.run([sys.executable, "-m", "ecpos", "--config", str(cfg_file), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def _cell_text(table: QTableWidget, row: int, col: int) -> str:
    """A cell as the screen shows it: elided to the column's width, a spin box's value."""
    w = table.cellWidget(row, col)
    if w is not None:
        return w.text() if hasattr(w, "text") else ""
    item = table.item(row, col)
    if item is None:
        return ""
    margin = table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1
    room = table.columnWidth(col) - 2 * margin  # what QItemDelegate leaves the text
    mode = getattr(table.itemDelegateForColumn(col), "elide", table.textElideMode())  # how it is drawn
    return table.fontMetrics().elidedText(item.text(), mode, max(room, 0))


def table_rows(table: QTableWidget) -> tuple[list[str], list[dict[str, str]]]:
    """The shown columns' headers, and each row as {header: text on screen}."""
    cols = [c for c in range(table.columnCount()) if not table.isColumnHidden(c)]
    heads = [table.horizontalHeaderItem(c).text() if table.horizontalHeaderItem(c) else "" for c in cols]
    return heads, [{h: _cell_text(table, r, c) for h, c in zip(heads, cols)} for r in range(table.rowCount())]


def visible_text(top: QWidget) -> list[str]:
    """Every piece of text a person can see in a top-level window, in widget order."""
    out = []
    for w in [top, *top.findChildren(QWidget)]:
        if w is not top and not w.isVisibleTo(top) or not w.isVisible() or w.window() is not top:
            continue  # hidden, or a dialog of its own (read as its own window)
        if isinstance(w, QLabel | QAbstractButton) and w.text():
            out.append(w.text())
        elif isinstance(w, QLineEdit) and w.echoMode() == QLineEdit.Normal and w.text():
            out.append(w.text())
        elif isinstance(w, QPlainTextEdit):
            out.append(w.toPlainText())
        elif isinstance(w, QComboBox):
            out.append(w.currentText())
        elif isinstance(w, QTabWidget):
            out.append(w.tabText(w.currentIndex()))
        elif isinstance(w, QTableWidget):
            out.append(" | ".join(table_rows(w)[0]))
            out.extend(" | ".join(row.values()) for row in table_rows(w)[1])
        elif isinstance(w, QAbstractItemView) and w.model() is not None:  # a suggestion list
            m = w.model()
            out.extend(str(m.index(r, 0).data()) for r in range(m.rowCount()))
    return out


class _DisabledLosesFocus(QObject):
    """What a real display does and offscreen Qt does not: a field disabled while it has the cursor loses it
    (on X the cursor went nowhere, so Enter after F5 did nothing there while offscreen it still confirmed).
    Checked: the script fails under Xvfb (QT_QPA_PLATFORM=xcb) without the view's fix, as here."""

    def eventFilter(self, obj, event) -> bool:
        if (event.type() == QEvent.EnabledChange and isinstance(obj, QWidget) and not obj.isEnabled()
                and obj is QApplication.focusWidget()):
            obj.clearFocus()
        return False


class Till:
    """One pharmacy till as its cashier meets it. Everything here is what a person does or sees."""

    def __init__(self, qtbot, sim, workdir: Path, size: tuple[int, int], name: str,
                 overrides: dict | None = None):
        from terminal import config as config_mod
        from terminal.office import operators
        from terminal.journal.journal import Journal
        from ui.cli import open_app
        from ui.demo.vpty import VirtualScanBox
        self.qtbot, self.sim, self.size, self.name = qtbot, sim, size, name
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.box = VirtualScanBox()
        lib = ROOT / "build" / "lib64" / "libnationec.so"
        self.cfg_file = write_toml(workdir / "till.toml", {
            "profile": "pharmacy", "center.url": sim.url, "devices.scanner": "serial",
            "devices.serial_port": self.box.path, "devices.serial_terminator": "CR", "devices.sound": False,
            "credential.adapter": "library" if lib.exists() else "http", "institution.msgid_node": 7,
            **(overrides or {})})
        env = {k: v for k, v in os.environ.items() if not k.startswith("ECPOS_")}
        self.cfg = config_mod.load(profile="pharmacy", config_file=self.cfg_file, data_dir=workdir / "data",
                                   env=env)
        # what the IT admin did before the first day: the cashier and the supervisor registered, the
        # pharmacy's list imported (as a process, the way it is done)
        journal = Journal.for_config(self.cfg)
        try:
            operators.add(journal, "c01", "cashier", PINS["c01"], actor="it")
            operators.add(journal, "sup01", "supervisor", PINS["sup01"], actor="it")
        finally:
            journal.close()
        csv = workdir / "目录.csv"
        csv.write_text(CATALOGUE, encoding="utf-8")
        done = ecpos(self.cfg_file, "--data-dir", str(workdir / "data"), "catalogue", "import", str(csv))
        assert done.returncode == 0, done.stderr
        if os.environ.get("QT_QPA_PLATFORM") == "offscreen":
            self._focus_rule = _DisabledLosesFocus()
            QApplication.instance().installEventFilter(self._focus_rule)
        self.ctx, self.window = open_app(self.cfg, "zh_CN")
        self.window.resize(*size)
        qtbot.waitUntil(lambda: (self.window.width(), self.window.height()) == size, timeout=5000)
        self.window.activateWindow()
        qtbot.waitUntil(self.window.isActiveWindow, timeout=5000)
        qtbot.waitUntil(lambda: "扫码器：已连接" in self.text(), timeout=20000)

    # -- hands --------------------------------------------------------------------------------------
    def focus(self) -> QWidget:
        """Where keys go: a dialog that just opened takes them once the window system activates it."""
        active = QApplication.activeWindow()
        if active is None or not active.isVisible():
            # a dialog or a list closed: a window manager gives the main window back its keyboard (offscreen
            # has none)
            self.window.activateWindow()
            self.qtbot.waitUntil(self.window.isActiveWindow, timeout=2000)
        modal = QApplication.activeModalWidget()
        if modal is not None:
            try:
                self.qtbot.waitUntil(lambda: modal.isAncestorOf(QApplication.focusWidget()), timeout=2000)
            except Exception:
                return modal.focusWidget() or modal
        return QApplication.focusWidget() or self.window

    def focused(self) -> str:
        """What the cursor is in, as a person sees it: the field's placeholder or text (for failures)."""
        w = QApplication.focusWidget()
        return "" if w is None else f"{type(w).__name__} {getattr(w, 'placeholderText', lambda: '')()!r}"

    def target(self) -> QWidget:
        """Where the window system delivers the next key: an open popup list (it grabs the keyboard, as a
        suggestion list does on a real display; offscreen Qt cannot grab, so we deliver there), else focus."""
        popup = QApplication.activePopupWidget()
        return popup if popup is not None and popup.isVisible() else self.focus()

    def type(self, text: str, delay: int = -1) -> None:
        """Type on whatever has the keyboard (a person at the keyboard), key by key."""
        for ch in text:
            self.qtbot.keyClicks(self.target(), ch, delay=delay)

    def key(self, key, modifier=Qt.NoModifier) -> None:
        """One key on whatever has the keyboard (function keys reach the window's shortcuts from there)."""
        self.qtbot.keyClick(self.target(), key, modifier)

    def enter(self) -> None:
        self.key(Qt.Key_Return)

    def gun(self, code: str) -> None:
        """A USB barcode gun: the code as fast keystrokes and Enter, into the field that has focus."""
        self.type(code)
        self.enter()

    def scan(self, code: str) -> None:
        """A code shown at the serial scan box."""
        self.box.scan(code)

    def show_phone(self, status: str = "active", by_holder: bool = False, **match) -> dict:
        """A patient holds their phone's 医保码 to the scan box; returns the roster person."""
        p = self.sim.person(status, **match)
        fam = p.get("family") or {}
        by = fam.get("holder") if by_holder else None
        self.scan(self.sim.code(p["psn_no"], by))
        return p

    def click(self, text: str) -> None:
        """Click the visible button whose text starts with `text` (a person's finger on the screen)."""
        tops = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
        for top in sorted(tops, key=lambda w: w is not QApplication.activeModalWidget()):
            for b in top.findChildren(QAbstractButton):
                if b.isVisible() and b.isEnabled() and b.text().replace("&", "").startswith(text):
                    self.qtbot.mouseClick(b, Qt.LeftButton)
                    return
        raise AssertionError(f"no button {text!r} on screen:\n" + self.text())

    def click_row(self, *words: str) -> None:
        """Click the first row of the visible table whose cells show all `words` (picking a sale in a list)."""
        self.sees(*words)  # a list fills from the journal a moment after it is shown
        for table in self.window.findChildren(QTableWidget):
            if not table.isVisible():
                continue
            for r, row in enumerate(table_rows(table)[1]):
                if all(any(w in cell for cell in row.values()) for w in words):
                    col = next(c for c in range(table.columnCount()) if not table.isColumnHidden(c))
                    rect = table.visualRect(table.model().index(r, col))
                    self.qtbot.mouseClick(table.viewport(), Qt.LeftButton, pos=rect.center())
                    return
        raise AssertionError(f"no row with {words} on screen:\n" + self.text())

    # -- eyes ---------------------------------------------------------------------------------------
    def text(self) -> str:
        """All text on screen: the window, then any dialog or popup over it."""
        parts = visible_text(self.window)
        for top in QApplication.topLevelWidgets():
            if top is not self.window and top.isVisible() and isinstance(top, QDialog | QAbstractItemView):
                parts += visible_text(top)
        return "\n".join(parts)

    def sees(self, *words: str, timeout: int = 20000) -> str:
        """Wait until every word is on screen; the screen's text when it is (a readable failure otherwise)."""
        try:
            self.qtbot.waitUntil(lambda: all(w in self.text() for w in words), timeout=timeout)
        except Exception:
            raise AssertionError(f"not on screen: {[w for w in words if w not in self.text()]}; "
                                 f"cursor in {self.focused()} (active: {QApplication.activeWindow()})\n"
                                 f"--- screen ---\n{self.text()}") from None
        return self.text()

    def bill(self) -> list[dict[str, str]]:
        """The bill's rows as the screen shows them: {column header: text}."""
        table = next(t for t in self.window.findChildren(QTableWidget) if t.isVisible()
                     and "名称" in table_rows(t)[0])
        return table_rows(table)[1]

    def receipts(self) -> list[Path]:
        """The receipt files printed so far, oldest first."""
        folder = Path(self.cfg.data_dir) / "receipts"
        return sorted(folder.glob("*.txt"), key=lambda p: p.stat().st_mtime) if folder.exists() else []

    def receipt(self, n: int) -> str:
        """The n-th receipt printed (1-based) once it is whole on disk."""
        def whole():
            files = self.receipts()
            return len(files) >= n and files[n - 1].read_text(encoding="utf-8").rstrip().endswith("先医保电子凭证后医保卡")
        try:
            self.qtbot.waitUntil(whole, timeout=10000)
        except Exception:
            pass
        files = self.receipts()
        assert len(files) >= n, f"only {len(files)} receipts printed"
        return files[n - 1].read_text(encoding="utf-8")

    def journal(self) -> list[dict]:
        """`ecpos journal --json`, as a process."""
        done = ecpos(self.cfg_file, "--data-dir", str(self.cfg.data_dir), "journal", "--json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    def shot(self, name: str) -> None:
        """With ECPOS_SHOTS set, save what the screen shows (window and dialogs) for README."""
        if not os.environ.get("ECPOS_SHOTS") or self.size != SIZES[0]:
            return
        from PySide6.QtGui import QPainter
        QApplication.processEvents()
        pix = self.window.grab()
        p = QPainter(pix)
        for top in QApplication.topLevelWidgets():
            if top is not self.window and top.isVisible() and isinstance(top, QDialog | QAbstractItemView):
                at = top.mapToGlobal(top.rect().topLeft()) - self.window.mapToGlobal(self.window.rect().topLeft())
                if isinstance(top, QDialog):
                    at.setX((pix.width() - top.width()) // 2)
                    at.setY((pix.height() - top.height()) // 3)
                p.drawPixmap(at, top.grab())
        p.end()
        SHOTS.mkdir(parents=True, exist_ok=True)
        pix.save(str(SHOTS / f"day-{name}.png"))

    def close(self) -> None:
        from PySide6.QtCore import QCoreApplication
        if getattr(self, "_focus_rule", None) is not None:
            QApplication.instance().removeEventFilter(self._focus_rule)
        self.ctx.force_close()
        t = time.monotonic() + 0.05
        while time.monotonic() < t:
            QApplication.processEvents()
        self.box.close()
        self.window.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture(params=SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def screen(request):
    """The counter's screen: 1366x768 (most tills), 1024x768 (old ones)."""
    return request.param


@pytest.fixture
def till(sim, qtbot, tmp_path, screen):
    """Factory: till(**{"section.key": value}) -> a Till on `screen`, the reference service behind it."""
    made = []

    def make(overrides: dict | None = None) -> Till:
        t = Till(qtbot, sim, tmp_path / f"till{len(made)}", screen, f"{screen[0]}x{screen[1]}", overrides)
        made.append(t)
        return t
    yield make
    for t in made:
        t.close()
