"""What a till alone cannot prove, the fleet can: a till restored from a backup of everything it keeps — the
journal, its key dir and even this machine's witness of the head (a whole-disk image) — agrees with itself,
but the fleet received a later chain head from it. The push is refused naming the stretch only the fleet
holds, and `ecpos fleet verify` shows it."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3

import psycopg

from terminal.journal.tillkeys import default_dir

from tests.engine.helpers import ecpos, ecpos_json, items_file


def test_a_till_restored_whole_is_refused_by_the_fleets_head(sim, make_cfg, fleet_dsn, tmp_path):
    cfg = make_cfg("pharmacy", {"credential.adapter": "http", "fleet.dsn": fleet_dsn})
    person = sim.person("active", insutype="310")
    state = os.environ["XDG_STATE_HOME"]

    def settle(n: int) -> dict:
        items = items_file(tmp_path, ("XA01", "阿莫西林胶囊", "1", f"{n}.50"), name=f"items{n}.json")
        return ecpos_json(cfg, "settle", "--qr", sim.code(person["psn_no"]), "--items", str(items))

    settle(1)
    assert ecpos(cfg, "fleet", "push").returncode == 0
    # the image: journal, key dir and the machine's state folder (the witness) as they are now
    image = tmp_path / "image"
    image.mkdir()
    src, dst = sqlite3.connect(cfg.data_dir / "journal.sqlite3"), sqlite3.connect(image / "journal.sqlite3")
    src.backup(dst)
    src.close()
    dst.close()
    shutil.copytree(default_dir(cfg.data_dir), image / "keys")
    shutil.copytree(state, image / "state")
    end = sqlite3.connect(image / "journal.sqlite3").execute("SELECT max(seq) FROM chain").fetchone()[0]

    lost = settle(2)
    assert ecpos(cfg, "fleet", "push").returncode == 0
    with psycopg.connect(fleet_dsn) as pg:
        [(seq,)] = pg.execute("SELECT chain_seq FROM tills").fetchall()
    assert seq > end

    for p in cfg.data_dir.glob("journal.sqlite3*"):
        p.unlink()
    shutil.copy(image / "journal.sqlite3", cfg.data_dir / "journal.sqlite3")
    shutil.rmtree(default_dir(cfg.data_dir))
    shutil.copytree(image / "keys", default_dir(cfg.data_dir))
    shutil.rmtree(state)
    shutil.copytree(image / "state", state)

    assert ecpos(cfg, "journal", "--verify").returncode == 0  # the till alone cannot tell
    r = ecpos(cfg, "fleet", "push")
    assert r.returncode == 2 and "[journal_behind_fleet]" in r.stderr, r.stderr
    assert f"本机交易日志只到第 {end} 条：第 {end + 1}–{seq} 条变更" in r.stderr
    r = ecpos(cfg, "fleet", "verify", "--json")
    assert r.returncode == 2
    [named] = [d for d in json.loads(r.stdout)["differences"] if d["table"] == "chain"]
    assert named["key"] == f"{end + 1}-{seq}" and "不在本机日志中" in named["detail"]
    # the lost sale is still in the fleet's rows, and only there
    assert lost["setl_id"] not in {row["setl_id"] for row in ecpos_json(cfg, "journal")}
