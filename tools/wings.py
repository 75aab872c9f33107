"""The move of issue 22: terminal/'s flat modules go into wings, one folder per thing the core holds.

    python3 tools/wings.py --dry-run   # what would move and which files would change; touches nothing
    python3 tools/wings.py             # the move: git mv, every reference rewritten, the tree left to commit

Run it once, at the repository root, on a clean tree (it refuses a dirty tree, and a tree already moved).
Nothing is committed: look at `git status`, run the checks the last lines print, then commit.

What it does, in order:
 1. checks that every terminal/*.py is either FLAT or in one wing of WINGS (a module added since is named,
    and nothing is touched), and that no import goes against LAYERS (the wing of each import is named);
 2. `git mv terminal/X.py terminal/<wing>/X.py`; writes each new wing's __init__.py (its docstring only: a
    submodule is imported by name, `from terminal.office import shifts`, and nothing heavy runs on import);
 3. rewrites, in every tracked text file: `from terminal import a, b` statements (split per wing, aliases
    and a trailing comment kept), `terminal.X` (imports, mock / monkeypatch strings, `-m terminal.X`,
    import-linter names) and `terminal/X.py` paths (comments, docs, tests' paths);
 4. setup.cfg: the core-layers contract names each module by its wing (journal.audit), and a core-wings
    contract (LAYERS) says which wing may import which;
 5. tests/terminal/test_face_imports.py: PUBLIC and REMAINING name each module as wing.module;
 6. terminal/__init__.py's docstring, README's layout row of terminal/ (one row per wing) and a wings table
    in docs/core.md, from WINGS.
Module names do not change, so `journal.Journal`, `wire.JournaledClient` read the same after the move.
"""
from __future__ import annotations

import argparse
import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "terminal"

# Stay in terminal/ itself: the sale's script the faces use (checkout over the till's one counter) and the
# words every wing shares (a wing may import these, they import no wing).
FLAT = {
    "returns": "bringing back part of a sale: the partial refund's script, over checkout",
    "checkout": "one sale's script: what a face hands it and what it answers",
    "counter": "the till's one Counter: the facade over every wing (docs/core.md)",
    "config": "layered configuration: default.toml <- profile <- --config FILE <- environment",
    "errors": "typed errors: a key for logs, a Chinese message for the cashier",
    "logs": "structured logs, personal data masked on the way out",
    "money": "Decimal yuan, two places",
    "states": "the one word on a sale's and a refund's state",
    "codes": "what a scanned code is (the credential adapter, the catalogue and the sale read it)",
    "masking": "masking of ID numbers and names (logs, receipts, screens)",
}

# wing -> (its __init__ docstring, its modules). Chosen by what each module imports (the LAYERS below hold),
# not only by its name: operators' table is part of the journal's own schema (journal.py creates it), so it
# sits below its users.
WINGS = {
    "journal": (
        "The till's one SQLite file and what keeps it honest: the journal itself (schema, migrations, "
        "connections, queries), opening it safely (journal_guard), the append-only audit log and the keyed "
        "chain with its key files (audit, chain, tillkeys), the clock that stamps rows, owner-only files "
        "(privacy), what of a platform message may be journaled (redact), change capture for the fleet "
        "(replication), and the operators with their PINs (their table is part of the journal's schema).",
        ["journal", "journal_guard", "audit", "chain", "tillkeys", "clock", "privacy", "redact",
         "replication", "operators"]),
    "wire": (
        "Talking to the insurance platform: its HTTP client (platform) with the envelope and 国密 "
        "(envelope, gm), a gateway's extra signature (signing), the provincial variants (channels), msgids "
        "(msgid), what a request carries and what an answer means (messages, answers), journal-first calls (wire) and whether the platform "
        "answers now (heartbeat).",
        ["platform", "envelope", "gm", "signing", "channels", "msgid", "messages", "answers",
         "wire", "heartbeat"]),
    "ec": (None, []),  # the credential adapter: already a folder, its docstring its own
    "sale": (
        "One sale's rules, step by step with the platform: the flow of each profile (flows, workflow, "
        "workflow_pharmacy, workflow_clinic), identifying the patient (session), settling journal-first "
        "(settling), self-pay, refunds, the one store that writes sales, refunds and the outbox (sales), the "
        "bill and what it is made of (items, records, catalogue, lots), 追溯码 per "
        "box and their reports (trace, trace_store, trace_report), drugs sold against the buyer's ID "
        "(drug_register), tenders with a bill's discount (tender, adjust), bills parked and recalled (holds), "
        "the cash drawer's rules (drawer), what the patient sees (facing) and the receipt.",
        ["sales", "flows", "workflow", "workflow_pharmacy", "workflow_clinic", "session", "settling",
         "selfpay", "refunds", "items", "records", "catalogue", "lots", "trace", "trace_store",
         "trace_report", "drug_register", "tender", "adjust", "holds", "drawer", "facing", "receipt"]),
    "office": (
        "The back office, around and after the sales: shifts and their cash (shifts), reports and "
        "reconciliation with the platform (reports), sync, which resolves what the journal left open "
        "(unknown outcomes, queued refunds, abandoned sales), and the till's self-check that no other till "
        "shares its msgid node (msgid_nodes).",
        ["shifts", "reports", "sync", "msgid_nodes"]),
}

# Which part of terminal/ may import which (import-linter layers in the container terminal): a higher line
# imports only lower ones, names on one line ("|") never import each other.
LAYERS = [
    "returns",
    "checkout",
    "counter",
    "office",
    "sale | ec",
    "wire",
    "journal",
    "codes | config | logs",
    "errors | masking | money | states",
]

TEXT_SKIP = ("fleet/static/", "tools/wings.py", "tests/test_wings.py")
DOCS_MARK = "<!-- wings: tools/wings.py -->"


def where() -> dict[str, str]:
    """module -> its wing, for every module that moves."""
    return {m: w for w, (_, mods) in WINGS.items() for m in mods}


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout


def refuse(why: str) -> None:
    print(f"wings: {why}", file=sys.stderr)
    sys.exit(2)


# --- 1. checks before anything moves -------------------------------------------------------------------

def flat_modules() -> list[str]:
    return sorted(p.stem for p in CORE.glob("*.py") if p.stem != "__init__")


def imports_of(path: Path) -> set[str]:
    """The modules of terminal/ (flat names, or a package's name) a file imports."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and not node.level and (node.module or "").split(".")[0] == "terminal":
            parts = node.module.split(".")
            found |= {a.name for a in node.names} if len(parts) == 1 else {parts[1]}
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("terminal.")}
    return found


def check_layers(moves: dict[str, str]) -> list[str]:
    """Each import in terminal/ that LAYERS would refuse once the modules are in their wings."""
    rank = {name.strip(): i for i, line in enumerate(LAYERS) for name in line.split("|")}
    unit = lambda m: moves.get(m, m)  # noqa: E731  (a wing, or the flat module itself)
    wrong = []
    for path in sorted(CORE.rglob("*.py")):
        rel = path.relative_to(CORE).with_suffix("").parts
        src = unit(rel[0])
        for dep in imports_of(path):
            dst = unit(dep)
            if src == dst or src not in rank or dst not in rank:
                continue
            if rank[src] >= rank[dst]:
                wrong.append(f"terminal/{'/'.join(rel)}.py ({src}) imports {dep} ({dst})")
    return wrong


def preflight() -> dict[str, str]:
    moves = where()
    if any((CORE / w).is_dir() for w, (_, mods) in WINGS.items() if mods and w != "ec"):
        refuse("terminal/ is already in wings (a wing folder exists): the move runs once")
    flat = flat_modules()
    unknown = [m for m in flat if m not in moves and m not in FLAT]
    if unknown:
        refuse(f"not in FLAT or any wing of WINGS: {', '.join(unknown)} — add each to tools/wings.py first")
    gone = sorted(m for m in moves if m not in flat)
    if gone:
        refuse(f"in WINGS but not in terminal/: {', '.join(gone)} — take them off tools/wings.py")
    clash = sorted(set(FLAT) & set(moves))
    if clash:
        refuse(f"both FLAT and in a wing: {', '.join(clash)}")
    wrong = check_layers(moves)
    if wrong:
        refuse("these imports go against LAYERS (move a module or change LAYERS):\n  " + "\n  ".join(wrong))
    return moves


# --- 3. rewriting references ----------------------------------------------------------------------------

def dotted_and_paths(moves: dict[str, str]) -> re.Pattern:
    names = "|".join(sorted(moves, key=len, reverse=True))
    # not after a word, a dot or a slash: tests/terminal/x is another folder, foo.terminal another name
    return re.compile(rf"(?<![\w./\\-])terminal([./])({names})(?!\w)")


def rewrite_text(text: str, pattern: re.Pattern, moves: dict[str, str]) -> str:
    return pattern.sub(lambda m: f"terminal{m[1]}{moves[m[2]]}{m[1]}{m[2]}", text)


def split_import(names: list[tuple[str, str | None]], moves: dict[str, str]) -> list[str]:
    """`from terminal import a, b as c` as one statement per wing (the flat names first)."""
    groups: dict[str, list[str]] = {}
    for name, alias in names:
        spelled = f"{name} as {alias}" if alias else name
        groups.setdefault(moves.get(name, ""), []).append(spelled)
    lines = []
    for wing in sorted(groups, key=lambda w: (w != "", w)):
        head = f"from terminal{'.' + wing if wing else ''} import "
        line = head + ", ".join(groups[wing])
        if len(line) > 110:  # wrapped under its parenthesis, as the code around it does
            rows, row = [], ""
            for name in groups[wing]:
                if row and len(head) + 1 + len(row) + len(name) + 2 > 110:
                    rows.append(row + ",")
                    row = name
                else:
                    row = f"{row}, {name}" if row else name
            line = head + "(" + ("\n" + " " * (len(head) + 1)).join(rows + [row]) + ")"
        lines.append(line)
    return lines


def rewrite_imports(src: str, moves: dict[str, str], rel: str, notes: list[str]) -> str:
    """Every `from terminal import ...` statement that names a moved module, split per wing."""
    try:
        tree = ast.parse(src)
    except SyntaxError:
        return src
    lines = src.splitlines(keepends=True)
    edits = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.ImportFrom) and node.module == "terminal" and not node.level):
            continue
        if not any(a.name in moves for a in node.names):
            continue
        first, last = node.lineno - 1, node.end_lineno - 1
        head, tail = lines[first][:node.col_offset], lines[last][node.end_col_offset:]
        if head.strip() or (tail.strip() and not tail.strip().startswith("#")):
            notes.append(f"{rel}:{node.lineno}: an import sharing its line with other code, left as it was")
            continue
        if "#" in "".join(lines[first:last])[node.col_offset:]:
            notes.append(f"{rel}:{node.lineno}: a comment inside a multi-line import was dropped")
        comment = ("  " + tail.strip()) if tail.strip() else ""
        stmts = split_import([(a.name, a.asname) for a in node.names], moves)
        new = [f"{head}{s.replace(chr(10), chr(10) + head)}{comment if i == 0 else ''}\n"
               for i, s in enumerate(stmts)]
        edits.append((first, last, new))
    for first, last, new in sorted(edits, reverse=True):
        lines[first:last + 1] = new
    return "".join(lines)


def rewrite_import_lines(text: str, moves: dict[str, str], rel: str, notes: list[str]) -> str:
    """`from terminal import a, b` on a line of its own outside Python's own statements (a code block in
    the docs): one line per wing, same indent. In a .py file such a line is code in a string: named."""
    def split(m: re.Match) -> str:
        names = [(n.split(" as ")[0].strip(), (n.split(" as ")[1].strip() if " as " in n else None))
                 for n in m[2].split(",")]
        if not any(n in moves for n, _ in names):
            return m[0]
        if rel.endswith(".py"):
            notes.append(f"{rel}: `{m[0].strip()}` in a string: rewrite it by hand")
            return m[0]
        return "\n".join(m[1] + s for s in split_import(names, moves))
    return re.sub(r"(?m)^([ \t]*)from terminal import ([\w ,]+?)[ \t]*$", split, text)


def realign(src: str, moves: dict[str, str]) -> str:
    """The continuation lines of a parenthesised `from terminal.<wing>.X import (...)` under its parenthesis
    again, where they were under it before the wing's name made the line longer."""
    try:
        tree = ast.parse(src)
    except SyntaxError:
        return src
    lines = src.splitlines(keepends=True)
    for node in ast.walk(tree):
        if not (isinstance(node, ast.ImportFrom) and (node.module or "").startswith("terminal.")
                and node.end_lineno > node.lineno and "(" in lines[node.lineno - 1]):
            continue
        parts = node.module.split(".")
        if len(parts) < 3 or moves.get(parts[2]) != parts[1]:
            continue
        col = lines[node.lineno - 1].index("(") + 1
        was = col - len(parts[1]) - 1
        for i in range(node.lineno, node.end_lineno):
            text = lines[i].lstrip(" ")
            if len(lines[i]) - len(text) == was:
                lines[i] = " " * col + text
    return "".join(lines)


def text_files() -> list[str]:
    out = []
    for rel in git("ls-files", "-z").split("\0"):
        if not rel or rel.startswith(TEXT_SKIP) or rel in TEXT_SKIP:
            continue
        path = ROOT / rel
        if not path.is_file() or path.stat().st_size > 1_000_000:
            continue
        data = path.read_bytes()
        if b"\0" in data:
            continue
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        out.append(rel)
    return out


# --- 4. setup.cfg's import-linter contracts -------------------------------------------------------------

def rewrite_contracts(text: str, moves: dict[str, str]) -> str:
    """In every layers contract whose container is terminal, a moved module is named as wing.module; the
    core-wings contract (LAYERS) is added after the core-layers one."""
    sections = re.split(r"(?m)^(?=\[)", text)
    out = []
    for sec in sections:
        if re.search(r"(?m)^containers\s*=\s*\n\s+terminal\s*$", sec):
            head, sep, rest = sec.partition("\nlayers =\n")
            if sep:
                body = re.match(r"((?:[ \t]+\S.*\n?)*)", rest)
                layers = re.sub(r"\b(\w+)\b", lambda m: f"{moves[m[1]]}.{m[1]}" if m[1] in moves else m[1],
                                body.group(1))
                sec = head + sep + layers + rest[body.end():]
        out.append(sec)
        if sec.startswith("[importlinter:contract:core-layers]"):
            block = "\n".join(f"    {line}" for line in LAYERS)
            out.append("# The wings of terminal/ (tools/wings.py) and its flat modules: each imports only what is\n"
                       "# on a lower line; the core-layers contract above orders the modules inside each wing.\n"
                       "[importlinter:contract:core-wings]\n"
                       "name = terminal/'s wings depend one way (the script -> office -> sale, ec -> wire -> journal)\n"
                       "type = layers\ncontainers =\n    terminal\nlayers =\n" + block + "\n\n")
    return "".join(out)


# --- 5. the faces' imports test ---------------------------------------------------------------------------

def rewrite_face_test(text: str, moves: dict[str, str]) -> str:
    """PUBLIC's and REMAINING's names: "shifts" -> "office.shifts"."""
    return re.sub(r'"(\w+)"', lambda m: f'"{moves[m[1]]}.{m[1]}"' if m[1] in moves else m[0], text)


# --- 6. docs ------------------------------------------------------------------------------------------------

def summary(wing: str) -> str:
    doc = WINGS[wing][0] or (CORE / wing / "__init__.py").read_text(encoding="utf-8")
    doc = ast.get_docstring(ast.parse(doc)) if doc.lstrip().startswith('"""') else doc
    return " ".join(doc.split())


def wing_init(wing: str) -> str:
    doc, _ = WINGS[wing]
    words, lines, line = doc.split(), [], ""
    for w in words:
        if len(line) + len(w) + 1 > 110:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}" if line else w
    lines.append(line)
    return '"""' + "\n".join(lines) + '"""\n'


def core_docstring() -> str:
    return ('"""The core of ecpos: no Qt, no hardware. The faces use the sale\'s script (checkout.py over the\n'
            "till's one counter.py; returns.py for part of a sale) and the words every part shares (config,\n"
            "errors, logs, money, states, codes, masking); the rest is in wings, one folder per thing the core\n"
            "holds: " + ", ".join(f"{w}/" for w in WINGS) + ". Which wing may import which: setup.cfg, contract\n"
            'core-wings (tools/wings.py made the folders)."""\n')


def rewrite_core_init(text: str) -> str:
    tree = ast.parse(text)
    body = tree.body
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
        lines = text.splitlines(keepends=True)
        return core_docstring() + "".join(lines[body[0].end_lineno:])
    return core_docstring() + text


def readme_rows() -> str:
    rows = []
    for wing in WINGS:
        rows.append(f"| `terminal/{wing}/` | {summary(wing)} |")
    return "\n".join(rows) + "\n"


def rewrite_readme(text: str) -> str:
    m = re.search(r"(?m)^\| `terminal/` \|.*\n", text)
    if not m:
        return text
    row = ("| `terminal/` | the core, no Qt, no hardware ([docs/core.md](docs/core.md)): the sale's script the faces "
           "use (`checkout.py` over the till's one `counter.py`; `returns.py` for part of a sale) and the words "
           "every part shares (`config`, `errors`, `logs`, `money`, `states`, `codes`, `masking`); the rest in one "
           "folder per wing, below (which wing may import which: `setup.cfg`, contract `core-wings`) |\n")
    return text[:m.start()] + row + readme_rows() + text[m.end():]


def rewrite_core_md(text: str) -> str:
    if DOCS_MARK in text:
        return text
    table = [DOCS_MARK, "### The folders", "",
             "`terminal/` keeps the script (`checkout.py`, `counter.py`) and the words every part shares flat; the "
             "rest is in one folder per wing. Each imports only what is on a lower line (`setup.cfg`, contracts "
             "`core-wings` and, module by module, `core-layers`):", "",
             "```", *LAYERS, "```", "",
             "| folder | holds |", "|---|---|",
             *(f"| `terminal/{w}/` | {summary(w)} |" for w in WINGS), "", ""]
    # after the drawing of the wings when the page has one, else before its first section
    m = re.search(r"(?ms)^## [^\n]*[Ww]ings[^\n]*\n.*?^```[^\n]*\n.*?^```[ \t]*\n\n?", text)
    at = m.end() if m else (re.search(r"(?m)^## ", text) or re.search(r"\Z", text)).start()
    return text[:at] + "\n".join(table) + text[at:]


# --- the run --------------------------------------------------------------------------------------------------

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dry-run", action="store_true", help="say what would change; touch nothing")
    args = ap.parse_args(argv)
    if git("status", "--porcelain", "--untracked-files=no").strip() and not args.dry_run:
        refuse("the tree has uncommitted changes: commit or drop them first (the move must be all it holds)")
    moves = preflight()
    for wing, (_, mods) in WINGS.items():
        if mods:
            print(f"terminal/{wing}/: {', '.join(mods)}")
    print(f"terminal/ (flat): {', '.join(sorted(FLAT))}")

    pattern = dotted_and_paths(moves)
    notes: list[str] = []
    changed: dict[str, str] = {}
    for rel in text_files():
        path = ROOT / rel
        before = path.read_text(encoding="utf-8")
        # dotted names and paths first: the split imports below say `terminal.<wing>`, which must stay so
        after = rewrite_text(before, pattern, moves)
        if rel.endswith(".py"):
            after = realign(rewrite_imports(after, moves, rel, notes), moves)
        after = rewrite_import_lines(after, moves, rel, notes)
        if rel == "setup.cfg":
            after = rewrite_contracts(after, moves)
        elif rel == "tests/terminal/test_face_imports.py":
            after = rewrite_face_test(after, moves)
        elif rel == "terminal/__init__.py":
            after = rewrite_core_init(after)
        elif rel == "README.md":
            after = rewrite_readme(after)
        elif rel == "docs/core.md":
            after = rewrite_core_md(after)
        if after != before:
            changed[rel] = after
    for note in notes:
        print(f"note: {note}")
    if args.dry_run:
        print(f"would move {len(moves)} modules into {sum(1 for _, m in WINGS.values() if m)} wings and rewrite "
              f"{len(changed)} files:")
        print("  " + "\n  ".join(sorted(changed)))
        return 0

    for rel, text in changed.items():
        (ROOT / rel).write_text(text, encoding="utf-8")
    for wing, (doc, mods) in WINGS.items():
        if not mods:
            continue
        folder = CORE / wing
        folder.mkdir(exist_ok=True)
        init = folder / "__init__.py"
        if not init.exists():
            init.write_text(wing_init(wing), encoding="utf-8")
            git("add", str(init.relative_to(ROOT)))
        for m in mods:
            git("mv", f"terminal/{m}.py", f"terminal/{wing}/{m}.py")
    git("add", "-u")
    print(f"moved {len(moves)} modules into {sum(1 for _, m in WINGS.values() if m)} wings; rewrote "
          f"{len(changed)} files (staged, not committed):")
    print("  " + "\n  ".join(sorted(changed)))
    print("now: make setup && .venv/bin/lint-imports && python3 ../shared/tools/import_cycles.py . terminal && "
          "QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest -q -x tests/test_wings.py tests/terminal tests/ui; "
          "then git commit")
    return 0


if __name__ == "__main__":
    sys.exit(main())
