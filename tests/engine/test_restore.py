"""A journal restored from backup together with its key dir (as the README says to back them up) agrees with
the head in that key dir, so the head alone cannot tell it. This machine's witness of the head (the user's
state folder, outside the backup set) can: the first start after the restore names the lost stretch and asks
for the last day-close slip's head before anything runs (`ecpos journal --accept-restored --slip N:MAC`)."""
from __future__ import annotations

import json
import shutil
import sqlite3

import pytest

from terminal.journal.tillkeys import default_dir

from tests.engine.helpers import ecpos, ecpos_json, items_file


def settle(cfg, sim, tmp_path, n: int) -> dict:
    person = sim.person("active", insutype="310")
    items = items_file(tmp_path, ("XA01", "阿莫西林胶囊", "1", f"{n}.50"), name=f"items{n}.json")
    return ecpos_json(cfg, "settle", "--qr", sim.code(person["psn_no"]), "--items", str(items))


def day_close(cfg, day: str) -> str:
    """The head the day-close slip prints, as the supervisor types it back (N:first 16 hex digits)."""
    head = ecpos_json(cfg, "reconcile", "--date", day)["chain_head"]
    return f"{head['seq']}:{head['mac'][:16]}"


def backup(cfg, to) -> None:
    """What the README asks for: the journal with sqlite's backup, and the key dir beside it."""
    to.mkdir()
    src, dst = sqlite3.connect(cfg.data_dir / "journal.sqlite3"), sqlite3.connect(to / "journal.sqlite3")
    src.backup(dst)
    src.close()
    dst.close()
    shutil.copytree(default_dir(cfg.data_dir), to / "keys")


def restore(cfg, frm) -> None:
    for p in cfg.data_dir.glob("journal.sqlite3*"):
        p.unlink()
    shutil.copy(frm / "journal.sqlite3", cfg.data_dir / "journal.sqlite3")
    shutil.rmtree(default_dir(cfg.data_dir))
    shutil.copytree(frm / "keys", default_dir(cfg.data_dir))


@pytest.fixture
def restored(sim, make_cfg, tmp_path):
    """A till that sold, closed a day (slip 1), was backed up, sold again, closed again (slip 2), and then had
    the backup restored: (cfg, slip 1, slip 2, the sale lost)."""
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    first = settle(cfg, sim, tmp_path, 1)
    day = first["setl_time"][:10]
    slip1 = day_close(cfg, day)
    backup(cfg, tmp_path / "backup")
    lost = settle(cfg, sim, tmp_path, 2)
    slip2 = day_close(cfg, day)
    restore(cfg, tmp_path / "backup")
    return cfg, slip1, slip2, lost


def test_a_restored_journal_and_key_dir_are_refused_naming_the_lost_stretch(restored):
    cfg, slip1, slip2, lost = restored
    end, was = int(slip1.split(":")[0]), int(slip2.split(":")[0])
    for args in (("sync",), ("journal",), ("journal", "--verify")):
        r = ecpos(cfg, *args)
        assert r.returncode == 2 and "[journal_restored]" in r.stderr, (args, r.stderr)
        assert f"第 {end + 1}–{was} 条变更" in r.stderr and "--accept-restored --slip" in r.stderr


def test_the_last_slip_decides_whether_the_backup_is_accepted(restored):
    cfg, slip1, slip2, lost = restored
    r = ecpos(cfg, "journal", "--accept-restored")
    assert r.returncode == 2 and "[journal_slip_needed]" in r.stderr
    r = ecpos(cfg, "journal", "--accept-restored", "--slip", slip2)  # the backup is older than the last close
    assert r.returncode == 2 and "[journal_slip_missing]" in r.stderr and "还旧" in r.stderr
    assert ecpos(cfg, "sync").returncode == 2  # still refused
    r = ecpos(cfg, "journal", "--accept-restored", "--slip", slip1)  # the slip the backup holds
    assert r.returncode == 0, r.stderr
    assert "已丢失" in r.stderr and "ecpos reconcile" in r.stderr
    assert ecpos(cfg, "sync").returncode == 0
    rows = ecpos_json(cfg, "journal")
    assert lost["setl_id"] not in {r["setl_id"] for r in rows}  # the platform holds it: reconcile shows it
    [event] = [e for e in _audit(cfg) if e["event"] == "journal_restored_older"]
    data = json.loads(event["data"])
    assert data["witness"] is True and data["slip_seq"] == int(slip1.split(":")[0])
    assert data["head_was"] == int(slip2.split(":")[0]) and data["lost"] > 0


def test_a_backup_restored_on_another_machine_asks_for_the_slip_too(sim, make_cfg, tmp_path):
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    settle(cfg, sim, tmp_path, 1)
    env = {"XDG_STATE_HOME": str(tmp_path / "another-machine")}  # a state folder without this till's witness
    r = ecpos(cfg, "journal", env=env)
    assert r.returncode == 2 and "[journal_restored]" in r.stderr and "另一台电脑" in r.stderr
    assert ecpos(cfg, "journal", "--accept-restored", "--slip", "none", env=env).returncode == 0
    assert ecpos(cfg, "journal", env=env).returncode == 0


def test_a_till_of_the_release_before_the_witness_starts_witnessing(sim, make_cfg, tmp_path):
    """A key dir that never had a witness (the previous release) is not taken for a restore."""
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    settle(cfg, sim, tmp_path, 1)
    (default_dir(cfg.data_dir) / "chain.witnessed").unlink()
    env = {"XDG_STATE_HOME": str(tmp_path / "upgraded")}
    assert ecpos(cfg, "journal", env=env).returncode == 0
    assert (default_dir(cfg.data_dir) / "chain.witnessed").exists()
    assert ecpos(cfg, "journal", "--verify", env=env).returncode == 0


def _audit(cfg) -> list[dict]:
    c = sqlite3.connect(cfg.data_dir / "journal.sqlite3")
    c.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in c.execute("SELECT event, data FROM audit ORDER BY seq")]
    finally:
        c.close()
