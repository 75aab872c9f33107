"""退一盒 benchmark: 医保 returns through an in-process Counter against a local reference service.

    python bench/returns.py [--returns 30]

Each round settles a two-line pharmacy sale (code in -> settled), brings one box back (returns.start: the
guards, the whole settlement's 2103 and its 3506, forwarded at once) and settles the kept lines again with the
code shown again (returns.resettle: 1162/1101, 2101, 2102, 3505, the hand-back). Prints median and p95 ms of the
sale, of the return's start (and of the supervisor's PIN check in it, slow on purpose) and of its
re-settlement, and the platform requests per round. Goal: a whole return (start + resettle, less the PIN
check) within 3 sales' time, measured in the same run.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import requests  # noqa: E402

from settle import p95, start_sim  # noqa: E402
from terminal import config, returns  # noqa: E402
from terminal.office import operators
from terminal.sale import refunds
from terminal.counter import Counter, Item  # noqa: E402

ITEMS = [Item("XA01", "阿莫西林胶囊", Decimal("3"), Decimal("12.50")),
         Item("XA02", "布洛芬缓释胶囊", Decimal("1"), Decimal("20.00"))]
GOAL = 3.0  # a whole return within this many sales' time


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--returns", type=int, default=30)
    args = ap.parse_args()
    sale, start, resettle, pin = [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_sim(Path(tmp) / "sim.db")
        try:
            http = requests.Session()
            people = [p for p in http.get(url + "/admin/persons").json()
                      if p["status"] == "active" and p["insuplc_admdvs"] == "320100"]
            cfg = config.load(profile="pharmacy", data_dir=Path(tmp) / "till", center_url=url,
                              env={"ECPOS_CREDENTIAL_ADAPTER": "http"})
            with Counter(cfg) as c:
                operators.add(c.journal, "c1", "cashier", "2468")
                operators.add(c.journal, "s1", "supervisor", "9753")
                code = lambda p: http.post(url + "/admin/code", json={"psn_no": p["psn_no"]}).json()["code"]  # noqa: E731
                for n in range(args.returns + 1):  # the first round warms up (sign-in) and is not counted
                    person = people[n % len(people)]
                    t0 = time.perf_counter()
                    s = c.settle(c.presettle(c.identify(code(person)), ITEMS))
                    t1 = time.perf_counter()
                    r = returns.start(c, s.setl_id, returns.parse_picks(["1:1"]), "顾客退一盒", "c1", "s1", "9753")
                    t2 = time.perf_counter()
                    done = returns.resettle(c, r.id, code(person), cashier="c1")
                    t3 = time.perf_counter()
                    refunds.check_supervisor(c.journal, "s1", "9753", "bench")  # what start spends on the PIN
                    t4 = time.perf_counter()
                    assert done.state == returns.DONE, done
                    if n:
                        sale.append((t1 - t0) * 1000)
                        start.append((t2 - t1) * 1000)
                        resettle.append((t3 - t2) * 1000)
                        pin.append((t4 - t3) * 1000)
                sent = c.journal.query("SELECT infno, COUNT(*) n FROM requests GROUP BY infno ORDER BY infno")
        finally:
            proc.terminate()
            proc.wait(10)
    rounds = args.returns + 1
    med = statistics.median
    per_return = ", ".join(f"{r['infno']}×{r['n'] / rounds:g}" for r in sent if r["infno"] not in ("9001",))
    print(f"{args.returns} returns (one box of a two-line sale), Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} cpu; requests per round (sale + return): {per_return}")
    print(f"{'':>10} {'median':>8} {'p95':>8}   ms")
    for name, xs in (("sale", sale), ("start", start), ("  PIN", pin), ("resettle", resettle)):
        print(f"{name:>10} {med(xs):8.1f} {p95(xs):8.1f}")
    whole = med(start) + med(resettle)
    ours = whole - med(pin)  # the supervisor's PIN hash is slow on purpose (terminal/journal/operators.py)
    print(f"SUMMARY return {whole:.0f} ms, {ours:.0f} ms without the supervisor's PIN check = "
          f"{ours / med(sale):.1f} sales (goal <= {GOAL:g})")
    return 0 if ours <= GOAL * med(sale) else 1


if __name__ == "__main__":
    sys.exit(main())
