"""One owner of a sale: the store checks every status change in the transaction, whoever asks; views hear of
every committed change; the counter says what is allowed next for a sale id; the client signs in again by
itself when the platform refuses a stale sign-in."""
from __future__ import annotations

import threading
from decimal import Decimal

import pytest

from terminal import config
from terminal.sale import flows
from terminal.counter import Counter, Item
from terminal.journal.journal import Journal
from terminal.sale.sales import TRANSITIONS, SaleStateError, SaleStore

ITEMS = [Item("XA01", "阿莫西林胶囊", Decimal("2"), Decimal("12.50"))]


@pytest.fixture
def store(tmp_path):
    cfg = config.load(profile="pharmacy", data_dir=tmp_path / "d", center_url="http://127.0.0.1:9", env={})
    j = Journal.for_config(cfg)
    yield SaleStore(j)
    j.close()


def _sale_in(store: SaleStore, *path: str) -> int:
    with store.tx() as c:
        sale_id = store.open(c, "pharmacy", "0001", psn_no="P1")
        for status in path:
            store.move(c, sale_id, status)
    return sale_id


def test_a_settled_sale_cannot_become_cancelled_whoever_asks(store):
    sale_id = _sale_in(store, "settled")
    with pytest.raises(SaleStateError) as e:
        store.cancel(sale_id)
    assert e.value.exit_code == 2 and "settled" in e.value.message
    assert store.get(sale_id).status == "settled"
    with pytest.raises(SaleStateError):  # nor be settled twice, nor changed once closed
        with store.tx() as c:
            store.move(c, sale_id, "pending")
    with pytest.raises(SaleStateError):
        with store.tx() as c:
            store.amend(c, sale_id, items="[]")


@pytest.mark.parametrize("start", sorted(TRANSITIONS))
def test_every_status_allows_exactly_its_listed_moves(store, start):
    paths = {"pending": (), "unknown": ("unknown",), "settled": ("settled",), "refund_queued":
             ("settled", "refund_queued"), "refunded": ("settled", "refund_queued", "refunded"),
             "reversed": ("unknown", "reversed"), "failed": ("failed",), "cancelled": ("cancelled",),
             "self_paid": ("self_paid",)}
    for to in TRANSITIONS:
        sale_id = _sale_in(store, *paths[start])
        ok = to in TRANSITIONS[start] or to == start
        if ok:
            with store.tx() as c:
                store.move(c, sale_id, to)
            assert store.get(sale_id).status == to
        else:
            with pytest.raises(SaleStateError):
                with store.tx() as c:
                    store.move(c, sale_id, to)
            assert store.get(sale_id).status == start


def test_two_threads_racing_to_close_a_sale_one_wins(store):
    sale_id = _sale_in(store, "unknown")
    results = []

    def close(to):
        try:
            with store.tx() as c:
                store.move(c, sale_id, to)
            results.append(to)
        except SaleStateError:
            results.append("refused")
    threads = [threading.Thread(target=close, args=(to,)) for to in ("settled", "reversed")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results)[0] == "refused" and store.get(sale_id).status in results


def test_subscribers_hear_each_committed_change_once_and_never_a_rolled_back_one(store):
    heard = []
    unsubscribe = store.subscribe(lambda sale: heard.append((sale.id, sale.status)))
    sale_id = _sale_in(store, "settled")
    assert heard == [(sale_id, "settled")]  # one transaction, one announcement, the committed state
    with pytest.raises(SaleStateError):
        store.cancel(sale_id)
    assert heard == [(sale_id, "settled")]
    unsubscribe()
    _sale_in(store)
    assert len(heard) == 1


def test_flows_carry_their_codes():
    assert (flows.PHARMACY.business_type, flows.PHARMACY.med_type, flows.PHARMACY.clr_type,
            flows.PHARMACY.refund_infno, flows.PHARMACY.registers) == ("02121", "41", "41", "2103", False)
    assert (flows.CLINIC.business_type, flows.CLINIC.med_type, flows.CLINIC.clr_type,
            flows.CLINIC.refund_infno, flows.CLINIC.registers) == ("01101", "11", "11", "2208", True)
    assert flows.for_profile("kiosk").settle_infno == "2207"


def test_the_counter_works_by_sale_id_and_says_what_is_allowed(sim, make_cfg):
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    person = sim.person("active", insutype="310")
    with Counter(cfg) as c:
        changes = []
        c.subscribe(lambda sale: changes.append(sale.status))
        quote = c.presettle(c.identify(sim.code(person["psn_no"])), ITEMS)
        assert c.allowed(quote.sale_id) == {"quote", "confirm", "cancel"}
        s = c.settle(quote.sale_id)
        assert s.setl_id and c.sale(quote.sale_id).status == "settled"
        assert c.allowed(quote.sale_id) == {"refund"}
        with pytest.raises(SaleStateError):
            c.cancel(quote.sale_id)
        with pytest.raises(SaleStateError):
            c.settle(quote.sale_id)
        assert changes[0] == "pending" and changes[-1] == "settled"
        assert c.sale(quote.sale_id).status == "settled"
    assert [x["status"] for x in sim.ledger()["settlements"]] == ["settled"]


def test_the_client_signs_in_again_by_itself_when_the_platform_refuses_a_stale_sign_in(sim, make_cfg):
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    person = sim.person("active", insutype="310")
    with Counter(cfg) as c:
        quote = c.presettle(c.identify(sim.code(person["psn_no"])), ITEMS)
        c.client.sign_no = "SIGNED-OUT-LONG-AGO"  # the platform no longer knows it: it refuses, nothing done
        s = c.settle(quote)
        assert s.setl_id and c.client.sign_no not in ("", "SIGNED-OUT-LONG-AGO")
        sent = c.journal.query("SELECT infno, state FROM requests WHERE infno IN ('9001','2102') ORDER BY rowid")
        assert [(r["infno"], r["state"]) for r in sent] == [("9001", "ok"), ("2102", "refused"), ("9001", "ok"),
                                                            ("2102", "ok")]
    assert [x["status"] for x in sim.ledger()["settlements"]] == ["settled"]


def test_a_kiosk_cash_part_is_due_at_the_window_until_the_counter_collects_it(sim, make_cfg):
    """Issue 21 item 4: the kiosk takes no cash, so a 0-balance patient's cash part is not called paid."""
    from terminal.sale import tender
    from terminal.checkout import registration_items
    cfg = make_cfg("kiosk", {"credential.adapter": "http"})
    person = sim.person("active", insutype="310", balc="0.00")
    with Counter(cfg) as c:
        visit = c.register(c.identify(sim.code(person["psn_no"])), "A03", "D001")
        s = c.settle(c.presettle(visit, registration_items(cfg)))
        sale = c.sale(s.sale_id)
        assert s.cash_due == sale.psn_cash_pay == sale.cash_due > 0
        assert sale.status == "settled" and sale.note == "cash_due_at_window"
        assert c.allowed(s.sale_id) == {"refund", "collect"}
        with pytest.raises(tender.TenderError):
            c.collect(s.sale_id, tender.cash(s.cash_due - 1, s.cash_due))
        c.collect(s.sale_id, tender.cash(s.cash_due, Decimal("20")))
        assert c.sale(s.sale_id).cash_due == 0 and c.allowed(s.sale_id) == {"refund"}
        assert [t.change for t in tender.of_sale(c.journal, s.sale_id)] == [Decimal("20") - s.cash_due]
        with pytest.raises(SaleStateError):  # collected once only
            c.collect(s.sale_id, tender.cash(s.cash_due, s.cash_due))


def test_a_503_is_offline_and_only_a_real_answer_brings_the_counter_back(sim, make_cfg):
    """Issue 21 item 6: 503 means the platform does not serve; a sync with nothing to send heard nothing."""
    from terminal.errors import PlatformUnreachable
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    person = sim.person("active", insutype="310")
    with Counter(cfg) as c:
        patient = c.identify(sim.code(person["psn_no"]))
        sim.faults("*:down")
        with pytest.raises(PlatformUnreachable):
            c.presettle(patient, ITEMS)
        assert not c.status().online
        c.sync()                                  # nothing queued: nothing sent, nothing heard
        assert not c.status().online and not c.recheck()
        sim.clear_faults()
        assert c.recheck() and c.status().online  # a fresh 9001 was answered


def test_a_self_paid_sale_and_its_refund_reach_the_counters_subscribers(make_cfg):
    # selfpay.py and refunds.py once built their own SaleStore: the counter's subscribers (the screens, the
    # agent's event stream) never heard of a self-paid sale or its refund
    from terminal.office import operators
    from terminal.sale import tender
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    with Counter(cfg) as c:
        operators.add(c.journal, "s1", "supervisor", "9753")
        heard = []
        c.subscribe(lambda sale: heard.append((sale.id, sale.status)))
        sale_id = c.self_pay(ITEMS, tender.cash(sum(i.amount for i in ITEMS), Decimal("100")))
        assert heard == [(sale_id, "self_paid")]
        c.refund_self_paid(sale_id, "患者退药", "c1", "s1", "9753")
        assert heard[-1] == (sale_id, "refunded")


def test_one_store_per_journal_no_second_sale_store_in_the_till():
    # the store's home (terminal/sale/sales.py) and the Counter's one instance; a second one would hold its own
    # subscribers, so the changes it writes would never be announced
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    made = [p.relative_to(root).as_posix() for top in ("terminal", "ui", "agent", "ecpos", "drivers")
            for p in sorted((root / top).rglob("*.py")) if p.name != "sales.py"
            for line in p.read_text(encoding="utf-8").splitlines() if "SaleStore(" in line]
    assert made == ["terminal/counter.py"], made
