"""The background pusher: keeps up with sales, rides out PostgreSQL going away (backoff) and catches up when
it is back; `ecpos agent` runs it when [fleet] dsn is set."""
from __future__ import annotations

import psycopg

from fleet import schema
from fleet.background import BackgroundPusher
from fleet.push import Till
from terminal.journal.journal import Journal

from tests.agent.conftest import agent  # noqa: F401  (fixture)
from tests.fleet.cluster import Cluster
from tests.fleet.test_push_robust import TILL, fill, same_rows
from tests.waiting import wait_until


def count(dsn: str, sql: str = "SELECT count(*) FROM sales") -> int:
    try:
        with psycopg.connect(dsn, connect_timeout=2) as c:
            return c.execute(sql).fetchone()[0]
    except psycopg.OperationalError:
        return -1


def test_background_pusher_catches_up_after_postgres_comes_back(tmp_path):
    cluster = Cluster().start()
    try:
        dsn = cluster.fresh_dsn()
        with psycopg.connect(dsn) as c:
            schema.migrate(c)
        journal = Journal(tmp_path / "journal.sqlite3")
        pusher = BackgroundPusher(dsn, journal.path, TILL, interval_s=0.05, max_backoff_s=0.5).start()
        try:
            fill(journal, 300)
            wait_until(lambda: count(dsn) == 300, timeout=20)
            cluster.stop("immediate")
            fill(journal, 200, start=300)  # the till sells on while the database is gone
            wait_until(lambda: pusher.failures >= 2, timeout=30)
            assert pusher.error in ("fleet_unreachable", "fleet_push_failed")
            cluster.start()
            wait_until(lambda: count(dsn) == 500 and pusher.failures == 0, timeout=30)
        finally:
            pusher.stop()
        same_rows(journal, dsn)
    finally:
        cluster.destroy()


def test_ecpos_agent_pushes_in_the_background(agent, fleet_dsn):  # noqa: F811
    proc, client, cfg = agent(env={"ECPOS_FLEET_DSN": fleet_dsn})
    # the fixture's cashier and supervisor reach the fleet database without a `fleet push`
    wait_until(lambda: count(fleet_dsn, "SELECT count(*) FROM operators") == 2, timeout=30)
    assert count(fleet_dsn, "SELECT count(*) FROM tills") == 1
    assert Till.of(cfg).name == "P32010200001-" + str(cfg.institution.msgid_node)
