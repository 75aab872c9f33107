"""sync keeps going: a visit the platform will not undo does not hold queued refunds back, and refunds
keep their order when one answer is lost."""
from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal

from terminal.counter import Counter, Item

from tests.engine.helpers import PIN, SUPERVISOR_PIN, staff

ITEMS = [Item("XA01", "阿莫西林胶囊", Decimal("3"), Decimal("12.50"))]


def dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_a_refused_visit_undo_does_not_block_refunds(sim, make_cfg):
    cfg = make_cfg("clinic", {"credential.adapter": "http"})
    staff(cfg)
    person = sim.person("active", insutype="390")
    with Counter(cfg) as c:
        s = c.settle(c.presettle(c.register(c.identify(sim.code(person["psn_no"])), "A03", "D001"), ITEMS))
        # A kiosk process died after registering a visit the platform no longer knows: its 2202 is refused.
        with c.store.tx() as db:
            sale_id = c.store.open(db, "clinic", "0001", psn_no=person["psn_no"],
                                   visit=json.dumps({"mdtrt_id": "MDTRT-GONE", "ipt_otp_no": "MZ1"}))
        with c.journal.tx() as db:
            db.execute("UPDATE sales SET pid=? WHERE id=?", (dead_pid(), sale_id))
        sim.stop()
        assert c.queue_refund(s.setl_id, "顾客退费", "c1", "s1", SUPERVISOR_PIN).status == "queued"
        sim.start()
        report = c.sync()
        assert [r["setl_id"] for r in report.refunded] == [s.setl_id]
        assert [f["kind"] for f in report.failed] == ["abandon"] and report.failed[0]["sale_id"] == sale_id
        assert c.journal.sale(sale_id)["status"] == "failed"
        again = c.sync()  # the refused undo is not tried again and again
        assert not again.changed and again.error == ""
    assert [x["status"] for x in sim.ledger()["settlements"]] == ["refunded"]


def test_refunds_keep_their_order_when_an_answer_is_lost(sim, make_cfg):
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    staff(cfg)
    people = [sim.person("active", insutype="310"), sim.person("active", insutype="390")]
    with Counter(cfg) as c:
        sales = [c.settle(c.presettle(c.identify(sim.code(p["psn_no"])), ITEMS)) for p in people]
        sim.stop()
        tickets = [c.queue_refund(x.setl_id, "顾客退药", "c1", "s1", SUPERVISOR_PIN) for x in sales]
        assert [t.status for t in tickets] == ["queued", "queued"]
        sim.start()
        sim.faults("2103:drop:1")  # the first refund is processed, its answer lost
        report = c.sync()
    assert sorted(r["setl_id"] for r in report.refunded) == sorted(x.setl_id for x in sales)
    live = [r for r in sim.ledger()["refunds"] if r["status"] == "refunded"]
    assert [r["osetl_id"] for r in live] == [x.setl_id for x in sales]


def test_cli_sync_exit_codes_say_what_happened(sim, make_cfg):
    from terminal.office.sync import exclusive
    from tests.engine.helpers import ecpos, ecpos_json
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    staff(cfg)
    person = sim.person("active", insutype="310")
    with Counter(cfg) as c:
        s = c.settle(c.presettle(c.identify(sim.code(person["psn_no"])), ITEMS))
        sim.stop()
        assert c.queue_refund(s.setl_id, "顾客退药", "c1", "s1", SUPERVISOR_PIN).status == "queued"
    sim.start()
    with exclusive(cfg.data_dir / "sync.lock") as mine:  # the app's background sync is running
        assert mine
        busy = ecpos_json(cfg, "sync", expect=0)
    assert busy["status"] == "busy" and busy["queued_refunds"] == 1
    sim.faults("2103:error:该结算已被撤销")  # the platform refuses the refund
    refused = ecpos_json(cfg, "sync", expect=4)
    assert refused["status"] == "refused"
    assert [(f["kind"], f["setl_id"]) for f in refused["failed"]] == [("refund", s.setl_id)]
    text = ecpos(cfg, "sync")
    assert text.returncode == 0 and "退费被拒绝" not in text.stdout  # nothing left to refuse


def test_refund_while_another_sync_runs_is_queued_and_says_so(sim, make_cfg):
    from terminal.office.sync import exclusive
    from tests.engine.helpers import ecpos_json
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    staff(cfg)
    person = sim.person("active", insutype="310")
    with Counter(cfg) as c:
        s = c.settle(c.presettle(c.identify(sim.code(person["psn_no"])), ITEMS))
    args = ["refund", s.setl_id, "--reason", "顾客退药", "--cashier", "c1", "--supervisor", "s1"]
    env = {"ECPOS_SUPERVISOR_PIN": SUPERVISOR_PIN, "ECPOS_PIN": PIN}
    with exclusive(cfg.data_dir / "sync.lock") as mine:  # the app's background sync holds the lock
        assert mine
        out = ecpos_json(cfg, *args, env=env, expect=3)
    assert out["status"] == "queued" and "同步" in out["message"] and "another" not in out["message"]
    assert out["medfee_sumamt"] == out["amount"] == "37.50"  # the platform's name for the amount too
    assert ecpos_json(cfg, "sync")["refunded"][0]["setl_id"] == s.setl_id


def test_cli_settle_while_the_platform_is_down_is_exit_3_status_failed(sim, make_cfg, tmp_path):
    from tests.engine.helpers import ecpos_json, items_file
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    code = sim.code(sim.person("active", insutype="310")["psn_no"])
    sim.stop()
    items = items_file(tmp_path, ("XA01", "阿莫西林胶囊", "1", "9.90"))
    out = ecpos_json(cfg, "settle", "--qr", code, "--items", str(items), expect=3)
    assert out["status"] == "failed" and out["message"]


def test_visit_release_after_a_reversal_survives_an_outage(sim, make_cfg):
    from terminal.errors import PlatformUnknown
    import pytest
    cfg = make_cfg("clinic", {"credential.adapter": "http"})
    person = sim.person("active", insutype="390")
    with Counter(cfg) as c:
        visit = c.register(c.identify(sim.code(person["psn_no"])), "A03", "D001")
        quote = c.presettle(visit, ITEMS)
        sim.faults("2207:drop:1")
        with pytest.raises(PlatformUnknown):
            c.settle(quote)
        sim.faults("2205:reset")  # the reversal goes through, undoing the visit is lost on the way
        first = c.sync()
        assert [r["rslt"] for r in first.reversed] == ["reversed"]
        assert {v["status"] for v in sim.ledger()["visits"]} != {"cancelled"}
        sim.clear_faults()
        c.sync()  # the visit is released now
        assert c.sales()[0].status == "reversed"
    assert {v["mdtrt_id"]: v["status"] for v in sim.ledger()["visits"]} == {visit.mdtrt_id: "cancelled"}
