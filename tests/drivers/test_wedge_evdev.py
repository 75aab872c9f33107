"""evdev exclusive grab: clear error without the package; key events become codes (fake evdev)."""
import os
import sys
import types

import pytest

from drivers import wedge_evdev
from drivers.events import CONNECTED, ScannerError
from tests.waiting import wait_until

CODES = dict(EV_KEY=1, EV_SYN=0, KEY_LEFTSHIFT=42, KEY_ENTER=28, KEY_A=30,
             **{f"KEY_{d}": 2 + (int(d) - 1) % 10 for d in "1234567890"})


class FakeEvent:
    def __init__(self, code, value, t, type_=1):
        self.type, self.code, self.value, self._t = type_, code, value, t

    def timestamp(self):
        return self._t


class FakeDevice:
    instances = []

    def __init__(self, path):
        if not os.path.exists(path):
            raise OSError(2, "No such device")
        self.path = path
        self.r, self.w = os.pipe()
        self.fd = self.r
        self.events = []
        self.grabbed = False
        FakeDevice.instances.append(self)

    def grab(self):
        self.grabbed = True

    def ungrab(self):
        self.grabbed = False

    def push(self, events):
        self.events += events
        os.write(self.w, b"x")

    def unplug(self):
        self.push(["unplug"])

    def read_one(self):
        if self.events and self.events[0] == "unplug":
            raise OSError(19, "No such device")
        if not self.events:
            os.read(self.r, 1024)
            return None
        return self.events.pop(0)

    def close(self):
        os.close(self.r)
        os.close(self.w)


@pytest.fixture
def fake_evdev(monkeypatch):
    mod = types.ModuleType("evdev")
    mod.ecodes = types.SimpleNamespace(**CODES)
    mod.InputDevice = FakeDevice
    FakeDevice.instances = []
    monkeypatch.setitem(sys.modules, "evdev", mod)
    return mod


def test_missing_evdev_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "evdev", None)  # import evdev -> ImportError
    with pytest.raises(ScannerError) as e:
        wedge_evdev.EvdevWedge(print, path="/dev/input/event9")
    assert e.value.key == "evdev_missing" and "pip install evdev" in e.value.message


def test_grabbed_keys_become_a_code(fake_evdev, tmp_path):
    dev_path = tmp_path / "event-kbd"
    dev_path.write_text("")
    got = []
    src = wedge_evdev.EvdevWedge(got.append, path=str(dev_path), min_length=4)
    src.start()
    try:
        wait_until(lambda: src.status.state == CONNECTED)
        dev = FakeDevice.instances[-1]
        assert dev.grabbed
        t = 1000.0
        keys = []
        for i, name in enumerate(["KEY_1", "KEY_1", "KEY_2", "KEY_LEFTSHIFT", "KEY_A", "KEY_ENTER"]):
            code = CODES[name]
            keys += [FakeEvent(code, 1, t + i * 0.005), FakeEvent(0, 0, t, type_=0)]
            if name != "KEY_LEFTSHIFT":
                keys.append(FakeEvent(code, 0, t + i * 0.005 + 0.001))
        dev.push(keys)
        wait_until(lambda: got)
        assert [(e.text, e.source, e.device) for e in got] == [("112A", "wedge", str(dev_path))]
    finally:
        src.stop()
    assert not FakeDevice.instances[-1].grabbed


def test_unplugged_device_is_reopened(fake_evdev, tmp_path):
    dev_path = tmp_path / "event-kbd"
    dev_path.write_text("")
    states = []
    src = wedge_evdev.EvdevWedge(print, states.append, path=str(dev_path), retry_s=0.01)
    src.start()
    try:
        wait_until(lambda: src.status.state == CONNECTED)
        dev_path.unlink()
        FakeDevice.instances[-1].unplug()
        wait_until(lambda: src.status.state == "reconnecting")
        assert "断开" in next(s.reason for s in states if s.state == "reconnecting")
        dev_path.write_text("")
        wait_until(lambda: src.status.state == CONNECTED and len(FakeDevice.instances) == 2)
    finally:
        src.stop()
