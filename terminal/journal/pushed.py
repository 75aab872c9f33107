"""The bills other programs pushed to this till (the agent's POST /v1/sales) and their Idempotency-Keys: the
journal's tables agent_sales and agent_keys, read and written only here (the Counter's `pushed`).

The platform side of a sale (sales, requests, refunds) is the sale store's; this only links a caller's bill to it.
These rows move no money, so they commit to the WAL without waiting for the disk (Journal.tx(durable=False)):
a kill -9 loses none of them, and the settlement's own durable commit syncs them to disk before any money
moves; a power cut before that loses at most a sale nothing was paid for.
"""
from __future__ import annotations

import hashlib
import json
import os
import secrets

from terminal.errors import KeyConflict
from terminal.journal.clock import now
from terminal.journal.journal import Journal
from terminal.states import DeskState as D, SaleState as S


def body_hash(body: dict) -> str:
    """A stable hash of a request body (keys sorted) to tell a retry from a different request."""
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def new_id() -> str:
    """A sale id callers cannot guess from another's."""
    return "s_" + secrets.token_hex(10)


class PushedSales:
    """Reads and writes agent_sales and agent_keys in the counter's journal."""

    def __init__(self, journal: Journal):
        self.journal = journal

    def keyed(self, endpoint: str, key: str, body: dict) -> str | None:
        """The ref an earlier request with this key made, None when the key is new; KeyConflict when the
        key came with another body."""
        found = self.journal.query("SELECT body_hash, ref FROM agent_keys WHERE endpoint=? AND key=?",
                                   (endpoint, key))
        if not found:
            return None
        if found[0]["body_hash"] != body_hash(body):
            raise KeyConflict(found[0]["ref"])
        return found[0]["ref"]

    def create_sale(self, key: str, external_id: str, profile: str, bill: dict) -> tuple[str, bool]:
        """A new sale waiting for its code and its key, in one transaction; (id, created). A key already
        taken (a retry racing the first request) answers the first request's sale."""
        sid, stamp = new_id(), now()
        with self.journal.tx(durable=False) as c:
            got = c.execute("SELECT body_hash, ref FROM agent_keys WHERE endpoint='sales' AND key=?",
                            (key,)).fetchone()
            if got:
                if got[0] != body_hash(bill):
                    raise KeyConflict(got[1])
                return got[1], False
            c.execute("INSERT INTO agent_sales(id, external_id, profile, bill, state, pid, created_at, updated_at)"
                      " VALUES (?,?,?,?,?,?,?,?)",
                      (sid, external_id, profile, json.dumps(bill, ensure_ascii=False), D.WAITING_FOR_CODE,
                       os.getpid(), stamp, stamp))
            c.execute("INSERT INTO agent_keys(endpoint, key, body_hash, ref, created_at) VALUES ('sales',?,?,?,?)",
                      (key, body_hash(bill), sid, stamp))
        return sid, True

    def remember_key(self, endpoint: str, key: str, body: dict, ref: str) -> None:
        """Record what a keyed request made (refunds: after the core queued it)."""
        with self.journal.tx(durable=False) as c:
            c.execute("INSERT OR IGNORE INTO agent_keys(endpoint, key, body_hash, ref, created_at)"
                      " VALUES (?,?,?,?,?)", (endpoint, key, body_hash(body), ref, now()))

    def update(self, sid: str, **fields) -> None:
        """Change a sale's agent-side fields (state, sale_id, quote, error_key, error_message, pid)."""
        if "quote" in fields and not isinstance(fields["quote"], str):
            fields["quote"] = json.dumps(fields["quote"], ensure_ascii=False)
        fields["updated_at"] = now()
        sets = ", ".join(f"{k}=?" for k in fields)
        with self.journal.tx(durable=False) as c:
            c.execute(f"UPDATE agent_sales SET {sets} WHERE id=?", (*fields.values(), sid))

    def get(self, sid: str) -> tuple[dict, dict | None] | None:
        """(agent row, journal sale row or None) for a sale id; None when unknown."""
        found = self.journal.query("SELECT * FROM agent_sales WHERE id=?", (sid,))
        if not found:
            return None
        a = found[0]
        return a, (self.journal.sale(a["sale_id"]) if a["sale_id"] else None)

    def by_sale(self, sale_id: int) -> str | None:
        """The pushed sale whose journal sale this is (None: a sale nobody pushed)."""
        found = self.journal.query("SELECT id FROM agent_sales WHERE sale_id=?", (sale_id,))
        return found[0]["id"] if found else None

    def pushed_between(self, since: str, until: str, external_id: str | None, limit: int) -> list[str]:
        """Ids of the sales pushed in [since, until) (the journal's UTC clock), oldest first; one bill's when
        external_id is given."""
        sql, args = "SELECT id FROM agent_sales WHERE created_at >= ? AND created_at < ?", [since, until]
        if external_id:
            sql, args = sql + " AND external_id = ?", [*args, external_id]
        return [r["id"] for r in self.journal.query(sql + " ORDER BY created_at LIMIT ?", (*args, limit))]

    def open_sales(self) -> list[dict]:
        """Sales still open: waiting for a code, quoted or settling with no platform outcome yet, or unknown.
        Each row carries the journal's status as `j_status` (None before the platform has the sale)."""
        return self.journal.query(
            "SELECT a.*, s.status AS j_status FROM agent_sales a LEFT JOIN sales s ON s.id = a.sale_id"
            " WHERE a.state IN (?,?,?,?) AND (s.id IS NULL OR s.status IN (?,?)) ORDER BY a.created_at",
            (D.WAITING_FOR_CODE, D.QUOTED, D.SETTLING, D.UNKNOWN, S.PENDING, S.UNKNOWN))

    def moved_sales(self) -> list[dict]:
        """Sales the journal moved on from where the agent last wrote them (settled after a confirm; an unknown
        outcome resolved by sync), with `j_status`."""
        return self.journal.query(
            "SELECT a.*, s.status AS j_status FROM agent_sales a JOIN sales s ON s.id = a.sale_id"
            " WHERE a.state IN (?,?,?) AND s.status != ? AND NOT (a.state = ? AND s.status = ?)",
            (D.QUOTED, D.SETTLING, D.UNKNOWN, S.PENDING, D.UNKNOWN, S.UNKNOWN))
