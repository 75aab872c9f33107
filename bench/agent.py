"""Agent API benchmark: a real `ecpos agent` process and the reference service on loopback.

    python bench/agent.py [--gets 2000] [--sales 100] [--threads 4] [--history 20000]

Prints requests per second of GET /v1/sales/{id} (one keep-alive caller, then --threads callers at once),
and the added latency of a pharmacy sale through the API (POST /v1/sales with the code, then confirm) against
the same sale in process (Counter.identify, presettle, settle), interleaved against the same service so all
see the same load. Goal: < 5 ms added per sale, median.

The caller is the standard library's http.client on one keep-alive connection (`Thin`): the least an HTTP
library adds, as the native clients a HIS uses (.NET, Java, WinHTTP) add little. The same sales through httpx
are timed too, since its own work is not small: after each wait for the platform it adds ~0.5 ms per request
here (measured against the same bare app). A third column runs the agent's adapter (agent.desk.Desk) in
process, to split what the API adds into the adapter's bookkeeping and HTTP between processes; last, the same
two requests to a bare FastAPI app whose steps only wait as long (bench/bare_step.py): what HTTP, uvicorn and
the thread pool cost on this machine before any work of ours. Every round runs each way once, and what the API
adds is taken sale by sale against the in-process sale of the same round (paired), so the machine's drift
between rounds (large on a shared two-vCPU VM) does not land in one column only.

The agent's journal starts with --history settled sales pushed through the API (a busy pharmacy's months),
so what grows with the journal is measured too: a terminal is not benchmarked on its first day only.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

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


class Thin:
    """A keep-alive JSON caller on http.client: post/get return (status, parsed body)."""

    def __init__(self, url: str, headers: dict | None = None):
        u = urlsplit(url)
        self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        self.headers = {"Content-Type": "application/json", **(headers or {})}

    def post(self, path: str, body: dict | None = None, headers: dict | None = None) -> tuple[int, dict]:
        return self._call("POST", path, b"" if body is None else json.dumps(body).encode(), headers)

    def get(self, path: str) -> tuple[int, dict]:
        return self._call("GET", path, None, None)

    def _call(self, method, path, data, headers):
        self.conn.request(method, path, body=data, headers={**self.headers, **(headers or {})})
        r = self.conn.getresponse()
        return r.status, json.loads(r.read() or b"null")

    def close(self) -> None:
        self.conn.close()


class Httpx(Thin):
    """The same calls through an httpx.Client."""

    def __init__(self, url: str, headers: dict | None = None):
        self.client = httpx.Client(base_url=url, headers=headers, timeout=60)

    def _call(self, method, path, data, headers):
        r = self.client.request(method, path, content=data, headers={"Content-Type": "application/json",
                                                                       **(headers or {})})
        return r.status_code, r.json() if r.content else None

    def close(self) -> None:
        self.client.close()


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


def fill_history(cfg, n: int) -> float:
    """n settled sales, as pushed bills, in the journal of cfg's data dir (through the journal's own
    connection: its chain triggers sign every sale row); seconds it took."""
    from terminal.journal.journal import Journal
    t0 = time.perf_counter()
    j = Journal.for_config(cfg)
    bill = json.dumps({"external_id": "H", "items": LINES}, ensure_ascii=False)
    with j.tx() as c:
        for i in range(n):
            day = f"2026-{1 + i * 11 // max(n, 1):02d}-{1 + i % 28:02d}"
            sale = c.execute(
                "INSERT INTO sales(profile, opter, pid, created_at, day, status, status_at, psn_no, insutype,"
                " mdtrt_id, setl_id, msgid, medfee_sumamt, fund_pay_sumamt, acct_pay, psn_cash_pay, setl_time,"
                " items) VALUES ('pharmacy','0001',1,?,?,'settled',?,?,'310',?,?,?,'43.80','30.66','13.14','0.00',?,?)",
                (day + "T10:00:00", day, day + "T10:00:01", f"P{i % 500:05d}", f"M{i}", f"S{i}", f"H{i}",
                 day + " 10:00:01", json.dumps(LINES, ensure_ascii=False))).lastrowid
            c.execute("INSERT INTO agent_sales(id, external_id, profile, bill, state, sale_id, pid, created_at,"
                      " updated_at) VALUES (?,?,'pharmacy',?,'settled',?,1,?,?)",
                      (f"s_h{i:018d}", f"H{i}", bill, sale, day + "T10:00:00", day + "T10:00:01"))
    j.close()
    return time.perf_counter() - t0


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
        c = Thin(url, headers)
        assert c.get(f"/v1/sales/{sid}")[0] == 200  # connect outside the clock
        done.wait()
        for _ in range(per):
            if c.get(f"/v1/sales/{sid}")[0] != 200:
                raise SystemExit("GET failed")
        done.wait()
        c.close()
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
    c = Thin(url, headers)
    ts = []
    for _ in range(n):
        t0 = time.perf_counter()
        c.post("/v1/sales/s_none/confirm")
        ts.append((time.perf_counter() - t0) * 1000)
    c.close()
    return statistics.median(ts[n // 10:])


def start_bare() -> tuple[subprocess.Popen, str]:
    """bench/bare_step.py running: a bare FastAPI app whose one route only waits in the thread pool."""
    proc = subprocess.Popen([sys.executable, str(ROOT / "bench" / "bare_step.py")], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, cwd=ROOT)
    return proc, f"http://127.0.0.1:{int(proc.stdout.readline())}"


def bare_sale(c: Thin, quote_ms: float, settle_ms: float) -> float:
    """Two requests to the bare app that wait as long as a sale's two steps waited: the ms they add beyond
    the waits, what HTTP, uvicorn and the thread pool cost here before any work of ours."""
    t0 = time.perf_counter()
    c.post(f"/step/{quote_ms:.3f}")
    c.post(f"/step/{settle_ms:.3f}")
    return (time.perf_counter() - t0) * 1000 - quote_ms - settle_ms


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gets", type=int, default=2000)
    ap.add_argument("--sales", type=int, default=100)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--history", type=int, default=20000, help="settled sales in the agent's journal at start")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        sim, url = start_sim(tmp / "sim.db")
        layer = tmp / "agent.toml"
        layer.write_text(f'[center]\nurl = "{url}"\n[credential]\nadapter = "http"\n[devices]\nscanner = "none"\n'
                         f'[institution]\nmsgid_node = 1\n', encoding="utf-8")
        filled = fill_history(config.load(profile="pharmacy", config_file=layer, data_dir=tmp / "agent-data"),
                              args.history)
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
            bare, bare_url = start_bare()
            callers = {"thin": Thin(agent.url, agent.headers), "httpx": Httpx(agent.url, agent.headers)}
            bares = {"thin": Thin(bare_url), "httpx": Httpx(bare_url)}
            # Each sale's own numbers, and what each API sale adds to the in-process sale of the same round
            # (a paired design: the machine's drift between rounds falls out of the difference).
            t = {k: [] for k in ("thin", "httpx", "local", "desk")}
            added = {k: [] for k in ("thin", "httpx", "desk", "bare thin", "bare httpx")}
            # CPU time per sale does not grow with the machine's load; both sides count every thread of their
            # process (the deadline timers, the chain head's syncer), nothing else runs in this one meanwhile
            cpu_agent = cpu_local = 0.0
            sid = ""
            for n in range(args.sales + 1):  # the first round warms up (sign-in) and is not counted
                took = {}
                for k, (name, c) in enumerate(callers.items()):
                    body = {"external_id": f"{name}{n}", "items": LINES, "qr": code(4 * n + k)}
                    c0 = cpu_s(agent.proc.pid)
                    t0 = time.perf_counter()
                    made = c.post("/v1/sales", body, {"Idempotency-Key": f"bench-{name}-{n}"})
                    sid = made[1]["sale_id"]
                    done = c.post(f"/v1/sales/{sid}/confirm")
                    took[name] = (time.perf_counter() - t0) * 1000
                    if (made[0], done[0], done[1]["state"]) != (201, 200, "settled"):
                        raise SystemExit(f"API sale not settled: {made} {done}")
                    if n and name == "thin":
                        cpu_agent += cpu_s(agent.proc.pid) - c0
                qr = code(4 * n + 2)
                t0, c0 = time.perf_counter(), time.process_time()
                quote = counter.presettle(counter.identify(qr), items)
                t_quoted = time.perf_counter()
                counter.settle(quote)
                t1, c_local = time.perf_counter(), time.process_time() - c0
                took["local"] = (t1 - t0) * 1000
                quote_ms, settle_ms = (t_quoted - t0) * 1000, (t1 - t_quoted) * 1000
                qr = code(4 * n + 3)
                t0 = time.perf_counter()
                view, _ = desk.create(f"bench-{n}", {"external_id": f"D{n}", "items": [dict(x) for x in LINES],
                                                     "qr": qr})
                desk.confirm(view["sale_id"])
                took["desk"] = (time.perf_counter() - t0) * 1000
                floors = {f"bare {name}": bare_sale(c, quote_ms, settle_ms) for name, c in bares.items()}
                if n:
                    for k in t:
                        t[k].append(took[k])
                    for k in ("thin", "httpx", "desk"):
                        added[k].append(took[k] - took["local"])
                    for k, v in floors.items():
                        added[k].append(v)
                    cpu_local += c_local
            for c in (*callers.values(), *bares.values()):
                c.close()
            bare.terminate()
            bare.wait(10)
            counter.close()
            desk.close()
            logs.close_file()
            commit = commit_ms(tmp)
            floor = floor_ms(agent.url, agent.headers)
            one = gets(agent.url, agent.headers, sid, args.gets, 1)
            many = gets(agent.url, agent.headers, sid, args.gets, args.threads)
        finally:
            agent.stop()
            sim.terminate()
            sim.wait(10)
    med = statistics.median
    print(f"ecpos agent on loopback, Python {sys.version.split()[0]}, {os.cpu_count()} cpu, load average "
          f"{os.getloadavg()[0]:.1f}; a journal commit here costs {commit:.2f} ms median")
    print(f"GET /v1/sales/{{id}}: {one:,.0f} req/s one caller, {many:,.0f} req/s with {args.threads} callers "
          f"({args.gets} requests each, http.client)")
    print(f"the agent's journal held {args.history:,} settled sales at start (filled in {filled:.1f} s)")
    print(f"a request that does nothing (404 through the confirm route): {floor:.2f} ms round trip median")
    print(f"{args.sales} rounds of pharmacy sales (identify via http, 2101, 2102), each way once a round:")
    print(f"{'':>44} {'median':>8} {'p95':>8}   ms")
    rows = (("through the API, http.client caller", t["thin"]), ("through the API, httpx caller", t["httpx"]),
            ("in process (Counter)", t["local"]), ("the agent's adapter in process (Desk)", t["desk"]),
            ("added by the API (http.client), paired", added["thin"]),
            ("added by the API (httpx), paired", added["httpx"]),
            ("  of which the adapter (Desk - Counter)", added["desk"]),
            ("a bare FastAPI app's two waits add (http.client)", added["bare thin"]),
            ("a bare FastAPI app's two waits add (httpx)", added["bare httpx"]))
    for name, xs in rows:
        print(f"{name:>44} {med(xs):8.2f} {p95(xs):8.2f}")
    n = len(t["local"])
    print(f"CPU per sale: the agent process {cpu_agent / n * 1000:.2f} ms, the same sale in process "
          f"{cpu_local / n * 1000:.2f} ms (the API's own work: {(cpu_agent - cpu_local) / n * 1000:.2f} ms)")
    print(f"beyond the bare app (HTTP, uvicorn and the thread pool on this machine) the agent adds "
          f"{med(added['thin']) - med(added['bare thin']):.2f} ms (http.client caller)")
    got = med(added["thin"])
    print(f"SUMMARY agent: GET {one:,.0f} req/s (x{args.threads}: {many:,.0f}); a sale adds {got:.2f} ms "
          f"median through the API (goal < {GOAL_MS:.0f} ms: {'met' if got < GOAL_MS else 'NOT met'}; "
          f"{med(added['httpx']):.2f} ms with httpx as the caller; commit {commit:.2f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
