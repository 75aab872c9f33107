"""Work a cashier did at the counter and a later process sends is still theirs at the platform: a refund
cashier c2 queued while the platform was down (approved by supervisor s1) goes out from `ecpos sync` with
c2's platform code as opter, under a 9001 of c2's own (closed by a 9002, as c2 is not at the till), and a
2601 that sync sends for an unknown outcome names whoever made the request it reverses. `ecpos sync` itself
acts for the terminal's [operator], which the platform must not see making either. Public refund tools send
a 2208 so (liwerAKM/YbRefund, Form1.cs + CSBHelper.cs: opter = the refund's operator, with that operator's own
sign_no). What the platform saw is read from the reference service's request log (ledger requests, signins)."""
from __future__ import annotations

from tests.engine.helpers import SUPERVISOR_PIN, ecpos, ecpos_json, items_file, staff

C2, C2_PIN, C2_CODE = "c2", "2580", "P33010000002"
C2_ENV = {"ECPOS_PIN": C2_PIN}


def _till(sim, make_cfg, tmp_path):
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    staff(cfg)  # s1, the supervisor
    r = ecpos(cfg, "operator", "add", C2, "--role", "cashier", "--name", "李娜", "--platform-code", C2_CODE,
              env=C2_ENV)
    assert r.returncode == 0, r.stderr
    items = items_file(tmp_path, ("XA01", "阿莫西林胶囊", "1", "9.90"))
    return cfg, items


def _made(ledger, skip: int = 0) -> list[tuple[str, str]]:
    return [(q["infno"], q["opter"]) for q in ledger["requests"][skip:] if q["infno"] != "1162"]


def test_a_refund_queued_offline_goes_out_from_sync_as_the_cashier_who_made_it(sim, make_cfg, tmp_path):
    cfg, items = _till(sim, make_cfg, tmp_path)
    sale = ecpos_json(cfg, "settle", "--qr", sim.code(sim.person("active")["psn_no"]), "--items", str(items))
    before = len(sim.ledger()["requests"])

    sim.stop()
    out = ecpos_json(cfg, "refund", sale["setl_id"], "--reason", "顾客退药", "--cashier", C2, "--supervisor", "s1",
                     env={**C2_ENV, "ECPOS_SUPERVISOR_PIN": SUPERVISOR_PIN}, expect=3)
    assert out["status"] == "queued"
    sim.start()
    sim.faults("2103:garble:infcode_1")  # processed, its answer unreadable: sync reverses it, then resends
    report = ecpos_json(cfg, "sync")
    assert [r["setl_id"] for r in report["refunded"]] == [sale["setl_id"]]

    ledger = sim.ledger()
    assert _made(ledger, before) == [("9001", C2_CODE), ("2103", C2_CODE), ("2601", C2_CODE), ("9002", C2_CODE),
                                     ("9001", C2_CODE), ("2103", C2_CODE), ("9002", C2_CODE)]
    mine = {s["sign_no"] for s in ledger["signins"] if s["opter"] == C2_CODE}
    assert len(mine) == 2 and {q["sign_no"] for q in ledger["requests"][before:]
                               if q["infno"] in ("2103", "2601")} <= mine
    assert all(s["signed_out"] for s in ledger["signins"] if s["opter"] == C2_CODE)
    assert [r["status"] for r in ledger["refunds"] if r["status"] == "refunded"] == ["refunded"]


def test_sync_reverses_an_unknown_settlement_as_the_cashier_who_made_it(sim, make_cfg, tmp_path):
    cfg, items = _till(sim, make_cfg, tmp_path)
    sim.faults("2102:garble:infcode_1")
    out = ecpos_json(cfg, "settle", "--qr", sim.code(sim.person("active")["psn_no"]), "--items", str(items),
                     "--cashier", C2, env=C2_ENV, expect=3)
    assert out["status"] == "unknown"

    report = ecpos_json(cfg, "sync")  # another process, acting for the terminal's [operator]
    assert [r["rslt"] for r in report["reversed"]] == ["reversed"]
    ledger = sim.ledger()
    [settle] = [q for q in ledger["requests"] if q["infno"] == "2102"]
    [reversal] = [q for q in ledger["requests"] if q["infno"] == "2601"]
    assert (reversal["opter"], reversal["sign_no"]) == (settle["opter"], settle["sign_no"])
    assert settle["opter"] == C2_CODE
    assert cfg.operator.id not in {q["opter"] for q in ledger["requests"] if q["infno"] not in ("1162",)}
