"""The per-profile state machines refuse steps out of order."""
from __future__ import annotations

import pytest

from terminal.workflow import FLOWS, State, Steps, WorkflowError


def walk(profile: str, *steps: State) -> Steps:
    f = Steps(profile)
    for s in steps:
        f.advance(s)
    return f


def test_pharmacy_path_and_requote():
    f = walk("pharmacy", State.QUOTED, State.QUOTED, State.SETTLING, State.SETTLED)
    assert f.done and f.history[-1] == State.SETTLED


@pytest.mark.parametrize("profile", ["clinic", "kiosk"])
def test_clinic_path(profile):
    f = walk(profile, State.REGISTERED, State.UPLOADED, State.QUOTED, State.SETTLING, State.UNKNOWN)
    assert f.done and f.state == State.UNKNOWN


@pytest.mark.parametrize("profile,steps,bad", [
    ("pharmacy", (), State.SETTLING),                                  # settle without a quote
    ("pharmacy", (State.QUOTED, State.SETTLING, State.SETTLED), State.SETTLING),  # settle twice
    ("pharmacy", (State.QUOTED, State.SETTLING, State.SETTLED), State.CANCELLED),  # cancel after settling
    ("pharmacy", (), State.REGISTERED),                                # pharmacies do not register
    ("clinic", (), State.QUOTED),                                      # quote before registering
    ("clinic", (State.REGISTERED,), State.SETTLING),                   # settle before fees and quote
    ("kiosk", (State.REGISTERED, State.UPLOADED, State.QUOTED), State.QUOTED),  # no re-quote once uploaded
])
def test_out_of_order_steps_are_refused(profile, steps, bad):
    f = walk(profile, *steps)
    with pytest.raises(WorkflowError) as e:
        f.advance(bad)
    assert bad.value in e.value.detail and f.state == (steps[-1] if steps else State.IDENTIFIED)


def test_every_state_is_reachable_and_final_states_have_no_exit():
    for profile, machine in FLOWS.items():
        reachable = {State.IDENTIFIED} | {s for targets in machine.values() for s in targets}
        assert {State.SETTLED, State.UNKNOWN, State.FAILED, State.CANCELLED} <= reachable, profile
        assert not {State.SETTLED, State.UNKNOWN, State.FAILED, State.CANCELLED} & set(machine)
