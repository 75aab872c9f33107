"""`ecpos demo`: start the embedded simulator, then either the interactive app with a phone panel, or
(without a display, with --headless or --screenshots) a scripted sale and refund offscreen."""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

import platformdirs

from terminal.errors import EcposError
from ui.demo import script
from ui.demo.director import DEMO_PIN, Director
from ui.demo.qt_phone_panel import QtPhonePanel, beside
from ui.demo.sim_proc import SimProcess
from ui.demo.tour import tour
from ui.qt_app import make_qapp, quit_on_signals


def _has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def demo_dir(args: argparse.Namespace) -> Path:
    """--data-dir, ECPOS_DATA_DIR, or the user's ecpos data folder's demo/ (emptied at each run, so what
    the last run named, its receipt and screenshots, stays there and no temporary folder is left)."""
    given = args.data_dir or os.environ.get("ECPOS_DATA_DIR")
    if given:
        return Path(given)
    work = Path(platformdirs.user_data_dir("ecpos")) / "demo"
    shutil.rmtree(work, ignore_errors=True)
    return work


# The embedded service's gateway secret, the same on both sides (a real site keeps its own out of files).
DEMO_GATEWAY_SECRET = "ecpos-demo-gateway-secret"


def _channel(args) -> dict:
    """Terminal config for the demo's channel (national needs nothing)."""
    channel = getattr(args, "channel", "national") or "national"
    return {} if channel == "national" else {"center.channel": channel, "gateway.token": DEMO_GATEWAY_SECRET}


def run_demo(args: argparse.Namespace) -> int:
    """The demo command's handler."""
    headless = bool(args.headless or args.screenshots or not _has_display())
    if headless:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    keep = not args.screenshots  # the screenshot tour's terminals are scaffolding: removed after
    work = demo_dir(args) if keep else Path(tempfile.mkdtemp(prefix="ecpos-demo-"))
    work.mkdir(parents=True, exist_ok=True)
    # the demo's tills are made afresh each run: their journal heads' witnesses go with them, not into the
    # user's state folder (terminal/journal/tillkeys.witness_dir)
    os.environ.setdefault("ECPOS_WITNESS_DIR", str(work / "witness"))
    if args.screenshots:
        try:
            make_qapp(headless=True)
            paths = tour(work, Path(args.screenshots))
        finally:
            if not keep:
                shutil.rmtree(work, ignore_errors=True)
        print("screenshots:")
        for p in paths:
            print(f"  {p}")
        return 0
    channel = getattr(args, "channel", "national") or "national"
    sim = SimProcess(work / "sim", channel=channel, ca_secret=DEMO_GATEWAY_SECRET).start()
    print(f"simulator: {sim.url} (db {sim.db})", flush=True)
    try:
        app = make_qapp(headless=headless)
        if headless:
            return _scripted(sim, work, args)
        return _interactive(app, sim, work, args)
    finally:
        sim.stop()


def _scripted(sim, work: Path, args) -> int:
    profile = args.profile
    shots = work / "screenshots"
    d = Director(sim, work / profile, profile, args.lang or "zh_CN", overrides=_channel(args))
    code = 0
    try:
        d.say(f"profile {profile}, data dir {d.cfg.data_dir}, scan box {d.box.path}")
        d.ready()
        s = script.sale(d, shots)
        script.refund(d, s.setl_id, shots)
        st = d.ctx.session.last_status
        if st is not None:
            d.say(f"status: online={st.online} queued_refunds={st.queued_refunds} "
                  f"unknown_outcomes={st.unknown_outcomes}")
        d.say("demo finished: sale and refund done")
    except EcposError as e:
        d.say(f"FAILED: {e}")
        d.shot(shots, f"{profile}-failure")
        code = 1
    finally:
        d.close()
    print("\n".join(d.lines))
    saved = sorted(p for p in shots.glob("*.png")) if shots.exists() else []
    print("screenshots:" + ("" if saved else " none"))
    for p in saved:
        print(f"  {p.resolve()}")
    return code


def _interactive(app, sim, work: Path, args) -> int:
    d = Director(sim, work / args.profile, args.profile, args.lang or "zh_CN",
                 kiosk_fullscreen=False, overrides=_channel(args))
    accounts = (f"演示账号：收银员 {d.cfg.operator.id} 密码 {DEMO_PIN['cashier']} · 主管 sup01 密码 "
                f"{DEMO_PIN['supervisor']}")
    phone = QtPhonePanel(sim, d.box, accounts=accounts)
    phone.resize(320, 600)
    phone.move(beside(d.window.frameGeometry(), d.window.screen().availableGeometry(), phone.size()))
    phone.show()
    d.window.closed.connect(app.quit)
    quit_on_signals(app)  # the simulator child is stopped in run_demo's finally
    print(f"demo running: scan box {d.box.path}; use the phone window to show codes. Close the app to end."
          f" Cashier {d.cfg.operator.id} PIN {DEMO_PIN['cashier']}; supervisor sup01 PIN "
          f"{DEMO_PIN['supervisor']}; kiosk admin {d.cfg.kiosk.admin_id} PIN "
          f"{DEMO_PIN['admin']}.", flush=True)
    code = app.exec()
    phone.close_worker()
    d.close()
    print("\n".join(d.lines), file=sys.stderr)
    return code
