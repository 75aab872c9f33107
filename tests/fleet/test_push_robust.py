"""Pushing survives what real sites do to it: kill -9 mid-push, PostgreSQL stopped mid-push and restarted,
a fleet database that hangs; nothing is lost or doubled, and a sale never waits on it."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time

import psycopg
import pytest

from fleet import db
from fleet.background import BackgroundPusher
from fleet.push import Till, digest, push
from terminal.office import operators
from terminal.journal.journal import Journal

from tests.fleet.cluster import Cluster
from tests.waiting import wait_until

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TILL = Till("P32010200001-3", "P32010200001", 3, "pharmacy")


def fill(journal: Journal, n: int, start: int = 0) -> None:
    """n settled sales (each an insert and an update, as a real sale), fast: one transaction per 500."""
    for base in range(start, start + n, 500):
        with journal.tx() as c:
            for i in range(base, min(base + 500, start + n)):
                cur = c.execute("INSERT INTO sales(profile, opter, pid, created_at, day, status, status_at) "
                                "VALUES ('pharmacy', '0001', 1, '2026-11-29T01:00:00', '2026-11-29', 'pending', '')")
                c.execute("UPDATE sales SET status='settled', setl_id=?, setl_time='2026-11-29 09:00:00', "
                          "medfee_sumamt='12.50', insutype='310' WHERE id=?", (f"S{i:08d}", cur.lastrowid))


def same_rows(journal: Journal, dsn: str) -> None:
    """PostgreSQL holds exactly the till's sales, each once, each with the till's current content."""
    mine = {r["id"]: digest(r) for r in journal.query("SELECT * FROM sales")}
    with psycopg.connect(dsn) as c:
        theirs = dict(c.execute("SELECT id, digest FROM sales WHERE till=%s", (TILL.name,)).fetchall())
        assert c.execute("SELECT count(*) FROM sales").fetchone()[0] == len(theirs)
    assert theirs == mine


def pushed_seq(dsn: str) -> int:
    with psycopg.connect(dsn) as c:
        row = c.execute("SELECT pushed_seq FROM tills WHERE till=%s", (TILL.name,)).fetchone()
    return row[0] if row else 0


@pytest.mark.parametrize("point", ["fleet_batch_sent", "fleet_batch_committed"])
def test_kill_9_mid_push_loses_and_doubles_nothing(fleet_dsn, tmp_path, point):
    journal = Journal(tmp_path / "journal.sqlite3")
    fill(journal, 1500)
    code = ("import sys; from fleet.push import push, Till; "
            f"push({fleet_dsn!r}, {str(journal.path)!r}, Till(*{tuple(vars(TILL).values())!r}), batch=400)")
    env = {**os.environ, "ECPOS_TEST_KILL_AT": point, "PYTHONPATH": ROOT}
    r = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, timeout=60)
    assert r.returncode == -9
    if point == "fleet_batch_committed":
        # PostgreSQL has the first batch, the till still has its lines: the next pass must not send them again
        assert pushed_seq(fleet_dsn) == 400
        assert journal.query("SELECT min(seq) m FROM replication")[0]["m"] == 1
    else:
        assert pushed_seq(fleet_dsn) == 0
    fill(journal, 10, start=1500)  # the till kept selling meanwhile
    report = push(fleet_dsn, journal.path, TILL, batch=400)
    assert report.queue == 0 and report.pushed_seq == 3020
    assert report.pushed == (3020 - 400 if point == "fleet_batch_committed" else 3020)
    same_rows(journal, fleet_dsn)
    assert journal.query("SELECT count(*) n FROM replication")[0]["n"] == 0  # the till's lines are gone


def test_postgres_stopped_mid_push_then_restarted(tmp_path):
    cluster = Cluster().start()
    try:
        dsn = cluster.fresh_dsn()
        with db.connect(dsn) as c:
            from fleet import schema
            schema.migrate(c)
        journal = Journal(tmp_path / "journal.sqlite3")
        fill(journal, 8000)
        outcome: dict = {}

        def run():
            try:
                outcome["report"] = push(dsn, journal.path, TILL, batch=50)
            except db.FleetError as e:
                outcome["error"] = e

        t = threading.Thread(target=run)
        t.start()
        wait_until(lambda: pushed_seq(dsn) >= 500, timeout=30)
        cluster.stop("immediate")  # as a crash or a pulled cable: connections cut mid-transaction
        t.join(30)
        assert outcome["error"].key == "fleet_push_failed"
        assert "password" not in str(outcome["error"])
        # down: a push fails fast and says so; the till keeps its lines
        with pytest.raises(db.FleetError) as e:
            push(dsn, journal.path, TILL)
        assert e.value.key == "fleet_unreachable" and e.value.exit_code == 3
        fill(journal, 5, start=8000)
        cluster.start()
        partial = pushed_seq(dsn)
        assert 500 <= partial < 16010 and partial % 50 == 0  # whole batches only
        report = push(dsn, journal.path, TILL, batch=500)
        assert report.pushed == 16010 - partial and report.queue == 0
        same_rows(journal, dsn)
    finally:
        cluster.destroy()


def test_a_hanging_fleet_database_never_delays_a_sale(tmp_path):
    # A server that accepts and never answers: the pusher waits on it, the journal does not.
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    srv.settimeout(10)
    port = srv.getsockname()[1]
    journal = Journal(tmp_path / "journal.sqlite3")
    operators.add(journal, "s1", "supervisor", "9753")
    pusher = BackgroundPusher(f"postgresql://ecpos:s3cret@127.0.0.1:{port}/fleet", journal.path, TILL,
                              interval_s=0.05).start()
    try:
        wait_until(lambda: srv.accept(), timeout=10)  # the pusher is connecting now
        t0 = time.perf_counter()
        fill(journal, 200)
        assert time.perf_counter() - t0 < 5  # 200 sales while the pusher hangs (its connect timeout is 5 s)
        wait_until(lambda: pusher.failures >= 1, timeout=15)
        assert pusher.error == "fleet_unreachable" and pusher.delay() > pusher.interval_s / 2
    finally:
        pusher.stop(timeout=15)
        srv.close()
    assert journal.query("SELECT count(*) n FROM replication WHERE tbl='sales'")[0]["n"] == 400  # all kept
