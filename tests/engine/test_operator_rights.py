"""Who may set whose PIN, through `ecpos operator passwd` as an administrator types it: nobody sets the PIN of
a role above their own (a supervisor who reset an admin's PIN could then act as the admin); an admin's PIN
needs another admin or the old PIN. PIN rules hold whichever digits the keyboard sends (full-width １ from an
input method), and a new PIN must differ from the old."""
from __future__ import annotations

import json

import pytest

from terminal import config
from terminal.journal import operators
from terminal.journal.journal import Journal

from tests.engine.helpers import ecpos


@pytest.fixture
def cfg(tmp_path):
    c = config.load(profile="pharmacy", data_dir=tmp_path / "d", center_url="http://127.0.0.1:9", env={})
    assert ecpos(c, "operator", "add", "a1", "--role", "admin", env={"ECPOS_PIN": "8642"}).returncode == 0
    for op, role, pin in (("a2", "admin", "7531"), ("s1", "supervisor", "9753"), ("s2", "supervisor", "3579"),
                          ("c1", "cashier", "2468")):
        r = ecpos(c, "operator", "add", op, "--role", role, "--by", "a1",
                  env={"ECPOS_PIN": pin, "ECPOS_ADMIN_PIN": "8642"})
        assert r.returncode == 0, r.stderr
    return c


def pin_is(cfg, op: str, pin: str) -> bool:
    j = Journal.for_config(cfg)
    try:
        row = j.query("SELECT * FROM operators WHERE id=?", (op,))[0]
        return operators.pin_matches(pin, row["salt"], row["pin_hash"], row["params"])
    finally:
        j.close()


def passwd(cfg, op: str, new: str, by: str | None = None, by_pin: str = "", old: str | None = None):
    env = {"ECPOS_PIN": new, **({"ECPOS_SUPERVISOR_PIN": by_pin} if by else {}),
           **({"ECPOS_OLD_PIN": old} if old is not None else {})}
    return ecpos(cfg, "operator", "passwd", op, *(("--by", by) if by else ()), env=env)


def test_a_supervisor_cannot_set_an_admins_pin(cfg):
    r = passwd(cfg, "a1", "1470", by="s1", by_pin="9753")
    assert r.returncode == 2 and "[passwd_above_role]" in r.stderr and "另一位管理员" in r.stderr
    assert pin_is(cfg, "a1", "8642") and not pin_is(cfg, "a1", "1470")
    j = Journal.for_config(cfg)
    try:
        [refused] = j.query("SELECT actor, data FROM audit WHERE event='operator_pin_change_refused'")
        assert refused["actor"] == "s1" and json.loads(refused["data"])["id"] == "a1"
        assert j.verify_chain().ok
    finally:
        j.close()


def test_an_admins_pin_by_another_admin_or_the_old_pin(cfg):
    assert passwd(cfg, "a1", "1470", by="a2", by_pin="7531").returncode == 0
    assert pin_is(cfg, "a1", "1470")
    assert passwd(cfg, "a1", "2580", old="1470").returncode == 0
    assert pin_is(cfg, "a1", "2580")


def test_equal_or_lower_roles_stay_resettable(cfg):
    assert passwd(cfg, "c1", "1357", by="s1", by_pin="9753").returncode == 0   # a cashier's forgotten PIN
    assert passwd(cfg, "s2", "1470", by="s1", by_pin="9753").returncode == 0   # a fellow supervisor's
    assert passwd(cfg, "s1", "2580", by="a1", by_pin="8642").returncode == 0   # an admin, anyone's
    r = passwd(cfg, "s1", "3690", by="c1", by_pin="1357")                      # a cashier, nobody's
    assert r.returncode == 2 and "[operator_role]" in r.stderr and pin_is(cfg, "s1", "2580")


def test_a_new_pin_equal_to_the_old_one_is_refused(cfg):
    r = passwd(cfg, "c1", "2468", old="2468")
    assert r.returncode == 2 and "[pin_reused]" in r.stderr and "相同" in r.stderr
    r = passwd(cfg, "c1", "２４６８", by="s1", by_pin="9753")  # the same PIN in full-width digits
    assert r.returncode == 2 and "[pin_reused]" in r.stderr


@pytest.mark.parametrize("pin", ["１１１１", "1１11", "１２３４", "٢٤٦٨", "2468 ", "二四六八"])
def test_pin_rules_hold_for_other_digits(cfg, pin):
    """Full-width digits are the ASCII ones (so １２３４ is a run and 1１11 one digit repeated); digits of other
    scripts and anything else are refused."""
    r = ecpos(cfg, "operator", "add", "c9", "--role", "cashier", env={"ECPOS_PIN": pin})
    assert r.returncode == 2 and "[pin_weak]" in r.stderr


def test_a_full_width_pin_is_the_same_pin_typed_either_way(cfg):
    assert ecpos(cfg, "operator", "add", "c9", "--role", "cashier", env={"ECPOS_PIN": "１３５７"}).returncode == 0
    assert pin_is(cfg, "c9", "1357") and pin_is(cfg, "c9", "１３５７")
    assert passwd(cfg, "c9", "2580", old="1357").returncode == 0
