"""Per-call latency of each credential path against a local `ecpos sim serve`, and the bridge's cost.

Paths: the 64-bit library in process (ctypes), the 32-bit library through msl-loadlib's bridge, and 1162
through the platform client. Each verifies N fresh codes (issued beforehand, not timed). A second pair of
rows times the bare ABI call (a URL the library rejects at once, no network) to isolate the bridge's own cost.
Usage: .venv/bin/python bench/credential.py [--calls 500]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from terminal import config  # noqa: E402
from terminal.ec import make_adapter  # noqa: E402
from terminal.ec.host32 import nationec_host as host  # noqa: E402


def start_sim(tmp: Path) -> tuple[subprocess.Popen, str]:
    cmd = [sys.executable, "-m", "ecpos", "sim", "serve", "--port", "0", "--db", str(tmp / "sim.db"),
           "--code-ttl", "3600"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT)
    line = proc.stdout.readline().decode().strip()
    if not line.startswith("listening on "):
        proc.kill()
        raise SystemExit(f"sim did not start: {line!r}")
    return proc, line.split()[-1]


def cfg_for(tmp: Path, url: str, **over) -> config.Config:
    lines = [f'[center]\nurl = "{url}"\n[credential]'] + [f'{k} = "{v}"' for k, v in over.items()]
    layer = tmp / f"cfg-{len(list(tmp.glob('cfg-*')))}.toml"
    layer.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config.load(profile="pharmacy", config_file=layer, data_dir=tmp / "data", env={})


def stats(samples: list[float]) -> tuple[float, float]:
    ms = sorted(s * 1000 for s in samples)
    return statistics.median(ms), ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]


def time_verify(adapter, codes: list[str]) -> list[float]:
    out = []
    for code in codes:
        t0 = time.perf_counter()
        adapter.verify(code)
        out.append(time.perf_counter() - t0)
    return out


def time_abi(call, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        call()
        out.append(time.perf_counter() - t0)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=500)
    n = ap.parse_args().calls
    subprocess.run(["make", "-s", "lib"], cwd=ROOT, check=True)
    tmp = Path(tempfile.mkdtemp(prefix="bench-ec-"))
    proc, url = start_sim(tmp)
    http = requests.Session()
    try:
        persons = [p["psn_no"] for p in http.get(url + "/admin/persons", timeout=10).json() if p["status"] == "active"]

        def fresh(k: int) -> list[str]:
            return [http.post(url + "/admin/code", json={"psn_no": persons[i % len(persons)]}, timeout=10)
                    .json()["code"] for i in range(k)]

        rows: list[tuple[str, list[float]]] = []
        paths = [("library 64-bit (ctypes)", {"bridge": "off"}),
                 ("library 32-bit (bridge)", {"bridge": "on"}),
                 ("http 1162 (platform)", {"adapter": "http"})]
        adapters = {}
        bridge_start = None
        for name, over in paths:
            a = make_adapter(cfg_for(tmp, url, **over))
            adapters[name] = a
            t0 = time.perf_counter()
            time_verify(a, fresh(5))  # warm-up (starts the bridge)
            if "bridge" in name:
                bridge_start = time.perf_counter() - t0
            rows.append((name, time_verify(a, fresh(n))))

        # the bare ABI: the library rejects the URL at once, so only the call path is timed
        direct, bridge = adapters[paths[0][0]].transport, adapters[paths[1][0]].transport
        bad = b"ftp://no-network/"
        req = b'{"data":{"ecQrCode":"1"}}'
        rows.append(("ABI only, in process", time_abi(lambda: host.call(direct._fn, bad, req), n)))
        rows.append(("ABI only, through bridge",
                     time_abi(lambda: bridge._client.request32("trans_bytes", bad, req), n)))
        for a in adapters.values():
            a.close()
    finally:
        proc.terminate()
        proc.wait(10)

    print(f"credential paths, {n} calls each against a local `ecpos sim serve` (ms)")
    print(f"{'path':<28}{'median':>10}{'p95':>10}")
    med = {}
    for name, samples in rows:
        m, p95 = stats(samples)
        med[name] = m
        print(f"{name:<28}{m:>10.3f}{p95:>10.3f}")
    ratio = med["library 32-bit (bridge)"] / med["library 64-bit (ctypes)"]
    abi_ratio = med["ABI only, through bridge"] / med["ABI only, in process"]
    print(f"bridge start (first call incl. server start + 5 warm-up calls): {bridge_start:.2f} s")
    print(f"summary: verify median direct {med['library 64-bit (ctypes)']:.2f} ms, bridge "
          f"{med['library 32-bit (bridge)']:.2f} ms ({ratio:.2f}x), http 1162 "
          f"{med['http 1162 (platform)']:.2f} ms; bare call {med['ABI only, in process'] * 1000:.1f} us direct vs "
          f"{med['ABI only, through bridge']:.2f} ms bridged ({abi_ratio:.0f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
