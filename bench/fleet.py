"""Fleet benchmark on a throwaway PostgreSQL cluster (Debian postgresql 15, as the tests start it).

    python bench/fleet.py [--tills 100] [--sales 1000] [--big 1000000] [--cost-sales 1500]

1. push: --tills journals of --sales settled sales each (a sale = an insert and an update, as at the
   counter), all pushed at once (4 processes x tills/4 threads, one connection per till); prints changes/s and
   sales/s from the first connect to the last commit, then checks every sale arrived exactly once.
2. reports over --big sales (built in PostgreSQL with generate_series: 100 tills, 100 days, 1 % refunded):
   `fleet stats` over all of it and over 30 days, and the database part of `fleet reconcile` for a day (3201
   totals + the settlements 5203 then asks about, one HTTP call each, not timed here), median of 5, with the
   plan's access path to show the indexes at work; and `fleet money` for a day (the manager's page). Goal: < 1 s
   each.
3. the push's cost on a sale: median and p95 of a sale's journal writes (new sale, settle, audit) with no
   fleet configured, while a background pusher pushes to PostgreSQL, and with change capture's triggers
   dropped (what capture itself costs). Goal: no difference visible in the median.
"""
from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from fleet import money, reports, schema  # noqa: E402
from fleet.background import BackgroundPusher  # noqa: E402
from fleet.push import Till, push  # noqa: E402
from terminal.journal.journal import Journal  # noqa: E402
from terminal.sale.sales import SaleStore  # noqa: E402
from tests.fleet.cluster import Cluster  # noqa: E402

ORG = "P32010200001"


def p95(xs):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]


def make_journal(path: Path, n: int, till: int) -> None:
    """n settled sales, written fast (500 per transaction) but through the same triggers as at the counter."""
    j = Journal(path)
    for base in range(0, n, 500):
        with j.tx() as c:
            for i in range(base, min(base + 500, n)):
                cur = c.execute(
                    "INSERT INTO sales(profile, opter, pid, created_at, day, status, status_at, mdtrt_cert_type) "
                    "VALUES ('pharmacy', ?, 1, '2026-11-29T02:00:00', '2026-11-29', 'pending', '', ?)",
                    (f"c{i % 3}", "01" if i % 10 else "02"))
                c.execute("UPDATE sales SET status='settled', setl_id=?, setl_time='2026-11-29 10:00:00', "
                          "medfee_sumamt='25.00', fund_pay_sumamt='15.00', acct_pay='10.00', insutype='310' "
                          "WHERE id=?", (f"T{till:03d}S{i:07d}", cur.lastrowid))
    j.close()


def _push_group(args) -> float:
    """One process: push its tills from threads; returns the time of its last commit."""
    dsn, jobs, go = args
    errors = []

    def one(path, k):
        try:
            push(dsn, path, Till(f"{ORG}-{k:03d}", ORG, k % 10, "pharmacy"), batch=1000)
        except Exception as e:  # reported below: a lost till must not pass silently
            errors.append(e)
    while time.time() < go:
        time.sleep(0.001)
    threads = [threading.Thread(target=one, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return time.time()


def bench_push(cluster: Cluster, tills: int, sales: int, work: Path) -> None:
    dsn = cluster.fresh_dsn()
    with psycopg.connect(dsn) as c:
        schema.migrate(c)
    t0 = time.perf_counter()
    paths = []
    for k in range(tills):
        p = work / f"till{k:03d}" / "journal.sqlite3"
        make_journal(p, sales, k)
        paths.append((p, k))
    print(f"built {tills} journals x {sales} sales in {time.perf_counter() - t0:.1f} s")
    procs = 4
    go = time.time() + 1.0  # all start together
    groups = [(dsn, paths[i::procs], go) for i in range(procs)]
    with multiprocessing.get_context("fork").Pool(procs) as pool:
        ends = pool.map(_push_group, groups)
    wall = max(ends) - go
    with psycopg.connect(dsn) as c:
        n, distinct = c.execute("SELECT count(*), count(DISTINCT setl_id) FROM sales").fetchone()
        cursor = int(c.execute("SELECT sum(pushed_seq) FROM tills").fetchone()[0])
    assert n == distinct == tills * sales, (n, distinct)
    print(f"push: {tills} tills x {sales} sales concurrently ({procs} processes): {wall:.2f} s, "
          f"{cursor / wall:,.0f} changes/s, {n / wall:,.0f} sales/s; {n} sales in PostgreSQL, each once")


BIG_SQL = """
INSERT INTO tills (till, fixmedins_code, msgid_node, profile, last_push)
SELECT format('{org}-%s', lpad(t::text, 3, '0')), '{org}', t % 10, 'pharmacy', now() FROM generate_series(0, 99) t;
INSERT INTO sales (till, id, version, digest, data, profile, opter, day, status, mdtrt_cert_type, setl_id, setl_day,
                   insutype, insuplc_admdvs, medfee_sumamt, fund_pay_sumamt, acct_pay, psn_cash_pay)
SELECT format('{org}-%s', lpad((g % 100)::text, 3, '0')), g / 100, 1, '',
       jsonb_build_object('id', g / 100, 'setl_id', 'S' || g, 'psn_no', 'P' || (g % 50000),
                          'mdtrt_id', 'M' || g, 'status', CASE WHEN g % 100 = 7 THEN 'refunded' ELSE 'settled' END,
                          'medfee_sumamt', '25.00', 'fund_pay_sumamt', '15.00', 'acct_pay', '10.00',
                          'psn_cash_pay', '0.00', 'insuplc_admdvs', '320100', 'insutype', '310'),
       'pharmacy', 'c' || (g / 100 % 2), d, CASE WHEN g % 100 = 7 THEN 'refunded' ELSE 'settled' END,
       CASE WHEN g % 10 = 0 THEN '02' ELSE '01' END, 'S' || g, d,
       CASE WHEN g % 3 = 0 THEN '390' ELSE '310' END, '320100', 25.00, 15.00, 10.00, 0.00
FROM (SELECT g, DATE '2026-08-21' + (g * 100 / {n})::int AS d FROM generate_series(0, {n} - 1) g) s;
INSERT INTO refunds (till, id, version, digest, data, sale_id, setl_id, status, msgid, setl_day)
SELECT till, id, 1, '', jsonb_build_object('created_at', setl_day || 'T02:00:00+00:00', 'amount', '25.00',
                                           'cashier', opter, 'supervisor', 's1', 'setl_id', setl_id),
       id, setl_id, 'refunded', 'R' || setl_id, setl_day FROM sales WHERE status = 'refunded';
"""


def timed(fn, runs: int = 5) -> float:
    ts = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def plan(pg, sql: str, args) -> str:
    """The access paths of a query's plan (index names), to show the indexes are used."""
    lines = [r[0] for r in pg.execute("EXPLAIN " + sql, args)]
    return "; ".join(sorted({ln.strip().lstrip("-> ").split("  ")[0] for ln in lines
                             if "Scan" in ln}))


def bench_reports(cluster: Cluster, n: int) -> None:
    from decimal import Decimal
    dsn = cluster.fresh_dsn()
    with psycopg.connect(dsn) as c:
        schema.migrate(c)
    t0 = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True) as c:
        # bulk load: the per-row trigger off, then sales_daily rebuilt as migration 2 builds it
        c.execute("ALTER TABLE sales DISABLE TRIGGER sales_daily")
        c.execute(BIG_SQL.format(org=ORG, n=n))
        c.execute("ALTER TABLE sales ENABLE TRIGGER sales_daily")
        c.execute(schema.REBUILD_DAILY)
        c.execute("VACUUM ANALYZE")
    print(f"built {n:,} sales in PostgreSQL in {time.perf_counter() - t0:.1f} s")
    with psycopg.connect(dsn) as pg:
        target = Decimal("0.90")
        st = reports.stats(pg, "2026-08-21", "2026-11-29", target)
        assert st.total["settlements"] == n  # refunded ones count too: they did settle
        t_all = timed(lambda: reports.stats(pg, "2026-08-21", "2026-11-29", target))
        t_30 = timed(lambda: reports.stats(pg, "2026-10-01", "2026-10-30", target))
        groups, day_sales = reports.day_totals(pg, "2026-10-15")
        t_rec = timed(lambda: reports.day_totals(pg, "2026-10-15"))
        p_stats = plan(pg, "SELECT day, till, opter, sum(n) FROM sales_daily WHERE day BETWEEN %s AND %s "
                           "GROUP BY 1, 2, 3", ("2026-10-01", "2026-10-30"))
        p_rec = plan(pg, "SELECT till, data FROM sales WHERE setl_day=%s AND setl_id <> ''", ("2026-10-15",))
        m = money.day(pg, "2026-10-15", target)
        t_money = timed(lambda: money.day(pg, "2026-10-15", target))
        p_money = plan(pg, "SELECT id FROM sales WHERE day=%s", ("2026-10-15",)) + "; " + plan(
            pg, "SELECT id FROM refunds WHERE data->>'created_at' >= %s AND data->>'created_at' < %s",
            ("2026-10-14", "2026-10-17"))
    print(f"fleet stats, all {n:,} sales ({len(st.rows)} rows): {t_all * 1000:.0f} ms median of 5")
    print(f"fleet stats, 30 days: {t_30 * 1000:.0f} ms  [{p_stats}]")
    print(f"fleet reconcile, database part for one day ({len(day_sales):,} settlements, {len(groups)} 3201 groups): "
          f"{t_rec * 1000:.0f} ms  [{p_rec}]")
    whole = next(r for r in m.rows if r["level"] == "total")
    print(f"fleet money for one day ({whole['settlements']:,} settlements, {whole['refunds']} refunds, "
          f"{len(m.rows)} rows): {t_money * 1000:.0f} ms  [{p_money}]")
    goal = max(t_all, t_30, t_rec, t_money) < 1.0
    print(f"goal < 1 s each: {'met' if goal else 'NOT met'}")


def sale(j: Journal, i: int) -> float:
    """One sale's journal writes as the counter makes them; returns seconds."""
    t0 = time.perf_counter()
    store = SaleStore(j)
    with store.tx() as c:
        sid = store.open(c, "pharmacy", "c1", mdtrt_cert_type="01", insutype="310")
    with store.tx() as c:
        store.move(c, sid, "settled", setl_id=f"C{i:07d}", setl_time="2026-11-29 10:00:00",
                   medfee_sumamt="25.00", confirmed_at="2026-11-29T02:00:00")
    j.audit("sale_settled", "c1", sale_id=sid)
    return time.perf_counter() - t0


def bench_cost(cluster: Cluster, n: int, work: Path) -> None:
    dsn = cluster.fresh_dsn()
    with psycopg.connect(dsn) as c:
        schema.migrate(c)
    results, passes = {}, 0
    for mode in ("no fleet", "pushing", "no capture"):
        j = Journal(work / mode.replace(" ", "_") / "journal.sqlite3")
        if mode == "no capture":
            for (name,) in j.conn.execute("SELECT name FROM sqlite_master WHERE type='trigger' "
                                          "AND name LIKE 'replicate_%'").fetchall():
                j.conn.execute(f"DROP TRIGGER {name}")
        pusher = None
        if mode == "pushing":
            pusher = BackgroundPusher(dsn, j.path, Till(f"{ORG}-cost", ORG, 9, "pharmacy"), interval_s=0.01).start()
        for i in range(50):
            sale(j, i)  # warm up
        times = [sale(j, i) for i in range(50, n + 50)]
        if pusher:
            pusher.stop()
            assert not pusher.error, pusher.error
            passes = pusher.passes
        results[mode] = times
        j.close()
    with psycopg.connect(dsn) as c:
        pushed = c.execute("SELECT count(*) FROM sales").fetchone()[0]
    for mode, ts in results.items():
        print(f"sale's journal writes, {mode:<10}: median {statistics.median(ts) * 1000:.2f} ms, "
              f"p95 {p95(ts) * 1000:.2f} ms ({len(ts)} sales)")
    print(f"  (the background pusher pushed {pushed} of those sales meanwhile, in {passes} passes)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tills", type=int, default=100)
    ap.add_argument("--sales", type=int, default=1000)
    ap.add_argument("--big", type=int, default=1_000_000)
    ap.add_argument("--cost-sales", type=int, default=1500)
    a = ap.parse_args()
    cluster = Cluster({"fsync": "on", "shared_buffers": "256MB", "work_mem": "32MB", "max_parallel_workers_per_gather": "2"})
    cluster.start()
    try:
        with tempfile.TemporaryDirectory(prefix="ecpos-bench-fleet-") as tmp:
            work = Path(tmp)
            bench_push(cluster, a.tills, a.sales, work)
            bench_reports(cluster, a.big)
            bench_cost(cluster, a.cost_sales, work)
    finally:
        cluster.destroy()
    return 0


if __name__ == "__main__":
    sys.exit(main())
