"""Settlement benchmark: headless pharmacy sales through an in-process Counter against a local simulator.

    python bench/settle.py [--sales 200] [--adapter http|library] [--seed 1]
    python bench/settle.py --each-way-ms 20 [--sales 30]

The second form puts a gateway on a slow link in front of the service (bench/slowlink.py: TLS, 20 ms each way)
and settles sales alternately through two tills, one opening a connection per request ([center]
keepalive_idle = 0) and one keeping connections alive, and prints the wall time of a sale for each.

For each sale (code in -> settled: identify, 2101, 2102) prints median and p95 milliseconds of the whole
sale, of the time spent waiting on the service (HTTP exchanges with the platform and, for the http adapter,
the credential query), of our own share (the rest), and of the journal (write transactions, fsync included);
and the journal commits per sale: synced (fsync: the settlement's request and its answer) and all.
Goals: at most 3 synced commits per pharmacy sale; our share at most 1/4 of the time spent waiting on the
service, measured in the same run.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from terminal import config  # noqa: E402
from terminal.counter import Counter, Item  # noqa: E402

MAX_SYNCED = 3        # fully synced journal commits per pharmacy sale
MAX_SHARE = 0.25      # our own time / time waiting on the service


def p95(xs):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]


def start_sim(db: Path) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "ecpos", "sim", "serve", "--port", "0", "--db", str(db)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT)
    line = proc.stdout.readline().decode().strip()
    if not line.startswith("listening on "):
        proc.kill()
        raise SystemExit(f"simulator did not start: {line!r}")
    return proc, line.split()[-1]


def _time_library(counter: Counter) -> None:
    """Count the library's ec.query round trip as waiting on the service (the http adapter's 1162 goes
    through the journaled client, which counts it already)."""
    transport = counter.adapter.transport
    trans = transport.trans

    def timed(request):
        t0 = time.perf_counter()
        try:
            return trans(request)
        finally:
            counter.client.wait_seconds += time.perf_counter() - t0

    transport.trans = timed


def _items(rng: random.Random) -> list[Item]:
    return [Item("XA01", "阿莫西林胶囊", Decimal(rng.randint(1, 3)), Decimal("12.50")),
            Item("XB02", "布洛芬缓释胶囊", Decimal("1"), Decimal(f"{rng.randint(100, 999)}") / 100)]


def slow_link(args) -> int:
    """Close vs keep-alive through a TLS gateway N ms away, in one run (sales alternate between the tills)."""
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_sim(Path(tmp) / "sim.db")
        link = subprocess.Popen([sys.executable, str(ROOT / "bench" / "slowlink.py"), "--upstream", url,
                                 "--each-way-ms", str(args.each_way_ms), "--cert", tmp],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT)
        try:
            front = link.stdout.readline().decode().split()[-1]
            ca = link.stdout.readline().decode().split()[-1]
            http = requests.Session()
            people = [p for p in http.get(url + "/admin/persons").json()
                      if p["status"] == "active" and p["insuplc_admdvs"] == "320100"]
            tills = {}
            for node, (name, keep) in enumerate((("close", 0), ("keep-alive", 4))):
                site = Path(tmp) / f"{name}.toml"  # two tills of one institution: their own msgid node each
                site.write_text(f'[institution]\nmsgid_node = {node}\n[center]\nca_bundle = "{ca}"\n'
                                f'keepalive_idle = {keep}\n', encoding="utf-8")
                cfg = config.load(config_file=site, profile="pharmacy", data_dir=Path(tmp) / name,
                                  center_url=front, env={"ECPOS_CREDENTIAL_ADAPTER": "http"})
                tills[name] = (Counter(cfg), [])
            for n in range(args.sales + 1):  # the first round warms up (sign-in) and is not counted
                for name, (counter, walls) in tills.items():
                    code = http.post(url + "/admin/code", json={"psn_no": people[n % len(people)]["psn_no"]}).json()
                    t0 = time.perf_counter()
                    counter.settle(counter.presettle(counter.identify(code["code"]), _items(rng)))
                    if n:
                        walls.append((time.perf_counter() - t0) * 1000)
            sent = {name: c.journal.query("SELECT infno, COUNT(*) n FROM requests GROUP BY infno")
                    for name, (c, _) in tills.items()}
            for counter, _ in tills.values():
                counter.close()
        finally:
            link.terminate()
            link.wait(10)
            proc.terminate()
            proc.wait(10)
    med = statistics.median
    per_sale = ", ".join(f"{r['infno']}" for r in sent["close"] if r["n"] > 1)
    print(f"{args.sales} pharmacy sales per till ({per_sale} each) through TLS with "
          f"{args.each_way_ms:g} ms each way, Python {sys.version.split()[0]}, {os.cpu_count()} cpu")
    print(f"{'':>12} {'median':>8} {'p95':>8}   ms per sale (code in -> settled)")
    for name, (_, walls) in tills.items():
        print(f"{name:>12} {med(walls):8.1f} {p95(walls):8.1f}")
    close, keep = med(tills["close"][1]), med(tills["keep-alive"][1])
    print(f"SUMMARY settle over a {args.each_way_ms:g} ms link: close {close:.0f} ms/sale, keep-alive {keep:.0f} "
          f"ms/sale ({close - keep:.0f} ms = {(close - keep) / close:.0%} saved)")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sales", type=int, default=None)
    ap.add_argument("--adapter", choices=("http", "library"), default="http")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--each-way-ms", "--rtt-ms", type=float, default=0.0,
                    help="compare close and keep-alive through a TLS gateway this many ms away (each way)")
    args = ap.parse_args()
    if args.each_way_ms > 0:
        args.sales = args.sales or 30
        return slow_link(args)
    args.sales = args.sales or 200
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_sim(Path(tmp) / "sim.db")
        try:
            cfg = config.load(profile="pharmacy", data_dir=Path(tmp) / "data", center_url=url,
                              env={"ECPOS_CREDENTIAL_ADAPTER": args.adapter})
            http = requests.Session()
            people = [p for p in http.get(url + "/admin/persons").json()
                      if p["status"] == "active" and p["insuplc_admdvs"] == "320100"]
            counter = Counter(cfg)
            if args.adapter == "library":
                _time_library(counter)
            totals, waits, ours, journal, synced, commits = [], [], [], [], [], []
            for n in range(args.sales + 1):  # the first sale warms up (sign-in, adapter) and is not counted
                person = people[n % len(people)]
                code = http.post(url + "/admin/code", json={"psn_no": person["psn_no"]}).json()["code"]
                items = _items(rng)
                j = counter.journal
                w0, j0, s0, c0 = counter.client.wait_seconds, j.seconds, j.synced, j.commits
                t0 = time.perf_counter()
                counter.settle(counter.presettle(counter.identify(code), items))
                t = time.perf_counter() - t0
                if n == 0:
                    continue
                w = counter.client.wait_seconds - w0
                totals.append(t * 1000)
                waits.append(w * 1000)
                ours.append((t - w) * 1000)
                journal.append((j.seconds - j0) * 1000)
                synced.append(j.synced - s0)
                commits.append(j.commits - c0)
            counter.close()
        finally:
            proc.terminate()
            proc.wait(10)
    med = statistics.median
    print(f"{args.sales} pharmacy sales (identify via {args.adapter}, 2101, 2102), Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} cpu")
    print(f"{'':>22} {'median':>8} {'p95':>8}   ms")
    for name, xs in (("code-in -> settled", totals), ("waiting on service", waits), ("our own code", ours),
                     ("  of which journal", journal)):
        print(f"{name:>22} {med(xs):8.2f} {p95(xs):8.2f}")
    share = sum(ours) / sum(totals)
    ratio = sum(ours) / sum(waits)
    worst_synced = max(synced)
    print(f"our share of the sale {share:.0%} (service {1 - share:.0%}); ours / waiting on the service "
          f"{ratio:.2f} (goal <= {MAX_SHARE:.2f}); journal {med(journal):.2f} ms/sale median")
    print(f"journal commits per sale: {med(synced):.0f} synced (max {worst_synced}, goal <= {MAX_SYNCED}), "
          f"{med(commits):.0f} in all (the others reach the WAL without waiting for the disk)")
    ok = ratio <= MAX_SHARE and worst_synced <= MAX_SYNCED
    print(f"SUMMARY settle: median {med(totals):.1f} ms/sale, service {med(waits):.1f} ms, ours {med(ours):.2f} ms "
          f"= {ratio:.2f} of the service's (goal <= {MAX_SHARE:.2f}), {med(synced):.0f} synced commits/sale "
          f"(goal <= {MAX_SYNCED}): {'met' if ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
