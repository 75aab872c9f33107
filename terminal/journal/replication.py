"""Change capture for fleet replication: every insert or update of a replicated row adds one line to the
`replication` table, in the same SQLite transaction as the change itself (triggers), so no write path of the
journal can forget it and a crash never leaves a change without its line.

fleet/ reads these lines in order, pushes the rows' current state to PostgreSQL and deletes the lines it
pushed. The table only ever holds (table, row key): a line is a few bytes, and nothing personal. On a till
that has never pushed and has no fleet configured, sync drops them (prune); a first push then queues every row.
"""
from __future__ import annotations

import sqlite3

# Replicated tables and their key column. operators are replicated without their PIN hash (fleet/ drops it);
# audit rows are not copied, only the chain's head. shifts and tenders came later (the manager's money page):
# a journal backfilled before them queues their rows once more (backfill).
TABLES = {"sales": "id", "refunds": "id", "outbox": "seq", "operators": "id", "audit": "seq", "shifts": "id",
          "tenders": "id", "adjustments": "id"}

SCHEMA = """
CREATE TABLE IF NOT EXISTS replication (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: fleet/ keeps the last seq pushed as its cursor
    tbl TEXT NOT NULL,
    row TEXT NOT NULL
);
""" + "".join(
    f"CREATE TRIGGER IF NOT EXISTS replicate_{t}_{op} AFTER {op.upper()} ON {t}\n"
    f"    BEGIN INSERT INTO replication(tbl, row) VALUES ('{t}', NEW.{k}); END;\n"
    for t, k in TABLES.items() for op in ("insert", "update") if not (t == "audit" and op == "update"))

_BACKFILLED = "replication_backfilled"
# Tables captured later, each group with the flag that says its rows written before its triggers were queued:
# shifts and tenders (the manager's money page), then the 整单折扣 / 抹零 (what the tenders did not have to pay).
_LATER = (("replication_backfilled_shifts", ("shifts", "tenders")),
          ("replication_backfilled_adjustments", ("adjustments",)))
_PRUNED = "replication_pruned"  # lines dropped while no fleet was configured: queue every row before a push
_PUSHED = "replication_pushed"  # this journal has been pushed: its lines are the pusher's, never dropped


def _queue_all(conn: sqlite3.Connection, tables=TABLES) -> None:
    for t in tables:
        k = TABLES[t]
        last = " WHERE seq=(SELECT max(seq) FROM audit)" if t == "audit" else ""  # the head is enough
        conn.execute(f"INSERT INTO replication(tbl, row) SELECT '{t}', {k} FROM {t}{last} ORDER BY {k}")


def _flag(conn: sqlite3.Connection, key: str) -> bool:
    return conn.execute("SELECT 1 FROM meta WHERE key=?", (key,)).fetchone() is not None


def backfill(conn: sqlite3.Connection) -> None:
    """Once per journal: queue the rows written before change capture existed, so they replicate too (and
    once more for the tables captured later)."""
    flags = (_BACKFILLED, *(flag for flag, _ in _LATER))
    if all(_flag(conn, key) for key in flags):
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        if not _flag(conn, _BACKFILLED):  # another process may have won
            _queue_all(conn)
        else:
            for flag, tables in _LATER:
                if not _flag(conn, flag):
                    _queue_all(conn, tables)
        for key in flags:
            conn.execute("INSERT OR IGNORE INTO meta(key, value) VALUES (?, '1')", (key,))
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def prune(c: sqlite3.Connection) -> int:
    """A till with no fleet configured, never pushed: nobody will push its lines, so they go (a till keeps
    its journal for years). A fleet configured later starts from every row (requeue). Runs in the caller's
    transaction; returns the lines dropped."""
    if _flag(c, _PUSHED):
        return 0  # in a fleet once: the pusher may only be away (another process, a config being changed)
    n = c.execute("DELETE FROM replication").rowcount
    if n:
        c.execute("INSERT OR IGNORE INTO meta(key, value) VALUES (?, '1')", (_PRUNED,))
    return n


def start_pushing(conn: sqlite3.Connection) -> bool:
    """Before a push: mark the journal as pushed (prune leaves it alone from now on) and, when lines were
    pruned, queue every row's current state again (PostgreSQL keeps the newest version of a row, so rows it
    has already are only confirmed). True when it queued them."""
    if _flag(conn, _PUSHED) and not _flag(conn, _PRUNED):
        return False
    conn.execute("BEGIN IMMEDIATE")
    try:
        pruned = _flag(conn, _PRUNED)
        if pruned:
            _queue_all(conn)
            conn.execute("DELETE FROM meta WHERE key=?", (_PRUNED,))
        conn.execute("INSERT OR IGNORE INTO meta(key, value) VALUES (?, '1')", (_PUSHED,))
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return pruned
