"""The app in a real X window (Xvfb, the xcb platform plugin): a pharmacy sale through the pty scan box,
then a grab of the X screen itself, which only shows what the X server really displayed."""
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from tests.waiting import wait_until
from ui.demo.vpty import VirtualScanBox

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


def start_xvfb(size: str):
    """An X server on a free display, no window manager; (display, process)."""
    if not shutil.which("Xvfb"):
        if os.environ.get("CI"):
            pytest.fail("Xvfb is missing on CI (make installs the Debian package xvfb)")
        pytest.skip("Xvfb is not installed (Debian package xvfb)")
    n = free_display()
    # -noreset: by default the server resets whenever its last client leaves; the readiness probe and the
    # xdotool polls are such clients, and an app connecting during a reset got "could not connect to
    # display" and aborted (seen under load: the kiosk window then never appeared)
    proc = subprocess.Popen(["Xvfb", f":{n}", "-screen", "0", size, "-nolisten", "tcp", "-noreset"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def ready():
        s = socket.socket(socket.AF_UNIX)
        try:
            return s.connect_ex(f"/tmp/.X11-unix/X{n}") == 0
        finally:
            s.close()
    wait_until(ready, timeout=20, message="Xvfb did not start")
    return f":{n}", proc


@pytest.fixture
def xvfb():
    display, proc = start_xvfb("1366x900x24")
    yield display
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


@pytest.mark.parametrize("size,sig", [("1024x768", signal.SIGTERM), ("1366x768", signal.SIGINT)])
def test_kiosk_fills_a_bare_x_screen_and_ends_on_a_signal_while_locked(sim, tmp_path, size, sig):
    """No window manager (as on an unattended kiosk's bare X session): the window takes the screen's
    geometry itself; systemctl stop (SIGTERM) or Ctrl+C ends it within 3 s although it is locked."""
    if not shutil.which("xdotool"):
        pytest.fail("xdotool is missing (Makefile APT_PKGS)")
    display, xproc = start_xvfb(size + "x24")
    box = VirtualScanBox()
    layer = tmp_path / "kiosk.toml"
    layer.write_text(f'[center]\nurl = "{sim.url}"\n[devices]\nscanner = "serial"\n'
                     f'serial_port = "{box.path}"\nserial_terminator = "CR"\nsound = false\n'
                     '[credential]\nadapter = "http"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECPOS_") and k != "WAYLAND_DISPLAY"}
    env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb")
    log = tmp_path / "app.err"  # a file, not a pipe nobody reads while it runs (a full pipe would block it)
    with open(log, "w") as err:
        app = subprocess.Popen([sys.executable, "-m", "ecpos", "--config", str(layer), "--data-dir",
                                str(tmp_path / "data"), "app", "--profile", "kiosk"], env=env,
                               stdout=subprocess.DEVNULL, stderr=err)
    try:
        def window():
            if app.poll() is not None:
                return ["ended"]  # no use waiting: say why below
            r = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "ecpos"], env=env,
                               capture_output=True, text=True)
            return r.stdout.split()[:1] if r.returncode == 0 else None
        # each poll is a process and an X client: a few a second, not a hundred
        win = wait_until(window, timeout=60, interval=0.2, message="the kiosk window did not appear")[0]
        assert app.poll() is None, f"the app ended ({app.returncode}): {log.read_text()[-3000:]}"

        def geometry():
            r = subprocess.run(["xdotool", "getwindowgeometry", "--shell", win], env=env,
                               capture_output=True, text=True)
            g = dict(line.split("=") for line in r.stdout.split())
            return g if f"{g.get('WIDTH')}x{g.get('HEIGHT')}" == size else None
        g = wait_until(geometry, timeout=10, message=f"the kiosk window is not {size}")
        assert (g["X"], g["Y"]) == ("0", "0")
        sent = time.monotonic()
        app.send_signal(sig)
        code = app.wait(timeout=10)
        took = time.monotonic() - sent
        assert code == 0, log.read_text()[-3000:]
        assert took < 3.0, f"took {took:.1f} s to end"
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()
        box.close()
        xproc.terminate()
        xproc.wait(10)
