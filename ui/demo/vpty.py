"""A virtual scan box: a pty whose slave path the app opens as its serial port; codes go in the master.
Windows has no pty: there the box is a loopback TCP port the app opens as its serial port by pyserial's URL
(socket://127.0.0.1:PORT), as a network serial server would be."""
from __future__ import annotations

import errno
import os
import socket
import sys
import threading


class _PtyScanBox:
    """Write codes as a CR-terminated serial scan box would send them."""

    def __init__(self):
        import termios  # why: POSIX only (the pty scan box runs where the demo does: Linux, macOS)
        import tty
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


class _SocketScanBox:
    """Windows: the box listens on loopback for the app's port; a code scanned while the app is not connected
    goes nowhere (as from a real box with nothing listening), a new connection (the app reopening its port)
    replaces the old one."""

    def __init__(self):
        self.master = socket.create_server(("127.0.0.1", 0))
        self.path = f"socket://127.0.0.1:{self.master.getsockname()[1]}"
        self.sent: list[str] = []
        self._lock = threading.Lock()
        self._client: socket.socket | None = None
        threading.Thread(target=self._accept, name="virtual-scan-box", daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.master.accept()
            except OSError:  # closed
                return
            with self._lock:
                if self._client is not None:
                    self._client.close()
                self._client = conn

    def scan(self, code: str, terminator: bytes = b"\r") -> None:
        """Send one code (as the box does when a phone is held to it)."""
        with self._lock:
            if self.master is None:
                raise OSError(errno.ENXIO, "the virtual scan box is unplugged")
            if self._client is not None:
                try:
                    self._client.sendall(code.encode("ascii") + terminator)
                except OSError:  # the app closed its port
                    self._client.close()
                    self._client = None
        self.sent.append(code)

    def close(self) -> None:
        """Unplug (again: nothing more)."""
        with self._lock:
            server, client, self.master, self._client = self.master, self._client, None, None
        for s in (server, client):
            if s is not None:
                s.close()


VirtualScanBox = _SocketScanBox if sys.platform == "win32" else _PtyScanBox
