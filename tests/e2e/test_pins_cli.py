"""A headless command's PIN comes from its environment variable or a no-echo prompt (cmdline/pins.py), never a
flag: with neither a variable nor a terminal to type on, the command says which variable to set and does nothing."""
from __future__ import annotations

import os
import subprocess
import sys

from tests.engine.helpers import ROOT, journal_rows


def test_no_pin_and_no_terminal_is_a_clear_refusal_not_a_hang(make_cfg):
    cfg = make_cfg("pharmacy", {"center.url": "http://127.0.0.1:9"})  # no platform needed: nothing is sent
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECPOS_")}
    r = subprocess.run([sys.executable, "-m", "ecpos", "--config", cfg.sources[-1], "--data-dir", str(cfg.data_dir),
                        "shift", "open", "--float", "100", "--cashier", "c1"], cwd=ROOT, env=env,
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "[pin_missing]" in r.stderr and "ECPOS_PIN" in r.stderr, r.stderr
    assert journal_rows(cfg, "SELECT COUNT(*) AS n FROM shifts")[0]["n"] == 0
