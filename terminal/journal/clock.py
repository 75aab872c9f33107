"""The journal's clock: UTC timestamps with microseconds (a module of its own so that everything that
stamps rows can use it without importing the journal)."""
from __future__ import annotations

from datetime import datetime, timezone


def now() -> str:
    """UTC timestamp with microseconds, the journal's clock."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def local_time(ts: str) -> str:
    """A journal UTC timestamp as local YYYY-MM-DD HH:MM:SS ('' stays '')."""
    return datetime.fromisoformat(ts).astimezone().strftime("%Y-%m-%d %H:%M:%S") if ts else ""
