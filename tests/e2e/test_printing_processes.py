"""Printing never turns a settled sale into a failure, whatever another ecpos process on the till does.

python-escpos (3.1, escpos/capabilities.py) pickles its printer database into the user's cache at import,
rewriting it in place, and makes a temporary folder on the way; ecpos's processes shared one scratch folder for
that and removed it after each import. Two processes printing at once read a half-written pickle (EOFError) or
lost the folder under them (FileNotFoundError), and a settled sale's command ended as 程序内部错误, exit 1.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.engine.helpers import ROOT, ecpos_json, items_file

PROCESSES = 12


def _command(cfg, *args: str, cache) -> subprocess.Popen:
    # ESCPOS_* too: a receipt printed earlier in this pytest process named its own pickle folder there
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ECPOS_", "ESCPOS_"))}
    env.update(ECPOS_PROFILE=cfg.profile, XDG_CACHE_HOME=str(cache))
    return subprocess.Popen([sys.executable, "-m", "ecpos", "--config", cfg.sources[-1], "--data-dir",
                             str(cfg.data_dir), *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_parallel_reprints_on_a_fresh_cache_all_print(sim, make_cfg, tmp_path):
    """12 `ecpos reprint` processes at once on a till whose cache is empty (a new till, or a cleaned cache):
    each prints, none exits 1."""
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    person = sim.person("active", insutype="310")
    items = items_file(tmp_path, ("XA01", "阿莫西林胶囊", "1", "9.90"))
    sale = ecpos_json(cfg, "settle", "--qr", sim.code(person["psn_no"]), "--items", str(items))
    cache = tmp_path / "cache"
    procs = [_command(cfg, "reprint", sale["setl_id"], "--json", cache=cache) for _ in range(PROCESSES)]
    results = [(p.wait(timeout=120), *p.communicate()) for p in procs]
    assert [code for code, _, _ in results] == [0] * PROCESSES, [err for _, _, err in results if err]
    assert all(json.loads(out)["receipt"].endswith("-reprint.txt") for _, out, _ in results)
    assert (cfg.data_dir / "receipts" / f"{sale['setl_id']}-reprint.bin").read_bytes().startswith(b"\x1b@")
    # python-escpos read the pickle ecpos prepared (written whole, renamed over) and made no folder of its own
    assert [p.name for p in (cache / "ecpos" / "escpos").iterdir()] == [
        f"{sys.version.split()[0]}.capabilities.pickle"]


def test_a_settled_sale_whose_receipt_cannot_be_written_exits_0_with_the_receipt_pending(sim, make_cfg, tmp_path):
    """The receipts folder is a file (a mistyped [printer] target): the sale is settled, the command says so
    (exit 0), and the receipt waits for a reprint with a printing message."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    cfg = make_cfg("pharmacy", {"credential.adapter": "http", "printer.kind": "file",
                                "printer.target": str(blocker)})
    person = sim.person("active", insutype="310")
    items = items_file(tmp_path, ("XA01", "阿莫西林胶囊", "1", "9.90"))
    p = _command(cfg, "settle", "--qr", sim.code(person["psn_no"]), "--items", str(items), "--json",
                 cache=tmp_path / "cache")
    code, (out, err) = p.wait(timeout=120), p.communicate()
    assert code == 0, err
    sale = json.loads(out)
    assert sale["status"] == "settled" and sale["receipt"] == "" and sale["receipt_pending"] is True
    assert "重打" in err and "结算已完成" in err and "程序内部错误" not in err
    [held] = sim.ledger()["settlements"]
    assert held["setl_id"] == sale["setl_id"]
