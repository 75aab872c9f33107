"""A keyed chain over every change of the journal's sales, refunds, outbox, audit, operators and PIN lockout
rows.

SQLite triggers on INSERT/UPDATE/DELETE of those tables append one `chain` entry per changed row: the SM3
hash of the row after the change, linked to the entry before by HMAC-SM3 under a per-till secret that lives
outside the journal file (terminal/journal/tillkeys.py). The triggers call functions this module registers on the
journal's connection, so whoever writes (any module, any process of ecpos) is chained, a change made with
the sqlite3 shell fails ("no such function") unless the triggers are dropped, and a row edited and its chain
entries rehashed without the secret does not verify. The last entry (the head) is kept beside the secret,
so a deleted tail shows too.
"""
from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, hmac

from terminal.errors import EcposError

# The tables whose every change is chained, and the version of the triggers (part of their names, so a
# later release can tell its own older triggers from a tampered one). SINCE: the trigger version that began
# chaining a table (1 when absent); a journal of an older version has that table's rows chained as found.
# operators since 2: their role and PIN hash authorize refunds, so an edit behind ecpos must show; the PIN
# lockout's failures and locks since 3 (a lock cleared behind ecpos would give more guesses at the counter).
CHAINED = ("sales", "refunds", "outbox", "audit", "operators", "pin_failures", "pin_locks")
SINCE = {"operators": 2, "pin_failures": 3, "pin_locks": 3}
VERSION = 3

SCHEMA = """
CREATE TABLE IF NOT EXISTS chain (
    seq INTEGER PRIMARY KEY,        -- 1, 2, 3 ... without gaps
    tbl TEXT NOT NULL,
    key INTEGER NOT NULL,           -- the changed row's rowid
    op TEXT NOT NULL,               -- i u d: a change; m: a row chained as found (migration); t: tampering found
    row_hash TEXT NOT NULL,         -- SM3 of the row after the change ('' once deleted)
    note TEXT NOT NULL DEFAULT '',  -- t: what was found
    mac TEXT NOT NULL               -- HMAC-SM3(till secret, [previous mac, seq, tbl, key, op, row_hash, note])
);
-- A row's entries, for row_holds (a refund checks its sale and supervisor without verifying the whole chain).
CREATE INDEX IF NOT EXISTS chain_row ON chain(tbl, key);
CREATE TRIGGER IF NOT EXISTS chain_no_update BEFORE UPDATE ON chain
    BEGIN SELECT RAISE(ABORT, 'the chain is append-only'); END;
CREATE TRIGGER IF NOT EXISTS chain_no_delete BEFORE DELETE ON chain
    BEGIN SELECT RAISE(ABORT, 'the chain is append-only'); END;
"""

_OPS = (("i", "INSERT", "NEW"), ("u", "UPDATE", "NEW"), ("d", "DELETE", "OLD"))


class ChainError(EcposError):
    """The journal's chain cannot be kept (no SM3 here) or the journal does not match its head."""

    key = "chain_error"
    exit_code = 2


def sm3_hex(text: str) -> str:
    """SM3 of a row's canonical text."""
    h = hashes.Hash(hashes.SM3())
    h.update(text.encode("utf-8"))
    return h.finalize().hex()


class Signer:
    """HMAC-SM3 under the till's secret; refuses to start where the crypto backend has no SM3."""

    def __init__(self, secret: bytes):
        self.secret = secret
        try:
            self.mac("", 0, "", 0, "", "", "")
        except UnsupportedAlgorithm as e:  # never a silent fallback to another hash
            raise ChainError("本机的加密库不支持国密 SM3，交易日志无法签名：请安装带 SM3 的 cryptography/OpenSSL 后再运行",
                             key="chain_sm3_unavailable", detail=str(e)) from None

    def mac(self, prev: str, seq: int, tbl: str, key: int, op: str, row_hash: str, note: str) -> str:
        """The entry's MAC: it covers the previous entry's MAC, so the entries form a chain."""
        h = hmac.HMAC(self.secret, hashes.SM3())
        h.update(json.dumps([prev, seq, tbl, key, op, row_hash, note], ensure_ascii=False,
                            separators=(",", ":")).encode("utf-8"))
        return h.finalize().hex()


def columns(conn: sqlite3.Connection, table: str) -> list[str]:
    """A table's columns in order."""
    return [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]


def row_text(cols: list[str], ref: str = "") -> str:
    """SQL for a row's canonical text: a JSON object of every column (NEW./OLD. inside a trigger)."""
    prefix = f"{ref}." if ref else ""
    return "json_object(" + ", ".join(f"'{c}', {prefix}\"{c}\"" for c in cols) + ")"


def trigger_sql(table: str, cols: list[str]) -> dict[str, str]:
    """The chain's triggers on a table, by name: each changed row appends an entry."""
    out = {}
    for op, event, ref in _OPS:
        h = f"ecpos_sm3({row_text(cols, ref)})" if op != "d" else "''"
        name = f"chain{VERSION}_{table}_{op}"
        out[name] = (
            f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN "
            f"INSERT INTO chain(seq, tbl, key, op, row_hash, mac) "
            f"SELECT n, '{table}', {ref}.rowid, '{op}', h, ecpos_chain_mac(p, n, '{table}', {ref}.rowid, '{op}', h, '') "
            f"FROM (SELECT coalesce(max(seq), 0) + 1 AS n, "
            f"coalesce((SELECT mac FROM chain ORDER BY seq DESC LIMIT 1), '') AS p, {h} AS h FROM chain); END")
    return out


def trigger_version(name: str) -> int:
    """The release version in a chain trigger's name (chain2_sales_i -> 2)."""
    return int(re.match(r"chain(\d+)_", name).group(1))


def chained_by(version: int) -> tuple[str, ...]:
    """The tables whose changes the triggers of that version chained."""
    return tuple(t for t in CHAINED if SINCE.get(t, 1) <= version)


def installed_triggers(conn: sqlite3.Connection) -> dict[str, str]:
    """The chain triggers (of any version) the journal has now, by name."""
    return {name: sql for name, sql in conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type='trigger' AND name GLOB 'chain[0-9]*_*'")}


def expected_triggers(conn: sqlite3.Connection) -> dict[str, str]:
    """The triggers this release wants, from the tables' current columns."""
    out: dict[str, str] = {}
    for t in CHAINED:
        out.update(trigger_sql(t, columns(conn, t)))
    return out


def last(conn: sqlite3.Connection) -> tuple[int, str]:
    """The last entry's (seq, mac); (0, '') for an empty chain."""
    row = conn.execute("SELECT seq, mac FROM chain ORDER BY seq DESC LIMIT 1").fetchone()
    return (int(row[0]), row[1]) if row else (0, "")


def append(conn: sqlite3.Connection, signer: Signer, tbl: str, key: int, op: str, row_hash: str,
           note: str = "") -> tuple[int, str]:
    """Append an entry from Python (migration, tampering found) inside the caller's transaction."""
    seq, prev = last(conn)
    seq += 1
    mac = signer.mac(prev, seq, tbl, key, op, row_hash, note)
    conn.execute("INSERT INTO chain(seq, tbl, key, op, row_hash, note, mac) VALUES (?,?,?,?,?,?,?)",
                 (seq, tbl, key, op, row_hash, note, mac))
    return seq, mac


def current_rows(conn: sqlite3.Connection, table: str) -> dict[int, str]:
    """rowid -> SM3 of the row as it is now (the same text the triggers hash)."""
    sql = f"SELECT rowid, ecpos_sm3({row_text(columns(conn, table))}) FROM {table}"
    return {int(k): h for k, h in conn.execute(sql)}


def row_holds(conn: sqlite3.Connection, signer: Signer, table: str, key: int) -> bool:
    """The row is what its last chain entry says, and that entry was made with this till's secret: what a refund
    asks of the sale and the supervisor it relies on (a row edited behind dropped triggers, or an entry forged
    without the secret, fails), at the cost of one entry rather than `verify` over the whole chain."""
    got = conn.execute("SELECT seq, op, row_hash, note, mac FROM chain WHERE tbl=? AND key=? AND op IN "
                       "('i','u','d','m') ORDER BY seq DESC LIMIT 1", (table, key)).fetchone()
    if got is None:
        return False
    seq, op, row_hash, note, mac = got
    prev = conn.execute("SELECT mac FROM chain WHERE seq=?", (seq - 1,)).fetchone()
    if signer.mac(prev[0] if prev else "", seq, table, key, op, row_hash, note) != mac:
        return False
    now = conn.execute(f"SELECT ecpos_sm3({row_text(columns(conn, table))}) FROM {table} WHERE rowid=?",
                       (key,)).fetchone()
    return now is not None and now[0] == row_hash


def chained_rows(conn: sqlite3.Connection) -> dict[tuple[str, int], str]:
    """(table, rowid) -> the row hash of its last entry ('' once deleted), read without checking MACs."""
    return {(t, int(k)): h for t, k, h in conn.execute(
        "SELECT tbl, key, row_hash FROM chain WHERE op IN ('i','u','d','m') AND seq IN "
        "(SELECT max(seq) FROM chain WHERE op IN ('i','u','d','m') GROUP BY tbl, key)")}


def differences(conn: sqlite3.Connection, tables=None,
                chained: dict[tuple[str, int], str] | None = None) -> list[tuple[str, int, str]]:
    """Rows that differ from their last chain entry: (table, rowid, what) - changed, added or deleted;
    tables: those compared (default every chained table)."""
    chained = chained_rows(conn) if chained is None else chained
    out = []
    for t in CHAINED if tables is None else tables:
        now = current_rows(conn, t)
        for k, h in now.items():
            was = chained.get((t, k))
            if was != h:
                out.append((t, k, "added outside ecpos" if not was else "changed outside ecpos"))
        out += [(t, k, "deleted outside ecpos") for (tt, k), h in chained.items() if tt == t and h and k not in now]
    return sorted(out, key=lambda d: (CHAINED.index(d[0]), d[1]))


@dataclass(frozen=True)
class Proof:
    """What `ecpos journal --verify` found about the chain: ok, entries checked, the head, the first problem."""

    ok: bool
    entries: int
    head_seq: int
    head_mac: str
    bad_seq: int | None = None
    table: str = ""
    row: int | None = None
    reason: str = ""


def verify(conn: sqlite3.Connection, signer: Signer, head: tuple[int, str]) -> Proof:
    """Recompute every MAC in order, match the head kept outside the file, compare every row with its last
    entry, and check the triggers; the first problem is reported."""
    prev, n, state = "", 0, {}
    head_seq, head_mac = head

    def broken(reason: str, seq: int | None = None, table: str = "", row: int | None = None) -> Proof:
        return Proof(False, n, head_seq, head_mac, seq, table, row, reason)

    for seq, tbl, key, op, row_hash, note, mac in conn.execute(
            "SELECT seq, tbl, key, op, row_hash, note, mac FROM chain ORDER BY seq"):
        n += 1
        if seq != n:
            return broken(f"chain entries missing before seq {seq}", seq)
        if signer.mac(prev, seq, tbl, key, op, row_hash, note) != mac:
            return broken("chain entry changed or rehashed without this till's secret", seq, tbl, key)
        if op == "t":
            return broken(f"tampering found when the journal was opened: {note}", seq)
        if seq == head_seq and mac != head_mac:
            return broken("the chain differs from the head kept outside the journal (rewritten or replaced)", seq)
        state[(tbl, int(key))] = row_hash
        prev = mac
    if n < head_seq:
        return broken(f"chain ends at seq {n} but the head kept outside the journal is seq {head_seq}: "
                      f"its tail was deleted or an older copy restored", n + 1)
    for table, row, what in differences(conn, chained=state):
        return broken(f"{table} row {row} {what}", None, table, row)
    want, have = expected_triggers(conn), installed_triggers(conn)
    for name, sql in want.items():
        if have.get(name) != sql:
            return broken(f"trigger {name} {'altered' if name in have else 'dropped'}")
    return Proof(True, n, head_seq, head_mac)


def holds(conn: sqlite3.Connection, seq: int, mac_prefix: str) -> bool:
    """The chain has entry seq and its MAC starts with mac_prefix (a head printed on a day-close slip)."""
    row = conn.execute("SELECT mac FROM chain WHERE seq=?", (seq,)).fetchone()
    return bool(row) and bool(mac_prefix) and row[0].startswith(mac_prefix.lower())
