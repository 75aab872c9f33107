"""`ecpos demo --headless` (what `make demo` runs without a display): embedded simulator, pty scan box,
scripted sale and refund offscreen, transcript and screenshot paths printed, exit 0."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_headless_demo_sells_and_refunds(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY") and not k.startswith("ECPOS_")}
    env["ECPOS_DATA_DIR"] = str(tmp_path / "d")  # honoured like --data-dir
    env["TMPDIR"] = str(tmp_path / "tmp")
    (tmp_path / "tmp").mkdir()
    env["XDG_RUNTIME_DIR"] = str(tmp_path / "run")  # a session has one (Qt would make one in TMPDIR)
    (tmp_path / "run").mkdir(mode=0o700)
    r = subprocess.run([sys.executable, "-m", "ecpos", "demo"],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    out = r.stdout
    assert "listening" not in out and "simulator: http://127.0.0.1:" in out
    assert "settled: setl_id" in out and "refund refunded" in out and "demo finished" in out
    assert "refund with a wrong PIN" in out
    shots = [Path(line.strip()) for line in out.split("screenshots:")[-1].splitlines() if line.strip()]
    assert len(shots) >= 3 and all(p.suffix == ".png" and p.stat().st_size > 10000 for p in shots)
    receipts = list((tmp_path / "d" / "pharmacy" / "data" / "receipts").glob("*.txt"))
    assert len(receipts) == 1 and "3201**********" in receipts[0].read_text(encoding="utf-8")
    assert f"receipt: {receipts[0]}" in out  # the receipt it names is the one kept
    assert all(p.is_relative_to(tmp_path / "d") for p in shots)
    assert list((tmp_path / "tmp").iterdir()) == []  # no temporary folder left behind
