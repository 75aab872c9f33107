"""Structured logs: one event a line, `key=value` fields. Callers pass masked data only."""
from __future__ import annotations

import json
import logging
from decimal import Decimal

_log = logging.getLogger("ecpos")


def event(key: str, level: int = logging.INFO, **fields) -> None:
    """Log one event under an English key."""
    if _log.isEnabledFor(level):
        _log.log(level, "%s %s", key, json.dumps(fields, ensure_ascii=False, default=str,
                                                  separators=(",", ":")))


def setup(path=None, level: int = logging.INFO) -> None:
    """Send ecpos events to a file (the data directory's log) or stderr."""
    handler = logging.FileHandler(path, encoding="utf-8") if path else logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    _log.addHandler(handler)
    _log.setLevel(level)


def json_default(o):
    """JSON for Decimal (as a plain string, never a float)."""
    if isinstance(o, Decimal):
        return str(o)
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")
