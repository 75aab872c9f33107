"""One word on a sale's state: terminal/states.py. The journal's status names are spelled there and nowhere
else in the till's code (the store binds them as SQL parameters; the faces compare with the enum)."""
import ast
import re
import sqlite3
from pathlib import Path

import pytest

from terminal import states
from terminal.states import REFUND_TRANSITIONS, SALE_TRANSITIONS, RefundState, SaleState, allowed_steps

ROOT = Path(__file__).resolve().parents[2]
TILL = ("terminal", "ui", "agent", "ecpos", "drivers")  # the till; simulator/ is the platform's side, fleet/ below
# Names no other vocabulary uses: spelled quoted anywhere outside states.py is a second copy of the state.
OWN = ("settled", "self_paid", "refund_queued", "refunded", "reversed", "cancelled")
# Words other vocabularies share (a wire outcome is "unknown", a request "failed"): a second copy of the state
# only where a sale's or a refund's status is written or compared.
SHARED = ("pending", "unknown", "failed", "queued")
STATUS_CONTEXT = re.compile(r"\.move\(|refund_move\(|\[\"status\"\]|\.status\b|status\s*(?:=|!=|IN)\s*\(?'")
# Same spelling, another thing, each said why.
ALLOWED = {
    ("terminal/wire/answers.py", "reversed"),  # a 2601 answer's rslt word: the platform's, read off the wire
}


def _literals(path: Path, words, context=None):
    quoted = re.compile(r"[\"'](" + "|".join(words) + r")[\"']")
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.lstrip().startswith("#") or (context is not None and not context.search(line)):
            continue
        for m in quoted.finditer(line):
            yield n, m.group(1), line.strip()


def test_state_names_are_spelled_only_in_the_state_module():
    found = []
    for top in TILL:
        for path in sorted((ROOT / top).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel == "terminal/states.py":
                continue
            hits = [*_literals(path, OWN), *_literals(path, SHARED, STATUS_CONTEXT)]
            found += [f"{rel}:{n}: {word!r}: {line}" for n, word, line in hits if (rel, word) not in ALLOWED]
    assert not found, "state names outside terminal/states.py:\n" + "\n".join(found)


# A string constant spelling a state's value, each said why it is another thing of the same spelling.
NOT_A_STATE = {
    ("terminal/wire/answers.py", "reversed"),    # a 2601 answer's rslt word: the platform's, read off the wire
    ("terminal/counter.py", "identified"),  # a log event's name
    ("ecpos/verify.py", "failed"),          # `ecpos verify --json`: a credential check's outcome, no sale
    ("ui/views/qt_record_view.py", "unknown"),  # a reconciliation field's name (its column header)
}
WORDS = {s.value for vocabulary in (states.SaleState, states.RefundState, states.Stage, states.DeskState,
                                    states.RequestState, states.ReturnState) for s in vocabulary} - {"ok", "refused"}
# ("ok" and "refused" are everyday words too: a message's level, a 追溯码 report's answer, a CLI status.)


def spelled_states(source: str) -> list[tuple[int, str]]:
    """(line, word) of each string constant in `source` that is a state's value; docstrings are prose."""
    tree = ast.parse(source)
    docs = {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    return sorted((node.lineno, node.value) for node in ast.walk(tree)
                  if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in WORDS
                  and id(node) not in docs)


def test_no_other_module_spells_a_state_value():
    """The AST's word: every string constant of the till's code that is a sale's, a refund's, a sale script's,
    a pushed bill's, a request's or a return's state, outside terminal/states.py (SQL binds the enum as a parameter, or is
    built from it)."""
    found = []
    for top in TILL:
        for path in sorted((ROOT / top).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel == "terminal/states.py":
                continue
            found += [f"{rel}:{n}: {word!r}" for n, word in spelled_states(path.read_text(encoding="utf-8"))
                      if (rel, word) not in NOT_A_STATE]
    assert not found, "state values spelled outside terminal/states.py:\n" + "\n".join(found)


def test_the_ast_sees_a_spelled_state_and_not_a_docstring():
    source = 'def f(s):\n    """Once settled, unknown."""\n    return s == "settled" or {"state": "quoting"}\n'
    assert spelled_states(source) == [(3, "quoting"), (3, "settled")]


def test_the_grep_sees_a_copy():
    # the check above is only worth something if it finds a spelled-out state where one is
    sample = ROOT / "build" / "states_sample.py"
    sample.parent.mkdir(exist_ok=True)
    sample.write_text('if sale["status"] == "pending" or s == \'settled\':\n    x = "unknown"\n', encoding="utf-8")
    try:
        words = [w for _, w, _ in _literals(sample, OWN)] + [w for _, w, _ in _literals(sample, SHARED, STATUS_CONTEXT)]
    finally:
        sample.unlink()
    assert sorted(words) == ["pending", "settled"]


def test_the_refund_states_are_the_refunds_own():
    # REFUND_TRANSITIONS once copied the sale's failed/cancelled/self_paid keys: a refund is never those
    assert {s.value for s in REFUND_TRANSITIONS} == {"queued", "unknown", "refunded", "failed"}
    assert set(SALE_TRANSITIONS) == set(SaleState)
    assert all(nxt <= set(RefundState) for nxt in REFUND_TRANSITIONS.values())
    assert RefundState.UNKNOWN.can_become(RefundState.QUEUED) and not RefundState.FAILED.can_become(RefundState.QUEUED)


def test_the_stored_text_is_the_same_word():
    c = sqlite3.connect(":memory:")
    c.execute("CREATE TABLE t(s TEXT)")
    c.execute("INSERT INTO t VALUES (?)", (SaleState.SELF_PAID,))
    assert c.execute("SELECT s, typeof(s) FROM t").fetchone() == ("self_paid", "text")
    assert states.sql_list(states.GONE) == "('failed','reversed','cancelled')"


@pytest.mark.parametrize("status, steps", [
    ("pending", {"quote", "confirm", "cancel"}), ("settled", {"refund"}), ("self_paid", {"refund"}),
    ("unknown", {"sync"}), ("refund_queued", {"sync"}), ("refunded", set()), ("nonsense", set())])
def test_allowed_steps(status, steps):
    assert allowed_steps(status) == steps


def test_the_agents_state_of_a_pushed_bill_is_the_journals_once_the_platform_has_its_sale():
    from terminal.states import DeskState as D, desk_state
    assert desk_state("waiting_for_code", None) == D.WAITING_FOR_CODE        # no sale yet: the agent's word
    assert desk_state("quoted", "pending") == D.QUOTED
    assert desk_state("quoted", "pending", settling=True) == D.SETTLING      # this process is sending it
    assert desk_state("quoted", "settled") == D.SETTLED                      # settled at the till's keys too
    assert desk_state("settling", "refund_queued") == D.SETTLED
    assert desk_state("quoted", "cancelled") == D.CANCELLED                  # let go by the cashier
    assert desk_state("quoted", "failed") == D.FAILED
    assert desk_state("waiting_for_code", "failed") == D.WAITING_FOR_CODE    # a refused code: waits for another
    assert desk_state("cancelled", "failed") == D.CANCELLED
