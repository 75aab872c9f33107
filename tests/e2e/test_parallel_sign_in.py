"""Many ecpos processes signing the same cashier in at once (a till's app, its agent, scripts): the right PIN is
never refused. The lockout books each try before its slow check so that twelve wrong PINs at once get at most
five checks (tests/engine/test_till_operators.py); those bookings were counted as failures while their checks
still ran, and 3-6 of 12 parallel settles with the cashier's right PIN were refused as pin_locked."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from terminal.journal import operators
from terminal.journal.journal import Journal

from tests.engine.helpers import PIN, ROOT, items_file, journal_rows, staff

PROCESSES = 12


def _settle(cfg, items, pin: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECPOS_")}
    env.update(ECPOS_PROFILE=cfg.profile, ECPOS_PIN=pin)
    return subprocess.Popen([sys.executable, "-m", "ecpos", "--config", cfg.sources[-1], "--data-dir",
                             str(cfg.data_dir), "settle", "--self-pay", "--items", str(items), "--cashier", "c1",
                             "--cash-received", "20", "--json"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _run(cfg, items, pins: list[str]) -> list[tuple[str, int, str, str]]:
    procs = [(pin, _settle(cfg, items, pin)) for pin in pins]
    return [(pin, p.wait(timeout=180), *p.communicate()) for pin, p in procs]


def test_twelve_settles_with_the_right_pin_at_once_all_sign_in(make_cfg, tmp_path):
    cfg = make_cfg("pharmacy")
    staff(cfg)
    items = items_file(tmp_path, ("XA01", "阿莫西林胶囊", "1", "9.90"))
    results = _run(cfg, items, [PIN] * PROCESSES)
    assert [code for _, code, _, _ in results] == [0] * PROCESSES, [err for *_, err in results if err]
    assert all(json.loads(out)["status"] == "self_paid" for _, _, out, _ in results)
    assert len(journal_rows(cfg, "SELECT id FROM sales WHERE status='self_paid'")) == PROCESSES
    assert journal_rows(cfg, "SELECT * FROM pin_locks") == []
    assert journal_rows(cfg, "SELECT * FROM pin_failures") == []  # every booking answered and cleared


def test_wrong_pins_among_right_ones_lock_nobody_who_typed_it_right(make_cfg, tmp_path):
    """Four wrong tries (under the five that lock) among eight right ones, all at once: the right ones sign
    in, the wrong ones are told their PIN is wrong, and nobody is locked."""
    cfg = make_cfg("pharmacy")
    staff(cfg)
    items = items_file(tmp_path, ("XA01", "阿莫西林胶囊", "1", "9.90"))
    pins = [PIN, "1357"] * 4 + [PIN] * 4
    results = _run(cfg, items, pins)
    for pin, code, out, err in results:
        if pin == PIN:
            assert code == 0, err
        else:
            assert code == 2 and "[pin_wrong]" in err, err
    j = Journal.for_config(cfg)
    try:
        assert operators.verify(j, "c1", PIN).id == "c1"  # not locked
        assert j.verify_rows().ok
    finally:
        j.close()
