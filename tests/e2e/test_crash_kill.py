"""kill -9 of `ecpos settle` at seeded points (before send, on the wire, after the answer before the
journal commit, after the commit), then sync (`ecpos sync`, or
Counter.sync() in process between the command's runs to keep the test fast): the platform's ledger and the journal agree on every
sale, nothing is settled twice, nothing is lost.

A second test kills `ecpos refund` while it forwards (2103) or reverses a lost attempt (2601): each refund
reaches the platform exactly once.

The journal's crash hook (ECPOS_TEST_KILL_AT=point[@ms]) SIGKILLs the process at the point; `in_flight`
points fire from a timer after a seeded 0-12 ms, landing anywhere in the HTTP exchange.
"""
from __future__ import annotations

import json
import random
import signal
from decimal import Decimal
from collections import Counter as Tally

import pytest

from decimal import Decimal

from terminal.counter import Counter, Item
from terminal.journal.journal import Journal

from tests.engine.helpers import ecpos, items_file

RUNS = 52
SEED = 20261123
PLATFORM = ("1162", "1101", "2101", "2102")
STAGES = ("before_send", "answered", "committed")


def points(rng: random.Random) -> str:
    """A kill point; the settlement request gets most of them."""
    infno = "2102" if rng.random() < 0.6 else rng.choice(PLATFORM)
    if rng.random() < 0.3:
        return f"in_flight:{infno}@{rng.randint(0, 12)}"
    return f"{rng.choice(STAGES)}:{infno}"


@pytest.fixture(scope="module")
def world(sim_factory, tmp_path_factory):
    from tests.conftest import write_toml
    from terminal import config
    sim = sim_factory()
    d = tmp_path_factory.mktemp("crash")
    layer = write_toml(d / "override.toml", {"center.url": sim.url, "credential.adapter": "http",
                                               "center.read_timeout": 5.0})
    cfg = config.load(profile="pharmacy", config_file=layer, data_dir=d / "data", env={})
    return sim, cfg, d


def test_kill_settle_anywhere_then_sync_agrees_with_the_platform(world):
    sim, cfg, d = world
    rng = random.Random(SEED)
    people = [p for p in sim.persons() if p["status"] == "active" and p["insuplc_admdvs"] == "320100"]
    killed = fired = 0
    for run in range(RUNS):
        point = points(rng)
        person = people[run % len(people)]
        items = items_file(d, ("XA01", "阿莫西林胶囊", str(rng.randint(1, 3)), f"{rng.randint(100, 999) / 100:.2f}"),
                           name=f"items{run}.json")
        r = ecpos(cfg, "settle", "--qr", sim.code(person["psn_no"]), "--items", str(items), "--json",
                  env={"ECPOS_TEST_KILL_AT": point})
        assert r.returncode in (0, -signal.SIGKILL), f"{point}: exit {r.returncode}\n{r.stderr}"
        killed += r.returncode == -signal.SIGKILL
        fired += r.returncode == -signal.SIGKILL or point.startswith("in_flight")
        if run % 8 == 7:  # the command itself now and then; in-process in between (the same code, faster)
            s = ecpos(cfg, "sync", "--json")
            assert s.returncode == 0, s.stderr
        else:
            with Counter(cfg) as c:
                assert c.sync().online
    assert killed >= RUNS // 2  # most points are reached (9001 only runs once)

    journal = Journal.for_config(cfg)
    sales = journal.query("SELECT * FROM sales ORDER BY id")
    requests_ = journal.query("SELECT msgid, infno, sale_id, state FROM requests")
    chain = journal.verify_chain()
    proof = journal.verify_rows()  # the keyed chain over every row change, its head kept outside the file
    journal.close()
    ledger = sim.ledger()
    mine = [x for x in ledger["settlements"] if x["fixmedins_code"] == cfg.institution.fixmedins_code]

    # Nothing is left open: every sale ended settled, reversed or failed.
    assert {x["status"] for x in sales} <= {"settled", "reversed", "failed"}, [x["status"] for x in sales]
    assert not [r for r in requests_ if r["state"] in ("sending", "unknown")]

    # Every platform settlement is known to the journal (nothing lost) ...
    settle_msgids = {r["msgid"]: r["sale_id"] for r in requests_ if r["infno"] == "2102"}
    assert all(x["msgid"] in settle_msgids for x in mine)
    # ... and at most one per sale stands (nothing settled twice).
    standing = [x for x in mine if x["status"] == "settled"]
    per_sale = [settle_msgids[x["msgid"]] for x in standing]
    assert len(per_sale) == len(set(per_sale))

    # Both sides agree, sale by sale.
    by_setl = {x["setl_id"]: x for x in mine}
    for sale in sales:
        if sale["status"] == "settled":
            theirs = by_setl[sale["setl_id"]]
            assert theirs["status"] == "settled" and theirs["msgid"] == sale["msgid"]
            for k in ("medfee_sumamt", "fund_pay_sumamt", "acct_pay", "psn_cash_pay"):
                assert theirs[k] == sale[k], (k, sale["id"])
        else:  # reversed or failed: nothing of this sale stands at the platform
            assert not [x for x in standing if settle_msgids[x["msgid"]] == sale["id"]], sale
    assert {x["setl_id"] for x in standing} == {x["setl_id"] for x in sales if x["status"] == "settled"}
    # Reversals: one per reversed settlement, each for a msgid the journal knows.
    assert all(r["omsgid"] in settle_msgids for r in ledger["reversals"])
    assert len({r["omsgid"] for r in ledger["reversals"]}) == len(ledger["reversals"])
    assert chain.ok
    assert proof.ok, proof
    # Every kind of outcome happened (the seed covers them).
    statuses = {x["status"] for x in sales}
    assert {"settled", "reversed", "failed"} <= statuses, statuses
    assert json.loads(ecpos(cfg, "sync", "--json").stdout)["reversed"] == []
    print(f"\n{RUNS} runs, {killed} killed; sales {dict(Tally(x['status'] for x in sales))}; "
          f"platform {dict(Tally(x['status'] for x in mine))}, {len(ledger['reversals'])} reversals")


REFUND_POINTS = ("before_send:2103", "answered:2103", "committed:2103", "in_flight:2103",
                 "before_send:2601", "answered:2601", "committed:2601")


def test_kill_refund_anywhere_then_sync_refunds_exactly_once(world):
    """kill -9 of `ecpos refund` while forwarding (2103) or while reversing a lost refund (2601)."""
    from tests.engine.helpers import PIN, SUPERVISOR_PIN, staff
    sim, cfg, d = world
    staff(cfg)
    rng = random.Random(SEED + 1)
    people = [p for p in sim.persons() if p["status"] == "active" and p["insuplc_admdvs"] == "320100"]
    item = [Item("XA01", "阿莫西林胶囊", Decimal("1"), Decimal("6.60"))]
    refunded_setl = []
    for run in range(2 * len(REFUND_POINTS)):
        point = REFUND_POINTS[run % len(REFUND_POINTS)]
        with Counter(cfg) as c:
            s = c.settle(c.presettle(c.identify(sim.code(people[run % len(people)]["psn_no"])), item))
        if point.endswith("2601"):
            sim.faults("2103:drop:1")  # the first attempt's answer is lost, so a 2601 follows
        if point.startswith("in_flight"):
            point += f"@{rng.randint(0, 12)}"
        r = ecpos(cfg, "refund", s.setl_id, "--reason", "顾客退药", "--cashier", "c1", "--supervisor", "s1",
                  env={"ECPOS_TEST_KILL_AT": point, "ECPOS_SUPERVISOR_PIN": SUPERVISOR_PIN, "ECPOS_PIN": PIN})
        assert r.returncode in (0, -signal.SIGKILL), f"{point}: {r.returncode} {r.stderr}"
        sim.clear_faults()
        with Counter(cfg) as c:
            report = c.sync()
            assert report.online and report.queued_refunds == 0, (point, report)
        refunded_setl.append(s.setl_id)

    ledger = sim.ledger()
    standing = [x for x in ledger["refunds"] if x["status"] == "refunded"]
    assert sorted(x["osetl_id"] for x in standing) == sorted(refunded_setl)  # each exactly once
    by_setl = {x["setl_id"]: x["status"] for x in ledger["settlements"]}
    journal = Journal.for_config(cfg)
    rows = journal.query("SELECT s.setl_id, s.status, r.status rs, r.msgid FROM refunds r JOIN sales s "
                         "ON s.id=r.sale_id")
    proof = journal.verify_rows()
    journal.close()
    assert proof.ok, proof  # killed between a commit and the head's update: the head lags, never leads
    assert {x["setl_id"] for x in rows} == set(refunded_setl)
    for x in rows:
        assert x["status"] == "refunded" and x["rs"] == "refunded" and by_setl[x["setl_id"]] == "refunded"
        assert [y["msgid"] for y in standing if y["osetl_id"] == x["setl_id"]] == [x["msgid"]]
