"""`ecpos collect` takes the cash a kiosk sale left owed at the window through the sale's script (Checkout.owed):
a 流水号 the journal does not know, or one paid already, is refused before any PIN or tender counts and nothing
more is booked; the one owed is collected once."""
from __future__ import annotations

from terminal.counter import Counter
from terminal.sale.items import registration_item
from tests.engine.helpers import ecpos, ecpos_json, journal_rows


def test_collect_refuses_an_unknown_slip_and_a_paid_one_and_books_the_owed_cash_once(sim, make_cfg):
    cfg = make_cfg("kiosk", {"credential.adapter": "http"})
    person = sim.person("active", insutype="310", balc="0.00")
    with Counter(cfg) as c:                                      # the kiosk: its cash part is owed at the window
        visit = c.register(c.identify(sim.code(person["psn_no"])), "A03", "D001")
        s = c.settle(c.presettle(visit, [registration_item(cfg)]))
    assert s.cash_due > 0

    unknown = ecpos(cfg, "collect", "NO-SUCH-SLIP", "--cash-received", "50")
    assert unknown.returncode == 2 and "[sale_not_found]" in unknown.stderr and "NO-SUCH-SLIP" in unknown.stderr
    assert journal_rows(cfg, "SELECT COUNT(*) AS n FROM tenders")[0]["n"] == 0

    got = ecpos_json(cfg, "collect", s.setl_id, "--cash-received", "50")
    assert got["status"] == "collected" and got["setl_id"] == s.setl_id and got["amount"] == f"{s.cash_due:.2f}"
    assert got["tender"]["change"] == f"{50 - s.cash_due:.2f}"

    again = ecpos(cfg, "collect", s.setl_id, "--cash-received", "50")
    assert again.returncode == 2 and "[nothing_due]" in again.stderr
    assert journal_rows(cfg, "SELECT COUNT(*) AS n FROM tenders")[0]["n"] == 1
