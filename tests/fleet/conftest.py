"""Fleet fixtures: one real PostgreSQL cluster per test session (tests/fleet/cluster.py), a fresh database
per test, and `till` (a configured till pointing at the simulator and that database)."""
from __future__ import annotations

import pytest

from tests.fleet.cluster import Cluster


@pytest.fixture(scope="session")
def pg_cluster():
    c = Cluster().start()
    yield c
    c.destroy()


@pytest.fixture
def fleet_dsn(pg_cluster):
    """An empty database with the fleet schema."""
    from fleet import db, schema
    dsn = pg_cluster.fresh_dsn()
    with db.connect(dsn) as conn:
        schema.migrate(conn)
    return dsn
