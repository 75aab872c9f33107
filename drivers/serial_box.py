"""Serial scan box (pyserial): one reader thread per port, framing, unplug detection and reopen."""
from __future__ import annotations

import os
import time
from typing import Optional

import serial
import serial.tools.list_ports

from drivers.events import (CONNECTED, ERROR, RECONNECTING, ScannerError, ThreadedSource,
                            ScanCallback, StatusCallback)
from drivers.framing import Framer

PARITIES = {"N": serial.PARITY_NONE, "E": serial.PARITY_EVEN, "O": serial.PARITY_ODD,
            "M": serial.PARITY_MARK, "S": serial.PARITY_SPACE}
STOPBITS = {"1": serial.STOPBITS_ONE, "1.5": serial.STOPBITS_ONE_POINT_FIVE, "2": serial.STOPBITS_TWO}


def parse_framing(spec: str) -> tuple[int, str, float]:
    """'8N1' -> (bytesize, parity, stopbits) for pyserial; ScannerError if malformed."""
    spec = spec.strip().upper()
    if len(spec) >= 3 and spec[0] in "5678" and spec[1] in PARITIES and spec[2:] in STOPBITS:
        return int(spec[0]), PARITIES[spec[1]], STOPBITS[spec[2:]]
    raise ScannerError(f"串口参数 serial_framing={spec!r} 无效，应如 8N1、7E1、8N2",
                       key="serial_framing_invalid")


def parse_usb_id(spec: str) -> tuple[int, int, Optional[str]]:
    """'VID:PID[:SERIAL]' in hex -> (vid, pid, serial or None)."""
    parts = spec.strip().split(":", 2)
    try:
        vid, pid = int(parts[0], 16), int(parts[1], 16)
    except (ValueError, IndexError):
        raise ScannerError(f"扫码盒 USB 标识 serial_usb_id={spec!r} 无效，应如 1a86:7523 或 "
                           f"1a86:7523:SN123", key="serial_usb_id_invalid") from None
    return vid, pid, (parts[2] if len(parts) > 2 and parts[2] else None)


def find_port(usb_id: str) -> Optional[str]:
    """The device path of the first port whose USB VID/PID (and serial number, if given) match."""
    vid, pid, sn = parse_usb_id(usb_id)
    for p in sorted(serial.tools.list_ports.comports(), key=lambda p: p.device):
        if p.vid == vid and p.pid == pid and (sn is None or p.serial_number == sn):
            return p.device
    return None


class SerialBox(ThreadedSource):
    """A scan box on a serial port, found by name or by USB id; reopened after an unplug."""

    kind = "serial"

    def __init__(self, on_scan: ScanCallback, on_status: Optional[StatusCallback] = None, *,
                 port: str = "", usb_id: str = "", baud: int = 9600, framing: str = "8N1",
                 terminator: str = "CR", idle_ms: int = 80, poll_s: float = 0.1):
        if not port and not usb_id:
            raise ScannerError("未配置扫码盒串口：请设置 [devices] serial_port 或 serial_usb_id",
                               key="serial_not_configured")
        if usb_id:
            parse_usb_id(usb_id)  # fail early on a malformed id
        super().__init__(on_scan, on_status, device=port or f"usb:{usb_id}")
        self.port, self.usb_id, self.baud = port, usb_id, baud
        self.bytesize, self.parity, self.stopbits = parse_framing(framing)
        self.framer = Framer(terminator, idle_s=idle_ms / 1000)
        self.poll_s = poll_s  # how often a missing port is looked for again
        # Short read timeout: the idle terminator and stop() are noticed within it.
        self._read_timeout = min(0.05, idle_ms / 2000) if terminator == "idle" else 0.05
        self._ser: Optional[serial.Serial] = None
        self.reopened = 0  # times the port came back after being lost
        self._next_check = 0.0  # when a USB-found port's presence is checked again

    @classmethod
    def from_config(cls, devices, on_scan: ScanCallback,
                    on_status: Optional[StatusCallback] = None) -> "SerialBox":
        """Build from the [devices] section of the configuration."""
        return cls(on_scan, on_status, port=devices.serial_port, usb_id=devices.serial_usb_id,
                   baud=devices.serial_baud, framing=devices.serial_framing,
                   terminator=devices.serial_terminator, idle_ms=devices.serial_idle_ms)


    # -- reader thread ---------------------------------------------------------------------
    def _resolve(self) -> Optional[str]:
        if self.port:
            return self.port if os.path.exists(self.port) or not self.port.startswith("/") else None
        return find_port(self.usb_id)

    def _open(self, path: str) -> serial.Serial:
        # a device path, or a pyserial URL (socket://host:port: a network serial server, the demo's box on Windows)
        ser = serial.serial_for_url(path, do_not_open=True, baudrate=self.baud, bytesize=self.bytesize,
                                    parity=self.parity, stopbits=self.stopbits, timeout=self._read_timeout,
                                    exclusive=True)
        ser.dtr = True  # CDC-ACM boxes may stay silent until DTR is asserted; applied at open
        ser.open()
        ser.reset_input_buffer()  # bytes from before we listened may be half a code
        return ser

    def _release(self) -> None:
        """Nothing: the reader closes its port itself as it ends (_run). Closed from stop()'s thread while a
        reader that has not seen the stop yet (starved on a loaded till past join_s) still reads it, the
        descriptor could be closed twice, or read after its number went to another file."""

    def _close(self) -> None:
        ser, self._ser = self._ser, None
        if ser is not None:
            try:
                ser.close()
            except (OSError, serial.SerialException):
                pass

    def _lost(self, reason: str) -> None:
        self._close()
        self.framer.reset()  # a read broken mid-code is dropped, never half-emitted
        self._set_status(RECONNECTING, reason)

    def _run(self) -> None:
        try:
            self._loop()
        finally:
            self._close()

    def _loop(self) -> None:
        ever_open = False
        while not self._stop.is_set():
            if self._ser is None:
                path = self._resolve()
                if path is None:
                    self._set_status(RECONNECTING if ever_open else ERROR,
                                     "扫码盒未连接（找不到串口）")
                    self._stop.wait(self.poll_s)
                    continue
                try:
                    self._ser = self._open(path)
                except (OSError, serial.SerialException, ValueError) as e:
                    self._set_status(RECONNECTING if ever_open else ERROR, f"无法打开串口 {path}：{e}")
                    self._stop.wait(self.poll_s)
                    continue
                self.reopened += ever_open
                ever_open = True
                self._set_status(CONNECTED, "", device=path)
            self._read_once()

    def _read_once(self) -> None:
        ser = self._ser
        try:
            data = ser.read(1)  # blocks up to the read timeout for the first byte
            if data and ser.in_waiting:
                data += ser.read(ser.in_waiting)  # then take everything already waiting
        except (OSError, serial.SerialException, TypeError, AttributeError) as e:
            # TypeError/AttributeError: pyserial's fd vanished under us when the device went away
            self._lost(f"扫码盒已断开：{e}")
            return
        now = time.monotonic()
        codes = self.framer.feed(data, now) if data else self.framer.tick(now)
        for text in codes:
            self._emit(text)
        if not data and now >= self._next_check:
            # Some drivers keep a vanished port "open" and silent: look for it once in a while.
            self._next_check = now + (0.2 if self.port else 0.5)
            if self._resolve() is None:
                self._lost("扫码盒已拔出（串口消失）")
