"""Append-only audit log chained by hash: each row's hash covers the previous hash and its own content.

SM3 (the national hash) where this Python's hashlib has it, else SHA-256; the algorithm is stored per row
so a journal moved between machines still verifies. Triggers refuse UPDATE and DELETE on the table.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone

GENESIS = "0" * 64

SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    event TEXT NOT NULL,
    data TEXT NOT NULL,
    algo TEXT NOT NULL,
    prev TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
"""


def algorithm() -> str:
    """The hash used for new rows: sm3 when available."""
    return "sm3" if "sm3" in hashlib.algorithms_available else "sha256"


def _digest(algo: str, prev: str, at: str, actor: str, event: str, data: str) -> str:
    body = json.dumps([prev, at, actor, event, data], ensure_ascii=False, separators=(",", ":"))
    return hashlib.new(algo, body.encode("utf-8")).hexdigest()


def append(conn: sqlite3.Connection, event: str, actor: str = "", **data) -> str:
    """Add one row inside the caller's transaction; returns its hash. Callers pass masked data only."""
    row = conn.execute("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    prev = row[0] if row else GENESIS
    at = datetime.now(timezone.utc).isoformat(timespec="microseconds")
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    algo = algorithm()
    h = _digest(algo, prev, at, actor, event, text)
    conn.execute("INSERT INTO audit(at, actor, event, data, algo, prev, hash) VALUES (?,?,?,?,?,?,?)",
                 (at, actor, event, text, algo, prev, h))
    return h


@dataclass(frozen=True)
class ChainReport:
    """Outcome of a chain check: ok, rows checked, the first bad seq and why."""

    ok: bool
    rows: int
    bad_seq: int | None = None
    reason: str = ""
    algo: str = ""


def verify(conn: sqlite3.Connection) -> ChainReport:
    """Recompute every hash in order; the first row whose link or content does not match is reported."""
    prev, n, algo = GENESIS, 0, ""
    expected_seq = None
    for seq, at, actor, event, data, algo, p, h in conn.execute(
            "SELECT seq, at, actor, event, data, algo, prev, hash FROM audit ORDER BY seq"):
        n += 1
        if expected_seq is not None and seq != expected_seq:
            return ChainReport(False, n, seq, f"row(s) missing before seq {seq}", algo)
        if p != prev:
            return ChainReport(False, n, seq, "link to the previous row broken", algo)
        if algo not in hashlib.algorithms_available:
            return ChainReport(False, n, seq, f"hash {algo} not available here", algo)
        if _digest(algo, p, at, actor, event, data) != h:
            return ChainReport(False, n, seq, "content changed after it was written", algo)
        prev, expected_seq = h, seq + 1
    return ChainReport(True, n, algo=algo or algorithm())
