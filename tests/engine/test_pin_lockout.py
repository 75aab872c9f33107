"""Supervisor / admin PINs: 5 wrong in 15 minutes lock that operator for 15 minutes (audited, Chinese
message saying until when and what to do); a right PIN resets the count; the lock ends by itself."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from terminal.errors import OperatorError
from terminal.office import operators
from terminal.sale import refunds
from terminal.journal.journal import Journal
from terminal.sale.sales import SaleStore

from tests.engine.helpers import PIN, SUPERVISOR_PIN, behind_ecpos


@pytest.fixture
def journal(cfg):
    j = Journal.for_config(cfg)
    operators.add(j, "c1", "cashier", PIN)
    operators.add(j, "s1", "supervisor", SUPERVISOR_PIN)
    operators.add(j, "s2", "supervisor", "8642")
    yield j
    j.close()


def refuse(journal, cfg, supervisor="s1", pin="0000") -> refunds.RefundRefused:
    """queue a refund of a sale that does not exist: the PIN is checked before the sale."""
    with pytest.raises(refunds.RefundRefused) as e:
        refunds.queue(SaleStore(journal), cfg, "X1", "顾客退药", "c1", supervisor, pin)
    return e.value


def backdate_pin_state(journal, minutes: int) -> None:
    """Move every failure and lock of the PIN guard `minutes` into the past (no sleeping in tests)."""
    def back(ts: str) -> str:
        return (datetime.fromisoformat(ts) - timedelta(minutes=minutes)).isoformat(timespec="microseconds")
    with journal.tx() as c:
        for rowid, at in c.execute("SELECT rowid, at FROM pin_failures").fetchall():
            c.execute("UPDATE pin_failures SET at=? WHERE rowid=?", (back(at), rowid))
        for op, until in c.execute("SELECT op_id, until FROM pin_locks").fetchall():
            c.execute("UPDATE pin_locks SET until=? WHERE op_id=?", (back(until), op))


def test_a_lock_cleared_behind_ecpos_shows_in_the_journal_chain(journal, cfg):
    for n in range(5):
        refuse(journal, cfg)
    assert journal.verify_rows().ok
    # The forger's way, with the chain's triggers on pin_locks dropped and put back exactly.
    saved = behind_ecpos(journal.path, "DELETE FROM pin_locks WHERE op_id='s1'", "chain%pin_locks%")
    assert len(saved) == 3  # insert, update and delete triggers of pin_locks
    proof = journal.verify_rows()
    assert not proof.ok and (proof.table, proof.row) == ("pin_locks", 1) and "deleted outside ecpos" in proof.reason


def test_five_wrong_pins_lock_the_supervisor_even_for_the_right_pin(journal, cfg):
    for n in range(4):
        e = refuse(journal, cfg)
        assert e.key == "refund_wrong_pin" and "密码错误" in e.message
    e = refuse(journal, cfg)  # the fifth wrong PIN locks
    assert e.key == "refund_pin_locked" and "锁定" in e.message and "15" in e.message
    e = refuse(journal, cfg, pin=SUPERVISOR_PIN)  # locked: the right PIN does not help
    assert e.key == "refund_pin_locked" and "其他主管" in e.message
    # Another supervisor is not locked.
    assert refuse(journal, cfg, supervisor="s2", pin="8642").key == "refund_unknown_sale"
    events = [(r["event"], r["actor"]) for r in journal.query("SELECT event, actor FROM audit ORDER BY seq")]
    assert ("pin_locked", "s1") in events
    whys = [json.loads(r["data"]).get("why") for r in
            journal.query("SELECT data FROM audit WHERE event='refund_refused' ORDER BY seq")]
    assert whys.count("refund_pin_locked") == 2
    assert journal.verify_chain().ok


def test_lock_ends_after_fifteen_minutes(journal, cfg):
    for _ in range(5):
        refuse(journal, cfg)
    backdate_pin_state(journal, 14)
    assert refuse(journal, cfg, pin=SUPERVISOR_PIN).key == "refund_pin_locked"
    backdate_pin_state(journal, 2)
    assert refuse(journal, cfg, pin=SUPERVISOR_PIN).key == "refund_unknown_sale"  # PIN accepted again


def test_a_right_pin_resets_and_old_failures_fall_out_of_the_window(journal, cfg):
    for _ in range(4):
        refuse(journal, cfg)
    assert refuse(journal, cfg, pin=SUPERVISOR_PIN).key == "refund_unknown_sale"
    for _ in range(4):
        refuse(journal, cfg)
    backdate_pin_state(journal, 16)  # those four are older than the 15-minute window
    assert refuse(journal, cfg).key == "refund_wrong_pin"
    assert refuse(journal, cfg, pin=SUPERVISOR_PIN).key == "refund_unknown_sale"


def test_counter_authorize_locks_too(journal, cfg):
    from terminal.counter import Counter
    operators.add(journal, "admin", "admin", "1357")
    with Counter(cfg, journal=journal) as c:
        for _ in range(5):
            with pytest.raises(OperatorError):
                c.authorize("admin", "0000", purpose="kiosk unlock")
        with pytest.raises(OperatorError) as e:
            c.authorize("admin", "1357", purpose="kiosk unlock")
        assert e.value.key == "pin_locked" and "锁定" in e.value.message
