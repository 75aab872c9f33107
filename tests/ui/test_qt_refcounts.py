"""PySide6 6.12 on Python < 3.12 drops a reference to None/True on every call and the app aborts after a
few thousand calls. setup.cfg keeps such a build out; this fails if one ever comes back."""
import subprocess
import sys

PROBE = r"""
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QLabel

class Emitter(QObject):
    fired = Signal(bool)

app = QApplication([])
label, emitter = QLabel(), Emitter()
emitter.fired.connect(lambda v: None)
before = sys.getrefcount(None), sys.getrefcount(True)
for _ in range(20000):
    label.setText("x")
    label.setEnabled(True)
    emitter.fired.emit(True)
after = sys.getrefcount(None), sys.getrefcount(True)
print(before[0] - after[0], before[1] - after[1])
"""


def test_qt_calls_do_not_leak_references_to_none_or_true():
    run = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    lost_none, lost_true = map(int, run.stdout.split())
    assert abs(lost_none) < 100 and abs(lost_true) < 100
