"""A virtual scan box: a pty whose slave path the app opens as its serial port; codes go in the master."""
from __future__ import annotations

import errno
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
        if self.master is None:
            raise OSError(errno.ENXIO, "the virtual scan box is unplugged")
        os.write(self.master, code.encode("ascii") + terminator)
        self.sent.append(code)

    def close(self) -> None:
        """Unplug (again: nothing more).

        Each descriptor is closed once only: a test unplugs the box and its teardown closes it again, and
        by then the same numbers may belong to a journal file, a socket or the next test's box — closing
        those under their owners broke the next test's pty (EINVAL on write, its port "not found")."""
        fds, self.master, self._slave = (self.master, self._slave), None, None
        for fd in fds:
            if fd is None:
                continue
            try:
                os.close(fd)
            except OSError:
                pass
