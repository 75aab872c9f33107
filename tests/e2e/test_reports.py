"""Reconciliation with 3201/5203 and the e-credential rate report."""
from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

from simulator import roster
from terminal.counter import Counter, Item

from tests.engine.helpers import SUPERVISOR_PIN, ecpos, ecpos_json, staff

ITEMS = [Item("XA01", "阿莫西林胶囊", Decimal("2"), Decimal("12.50"))]


def day_of(setl_time: str) -> str:
    return setl_time[:10]


def test_reconcile_agrees_then_lists_a_mismatch_by_setl_id(sim, make_cfg):
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    staff(cfg)
    with Counter(cfg) as c:
        sales = [c.settle(c.presettle(c.identify(sim.code(sim.person("active", insutype=t)["psn_no"])), ITEMS))
                 for t in ("310", "390", "310")]
        assert c.queue_refund(sales[2].setl_id, "顾客退药", "c1", "s1", SUPERVISOR_PIN).status == "refunded"
        day = day_of(sales[0].setl_time)
        rec = c.reconcile(day)
        assert rec.ok, (rec.groups, rec.mismatches)
        assert sorted(g["insutype"] for g in rec.groups) == ["310", "390"]
        g310 = next(g for g in rec.groups if g["insutype"] == "310")
        assert g310["fixmedins_setl_cnt"] == "3" and g310["medfee_sumamt"] == "25.00"  # +25 +25 -25
        # The journal and the platform disagree on one sale: reconcile names it.
        with c.journal.tx() as db:  # the journal edited behind the store's back
            db.execute("UPDATE sales SET acct_pay='1.00' WHERE id=?", (sales[1].sale_id,))
        rec = c.reconcile(day)
        assert not rec.ok
        assert [m["setl_id"] for m in rec.mismatches] == [sales[1].setl_id]
    out = ecpos_json(cfg, "reconcile", "--date", day, expect=4)
    assert out["status"] == "mismatch" and out["mismatches"][0]["setl_id"] == sales[1].setl_id
    assert ecpos(cfg, "reconcile", "--date", "2026-13-01").returncode == 2


def test_stats_rate_per_day_and_operator_as_csv(sim, make_cfg, tmp_path):
    cfg = make_cfg("pharmacy", {"credential.adapter": "http", "report.ec_rate_target": "0.70"})
    people = [p for p in sim.persons() if p["status"] == "active"][:4]
    with Counter(cfg) as c:
        for p in people[:3]:
            c.settle(c.presettle(c.identify(sim.code(p["psn_no"])), ITEMS))
        c.settle(c.presettle(c.identify_card("02", roster.get(people[3]["psn_no"]).certno), ITEMS))
        st = c.stats("2000-01-01", "2099-12-31")
    assert st.total["settlements"] == 4 and st.total["ec_01"] == 3 and st.total["idcard_02"] == 1
    assert st.total["ec_rate"] == "0.7500" and st.total["met"] == "是"
    today = date.today().isoformat()
    out = tmp_path / "rate.csv"
    r = ecpos(cfg, "stats", "--from", today, "--to", today, "--csv", str(out))
    assert r.returncode == 0
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[0][:3] == ["日期", "操作员", "结算笔数"]
    assert rows[1][:6] == [today, cfg.operator.id, "4", "3", "1", "0"] and rows[1][6] == "0.7500"
    assert rows[-1][1] == "合计"
    assert ecpos(cfg, "stats", "--from", today, "--to", "2000-01-01").returncode == 2


def test_reconcile_an_empty_day_still_asks_the_platform(sim, make_cfg):
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    other = make_cfg("pharmacy", {"credential.adapter": "http"})  # another till of the same institution
    with Counter(other) as c:
        s = c.settle(c.presettle(c.identify(sim.code(sim.person("active")["psn_no"])), ITEMS))
    # msgids of one institution must not repeat: this till shares the other's msgid state (a plain
    # PlatformClient, which the Counter wraps with its journal).
    from terminal.wire.msgid import MsgIdSource
    from terminal.wire.platform import PlatformClient
    msgids = MsgIdSource(cfg.institution.fixmedins_code, other.data_dir / "msgid.state")
    with Counter(cfg, platform=PlatformClient(cfg, msgids=msgids)) as c:
        rec = c.reconcile(day_of(s.setl_time))
        assert c.journal.query("SELECT infno FROM requests WHERE infno='3201'")  # journaled
    assert not rec.ok and rec.groups[0]["stmt_rslt"] == "1" and "结算笔数" in rec.groups[0]["stmt_rslt_dscr"]


def test_two_tills_reconcile_as_one_institution_with_other_journals(sim, make_cfg):
    # 3201 compares the whole institution's day; a till alone never matches once another till has sold.
    a, b = (make_cfg("pharmacy", {"credential.adapter": "http"}) for _ in range(2))
    people = [p for p in sim.persons() if p["status"] == "active"][:3]
    for cfg, person in ((a, people[0]), (b, people[1]), (b, people[2])):
        with Counter(cfg) as c:
            sale = c.settle(c.presettle(c.identify(sim.code(person["psn_no"])), ITEMS))
    day = day_of(sale.setl_time)
    alone = ecpos_json(a, "reconcile", "--date", day, expect=4)
    assert alone["status"] == "mismatch" and sum(int(g["fixmedins_setl_cnt"]) for g in alone["groups"]) == 1

    own, other = a.data_dir / "journal.sqlite3", b.data_dir / "journal.sqlite3"
    before = other.read_bytes()
    layer = Path(a.sources[-1])
    layer.write_text(layer.read_text(encoding="utf-8") + f"\n[report]\nother_journals = [{str(other)!r}, "
                     f"{str(own)!r}]\n", encoding="utf-8")  # its own file listed too: counted once
    together = ecpos_json(a, "reconcile", "--date", day)
    assert together["status"] == "ok" and together["mismatches"] == []
    assert sum(int(g["fixmedins_setl_cnt"]) for g in together["groups"]) == 3
    assert sum(Decimal(g["medfee_sumamt"]) for g in together["groups"]) == Decimal("75.00")
    assert other.read_bytes() == before  # the other till's journal is only read
    # The rate the bureau grades is the institution's: the closing till's stats count every till once.
    st = ecpos_json(a, "stats", "--from", day, "--to", day)
    assert st["total"]["settlements"] == 3 and st["total"]["ec_01"] == 3


def test_a_missing_other_journal_says_which_and_where_to_fix(sim, make_cfg, tmp_path):
    cfg = make_cfg("pharmacy", {"credential.adapter": "http", "report.other_journals": [str(tmp_path / "no.sqlite3")]})
    r = ecpos(cfg, "reconcile", "--date", date.today().isoformat())
    assert r.returncode == 2 and "other_journals" in r.stderr and "no.sqlite3" in r.stderr
    assert "other_journal_missing" in r.stderr


def test_3201_groups_by_the_clearing_agency_not_the_insured_area(sim, make_cfg):
    # 3201's setl_optins is the settlement's setlinfo.clr_optins (PROTOCOL.md §2b; e.g. 131199 for a
    # patient insured in 130399). A local and an other-province patient of one insutype are cleared by the
    # same agency: one group, which the platform agrees with.
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    local = sim.person("active", insutype="310")
    away = next(p for p in sim.persons() if p["status"] == "other_province")
    with Counter(cfg) as c:
        sales = [c.settle(c.presettle(c.identify(sim.code(p["psn_no"])), ITEMS)) for p in (local, away)]
        rows = c.journal.query("SELECT insuplc_admdvs, clr_optins, clr_way, clr_type FROM sales ORDER BY id")
        assert [r["insuplc_admdvs"] for r in rows] == [local["insuplc_admdvs"], "440300"]
        assert {(r["clr_optins"], r["clr_type"]) for r in rows} == {("320199", "41")}
        rec = c.reconcile(day_of(sales[0].setl_time))
    assert rec.ok, (rec.groups, rec.mismatches)
    by_optins = {(g["insutype"], g["setl_optins"]): g["fixmedins_setl_cnt"] for g in rec.groups}
    assert by_optins[(roster.get(away["psn_no"]).insutype, "320199")] in ("1", "2")
    assert "440300" not in {g["setl_optins"] for g in rec.groups}
