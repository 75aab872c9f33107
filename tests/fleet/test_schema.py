"""Versioned migrations: a database made by an older ecpos is brought up to date with its rows kept, and the
rate's per-day counts (sales_daily, migration 2) follow every pushed change."""
from __future__ import annotations

from decimal import Decimal

import psycopg

from fleet import reports, schema
from fleet.push import push
from terminal.journal.journal import Journal

from tests.fleet.test_push_robust import TILL, fill


def test_an_older_database_migrates_and_counts_what_it_already_had(pg_cluster, tmp_path):
    dsn = pg_cluster.fresh_dsn()
    with psycopg.connect(dsn) as c:  # as the first release left it: migration 1 only
        c.execute("CREATE TABLE fleet_migrations (version integer PRIMARY KEY, name text NOT NULL, "
                  "applied_at timestamptz NOT NULL DEFAULT now())")
        c.execute(schema.MIGRATIONS[0][2])
        c.execute("INSERT INTO fleet_migrations (version, name) VALUES (1, 'x')")
    journal = Journal(tmp_path / "journal.sqlite3")
    fill(journal, 30)
    push(dsn, journal.path, TILL)
    with psycopg.connect(dsn) as c:
        assert schema.version(c) == 1
        assert schema.migrate(c) == [v for v, _, _ in schema.MIGRATIONS[1:]]
        assert schema.version(c) == schema.LATEST
        assert reports.stats(c, "2026-11-29", "2026-11-29", Decimal("0.9")).total["settlements"] == 30
    # later changes keep the counts: a refund (still a settlement that happened), one reversed, new sales
    with journal.tx() as c:
        c.execute("UPDATE sales SET status='refunded' WHERE id=1")
        c.execute("UPDATE sales SET status='reversed' WHERE id=2")
        c.execute("UPDATE sales SET mdtrt_cert_type='02' WHERE id=3")
    fill(journal, 5, start=30)
    push(dsn, journal.path, TILL)
    with psycopg.connect(dsn) as c:
        st = reports.stats(c, "2026-11-29", "2026-11-29", Decimal("0.9"))
        assert (st.total["settlements"], st.total["ec_01"], st.total["idcard_02"]) == (34, 33, 1)
        checked, diffs = reports.verify(c)
        assert diffs == [] and checked == 35
        # the per-day counts changed behind the trigger's back: verify names them
        c.execute("UPDATE sales_daily SET n = n + 1 WHERE cert = '02'")
        _, diffs = reports.verify(c)
        assert [(d.table, d.key) for d in diffs] == [("sales_daily", "2026-11-29 0001 02")]
