"""Every trouble a user can meet ends with its own message and exit code, never 程序内部错误 (exit 1): bad input
or configuration exit 2 naming what to fix; after a settlement was sent, an answer nobody can read is unknown,
exit 3 with "do not charge again", and sync resolves it (2601 with the original msgid)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.engine.helpers import ROOT, ecpos, ecpos_json, items_file, journal_rows


class Rewriting:
    """A gateway in front of the reference service that lets it process every request and then answers a
    2102 with `body` instead of the service's answer (the settlement stands on the platform)."""

    def __init__(self, upstream: str, body: bytes):
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                data = self.rfile.read(int(self.headers["Content-Length"]))
                req = urllib.request.Request(upstream + self.path, data=data, method="POST",
                                             headers={"Content-Type": self.headers["Content-Type"]})
                with urllib.request.urlopen(req, timeout=30) as r:
                    answer = r.read()
                if json.loads(data).get("infno") == "2102":
                    answer = outer.body
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *a):
                pass

        self.body = body
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


HUGE = (b'{"infcode": 0, "err_msg": "", "output": {"setlinfo": {"setl_id": "S1", "mdtrt_id": "M1", '
        b'"medfee_sumamt": 1e308, "fund_pay_sumamt": 1e308, "acct_pay": "0.00", "psn_cash_pay": "0.00"}}}')
DEEP = b'{"infcode": 0, "output": {"setlinfo": ' + b"[" * 100000 + b"]" * 100000 + b"}}"


@pytest.mark.parametrize("answer", [HUGE, DEEP], ids=["amount_1e308", "nested_100000"])
def test_a_processed_2102_whose_answer_cannot_be_read_is_unknown_then_resolved(sim, make_cfg, tmp_path, answer):
    gateway = Rewriting(sim.url, answer)
    try:
        cfg = make_cfg("pharmacy", {"credential.adapter": "http", "center.url": gateway.url})
        person = sim.person("active", insutype="310")
        items = items_file(tmp_path, ("XA01", "阿莫西林胶囊", "1", "9.90"))
        r = ecpos(cfg, "settle", "--qr", sim.code(person["psn_no"]), "--items", str(items), "--json")
        assert r.returncode == 3, r.stderr
        assert json.loads(r.stdout)["status"] == "unknown" and "请勿重复结算" in r.stderr
        assert "内部错误" not in r.stderr
        [sale] = journal_rows(cfg, "SELECT status FROM sales")
        assert sale["status"] == "unknown"
        assert [s["status"] for s in sim.ledger()["settlements"]] == ["settled"]
        out = ecpos_json(cfg, "sync")
        assert [x["rslt"] for x in out["reversed"]] == ["reversed"]
        assert [s["status"] for s in sim.ledger()["settlements"]] == ["reversed"]
        assert [s["status"] for s in journal_rows(cfg, "SELECT status FROM sales")] == ["reversed"]
    finally:
        gateway.close()


def test_a_journal_that_is_a_folder_is_named(make_cfg):
    cfg = make_cfg("pharmacy")
    (cfg.data_dir / "journal.sqlite3").mkdir(parents=True)
    r = ecpos(cfg, "journal")
    assert r.returncode == 2 and "[journal_open]" in r.stderr and "文件夹" in r.stderr


def test_an_immutable_journal_is_named(make_cfg):
    cfg = make_cfg("pharmacy")
    assert ecpos(cfg, "journal").returncode == 0
    path = cfg.data_dir / "journal.sqlite3"
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode:
        pytest.skip("chattr +i needs CAP_LINUX_IMMUTABLE")
    try:
        r = ecpos(cfg, "journal")
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)
    assert r.returncode == 2 and "[journal_open]" in r.stderr and "chattr -i" in r.stderr


def test_deeply_nested_items_json_is_bad_input(make_cfg, tmp_path):
    cfg = make_cfg("pharmacy")
    items = tmp_path / "items.json"
    items.write_text("[" * 100000 + "]" * 100000, encoding="utf-8")
    r = ecpos(cfg, "settle", "--self-pay", "--items", str(items), "--cash-received", "10")
    assert r.returncode == 2 and "[items_json]" in r.stderr and "嵌套" in r.stderr


@pytest.mark.parametrize("key", ["center.connect_timeout", "center.read_timeout", "credential.bridge_timeout",
                                 "agent.sync_every"])
@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "1e308"])
def test_timeouts_that_are_no_timeout_are_refused_naming_the_key(tmp_path, key, value):
    section, name = key.split(".")
    layer = tmp_path / "site.toml"
    layer.write_text(f"[{section}]\n{name} = {value}\n", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "ecpos", "--config", str(layer), "--data-dir", str(tmp_path / "d"),
                        "journal"], capture_output=True, text=True, cwd=ROOT, timeout=60,
                       env={k: v for k, v in os.environ.items() if not k.startswith("ECPOS_")})
    assert r.returncode == 2 and "[config_value]" in r.stderr and key in r.stderr, r.stderr


def test_an_unknown_encoding_is_refused_naming_the_key(tmp_path):
    layer = tmp_path / "site.toml"
    layer.write_text('[credential]\nencoding = "gbk2"\n', encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "ecpos", "--config", str(layer), "--data-dir", str(tmp_path / "d"),
                        "journal"], capture_output=True, text=True, cwd=ROOT, timeout=60,
                       env={k: v for k, v in os.environ.items() if not k.startswith("ECPOS_")})
    assert r.returncode == 2 and "[config_value]" in r.stderr and "credential.encoding" in r.stderr


def test_a_non_utf8_byte_in_a_shipped_schema_file_is_named(sim, make_cfg, tmp_path):
    """A channel file (config/channels/, the wire's schema) saved by an editor in GBK: the command names the
    file and says to repair the installation. The CLI runs on a copy of the folder with one byte broken."""
    import shutil
    from terminal.wire import channels
    folder = tmp_path / "channels"
    shutil.copytree(channels.DIR, folder)
    national = folder / "national.toml"
    national.write_bytes(national.read_bytes().replace(b"#", b"# \xd6\xd0", 1))
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    items = items_file(tmp_path, ("XA01", "阿莫西林胶囊", "1", "9.90"))
    code = ("import sys, pathlib, terminal.wire.channels as c; c.DIR = pathlib.Path(sys.argv[1]);"
            "from ecpos.main import main; sys.exit(main(sys.argv[2:]))")
    r = subprocess.run([sys.executable, "-c", code, str(folder), "--config", cfg.sources[-1], "--data-dir",
                        str(cfg.data_dir), "settle", "--self-pay", "--items", str(items), "--cash-received", "10"],
                       capture_output=True, text=True, cwd=ROOT, timeout=60,
                       env={k: v for k, v in os.environ.items() if not k.startswith("ECPOS_")})
    assert r.returncode == 2 and "[config_channel]" in r.stderr and "national.toml" in r.stderr, r.stderr


def test_a_non_utf8_byte_in_the_reference_services_schema_is_named(tmp_path):
    """The same for `ecpos sim serve` and its request schema (simulator/schema/): exit 2 naming the file."""
    import shutil
    from simulator import checker
    folder = tmp_path / "schema"
    shutil.copytree(checker.SCHEMA_DIR, folder)
    national = folder / "national.toml"
    national.write_bytes(national.read_bytes().replace(b"#", b"# \xd6\xd0", 1))
    code = ("import sys, pathlib, simulator.checker as c; c.SCHEMA_DIR = pathlib.Path(sys.argv[1]);"
            "from ecpos.main import main; sys.exit(main(sys.argv[2:]))")
    r = subprocess.run([sys.executable, "-c", code, str(folder), "sim", "serve", "--port", "0", "--db",
                        str(tmp_path / "sim.db")], capture_output=True, text=True, cwd=ROOT, timeout=60,
                       env={k: v for k, v in os.environ.items() if not k.startswith("ECPOS_")})
    assert r.returncode == 2 and "[sim_schema_damaged]" in r.stderr and "national.toml" in r.stderr, r.stderr
