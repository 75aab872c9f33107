"""Decoding benchmark: single decoders vs the chain on seeded phone-screen frames.

    python bench/decode.py [--seed 1] [--frames 240] [--select] [--steps a:b,c:d]

Prints success % (frames with a code read right / frames with a code), false decodes (a wrong text, or
any text on a frame without a code), median and p95 ms per frame, for zxing-cpp, pyzbar, OpenCV alone
and for drivers.decoders.DecoderChain; then checks the goal: chain >= union of the singles, zero false
decodes, chain median <= 1.5x zxing's. --select measures every decoder x preprocessing step and prints
the greedy order (most new reads per ms first) that DEFAULT_STEPS was chosen from.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import cv2  # noqa: E402

import phone_frames  # noqa: E402
from drivers import decoders  # noqa: E402

SINGLES = ("zxing", "zbar", "opencv")


def p95(xs):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]


def judge(texts, expected):
    """(read right, false decode) for one frame."""
    right = expected is not None and expected in texts
    false = any(t != expected for t in texts)
    return right, false


class Tally:
    def __init__(self, name):
        self.name, self.ms, self.hits, self.false = name, [], set(), 0
        self.false_at = set()

    def add(self, i, texts, expected, ms):
        right, false = judge(texts, expected)
        self.ms.append(ms)
        if right:
            self.hits.add(i)
        if false:
            self.false += 1
            self.false_at.add(i)

    def row(self, with_code, only=None):
        """One table row, over all frames or over the frame indices in `only`."""
        idx = range(len(self.ms)) if only is None else sorted(only)
        ms = [self.ms[i] for i in idx]
        hits = len(self.hits if only is None else self.hits & set(only))
        false = len(self.false_at if only is None else self.false_at & set(only))
        return (f"{self.name:<22} {100 * hits / max(with_code, 1):6.1f} % "
                f"{false:6d} {statistics.median(ms):9.2f} {p95(ms):9.2f}")


def timed(fn, *args):
    t = time.perf_counter()
    out = fn(*args)
    return out, (time.perf_counter() - t) * 1000


def run(frame_iter, chain, candidates=()):
    """Decode every frame; frames are generated one at a time (hundreds of HD frames would take a GB)."""
    frames = []
    singles = {n: Tally(n) for n in SINGLES if n in decoders.DECODERS}
    chain_t = Tally("chain")
    steps = {s: Tally(s) for s in candidates}
    by_kind = {}
    for i, f in enumerate(frame_iter):
        frames.append(phone_frames.Frame(None, f.text, f.kind, f.size))
        for name, t in singles.items():
            fn = decoders.DECODERS[name]
            texts, ms = timed(lambda img: fn(decoders.gray(img)), f.image)
            t.add(i, texts, f.text, ms)
        found, ms = timed(chain.decode, f.image)
        chain_t.add(i, [d.text for d in found], f.text, ms)
        by_kind.setdefault(f.kind, [0, 0])
        by_kind[f.kind][0] += 1
        by_kind[f.kind][1] += i in chain_t.hits
        if steps:
            g = decoders.gray(f.image)
            for name, t in steps.items():
                texts, ms = timed(decoders.step_function(name), g)
                t.add(i, texts, f.text, ms)
    return frames, singles, chain_t, steps, by_kind


def greedy(steps, n_frames):
    """Order steps by new reads per ms spent on the frames still unread; stop when none adds a read."""
    covered, order = set(), []
    remaining = dict(steps)
    while remaining:
        def value(t):
            new = len(t.hits - covered)
            cost = statistics.mean(ms for i, ms in enumerate(t.ms) if i not in covered) or 1e-3
            return new / cost, new, cost
        name, t = max(remaining.items(), key=lambda kv: value(kv[1]))
        gain, new, cost = value(t)
        if new == 0:
            break
        order.append((name, new, cost))
        covered |= t.hits
        del remaining[name]
    return order, covered


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--frames", type=int, default=240, help="frames, half 640x480, half 1280x720")
    ap.add_argument("--select", action="store_true", help="measure every step, print the greedy order")
    ap.add_argument("--steps", help="comma-separated chain steps instead of DEFAULT_STEPS")
    args = ap.parse_args(argv)
    cv2.setNumThreads(1)  # one core per measurement, as on the busy till PC
    chain = decoders.DecoderChain(args.steps.split(",") if args.steps else None)
    candidates = ([f"{d}:{p}" for d in decoders.DECODERS for p in decoders.PREPROCESS]
                  if args.select else ())
    t0 = time.perf_counter()
    frames, singles, chain_t, steps, by_kind = run(phone_frames.frames(args.seed, args.frames), chain,
                                                   candidates)
    with_code = sum(f.text is not None for f in frames)
    wall = time.perf_counter() - t0
    print(f"{len(frames)} frames (seed {args.seed}; {with_code} with a code, "
          f"{len(frames) - with_code} without), 640x480 + 1280x720; chain: {','.join(chain.steps)}")
    union = set().union(*(t.hits for t in singles.values()))
    for size in sorted({f.size for f in frames}, key=len):
        only = {i for i, f in enumerate(frames) if f.size == size}
        n = sum(frames[i].text is not None for i in only)
        print(f"{size:<22} {'read':>8} {'false':>6} {'median ms':>9} {'p95 ms':>9}")
        for t in (*singles.values(), chain_t):
            print("  " + t.row(n, only))
        print(f"  {'union of singles':<22} {100 * len(union & only) / n:6.1f} %")
    print(f"{'all':<22} {'read':>8} {'false':>6} {'median ms':>9} {'p95 ms':>9}")
    for t in singles.values():
        print("  " + t.row(with_code))
    print(f"  {'union of singles':<22} {100 * len(union) / with_code:6.1f} %")
    print("  " + chain_t.row(with_code))
    empty = [chain_t.ms[i] for i, f in enumerate(frames) if f.text is None]
    if empty:
        print(f"chain on frames without a code (every step runs): median {statistics.median(empty):.1f} ms")
    print("chain by kind: " + ", ".join(f"{k} {h}/{n}" for k, (n, h) in by_kind.items()))
    if steps:
        print(f"\nper step ({len(steps)} candidates):")
        for t in sorted(steps.values(), key=lambda t: -len(t.hits)):
            print("  " + t.row(with_code))
        order, covered = greedy(steps, len(frames))
        print("greedy order (step, new reads, mean ms on unread frames):")
        for name, new, cost in order:
            print(f"  {name:<20} +{new:<4d} {cost:7.2f}")
        print(f"greedy chain reads {len(covered)}/{with_code}")
    zx = statistics.median(singles["zxing"].ms) if "zxing" in singles else float("nan")
    med = statistics.median(chain_t.ms)
    ok = chain_t.hits >= union and chain_t.false == 0 and med <= 1.5 * zx
    print(f"\nSUMMARY chain {100 * len(chain_t.hits) / with_code:.1f}% (union of singles "
          f"{100 * len(union) / with_code:.1f}%, zxing {100 * len(singles['zxing'].hits) / with_code:.1f}%)"
          f" false {chain_t.false} median {med:.2f} ms = {med / zx:.2f}x zxing p95 {p95(chain_t.ms):.1f} ms"
          f" -> goal {'MET' if ok else 'NOT MET'} ({wall:.0f} s)")
    print(f"rerun: .venv/bin/python bench/decode.py --seed {args.seed} --frames {args.frames}"
          + (" --select" if args.select else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
