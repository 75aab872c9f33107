"""What the journal's keyed chain costs per write.

    python bench/chain.py [--txs 300]

Runs the same write transactions - a sale's shape: insert the sale, update it twice, queue an outbox row
and an audit row, each its own fully synced commit (WAL, synchronous=FULL) - three ways, interleaved so all
see the same disk and load:
  plain   the journal's schema on a bare connection: no chain triggers, no head file (the release before);
  chain   Journal with the chain's triggers (HMAC-SM3 per changed row) but the head file left alone;
  full    Journal as it runs: triggers, and the head file and its witness (terminal/journal/journal_guard.py) moved
          forward after each commit (their fdatasyncs on background threads, so they compete for the disk but
          are not waited for).
Prints the median and p95 per committed transaction and what the chain adds (full - plain), split into the
triggers (chain - plain) and the head file (full - chain). The disk's noise (other processes syncing) can
swamp a fraction of a millisecond, so plain and chain run once more with synchronous=OFF: their difference
is the CPU the triggers and HMAC-SM3 cost per write.
"""
from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from terminal.journal import audit, journal as journal_mod, operators, replication  # noqa: E402
from terminal.journal.journal import Journal  # noqa: E402

ITEMS = '[{"code":"XA01","name":"阿莫西林胶囊","qty":"2","price":"12.50"}]'


def p95(xs):
    return sorted(xs)[int(len(xs) * 0.95) - 1]


class Plain:
    """The journal's tables on a bare connection: what a write cost before the chain."""

    def __init__(self, path: Path):
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.executescript(journal_mod.SCHEMA + audit.SCHEMA + operators.SCHEMA + replication.SCHEMA)

    def tx(self, fn) -> None:
        self.conn.execute("BEGIN IMMEDIATE")
        fn(self.conn)
        self.conn.execute("COMMIT")


def unsynced(v):
    """The same variant with SQLite's syncs off: what is left is CPU."""
    conn = v.conn if isinstance(v, Plain) else v.j.conn
    conn.execute("PRAGMA synchronous=OFF")
    return v


class Chained:
    """Journal itself; head=False leaves the head file alone (to split the triggers from the fsync)."""

    def __init__(self, path: Path, head: bool):
        self.j = Journal(path)
        if not head:
            self.j.guard.after_commit = lambda: None

    def tx(self, fn) -> None:
        with self.j.tx() as c:
            fn(c)


def sale_steps() -> list:
    """The writes of one sale, each a transaction of its own."""
    def insert(c):
        c.execute("INSERT INTO sales(profile, opter, pid, created_at, day, status, status_at, items) VALUES "
                  "('pharmacy','c1',1,'2026-11-29T00:00:00','2026-11-29','pending','x',?)", (ITEMS,))

    def update_a(c):
        c.execute("UPDATE sales SET medfee_sumamt='25.00', psn_no='P1', msgid='M1' WHERE id=(SELECT max(id) FROM sales)")

    def update_b(c):
        c.execute("UPDATE sales SET status='settled', setl_id='S1' WHERE id=(SELECT max(id) FROM sales)")

    def outbox(c):
        c.execute("INSERT INTO outbox(kind, ref, created_at) VALUES ('release','1','x')")

    def audited(c):
        audit.append(c, "settled", "c1", sale_id=1)
    return [insert, update_a, update_b, outbox, audited]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--txs", type=int, default=300, help="transactions per variant")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(dir=ROOT / "build" if (ROOT / "build").is_dir() else None) as d:
        d = Path(d)
        os.environ["ECPOS_WITNESS_DIR"] = str(d / "witness")  # the head's witness (full): beside the rest
        for sub in ("plain", "plain-cpu"):
            (d / sub).mkdir()
        variants = {"plain": Plain(d / "plain" / "journal.sqlite3"),
                    "chain": Chained(d / "chain" / "journal.sqlite3", head=False),
                    "full": Chained(d / "full" / "journal.sqlite3", head=True),
                    "plain-cpu": unsynced(Plain(d / "plain-cpu" / "journal.sqlite3")),
                    "chain-cpu": unsynced(Chained(d / "chain-cpu" / "journal.sqlite3", head=False))}
        times = {k: [] for k in variants}
        steps = sale_steps()
        for n in range(args.txs):
            step = steps[n % len(steps)]
            for name, v in variants.items():  # interleaved: the same disk state and load for each
                t0 = time.perf_counter()
                v.tx(step)
                times[name].append((time.perf_counter() - t0) * 1000)
        proof = variants["full"].j.verify_rows()
        assert proof.ok, proof
        med = {k: statistics.median(v) for k, v in times.items()}
        print(f"{args.txs} fully synced write transactions per variant (a sale's writes in turn), {os.cpu_count()} "
              f"cores, load {os.getloadavg()[0]:.1f}")
        print(f"{'variant':<8} {'median ms':>10} {'p95 ms':>8}")
        for k, v in times.items():
            print(f"{k:<8} {med[k]:>10.3f} {p95(v):>8.3f}")
        print(f"added per write: {med['full'] - med['plain']:.3f} ms median "
              f"(triggers + HMAC-SM3 {med['chain'] - med['plain']:.3f} ms, head file "
              f"{med['full'] - med['chain']:.3f} ms); chain entries {proof.entries}, verified")
        print(f"CPU of the triggers and HMAC-SM3 per write (synchronous=OFF): "
              f"{med['chain-cpu'] - med['plain-cpu']:.3f} ms median")
        for k, v in variants.items():
            v.conn.close() if isinstance(v, Plain) else v.j.close()


if __name__ == "__main__":
    main()
