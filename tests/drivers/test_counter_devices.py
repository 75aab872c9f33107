"""The counter's devices on the wire: the cash drawer's ESC/POS pulse through the receipt printer (a network
printer here is a TCP listener capturing what reaches it), and the CD5220 pole display on a pseudo-terminal."""
from __future__ import annotations

import os
import select
import socket
import threading
import time
from decimal import Decimal

import pytest

from drivers.pole_display import PoleDisplay, PoleDisplayError, amounts, frame
from drivers.printer import DrawerNotOpened, ReceiptPrinter
from terminal.config import load
from tests.conftest import write_toml

# ESC p m t1 t2: m 0 = connector pin 2, 1 = pin 5; t1, t2 in units of 2 ms (Epson ESC/POS; python-escpos
# constants.CD_KICK_2 / CD_KICK_5 send 50 and 50).
PULSE_PIN2 = b"\x1bp\x00\x32\x32"
PULSE_PIN5 = b"\x1bp\x01\x32\x32"


class Capture:
    """A network receipt printer: accepts connections and keeps every byte it is sent."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.data = bytearray()
        self._got = threading.Condition()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                while chunk := conn.recv(4096):
                    with self._got:
                        self.data += chunk
                        self._got.notify_all()

    def bytes(self, at_least: int, timeout: float = 5) -> bytes:
        with self._got:
            self._got.wait_for(lambda: len(self.data) >= at_least, timeout)
            return bytes(self.data)

    def close(self):
        self.sock.close()


def printer_cfg(tmp_path, **over):
    layer = write_toml(tmp_path / "p.toml", over)
    return load(profile="pharmacy", config_file=layer, data_dir=tmp_path, env={})


def test_the_drawer_pulse_reaches_a_network_printer_as_esc_p(tmp_path):
    cap = Capture()
    try:
        printer = ReceiptPrinter(printer_cfg(tmp_path, **{"printer.kind": "network",
                                                          "printer.target": f"127.0.0.1:{cap.port}"}))
        printer.open_drawer(2)
        assert cap.bytes(5) == PULSE_PIN2
        printer.open_drawer(5)
        assert cap.bytes(10) == PULSE_PIN2 + PULSE_PIN5
    finally:
        cap.close()


def test_a_file_printer_keeps_each_pulse_in_drawer_bin(tmp_path):
    printer = ReceiptPrinter(printer_cfg(tmp_path))
    printer.open_drawer()
    printer.open_drawer()
    assert (tmp_path / "receipts" / "drawer.bin").read_bytes() == PULSE_PIN2 * 2


def test_a_drawer_that_cannot_open_is_a_message_not_a_crash(tmp_path):
    cfg = printer_cfg(tmp_path, **{"printer.kind": "network", "printer.target": "127.0.0.1:9"})
    with pytest.raises(DrawerNotOpened) as e:
        ReceiptPrinter(cfg).open_drawer()
    assert "钱箱未能打开" in e.value.message and "钥匙" in e.value.message
    assert e.value.key == "drawer_not_opened"


def test_the_drawer_pin_is_2_or_5_in_the_config(tmp_path):
    from terminal.errors import ConfigError
    with pytest.raises(ConfigError):
        printer_cfg(tmp_path, **{"printer.drawer_pin": 3})


# --- the pole display ----------------------------------------------------------------------------------
def test_amounts_fill_the_20_columns_total_then_cash_due_then_change():
    assert amounts(Decimal("44.80")) == ("TOTAL" + " " * 10 + "44.80", "")
    assert amounts(Decimal("44.80"), Decimal("14.80")) == (f"TOTAL{'44.80':>15}", f"CASH{'14.80':>16}")
    assert amounts(Decimal("44.80"), Decimal("14.80"), Decimal("5.20"))[1] == f"CHANGE{'5.20':>14}"
    assert all(len(line) == 20 for line in amounts(Decimal("1234.50"), None, Decimal("0.00")))
    assert amounts(None) == ("", "")


def test_frame_is_clear_then_esc_q_a_and_esc_q_b_each_ended_by_cr():
    assert frame("TOTAL 1", "找零") == b"\x0c\x1bQATOTAL 1\r\x1bQB??\r"   # the VFD's font is ASCII
    assert frame("x" * 30, "")[4:4 + 21] == b"x" * 20 + b"\r"


@pytest.fixture
def pty():
    master, slave = os.openpty()
    name = os.ttyname(slave)
    os.close(slave)  # the display under test opens the slave itself
    yield master, name
    os.close(master)


def read_all(master: int, n: int, timeout: float = 5) -> bytes:
    out = b""
    end = time.monotonic() + timeout
    while len(out) < n and time.monotonic() < end:
        if select.select([master], [], [], 0.1)[0]:
            out += os.read(master, 4096)
    return out


def test_the_pole_display_initialises_once_then_shows_each_update(pty):
    master, name = pty
    pole = PoleDisplay(name)
    try:
        pole.show(*amounts(Decimal("44.80"), Decimal("14.80")))  # pyserial opens the port raw: bytes as sent
        first = b"\x1b@" + frame(*amounts(Decimal("44.80"), Decimal("14.80")))
        second = frame(*amounts(Decimal("44.80"), Decimal("14.80"), Decimal("5.20")))
        pole.show(*amounts(Decimal("44.80"), Decimal("14.80"), Decimal("5.20")))
        assert read_all(master, len(first) + len(second)) == first + second
    finally:
        pole.close()


def test_a_missing_pole_display_is_a_message(tmp_path):
    pole = PoleDisplay(str(tmp_path / "ttyNone"))
    with pytest.raises(PoleDisplayError) as e:
        pole.show("TOTAL", "")
    assert "客显" in e.value.message
