"""The faces (ui/, agent/, ecpos/) reach the core through the sale script (terminal/checkout.py, over the
Counter) and a handful of public modules (issue 22): a new reach into the core past them fails here, and so
does a face that drives the Counter's sale steps itself instead of through the Checkout."""
import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FACES = ("ui", "agent", "ecpos")
# The doors a face may use (issue 22): the script (checkout over the till's one Counter; returns), the words every
# part shares (states, errors, money, config, logs), the data the script takes and gives (records, items, tender),
# and the back office a face shows (office/: shifts, reports, sync, ...). A face calls none of the Counter's sale
# steps itself (test below): those go through the Checkout.
PUBLIC = {"checkout", "counter", "returns", "states", "errors", "money", "config", "logs",
          "sale.records", "sale.items", "sale.tender"}
PUBLIC_WINGS = {"office"}

# The Counter's steps of one sale: a face asks the Checkout for them, which keeps the sale's stage and rules.
SALE_STEPS = {"identify", "identify_card", "register", "checked_bill", "presettle", "settle", "cancel",
              "record_tender", "collect", "self_pay", "trace_bill"}


def _module(dotted: str) -> str:
    """The core module a dotted name below terminal/ reaches: a flat one ("counter"), or one of a wing
    ("office.shifts"); the wing itself ("ec") for a name its __init__ holds."""
    first, _, rest = dotted.partition(".")
    sub = rest.split(".")[0]
    return f"{first}.{sub}" if sub and (ROOT / "terminal" / first / f"{sub}.py").exists() else first


def _reached() -> dict[str, set[str]]:
    uses: dict[str, set[str]] = defaultdict(set)
    for top in FACES:
        for path in sorted((ROOT / top).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = []
                if isinstance(node, ast.ImportFrom) and (node.module or "").partition(".")[0] == "terminal":
                    below = node.module.partition(".")[2]
                    names = ([f"{below}.{a.name}" if below else a.name for a in node.names]
                             if not below or "." not in below else [below])
                elif isinstance(node, ast.Import):
                    names = [a.name.partition(".")[2] for a in node.names if a.name.startswith("terminal.")]
                for name in names:
                    uses[_module(name)].add(rel)
    return uses


def test_faces_reach_the_core_through_the_script_and_public_modules():
    beyond = {m: files for m, files in _reached().items()
              if m not in PUBLIC and m.partition(".")[0] not in PUBLIC_WINGS}
    assert beyond == {}, "a face reaches into terminal/ past the doors"


def test_the_script_is_what_the_faces_settle_through():
    reached = _reached()
    assert {"ecpos/commands.py", "agent/desk.py", "ui/views/qt_journal_view.py",
            "ui/views/qt_pharmacy_view.py"} <= reached["checkout"]


def test_no_private_name_is_imported_across_modules():
    # drivers/printer.py once imported terminal.sale.receipt._center: a private name is a module's own business
    ours = ("terminal", "drivers", "ui", "agent", "ecpos", "fleet", "simulator", "cmdline")
    found = []
    for top in ours:
        for path in sorted((ROOT / top).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in ours:
                    found += [f"{path.relative_to(ROOT).as_posix()}: {node.module}.{a.name}" for a in node.names
                              if a.name.startswith("_") and not a.name.startswith("__")]
    assert not found, found


def _counter_steps() -> dict[str, set[str]]:
    """file -> the Counter sale steps it calls on something named counter (`counter.settle(`,
    `self.counter.presettle(`, `self._counter.cancel(`)."""
    def named_counter(node) -> bool:
        name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
        return "counter" in name.lower()

    found: dict[str, set[str]] = defaultdict(set)
    for top in FACES:
        for path in sorted((ROOT / top).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr in SALE_STEPS and named_counter(node.func.value)):
                    found[path.relative_to(ROOT).as_posix()].add(node.func.attr)
    return found


def test_faces_take_a_sale_s_steps_through_the_checkout():
    found = _counter_steps()
    assert found == {}, "a face drives the Counter's steps itself: use the Checkout"


def test_the_steps_check_sees_a_face_driving_the_counter(tmp_path, monkeypatch):
    face = tmp_path / "ui"
    face.mkdir()
    (face / "v.py").write_text("def f(self, q):\n    self._counter.settle(q)\n    sale.settle(q)\n", encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert _counter_steps() == {"ui/v.py": {"settle"}}
