"""`make dist`: the PyInstaller bundle runs without the venv (no PYTHONPATH, a bare PATH, its own HOME and
TMPDIR), the headless demo keeps the receipt it names and leaves no temporary folder, and the .deb holds the
bundle, the command and the systemd units (till app in the user's session, kiosk restarting on failure, sync
as a timer)."""
from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    if shutil.which("dpkg-deb") is None:
        pytest.fail("dpkg-deb missing: the .deb cannot be built (Debian's dpkg package)")
    out = tmp_path_factory.mktemp("dist")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    r = subprocess.run([sys.executable, str(ROOT / "packaging" / "build.py"), "--dist", str(out)],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=1400)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    return out


def bare_env(tmp: Path) -> dict:
    """No venv, no source tree: what a till without Python has."""
    (tmp / "home").mkdir(exist_ok=True)
    (tmp / "tmp").mkdir(exist_ok=True)
    (tmp / "run").mkdir(mode=0o700, exist_ok=True)  # a session's XDG_RUNTIME_DIR
    return {"PATH": "/usr/bin:/bin", "HOME": str(tmp / "home"), "TMPDIR": str(tmp / "tmp"),
            "XDG_RUNTIME_DIR": str(tmp / "run"), "LANG": "C.UTF-8"}


def test_bundle_runs_version_and_the_headless_demo_without_the_venv(dist, tmp_path):
    exe = dist / "ecpos" / "ecpos"
    env = bare_env(tmp_path)
    r = subprocess.run([str(exe), "--version"], env=env, cwd=tmp_path, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0 and re.fullmatch(r"ecpos \d+\.\d+\.\d+\n", r.stdout), r.stdout + r.stderr
    r = subprocess.run([str(exe), "demo", "--headless"], env=env, cwd=tmp_path, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert "demo finished" in r.stdout
    named = re.search(r"demo  receipt: (\S+)", r.stdout).group(1)
    receipt = Path(named)
    assert receipt.is_file() and "3201**********" in receipt.read_text(encoding="utf-8")
    assert receipt.is_relative_to(tmp_path / "home")  # the user's data folder, not a temporary one
    assert list((tmp_path / "tmp").iterdir()) == []  # no temporary folder left behind


def test_deb_installs_the_bundle_with_systemd_units(dist, tmp_path):
    deb = next(dist.glob("ecpos_*_amd64.deb"))
    info = subprocess.run(["dpkg-deb", "--info", str(deb)], capture_output=True, text=True, check=True).stdout
    assert "Package: ecpos" in info and "Depends:" in info
    assert all(script in info for script in ("postinst", "prerm", "postrm"))
    root = tmp_path / "root"
    subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    assert os.readlink(root / "usr/bin/ecpos") == "/opt/ecpos/ecpos"
    r = subprocess.run([str(root / "opt/ecpos/ecpos"), "--version"], env=bare_env(tmp_path),
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.startswith("ecpos "), r.stderr

    def unit(path):
        cp = configparser.ConfigParser(strict=False, interpolation=None)
        cp.optionxform = str
        cp.read(root / path)
        return cp

    till = unit("usr/lib/systemd/user/ecpos-till.service")
    assert "ecpos" in till["Service"]["ExecStart"] and " app" in till["Service"]["ExecStart"]
    assert till["Install"]["WantedBy"] == "graphical-session.target"
    kiosk = unit("usr/lib/systemd/system/ecpos-kiosk.service")
    assert kiosk["Service"]["Restart"] == "on-failure"
    assert "--profile kiosk" in kiosk["Service"]["ExecStart"]
    # vt7 is a display manager's: the kiosk uses another and never starts beside an enabled one
    assert "vt7" not in kiosk["Service"]["ExecStart"] and kiosk["Service"]["TTYPath"] != "/dev/tty7"
    assert kiosk["Unit"]["ConditionPathExists"] == "!/etc/systemd/system/display-manager.service"
    desktop = unit("usr/share/applications/ecpos.desktop")["Desktop Entry"]
    assert desktop["Exec"].startswith("/usr/bin/ecpos ") and desktop["Exec"].endswith(" app")
    assert desktop["Type"] == "Application" and desktop["Name"]
    agent = unit("usr/lib/systemd/system/ecpos-agent.service")
    assert agent["Service"]["ExecStart"].endswith(" agent") and agent["Service"]["User"] == "ecpos"
    assert agent["Service"]["Restart"] == "on-failure" and agent["Install"]["WantedBy"] == "multi-user.target"
    # the system units' account has its home (so its state folder) in the data dir: the head's witness is kept
    # apart from what a backup of /var/lib/ecpos and its .chain brings back
    for svc in (kiosk, agent):
        env = dict(v.split("=", 1) for v in svc["Service"]["Environment"].split("\n") if "=" in v)
        assert env["ECPOS_WITNESS_DIR"] == "/var/lib/ecpos.witness", svc["Service"]["Environment"]
    timer = unit("usr/lib/systemd/user/ecpos-sync.timer")
    assert timer["Timer"]["OnUnitActiveSec"]
    sync = unit("usr/lib/systemd/user/ecpos-sync.service")
    assert sync["Service"]["ExecStart"].endswith(" sync") and sync["Service"]["Type"] == "oneshot"
    # the site layer the units name is a valid (empty) configuration layer
    site = root / "etc/ecpos/site.toml"
    r = subprocess.run([str(root / "opt/ecpos/ecpos"), "--config", str(site), "config"],
                       env=bare_env(tmp_path), capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr


def test_bundle_serves_the_agent_api(dist, tmp_path):
    """The agent's server parts are imported by name at run time (uvicorn's loop and HTTP parser, FastAPI):
    the bundled `ecpos agent` starts, answers /healthz, its OpenAPI and an authorized /v1/status."""
    import json
    import queue
    import threading
    import urllib.request

    env = {**bare_env(tmp_path), "ECPOS_AGENT_TOKEN": "dist-token", "ECPOS_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.Popen([str(dist / "ecpos" / "ecpos"), "agent", "--port", "0"], env=env, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: lines.put(proc.stdout.readline()), daemon=True).start()
    try:
        try:
            line = lines.get(timeout=120)
        except queue.Empty:
            line = ""
        assert line.startswith("listening on http://"), line + (proc.stderr.read() if proc.poll() is not None else "")
        url = line.split()[-1]
        with urllib.request.urlopen(url + "/healthz", timeout=30) as r:
            assert json.load(r) == {"status": "ok"}
        with urllib.request.urlopen(url + "/openapi.json", timeout=30) as r:
            assert "/v1/sales" in json.load(r)["paths"]
        req = urllib.request.Request(url + "/v1/status", headers={"Authorization": "Bearer dist-token"})
        with urllib.request.urlopen(req, timeout=30) as r:
            assert json.load(r)["queued_refunds"] == 0
    finally:
        proc.terminate()
        proc.wait(30)


def test_deb_postinst_adds_the_cashier_to_dialout(dist, tmp_path):
    """The till app runs in the cashier's session and opens the serial scan box: postinst puts the admin who
    installs with sudo (and the logins in /etc/ecpos/cashiers) in dialout. Run with the system commands
    stubbed, so nothing on this machine changes."""
    deb = next(dist.glob("ecpos_*_amd64.deb"))
    control = tmp_path / "control"
    subprocess.run(["dpkg-deb", "-e", str(deb), str(control)], check=True)
    stubs, log = tmp_path / "bin", tmp_path / "calls"
    stubs.mkdir()
    for cmd in ("adduser", "getent", "install", "systemctl"):
        (stubs / cmd).write_text(f'#!/bin/sh\necho "{cmd} $*" >> {log}\n', encoding="utf-8")
        (stubs / cmd).chmod(0o755)
    env = {"PATH": f"{stubs}:/usr/bin:/bin", "SUDO_USER": "alice"}
    r = subprocess.run(["sh", str(control / "postinst"), "configure"], env=env, capture_output=True, text=True,
                       encoding="utf-8", timeout=60)
    assert r.returncode == 0, r.stderr
    calls = log.read_text(encoding="utf-8").splitlines()
    assert "adduser alice dialout" in calls and "alice added to dialout" in r.stdout
    # the folder the system units keep the chain head's witness in (ECPOS_WITNESS_DIR), the account's own
    assert "install -d -o ecpos -g ecpos -m 0700 /var/lib/ecpos.witness" in calls
    env["SUDO_USER"] = "root"
    log.unlink()
    subprocess.run(["sh", str(control / "postinst"), "configure"], env=env, check=True, capture_output=True)
    assert not any(c.startswith("adduser root") for c in log.read_text(encoding="utf-8").splitlines())
