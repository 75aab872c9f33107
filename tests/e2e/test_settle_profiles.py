"""Scan-to-settle for each profile, family credentials, other-province persons, sign-in, refusals."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest

from terminal.sale import tender as tender_mod
from terminal.counter import Counter, Item, QuoteOpen
from terminal.errors import PlatformRefused
from terminal.sale.workflow import WorkflowError

from tests.engine.helpers import ecpos, ecpos_json, items_file

ITEMS = [Item("ZL01", "诊查费", Decimal("1"), Decimal("20.00")), Item("XA01", "阿莫西林胶囊", Decimal("2"),
                                                                  Decimal("12.50"))]


def test_cli_pharmacy_settle_json(sim, make_cfg, tmp_path):
    cfg = make_cfg("pharmacy")  # the reference library adapter (make lib)
    person = sim.person("active", insutype="310")
    items = items_file(tmp_path, ("XA01", "阿莫西林胶囊", "2", "12.50"), ("XB02", "布洛芬", "1", "18.80"))
    out = ecpos_json(cfg, "settle", "--qr", sim.code(person["psn_no"]), "--items", str(items))
    assert out["status"] == "settled" and out["medfee_sumamt"] == "43.80"
    assert Decimal(out["fund_pay_sumamt"]) + Decimal(out["acct_pay"]) + Decimal(out["psn_cash_pay"]) == \
        Decimal("43.80")
    assert out["psn_name"].endswith("*") and "*" in out["certno"]
    [settled] = sim.ledger()["settlements"]
    assert settled["setl_id"] == out["setl_id"] and settled["msgid"] == out["msgid"]
    [row] = ecpos_json(cfg, "journal")
    assert row["setl_id"] == out["setl_id"] and row["status"] == "settled"
    # The receipt the app prints for a sale (terminal.sale.receipt.for_sale from the journal, through the configured
    # printer: receipts/ by default), written by the headless command too.
    from terminal.journal.journal import Journal
    from terminal.sale.receipt import for_sale, layout
    text = (cfg.data_dir / "receipts" / f"{out['setl_id']}.txt").read_text(encoding="utf-8")
    assert out["receipt"].endswith(f"{out['setl_id']}.txt")
    j = Journal.for_config(cfg)
    try:
        assert text == "\n".join(layout(for_sale(cfg, j, out["sale_id"]), cfg.printer.width)) + "\n"
    finally:
        j.close()
    for words in ("医保电子凭证结算单", out["setl_id"], "阿莫西林胶囊", "布洛芬", "费用合计", "43.80", out["psn_name"]):
        assert words in text


def test_cli_refusals_and_bad_codes(sim, make_cfg, tmp_path):
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    items = items_file(tmp_path, ("XA01", "阿莫西林胶囊", "1", "9.90"))
    wechat = ecpos(cfg, "settle", "--qr", "134567890123456789", "--items", str(items))
    assert wechat.returncode == 2 and "微信付款码" in wechat.stderr
    inactive = sim.person("not_activated")
    r = ecpos(cfg, "settle", "--qr", sim.code(inactive["psn_no"]), "--items", str(items), "--json")
    # 500170 is the simulator's invented code: the client knows the case by its words (先激活后缴费 guidance)
    assert r.returncode == 4 and "先激活后缴费" in r.stderr and json.loads(r.stdout)["status"]
    suspended = sim.person("suspended")
    r = ecpos(cfg, "settle", "--qr", sim.code(suspended["psn_no"]), "--items", str(items))
    assert r.returncode == 4 and "参保" in r.stderr
    assert sim.ledger()["settlements"] == []


@pytest.mark.parametrize("profile", ["clinic", "kiosk"])
def test_clinic_and_kiosk_flow(sim, make_cfg, profile):
    cfg = make_cfg(profile, {"credential.adapter": "http"})
    person = sim.person("active", insutype="390")
    with Counter(cfg) as c:
        patient = c.identify(sim.code(person["psn_no"]))
        visit = c.register(patient, "A03", "D001")
        quote = c.presettle(visit, ITEMS)
        assert quote.medfee_sumamt == Decimal("45.00") and quote.mdtrt_id == visit.mdtrt_id
        s = c.settle(quote)
        with pytest.raises(WorkflowError):
            c.settle(quote)  # the same quote cannot be settled twice
        sent = [(r["infno"], json.loads(r["request"])["opter_type"]) for r in
                c.journal.query("SELECT infno, request FROM requests ORDER BY sent_at")]
    assert [i for i, _ in sent if i.startswith("22")] == ["2201", "2203", "2204", "2206", "2207"]
    assert {t for _, t in sent} == {"2" if profile == "kiosk" else "1"}
    # Nobody signs in at a kiosk or a headless desk: every request is the terminal operator's ([operator]).
    assert {q["opter"] for q in sim.ledger()["requests"]} == {cfg.operator.id}
    [x] = sim.ledger()["settlements"]
    assert x["setl_id"] == s.setl_id and x["infno"] == "2207"


def test_clinic_cancel_undoes_fees_and_registration(sim, make_cfg):
    cfg = make_cfg("clinic", {"credential.adapter": "http"})
    person = sim.person("active", insutype="310")
    with Counter(cfg) as c:
        visit = c.register(c.identify(sim.code(person["psn_no"])), "A04", "D002")
        quote = c.presettle(visit, ITEMS)
        c.cancel(quote)
        infnos = [r["infno"] for r in c.journal.query("SELECT infno FROM requests ORDER BY sent_at")]
        assert infnos[-2:] == ["2205", "2202"]
        assert c.sales()[0].status == "cancelled"  # left unconfirmed: cancelled, not failed
    [v] = sim.ledger()["visits"]
    assert v["mdtrt_id"] == visit.mdtrt_id and v["status"] == "cancelled"


def test_family_credential_is_shown_as_such(sim, make_cfg):
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    holder = next(p for p in sim.persons() if (p.get("family") or {}).get("role") == "holder")
    member_psn = holder["family"]["members"][0]["psn_no"]
    with Counter(cfg) as c:
        patient = c.identify(sim.code(member_psn, by=holder["psn_no"]))
        assert patient.psn_no == member_psn and patient.family_of.endswith("*")
        s = c.settle(c.presettle(patient, ITEMS[1:]))
        assert s.family_of == patient.family_of
        assert c.sales()[0].family_of.startswith(patient.family_of)


def test_other_province_person_settles_with_their_insured_area(sim, make_cfg):
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    person = sim.person("other_province")
    with Counter(cfg) as c:
        patient = c.identify(sim.code(person["psn_no"]))
        assert patient.insuplc_admdvs == person["insuplc_admdvs"] != cfg.institution.mdtrtarea_admvs
        s = c.settle(c.presettle(patient, ITEMS[1:]))
    assert sim.ledger()["settlements"][0]["setl_id"] == s.setl_id


def test_rejected_sign_no_signs_in_again_once(sim, make_cfg):
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    person = sim.person("active", insutype="310")
    with Counter(cfg) as c:
        patient = c.identify(sim.code(person["psn_no"]))
        c.client.sign_no = "20990101000000000000"  # what the platform no longer accepts
        s = c.settle(c.presettle(patient, ITEMS[1:]))
        sign_ins = c.journal.query("SELECT state FROM requests WHERE infno='9001'")
        refused = c.journal.query("SELECT infno, err FROM requests WHERE state='refused'")
    assert len(sign_ins) == 2 and [r["infno"] for r in refused] == ["2101"] and "签到" in refused[0]["err"]
    assert s.setl_id


def test_id_card_settlement_counts_as_02(sim, make_cfg):
    from simulator import roster
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    person = roster.get(sim.person("active", insutype="310")["psn_no"])
    with Counter(cfg) as c:
        patient = c.identify_card("02", person.certno)
        c.settle(c.presettle(patient, ITEMS[1:]))
        assert c.sales()[0].mdtrt_cert_type == "02"
        with pytest.raises(PlatformRefused):
            c.identify_card("02", "110101199001010000")


def test_pharmacy_requote_keeps_one_sale_and_one_quote_stands_per_till(sim, make_cfg):
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    a, b = sim.person("active", insutype="310"), sim.person("active", insutype="390")
    with Counter(cfg) as c:
        pa = c.identify(sim.code(a["psn_no"]))
        c.presettle(pa, ITEMS[1:])
        q = c.presettle(pa, ITEMS)  # the bill changed
        assert [(r.sale_id, r.status) for r in c.sales()] == [(q.sale_id, "pending")]
        pb = c.identify(sim.code(b["psn_no"]))
        with pytest.raises(QuoteOpen) as refused:  # one quote per till: the first is neither settled nor let go
            c.presettle(pb, ITEMS)
        assert refused.value.key == "quote_open" and f"交易 {q.sale_id}" in refused.value.message
        with pytest.raises(QuoteOpen):
            c.self_pay(ITEMS, tender_mod.Tender("cash", Decimal("100")))
        assert [(r.sale_id, r.status) for r in c.sales()] == [(q.sale_id, "pending")]  # nothing sent, nothing closed
        c.cancel(q)  # the first patient left without paying: the face lets the quote go
        c.presettle(pb, ITEMS)
        assert [r.status for r in c.sales()] == ["pending", "cancelled"]
        with pytest.raises(WorkflowError):
            c.settle(q)  # a closed quote cannot be settled


def test_a_clinic_visit_waits_while_another_sales_quote_stands(sim, make_cfg):
    cfg = make_cfg("clinic", {"credential.adapter": "http"})
    a, b = sim.person("active", insutype="310"), sim.person("active", insutype="390")
    with Counter(cfg) as c:
        quote = c.presettle(c.register(c.identify(sim.code(a["psn_no"])), "A03", "D001"), ITEMS)
        pb = c.identify(sim.code(b["psn_no"]))
        with pytest.raises(QuoteOpen):
            c.register(pb, "A03", "D001")  # refused before any 2201 goes out
        assert len(sim.ledger()["visits"]) == 1
        c.settle(quote)
        c.presettle(c.register(pb, "A03", "D001"), ITEMS)  # the till is free again
    assert len(sim.ledger()["visits"]) == 2


def test_clinic_visit_whose_settlement_was_refused_can_still_be_undone(sim, make_cfg):
    cfg = make_cfg("kiosk", {"credential.adapter": "http"})
    person = sim.person("active", insutype="390")
    with Counter(cfg) as c:
        visit = c.register(c.identify(sim.code(person["psn_no"])), "A03", "D001")
        quote = c.presettle(visit, ITEMS)
        sim.faults("2207:error:结算失败")  # refused: nothing was paid
        with pytest.raises(PlatformRefused):
            c.settle(quote)
        sim.clear_faults()
        c.cancel(visit)  # the kiosk walks home: the visit and its fees must not stay open on the platform
        with pytest.raises(WorkflowError):
            c.cancel(visit)  # once is enough
        [sale] = c.sales()
        assert sale.status == "failed" and sale.note == "cancelled"
    ledger = sim.ledger()
    assert {v["mdtrt_id"]: v["status"] for v in ledger["visits"]} == {visit.mdtrt_id: "cancelled"}
    assert ledger["settlements"] == []


def test_clinic_visit_whose_fee_upload_answer_was_lost_can_be_undone(sim, make_cfg):
    from terminal.errors import PlatformUnknown
    cfg = make_cfg("clinic", {"credential.adapter": "http"})
    person = sim.person("active", insutype="390")
    with Counter(cfg) as c:
        visit = c.register(c.identify(sim.code(person["psn_no"])), "A03", "D001")
        sim.faults("2204:drop:1")  # the fees are recorded, the answer is lost
        with pytest.raises(PlatformUnknown):
            c.presettle(visit, ITEMS)
        c.cancel(visit)  # 2205 first (the fees may be live), then 2202
    assert {v["mdtrt_id"]: v["status"] for v in sim.ledger()["visits"]} == {visit.mdtrt_id: "cancelled"}


def test_a_quoted_patient_who_pays_it_all_themselves_lets_the_quote_go_first(sim, make_cfg):
    from terminal.checkout import Checkout
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    person = sim.person("active", insutype="310")
    with Counter(cfg) as c:
        sale = Checkout(c)
        sale.identify(sim.code(person["psn_no"]))
        sale.draft(ITEMS[1:], None)
        quote = sale.quote()
        sale.revise()  # F4 puts the split aside (the pharmacy screen)
        sale_id = sale.self_pay(tender_mod.Tender("cash", ITEMS[1].amount))  # F5, then F4: the script's own quote
        assert {r.sale_id: r.status for r in c.sales()} == {quote.sale_id: "cancelled", sale_id: "self_paid"}
        assert c.standing() is None
