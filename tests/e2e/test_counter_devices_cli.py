"""The cash drawer from the command line, run as processes (issue 25): `ecpos settle` that took cash pulses the
drawer through the receipt printer (the bytes caught on the wire), one paid by the personal account does not;
a refund handing cash back opens it too;
`ecpos drawer --supervisor` opens it with a PIN and a reason, `ecpos drawer --list` says who and why."""
from __future__ import annotations

from tests.drivers.test_counter_devices import PULSE_PIN2, PULSE_PIN5, Capture
from tests.engine.helpers import ecpos, ecpos_json, items_file
from terminal.office import operators
from terminal.journal.journal import Journal


def test_a_settle_that_took_cash_opens_the_drawer_one_paid_by_the_account_does_not(sim, make_cfg, tmp_path):
    cap = Capture()
    try:
        cfg = make_cfg("pharmacy", {"credential.adapter": "http", "printer.kind": "network",
                                    "printer.target": f"127.0.0.1:{cap.port}", "printer.cash_drawer": True,
                                    "printer.drawer_pin": 5})
        items = items_file(tmp_path, ("ZA01AAL0345010103456", "连花清瘟胶囊", "1", "14.80"))
        no_account = sim.person("active", psn_no="3201000000000003")     # 王芳: balance 0, pays cash
        sale = cash_sale = ecpos_json(cfg, "settle", "--qr", sim.code(no_account["psn_no"]), "--items", str(items),
                                      "--cash-received", "50")
        assert sale["drawer_opened"] is True and sale["change"]
        wire = cap.bytes(len(PULSE_PIN5) + 1)
        assert wire.startswith(PULSE_PIN5)                                  # the drawer first, then the receipt
        assert wire.count(b"\x1bp") == 1 and PULSE_PIN2 not in wire
        with_account = sim.person("active", insutype="310")
        sale = ecpos_json(cfg, "settle", "--qr", sim.code(with_account["psn_no"]), "--items", str(items))
        assert float(sale["psn_cash_pay"]) == 0 and sale["drawer_opened"] is False
        receipts = cap.bytes(len(wire) + 100)
        assert receipts.count(b"\x1bp") == 1                               # no cash, no pulse
        j = Journal.for_config(cfg)
        try:
            operators.add(j, "c1", "cashier", "2468")
            operators.add(j, "s1", "supervisor", "9753")
        finally:
            j.close()
        refund = ecpos_json(cfg, "refund", cash_sale["setl_id"], "--reason", "患者退药", "--cashier", "c1",
                            "--supervisor", "s1", env={"ECPOS_PIN": "2468", "ECPOS_SUPERVISOR_PIN": "9753"})
        assert refund["cash_back"] == cash_sale["psn_cash_pay"]
        assert cap.bytes(len(receipts) + 5).count(PULSE_PIN5) == 2         # the cash handed back came out of it
    finally:
        cap.close()


def test_a_supervisor_opens_the_drawer_with_pin_and_reason_and_the_list_says_who_and_why(make_cfg):
    cfg = make_cfg("pharmacy", {"center.url": "http://127.0.0.1:9", "printer.cash_drawer": True})
    j = Journal.for_config(cfg)
    try:
        operators.add(j, "c1", "cashier", "2468")
        operators.add(j, "s1", "supervisor", "9753")
    finally:
        j.close()
    pulses = cfg.data_dir / "receipts" / "drawer.bin"
    wrong = ecpos(cfg, "drawer", "--supervisor", "s1", "--reason", "换零钱", env={"ECPOS_SUPERVISOR_PIN": "0000"})
    assert wrong.returncode == 2 and "密码错误" in wrong.stderr and not pulses.exists()
    no_reason = ecpos(cfg, "drawer", "--supervisor", "s1", env={"ECPOS_SUPERVISOR_PIN": "9753"})
    assert no_reason.returncode == 2 and "--reason" in no_reason.stderr and not pulses.exists()
    done = ecpos_json(cfg, "drawer", "--supervisor", "s1", "--reason", "换零钱", "--cashier", "c1",
                      env={"ECPOS_SUPERVISOR_PIN": "9753"})
    assert done["status"] == "opened" and pulses.read_bytes() == PULSE_PIN2
    listed = ecpos_json(cfg, "drawer", "--list")
    assert [(r["event"], r["actor"], r["why"], r["cashier"]) for r in listed] == [
        ("drawer_opened", "s1", "换零钱", "c1")]
    text = ecpos(cfg, "drawer", "--list")
    assert text.returncode == 0 and "开钱箱 s1 原因：换零钱 收银员 c1" in text.stdout


def test_collecting_a_kiosk_sales_cash_at_the_window_opens_the_drawer(sim, make_cfg):
    from terminal.counter import Counter
    from terminal.checkout import registration_items
    cfg = make_cfg("kiosk", {"credential.adapter": "http", "printer.cash_drawer": True})
    person = sim.person("active", insutype="310", balc="0.00")
    with Counter(cfg) as c:                                  # the kiosk: the cash part left due at the window
        visit = c.register(c.identify(sim.code(person["psn_no"])), "A03", "D001")
        s = c.settle(c.presettle(visit, registration_items(cfg)))
    assert s.cash_due > 0
    got = ecpos_json(cfg, "collect", s.setl_id, "--cash-received", "50")
    assert got["status"] == "collected" and got["drawer_opened"] is True
    assert (cfg.data_dir / "receipts" / "drawer.bin").read_bytes() == PULSE_PIN2


def test_a_settle_whose_drawer_cannot_open_is_settled_with_a_warning(sim, make_cfg, tmp_path):
    cfg = make_cfg("pharmacy", {"credential.adapter": "http", "printer.cash_drawer": True})
    (cfg.data_dir / "receipts" / "drawer.bin").mkdir(parents=True)       # the pulse cannot be written
    items = items_file(tmp_path, ("ZA01AAL0345010103456", "连花清瘟胶囊", "1", "14.80"))
    person = sim.person("active", psn_no="3201000000000003")
    done = ecpos(cfg, "settle", "--qr", sim.code(person["psn_no"]), "--items", str(items), "--cash-received", "50",
                 "--json")
    assert done.returncode == 0, done.stderr                             # the sale stands: never exit 1
    assert "钱箱未能打开" in done.stderr and "本单已完成不受影响" in done.stderr
    assert '"drawer_opened": false' in done.stdout and '"status": "settled"' in done.stdout
    assert [r["event"] for r in ecpos_json(cfg, "drawer", "--list")] == ["drawer_not_opened", "drawer_opened"]


def test_no_drawer_configured_says_so_in_a_cashiers_words(make_cfg):
    cfg = make_cfg("pharmacy", {"center.url": "http://127.0.0.1:9"})
    done = ecpos(cfg, "drawer", "--supervisor", "s1", "--reason", "换零钱", env={"ECPOS_SUPERVISOR_PIN": "9753"})
    assert done.returncode == 2
    first = done.stderr.splitlines()[0]
    assert "未设置钱箱" in first and "cash_drawer" not in first                 # the key only on the admin's line


def test_ecpos_return_of_a_box_paid_in_cash_opens_the_drawer(make_cfg, tmp_path):
    cfg = make_cfg("pharmacy", {"center.url": "http://127.0.0.1:9", "printer.cash_drawer": True})
    j = Journal.for_config(cfg)
    try:
        operators.add(j, "c1", "cashier", "2468")
        operators.add(j, "s1", "supervisor", "9753")
    finally:
        j.close()
    pulses = cfg.data_dir / "receipts" / "drawer.bin"
    items = items_file(tmp_path, ("ZA01AAL0345010103456", "连花清瘟胶囊", "2", "14.80"))
    sale = ecpos_json(cfg, "settle", "--self-pay", "--items", str(items), "--cash-received", "30")
    assert sale["drawer_opened"] is True and pulses.read_bytes() == PULSE_PIN2
    back = ecpos_json(cfg, "return", str(sale["sale_id"]), "--lines", "1:1", "--reason", "患者退药", "--cashier", "c1",
                      "--supervisor", "s1", env={"ECPOS_PIN": "2468", "ECPOS_SUPERVISOR_PIN": "9753"})
    assert back["handed_back"] == {"cash": "14.80"} and back["drawer_opened"] is True
    assert pulses.read_bytes() == PULSE_PIN2 * 2
