"""SIGTERM (systemctl stop) that comes before the event loop runs — while the window is still being built —
still ends the app once the loop starts, instead of being lost until SIGKILL."""
import os
import subprocess
import sys

PROBE = r"""
import os, signal
from PySide6.QtCore import QTimer
from ui.qt_app import make_qapp, quit_on_signals
app = make_qapp(headless=True)
quit_on_signals(app)
os.kill(os.getpid(), signal.SIGTERM)   # the handler runs now, before app.exec()
QTimer.singleShot(20000, lambda: app.exit(3))
print("exec", app.exec(), flush=True)
"""


def test_sigterm_before_the_event_loop_still_ends_it():
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECPOS_")}
    run = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.strip() == "exec 0"      # 3 would be the watchdog: the signal was lost
