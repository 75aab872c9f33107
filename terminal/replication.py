"""Change capture for fleet replication: every insert or update of a replicated row adds one line to the
`replication` table, in the same SQLite transaction as the change itself (triggers), so no write path of the
journal can forget it and a crash never leaves a change without its line.

fleet/ reads these lines in order, pushes the rows' current state to PostgreSQL and deletes the lines it
pushed. The table only ever holds (table, row key): a line is a few bytes, and nothing personal.
"""
from __future__ import annotations

import sqlite3

# Replicated tables and their key column. operators are replicated without their PIN hash (fleet/ drops it);
# audit rows are not copied, only the chain's head.
TABLES = {"sales": "id", "refunds": "id", "outbox": "seq", "operators": "id", "audit": "seq"}

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


def backfill(conn: sqlite3.Connection) -> None:
    """Once per journal: queue the rows written before change capture existed, so they replicate too."""
    if conn.execute("SELECT 1 FROM meta WHERE key=?", (_BACKFILLED,)).fetchone():
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        if not conn.execute("SELECT 1 FROM meta WHERE key=?", (_BACKFILLED,)).fetchone():  # another process won
            for t, k in TABLES.items():
                last = " WHERE seq=(SELECT max(seq) FROM audit)" if t == "audit" else ""  # the head is enough
                conn.execute(f"INSERT INTO replication(tbl, row) SELECT '{t}', {k} FROM {t}{last} ORDER BY {k}")
            conn.execute("INSERT INTO meta(key, value) VALUES (?, '1')", (_BACKFILLED,))
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
