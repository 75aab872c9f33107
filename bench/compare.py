"""Before and after in one run: benches at an older revision and in this checkout, alternately.

    python bench/compare.py --before REV [--rounds 5] [-v] settle agent ['settle --sales 100' ...]

Each bench argument is a bench's name and its own arguments (quoted as one). REV is checked out in a temporary
`git worktree add --detach` (removed after) that shares this checkout's .venv (the same interpreter runs both
sides) and build/ (a symlink; only the library adapter reads it). Each side runs its own copy of the bench: the
benches follow the modules they import (bench/agent.py's Journal moved with issue 22's wings), so today's copy
may not import on an older tree. Rounds alternate the sides and which goes first (AB BA AB ...), so the
machine's drift and warm-up fall on both. Each run's SUMMARY line is printed as it ends (-v: all it prints);
then, per measure, each side's median over the rounds and after/before as the median of the rounds' own ratios
(the two runs of a round are seconds apart, so a load that comes and goes cancels out), with their range.
`cpu s` is a run's CPU time with every process it waited for (the service, the agent): the measure a loaded
machine moves least. Last a one-line verdict per bench, on its first measure.
"""
from __future__ import annotations

import argparse
import os
import re
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# What a bench prints that is compared: (measure, pattern of its number, lower is better); the first one is the
# verdict's. Any other bench is compared on its wall and CPU seconds only.
MEASURES = {
    "settle": [("sale ms", r"code-in -> settled\s+([\d.]+)", True),
               ("our own code ms", r"our own code\s+([\d.]+)", True),
               ("journal ms", r"of which journal\s+([\d.]+)", True)],
    "agent": [("API sale ms", r"through the API, http\.client caller\s+([\d.]+)", True),
              ("in-process sale ms", r"in process \(Counter\)\s+([\d.]+)", True),
              ("added by the API ms", r"a sale adds ([\d.]+) ms", True),
              ("agent CPU ms/sale", r"CPU per sale: the agent process ([\d.]+) ms", True),
              ("GET req/s", r"([\d,]+) req/s one caller", False)],
}
# Two runs of the same code on this shared VM differ by a few percent even when paired; within this much
# after/before says "no slower", beyond it "SLOWER" only if every round says so (a load that comes and goes
# makes single rounds swing both ways by half or more).
SAME = 1.05


def parse(bench: str, out: str) -> dict[str, float]:
    """The numbers of MEASURES[bench] in a run's output; ValueError naming the measure a changed bench lost."""
    got = {}
    for name, pattern, _ in MEASURES.get(bench, []):
        m = re.search(pattern, out)
        if not m:
            raise ValueError(f"{bench}: no {name!r} in its output (pattern {pattern!r})")
        got[name] = float(m.group(1).replace(",", ""))
    return got


def paired(before: list[float], after: list[float]) -> list[float]:
    """after/before of each round."""
    return [a / b for b, a in zip(before, after)]


def run(tree: Path, argv: list[str], timeout: float) -> tuple[dict[str, float], str]:
    """One run of tree's bench/<argv[0]>.py: its measures (wall s, cpu s and the parsed ones) and its output."""
    env = {**os.environ, "PYTHONPATH": str(tree), "QT_QPA_PLATFORM": "offscreen"}  # the tree's own modules
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, str(tree / "bench" / f"{argv[0]}.py"), *argv[1:]], cwd=tree, env=env,
                       capture_output=True, text=True, timeout=timeout)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode:
        raise SystemExit(f"{' '.join(argv)} in {tree} failed (exit {p.returncode}):\n{p.stdout[-3000:]}"
                         f"{p.stderr[-3000:]}")
    cpu = r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime
    return {"wall s": wall, "cpu s": cpu, **parse(argv[0], p.stdout)}, p.stdout


def git(*args: str) -> str:
    p = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)
    if p.returncode:
        raise SystemExit(f"git {' '.join(args)}: {p.stderr.strip()}")
    return p.stdout.strip()


@contextmanager
def worktree(rev: str):
    with tempfile.TemporaryDirectory(prefix="ecpos-before-") as tmp:
        tree = Path(tmp) / "tree"
        git("worktree", "add", "--detach", "--quiet", str(tree), rev)
        try:
            if (ROOT / "build").is_dir():
                (tree / "build").symlink_to(ROOT / "build")
            yield tree
        finally:
            git("worktree", "remove", "--force", str(tree))


def report(key: str, sides: dict[str, list[dict[str, float]]]) -> str:
    """Print the table of one bench's runs; return its verdict line."""
    bench, n = key.split()[0], len(sides["after"])
    print(f"\n{key}: median of {n} rounds{'' if n > 1 else ' (one round: no range)'}")
    print(f"{'':>22} {'before':>10} {'after':>10} {'after/before':>13}  range")
    lower = {name: low for name, _, low in MEASURES.get(bench, [])}
    for m in sides["after"][0]:
        b, a = [r[m] for r in sides["before"]], [r[m] for r in sides["after"]]
        ratios = paired(b, a)
        note = "" if lower.get(m, True) else "  (higher is better)"
        print(f"{m:>22} {statistics.median(b):10.2f} {statistics.median(a):10.2f} "
              f"{statistics.median(ratios):13.2f}  {min(ratios):.2f}-{max(ratios):.2f}{note}")
    first = MEASURES[bench][0][0] if bench in MEASURES else "wall s"
    ratios = paired([r[first] for r in sides["before"]], [r[first] for r in sides["after"]])
    ratio, slower = statistics.median(ratios), sum(r > 1 for r in ratios)
    word = ("no slower" if ratio <= SAME else "SLOWER" if slower == n > 2  # every round, and more than two
            else "unclear, the rounds disagree: rerun on a quieter machine or with more rounds")
    return (f"{key}: after/before = {ratio:.2f} ({first}, median of {n} paired rounds, range {min(ratios):.2f}-"
            f"{max(ratios):.2f}, after slower in {slower}): {word}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", required=True, help="the revision to compare against (a commit, tag or branch)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--timeout", type=float, default=1800, help="seconds one bench run may take")
    ap.add_argument("-v", "--verbose", action="store_true", help="print each run's whole output")
    ap.add_argument("benches", nargs="+", help="e.g. settle agent 'settle --sales 100'")
    args = ap.parse_args()
    benches = [shlex.split(b) for b in args.benches]
    for argv in benches:
        if not (ROOT / "bench" / f"{argv[0]}.py").is_file():
            ap.error(f"no bench/{argv[0]}.py")
    rev = git("rev-parse", "--short", args.before)
    dirty = " + uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else ""
    print(f"before: {rev} {git('log', '-1', '--format=%s', rev)[:80]}")
    print(f"after:  this checkout, {git('rev-parse', '--short', 'HEAD')}{dirty}")
    print(f"{args.rounds} rounds, sides alternating; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cpu")
    runs = {" ".join(argv): {"before": [], "after": []} for argv in benches}
    with worktree(rev) as tree:
        trees = {"before": tree, "after": ROOT}
        for n in range(args.rounds):
            for argv in benches:
                for side in ("before", "after") if n % 2 == 0 else ("after", "before"):
                    got, out = run(trees[side], argv, args.timeout)
                    runs[" ".join(argv)][side].append(got)
                    summary = [line for line in out.splitlines() if line.startswith("SUMMARY")]
                    print(f"round {n + 1} {side:>6}: {summary[-1] if summary else ' '.join(argv)} "
                          f"[{got['wall s']:.1f} s, cpu {got['cpu s']:.1f} s]", flush=True)
                    if args.verbose:
                        print(out, flush=True)
    verdicts = [report(key, sides) for key, sides in runs.items()]
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end")
    print("\n".join(verdicts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
