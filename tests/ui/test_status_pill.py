"""The platform pill tells the truth at once when the counter's own exchange says so: 离线 right after a
request failed to reach the platform, and 在线 right after the platform answered again — not 5 s later, at the
next heartbeat (the pill stayed 离线 after a successful sale until then)."""
from __future__ import annotations

import time

import pytest

from terminal.wire.heartbeat import Beat
from terminal.sale.records import CounterStatus
from ui.widgets.qt_status_bar import QtStatusBar

pytestmark = pytest.mark.qt


def status(online: bool) -> CounterStatus:
    return CounterStatus(online=online, queued_refunds=0, unknown_outcomes=0, signed_in=True, profile="pharmacy")


def shown(bar) -> str:
    """The pill's state (ok 在线 / bad 离线), whatever language another test left the app in."""
    return bar.platform.property("state")


def test_the_pill_follows_the_counters_own_exchanges_between_heartbeats(qtbot):
    bar = QtStatusBar()
    qtbot.addWidget(bar)
    bar.set_heartbeat(Beat(online=True, at=time.time(), seen="HTTP 200"))
    bar.set_counter(status(True))
    assert shown(bar) == "ok"
    bar.set_counter(status(False))              # a sale's request did not reach the platform
    assert shown(bar) == "bad"
    bar.set_heartbeat(Beat(online=False, at=time.time(), seen="connection refused"))
    bar.set_counter(status(False))              # nothing new from the counter: the heartbeat's word stands
    assert shown(bar) == "bad"
    bar.set_counter(status(True))               # the platform answered the next sale
    assert shown(bar) == "ok"
    bar.set_counter(status(True))
    bar.set_heartbeat(Beat(online=False, at=time.time(), seen="timeout"))  # a fresher probe failed
    bar.set_counter(status(True))
    assert shown(bar) == "bad"


def test_a_probe_cannot_undo_a_failed_exchange(qtbot):
    """Issue 21 item 6: in a 503 outage the probe GET answers while every request fails; only a real
    exchange (the next sale, or Counter.recheck) brings 在线 back."""
    bar = QtStatusBar()
    qtbot.addWidget(bar)
    bar.set_heartbeat(Beat(online=True, at=time.time(), seen="HTTP 200"))
    bar.set_counter(status(False))              # a request got 503
    bar.set_heartbeat(Beat(online=True, at=time.time(), seen="HTTP 404"))   # the GET still answers
    bar.set_counter(status(False))
    assert shown(bar) == "bad"
    bar.set_counter(status(True))               # the recheck's 9001 was answered
    assert shown(bar) == "ok"
