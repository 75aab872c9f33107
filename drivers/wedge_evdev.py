"""Linux kiosks: grab the scanner's evdev keyboard exclusively, so its keys never reach any window.

Optional: needs the `evdev` package (pip install evdev), imported only when this source is built.
"""
from __future__ import annotations

import importlib
import select
import time
from typing import Optional

from drivers.events import (CONNECTED, ERROR, RECONNECTING, ScanCallback, ScannerError,
                            ThreadedSource, StatusCallback)
from drivers.wedge import WedgeDetector

# US layout, as scanners emulate it: key name -> (plain, shifted)
_KEYS = {**{f"KEY_{d}": (d, ")!@#$%^&*("[int(d)]) for d in "0123456789"},
         **{f"KEY_{c}": (c.lower(), c) for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"},
         "KEY_MINUS": ("-", "_"), "KEY_EQUAL": ("=", "+"), "KEY_SPACE": (" ", " "),
         "KEY_DOT": (".", ">"), "KEY_COMMA": (",", "<"), "KEY_SLASH": ("/", "?"),
         "KEY_SEMICOLON": (";", ":"), "KEY_APOSTROPHE": ("'", '"'), "KEY_LEFTBRACE": ("[", "{"),
         "KEY_RIGHTBRACE": ("]", "}"), "KEY_BACKSLASH": ("\\", "|"), "KEY_GRAVE": ("`", "~"),
         **{f"KEY_KP{d}": (d, d) for d in "0123456789"},
         "KEY_ENTER": ("Enter", "Enter"), "KEY_KPENTER": ("Enter", "Enter"), "KEY_TAB": ("Tab", "Tab")}
_SHIFTS = ("KEY_LEFTSHIFT", "KEY_RIGHTSHIFT")


def import_evdev():
    """The evdev module, or a ScannerError saying how to get it."""
    try:
        return importlib.import_module("evdev")
    except ImportError:
        raise ScannerError("键盘扫码枪独占模式需要 evdev 组件：请执行 pip install evdev，"
                           "或清空 [devices] wedge_evdev 改用普通键盘模式",
                           key="evdev_missing") from None


class EvdevWedge(ThreadedSource):
    """Keys of one input device, grabbed exclusively, cut into codes by the wedge detector."""

    kind = "wedge"

    def __init__(self, on_scan: ScanCallback, on_status: Optional[StatusCallback] = None, *,
                 path: str, gap_ms: float = 50, min_length: int = 8, grab: bool = True,
                 retry_s: float = 0.2):
        self.evdev = import_evdev()
        super().__init__(on_scan, on_status, device=path)
        self.path, self.grab, self.retry_s = path, grab, retry_s
        self.detector = WedgeDetector(gap_ms, min_length)
        codes = self.evdev.ecodes
        self._map = {getattr(codes, name): chars for name, chars in _KEYS.items()
                     if hasattr(codes, name)}
        self._shift_codes = {getattr(codes, n) for n in _SHIFTS if hasattr(codes, n)}
        self._shift = False


    def _run(self) -> None:
        ever = False
        while not self._stop.is_set():
            try:
                dev = self.evdev.InputDevice(self.path)
                if self.grab:
                    dev.grab()  # exclusive: the desktop no longer sees this keyboard
            except OSError as e:
                self._set_status(RECONNECTING if ever else ERROR, f"无法打开扫码枪输入设备：{e}")
                self._stop.wait(self.retry_s)
                continue
            ever = True
            self._set_status(CONNECTED)
            try:
                self._read(dev)
            except OSError as e:
                self.detector.flush()  # a burst cut by an unplug is not a code
                self._set_status(RECONNECTING, f"扫码枪已断开：{e}")
            finally:
                try:
                    if self.grab:
                        dev.ungrab()
                except OSError:
                    pass
                dev.close()

    def _read(self, dev) -> None:
        key_event = self.evdev.ecodes.EV_KEY
        while not self._stop.is_set():
            ready, _, _ = select.select([dev.fd], [], [], 0.02)
            if not ready:
                self._commit(self.detector.poll(time.time()))
                continue
            while (ev := dev.read_one()) is not None:
                if ev.type != key_event:
                    continue
                if ev.code in self._shift_codes:
                    self._shift = ev.value != 0
                    continue
                chars = self._map.get(ev.code)
                if chars is None or ev.value == 0:  # releases and unknown keys carry no text
                    continue
                fed = self.detector.feed(chars[self._shift], ev.timestamp())
                self._commit(fed.done)

    def _commit(self, bursts) -> None:
        # Everything from a grabbed scanner is scanner output: short bursts are noise, not typing.
        for b in bursts:
            if b.scan:
                self._emit(b.text)
