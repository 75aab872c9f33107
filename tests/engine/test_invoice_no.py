"""invono must be unique per institution: two tills of one institution both start their sales at 1."""
import json
from decimal import Decimal

from terminal.counter import Counter, Item

ITEMS = [Item("XA01", "阿莫西林胶囊", Decimal("1"), Decimal("12.50"))]


def invonos(counter: Counter, infno: str) -> list[str]:
    rows = counter.journal.query("SELECT request FROM requests WHERE infno=?", (infno,))
    return [json.loads(r["request"])["input"]["druginfo"]["invono"] for r in rows]


def test_two_tills_never_send_the_same_invoice_number(sim, make_cfg):
    tills = [Counter(make_cfg("pharmacy", {"credential.adapter": "http", "institution.msgid_node": n}))
             for n in (1, 2)]
    for c in tills:
        p = sim.person("active", insutype="310")
        c.settle(c.presettle(c.identify(sim.code(p["psn_no"])), ITEMS))
    first, second = (invonos(c, "2102") for c in tills)
    assert first == invonos(tills[0], "2101") and len(first) == 1
    assert first[0] != second[0] and first[0].startswith("S1") and second[0].startswith("S2")
    for c in tills:
        c.close()
