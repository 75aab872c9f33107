"""msgid = fixmedins_code (12) + yyyyMMddHHmmss + 4-digit sequence: 30 characters, unique per institution.

The platform treats msgid as the identity of a request, so it must never repeat, not even across
restarts within the same second or between two ecpos processes (app + `ecpos sync`). The last value
issued is kept in a small state file under an exclusive lock. Several tills of one institution share the
fixmedins_code but not a state file, so each till owns one leading digit of the sequence (`node`, from
[institution] msgid_node): 1,000 msgids a second per till, ten tills per institution.
"""
from __future__ import annotations

import os
import threading
import time
from datetime import datetime
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]
    import msvcrt


class MsgIdSource:
    """Issues msgids for one institution, persisted in `state_file`."""

    def __init__(self, fixmedins_code: str, state_file: Path, clock=time.time, node: int = 0):
        if len(fixmedins_code) != 12:
            raise ValueError(f"fixmedins_code must be 12 characters, got {fixmedins_code!r}")
        if not 0 <= node <= 9:
            raise ValueError(f"msgid node must be 0-9, got {node!r}")
        self.prefix = fixmedins_code
        self.node = node
        self.path = Path(state_file)
        self.clock = clock
        self._lock = threading.Lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def next(self) -> str:
        """The next msgid, strictly greater than any issued before from this state file."""
        with self._lock:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                _lock_file(fd)
                last = os.read(fd, 64).decode("ascii", "ignore").strip()
                stamp = datetime.fromtimestamp(self.clock()).strftime("%Y%m%d%H%M%S")
                seq = 0
                if len(last) == 18 and last[:14] >= stamp:
                    # Same second (or our clock went back): continue after the last sequence.
                    stamp, seq = last[:14], int(last[15:]) + 1
                    if seq > 999:  # 1,000 in one second: borrow the next second
                        stamp = _next_second(stamp)
                        seq = 0
                value = f"{stamp}{self.node}{seq:03d}"
                # One fixed-length write over the old value, no truncate first: a kill -9 can land
                # between any two system calls, and an emptied file would reissue msgids.
                os.lseek(fd, 0, os.SEEK_SET)
                os.write(fd, value.encode("ascii"))
            finally:
                os.close(fd)  # closing releases the lock
            return self.prefix + value


def _next_second(stamp: str) -> str:
    t = datetime.strptime(stamp, "%Y%m%d%H%M%S").timestamp() + 1
    return datetime.fromtimestamp(t).strftime("%Y%m%d%H%M%S")


def _lock_file(fd: int) -> None:
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX)
    else:  # pragma: no cover - Windows
        msvcrt.locking(fd, msvcrt.LK_LOCK, 64)
