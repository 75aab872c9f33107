"""The app's bridge to a sale's script (ui/qt_session.py checkout / drive): a step begun shows at once on the
GUI thread, its outcome comes back queued from the worker, and a job that dies before the script could say so
never leaves the screen busy."""
from __future__ import annotations

from types import SimpleNamespace

from terminal.states import Stage


class StubCounter:
    """Just what a Checkout asks between steps: the profile's flow."""

    flow = SimpleNamespace(registers=False)

    def identify(self, code):
        return SimpleNamespace(name_masked="张*", code=code)

    def close(self):
        pass


def test_a_step_shows_begun_at_once_then_its_outcome_on_the_gui_thread(qapp, qtbot):
    from ui.qt_session import QtSession
    session = QtSession(SimpleNamespace(), counter_factory=lambda cfg: StubCounter(), poll=False)
    qtbot.waitUntil(lambda: session.counter is not None)
    heard = []
    session.checkout_changed.connect(lambda ch: heard.append((ch.step, ch.stage, ch.error is not None)))
    sale = session.checkout()
    session.drive(sale, "identify", lambda s: s.identify("code"))
    assert heard == [("identify", Stage.IDENTIFYING, False)]          # before the worker has run it
    qtbot.waitUntil(lambda: len(heard) == 2, timeout=5000)
    assert heard[-1] == ("identify", Stage.IDENTIFIED, False)

    def dies_before_the_step(s):
        raise RuntimeError("a fault in the face's own part")
    session.drive(sale, "quote", dies_before_the_step)
    qtbot.waitUntil(lambda: len(heard) == 4, timeout=5000)
    assert heard[2:] == [("quote", Stage.QUOTING, False), ("quote", Stage.IDENTIFIED, True)]  # not left busy
    session.close()
