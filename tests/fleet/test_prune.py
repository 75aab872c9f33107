"""A till with no fleet configured keeps no change-capture lines (sync drops them: nobody would push them,
and a till keeps its journal for years); a fleet configured later still gets every row on its first push;
once pushed, a sync without the fleet's address (another process, a config being changed) drops nothing."""
from __future__ import annotations

from decimal import Decimal

import psycopg

from fleet.push import Till, push
from terminal.counter import Counter, Item

from tests.engine.helpers import journal_rows, staff

ITEMS = [Item("XA01", "阿莫西林胶囊", Decimal("2"), Decimal("12.50"))]


def lines(cfg) -> int:
    return journal_rows(cfg, "SELECT count(*) n FROM replication")[0]["n"]


def test_no_fleet_no_lines_and_a_fleet_configured_later_gets_every_row(sim, make_cfg, fleet_dsn):
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})  # no [fleet] dsn
    staff(cfg)
    people = [p for p in sim.persons() if p["status"] == "active"][:3]
    with Counter(cfg) as c:
        sold = [c.settle(c.presettle(c.identify(sim.code(p["psn_no"])), ITEMS)) for p in people[:2]]
    assert lines(cfg) > 0
    with Counter(cfg) as c:
        c.sync()
    assert lines(cfg) == 0

    till = Till.of(cfg)
    report = push(fleet_dsn, cfg.data_dir / "journal.sqlite3", till)  # the fleet, configured later
    assert report.pushed > 0 and lines(cfg) == 0
    with psycopg.connect(fleet_dsn) as pg:
        got = {r[0] for r in pg.execute("SELECT data->>'setl_id' FROM sales WHERE till=%s AND data->>'status'"
                                         "='settled'", (till.name,))}
        assert got == {s.setl_id for s in sold}
        assert pg.execute("SELECT count(*) FROM operators WHERE till=%s", (till.name,)).fetchone()[0] >= 2

    with Counter(cfg) as c:  # pushed once: a sync that does not know the fleet keeps the pusher's lines
        c.settle(c.presettle(c.identify(sim.code(people[2]["psn_no"])), ITEMS))
        c.sync()
    assert lines(cfg) > 0
