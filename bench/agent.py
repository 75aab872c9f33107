"""Agent API benchmark: a real `ecpos agent` process and the reference service on loopback.

    python bench/agent.py [--gets 2000] [--sales 100] [--threads 4]

Prints requests per second of GET /v1/sales/{id} (one keep-alive client, then --threads clients at once),
and the added latency of a pharmacy sale through the API (POST /v1/sales with the code, then confirm) against
the same sale in process (Counter.identify, presettle, settle), interleaved against the same service so both
see the same load. A third column runs the agent's adapter (agent.desk.Desk) in process too, to split what
the API adds into the adapter's bookkeeping (journal rows) and HTTP between processes; last, the same two
requests to a bare FastAPI app whose steps only wait as long (bench/bare_step.py): what HTTP, uvicorn and the
thread pool cost on this machine before any work of ours. Goal: < 5 ms added per sale, median.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from agent.desk import Desk  # noqa: E402
from agent.process import AgentProcess  # noqa: E402
from terminal import config, logs  # noqa: E402
from terminal.counter import Counter, Item  # noqa: E402

GOAL_MS = 5.0
LINES = [{"code": "XA01", "name": "阿莫西林胶囊", "qty": "2", "price": "12.50"},
         {"code": "XB02", "name": "布洛芬缓释胶囊", "qty": "1", "price": "18.80"}]


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


def commit_ms(folder: Path) -> float:
    """Median of 50 one-row SQLite commits (WAL, synchronous=FULL) in folder: what each journal write costs
    on this disk now (the adapter adds two per sale; a busy shared disk makes them slow)."""
    import sqlite3
    c = sqlite3.connect(folder / "commit.db", isolation_level=None)
    c.execute("PRAGMA journal_mode=WAL")
    c.execute("PRAGMA synchronous=FULL")
    c.execute("CREATE TABLE t(x)")
    ts = []
    for i in range(50):
        t0 = time.perf_counter()
        c.execute("BEGIN IMMEDIATE")
        c.execute("INSERT INTO t VALUES (?)", (i,))
        c.execute("COMMIT")
        ts.append((time.perf_counter() - t0) * 1000)
    c.close()
    return statistics.median(ts)


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def gets(url: str, headers: dict, sid: str, n: int, threads: int) -> float:
    """GET /v1/sales/{sid} n times over `threads` keep-alive clients; requests per second."""
    per = n // threads
    done = threading.Barrier(threads + 1)

    def worker():
        with httpx.Client(base_url=url, headers=headers) as c:
            c.get(f"/v1/sales/{sid}").raise_for_status()  # connect outside the clock
            done.wait()
            for _ in range(per):
                c.get(f"/v1/sales/{sid}").raise_for_status()
            done.wait()
    ts = [threading.Thread(target=worker) for _ in range(threads)]
    for t in ts:
        t.start()
    done.wait()
    t0 = time.perf_counter()
    done.wait()
    elapsed = time.perf_counter() - t0
    for t in ts:
        t.join()
    return per * threads / elapsed


def floor_ms(url: str, headers: dict, n: int = 300) -> float:
    """Median round trip of a request that does nothing (confirm of a sale that does not exist: 404 through
    the same route, token check and thread pool): what each of a sale's requests costs at least here."""
    with httpx.Client(base_url=url, headers=headers) as c:
        ts = []
        for _ in range(n):
            t0 = time.perf_counter()
            c.post("/v1/sales/s_none/confirm")
            ts.append((time.perf_counter() - t0) * 1000)
    return statistics.median(ts[n // 10:])


def framework_floor_ms(quote_ms: float, settle_ms: float, n: int = 100) -> float:
    """Median time two requests to a bare FastAPI app (bench/bare_step.py) add beyond waiting as long as the
    sale's two steps wait: what HTTP, uvicorn and the thread pool cost here before any work of ours."""
    proc = subprocess.Popen([sys.executable, str(ROOT / "bench" / "bare_step.py")], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, cwd=ROOT)
    try:
        port = int(proc.stdout.readline())
        xs = []
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as c:
            for _ in range(n):
                t0 = time.perf_counter()
                c.post(f"/step/{quote_ms:.3f}")
                t1 = time.perf_counter()
                c.post(f"/step/{settle_ms:.3f}")
                t2 = time.perf_counter()
                xs.append((t2 - t0) * 1000 - quote_ms - settle_ms)
        return statistics.median(xs[n // 10:])
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gets", type=int, default=2000)
    ap.add_argument("--sales", type=int, default=100)
    ap.add_argument("--threads", type=int, default=4)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        sim, url = start_sim(tmp / "sim.db")
        layer = tmp / "agent.toml"
        layer.write_text(f'[center]\nurl = "{url}"\n[credential]\nadapter = "http"\n[devices]\nscanner = "none"\n'
                         f'[institution]\nmsgid_node = 1\n', encoding="utf-8")
        agent = AgentProcess(layer, tmp / "agent-data", "bench-token", log=tmp / "agent.err").start()
        try:
            admin = httpx.Client(base_url=url)
            people = [p for p in admin.get("/admin/persons").json()
                      if p["status"] == "active" and p["insuplc_admdvs"] == "320100"]

            def code(n: int) -> str:
                return admin.post("/admin/code", json={"psn_no": people[n % len(people)]["psn_no"]}).json()["code"]

            cfg = config.load(profile="pharmacy", data_dir=tmp / "inproc-data", center_url=url,
                              env={"ECPOS_CREDENTIAL_ADAPTER": "http"})
            cfg.data_dir.mkdir(parents=True, exist_ok=True)
            logs.to_file(cfg.data_dir / "ecpos.log")  # as `ecpos agent` and the app do: a fair comparison logs too
            counter = Counter(cfg)
            layer2 = tmp / "desk.toml"
            layer2.write_text("[institution]\nmsgid_node = 2\n", encoding="utf-8")
            desk = Desk(config.load(profile="pharmacy", config_file=layer2, data_dir=tmp / "desk-data", center_url=url,
                                    env={"ECPOS_CREDENTIAL_ADAPTER": "http"}))
            items = [Item(x["code"], x["name"], Decimal(x["qty"]), Decimal(x["price"])) for x in LINES]
            api, local, adapter, quotes, settles = [], [], [], [], []
            cpu_agent = cpu_local = 0.0  # CPU time per sale does not grow with the machine's load
            with httpx.Client(base_url=agent.url, headers=agent.headers, timeout=60) as c:
                sid = ""
                for n in range(args.sales + 1):  # the first of each warms up (sign-in) and is not counted
                    qr = code(3 * n)
                    c0 = cpu_s(agent.proc.pid)
                    t0 = time.perf_counter()
                    r = c.post("/v1/sales", json={"external_id": f"B{n}", "items": LINES, "qr": qr},
                               headers={"Idempotency-Key": f"bench-{n}"})
                    sid = r.json()["sale_id"]
                    done = c.post(f"/v1/sales/{sid}/confirm").json()
                    t_api = time.perf_counter() - t0
                    c_api = cpu_s(agent.proc.pid) - c0
                    if done["state"] != "settled":
                        raise SystemExit(f"API sale not settled: {done}")
                    qr = code(3 * n + 1)
                    t0, c0 = time.perf_counter(), time.thread_time()
                    quote = counter.presettle(counter.identify(qr), items)
                    t_quoted = time.perf_counter()
                    counter.settle(quote)
                    t_local, c_local = time.perf_counter() - t0, time.thread_time() - c0
                    t_quote, t_settle = t_quoted - t0, t0 + t_local - t_quoted
                    qr = code(3 * n + 2)
                    t0 = time.perf_counter()
                    view, _ = desk.create(f"bench-{n}", {"external_id": f"D{n}", "items": [dict(x) for x in LINES],
                                                         "qr": qr})
                    desk.confirm(view["sale_id"])
                    t_desk = time.perf_counter() - t0
                    if n:
                        api.append(t_api * 1000)
                        local.append(t_local * 1000)
                        quotes.append(t_quote * 1000)
                        settles.append(t_settle * 1000)
                        adapter.append(t_desk * 1000)
                        cpu_agent += c_api
                        cpu_local += c_local
            counter.close()
            desk.close()
            logs.close_file()
            commit = commit_ms(tmp)
            floor = floor_ms(agent.url, agent.headers)
            framework = framework_floor_ms(statistics.median(quotes), statistics.median(settles))
            one = gets(agent.url, agent.headers, sid, args.gets, 1)
            many = gets(agent.url, agent.headers, sid, args.gets, args.threads)
        finally:
            agent.stop()
            sim.terminate()
            sim.wait(10)
    med = statistics.median
    added = [a - b for a, b in zip(api, local)]
    by_adapter = [a - b for a, b in zip(adapter, local)]
    print(f"ecpos agent on loopback, Python {sys.version.split()[0]}, {os.cpu_count()} cpu, load average "
          f"{os.getloadavg()[0]:.1f}; a journal commit here costs {commit:.2f} ms median")
    print(f"GET /v1/sales/{{id}}: {one:,.0f} req/s one client, {many:,.0f} req/s with {args.threads} clients "
          f"({args.gets} requests each)")
    print(f"a request that does nothing (404 through the confirm route): {floor:.2f} ms round trip median")
    print(f"{args.sales} pharmacy sales each way (identify via http, 2101, 2102), interleaved:")
    print(f"{'':>26} {'median':>8} {'p95':>8}   ms")
    for name, xs in (("through the API", api), ("in process (Counter)", local), ("adapter in process (Desk)", adapter),
                     ("added by the API", added), ("  of which the adapter", by_adapter)):
        print(f"{name:>26} {med(xs):8.2f} {p95(xs):8.2f}")
    n = len(api)
    print(f"CPU per sale: the agent process {cpu_agent / n * 1000:.2f} ms, the same sale in process "
          f"{cpu_local / n * 1000:.2f} ms (the API's own work: {(cpu_agent - cpu_local) / n * 1000:.2f} ms)")
    print(f"a bare FastAPI app whose two steps only wait as long (bench/bare_step.py) adds {framework:.2f} ms: "
          f"HTTP, uvicorn and the thread pool on this machine; the agent adds "
          f"{med(api) - med(local) - framework:.2f} ms beyond it")
    ok = med(api) - med(local) < GOAL_MS
    print(f"SUMMARY agent: GET {one:,.0f} req/s (x{args.threads}: {many:,.0f}); a sale adds "
          f"{med(api) - med(local):.2f} ms median through the API (goal < {GOAL_MS:.0f} ms: {'met' if ok else 'NOT met'}; "
          f"commit {commit:.2f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
