"""`ecpos fleet serve` in a real browser (Debian's chromium, headless, driven by selenium): login by an admin or
supervisor only, the page loads offline (Chart.js is served from fleet/static), the chart renders, and its
numbers and the table's equal `ecpos fleet stats`."""
from __future__ import annotations

import os
import queue
import re
import socket
import subprocess
import sys
import threading
from contextlib import contextmanager

import psycopg
import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from fleet.push import Till, push
from terminal.office import operators
from terminal.office.reports import percent
from terminal.journal.journal import Journal

from tests.engine.helpers import ROOT, SUPERVISOR_PIN, ecpos_json
from tests.waiting import wait_until

DAYS = ("2026-11-20", "2026-11-21", "2026-11-22")


def sell(journal: Journal, day: str, opter: str, cert: str, n: int, status: str = "settled") -> None:
    with journal.tx() as c:
        for i in range(n):
            c.execute("INSERT INTO sales(profile, opter, pid, created_at, day, status, status_at, mdtrt_cert_type, "
                      "setl_id, setl_time, medfee_sumamt, insutype) VALUES ('pharmacy', ?, 1, ?, ?, ?, '', ?, ?, ?, "
                      "'20.00', '310')", (opter, day + "T02:00:00", day, status, cert,
                                         f"{journal.path.parent.name}-{day}-{opter}-{cert}-{i}", day + " 10:00:00"))


@pytest.fixture
def served(make_cfg, fleet_dsn):
    """Two tills pushed (one of them silent for an hour), and `ecpos fleet serve` on till A: (cfg, url)."""
    a = make_cfg("pharmacy", {"fleet.dsn": fleet_dsn, "center.url": "http://127.0.0.1:9",
                              "report.ec_rate_target": "0.85"})
    b = make_cfg("pharmacy", {"fleet.dsn": fleet_dsn, "center.url": "http://127.0.0.1:9"})
    for cfg, plan in ((a, [("c1", "01", 9), ("c1", "02", 1), ("c2", "01", 4), ("c2", "03", 2)]),
                      (b, [("c3", "01", 7), ("c3", "02", 3)])):
        j = Journal.for_config(cfg)
        for k, day in enumerate(DAYS):
            for opter, cert, n in plan:
                sell(j, day, opter, cert, n + k)
        sell(j, DAYS[0], "c1", "01", 5, status="failed")  # never counted
        if cfg is a:
            operators.add(j, "s1", "supervisor", SUPERVISOR_PIN)
            operators.add(j, "c1", "cashier", "2468")
        j.close()
        push(fleet_dsn, cfg.data_dir / "journal.sqlite3", Till.of(cfg))
    with psycopg.connect(fleet_dsn) as c:
        c.execute("UPDATE tills SET last_push = now() - interval '1 hour' WHERE till=%s", (Till.of(b).name,))
    with serve(a) as url:
        yield a, b, url


@contextmanager
def serve(cfg):
    """`ecpos fleet serve --port 0` on cfg's till, as the office starts it; yields its URL."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECPOS_")}
    proc = subprocess.Popen([sys.executable, "-m", "ecpos", "--config", cfg.sources[-1], "--data-dir",
                             str(cfg.data_dir), "fleet", "serve", "--port", "0"], cwd=ROOT,
                            env={**env, "PYTHONPATH": ROOT}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    try:
        # --port 0: the server binds first and prints the port it got (no port picked here and lost to another)
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: lines.put(proc.stdout.readline()), daemon=True).start()
        line = lines.get(timeout=60)
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert found, line + (proc.stdout.read() if proc.poll() is not None else "")
        port = int(found.group(1))
        wait_until(lambda: _listening(port) or proc.poll() is not None, timeout=30)
        assert proc.poll() is None, proc.stdout.read()
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def login(drv, url: str, op_id: str, pin: str) -> None:
    drv.get(url + "/login")
    drv.find_element(By.ID, "op_id").send_keys(op_id)
    drv.find_element(By.ID, "pin").send_keys(pin)
    button = drv.find_element(By.ID, "login")
    button.click()
    # click() returns before the answer page replaces this one: wait for it, or the next find_element may
    # still look at the form (seen on CI under load)
    WebDriverWait(drv, 15).until(EC.staleness_of(button))


def test_page_shows_the_fleet_stats_with_a_rendered_chart(served, browser):
    a, b, url = served
    frm, to = DAYS[0], DAYS[-1]
    drv = browser
    drv.get(f"{url}/?frm={frm}&to={to}")
    assert drv.current_url.endswith("/login")  # nothing without a login

    login(drv, url, "c1", "2468")  # a cashier may not see it
    assert "不是管理员/主管" in drv.find_element(By.ID, "error").text
    login(drv, url, "s1", "0000")
    assert drv.find_element(By.ID, "error").text
    login(drv, url, "s1", SUPERVISOR_PIN)
    drv.get(f"{url}/?frm={frm}&to={to}")

    st = ecpos_json(a, "fleet", "stats", "--from", frm, "--to", to)
    # the table is fleet stats, row for row
    cells = [[td.text for td in tr.find_elements(By.TAG_NAME, "td")]
             for tr in drv.find_elements(By.CSS_SELECTOR, "#stats tbody tr")]
    cols = ("day", "till", "opter", "settlements", "ec_01", "idcard_02", "sscard_03", "ec_rate", "target", "met")
    shown = {"ec_rate": lambda v: percent(v) + "%", "target": lambda v: percent(v, None) + "%",
             "met": lambda v: {"是": "达标", "否": "未达标"}[v]}  # in a manager's words: 84.6%, 85%
    assert cells == [[shown.get(c, str)(r[c]) for c in cols] for r in st["rows"]]
    assert [DAYS[1], "P32010200001-0", "c1", "12", "10", "2", "0", "83.3%", "85%", "未达标"] in cells  # 10 of 12
    assert drv.find_element(By.ID, "total-settlements").text == str(st["total"]["settlements"])
    assert drv.find_element(By.ID, "total-rate").text == percent(st["total"]["ec_rate"]) + "%"

    # the chart exists, drew pixels, and plots the institution's rate per day as fleet stats counts it
    WebDriverWait(drv, 10).until(lambda d: d.execute_script(
        "return window.Chart && Chart.getChart(document.getElementById('rate-chart')) !== undefined"))
    chart = drv.execute_script(
        "const c = Chart.getChart(document.getElementById('rate-chart'));"
        "return {labels: c.data.labels, sets: c.data.datasets.map(s => [s.label, s.data]),"
        "        ticks: c.scales.y.ticks.map(t => t.label)};")
    painted = drv.execute_script(
        "const cv = document.getElementById('rate-chart'); const px = cv.getContext('2d')"
        ".getImageData(0, 0, cv.width, cv.height).data; let n = 0;"
        "for (let i = 3; i < px.length; i += 4) if (px[i]) n++; return n;")
    assert painted > 1000
    assert chart["labels"] == list(DAYS)
    assert chart["ticks"][0] == "0%" and chart["ticks"][-1] == "100%"  # the axis in percent, as the manager reads it
    sets = dict((label, data) for label, data in chart["sets"])
    for i, day in enumerate(DAYS):
        rows = [r for r in st["rows"] if r["day"] == day]
        ec, n = sum(r["ec_01"] for r in rows), sum(r["settlements"] for r in rows)
        assert sets["全机构"][i] == pytest.approx(int(ec * 10000 / n) / 10000)  # rounded down as stats does
        for till in ("P32010200001-0", "P32010200001-1"):
            tr = [r for r in rows if r["till"] == till]
            assert sets[till][i] == pytest.approx(
                int(sum(r["ec_01"] for r in tr) * 10000 / sum(r["settlements"] for r in tr)) / 10000)
    assert set(sets["目标"]) == {0.85}

    # a till not pushing is named
    assert "P32010200001-1" in drv.find_element(By.ID, "stale").text
    # the script came from this server (works offline), not from a CDN
    srcs = drv.execute_script("return [...document.scripts].map(s => s.src).filter(Boolean)")
    assert srcs == [url + "/static/chart.umd.js"]


def test_a_port_in_use_is_a_clear_error(make_cfg, fleet_dsn):
    """`fleet serve` on a port another program holds: exit 2 with the port named and what to do."""
    cfg = make_cfg("pharmacy", {"fleet.dsn": fleet_dsn, "center.url": "http://127.0.0.1:9"})
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen(1)
        port = held.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith("ECPOS_")}
        r = subprocess.run([sys.executable, "-m", "ecpos", "--config", cfg.sources[-1], "--data-dir", str(cfg.data_dir),
                            "fleet", "serve", "--port", str(port)], cwd=ROOT, env={**env, "PYTHONPATH": ROOT},
                           capture_output=True, text=True, timeout=60)
    assert r.returncode == 2, r.stdout + r.stderr
    assert f"127.0.0.1:{port}" in r.stderr and "--port" in r.stderr and "[fleet_port]" in r.stderr
