"""Structured logs: one event a line, `key=value` fields. Callers pass masked data only; as a last line
of defence, anything shaped like a resident ID number (15 or 18 characters) is masked on the way out,
because text from the platform (err_msg) may quote one."""
from __future__ import annotations

import json
import logging
import logging.handlers
import os
import re
from decimal import Decimal
from pathlib import Path

from terminal.masking import mask_id

_log = logging.getLogger("ecpos")
_file: logging.FileHandler | None = None  # the data directory's log, set by to_file()
# A till runs for years: keep ~25 MB of log at most (the live file and four older ones).
MAX_BYTES, BACKUPS = 5 * 1024 * 1024, 4
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(?:[1-9][0-9]{16}[0-9Xx]|[1-9][0-9]{14})(?![0-9A-Za-z])")


def scrub(text: str) -> str:
    """Mask every ID-number-shaped run in a piece of text."""
    return _ID_NUMBER.sub(lambda m: mask_id(m.group()), text)


def event(key: str, level: int = logging.INFO, **fields) -> None:
    """Log one event under an English key."""
    if _log.isEnabledFor(level):
        _log.log(level, "%s %s", key, scrub(json.dumps(fields, ensure_ascii=False, default=str,
                                                        separators=(",", ":"))))


class _OwnerOnly(logging.handlers.RotatingFileHandler):
    """Rotating, and each new file is created owner-only like the first (logs quote masked data only,
    but still name operators and setl_ids)."""

    def _open(self):
        return open(os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600),
                    "a", encoding=self.encoding)

    def handleError(self, record: logging.LogRecord) -> None:
        """A log line that cannot be written (a full disk) is dropped: the journal, not the log, holds the
        work, and logging's default would print a traceback to the cashier's console."""


class _Scrubbed(logging.Formatter):
    """Also masks ID numbers in what event() does not format itself (a traceback's exception text)."""

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


def private_dir(path: str | os.PathLike) -> Path:
    """Make (or tighten) a folder owner-only, 0700: the data directory holds the journal, the log and receipts,
    which name patients and cashiers even masked. A folder of another owner is left as it is."""
    path = Path(path)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        try:
            os.chmod(path, 0o700)
        except PermissionError:
            pass
    return path


def to_file(path: str | os.PathLike) -> None:
    """Send ecpos events to this file (owner-only, like the journal), replacing the file set before."""
    global _file
    path = Path(path).resolve()
    if _file is not None and _file.baseFilename == str(path):
        return
    close_file()
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
    os.chmod(path, 0o600)  # also tightens a file created before this rule
    _file = _OwnerOnly(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    _file.setFormatter(_Scrubbed("%(asctime)s %(levelname)s %(message)s"))
    _log.addHandler(_file)
    _log.setLevel(logging.INFO)


def close_file() -> None:
    """Stop writing to the log file set by to_file() (tests, a change of data directory)."""
    global _file
    if _file is not None:
        _log.removeHandler(_file)
        _file.close()
        _file = None


def json_default(o):
    """JSON for Decimal (as a plain string, never a float)."""
    if isinstance(o, Decimal):
        return str(o)
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")
