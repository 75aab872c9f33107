import multiprocessing as mp

import pytest

from terminal.wire.msgid import MsgIdSource

T0 = 1_790_000_000.0  # a fixed second


def test_shape_and_sequence_within_one_second(tmp_path):
    src = MsgIdSource("P32010200001", tmp_path / "m.state", clock=lambda: T0)
    a, b = src.next(), src.next()
    assert len(a) == 30 and a.startswith("P32010200001") and a[12:].isdigit()
    assert a[12:26] == b[12:26] and int(b[26:]) == int(a[26:]) + 1


def test_unique_across_restarts_and_a_clock_going_back(tmp_path):
    state = tmp_path / "m.state"
    first = [MsgIdSource("P32010200001", state, clock=lambda: T0).next() for _ in range(3)]
    again = MsgIdSource("P32010200001", state, clock=lambda: T0 - 5).next()  # restarted, clock behind
    assert again > max(first)


def test_a_thousand_in_one_second_borrow_the_next(tmp_path):
    src = MsgIdSource("P32010200001", tmp_path / "m.state", clock=lambda: T0, node=3)
    ids = [src.next() for _ in range(1_001)]
    assert len(set(ids)) == len(ids) and ids == sorted(ids)
    assert ids[-1][12:26] > ids[0][12:26] and all(i[26] == "3" for i in ids)


def test_two_tills_of_one_institution_never_collide(tmp_path):
    """Each till has its own state file; the node digit keeps their msgids apart in the same second."""
    a = MsgIdSource("P32010200001", tmp_path / "a.state", clock=lambda: T0, node=1)
    b = MsgIdSource("P32010200001", tmp_path / "b.state", clock=lambda: T0, node=2)
    ids = [a.next() for _ in range(50)] + [b.next() for _ in range(50)]
    assert len(set(ids)) == 100
    with pytest.raises(ValueError):
        MsgIdSource("P32010200001", tmp_path / "c.state", node=10)


def _issue(state, n, q):
    src = MsgIdSource("P32010200001", state, clock=lambda: T0)
    q.put([src.next() for _ in range(n)])


def test_two_processes_never_collide(tmp_path):
    q = mp.get_context("fork").Queue()
    procs = [mp.get_context("fork").Process(target=_issue, args=(tmp_path / "m.state", 300, q))
             for _ in range(2)]
    for p in procs:
        p.start()
    ids = q.get(timeout=30) + q.get(timeout=30)
    for p in procs:
        p.join(10)
    assert len(set(ids)) == 600


def test_code_must_be_twelve_characters(tmp_path):
    with pytest.raises(ValueError):
        MsgIdSource("H123", tmp_path / "m.state")


def test_state_is_overwritten_in_place_never_emptied(tmp_path, monkeypatch):
    """kill -9 may land between two system calls: the state file must never be truncated on the way."""
    import os
    calls = []
    monkeypatch.setattr(os, "ftruncate", lambda *a: calls.append(a))
    src = MsgIdSource("P32010200001", tmp_path / "m.state", clock=lambda: T0)
    src.next()
    second = src.next()
    assert calls == []
    assert (tmp_path / "m.state").read_text() == second[12:]
