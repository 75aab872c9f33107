"""The Qt event filter of the keyboard wedge: scanner bursts are caught, typing reaches the field."""
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

pytest.importorskip("pytestqt")
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget  # noqa: E402

from ui.qt_wedge import QtWedge, protect  # noqa: E402

CODE = "1100223344556677889900112233"  # repeated digits must survive


class FakeClock:
    def __init__(self):
        self.t = 100.0

    def __call__(self):
        return self.t


@pytest.fixture
def form(qtbot):
    w = QWidget()
    lay = QVBoxLayout(w)
    name, other = QLineEdit(), QLineEdit()
    lay.addWidget(name)
    lay.addWidget(other)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    name.setFocus()
    qtbot.waitUntil(name.hasFocus)
    return w, name, other


@pytest.fixture
def wedge(qtbot):
    clock = FakeClock()
    wg = QtWedge(gap_ms=50, min_length=8, clock=clock)
    wg.clock_ = clock
    wg.start()
    yield wg
    wg.stop()


def press(window, keys, clock, gap):
    """Key clicks at the window (the way hardware keys arrive), `gap` seconds apart on the clock."""
    for k in keys:
        if k == "Enter":
            QTest.keyClick(window, Qt.Key_Return)
        elif k == "Tab":
            QTest.keyClick(window, Qt.Key_Tab)
        else:
            QTest.keyClick(window, k)
        clock.t += gap


def test_scanner_burst_is_caught_and_kept_out_of_the_field(form, wedge, qtbot):
    w, name, _ = form
    with qtbot.waitSignal(wedge.scanned, timeout=2000) as sig:
        press(w.windowHandle(), list(CODE) + ["Enter"], wedge.clock_, 0.004)
    ev = sig.args[0]
    assert (ev.text, ev.source) == (CODE, "wedge")
    assert name.text() == "" and name.hasFocus()


def test_human_typing_reaches_the_field_in_order(form, wedge, qtbot):
    w, name, _ = form
    scans = []
    wedge.scanned.connect(scans.append)
    press(w.windowHandle(), "hello 12345678", wedge.clock_, 0.15)
    wedge.clock_.t += 1.0
    wedge.poll()
    assert name.text() == "hello 12345678"
    assert scans == []


def test_mixed_typing_and_scan_with_idle_commit(form, wedge, qtbot):
    w, name, _ = form
    win = w.windowHandle()
    press(win, "ab", wedge.clock_, 0.2)
    wedge.clock_.t += 0.3
    with qtbot.waitSignal(wedge.scanned, timeout=2000) as sig:
        press(win, CODE, wedge.clock_, 0.005)  # no suffix: the idle timer commits it
        wedge.clock_.t += 0.2
    assert sig.args[0].text == CODE
    press(win, "c", wedge.clock_, 0.2)
    wedge.clock_.t += 1.0
    wedge.poll()
    assert name.text() == "abc"


def test_short_fast_burst_with_enter_is_typing(form, wedge, qtbot):
    w, name, _ = form
    scans = []
    wedge.scanned.connect(scans.append)
    returns = []
    name.returnPressed.connect(lambda: returns.append(name.text()))
    press(w.windowHandle(), ["4", "2", "Enter"], wedge.clock_, 0.01)
    assert name.text() == "42" and returns == ["42"] and scans == []


def test_scan_wherever_focus_is(form, wedge, qtbot):
    w, name, other = form
    other.setFocus()
    qtbot.waitUntil(other.hasFocus)
    with qtbot.waitSignal(wedge.scanned, timeout=2000):
        press(w.windowHandle(), list("ABCD1234EFGH") + ["Tab"], wedge.clock_, 0.003)
    assert other.text() == "" and name.text() == "" and other.hasFocus()


def test_one_key_shortcuts_do_not_fire_inside_a_burst(form, wedge, qtbot):
    from PySide6.QtGui import QKeySequence, QShortcut
    from PySide6.QtWidgets import QPushButton
    w, name, _ = form
    button = QPushButton("ok", w)  # focus off text fields: nothing else claims plain keys
    w.layout().addWidget(button)
    button.setFocus()
    qtbot.waitUntil(button.hasFocus)
    fired = []
    QShortcut(QKeySequence("5"), w).activated.connect(lambda: fired.append(1))
    with qtbot.waitSignal(wedge.scanned, timeout=2000) as sig:
        press(w.windowHandle(), list("1234567890") + ["Enter"], wedge.clock_, 0.004)
    assert sig.args[0].text == "1234567890" and fired == []
    wedge.clock_.t += 1.0
    press(w.windowHandle(), "5", wedge.clock_, 0.2)  # typed alone, the shortcut is still there
    assert fired == [1]


def test_protect_turns_input_methods_off(form):
    _, name, _ = form
    assert name.testAttribute(Qt.WA_InputMethodEnabled)
    protect(name)
    assert not name.testAttribute(Qt.WA_InputMethodEnabled)
    assert name.inputMethodHints() & Qt.ImhPreferLatin


def test_ime_off_everywhere_on_focus(form, qtbot):
    _, name, other = form
    wg = QtWedge(ime_off_everywhere=True)
    wg.start()
    try:
        other.setFocus()
        qtbot.waitUntil(lambda: not other.testAttribute(Qt.WA_InputMethodEnabled))
    finally:
        wg.stop()


def test_stop_delivers_held_typing(form, wedge, qtbot):
    w, name, _ = form
    press(w.windowHandle(), "x", wedge.clock_, 0.01)
    assert name.text() == ""  # held: could be the start of a scan
    wedge.stop()
    assert name.text() == "x"
    wedge.start()
