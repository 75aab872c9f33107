"""The simulator's SQLite store (WAL): balances, codes, tokens, answers by msgid, settlements, visits.

Every platform request runs inside `Store.tx()`, one writer at a time, so a msgid's effect and its stored
answer commit together (that is what makes msgid an idempotency key and `drop` a committed-but-lost answer).
Other processes (`ecpos sim code --db`) write codes into the same file; busy_timeout covers them.
"""
from __future__ import annotations

import json
import sqlite3
import threading
import time
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

SCHEMA = """
CREATE TABLE IF NOT EXISTS settings(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS seq(name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS balances(psn_no TEXT PRIMARY KEY, balc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS codes(code TEXT PRIMARY KEY, psn_no TEXT NOT NULL, holder TEXT NOT NULL,
    issued_at REAL NOT NULL, expires_at REAL NOT NULL, used_at REAL);
CREATE TABLE IF NOT EXISTS tokens(token TEXT PRIMARY KEY, psn_no TEXT NOT NULL, holder TEXT NOT NULL,
    expires_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS signins(sign_no TEXT PRIMARY KEY, fixmedins_code TEXT NOT NULL, opter TEXT,
    sign_time TEXT NOT NULL, signed_out INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS answers(msgid TEXT PRIMARY KEY, infno TEXT NOT NULL, fingerprint TEXT NOT NULL,
    answer TEXT NOT NULL, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS tombstones(omsgid TEXT PRIMARY KEY, oinfno TEXT NOT NULL, psn_no TEXT,
    msgid TEXT NOT NULL, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS presettles(mdtrt_id TEXT PRIMARY KEY, psn_no TEXT NOT NULL, msgid TEXT NOT NULL,
    fixmedins_code TEXT NOT NULL, medfee_sumamt TEXT NOT NULL, status TEXT NOT NULL, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS visits(mdtrt_id TEXT PRIMARY KEY, psn_no TEXT NOT NULL, insutype TEXT NOT NULL,
    med_type TEXT NOT NULL, ipt_otp_no TEXT NOT NULL, fixmedins_code TEXT NOT NULL, status TEXT NOT NULL,
    mdtrtinfo INTEGER NOT NULL DEFAULT 0, presettle TEXT, msgid TEXT NOT NULL, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS fees(mdtrt_id TEXT NOT NULL, feedetl_sn TEXT NOT NULL, chrg_bchno TEXT NOT NULL,
    med_list_codg TEXT NOT NULL, cnt TEXT NOT NULL, pric TEXT NOT NULL, amount TEXT NOT NULL,
    status TEXT NOT NULL, msgid TEXT NOT NULL, PRIMARY KEY(mdtrt_id, feedetl_sn));
CREATE TABLE IF NOT EXISTS settlements(setl_id TEXT PRIMARY KEY, mdtrt_id TEXT NOT NULL, psn_no TEXT NOT NULL,
    msgid TEXT NOT NULL, infno TEXT NOT NULL, status TEXT NOT NULL, fixmedins_code TEXT NOT NULL,
    insutype TEXT NOT NULL, med_type TEXT NOT NULL, clr_type TEXT NOT NULL, insuplc_admdvs TEXT NOT NULL,
    medfee_sumamt TEXT NOT NULL, fund_pay_sumamt TEXT NOT NULL, psn_part_amt TEXT NOT NULL,
    acct_pay TEXT NOT NULL, psn_cash_pay TEXT NOT NULL, hosp_part_amt TEXT NOT NULL, balc TEXT NOT NULL,
    setl_time TEXT NOT NULL, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS refunds(setl_id TEXT PRIMARY KEY, osetl_id TEXT NOT NULL, mdtrt_id TEXT NOT NULL,
    psn_no TEXT NOT NULL, msgid TEXT NOT NULL, infno TEXT NOT NULL, status TEXT NOT NULL,
    fixmedins_code TEXT NOT NULL, insutype TEXT NOT NULL, clr_type TEXT NOT NULL, insuplc_admdvs TEXT NOT NULL,
    medfee_sumamt TEXT NOT NULL, fund_pay_sumamt TEXT NOT NULL, psn_part_amt TEXT NOT NULL,
    acct_pay TEXT NOT NULL, psn_cash_pay TEXT NOT NULL, hosp_part_amt TEXT NOT NULL, balc TEXT NOT NULL,
    setl_time TEXT NOT NULL, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS trace_codes(code TEXT PRIMARY KEY, status TEXT NOT NULL, fixmedins_code TEXT NOT NULL,
    med_list_codg TEXT NOT NULL, setl_id TEXT NOT NULL, infno TEXT NOT NULL, msgid TEXT NOT NULL,
    sold_at REAL NOT NULL, returned_at REAL, times_sold INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS reversals(msgid TEXT PRIMARY KEY, omsgid TEXT NOT NULL, oinfno TEXT NOT NULL,
    psn_no TEXT, rslt TEXT NOT NULL, ref TEXT, at REAL NOT NULL);
"""


class Store:
    """One SQLite file; a connection per thread, one writer transaction at a time."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._lock = threading.RLock()
        with self.tx() as db:
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            # Who made each request (opter) under which sign-in: the platform audits by operator.
            for col in ("opter", "sign_no"):
                if col not in {r[1] for r in db.execute("PRAGMA table_info(answers)")}:
                    db.execute(f"ALTER TABLE answers ADD COLUMN {col} TEXT NOT NULL DEFAULT ''")
            for table in ("settlements", "refunds"):  # a store made before clearing agencies were kept
                if "clr_optins" not in {r[1] for r in db.execute(f"PRAGMA table_info({table})")}:
                    db.execute(f"ALTER TABLE {table} ADD COLUMN clr_optins TEXT NOT NULL DEFAULT ''")

    def conn(self) -> sqlite3.Connection:
        """This thread's connection (WAL, FULL sync, rows as dicts)."""
        c = getattr(self._local, "conn", None)
        if c is None:
            c = sqlite3.connect(self.path, timeout=10.0, isolation_level=None, check_same_thread=False)
            c.row_factory = sqlite3.Row
            c.execute("PRAGMA journal_mode=WAL")
            c.execute("PRAGMA synchronous=FULL")
            c.execute("PRAGMA busy_timeout=10000")
            self._local.conn = c
        return c

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (BEGIN IMMEDIATE), serialised within this process."""
        with self._lock:
            c = self.conn()
            c.execute("BEGIN IMMEDIATE")
            try:
                yield c
            except BaseException:
                c.execute("ROLLBACK")
                raise
            c.execute("COMMIT")

    def close(self) -> None:
        """Close this thread's connection."""
        c = getattr(self._local, "conn", None)
        if c is not None:
            c.close()
            self._local.conn = None

    # settings and the service clock -------------------------------------------------------------
    def setting(self, key: str, default: Any = None) -> Any:
        """A JSON setting stored in the DB (shared with other processes using the file)."""
        row = self.conn().execute("SELECT value FROM settings WHERE key=?", (key,)).fetchone()
        return json.loads(row["value"]) if row else default

    def set_setting(self, key: str, value: Any) -> None:
        with self.tx() as db:
            db.execute("INSERT OR REPLACE INTO settings(key, value) VALUES(?, ?)", (key, json.dumps(value)))

    def now(self) -> float:
        """The service clock: wall time plus the offset /admin/clock added (kept in the DB)."""
        return time.time() + float(self.setting("clock_offset", 0.0))

    def advance(self, seconds: float) -> float:
        """Move the service clock forward; returns the new offset."""
        with self.tx() as db:
            row = db.execute("SELECT value FROM settings WHERE key='clock_offset'").fetchone()
            offset = (json.loads(row["value"]) if row else 0.0) + float(seconds)
            db.execute("INSERT OR REPLACE INTO settings(key, value) VALUES('clock_offset', ?)",
                       (json.dumps(offset),))
        return offset


def next_seq(db: sqlite3.Connection, name: str) -> int:
    """The next value of a named counter (inside the caller's transaction)."""
    row = db.execute("SELECT value FROM seq WHERE name=?", (name,)).fetchone()
    value = (row["value"] if row else 0) + 1
    db.execute("INSERT OR REPLACE INTO seq(name, value) VALUES(?, ?)", (name, value))
    return value


def balance(db: sqlite3.Connection, psn_no: str, initial: Decimal) -> Decimal:
    """A person's account balance; the roster's opening balance until first touched."""
    row = db.execute("SELECT balc FROM balances WHERE psn_no=?", (psn_no,)).fetchone()
    return Decimal(row["balc"]) if row else initial


def set_balance(db: sqlite3.Connection, psn_no: str, balc: Decimal) -> None:
    db.execute("INSERT OR REPLACE INTO balances(psn_no, balc) VALUES(?, ?)", (psn_no, f"{balc:.2f}"))
