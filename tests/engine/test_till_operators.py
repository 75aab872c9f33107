"""Operators as a till needs them: names, disabled (kept), admin PIN to add a supervisor or admin, PIN
change with the old PIN or a supervisor's, one weak-PIN rule, sign-in, and a lockout counted atomically."""
from __future__ import annotations

import json
import threading

import pytest

from terminal.errors import OperatorError, PinLocked
from terminal.journal.operators import LOCK_AFTER, pin_matches, verify
from terminal.office import operators
from terminal.journal.journal import Journal

from tests.engine.helpers import ecpos


@pytest.fixture
def journal(cfg):
    j = Journal.for_config(cfg)
    yield j
    j.close()


@pytest.mark.parametrize("pin", ["1111", "1234", "4321", "123456", "7890", "09876", "98765432"])
def test_weak_pins_are_refused_with_what_to_do(pin):
    with pytest.raises(OperatorError) as e:
        operators.check_pin(pin)
    assert e.value.key == "pin_weak" and "请换一个" in e.value.message


@pytest.mark.parametrize("pin", ["2468", "1357", "9753", "13579", "1243", "202611"])
def test_ordinary_pins_pass(pin):
    assert operators.check_pin(pin) == pin


def test_supervisor_and_admin_need_an_admins_pin_once_there_is_one(journal):
    operators.add(journal, "a1", "admin", "8642", name="李主任")   # the first admin sets the till up
    operators.add(journal, "c1", "cashier", "2468", name="王芳")   # a cashier needs nobody
    with pytest.raises(OperatorError) as e:
        operators.add(journal, "s1", "supervisor", "9753")
    assert e.value.key == "admin_needed"
    with pytest.raises(OperatorError):
        operators.add(journal, "s1", "supervisor", "9753", actor="c1", actor_pin="2468")  # not an admin
    with pytest.raises(OperatorError):
        operators.add(journal, "s1", "supervisor", "9753", actor="a1", actor_pin="0000")  # wrong PIN
    operators.add(journal, "s1", "supervisor", "9753", actor="a1", actor_pin="8642")
    listed = {o.id: o for o in operators.listing(journal)}
    assert listed["c1"].name == "王芳" and listed["c1"].label == "王芳（c1）" and listed["s1"].role == "supervisor"


def test_pin_change_needs_the_old_pin_or_a_supervisors(journal):
    operators.add(journal, "c1", "cashier", "2468")
    operators.add(journal, "s1", "supervisor", "9753")
    with pytest.raises(OperatorError) as e:
        operators.passwd(journal, "c1", "1357")
    assert e.value.key == "passwd_unauthorized"
    with pytest.raises(OperatorError):
        operators.passwd(journal, "c1", "1357", old_pin="0000")
    operators.passwd(journal, "c1", "1357", old_pin="2468")
    operators.sign_in(journal, "c1", "1357")
    operators.passwd(journal, "c1", "3579", actor="s1", actor_pin="9753")  # forgotten: the supervisor resets
    operators.sign_in(journal, "c1", "3579")
    with pytest.raises(OperatorError):  # a cashier cannot reset another's PIN
        operators.passwd(journal, "s1", "1357", actor="c1", actor_pin="3579")


def test_a_disabled_operator_is_kept_but_cannot_sign_in_or_approve(journal, cfg):
    from terminal.counter import Counter
    operators.add(journal, "c1", "cashier", "2468")
    operators.add(journal, "s1", "supervisor", "9753")
    with pytest.raises(OperatorError):  # a cashier cannot disable anyone
        operators.set_disabled(journal, "s1", True, "c1", "2468")
    operators.set_disabled(journal, "c1", True, "s1", "9753")
    with pytest.raises(OperatorError) as e:
        operators.sign_in(journal, "c1", "2468")
    assert e.value.key == "operator_disabled" and "已停用" in e.value.message
    assert [o.id for o in operators.listing(journal)] == ["c1", "s1"]  # still named by the journal
    operators.set_disabled(journal, "c1", False, "s1", "9753")
    assert operators.sign_in(journal, "c1", "2468").id == "c1"
    operators.set_disabled(journal, "s1", True, "s1", "9753")
    events = [r["event"] for r in journal.query("SELECT event FROM audit ORDER BY seq")]
    assert events.count("operator_disabled") == 2 and "operator_enabled" in events
    assert events.count("signed_in") == 1 and "sign_in_refused" in events
    with Counter(cfg, journal=journal) as c, pytest.raises(OperatorError):
        c.authorize("s1", "9753")


def test_twelve_wrong_pins_at_once_get_at_most_five_checks(journal, cfg, monkeypatch):
    operators.add(journal, "s1", "supervisor", "9753")
    checks = []
    real = pin_matches

    def counted(*a):
        checks.append(1)
        return real(*a)

    monkeypatch.setattr(operators, "pin_matches", counted)
    start = threading.Barrier(12)
    results: list[str] = []

    def guess(n: int) -> None:
        j = Journal.for_config(cfg)  # its own connection, as another process would have
        try:
            start.wait()
            verify(j, "s1", f"{1000 + n * 7:04d}")
        except OperatorError as e:
            results.append(e.key)
        finally:
            j.close()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(checks) <= LOCK_AFTER
    assert len(results) == 12 and results.count("pin_locked") >= 12 - LOCK_AFTER
    with pytest.raises(PinLocked):  # locked now: even the right PIN
        verify(journal, "s1", "9753")
    assert journal.query("SELECT COUNT(*) n FROM audit WHERE event='pin_locked'")[0]["n"] >= 1


def test_operator_commands(cfg):
    env = {"ECPOS_PIN": "8642"}
    assert ecpos(cfg, "operator", "add", "a1", "--role", "admin", "--name", "李主任", env=env).returncode == 0
    assert ecpos(cfg, "operator", "add", "c1", "--role", "cashier", "--name", "王芳",
                 env={"ECPOS_PIN": "2468"}).returncode == 0
    r = ecpos(cfg, "operator", "add", "s1", "--role", "supervisor", env={"ECPOS_PIN": "9753"})
    assert r.returncode == 2 and "[admin_needed]" in r.stderr
    assert ecpos(cfg, "operator", "add", "s1", "--role", "supervisor", "--by", "a1",
                 env={"ECPOS_PIN": "9753", "ECPOS_ADMIN_PIN": "8642"}).returncode == 0
    r = ecpos(cfg, "operator", "add", "c2", "--role", "cashier", env={"ECPOS_PIN": "1234"})
    assert r.returncode == 2 and "[pin_weak]" in r.stderr and "连续数字" in r.stderr
    assert ecpos(cfg, "operator", "disable", "c1", "--by", "s1",
                 env={"ECPOS_SUPERVISOR_PIN": "9753"}).returncode == 0
    listed = {o["id"]: o for o in json.loads(ecpos(cfg, "operator", "list", "--json").stdout)}
    assert listed["c1"]["name"] == "王芳" and listed["c1"]["active"] is False and listed["a1"]["active"]
    assert listed["c1"]["changed_local"][:2] == "20" and "+" not in listed["c1"]["changed_local"]  # local time
    text = ecpos(cfg, "operator", "list").stdout
    assert "王芳" in text and "已停用" in text


def test_an_operator_carries_their_platform_operator_code(cfg):
    r = ecpos(cfg, "operator", "add", "c3", "--role", "cashier", "--platform-code", "P 01", env={"ECPOS_PIN": "2468"})
    assert r.returncode == 2 and "[operator_platform_code]" in r.stderr and "医保经办人编码" in r.stderr
    r = ecpos(cfg, "operator", "add", "c3", "--role", "cashier", "--name", "赵敏", "--platform-code",
              "33010000000123", env={"ECPOS_PIN": "2468"})
    assert r.returncode == 0 and "33010000000123" in r.stdout
    listed = {o["id"]: o for o in json.loads(ecpos(cfg, "operator", "list", "--json").stdout)}
    assert listed["c3"]["platform_code"] == "33010000000123"
    assert "医保编码 33010000000123" in ecpos(cfg, "operator", "list").stdout
