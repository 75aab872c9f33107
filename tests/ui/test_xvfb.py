"""The app in a real X window (Xvfb, the xcb platform plugin): a pharmacy sale through the pty scan box,
then a grab of the X screen itself, which only shows what the X server really displayed."""
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from tests.waiting import wait_until

SCRIPT = r"""
import sys
from pathlib import Path
from ui.demo.sim_proc import SimProcess
from ui.qt_app import make_qapp

work = Path(sys.argv[1])
sim = SimProcess(work / "sim").start()
try:
    app = make_qapp(headless=False)
    from PySide6.QtGui import QGuiApplication
    from ui.demo import script
    from ui.demo.director import Director, spin
    d = Director(sim, work / "pharmacy", "pharmacy", "zh_CN")
    d.window.show()
    d.ready()
    settlement = script.sale(d)
    spin(200)
    QGuiApplication.primaryScreen().grabWindow(0).save(str(work / "screen.png"))
    print("platform", QGuiApplication.platformName(), "visible", d.window.isVisible(),
          "setl_id", settlement.setl_id, flush=True)
    d.close()
finally:
    sim.stop()
"""


def free_display() -> int:
    for n in range(90, 200):
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
            return n
    pytest.fail("no free X display number")


@pytest.fixture
def xvfb():
    if not shutil.which("Xvfb"):
        if os.environ.get("CI"):
            pytest.fail("Xvfb is missing on CI (make installs the Debian package xvfb)")
        pytest.skip("Xvfb is not installed (Debian package xvfb)")
    n = free_display()
    proc = subprocess.Popen(["Xvfb", f":{n}", "-screen", "0", "1366x900x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def ready():
        s = socket.socket(socket.AF_UNIX)
        try:
            return s.connect_ex(f"/tmp/.X11-unix/X{n}") == 0
        finally:
            s.close()
    wait_until(ready, timeout=20, message="Xvfb did not start")
    yield f":{n}"
    proc.terminate()
    proc.wait(10)


def test_pharmacy_sale_in_a_real_x_window(xvfb, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECPOS_") and k != "WAYLAND_DISPLAY"}
    env.update(DISPLAY=xvfb, QT_QPA_PLATFORM="xcb")
    run = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], env=env, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    assert "platform xcb visible True setl_id " in run.stdout
    screen = QImage(str(tmp_path / "screen.png"))
    assert screen.width() == 1366 and screen.height() == 900
    # What the X server shows is the app, not an empty screen: many distinct colours across the grab.
    colours = {screen.pixel(x, y) for x in range(0, 1366, 7) for y in range(0, 900, 7)}
    assert len(colours) > 50
