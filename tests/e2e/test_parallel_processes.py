"""Many ecpos processes on one till at once — a cashier's commands, scripts, a reprint at the next counter, a
supervisor's refund, a sync — all on one journal against the reference service: nothing lost, nothing doubled
(the journal against `ecpos sim ledger`), no exit 1, no right PIN refused as pin_locked.

Two waves, every process of a wave started at once, on a printer cache that starts empty (python-escpos's
capabilities pickle is written by the first process that prints): 8 settles; then 4 settles, 3 reprints, 3
refunds (two of them of the same sale: one refund reaches the platform) and a sync. Sized for a 2-core machine.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter as Tally

from tests.engine.helpers import PIN, ROOT, SUPERVISOR_PIN, ecpos, items_file, staff

FIRST, SECOND = 8, 4


def _start(cfg, cache, *args: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECPOS_")}
    env.update(ECPOS_PROFILE=cfg.profile, ECPOS_PIN=PIN, ECPOS_SUPERVISOR_PIN=SUPERVISOR_PIN,
               XDG_CACHE_HOME=str(cache))
    return subprocess.Popen([sys.executable, "-m", "ecpos", "--config", cfg.sources[-1], "--data-dir",
                             str(cfg.data_dir), *args, "--json"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _wave(procs: list[tuple[str, subprocess.Popen]]) -> list[tuple[str, int, dict, str]]:
    out = []
    for what, p in procs:
        stdout, stderr = p.communicate(timeout=120)
        out.append((what, p.returncode, json.loads(stdout) if stdout.strip() else {}, stderr))
    return out


def test_processes_settling_printing_reprinting_and_refunding_at_once(sim, make_cfg, tmp_path):
    t0 = time.monotonic()
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    staff(cfg)
    cache = tmp_path / "cache"
    people = [p for p in sim.persons() if p["status"] == "active" and p["insuplc_admdvs"] == "320100"]
    items = [items_file(tmp_path, ("XA01", "阿莫西林胶囊", str(1 + n % 3), f"{3 + n}.{n:02d}"), name=f"i{n}.json")
             for n in range(FIRST + SECOND)]

    def settle(n: int) -> tuple[str, subprocess.Popen]:
        return "settle", _start(cfg, cache, "settle", "--qr", sim.code(people[n % len(people)]["psn_no"]),
                                "--items", str(items[n]), "--cashier", "c1")

    first = _wave([settle(n) for n in range(FIRST)])
    settled = [r for what, code, r, _ in first if code == 0]
    assert len(settled) == FIRST, [(code, err) for _, code, _, err in first if code]
    ids = [r["setl_id"] for r in settled]

    second = _wave([settle(n) for n in range(FIRST, FIRST + SECOND)]
                   + [("reprint", _start(cfg, cache, "reprint", s, "--cashier", "c1")) for s in ids[:3]]
                   + [("refund", _start(cfg, cache, "refund", s, "--reason", "顾客退药", "--cashier", "c1",
                                        "--supervisor", "s1")) for s in (ids[3], ids[4], ids[4])]
                   + [("sync", _start(cfg, cache, "sync"))])
    everything = first + second
    elapsed = time.monotonic() - t0
    print(f"\n{len(everything)} processes in two waves: {elapsed:.1f} s")

    # no internal error, no right PIN refused, every receipt printed
    assert [(what, err) for what, code, _, err in everything if code == 1] == []
    assert [what for what, _, _, err in everything if "pin_locked" in err] == []
    assert all(r.get("receipt") for what, code, r, _ in everything if what in ("settle", "reprint") and code == 0)
    codes = Tally((what, code) for what, code, _, _ in second)
    assert codes[("settle", 0)] == SECOND and codes[("reprint", 0)] == 3 and codes[("sync", 0)] == 1
    # two refunds of one sale at once: one refunds it, the other is refused (nothing sent twice). A refund
    # that meets the sync in progress is queued (exit 3, work kept): the next sync forwards it.
    refunds = sorted(r.get("error") or r["status"] for what, _, r, _ in second if what == "refund")
    assert refunds in (["queued", "refund_twice", "refunded"], ["refund_twice", "refunded", "refunded"],
                       ["queued", "queued", "refund_twice"]), refunds
    assert ecpos(cfg, "sync", "--json").returncode == 0

    # the journal and the platform agree, sale by sale: nothing lost, nothing doubled
    ledger = json.loads(subprocess.run([sys.executable, "-m", "ecpos", "sim", "ledger", "--db", str(sim.db), "--json"],
                                       capture_output=True, text=True, cwd=ROOT, timeout=60, check=True).stdout)
    platform = {s["setl_id"]: s["status"] for s in ledger["settlements"]}
    journal = json.loads(ecpos(cfg, "journal", "--json").stdout)
    mine = {r["setl_id"]: r["status"] for r in journal if r["setl_id"]}
    assert len(ledger["settlements"]) == len(platform) == FIRST + SECOND
    assert len([r for r in journal if r["setl_id"]]) == len(mine)  # no setl_id twice in the journal
    assert mine == platform
    assert Tally(platform.values()) == {"settled": FIRST + SECOND - 2, "refunded": 2}
    assert sorted(r["osetl_id"] for r in ledger["refunds"]) == sorted((ids[3], ids[4]))  # each once
    assert ecpos(cfg, "journal", "--verify").returncode == 0
    assert elapsed < 60
