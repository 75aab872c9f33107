"""terminal/ in wings (issue 22): tools/wings.py moves the flat modules into one folder per thing the core
holds. Before the move (terminal/journal.py still flat) only the first test runs: the move is ready, every
module has a wing and no import goes against its layers. After it, the layout is checked."""
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "terminal"
spec = importlib.util.spec_from_file_location("wings", ROOT / "tools" / "wings.py")
wings = importlib.util.module_from_spec(spec)
spec.loader.exec_module(wings)

MOVED = not (CORE / "journal.py").exists()
after_the_move = pytest.mark.skipif(not MOVED, reason="terminal/ not in wings yet (python3 tools/wings.py)")


def run(*args):
    return subprocess.run([sys.executable, str(ROOT / "tools" / "wings.py"), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(MOVED, reason="terminal/ is in wings already")
def test_the_move_is_ready():
    # a module added to terminal/ without a wing, or an import against LAYERS, is named here, not at the move
    r = run("--dry-run")
    assert r.returncode == 0, r.stderr
    assert "would move" in r.stdout and "note:" not in r.stdout, r.stdout


@after_the_move
def test_the_move_runs_once():
    r = run("--dry-run")
    assert r.returncode == 2 and "already in wings" in r.stderr


@after_the_move
def test_each_wing_says_what_it_holds():
    for wing in wings.WINGS:
        init = CORE / wing / "__init__.py"
        doc = init.read_text(encoding="utf-8").lstrip()
        assert doc.startswith('"""') and len(doc.split('"""')[1].split()) > 5, f"terminal/{wing}/: no docstring"


@after_the_move
def test_no_module_is_left_flat_but_the_public_ones():
    flat = {p.stem for p in CORE.glob("*.py")} - {"__init__"}
    assert flat <= set(wings.FLAT), sorted(flat - set(wings.FLAT))
    misplaced = [f"{m} not in terminal/{w}/" for m, w in wings.where().items() if not (CORE / w / f"{m}.py").exists()]
    assert not misplaced, misplaced
