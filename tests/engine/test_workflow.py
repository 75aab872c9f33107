"""The per-profile state machines refuse steps out of order."""
from __future__ import annotations

import pytest

from terminal.states import STEPS_OF, Stage
from terminal.sale.workflow import Steps, WorkflowError


def walk(profile: str, *steps: Stage) -> Steps:
    f = Steps(profile)
    for s in steps:
        f.advance(s)
    return f


def test_pharmacy_path_and_requote():
    f = walk("pharmacy", Stage.QUOTED, Stage.QUOTED, Stage.SETTLING, Stage.SETTLED)
    assert f.done and f.history[-1] == Stage.SETTLED


@pytest.mark.parametrize("profile", ["clinic", "kiosk"])
def test_clinic_path(profile):
    f = walk(profile, Stage.REGISTERED, Stage.UPLOADED, Stage.QUOTED, Stage.SETTLING, Stage.UNKNOWN)
    assert f.done and f.state == Stage.UNKNOWN


@pytest.mark.parametrize("profile,steps,bad", [
    ("pharmacy", (), Stage.SETTLING),                                  # settle without a quote
    ("pharmacy", (Stage.QUOTED, Stage.SETTLING, Stage.SETTLED), Stage.SETTLING),  # settle twice
    ("pharmacy", (Stage.QUOTED, Stage.SETTLING, Stage.SETTLED), Stage.CANCELLED),  # cancel after settling
    ("pharmacy", (), Stage.REGISTERED),                                # pharmacies do not register
    ("clinic", (), Stage.QUOTED),                                      # quote before registering
    ("clinic", (Stage.REGISTERED,), Stage.SETTLING),                   # settle before fees and quote
    ("kiosk", (Stage.REGISTERED, Stage.UPLOADED, Stage.QUOTED), Stage.QUOTED),  # no re-quote once uploaded
])
def test_out_of_order_steps_are_refused(profile, steps, bad):
    f = walk(profile, *steps)
    with pytest.raises(WorkflowError) as e:
        f.advance(bad)
    assert bad.value in e.value.detail and f.state == (steps[-1] if steps else Stage.IDENTIFIED)


def test_every_state_is_reachable_and_final_states_have_no_exit():
    for profile, machine in STEPS_OF.items():
        reachable = {Stage.IDENTIFIED} | {s for targets in machine.values() for s in targets}
        assert {Stage.SETTLED, Stage.UNKNOWN, Stage.FAILED, Stage.CANCELLED} <= reachable, profile
        assert not {Stage.SETTLED, Stage.UNKNOWN, Stage.CANCELLED} & set(machine)
        # a failed settlement paid nothing: only a clinic's visit is still undone after it (2205 + 2202)
        assert machine.get(Stage.FAILED, frozenset()) <= {Stage.CANCELLED}
