"""SerialBox on real pseudo-terminals: terminators, split writes, noise, volume, unplug and replug."""
import os
import threading
import time
from types import SimpleNamespace

import pytest

from drivers import serial_box
from drivers.events import CONNECTED, RECONNECTING, STOPPED, ScannerError
from drivers.serial_box import SerialBox, find_port, parse_framing
from tests.waiting import wait_until

CODE = "1234567890123456789012345678"


class Pty:
    """A pseudo-terminal whose slave is reached through a stable symlink (the 'device path')."""

    def __init__(self, link):
        self.link = link
        self.master = None
        self.plug()

    def plug(self):
        master, slave = os.openpty()
        name = os.ttyname(slave)
        os.close(slave)  # the box under test opens the slave itself
        tmp = f"{self.link}.tmp"
        os.symlink(name, tmp)
        os.replace(tmp, self.link)
        self.master = master

    def unplug(self):
        os.close(self.master)
        self.master = None
        os.unlink(self.link)

    def write(self, data: bytes):
        view = memoryview(data)
        while view:
            view = view[os.write(self.master, view):]

    def close(self):
        if self.master is not None:
            os.close(self.master)


class Recorder:
    def __init__(self):
        self.codes, self.states = [], []
        self.lock = threading.Lock()

    def scan(self, ev):
        with self.lock:
            self.codes.append(ev)

    def status(self, st):
        with self.lock:
            self.states.append((time.monotonic(), st))

    def texts(self):
        with self.lock:
            return [e.text for e in self.codes]

    def last_state(self):
        with self.lock:
            return self.states[-1][1].state if self.states else None


@pytest.fixture
def pty(tmp_path):
    p = Pty(str(tmp_path / "ttyScan"))
    yield p
    p.close()


def open_box(pty, rec, **kw):
    box = SerialBox(rec.scan, rec.status, port=pty.link, **kw)
    box.start()
    wait_until(lambda: rec.last_state() == CONNECTED, 5, message="box never connected")
    return box


@pytest.mark.parametrize("term,sep", [("CR", b"\r"), ("LF", b"\n"), ("CRLF", b"\r\n")])
def test_code_with_each_terminator(pty, term, sep):
    rec = Recorder()
    box = open_box(pty, rec, terminator=term)
    try:
        pty.write(CODE.encode() + sep + b"ABC-123" + sep)
        wait_until(lambda: len(rec.texts()) == 2)
        assert rec.texts() == [CODE, "ABC-123"]
        ev = rec.codes[0]
        assert ev.source == "serial" and ev.device == pty.link and ev.at > 0
    finally:
        box.stop()
    assert box.status.state == STOPPED


def test_idle_terminator(pty):
    rec = Recorder()
    box = open_box(pty, rec, terminator="idle", idle_ms=60)
    try:
        pty.write(CODE.encode())
        wait_until(lambda: rec.texts() == [CODE])
        pty.write(b"98765")
        wait_until(lambda: rec.texts() == [CODE, "98765"])
    finally:
        box.stop()


def test_split_writes_and_noise(pty):
    rec = Recorder()
    box = open_box(pty, rec, terminator="CR")
    try:
        for chunk in (b"\x00\x1b12345", b"67890\x07123", b"4567890123\xff45678\r"):
            pty.write(chunk)
        pty.write(b"\x02\x03\r")  # a frame of pure noise emits nothing
        pty.write(b"NEXT\r")
        wait_until(lambda: "NEXT" in rec.texts())
        assert rec.texts() == [CODE, "NEXT"]
    finally:
        box.stop()


def test_thousand_codes_back_to_back(pty):
    rec = Recorder()
    box = open_box(pty, rec, terminator="CRLF", baud=115200)
    codes = [f"{i:028d}" for i in range(1000)]
    try:
        writer = threading.Thread(target=pty.write, args=(b"".join(c.encode() + b"\r\n" for c in codes),))
        writer.start()
        wait_until(lambda: len(rec.texts()) >= 1000, 20)
        writer.join()
        assert rec.texts() == codes  # none lost, none merged, in order
    finally:
        box.stop()


def test_unplug_then_replug_recovers_within_a_second(pty):
    rec = Recorder()
    box = open_box(pty, rec, terminator="CR")
    try:
        pty.write(b"FIRST\r")
        wait_until(lambda: rec.texts() == ["FIRST"])
        pty.write(b"HALF-A-CO")  # unplugged mid-code: this must never come out
        wait_until(lambda: box.framer.pending)
        pty.unplug()
        wait_until(lambda: rec.last_state() == RECONNECTING, 3, message="unplug not detected")
        replugged = time.monotonic()
        pty.plug()
        wait_until(lambda: rec.last_state() == CONNECTED, 3, message="never reconnected")
        back = [t for t, st in rec.states if st.state == CONNECTED][-1]
        assert back - replugged < 1.0, f"reconnected after {back - replugged:.3f} s"
        pty.write(b"SECOND\r")
        wait_until(lambda: rec.texts() == ["FIRST", "SECOND"])
        assert box.reopened == 1
        reasons = [st.reason for _, st in rec.states if st.state == RECONNECTING]
        assert reasons and all(reasons)
    finally:
        box.stop()


def test_missing_port_reports_error_then_connects(tmp_path):
    rec = Recorder()
    link = str(tmp_path / "ttyLate")
    box = SerialBox(rec.scan, rec.status, port=link)
    box.start()
    try:
        wait_until(lambda: rec.last_state() == "error")
        assert "找不到" in rec.states[-1][1].reason
        late = Pty(link)
        try:
            wait_until(lambda: rec.last_state() == CONNECTED, 3)
            late.write(b"LATE\r")
            wait_until(lambda: rec.texts() == ["LATE"])
        finally:
            late.close()
    finally:
        box.stop()


def test_find_port_by_usb_id(monkeypatch):
    ports = [SimpleNamespace(device="/dev/ttyUSB1", vid=0x1A86, pid=0x7523, serial_number="B"),
             SimpleNamespace(device="/dev/ttyUSB0", vid=0x1A86, pid=0x7523, serial_number="A"),
             SimpleNamespace(device="/dev/ttyS0", vid=None, pid=None, serial_number=None)]
    monkeypatch.setattr(serial_box.serial.tools.list_ports, "comports", lambda: ports)
    assert find_port("1a86:7523") == "/dev/ttyUSB0"
    assert find_port("1A86:7523:B") == "/dev/ttyUSB1"
    assert find_port("1a86:7524") is None


def test_usb_id_box_opens_the_matching_pty(pty, monkeypatch):
    ports = [SimpleNamespace(device=pty.link, vid=0x0C2E, pid=0x0B61, serial_number="S1")]
    monkeypatch.setattr(serial_box.serial.tools.list_ports, "comports", lambda: list(ports))
    rec = Recorder()
    box = SerialBox(rec.scan, rec.status, usb_id="0c2e:0b61:S1")
    box.start()
    try:
        wait_until(lambda: rec.last_state() == CONNECTED)
        assert box.device == pty.link
        pty.write(b"VIAUSB\r")
        wait_until(lambda: rec.texts() == ["VIAUSB"])
    finally:
        box.stop()


def test_usb_port_vanishing_silently_is_noticed(pty, monkeypatch):
    # Some USB-serial drivers keep a dead port "open" and silent: the port list is the only witness.
    ports = [SimpleNamespace(device=pty.link, vid=0x0C2E, pid=0x0B61, serial_number="S1")]
    listed = list(ports)
    monkeypatch.setattr(serial_box.serial.tools.list_ports, "comports", lambda: list(listed))
    rec = Recorder()
    box = SerialBox(rec.scan, rec.status, usb_id="0c2e:0b61")
    box.start()
    try:
        wait_until(lambda: rec.last_state() == CONNECTED)
        listed.clear()  # gone from the list, while the pty itself stays open
        wait_until(lambda: rec.last_state() == RECONNECTING, 3)
        assert any("消失" in st.reason for _, st in rec.states if st.state == RECONNECTING)
        listed.extend(ports)
        wait_until(lambda: rec.last_state() == CONNECTED, 3)
        pty.write(b"BACK\r")
        wait_until(lambda: rec.texts() == ["BACK"])
    finally:
        box.stop()


def test_bad_settings_are_clear_errors():
    with pytest.raises(ScannerError, match="serial_framing"):
        parse_framing("9Q1")
    assert parse_framing("7e2")[0] == 7
    with pytest.raises(ScannerError, match="serial_usb_id"):
        SerialBox(print, usb_id="zz")
    with pytest.raises(ScannerError) as e:
        SerialBox(print)
    assert e.value.key == "serial_not_configured"


def test_a_reader_late_to_see_the_stop_closes_its_port_itself(pty, monkeypatch):
    # A reader starved past stop()'s join (a loaded till) is still inside read(): stop() must not close the
    # port under it (a second close, or a read of a number another file has by then); the reader closes it
    # as it ends.
    rec = Recorder()
    box = open_box(pty, rec, terminator="CR")
    real, inside, go_on, closed_by = box._ser, threading.Event(), threading.Event(), []

    class Slow:
        in_waiting = 0

        def read(self, n):
            inside.set()
            go_on.wait(10)
            return b""

        def close(self):
            closed_by.append(threading.current_thread().name)
            real.close()
    box._ser = Slow()
    wait_until(inside.is_set, message="the reader never read")
    monkeypatch.setattr(box, "join_s", 0.01)
    reader = box._thread
    box.stop()
    assert closed_by == []                 # not from stop()'s thread, while the reader is in read()
    go_on.set()
    reader.join(5)
    assert closed_by == [reader.name]      # by the reader, once, as it ended


def test_a_socket_url_port_reads_codes_and_reconnects():
    """[devices] serial_port = "socket://host:port" (a network serial server; the demo's scan box on Windows,
    which has no pty): codes arrive, and after the box drops the connection the reader comes back by itself."""
    from ui.demo.vpty import _SocketScanBox

    box_side = _SocketScanBox()
    rec = Recorder()
    box = SerialBox(rec.scan, rec.status, port=box_side.path, terminator="CR")
    box.start()
    try:
        wait_until(lambda: rec.last_state() == CONNECTED and box_side._client is not None, 5)
        box_side.scan(CODE)
        wait_until(lambda: rec.texts() == [CODE], 5)
        box_side.scan("ABC-123")
        wait_until(lambda: rec.texts() == [CODE, "ABC-123"], 5)
        with box_side._lock:
            box_side._client.close()  # the connection drops (a network blip)
            box_side._client = None
        wait_until(lambda: box_side._client is not None, 10, message="reader never reconnected")
        box_side.scan("XYZ-9")
        wait_until(lambda: rec.texts()[-1:] == ["XYZ-9"], 5)
    finally:
        box.stop()
        box_side.close()
