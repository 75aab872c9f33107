"""The journal: file mode, durability settings, request written before it is sent, masking, audit chain."""
from __future__ import annotations

import json
import os
import sqlite3
import stat
from decimal import Decimal

import pytest

from simulator import roster
from terminal import config
from terminal.counter import Counter, Item
from terminal.errors import PlatformUnknown
from terminal.journal.journal import Journal
from terminal.wire.wire import JournaledClient

from tests.engine.helpers import ecpos


@pytest.fixture
def cfg(tmp_path):
    return config.load(profile="pharmacy", data_dir=tmp_path / "data", center_url="http://127.0.0.1:9", env={})


def test_file_is_private_wal_and_fully_synchronous(cfg):
    j = Journal.for_config(cfg)
    assert stat.S_IMODE(os.stat(j.path).st_mode) == 0o600
    assert j.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert j.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    j.audit("written", "c1")
    wal = j.path.with_name(j.path.name + "-wal")
    assert wal.exists() and stat.S_IMODE(os.stat(wal).st_mode) == 0o600
    j.close()


class _Answer:
    status_code = 200

    def __init__(self, body: dict):
        self.content = json.dumps(body).encode()


class _Session:
    """Checks the journal at the moment of sending; answers, or loses the answer."""

    def __init__(self, journal: Journal, lose: bool = False):
        self.journal, self.lose, self.seen = journal, lose, []

    def post(self, url, data, headers, timeout, verify, allow_redirects=True):
        env = json.loads(data)
        row = self.journal.request(env["msgid"])
        self.seen.append(row["state"] if row else None)
        if self.lose:
            import requests
            raise requests.exceptions.ReadTimeout("read timed out")
        return _Answer({"infcode": 0, "output": {"baseinfo": {"psn_no": "1", "psn_name": "张三",
                                                               "certno": "320102198001011238"}}})

    def close(self):  # requests.Session's: the client drops idle kept-alive connections
        pass


def test_request_is_journaled_before_it_is_sent_and_its_answer_after(cfg):
    j = Journal.for_config(cfg)
    session = _Session(j)
    client = JournaledClient(cfg, j, session=session)
    out = client.call("1101", {"data": {"mdtrt_cert_type": "02", "certno": "320102198001011238",
                                        "psn_name": "张三"}})
    assert out["baseinfo"]["psn_no"] == "1"
    assert session.seen == ["sending"]
    [row] = j.query("SELECT * FROM requests")
    assert row["state"] == "ok" and row["infno"] == "1101"
    text = row["request"] + row["answer"]
    assert "320102198001011238" not in text and "张三" not in text
    assert "3201**********1238" in text and "张*" in text
    j.close()


def test_lost_answer_is_recorded_unknown(cfg):
    j = Journal.for_config(cfg)
    client = JournaledClient(cfg, j, session=_Session(j, lose=True))
    with pytest.raises(PlatformUnknown):
        client.call("2102", {"druginfo": {}})
    assert j.query("SELECT state FROM requests")[0]["state"] == "unknown"
    j.close()


def test_no_qr_code_name_or_id_number_in_the_file(sim, make_cfg):
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    person = roster.get("3201000000000001")
    code = sim.code(person.psn_no)
    with Counter(cfg) as c:
        s = c.settle(c.presettle(c.identify(code), [Item("XA01", "阿莫西林", Decimal("1"), Decimal("9.90"))]))
        c.journal.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    blob = b"".join(p.read_bytes() for p in cfg.data_dir.glob("journal.sqlite3*"))
    for secret in (code, person.certno, person.name):
        assert secret.encode() not in blob
    assert s.setl_id.encode() in blob and person.psn_no.encode() in blob  # what refunds need stays


def test_audit_chain_verifies_and_detects_tampering(cfg):
    j = Journal.for_config(cfg)
    for n in range(5):
        j.audit("event", "c1", n=n)
    assert j.verify_chain().ok and j.verify_chain().rows == 5
    with pytest.raises(sqlite3.DatabaseError):
        j.conn.execute("UPDATE audit SET data='{}' WHERE seq=3")
    with pytest.raises(sqlite3.DatabaseError):
        j.conn.execute("DELETE FROM audit WHERE seq=5")
    assert ecpos(cfg, "journal", "--verify").returncode == 0
    # Someone with the file drops the trigger and edits a row: the chain shows where.
    j.conn.execute("DROP TRIGGER audit_no_update")
    j.conn.execute("UPDATE audit SET data='{\"n\":99}' WHERE seq=3")
    report = j.verify_chain()
    assert not report.ok and report.bad_seq == 3
    j.close()
    r = ecpos(cfg, "journal", "--verify", "--json")
    assert r.returncode == 2 and json.loads(r.stdout)["bad_seq"] == 3
