"""The platform pill follows the platform, not the last sale: a heartbeat probe (an HTTP GET, no
transaction) every few seconds while idle says 离线 soon after the service stops, and 立即同步 asks again
at once when it is back."""
from __future__ import annotations

from PySide6.QtCore import Qt


def test_platform_pill_follows_a_stopped_and_restarted_service(terminal, sim, qtbot):
    d = terminal("pharmacy")
    pill = d.window.status.platform
    qtbot.waitUntil(lambda: d.ctx.session.last_beat is not None and pill.text() == "医保平台：在线",
                    timeout=15000)
    before = sim.ledger()
    sim.stop()                                       # no sale, no sync: only the heartbeat can tell
    qtbot.waitUntil(lambda: pill.text() == "医保平台：离线", timeout=15000)
    assert not d.ctx.session.last_beat.online
    assert d.window.pages["settings"].online.text().startswith("离线")   # settings says the same
    sim.start()                                      # back (same port, same DB)
    qtbot.mouseClick(d.window.status.sync_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: pill.text() == "医保平台：在线", timeout=5000)   # at once, not at the next beat
    assert "最后检测" in pill.toolTip()
    assert d.window.pages["settings"].online.text() == "在线"
    assert sim.ledger() == before                    # the probes reached nothing the platform records


def test_settings_says_what_the_pill_says_after_a_failed_exchange(terminal, sim, qtbot):
    """The probe's GET answering cannot bring 在线 back after a real exchange failed (issue 21): the settings
    page follows the same rule as the pill (terminal/counter.py answering), not the probe alone."""
    d = terminal("pharmacy")
    pill, settings = d.window.status.platform, d.window.pages["settings"].online
    qtbot.waitUntil(lambda: pill.text() == "医保平台：在线" and d.ctx.session.last_beat is not None, timeout=15000)
    sim.faults("*:reset")                             # every transaction lost on the way; the GET still answers
    d.show_code()
    qtbot.waitUntil(lambda: pill.text() == "医保平台：离线", timeout=15000)
    beats = d.ctx.session.last_beat
    qtbot.waitUntil(lambda: d.ctx.session.last_beat is not beats, timeout=15000)  # a probe since: it answered
    assert d.ctx.session.last_beat.online
    assert pill.text() == "医保平台：离线" and settings.text().startswith("离线")
