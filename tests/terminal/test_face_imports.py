"""The faces (ui/, agent/, ecpos/) reach the core through the sale script (terminal/checkout.py, over the
Counter) and a handful of public modules; what else they still import is listed below by name, face by face,
so the list can only shrink: a new reach into the core fails here, and so does an entry no longer needed."""
import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FACES = ("ui", "agent", "ecpos")
PUBLIC = {"checkout", "states", "config", "money", "errors", "office.reports", "sale.records", "logs", "sale.items",
          "returns"}  # returns: the script of bringing part of a sale back, over Checkout (issue 25)

# Still reached past the script (issue 22: the remodel is not finished). Each entry: the module, the faces
# that import it, and why it is still there.
REMAINING = {
    # the Counter itself: the pharmacy, clinic and kiosk screens (through ui/qt_session.py) and the agent's
    # Desk still drive its steps; the CLI builds one for Checkout
    "counter": {"agent/desk.py", "ecpos/commands.py", "ecpos/held.py", "ecpos/returns.py", "ui/qt_session.py"},
    # back office: catalogue, operators, shifts, tenders, the journal's own reading and the status bar's beat
    "sale.catalogue": {"ecpos/till.py", "ui/qt_app.py", "ui/views/qt_pharmacy_view.py", "ui/widgets/qt_bill_table.py",
                  "ui/widgets/qt_counter_features.py"},  # the pharmacy page's 挂单 part: a recalled line not listed
    "journal.operators": {"ecpos/commands.py", "ecpos/returns.py", "ecpos/till.py", "ui/demo/director.py"},
    "office.shifts": {"ecpos/till.py", "ui/qt_main_window.py"},
    "sale.tender": {"ecpos/commands.py", "ecpos/till.py", "ui/qt_main_window.py", "ui/widgets/qt_till_widgets.py",
               "ui/widgets/qt_split_tender.py"},  # the tender panel and its 组合支付 subclass build Tenders
    "journal.journal": {"agent/store.py", "ecpos/commands.py", "ecpos/till.py", "ui/demo/director.py"},
    "wire.heartbeat": {"ui/qt_session.py", "ui/views/qt_kiosk_view.py", "ui/widgets/qt_status_bar.py"},
    "wire.msgid_nodes": {"ui/qt_app.py"},
    "sale.session": {"ecpos/till.py"},
    "office.sync": {"ecpos/commands.py", "ui/views/qt_pharmacy_view.py"},
    # sale rules the screens still hold: the pharmacy view prints (receipt), the clinic and kiosk screens add
    # the registration fee line (kiosk); ecpos verify classifies a sample code (codes)
    "codes": {"ecpos/verify.py"},
    "sale.receipt": {"agent/desk.py", "ecpos/commands.py", "ui/views/qt_kiosk_view.py", "ui/views/qt_pharmacy_view.py"},
    "sale.kiosk": {"ui/views/qt_clinic_view.py", "ui/views/qt_kiosk_view.py"},
    # the counter's devices (issue 25): when the drawer opens and who opened it, what the customer display shows
    "sale.drawer": {"ecpos/commands.py", "ui/qt_counter_devices.py"},
    "sale.facing": {"ui/qt_counter_devices.py"},
    # ecpos verify checks a till's credential library and profile before it sells
    "ec.adapter": {"ecpos/verify.py"},
    "ec.credential": {"ecpos/verify.py"},
    "sale.flows": {"ecpos/verify.py"},
}


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
    beyond = {m: files for m, files in _reached().items() if m not in PUBLIC}
    new = {m: sorted(files - REMAINING.get(m, set())) for m, files in beyond.items()}
    assert not {m: f for m, f in new.items() if f}, "a face reaches into terminal/ past the script"
    stale = {m: sorted(files - beyond.get(m, set())) for m, files in REMAINING.items()}
    assert not {m: f for m, f in stale.items() if f}, "no longer imported: take it off REMAINING"


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
