"""`ecpos demo --screenshots DIR`: every main screen of the three profiles, in Chinese and in English."""
from __future__ import annotations

from pathlib import Path

from ui.demo import script
from ui.demo.director import Director, wait
from ui.demo.sim_proc import SimProcess
from ui.qt_i18n import CJK_FAMILIES, cjk_font


def _pharmacy(d: Director, out: Path) -> None:
    script.sign_in(d, out, "pharmacy-sign-in")
    script.shift(d, "200.00", out, "pharmacy-shift-open")
    d.shot(out, "pharmacy-ready")
    s = script.sale(d, out)
    d.sale.next_customer()
    script.sale(d, out, "cash-", insutype="390")  # no personal account: cash to tender, change given
    d.sale.next_customer()
    script.identify(d, "not_activated")
    d.shot(out, "pharmacy-activation-guide")
    d.sale.next_customer()
    script.identify(d, "active", psn_no="3201000000000007", by_holder=True)
    d.shot(out, "pharmacy-family-member")
    d.sale.next_customer()
    script.refund(d, s.setl_id, out)
    day = d.window.pages["dayclose"]
    got = []
    day.reconciled.connect(got.append)
    d.window.show_page("dayclose")
    day.run()
    wait(lambda: got or "失败" in day.verdict.text() or "error" in day.verdict.text().lower(), "日结对账")
    d.shot(out, "pharmacy-day-close")
    stats = d.window.pages["stats"]
    loaded = []
    stats.loaded.connect(loaded.append)
    d.window.show_page("stats")
    wait(lambda: loaded or stats.headline.text(), "统计")
    d.shot(out, "pharmacy-stats")
    d.window.show_page("settings")
    d.ctx.session.refresh_status()
    d.shot(out, "pharmacy-settings")
    d.window.show_page("sale")
    script.shift(d, None, out, "pharmacy-shift-close")  # the handover: the drawer counted as expected


def _clinic(d: Director, out: Path) -> None:
    script.sale(d, out)


def _kiosk(d: Director, out: Path) -> None:
    script.sale(d, out)
    d.sale.go_home()
    script.identify(d, "not_activated")
    d.shot(out, "kiosk-activation-guide")


def tour(work: Path, directory: Path) -> list[Path]:
    """Run each profile in each language and save its screens under DIR/<lang>/. Each language gets a
    fresh simulator so the day-close screens reconcile the same sales in both."""
    if cjk_font().family() not in CJK_FAMILIES:
        print("warning: no CJK font found (fc-list :lang=zh is empty; install fonts-noto-cjk): Chinese "
              "text will show as boxes", flush=True)
    saved: list[Path] = []
    for lang in ("zh_CN", "en"):
        out = directory / lang
        sim = SimProcess(work / f"sim-{lang}").start()
        try:
            for profile, fn in (("pharmacy", _pharmacy), ("clinic", _clinic), ("kiosk", _kiosk)):
                d = Director(sim, work / f"{profile}-{lang}", profile, lang)
                try:
                    d.ready()
                    fn(d, out)
                finally:
                    d.close()
                print("\n".join(d.lines), flush=True)
        finally:
            sim.stop()
        saved += sorted(out.glob("*.png"))
    return saved
