"""Operators: PINs only as salted scrypt hashes, from ECPOS_PIN or a prompt, never a flag."""
from __future__ import annotations

import json

import pytest

from terminal.errors import OperatorError
from terminal.journal.operators import hash_pin, pin_matches
from terminal.office import operators
from terminal.journal.journal import Journal

from tests.engine.helpers import ecpos


def test_add_list_passwd_through_the_command(cfg):
    assert ecpos(cfg, "operator", "add", "s1", "--role", "supervisor", env={"ECPOS_PIN": "3579"}).returncode == 0
    assert ecpos(cfg, "operator", "add", "s1", "--role", "cashier", env={"ECPOS_PIN": "3579"}).returncode == 2
    assert ecpos(cfg, "operator", "add", "s2", "--role", "cashier", "--pin", "3579").returncode == 2  # no flag
    assert ecpos(cfg, "operator", "add", "s3", "--role", "cashier").returncode == 2  # no PIN, no terminal
    assert ecpos(cfg, "operator", "add", "s4", "--role", "cashier", env={"ECPOS_PIN": "1111"}).returncode == 2
    listed = json.loads(ecpos(cfg, "operator", "list", "--json").stdout)
    assert [(o["id"], o["role"]) for o in listed] == [("s1", "supervisor")]
    j = Journal.for_config(cfg)
    row = j.query("SELECT * FROM operators")[0]
    assert "3579" not in json.dumps(row) and len(row["salt"]) == 32
    assert pin_matches("3579", row["salt"], row["pin_hash"], row["params"])
    j.close()
    assert ecpos(cfg, "operator", "passwd", "s1", env={"ECPOS_PIN": "8642"}).returncode == 2  # no old PIN
    assert ecpos(cfg, "operator", "passwd", "s1", env={"ECPOS_PIN": "8642", "ECPOS_OLD_PIN": "3579"}).returncode == 0
    j = Journal.for_config(cfg)
    row = j.query("SELECT * FROM operators")[0]
    assert pin_matches("8642", row["salt"], row["pin_hash"], row["params"])
    assert not pin_matches("3579", row["salt"], row["pin_hash"], row["params"])
    events = [r["event"] for r in j.query("SELECT event FROM audit ORDER BY seq")]
    assert events == ["operator_added", "operator_pin_changed"]
    assert not j.query("SELECT 1 FROM pin_failures")  # the right old PIN left no failure behind
    j.close()


def test_same_pin_gets_different_hashes():
    a, b = hash_pin("2468"), hash_pin("2468")
    assert a[0] != b[0] and a[1] != b[1]


def test_counter_authorize_checks_role_and_pin_and_audits(cfg):
    from terminal.counter import Counter
    j = Journal.for_config(cfg)
    operators.add(j, "admin", "admin", "1357")
    operators.add(j, "c1", "cashier", "2468")
    with Counter(cfg, journal=j) as c:
        c.authorize("admin", "1357", purpose="kiosk unlock")
        for op, pin in (("admin", "0000"), ("c1", "2468"), ("nobody", "1357")):
            with pytest.raises(OperatorError):
                c.authorize(op, pin)
        events = [r["event"] for r in j.query("SELECT event FROM audit WHERE event LIKE 'author%' ORDER BY seq")]
    assert events == ["authorized"] + ["authorization_refused"] * 3
