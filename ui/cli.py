"""`ecpos app` (the Qt app against the configured platform) and `ecpos demo` (everything embedded).

PySide6 is imported inside the handlers only, so headless commands never load Qt.
"""
from __future__ import annotations

import argparse

from cmdline.options import load_config

PROFILES = ("pharmacy", "clinic", "kiosk")


def open_app(cfg, lang: str | None = None):
    """(AppContext, main window) for a configuration, shown: what `ecpos app` runs once the QApplication
    exists. The acceptance tests (tests/acceptance) start the app here, so they drive what cashiers get."""
    from ui.qt_app import AppContext, build_window  # why: Qt loads only for the app (see the module's note)
    ctx = AppContext(cfg, language=lang)
    return ctx, build_window(ctx)


def cmd_app(args: argparse.Namespace) -> int:
    """Run the cashier app for the chosen profile."""
    from ui.qt_app import make_qapp, quit_on_signals  # why: Qt loads only for the app
    cfg = load_config(args, profile=args.profile)
    app = make_qapp()
    quit_on_signals(app)
    from fleet import background  # why: the fleet's PostgreSQL driver loads only for the app
    pusher = background.start(cfg)  # replicates the journal when [fleet] dsn is set; its own thread
    ctx, win = open_app(cfg, args.lang)
    win.closed.connect(app.quit)
    code = app.exec()
    ctx.shutdown()
    if pusher:
        pusher.stop()
    return code


def cmd_demo(args: argparse.Namespace) -> int:
    """Embedded simulator + virtual scan box + the app; scripted and offscreen without a display."""
    from ui.demo.runner import run_demo  # why: the demo's simulator and Qt load only for `ecpos demo`
    return run_demo(args)


def register(sub) -> None:
    p = sub.add_parser("app", help="the cashier app (Qt) against the configured platform")
    p.add_argument("--profile", choices=PROFILES)
    p.add_argument("--lang", choices=("zh_CN", "en"), help="UI language (default [ui] language)")
    p.set_defaults(func=cmd_app)
    d = sub.add_parser("demo", help="embedded simulator + virtual scan box + the app")
    d.add_argument("--profile", choices=PROFILES, default="pharmacy")
    d.add_argument("--headless", action="store_true",
                   help="run a scripted sale and refund offscreen, print the transcript, exit")
    d.add_argument("--screenshots", metavar="DIR",
                   help="save every main screen in both languages into DIR (implies --headless)")
    d.add_argument("--lang", choices=("zh_CN", "en"), help="UI language (default [ui] language)")
    d.add_argument("--channel", choices=("national", "zhejiang"), default="national",
                   help="interface variant on both sides (the embedded service and the terminal)")
    d.set_defaults(func=cmd_demo)
