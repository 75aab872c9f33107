"""Helpers for the engine's tests: run `ecpos` as a subprocess against a Config, operators, items files."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from terminal.office import operators
from terminal.journal.journal import Journal

ROOT = Path(__file__).resolve().parents[2]
PIN = "2468"
SUPERVISOR_PIN = "9753"


def ecpos(cfg, *args: str, env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run `python -m ecpos` with cfg's override layer, data dir and profile."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("ECPOS_")}
    base["ECPOS_PROFILE"] = cfg.profile
    base.update(env or {})
    cmd = [sys.executable, "-m", "ecpos", "--config", cfg.sources[-1], "--data-dir", str(cfg.data_dir), *args]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=base, timeout=timeout)


def ecpos_json(cfg, *args: str, env: dict | None = None, expect: int = 0):
    """Run a --json command; check its exit code; parsed stdout."""
    r = ecpos(cfg, *args, "--json", env=env)
    assert r.returncode == expect, f"exit {r.returncode}\nstdout:{r.stdout}\nstderr:{r.stderr}"
    return json.loads(r.stdout)


def items_file(tmp_path: Path, *rows: tuple[str, str, str, str], name: str = "items.json") -> Path:
    """An items JSON file from (code, name, qty, price) rows."""
    p = tmp_path / name
    p.write_text(json.dumps([dict(zip(("code", "name", "qty", "price"), r)) for r in rows], ensure_ascii=False),
                 encoding="utf-8")
    return p


def journal_rows(cfg, sql: str, args: tuple = ()) -> list[dict]:
    """Rows of a query on cfg's journal, opened and closed around it (as another process of the till would)."""
    j = Journal.for_config(cfg)
    try:
        return j.query(sql, args)
    finally:
        j.close()


def staff(cfg) -> None:
    """Cashier c1 and supervisor s1 in cfg's journal."""
    j = Journal.for_config(cfg)
    try:
        operators.add(j, "c1", "cashier", PIN)
        operators.add(j, "s1", "supervisor", SUPERVISOR_PIN)
    finally:
        j.close()


def behind_ecpos(path, sql: str, like: str = "chain%") -> list[tuple[str, str]]:
    """What a careful forger with the sqlite3 module does: drop the chain's triggers named like `like`, run
    `sql`, put the same triggers back. Returns the (name, sql) of the triggers it lifted."""
    import sqlite3
    c = sqlite3.connect(path)
    try:
        saved = c.execute("SELECT name, sql FROM sqlite_master WHERE type='trigger' AND name LIKE ?",
                          (like,)).fetchall()
        for name, _ in saved:
            c.execute(f"DROP TRIGGER {name}")
        c.execute(sql)
        for _, text in saved:
            c.execute(text)
        c.commit()
    finally:
        c.close()
    return saved
