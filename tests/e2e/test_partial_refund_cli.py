"""`ecpos return` as a cashier's script runs it: the sale found in `ecpos journal --json`, its lines listed,
one box brought back (exit 0, state needs_code, nothing handed back yet), the kept lines settled again with the
patient's code shown again (`--resume ID --qr CODE`), the difference and the slip; a self-paid sale's box back
at once; a lost answer on the re-settlement exits 3 and hands nothing back until sync has resolved it."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from terminal.counter import Counter, Item
from terminal.sale import tender

from tests.engine.helpers import PIN, SUPERVISOR_PIN, ecpos, ecpos_json, staff

PIN_ENV = {"ECPOS_SUPERVISOR_PIN": SUPERVISOR_PIN, "ECPOS_PIN": PIN}
ITEMS = [Item("XA01", "阿莫西林胶囊", Decimal("3"), Decimal("12.50")),
         Item("XA02", "布洛芬缓释胶囊", Decimal("1"), Decimal("20.00"))]


def _settled(sim, make_cfg):
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    staff(cfg)
    person = sim.person("active", insutype="390")
    with Counter(cfg) as c:
        q = c.presettle(c.identify(sim.code(person["psn_no"])), ITEMS)
        s = c.settle(q)
        c.record_tender(s.sale_id, tender.cash(s.psn_cash_pay, Decimal("100")))
    return cfg, s, person


def test_one_box_back_by_the_cli_then_the_kept_lines_with_the_code_again(sim, make_cfg):
    cfg, s, person = _settled(sim, make_cfg)
    [row] = ecpos_json(cfg, "journal")
    lines = ecpos_json(cfg, "return", row["setl_id"])["lines"]
    assert [(x["line"], x["qty"]) for x in lines] == [(1, "3"), (2, "1")]
    out = ecpos_json(cfg, "return", row["setl_id"], "--lines", "1:1", "--reason", "顾客退一盒", "--cashier", "c1",
                     "--supervisor", "s1", env=PIN_ENV)
    assert out["state"] == "needs_code" and out["handed_back"] == {} and "医保码" in out["message"]
    assert [(k["line"], k["qty"]) for k in out["kept"]] == [(1, "2"), (2, "1")]
    assert ecpos_json(cfg, "return", "--list")[0]["return_id"] == out["return_id"]
    done = ecpos_json(cfg, "return", "--resume", str(out["return_id"]), "--qr", sim.code(person["psn_no"]),
                      "--cashier", "c1", env=PIN_ENV)
    assert done["state"] == "done" and done["resale_setl_id"]
    back = s.psn_cash_pay - Decimal(done["resale_psn_cash_pay"])
    assert done["handed_back"] == {"cash": f"{back:.2f}"} and back > 0
    slip = Path(done["slip"]).read_text(encoding="utf-8")
    assert "退货单" in slip and "阿莫西林胶囊" in slip and "保留 布洛芬缓释胶囊 x1" in slip
    assert f"请退还现金 {back:.2f} 元" in slip
    receipt = Path(done["receipt"]).read_text(encoding="utf-8")  # the kept lines' own 结算单
    assert done["resale_setl_id"] in receipt and "布洛芬缓释胶囊" in receipt
    assert ecpos_json(cfg, "return", "--list") == []
    statuses = {r["setl_id"]: r["status"] for r in ecpos_json(cfg, "journal")}
    assert statuses == {s.setl_id: "refunded", done["resale_setl_id"]: "settled"}


def test_lost_answer_on_the_resettlement_exits_3_and_hands_back_nothing_until_sync(sim, make_cfg):
    cfg, s, person = _settled(sim, make_cfg)
    out = ecpos_json(cfg, "return", s.setl_id, "--lines", "2", "--reason", "顾客退药", "--cashier", "c1",
                     "--supervisor", "s1", env=PIN_ENV)
    sim.faults("2102:drop:1")
    lost = ecpos_json(cfg, "return", "--resume", str(out["return_id"]), "--qr", sim.code(person["psn_no"]),
                      env=PIN_ENV, expect=3)
    assert lost["state"] == "settling" and lost["handed_back"] == {} and "请勿重复结算" in lost["message"]
    # going on first lets sync resolve the lost one (2601 reverses it, never a blind resend), then settles
    # the kept lines with the code shown now
    done = ecpos_json(cfg, "return", "--resume", str(out["return_id"]), "--qr", sim.code(person["psn_no"]))
    assert done["state"] == "done" and done["resale_id"] != lost["resale_id"]
    assert [(r["oinfno"], r["rslt"]) for r in sim.ledger()["reversals"]] == [("2102", "reversed")]
    assert sum(1 for x in sim.ledger()["settlements"] if x["status"] == "settled") == 1


def test_a_self_paid_box_back_by_the_cli(sim, make_cfg):
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    staff(cfg)
    with Counter(cfg) as c:
        sale_id = c.self_pay(ITEMS[:1], tender.cash(Decimal("37.50"), Decimal("40")))
    bad = ecpos(cfg, "return", f"SALE{sale_id:08d}", "--lines", "1:1", "--reason", "退", "--cashier", "c1",
                "--supervisor", "s1", env=PIN_ENV)
    assert bad.returncode == 2 and "原因" in bad.stderr
    out = ecpos_json(cfg, "return", f"SALE{sale_id:08d}", "--lines", "1:1", "--reason", "顾客退一盒",
                     "--cashier", "c1", "--supervisor", "s1", env=PIN_ENV)
    assert out["state"] == "done" and out["handed_back"] == {"cash": "12.50"} and out["amount"] == "12.50"
    assert ecpos_json(cfg, "journal")[0]["status"] == "self_paid"
    rest = ecpos_json(cfg, "return", str(sale_id), "--all", "--reason", "顾客退货", "--cashier", "c1",
                      "--supervisor", "s1", env=PIN_ENV)
    assert rest["handed_back"] == {"cash": "25.00"}  # the two boxes left, never the returned one again
    assert ecpos_json(cfg, "journal")[0]["status"] == "refunded"
    again = ecpos(cfg, "return", str(sale_id), "--all", "--reason", "顾客退货", "--cashier", "c1",
                  "--supervisor", "s1", env=PIN_ENV)
    assert again.returncode == 2
