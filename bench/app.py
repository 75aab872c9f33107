"""Cashier app benchmark: cold start to ready-to-scan, memory after 1,000 scans, and the longest GUI
event-loop stall during a sale. Goals: ready < 2 s, < 250 MB, no stall over 50 ms.

The parent starts the reference service, then runs the app in a fresh child process (offscreen Qt) so
the start is cold: interpreter, PySide6, the Counter, the scan box. Scans go through a pty scan box.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SCANS = 1000
GOALS = {"ready_s": 2.0, "rss_mb": 250.0, "stall_ms": 50.0}


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident memory of this process in MB."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        k, _, v = line.partition(":")
        fields[k] = v.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


class GcMeter:
    """The longest garbage-collector pause (gc.callbacks), to tell a GC stall from a busy machine."""

    def __init__(self):
        import gc
        self.worst = 0.0
        self._t = 0.0
        gc.callbacks.append(self._cb)

    def _cb(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._t = time.perf_counter()
        else:
            self.worst = max(self.worst, time.perf_counter() - self._t)


class StallMeter:
    """A 5 ms GUI-thread timer; the longest gap beyond its interval is the longest event-loop stall."""

    def __init__(self):
        from PySide6.QtCore import QTimer
        self.worst = 0.0
        self.last = time.perf_counter()
        self.timer = QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, now - self.last - 0.005)
        self.last = now

    def start(self) -> None:
        self.worst, self.last = 0.0, time.perf_counter()
        self.timer.start()

    def stop(self) -> float:
        self.timer.stop()
        return self.worst * 1000


def child(sim_url: str, workdir: str, t_spawn: float) -> None:
    """The app process: report ready time, run a measured sale, then 1,000 scans."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from ui.demo.director import add_operators, demo_config, wait
    from ui.demo.vpty import VirtualScanBox
    from ui.qt_app import AppContext, build_window, make_qapp
    import requests
    box = VirtualScanBox()
    # measured without the sign-in page: the start time is the app's, not a cashier typing a PIN
    cfg = demo_config(Path(workdir), "pharmacy", sim_url, box.path, {"till.sign_in": False})
    app = make_qapp(headless=True)
    ctx = AppContext(cfg)
    win = build_window(ctx)
    wait(lambda: ctx.session.counter is not None and ctx.scanner.status is not None
         and ctx.scanner.status.state == "connected", "ready", 30)
    app.processEvents()
    ready = time.time() - t_spawn
    add_operators(cfg)  # not part of the start: a real terminal has its operators already
    http = requests.Session()

    def code(psn: str) -> str:
        return http.post(sim_url + "/admin/code", json={"psn_no": psn}, timeout=10).json()["code"]
    v = win.pages["sale"]
    lines = list(ctx.catalogue.values())
    meter = StallMeter()
    gcm = GcMeter()
    # a full sale, measured: scan, bill, pre-settle, confirm, receipt
    c = code("3201000000000001")
    meter.start()
    box.scan(c)
    wait(lambda: v.state == "identified", "identify")  # shown on screen, not only known to the sale's script
    v.add_line(lines[0], 2)
    v.add_line(lines[1])
    v.presettle()
    wait(lambda: v.state == "quoted", "presettle")
    v.confirm()
    wait(lambda: v.state == "settled" and v.receipt_path is not None, "settle")
    sale_stall = meter.stop()
    # 1,000 scans: each identified and cleared (next customer), as a busy counter would
    persons = [p["psn_no"] for p in http.get(sim_url + "/admin/persons", timeout=10).json()
               if p["status"] == "active"]
    # codes come from a helper thread: the harness must not block the GUI thread it is measuring
    import queue
    import threading
    codes: queue.Queue = queue.Queue(maxsize=20)
    threading.Thread(target=lambda: [codes.put(code(persons[i % len(persons)])) for i in range(SCANS)],
                     daemon=True).start()
    t0 = time.perf_counter()
    meter.start()
    for i in range(SCANS):
        v.next_customer()
        wait(lambda: not codes.empty(), "code", 30)
        box.scan(codes.get_nowait())
        wait(lambda: v.state == "identified" or v.scan.prompt.property("state") == "error", "scan", 30)
    scan_stall = meter.stop()
    elapsed = time.perf_counter() - t0
    rss, peak = rss_mb()
    print(json.dumps({"ready_s": round(ready, 3), "sale_stall_ms": round(sale_stall, 1),
                      "scan_stall_ms": round(scan_stall, 1), "rss_mb": round(rss, 1),
                      "peak_rss_mb": round(peak, 1), "scans": SCANS,
                      "scan_ms": round(elapsed / SCANS * 1000, 1), "gc_ms": round(gcm.worst * 1000, 1),
                      "load": os.getloadavg()[0]}), flush=True)
    ctx.force_close()
    box.close()


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], float(sys.argv[4]))
        return 0
    from ui.demo.sim_proc import SimProcess
    with tempfile.TemporaryDirectory(prefix="ecpos-bench-app-") as tmp:
        sim = SimProcess(Path(tmp) / "sim").start()
        try:
            env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
            t_spawn = time.time()
            out = subprocess.run([sys.executable, __file__, "--child", sim.url, str(Path(tmp) / "app"),
                                  repr(t_spawn)], capture_output=True, text=True, env=env, timeout=900)
        finally:
            sim.stop()
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if out.returncode != 0 or not lines:
        print(out.stdout[-2000:], out.stderr[-4000:], file=sys.stderr)
        print("bench/app: FAILED")
        return 1
    r = json.loads(lines[-1])
    print(f"cold start to ready-to-scan : {r['ready_s']:.2f} s   (goal < {GOALS['ready_s']} s)")
    print(f"memory after {r['scans']} scans    : {r['rss_mb']:.0f} MB RSS, peak {r['peak_rss_mb']:.0f} MB"
          f"   (goal < {GOALS['rss_mb']:.0f} MB)")
    print(f"longest GUI stall in a sale  : {r['sale_stall_ms']:.1f} ms   (goal <= {GOALS['stall_ms']:.0f} ms)")
    print(f"longest GUI stall, 1000 scans: {r['scan_stall_ms']:.1f} ms; {r['scan_ms']:.1f} ms per scan; "
          f"longest GC pause {r['gc_ms']:.1f} ms; machine load {r['load']:.1f} on {os.cpu_count()} cores")
    # the goal is about a sale; the 1,000-scan figure is reported beside it (it also catches the
    # machine being busy: the GC line shows whether the pause was ours)
    ok = r["ready_s"] < GOALS["ready_s"] and r["rss_mb"] < GOALS["rss_mb"] and \
        r["sale_stall_ms"] <= GOALS["stall_ms"]
    print(f"bench/app: {'PASS' if ok else 'MISS'} ready {r['ready_s']:.2f}s, {r['rss_mb']:.0f}MB after "
          f"{r['scans']} scans, sale stall {r['sale_stall_ms']:.0f}ms (1000-scan worst "
          f"{r['scan_stall_ms']:.0f}ms at load {r['load']:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
