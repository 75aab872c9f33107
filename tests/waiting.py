"""Wait on a condition instead of sleeping a fixed time."""
from __future__ import annotations

import threading
import time


def wait_until(cond, timeout: float = 5.0, interval: float = 0.01, message: str = ""):
    """Poll cond() until it returns a truthy value, which is returned; AssertionError after timeout."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while True:
        value = cond()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(message or f"condition not met within {timeout} s")
        pause.wait(interval)
