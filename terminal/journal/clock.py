"""The journal's clock: UTC timestamps with microseconds (a module of its own so that everything that
stamps rows can use it without importing the journal)."""
from __future__ import annotations

from datetime import datetime, timezone


def now() -> str:
    """UTC timestamp with microseconds, the journal's clock."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")
