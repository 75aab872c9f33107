"""What a till keeps on disk is owner-only: the data directory 0700 (the journal, the log and the receipts in
it name patients and cashiers, even masked) and every file of the chain's key dir 0600, its lock too."""
from __future__ import annotations

import os
import stat

from terminal import config
from terminal.journal.tillkeys import default_dir

from tests.engine.helpers import ecpos


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_tills_data_dir_and_key_files_are_owner_only(tmp_path):
    old = os.umask(0o022)  # a desktop session's usual umask; the child inherits it
    try:
        cfg = config.load(profile="pharmacy", data_dir=tmp_path / "till" / "data", env={})
        r = ecpos(cfg, "operator", "add", "c1", "--role", "cashier", env={"ECPOS_PIN": "2468"})
    finally:
        os.umask(old)
    assert r.returncode == 0, r.stderr
    assert mode(cfg.data_dir) == 0o700
    keys = default_dir(cfg.data_dir)
    assert {p.name: mode(p) for p in keys.iterdir()} == {"chain.key": 0o600, "chain.head": 0o600,
                                                         "chain.lock": 0o600, "chain.witnessed": 0o600}
    assert mode(keys) == 0o700


def test_a_data_dir_made_before_this_rule_is_tightened(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)
    cfg = config.load(profile="pharmacy", data_dir=data, env={})
    assert ecpos(cfg, "operator", "list").returncode == 0
    assert mode(data) == 0o700
