"""A virtual scan box: a pty whose slave path the app opens as its serial port; codes go in the master."""
from __future__ import annotations

import os
import termios
import tty


class VirtualScanBox:
    """Write codes as a CR-terminated serial scan box would send them."""

    def __init__(self):
        self.master, self._slave = os.openpty()
        tty.setraw(self._slave)  # no echo, no CR translation: bytes pass as a real box sends them
        attrs = termios.tcgetattr(self._slave)
        attrs[3] &= ~termios.ECHO
        termios.tcsetattr(self._slave, termios.TCSANOW, attrs)
        self.path = os.ttyname(self._slave)
        self.sent: list[str] = []

    def scan(self, code: str, terminator: bytes = b"\r") -> None:
        """Send one code (as the box does when a phone is held to it)."""
        os.write(self.master, code.encode("ascii") + terminator)
        self.sent.append(code)

    def close(self) -> None:
        """Unplug."""
        for fd in (self.master, self._slave):
            try:
                os.close(fd)
            except OSError:
                pass
