"""Two tills of one institution (msgid_node 0 and 1) sell, refund offline and push; the fleet's stats and
reconciliation are the sum of the tills' own reports, status and verify see both, and a row changed at
either end is named."""
from __future__ import annotations

import json
import sqlite3
from collections import Counter as Tally
from decimal import Decimal

import psycopg
import pytest

from fleet import schema
from simulator import roster
from terminal.journal import chain
from terminal.counter import Counter, Item
from terminal.journal.journal import Journal

from tests.engine.helpers import PIN, SUPERVISOR_PIN, ecpos, ecpos_json, staff

ITEMS = [Item("XA01", "阿莫西林胶囊", Decimal("2"), Decimal("12.50"))]
PIN_ENV = {"ECPOS_SUPERVISOR_PIN": SUPERVISOR_PIN, "ECPOS_PIN": PIN}  # supervisor and cashier


@pytest.fixture
def tills(sim, make_cfg, fleet_dsn):
    """Till A: two e-credential sales and one by ID card; till B: two sales, one refunded while the
    platform was down (queued, forwarded by sync). Returns (a, b, day)."""
    a = make_cfg("pharmacy", {"credential.adapter": "http", "fleet.dsn": fleet_dsn,
                              "institution.msgid_node": 0})
    b = make_cfg("pharmacy", {"credential.adapter": "http", "fleet.dsn": fleet_dsn,
                              "institution.msgid_node": 1})
    people = [p for p in sim.persons() if p["status"] == "active"][:5]
    for cfg in (a, b):
        staff(cfg)
    with Counter(a) as c:
        for p in people[:2]:
            s = c.settle(c.presettle(c.identify(sim.code(p["psn_no"])), ITEMS))
        c.settle(c.presettle(c.identify_card("02", roster.get(people[2]["psn_no"]).certno), ITEMS))
    with Counter(b) as c:
        sold = [c.settle(c.presettle(c.identify(sim.code(p["psn_no"])), ITEMS)) for p in people[3:5]]
    sim.stop()
    out = ecpos_json(b, "refund", sold[0].setl_id, "--reason", "顾客退药", "--cashier", "c1", "--supervisor", "s1",
                     env=PIN_ENV, expect=3)
    assert out["status"] == "queued"
    sim.start()
    assert ecpos_json(b, "sync")["refunded"][0]["setl_id"] == sold[0].setl_id
    return a, b, s.setl_time[:10]


def test_two_tills_push_and_the_fleet_answers_as_their_sum(tills, fleet_dsn):
    a, b, day = tills
    for cfg in (a, b):
        out = ecpos_json(cfg, "fleet", "push")
        assert out["queue"] == 0 and out["pushed"] > 0
        assert ecpos_json(cfg, "fleet", "push")["pushed"] == 0  # nothing twice
    names = {"P32010200001-0": a, "P32010200001-1": b}

    # stats: the institution's rows are each till's own rows with the till added; the total is the sum
    fleet = ecpos_json(a, "fleet", "stats", "--from", day, "--to", day)
    own = {name: ecpos_json(cfg, "stats", "--from", day, "--to", day) for name, cfg in names.items()}
    assert fleet["target"] == own["P32010200001-0"]["target"]
    assert sorted(fleet["rows"], key=lambda r: r["till"]) == [
        {"day": r["day"], "till": name, **{k: v for k, v in r.items() if k != "day"}}
        for name in sorted(own) for r in own[name]["rows"]]
    for k in ("settlements", "ec_01", "idcard_02", "sscard_03"):
        assert fleet["total"][k] == sum(o["total"][k] for o in own.values())
    assert fleet["total"]["settlements"] == 5 and fleet["total"]["ec_rate"] == "0.8000"

    # reconcile: the groups sent as 3201 are the sums of each till's own, and the platform agrees
    rec = ecpos_json(a, "fleet", "reconcile", "--date", day)
    assert rec["status"] == "ok" and rec["mismatches"] == []
    alone = [ecpos_json(cfg, "reconcile", "--date", day, expect=4) for cfg in (a, b)]  # one till never matches
    for k in ("medfee_sumamt", "fund_pay_sumamt", "acct_pay"):
        assert sum(Decimal(g[k]) for g in rec["groups"]) == sum(Decimal(g[k]) for o in alone for g in o["groups"])
    assert sum(int(g["fixmedins_setl_cnt"]) for g in rec["groups"]) == 6  # 5 settlements + 1 refund
    assert sum(int(g["fixmedins_setl_cnt"]) for g in rec["groups"]) == sum(
        int(g["fixmedins_setl_cnt"]) for o in alone for g in o["groups"])

    # status: both tills, nothing waiting, their audit chain heads
    st = ecpos_json(a, "fleet", "status")
    assert [t["till"] for t in st["tills"]] == sorted(names)
    for t in st["tills"]:
        j = Journal.for_config(names[t["till"]])
        head = j.chain_head()  # the keyed chain's head, as kept outside the journal file
        j.close()
        assert (t["chain_seq"], t["chain_hash"]) == head and head[0] > 0
        assert t["pushing"] and t["queue"] == 0 and t["unknown_outcomes"] == 0
    assert Tally(t["sales"] for t in st["tills"]) == Tally([3, 2])

    # operators travel without their PIN hashes
    with psycopg.connect(fleet_dsn) as c:
        ops = [r[0] for r in c.execute("SELECT data FROM operators")]
    assert len(ops) == 4 and not any({"salt", "pin_hash", "params"} & set(o) for o in ops)
    assert "9753" not in json.dumps(ops)

    assert ecpos_json(a, "fleet", "verify")["status"] == "ok"


def test_verify_names_a_row_changed_at_either_end(tills, fleet_dsn):
    a, b, _ = tills
    for cfg in (a, b):
        ecpos_json(cfg, "fleet", "push")
    # at the fleet database: someone edits an amount
    with psycopg.connect(fleet_dsn) as c:
        c.execute("UPDATE sales SET data = jsonb_set(data, '{medfee_sumamt}', '\"1.00\"') "
                  "WHERE till='P32010200001-1' AND id=2")
    # on till A: someone edits its journal and hides the change from replication
    j = Journal.for_config(a)
    with j.tx() as c:
        c.execute("UPDATE sales SET acct_pay='0.01' WHERE id=1")
        c.execute("DELETE FROM replication")
    j.close()
    out = ecpos_json(a, "fleet", "verify", expect=2)
    assert out["status"] == "broken"
    named = {(d["till"], d["table"], d["key"], d["where"]) for d in out["differences"]}
    assert named == {("P32010200001-1", "sales", "2", "postgres"), ("P32010200001-0", "sales", "1", "till")}
    r = ecpos(a, "fleet", "verify")
    assert r.returncode == 2 and "fleet_verify_failed" in r.stdout and "sales 2" in r.stderr
    # with the sqlite3 shell, the journal's chain trigger dropped first: the till's keyed chain names it
    conn = sqlite3.connect(a.data_dir / "journal.sqlite3")
    conn.execute(f"DROP TRIGGER chain{chain.VERSION}_sales_u")
    conn.execute("UPDATE sales SET psn_cash_pay='0.02' WHERE id=2")
    conn.commit()
    conn.close()
    out = ecpos_json(a, "fleet", "verify", expect=2)
    assert any(d["till"] == "P32010200001-0" and d["where"] == "till" and "sales 2 changed outside ecpos" in d["detail"]
               for d in out["differences"]), out


def test_fleet_commands_without_a_database_say_what_to_do(make_cfg, pg_cluster):
    cfg = make_cfg("pharmacy", {"center.url": "http://127.0.0.1:9"})
    r = ecpos(cfg, "fleet", "status")
    assert r.returncode == 2 and "ECPOS_FLEET_DSN" in r.stderr and "fleet_not_configured" in r.stderr
    # unreachable (nothing listens there): exit 3, and the password never shows
    dsn = "postgresql://ecpos:Secr3tPw@127.0.0.1:9/fleet"
    r = ecpos(cfg, "fleet", "push", env={"ECPOS_FLEET_DSN": dsn})
    assert r.returncode == 3 and "fleet_unreachable" in r.stderr and "Secr3tPw" not in r.stderr + r.stdout
    assert "Secr3tPw" not in (cfg.data_dir / "ecpos.log").read_text(encoding="utf-8")
    assert "Secr3tPw" not in ecpos(cfg, "config", env={"ECPOS_FLEET_DSN": dsn}).stdout
    # a database without the schema: says to run fleet init, which then makes it
    fresh = pg_cluster.fresh_dsn()
    r = ecpos(cfg, "fleet", "push", "--dsn", fresh)
    assert r.returncode == 2 and "fleet init" in r.stderr
    assert ecpos_json(cfg, "fleet", "init", "--dsn", fresh)["applied"] == [v for v, _, _ in schema.MIGRATIONS]
    assert ecpos_json(cfg, "fleet", "init", "--dsn", fresh)["applied"] == []
    assert ecpos_json(cfg, "fleet", "push", "--dsn", fresh)["queue"] == 0
