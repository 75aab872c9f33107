"""Pushing a till's journal to the fleet database: the lines of the journal's `replication` table
(terminal/journal/replication.py), in order, in batches, each batch one PostgreSQL transaction.

Exactly once without a two-phase commit: the batch's rows and the till's cursor (tills.pushed_seq, the last
replication seq stored) commit together, under a row lock on the till, and a pass starts after the cursor.
Each row is written with its version (the newest replication seq of that row in the till's snapshot) and only
over an older version, so a batch pushed twice (killed after PostgreSQL's commit, before the till deleted its
lines) changes nothing. The till reads its journal on its own connection: a sale never waits on a push.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import psycopg
from psycopg.types.json import Jsonb

from fleet import db
from terminal import logs
from terminal.journal import replication
from terminal.journal.journal import crash_point

# What leaves the till: never a PIN hash. (Sales hold only masked personal data already: terminal/journal/redact.py.)
DROP = {"operators": ("salt", "pin_hash", "params")}


@dataclass
class Till:
    """Who pushes: the till's fleet name, institution, msgid node and profile."""

    name: str
    fixmedins_code: str
    msgid_node: int
    profile: str

    @classmethod
    def of(cls, cfg) -> "Till":
        """This till, from the configuration ([fleet] till, else <fixmedins_code>-<msgid_node>)."""
        inst = cfg.institution
        return cls(cfg.fleet.till or f"{inst.fixmedins_code}-{inst.msgid_node}", inst.fixmedins_code,
                   int(inst.msgid_node), cfg.profile)


@dataclass
class PushReport:
    """One pass: changes pushed, batches, what still waits on the till, and the cursor reached."""

    till: str
    pushed: int = 0
    batches: int = 0
    queue: int = 0
    pushed_seq: int = 0


def digest(data: dict) -> str:
    """SHA-256 of a row's canonical JSON: what `fleet verify` recomputes on either end."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _money(v) -> Decimal:
    return Decimal(str(v or "0"))


def _day(text: str | None) -> str | None:
    return text[:10] if text and len(text) >= 10 else None


# Per table: the upsert and the typed columns drawn from the till's row (data keeps the whole row).
_UPSERT = {
    "sales": ("id", ("profile", "opter", "day", "status", "mdtrt_cert_type", "setl_id", "setl_day", "insutype",
                     "insuplc_admdvs", "medfee_sumamt", "fund_pay_sumamt", "acct_pay", "psn_cash_pay"),
              lambda r: (r["profile"], r["opter"], r["day"], r["status"], r["mdtrt_cert_type"], r["setl_id"],
                         _day(r["setl_time"]), r["insutype"], r["insuplc_admdvs"], _money(r["medfee_sumamt"]),
                         _money(r["fund_pay_sumamt"]), _money(r["acct_pay"]), _money(r["psn_cash_pay"]))),
    "refunds": ("id", ("sale_id", "setl_id", "status", "msgid", "setl_day"),
                lambda r: (r["sale_id"], r["setl_id"], r["status"], r["msgid"], _day(r["setl_time"]))),
    "outbox": ("seq", ("kind", "done"), lambda r: (r["kind"], bool(r["done_at"]))),
    "operators": ("id", ("role",), lambda r: (r["role"],)),
    "shifts": ("id", ("opened_by",), lambda r: (r["opened_by"],)),
    "tenders": ("id", ("sale_id", "refund_id", "method", "amount", "operator"),
                lambda r: (r["sale_id"], r["refund_id"], r["method"], _money(r["amount"]), r["operator"])),
    "adjustments": ("id", ("sale_id", "given", "authorized_by"),
                    lambda r: (r["sale_id"], _money(r["discount"]) + _money(r["rounding"]), r["authorized_by"])),
}


def _sql(table: str) -> str:
    key, cols, _ = _UPSERT[table]
    names = ("till", key, "version", "digest", "data", *cols)
    sets = ", ".join(f"{c}=EXCLUDED.{c}" for c in names[2:])
    return (f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))}) "
            f"ON CONFLICT (till, {key}) DO UPDATE SET {sets} WHERE {table}.version < EXCLUDED.version")


class Source:
    """The till's journal, read on a connection of its own (WAL: readers never block the sale's writer)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.conn = sqlite3.connect(self.path, isolation_level=None, timeout=10.0, check_same_thread=False)
        self.conn.row_factory = sqlite3.Row
        # Deleting pushed lines need not wait for the disk: a deletion lost to a power cut only brings back
        # lines PostgreSQL's cursor already skips. (The sale's own commits stay synchronous=FULL.)
        self.conn.execute("PRAGMA synchronous=NORMAL")

    def close(self) -> None:
        self.conn.close()

    def snapshot(self, after: int, limit: int) -> tuple[list, dict, dict | None, int]:
        """In one read transaction: the next lines after `after`, the rows they name (current state, with
        their version), the audit head, and how many lines wait beyond this batch."""
        c = self.conn
        c.execute("BEGIN")
        try:
            lines = c.execute("SELECT seq, tbl, row FROM replication WHERE seq > ? ORDER BY seq LIMIT ?",
                              (after, limit)).fetchall()
            rows: dict[str, list] = {}
            head = None
            if lines:
                last = lines[-1]["seq"]
                wanted: dict[str, set] = {}
                for ln in lines:
                    wanted.setdefault(ln["tbl"], set()).add(ln["row"])
                head = self._head()
                for table, keys in wanted.items():
                    if table == "audit":
                        continue  # only its head travels (above)
                    if table not in _UPSERT:
                        continue  # a table a newer ecpos replicates: skipped until fleet/ knows it
                    rows[table] = self._rows(table, sorted(keys))
                waiting = c.execute("SELECT count(*) FROM replication WHERE seq > ?", (last,)).fetchone()[0]
            else:
                waiting = 0
        finally:
            c.execute("COMMIT")
        return lines, rows, head, waiting

    def _head(self) -> dict | None:
        """The journal's chain head: the keyed chain over every row change (terminal/journal/chain.py) where the
        journal has one, else the audit log's hash chain."""
        c = self.conn
        if c.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='chain'").fetchone():
            r = c.execute("SELECT seq, mac AS hash, 'hmac-sm3' AS algo FROM chain ORDER BY seq DESC LIMIT 1")
        else:
            r = c.execute("SELECT seq, hash, algo FROM audit ORDER BY seq DESC LIMIT 1")
        row = r.fetchone()
        return dict(row) if row else None

    def chain_end(self) -> int:
        """The journal's last keyed-chain entry (0 without a chain)."""
        if not self.conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='chain'").fetchone():
            return 0
        return self.conn.execute("SELECT coalesce(max(seq), 0) FROM chain").fetchone()[0]

    def chain_mac(self, seq: int) -> str | None:
        """The keyed chain's MAC at seq (None when the journal has no such entry)."""
        if not self.chain_end():
            return None
        row = self.conn.execute("SELECT mac FROM chain WHERE seq=?", (seq,)).fetchone()
        return row[0] if row else None

    def _rows(self, table: str, keys: list[str]) -> list[tuple[dict, int]]:
        key = _UPSERT[table][0]
        out = []
        for i in range(0, len(keys), 500):  # SQLite's variable limit
            part = keys[i:i + 500]
            marks = ",".join("?" * len(part))
            versions = dict(self.conn.execute(
                f"SELECT row, max(seq) FROM replication WHERE tbl=? AND row IN ({marks}) GROUP BY row",
                (table, *part)).fetchall())
            args = part if table == "operators" else [int(k) for k in part]  # integer keys: use the index
            for r in self.conn.execute(f"SELECT * FROM {table} WHERE {key} IN ({marks})", args):
                data = {k: r[k] for k in r.keys() if k not in DROP.get(table, ())}
                out.append((data, versions[str(data[key])]))
        return out

    def forget(self, upto: int) -> None:
        """Delete the lines PostgreSQL has (a short write; on contention the next pass does it)."""
        try:
            self.conn.execute("DELETE FROM replication WHERE seq <= ?", (upto,))
        except sqlite3.OperationalError:
            pass

    def waiting(self) -> int:
        return self.conn.execute("SELECT count(*) FROM replication").fetchone()[0]


def register_till(pg: psycopg.Connection, till: Till) -> None:
    """Make sure the fleet knows this till (its profile and node may change with its configuration)."""
    with pg.transaction():
        pg.execute("INSERT INTO tills (till, fixmedins_code, msgid_node, profile) VALUES (%s,%s,%s,%s) "
                   "ON CONFLICT (till) DO UPDATE SET fixmedins_code=EXCLUDED.fixmedins_code, "
                   "msgid_node=EXCLUDED.msgid_node, profile=EXCLUDED.profile",
                   (till.name, till.fixmedins_code, till.msgid_node, till.profile))


class BehindFleet(db.FleetError):
    """The journal is older than the chain head the fleet holds for this till: restored from a backup (with
    its key dir, and even this machine's witness: what the till alone cannot tell) or replaced."""

    key = "journal_behind_fleet"


def check_head(pg: psycopg.Connection, src: Source, till: Till) -> None:
    """Refuse to push a journal that does not reach the keyed-chain head the fleet last received from this
    till, or differs there, naming the stretch only the fleet still holds (`ecpos fleet verify` shows it too)."""
    with pg.transaction():  # its own: a read left open would hold every batch after it in one transaction
        row = pg.execute("SELECT chain_seq, chain_hash, chain_algo FROM tills WHERE till=%s",
                         (till.name,)).fetchone()
    if not row or not row[0] or row[2] != "hmac-sm3":
        return
    seq, mac = row[0], row[1]
    mine, end = src.chain_mac(seq), src.chain_end()
    if mine == mac:
        return
    what = (f"机构数据库已收到本收款台第 {seq} 条变更，本机交易日志只到第 {end} 条：第 {end + 1}–{seq} 条变更"
            f"（其间的结算、退费）不在本机日志中，只在机构数据库里" if mine is None else
            f"本机交易日志在第 {seq} 条与机构数据库收到的不同（日志被替换或改写）")
    logs.event("fleet_journal_behind", till=till.name, fleet_seq=seq, chain_end=end)
    raise BehindFleet(f"{what}；本机日志是从较旧的备份恢复的？未推送。请用 ecpos fleet verify 查看，并用 ecpos reconcile "
                      f"与医保平台核对；核对后要从这份日志继续推送，请给本机换一个 [fleet] till 名称（原名称下的记录保留作证据）",
                      exit_code=2)


def push_batch(pg: psycopg.Connection, src: Source, till: Till, batch: int) -> tuple[int, int, int]:
    """Push the next batch in one transaction; returns (lines pushed, cursor, lines still waiting)."""
    with pg.transaction():
        row = pg.execute("SELECT pushed_seq FROM tills WHERE till=%s FOR UPDATE", (till.name,)).fetchone()
        done = row[0]
        lines, rows, head, waiting = src.snapshot(done, batch)
        if not lines:
            pg.execute("UPDATE tills SET last_push=now(), queue=0 WHERE till=%s", (till.name,))
            return 0, done, 0
        with pg.cursor() as cur:
            for table, items in rows.items():
                key, _, typed = _UPSERT[table]
                cur.executemany(_sql(table), [(till.name, data[key], version, digest(data),
                                               Jsonb(data), *typed(data))
                                              for data, version in items])
        last = lines[-1]["seq"]
        crash_point("fleet_batch_sent")  # rows sent, transaction open: PostgreSQL rolls it back
        pg.execute("UPDATE tills SET pushed_seq=%s, last_push=now(), queue=%s WHERE till=%s",
                   (last, waiting, till.name))
        if head:
            pg.execute("UPDATE tills SET chain_seq=%s, chain_hash=%s, chain_algo=%s WHERE till=%s",
                       (head["seq"], head["hash"], head["algo"], till.name))
    return len(lines), last, waiting


def push(dsn: str, journal_path: str | Path, till: Till, *, batch: int = 500,
         max_batches: int | None = None) -> PushReport:
    """One pass: push batches until nothing waits (or max_batches); raises db.FleetError when PostgreSQL
    cannot be reached or fails mid-way (what was committed stays, the rest goes next time)."""
    report = PushReport(till.name)
    src = Source(journal_path)
    try:
        replication.start_pushing(src.conn)  # lines sync dropped before a fleet was configured: every row again
        with db.connect(dsn) as pg:
            register_till(pg, till)
            check_head(pg, src, till)
            while max_batches is None or report.batches < max_batches:
                n, cursor, waiting = push_batch(pg, src, till, batch)
                report.pushed_seq, report.queue = cursor, waiting
                crash_point("fleet_batch_committed")  # committed, the till's lines not yet deleted
                if not n:
                    break
                report.pushed += n
                report.batches += 1
                if not waiting:
                    break
        src.forget(report.pushed_seq)  # once per pass: each delete takes the journal's write lock briefly
        return report
    except psycopg.errors.UndefinedTable:
        raise db.FleetError("机构数据库还没有建表：请先运行 ecpos fleet init", key="fleet_not_initialised",
                            exit_code=2) from None
    except psycopg.Error as e:
        logs.event("fleet_push_failed", till=till.name, pushed=report.pushed, error=type(e).__name__)
        raise db.FleetError(f"推送到机构数据库中断（已推送 {report.pushed} 条）：本机交易不受影响，未推送的变更会在"
                            f"下次推送时继续", key="fleet_push_failed",
                            detail=str(e).strip().splitlines()[0] if str(e).strip() else "") from None
    finally:
        src.close()
