"""A settlement whose answer is lost is unknown; sync reverses it with 2601 exactly once; settle again."""
from __future__ import annotations

from decimal import Decimal

import pytest

from terminal.counter import Counter, Item
from terminal.errors import PlatformUnknown

from tests.engine.helpers import ecpos_json, items_file, journal_rows

ITEMS = [Item("XA01", "阿莫西林胶囊", Decimal("2"), Decimal("12.50")),
         Item("XB02", "布洛芬缓释胶囊", Decimal("1"), Decimal("18.80"))]


@pytest.fixture
def counter(sim, make_cfg):
    c = Counter(make_cfg("pharmacy", {"credential.adapter": "http"}))
    yield c
    c.close()


def test_drop_on_2102_is_unknown_then_reversed_once_then_a_fresh_settle_succeeds(sim, counter):
    person = sim.person("active", insutype="310")
    patient = counter.identify(sim.code(person["psn_no"]))
    quote = counter.presettle(patient, ITEMS)
    sim.faults("2102:drop:1")  # processed and committed at the platform, answer never arrives

    with pytest.raises(PlatformUnknown):
        counter.settle(quote)

    [sale] = counter.sales()
    assert sale.status == "unknown" and sale.msgid
    assert counter.status().unknown_outcomes == 1
    [platform_side] = sim.ledger()["settlements"]
    assert platform_side["status"] == "settled" and platform_side["msgid"] == sale.msgid

    report = counter.sync()
    assert [(r["msgid"], r["rslt"]) for r in report.reversed] == [(sale.msgid, "reversed")]
    assert counter.sales()[0].status == "reversed"
    ledger = sim.ledger()
    assert [s["status"] for s in ledger["settlements"]] == ["reversed"]
    assert [(r["omsgid"], r["rslt"]) for r in ledger["reversals"]] == [(sale.msgid, "reversed")]

    again = counter.sync()  # nothing left to do: no second 2601
    assert not again.changed and again.unknown_outcomes == 0
    assert len(sim.ledger()["reversals"]) == 1

    fresh = counter.settle(counter.presettle(counter.identify(sim.code(person["psn_no"])), ITEMS))
    assert fresh.medfee_sumamt == Decimal("43.80")
    ledger = sim.ledger()
    assert sorted(s["status"] for s in ledger["settlements"]) == ["reversed", "settled"]
    settled = next(s for s in ledger["settlements"] if s["status"] == "settled")
    assert settled["setl_id"] == fresh.setl_id
    # The personal account was charged once: the reversal gave the first charge back.
    assert fresh.balc == Decimal(person["balc"]) - fresh.acct_pay
    assert [r.status for r in counter.sales()] == ["settled", "reversed"]


def test_crash_before_the_request_left_is_not_found_and_tombstoned(sim, counter):
    """A settlement written to the journal but never sent: 2601 answers not_found and leaves a tombstone."""
    person = sim.person("active", insutype="390")
    quote = counter.presettle(counter.identify(sim.code(person["psn_no"])), ITEMS)
    sim.stop()  # the platform is gone: nothing is processed
    with pytest.raises(Exception):
        counter.settle(quote)
    sim.start()
    # unreachable = nothing processed: the sale is failed, not unknown, and nothing needs reversing
    assert counter.sales()[0].status == "failed"
    assert counter.sync().reversed == []
    assert sim.ledger()["settlements"] == []


def test_cli_settle_with_lost_answer_exits_3_and_sync_reports_reversed(sim, make_cfg, tmp_path):
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    person = sim.person("active", insutype="310")
    items = items_file(tmp_path, ("XA01", "阿莫西林胶囊", "1", "9.90"))
    sim.faults("2102:drop:1")
    out = ecpos_json(cfg, "settle", "--qr", sim.code(person["psn_no"]), "--items", str(items), expect=3)
    assert out["status"] == "unknown" and out["infno"] == "2102"
    [row] = ecpos_json(cfg, "journal")
    assert row["status"] == "unknown" and row["msgid"] == out["msgid"]
    report = ecpos_json(cfg, "sync")
    assert report["status"] == "ok" and [r["rslt"] for r in report["reversed"]] == ["reversed"]
    assert ecpos_json(cfg, "journal")[0]["status"] == "reversed"
    assert [s["status"] for s in sim.ledger()["settlements"]] == ["reversed"]


def test_clinic_drop_on_2207_reverses_and_releases_the_visit(sim, make_cfg):
    cfg = make_cfg("clinic", {"credential.adapter": "http"})
    person = sim.person("active", insutype="390")
    with Counter(cfg) as c:
        visit = c.register(c.identify(sim.code(person["psn_no"])), "A03", "D001")
        quote = c.presettle(visit, ITEMS)
        sim.faults("2207:drop:1")
        with pytest.raises(PlatformUnknown):
            c.settle(quote)
        report = c.sync()
        assert [r["rslt"] for r in report.reversed] == ["reversed"]
        assert c.sales()[0].status == "reversed"
        fresh = c.settle(c.presettle(c.register(c.identify(sim.code(person["psn_no"])), "A03", "D001"), ITEMS))
    ledger = sim.ledger()
    assert sorted(s["status"] for s in ledger["settlements"]) == ["reversed", "settled"]
    assert {v["mdtrt_id"]: v["status"] for v in ledger["visits"]} == {visit.mdtrt_id: "cancelled",
                                                                      fresh.mdtrt_id: "settled"}


def test_lost_2601_answer_is_resent_with_the_same_msgid(sim, counter):
    person = sim.person("active", insutype="310")
    quote = counter.presettle(counter.identify(sim.code(person["psn_no"])), ITEMS)
    sim.faults("2102:drop:1,2601:drop:1")
    with pytest.raises(PlatformUnknown):
        counter.settle(quote)
    # The 2601 is processed but its answer is lost too: the next round resends it with the same msgid and
    # gets the stored answer.
    report = counter.sync()
    assert [r["rslt"] for r in report.reversed] == ["reversed"] and counter.status().unknown_outcomes == 0
    sent = counter.journal.query("SELECT msgid, state FROM requests WHERE infno='2601'")
    assert len({r["msgid"] for r in sent}) == 1 and sent[0]["state"] == "ok"
    ledger = sim.ledger()
    assert len(ledger["reversals"]) == 1 and ledger["settlements"][0]["status"] == "reversed"


def test_only_one_sync_at_a_time(sim, counter):
    from terminal.office.sync import exclusive
    with exclusive(counter.cfg.data_dir / "sync.lock") as mine:
        assert mine
        report = counter.sync()
    assert report.error == "another sync is running" and not report.changed


def test_a_2601_refused_because_the_platform_never_had_the_sale_ends_it_not_settled(sim, make_cfg, tmp_path):
    """The request was lost before the platform (reset, unprocessed); the platform refuses the 2601 in words the
    channel lists (config/channels/national.toml reversal_not_found): nothing happened, the sale is closed."""
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    person = sim.person("active", insutype="310")
    items = items_file(tmp_path, ("XA01", "阿莫西林胶囊", "1", "9.90"))
    sim.faults("2102:reset:1")
    out = ecpos_json(cfg, "settle", "--qr", sim.code(person["psn_no"]), "--items", str(items), expect=3)
    assert out["status"] == "unknown"
    sim.faults("2601:error:冲正失败:原交易不存在")
    report = ecpos_json(cfg, "sync")
    assert report["status"] == "ok" and [r["rslt"] for r in report["reversed"]] == ["not_found"]
    assert report["unknown_outcomes"] == 0
    assert [r["status"] for r in ecpos_json(cfg, "journal")] == ["reversed"]
    assert sim.ledger()["settlements"] == []
    # the journal keeps the platform's refusal as it came (never rewritten as an answer)
    [r2601] = journal_rows(cfg, "SELECT state, err FROM requests WHERE infno='2601'")
    assert r2601 == {"state": "refused", "err": "冲正失败:原交易不存在"}


def test_any_other_2601_refusal_keeps_the_sale_unknown_in_front_of_a_supervisor(sim, make_cfg, tmp_path):
    """Refused for another reason (the wording a Zhejiang harness got for a refunded settlement): the platform may
    hold the sale, so it stays unknown; sync, the journal and the day close say so with what to do, each time."""
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    person = sim.person("active", insutype="310")
    items = items_file(tmp_path, ("XA01", "阿莫西林胶囊", "1", "9.90"))
    sim.faults("2102:drop:1")  # processed, answer lost
    out = ecpos_json(cfg, "settle", "--qr", sim.code(person["psn_no"]), "--items", str(items), expect=3)
    sim.faults("2601:error:FSI-调用业务基础子系统冲正失败:冲正的结算信息退费结算标志不为未退费，不能办理冲正交易")
    for _ in range(2):  # never silently: every sync says it again
        report = ecpos_json(cfg, "sync", expect=4)
        [failed] = report["failed"]
        assert failed["kind"] == "reverse" and failed["msgid"] == out["msgid"] and failed["sale_id"]
        assert "请勿重复结算" in failed["action"] and "退费结算标志" in failed["err_msg"]
        assert report["unknown_outcomes"] == 1
    [row] = ecpos_json(cfg, "journal")
    assert row["status"] == "unknown" and "冲正被拒绝" in row["note"] and "请主管" in row["note"]
    day = sim.ledger()["settlements"][0]["setl_time"][:10]
    rec = ecpos_json(cfg, "reconcile", "--date", day, expect=4)
    assert [u["msgid"] for u in rec["unresolved"]] == [out["msgid"]] and "请主管" in rec["unresolved"][0]["note"]
    sim.clear_faults()
    assert [r["rslt"] for r in ecpos_json(cfg, "sync")["reversed"]] == ["reversed"]
    assert [r["status"] for r in ecpos_json(cfg, "journal")] == ["reversed"]
    assert [s["status"] for s in sim.ledger()["settlements"]] == ["reversed"]


def test_a_reversal_lost_on_the_way_is_never_reported_as_done(sim, make_cfg, tmp_path):
    """The 2601 itself is lost on the way: sync exits 3 (not done), the sale stays unknown, and the next sync
    resends it with the same msgid."""
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    person = sim.person("active", insutype="310")
    items = items_file(tmp_path, ("XA01", "阿莫西林胶囊", "1", "9.90"))
    sim.faults("2102:drop:1")
    ecpos_json(cfg, "settle", "--qr", sim.code(person["psn_no"]), "--items", str(items), expect=3)
    sim.faults("2601:reset")
    report = ecpos_json(cfg, "sync", expect=3)
    assert report["status"] == "offline" and report["unknown_outcomes"] == 1 and "platform_unknown" in report["error"]
    sim.clear_faults()
    assert [r["rslt"] for r in ecpos_json(cfg, "sync")["reversed"]] == ["reversed"]
    assert [r["status"] for r in ecpos_json(cfg, "journal")] == ["reversed"]


def test_a_reversal_answered_503_by_a_gateway_is_resent_with_its_msgid_and_reverses_once(sim, make_cfg, tmp_path):
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    person = sim.person("active", insutype="310")
    items = items_file(tmp_path, ("XA01", "阿莫西林胶囊", "1", "9.90"))
    sim.faults("2102:drop:1")
    ecpos_json(cfg, "settle", "--qr", sim.code(person["psn_no"]), "--items", str(items), expect=3)
    sim.faults("2601:gateway:503")  # the platform reverses it, the gateway answers 503 (once)
    report = ecpos_json(cfg, "sync")  # the next round resends the same msgid and reads the stored answer
    assert [r["rslt"] for r in report["reversed"]] == ["reversed"] and report["unknown_outcomes"] == 0
    ledger = sim.ledger()
    assert len(ledger["reversals"]) == 1 and [s["status"] for s in ledger["settlements"]] == ["reversed"]
