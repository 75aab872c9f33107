"""Imports at the top of a module unless a comment says why (issue 22). A function-level import stays for an
import cycle, an optional or platform-only dependency, an order that matters, or a heavy import that every
`ecpos` command would otherwise pay for (ecpos/main.py imports every command module to build its parser).
The comment is on the import's line or just above it (one comment may head a block of imports).

LEFT counts, per package, the blocks of function-level imports still without one: it may only go down. Hoist one or
say why, and lower the number here."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LEFT = {"drivers": 0, "fleet": 0, "simulator": 0, "agent": 0, "cmdline": 0, "ecpos": 0, "terminal": 0, "ui": 0}


def unexplained(top: str, root: Path = ROOT) -> list[str]:
    """The blocks of function-level imports (statements on consecutive lines) with no comment on a line of
    the block or just above it, each named by its first line. A block, not a statement: `from terminal
    import a, b` counts as much as the same names split over two lines (tools/wings.py splits per wing)."""
    found = []
    for path in sorted((root / top).rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        tree = ast.parse("\n".join(lines))
        spans = sorted({(n.lineno, n.end_lineno) for f in ast.walk(tree)
                        if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
                        for n in ast.walk(f) if isinstance(n, (ast.Import, ast.ImportFrom))})
        blocks: list[list[tuple[int, int]]] = []
        for span in spans:
            if blocks and span[0] == blocks[-1][-1][1] + 1:
                blocks[-1].append(span)
            else:
                blocks.append([span])
        for block in blocks:
            first, last = block[0][0], block[-1][1]
            above = lines[first - 2].strip() if first > 1 else ""
            if not above.startswith("#") and not any("#" in line for line in lines[first - 1:last]):
                found.append(f"{path.relative_to(root).as_posix()}:{first}: {lines[first - 1].strip()}")
    return found


def test_function_level_imports_say_why():
    over = {}
    for top, limit in LEFT.items():
        found = unexplained(top)
        if len(found) > limit:
            over[top] = (f"{len(found)} > {limit}", found)
    assert not over, f"an import inside a function without a comment saying why (hoist it, or say why): {over}"


def test_the_rule_sees_what_it_should(tmp_path):
    # an import under a comment, in a block under one, on a commented line, after one, at the top, and bare
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "m.py").write_text(
        "import top\n\ndef f():\n    # why: heavy\n    import a\n    import b\n\n    import c\n"
        "def g():\n    import d  # why: cycle\n    import e\n", encoding="utf-8")
    assert unexplained("pkg", tmp_path) == ["pkg/m.py:8: import c"]
    # a bare block counts once, however many statements it holds
    (tmp_path / "pkg" / "m.py").write_text("def h():\n    import a\n    import b\n", encoding="utf-8")
    assert unexplained("pkg", tmp_path) == ["pkg/m.py:2: import a"]
