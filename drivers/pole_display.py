"""A serial pole display (客显 VFD, 2 lines x 20 characters) speaking the CD5220 command set, through pyserial:
the total on the upper line, the cash due or the change on the lower one.

The commands (PTC CD5220 user's manual, as read by LCDproc's server/drivers/serialPOS_cd5220.c and
batzlerg/cd5220's CD5220_reference.md):
- ESC @ (1B 40) initialises the display;
- CLR (0C) clears both lines, and ends the "string mode" ESC Q A / B leave the display in;
- ESC Q A <up to 20 characters> CR (1B 51 41 .. 0D) writes the upper line, ESC Q B .. CR the lower one.
So every update is CLR, then both lines. The characters are ASCII (the VFD's own font has no Chinese).
"""
from __future__ import annotations

import threading
from decimal import Decimal

import serial

from terminal.errors import EcposError

WIDTH = 20
INIT = b"\x1b@"
CLEAR = b"\x0c"
UPPER, LOWER, END = b"\x1bQA", b"\x1bQB", b"\r"


class PoleDisplayError(EcposError):
    """The pole display did not take the text (unplugged, wrong port); the sale is not affected."""

    key = "pole_display_error"


def frame(upper: str, lower: str) -> bytes:
    """The bytes that show two lines: clear, then each line in string mode, cut to 20 ASCII characters."""
    def line(text: str) -> bytes:
        return text[:WIDTH].encode("ascii", errors="replace")
    return CLEAR + UPPER + line(upper) + END + LOWER + line(lower) + END


def amounts(total: Decimal | None, cash: Decimal | None = None, change: Decimal | None = None) -> tuple[str, str]:
    """The two lines for a sale: TOTAL on top; CHANGE once cash was handed over, else the CASH still due."""
    def row(label: str, amount: Decimal | None) -> str:
        return "" if amount is None else f"{label}{amount:>{WIDTH - len(label)}.2f}"
    lower = row("CHANGE", change) if change is not None else row("CASH", cash) if cash else ""
    return row("TOTAL", total), lower


class PoleDisplay:
    """One pole display on a serial port; opened at the first write and again after a fault."""

    def __init__(self, port: str, baud: int = 9600, *, timeout: float = 1.0):
        self.port, self.baud, self.timeout = port, int(baud), timeout
        self._serial = None
        self._lock = threading.Lock()

    def show(self, upper: str, lower: str = "") -> None:
        """Show two lines; PoleDisplayError when the port cannot be opened or written."""
        with self._lock:
            try:
                if self._serial is None:
                    self._serial = serial.serial_for_url(self.port, baudrate=self.baud, timeout=self.timeout,
                                                         write_timeout=self.timeout)
                    self._serial.write(INIT)
                self._serial.write(frame(upper, lower))
                self._serial.flush()
            except (serial.SerialException, OSError, ValueError) as e:
                self._drop()
                raise PoleDisplayError(f"客显未能显示：请检查客显串口 {self.port} 的连线",
                                       detail=f"{type(e).__name__}: {e}") from e

    def _drop(self) -> None:
        if self._serial is not None:
            try:
                self._serial.close()
            except Exception:  # noqa: BLE001 — closing a port that failed
                pass
            self._serial = None

    def close(self) -> None:
        with self._lock:
            self._drop()
