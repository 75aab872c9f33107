"""A whole shift at a pharmacy till, headless, as a cashier runs it: open with a float, two sales by 医保码
with cash and change, one by ID-card number (no 医保码: counted as 02) paid by WeChat, a refund that hands
the cash back, a self-pay sale, close with the counted cash -> difference 0.00; the slip's totals equal the
journal's, summed here straight from its tables."""
from __future__ import annotations

import re
from decimal import Decimal

from simulator import roster
from terminal.journal.journal import Journal

from tests.engine.helpers import PIN, SUPERVISOR_PIN, ecpos, ecpos_json, items_file, staff


def slip_amount(text: str, label: str) -> Decimal:
    m = re.search(rf"^\s*{label}\s+(-?[\d.]+)", text, re.M)
    assert m, f"{label} not on the slip:\n{text}"
    return Decimal(m.group(1))


def test_a_whole_shift(sim, make_cfg, tmp_path):
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    staff(cfg)
    me = {"ECPOS_PIN": PIN}
    items = items_file(tmp_path, ("XA01", "阿莫西林胶囊", "3", "12.50"), ("XR05", "复方甘草片", "1", "8.00"))
    person = sim.person("active", insutype="390")  # no personal account: a cash share to tender
    assert ecpos_json(cfg, "shift", "open", "--float", "200.00", "--cashier", "c1", env=me)["status"] == "open"

    s1 = ecpos_json(cfg, "settle", "--qr", sim.code(person["psn_no"]), "--items", str(items), "--cashier", "c1",
                    "--cash-received", "100", env=me)
    due1 = Decimal(s1["psn_cash_pay"])
    assert due1 > 0 and s1["opter"] == "c1" and s1["tender"]["method"] == "cash"
    assert Decimal(s1["change"]) == Decimal("100.00") - due1

    short = ecpos(cfg, "settle", "--qr", sim.code(person["psn_no"]), "--items", str(items), "--cashier", "c1",
                  "--cash-received", "1.00", env=me)  # not enough: nothing is settled, the quote is cancelled
    assert short.returncode == 2 and "[tender_short]" in short.stderr and "再收" in short.stderr

    r = ecpos(cfg, "settle", "--qr", sim.code(person["psn_no"]), "--items", str(items), "--cashier", "c1",
              "--cash-received", "50", env=me)
    assert r.returncode == 0 and "找零" in r.stdout  # the plain output says the change too
    s2 = ecpos_json(cfg, "journal")[0]
    due2 = Decimal(s2["psn_cash_pay"])

    certno = roster.get(person["psn_no"]).certno
    s3 = ecpos_json(cfg, "settle", "--id-card", certno, "--items", str(items), "--cashier", "c1",
                    "--tender", "wechat:4200001234567", env=me)
    assert s3["mdtrt_cert_type"] == "02" and s3["tender"] == {
        "method": "wechat", "amount": s3["psn_cash_pay"], "reference": "4200001234567"}

    refund = ecpos_json(cfg, "refund", s1["setl_id"], "--reason", "顾客退药", "--cashier", "c1", "--supervisor",
                        "s1", env={**me, "ECPOS_SUPERVISOR_PIN": SUPERVISOR_PIN})
    assert refund["status"] == "refunded" and refund["cash_back"] == f"{due1:.2f}"

    own = ecpos_json(cfg, "settle", "--self-pay", "--items", str(items), "--cashier", "c1",
                     "--cash-received", "50", env=me)
    assert own["status"] == "self_paid" and own["change"] == "4.50"

    report = ecpos_json(cfg, "shift", "report")
    expected = Decimal("200.00") + due1 + due2 - due1 + Decimal("45.50")
    assert Decimal(report["expected_cash"]) == expected
    closed = ecpos_json(cfg, "shift", "close", "--counted", f"{expected:.2f}", "--cashier", "c1", env=me)
    assert closed["difference"] == "0.00"
    # The platform saw c1 make the sales under c1's own 9001, and the handover signed c1 out (9002).
    ledger = sim.ledger()
    assert closed["platform_signed_out"] is True
    assert [(s["opter"], s["signed_out"]) for s in ledger["signins"]] == [("c1", 1)]
    assert {(q["opter"], q["sign_no"]) for q in ledger["requests"] if q["infno"] == "2102"} == \
        {("c1", ledger["signins"][0]["sign_no"])}

    slip = (cfg.data_dir / "receipts" / f"shift-{closed['shift_id']}.txt").read_text(encoding="utf-8")
    j = Journal.for_config(cfg)
    try:
        stood = j.query("SELECT * FROM sales WHERE status IN ('settled','refund_queued','refunded')")
        tenders = j.query("SELECT * FROM tenders")
        refunds = j.query("SELECT * FROM refunds")
        cancelled = j.query("SELECT status FROM sales WHERE status='cancelled'")
        certs = sorted(s["mdtrt_cert_type"] for s in stood)
    finally:
        j.close()
    assert len(stood) == 3 and certs == ["01", "01", "02"] and len(cancelled) == 1
    assert slip_amount(slip, "结算笔数") == len(stood)
    for label, col in (("医疗费总额", "medfee_sumamt"), ("统筹支付", "fund_pay_sumamt"), ("个人账户", "acct_pay"),
                       ("个人现金部分", "psn_cash_pay")):
        assert slip_amount(slip, label) == sum(Decimal(s[col]) for s in stood), label
    cash_in = sum(Decimal(t["amount"]) for t in tenders if t["method"] == "cash" and t["refund_id"] is None)
    assert slip_amount(slip, "现金") == cash_in
    assert slip_amount(slip, "微信") == sum(Decimal(t["amount"]) for t in tenders if t["method"] == "wechat")
    assert slip_amount(slip, "退还现金") == -sum(Decimal(t["amount"]) for t in tenders if t["refund_id"])
    assert slip_amount(slip, "退费笔数") == len(refunds)
    assert slip_amount(slip, "应有现金") == Decimal("200.00") + cash_in - due1
    assert slip_amount(slip, "清点现金") == expected and "差额 0.00" in slip
    stats = ecpos_json(cfg, "stats", "--from", "2000-01-01", "--to", "2099-12-31")
    assert stats["total"]["ec_01"] == 2 and stats["total"]["idcard_02"] == 1  # a real rate; self-pay left out


def test_reprint_is_marked_and_audited_and_receipts_are_private(sim, make_cfg, tmp_path):
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    staff(cfg)
    me = {"ECPOS_PIN": PIN}
    items = items_file(tmp_path, ("XA01", "阿莫西林胶囊", "3", "12.50"))
    person = sim.person("active", insutype="390")
    s = ecpos_json(cfg, "settle", "--qr", sim.code(person["psn_no"]), "--items", str(items), "--cashier", "c1",
                   "--cash-received", "100", env=me)
    out = ecpos_json(cfg, "reprint", s["setl_id"], "--cashier", "c1", env=me)
    text = (cfg.data_dir / "receipts" / f"{s['setl_id']}-reprint.txt").read_text(encoding="utf-8")
    assert out["receipt"].endswith("-reprint.txt") and "【重打】" in text
    assert f"找零：{s['change']}" in text and "收银员" in text and "c1" in text
    folder = cfg.data_dir / "receipts"
    assert folder.stat().st_mode & 0o777 == 0o700
    assert all(f.stat().st_mode & 0o777 == 0o600 for f in folder.iterdir())
    assert ecpos(cfg, "reprint", "NOPE", env=me).returncode == 2
    j = Journal.for_config(cfg)
    try:
        [row] = j.query("SELECT actor, data FROM audit WHERE event='receipt_reprinted'")
    finally:
        j.close()
    assert row["actor"] == "c1" and s["setl_id"] in row["data"]
