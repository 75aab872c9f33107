"""The journal proves itself: a keyed chain over every change of sales, refunds, outbox, audit, operators and PIN
lockout rows, its secret and head outside the journal file; an edited row, a rehashed chain, a deleted tail, an
emptied or a deleted journal are each caught, and a till that had a journal never starts a new one silently."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from terminal import config
from terminal.journal import chain, journal as journal_mod
from terminal.errors import OperatorError
from terminal.journal import operators as pins
from terminal.office import operators
from terminal.journal.chain import ChainError, Signer
from terminal.counter import Counter, Item
from terminal.journal.journal import Journal
from terminal.sale.sales import SaleStore
from terminal.journal.tillkeys import Head, TillKeys, default_dir, witness_dir

from tests.engine.helpers import PIN, SUPERVISOR_PIN, behind_ecpos, ecpos, ecpos_json, journal_rows, staff

ITEMS = [Item("XA01", "阿莫西林胶囊", Decimal("3"), Decimal("12.50"))]
PIN_ENV = {"ECPOS_SUPERVISOR_PIN": SUPERVISOR_PIN, "ECPOS_PIN": PIN}  # supervisor and cashier


def journal_file(cfg) -> Path:
    return cfg.data_dir / "journal.sqlite3"


def shell(cfg, sql: str) -> subprocess.CompletedProcess:
    """The real sqlite3 shell on the journal: what someone with the file and no ecpos would use."""
    return subprocess.run(["sqlite3", str(journal_file(cfg)), sql], capture_output=True, text=True, timeout=30)


def triggers(cfg, like: str) -> list[tuple[str, str]]:
    c = sqlite3.connect(journal_file(cfg))
    try:
        return c.execute("SELECT name, sql FROM sqlite_master WHERE type='trigger' AND name LIKE ?",
                         (like,)).fetchall()
    finally:
        c.close()


def edit_behind_ecpos(cfg, sql: str, *, restore_triggers: bool = True) -> None:
    """Drop the chain's triggers, change rows, and (the careful forger) put the same triggers back."""
    saved = triggers(cfg, f"chain{chain.VERSION}_%")
    script = "".join(f"DROP TRIGGER {n};" for n, _ in saved) + sql
    if restore_triggers:
        script += "".join(f"{s};" for _, s in saved)
    r = shell(cfg, script)
    assert r.returncode == 0, r.stderr


@pytest.fixture
def till(sim, make_cfg):
    """A till with staff, a settled sale, and a refund queued while the platform was down (sim stopped)."""
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    staff(cfg)
    person = sim.person("active", insutype="310")
    with Counter(cfg) as c:
        s = c.settle(c.presettle(c.identify(sim.code(person["psn_no"])), ITEMS))
    sim.stop()
    out = ecpos_json(cfg, "refund", s.setl_id, "--reason", "顾客退药", "--cashier", "c1", "--supervisor", "s1",
                     env=PIN_ENV, expect=3)
    assert out["status"] == "queued"
    return cfg, s


def verify(cfg, expect: int) -> dict:
    r = ecpos(cfg, "journal", "--verify", "--json")
    assert r.returncode == expect, f"exit {r.returncode}\n{r.stdout}\n{r.stderr}"
    return json.loads(r.stdout) if r.stdout else {"stderr": r.stderr}


def head_file(cfg) -> dict:
    head = TillKeys(default_dir(cfg.data_dir)).head()
    return {"seq": head.seq, "mac": head.mac}


def test_a_good_journal_verifies_and_its_head_and_secret_live_outside_it(till):
    cfg, s = till
    out = verify(cfg, 0)
    assert out["status"] == "ok" and out["chain"]["ok"]
    # Every change was chained: the sale's insert and updates, the refund, the outbox row, the audit rows.
    j = Journal.for_config(cfg)
    ops = j.query("SELECT tbl, op, count(*) n FROM chain GROUP BY tbl, op")
    j.close()
    seen = {(r["tbl"], r["op"]) for r in ops}
    assert {("sales", "i"), ("sales", "u"), ("refunds", "i"), ("outbox", "i"), ("audit", "i")} <= seen
    head = head_file(cfg)
    assert out["chain"]["head_seq"] == head["seq"] == out["chain"]["entries"] > 5
    keys = default_dir(cfg.data_dir)
    assert keys.parent == cfg.data_dir.parent and not keys.is_relative_to(cfg.data_dir)
    assert stat.S_IMODE(keys.stat().st_mode) == 0o700
    for f in ("chain.key", "chain.head"):
        assert stat.S_IMODE((keys / f).stat().st_mode) == 0o600
    secret = (keys / "chain.key").read_text()
    assert secret.encode() not in journal_file(cfg).read_bytes()
    text = ecpos(cfg, "journal", "--verify")
    assert text.returncode == 0 and f"第 {head['seq']} 条 {head['mac'][:16]}" in text.stdout


def test_a_raw_edit_with_the_sqlite3_shell_fails(till):
    cfg, s = till
    r = shell(cfg, "UPDATE sales SET medfee_sumamt='0.01'")
    assert r.returncode != 0 and "no such function" in r.stderr
    r = shell(cfg, "DELETE FROM refunds")
    assert r.returncode != 0
    assert ecpos_json(cfg, "journal")[0]["medfee_sumamt"] == "37.50"
    verify(cfg, 0)


@pytest.mark.parametrize("sql, table", [
    ("UPDATE sales SET medfee_sumamt='3.75';", "sales"),
    ("UPDATE refunds SET status='refunded';", "refunds"),  # the queued refund would never be sent
    ("UPDATE outbox SET done_at='2026-01-01';", "outbox"),
    ("DELETE FROM outbox;", "outbox"),
    ("INSERT INTO sales(profile, opter, pid, created_at, day, status, status_at) "
     "VALUES ('pharmacy','c1',1,'x','2026-01-01','settled','x');", "sales"),
    # A cashier makes themself a supervisor, or puts their own PIN hash on the supervisor's row: either
    # would let them authorize refunds.
    ("UPDATE operators SET role='supervisor' WHERE id='c1';", "operators"),
    ("UPDATE operators SET (salt, pin_hash) = (SELECT salt, pin_hash FROM operators WHERE id='c1') "
     "WHERE id='s1';", "operators"),
])
def test_an_edited_row_is_caught(till, sql, table):
    cfg, s = till
    edit_behind_ecpos(cfg, sql)  # triggers put back exactly as they were: only the rows tell
    out = verify(cfg, 2)
    assert out["status"] == "broken" and not out["chain"]["ok"]
    assert out["chain"]["table"] == table and "outside ecpos" in out["chain"]["reason"]
    r = ecpos(cfg, "journal", "--verify")
    assert "[journal_chain_broken]" in r.stderr and "联系信息科" in r.stderr


def test_dropped_triggers_are_recorded_and_caught_even_after_ecpos_puts_them_back(till):
    cfg, s = till
    edit_behind_ecpos(cfg, "UPDATE sales SET note='x';", restore_triggers=False)
    out = verify(cfg, 2)
    assert "triggers dropped" in out["chain"]["reason"] and "sales 1 changed" in out["chain"]["reason"]
    assert triggers(cfg, f"chain{chain.VERSION}_sales_%")  # back in place: later changes are chained again
    verify(cfg, 2)  # and the finding stays in the chain for good


def test_an_operator_made_supervisor_with_the_sqlite3_shell_fails_and_behind_dropped_triggers_is_caught(till):
    cfg, s = till
    r = shell(cfg, "UPDATE operators SET role='supervisor' WHERE id='c1'")
    assert r.returncode != 0 and "no such function" in r.stderr
    assert {o["id"]: o["role"] for o in ecpos_json(cfg, "operator", "list")}["c1"] == "cashier"
    verify(cfg, 0)
    edit_behind_ecpos(cfg, "UPDATE operators SET role='supervisor' WHERE id='c1';", restore_triggers=False)
    r = ecpos(cfg, "journal", "--verify")  # this open records what it found; verify reports it
    assert r.returncode == 2 and "[journal_chain_broken]" in r.stderr
    assert "triggers dropped" in r.stderr and "operators 1 changed outside ecpos" in r.stderr
    assert triggers(cfg, f"chain{chain.VERSION}_operators_%")  # back in place
    assert shell(cfg, "UPDATE operators SET role='admin' WHERE id='c1'").returncode != 0


def test_a_rewritten_and_rehashed_chain_does_not_verify(till):
    cfg, s = till
    # The forger edits the amount, recomputes every entry with the same algorithm (HMAC-SM3) under a key of
    # their own - the till's secret is not in the journal file - and brings the head into line too.
    edit_behind_ecpos(cfg, "DROP TRIGGER chain_no_update; UPDATE sales SET medfee_sumamt='3.75';")
    forged = Signer(os.urandom(32))
    c = sqlite3.connect(journal_file(cfg))
    c.create_function("ecpos_sm3", 1, chain.sm3_hex)
    now = chain.current_rows(c, "sales")
    prev = ""
    for seq, tbl, key, op, h, note in c.execute(
            "SELECT seq, tbl, key, op, row_hash, note FROM chain ORDER BY seq").fetchall():
        if tbl == "sales" and op != "d" and seq == c.execute(
                "SELECT max(seq) FROM chain WHERE tbl='sales' AND key=?", (key,)).fetchone()[0]:
            h = now[key]
        prev = forged.mac(prev, seq, tbl, key, op, h, note)
        c.execute("UPDATE chain SET row_hash=?, mac=? WHERE seq=?", (h, prev, seq))
    c.commit()
    c.close()
    # Without the head: the journal no longer matches the head kept outside it - refused at once.
    r = ecpos(cfg, "sync")
    assert r.returncode == 2 and "[journal_replaced]" in r.stderr
    seq = head_file(cfg)["seq"]
    (default_dir(cfg.data_dir) / "chain.head").unlink()
    TillKeys(default_dir(cfg.data_dir)).advance(seq, prev)
    # Nor without the machine's witness of the head (the user's state folder): brought into line as well.
    r = ecpos(cfg, "sync")
    assert r.returncode == 2 and "[journal_replaced]" in r.stderr and "本机记录的链头" in r.stderr
    secret = bytes.fromhex((default_dir(cfg.data_dir) / "chain.key").read_text().strip())
    TillKeys(witness_dir(chain.sm3_hex(secret.hex())[:16])).reset(seq, prev)
    out = verify(cfg, 2)
    assert out["chain"]["bad_seq"] == 1 and "without this till's secret" in out["chain"]["reason"]


def test_a_deleted_tail_is_caught(till):
    cfg, s = till
    # The forger cuts the journal back to before the refund was queued: the refund, its outbox row and
    # their chain entries go, every remaining row matches its chain and every MAC is right. Only the head
    # kept outside the file knows the chain went further.
    j = Journal.for_config(cfg)
    first = j.query("SELECT min(seq) s FROM chain WHERE tbl='refunds'")[0]["s"]
    j.close()
    edit_behind_ecpos(cfg, "DROP TRIGGER chain_no_delete;"
                           f"DELETE FROM chain WHERE seq >= {first}; DELETE FROM outbox; DELETE FROM refunds;"
                           "UPDATE sales SET status='settled';")
    c = sqlite3.connect(journal_file(cfg))
    c.create_function("ecpos_sm3", 1, chain.sm3_hex)
    row = chain.current_rows(c, "sales")[1]
    c.close()
    assert row != "" and first > 1
    for args in (("journal", "--verify"), ("sync",), ("journal",)):
        r = ecpos(cfg, *args)
        assert r.returncode == 2, (args, r.stderr)
        assert "[journal_tail_missing]" in r.stderr and "最新的备份" in r.stderr


def test_an_older_backup_is_refused_until_accepted_and_the_loss_is_audited(till):
    cfg, s = till
    backup = cfg.data_dir.parent / "backup.sqlite3"
    j = Journal.for_config(cfg)
    j.conn.execute(f"VACUUM INTO '{backup}'")  # a proper backup, taken before more work
    _move(j, s.sale_id, "settled", note="after the backup")
    head = j.chain_head()
    j.close()
    for p in cfg.data_dir.glob("journal.sqlite3*"):
        p.unlink()
    shutil.copy(backup, journal_file(cfg))
    r = ecpos(cfg, "sync")
    assert r.returncode == 2 and "[journal_tail_missing]" in r.stderr and "--accept-restored" in r.stderr
    r = ecpos(cfg, "journal", "--accept-restored")
    assert r.returncode == 0, r.stderr
    assert f"–{head[0]} 条变更已丢失" in r.stderr
    j = Journal.for_config(cfg)
    [event] = j.query("SELECT data FROM audit WHERE event='journal_restored_older'")
    assert json.loads(event["data"])["lost"] == 1 and json.loads(event["data"])["head_was"] == head[0]
    j.close()
    [row] = ecpos_json(cfg, "journal")
    assert row["status"] == "refund_queued"  # the restored journal still holds the queued refund
    verify(cfg, 0)


def test_an_older_backup_that_was_edited_is_not_accepted(till):
    cfg, s = till
    backup = cfg.data_dir.parent / "backup.sqlite3"
    j = Journal.for_config(cfg)
    j.conn.execute(f"VACUUM INTO '{backup}'")
    _move(j, s.sale_id, "settled", note="after the backup")
    j.close()
    for p in cfg.data_dir.glob("journal.sqlite3*"):
        p.unlink()
    shutil.copy(backup, journal_file(cfg))
    c = sqlite3.connect(journal_file(cfg))
    like = f"chain{chain.VERSION}_refunds_%"
    for name, in c.execute("SELECT name FROM sqlite_master WHERE name LIKE ?", (like,)).fetchall():
        c.execute(f"DROP TRIGGER {name}")
    c.execute("UPDATE refunds SET status='refunded'")
    c.commit()
    c.close()
    r = ecpos(cfg, "journal", "--accept-restored")
    assert r.returncode == 2 and "[journal_chain_broken]" in r.stderr
    assert ecpos(cfg, "sync").returncode == 2  # still refused


def test_the_day_close_carries_the_head(sim, make_cfg):
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    person = sim.person("active", insutype="310")
    with Counter(cfg) as c:
        s = c.settle(c.presettle(c.identify(sim.code(person["psn_no"])), ITEMS))
    out = ecpos_json(cfg, "reconcile", "--date", s.setl_time[:10])
    assert out["chain_head"] == {"seq": head_file(cfg)["seq"], "mac": head_file(cfg)["mac"]}
    assert out["chain_head"]["seq"] > 0
    r = ecpos(cfg, "reconcile", "--date", s.setl_time[:10])
    assert f"日志链头 第 {out['chain_head']['seq']} 条 {out['chain_head']['mac'][:16]}" in r.stdout
    slip = f"{out['chain_head']['seq']}:{out['chain_head']['mac'][:16]}"
    assert ecpos_json(cfg, "journal", "--verify", "--slip", slip)["slip"]["ok"] is True
    assert ecpos(cfg, "journal", "--verify", "--slip", "42").returncode == 2  # says how to write it


def test_the_slip_catches_a_cut_made_by_someone_who_also_reset_the_head(sim, make_cfg):
    # Someone with the journal and the key dir cannot forge a MAC, but can put back an older copy and set
    # the head to its end: the journal and the head agree again. The head printed on the slip does not.
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    person = sim.person("active", insutype="310")
    with Counter(cfg) as c:
        s = c.settle(c.presettle(c.identify(sim.code(person["psn_no"])), ITEMS))
    older = cfg.data_dir.parent / "older.sqlite3"
    j = Journal.for_config(cfg)
    j.conn.execute(f"VACUUM INTO '{older}'")
    with j.tx() as c:  # any later change (here a note) moves the head past the copy
        c.execute("UPDATE sales SET note='after the copy' WHERE id=?", (s.sale_id,))
    j.close()
    out = ecpos_json(cfg, "reconcile", "--date", s.setl_time[:10])
    slip = f"{out['chain_head']['seq']}:{out['chain_head']['mac'][:16]}"
    for p in cfg.data_dir.glob("journal.sqlite3*"):
        p.unlink()
    shutil.copy(older, journal_file(cfg))
    c = sqlite3.connect(journal_file(cfg))
    end = c.execute("SELECT seq, mac FROM chain ORDER BY seq DESC LIMIT 1").fetchone()
    c.close()
    TillKeys(default_dir(cfg.data_dir)).reset(*end)
    r = ecpos(cfg, "journal", "--verify")  # this machine's witness of the head saw further
    assert r.returncode == 2 and "[journal_restored]" in r.stderr
    secret = bytes.fromhex((default_dir(cfg.data_dir) / "chain.key").read_text().strip())
    # reset too (test_restore.py; the README: what a till alone cannot prove)
    TillKeys(witness_dir(chain.sm3_hex(secret.hex())[:16])).reset(*end)
    verify(cfg, 0)  # consistent in itself ...
    r = ecpos(cfg, "journal", "--verify", "--slip", slip)
    assert r.returncode == 2 and "[journal_slip_missing]" in r.stderr  # ... but not with the slip


COMMANDS = [("sync",), ("journal",), ("journal", "--verify"), ("stats", "--from", "2026-01-01", "--to", "2026-12-31"),
            ("reconcile", "--date", "2026-01-01"), ("operator", "list"),
            ("refund", "S1", "--reason", "顾客退药", "--cashier", "c1", "--supervisor", "s1")]


def test_an_emptied_journal_is_refused_by_every_command(till):
    cfg, s = till
    journal_file(cfg).write_bytes(b"")
    for args in COMMANDS:
        r = ecpos(cfg, *args, env=PIN_ENV)
        assert r.returncode == 2, (args, r.stderr)
        assert "[journal_emptied]" in r.stderr and "从备份恢复" in r.stderr, (args, r.stderr)
    assert journal_file(cfg).stat().st_size == 0  # nothing was started in its place


def test_a_journal_replaced_by_a_fresh_empty_one_is_refused(till):
    cfg, s = till
    for p in cfg.data_dir.glob("journal.sqlite3*"):
        p.unlink()
    assert shell(cfg, "CREATE TABLE sales(id INTEGER PRIMARY KEY);").returncode == 0
    r = ecpos(cfg, "sync")
    assert r.returncode == 2 and "[journal_emptied]" in r.stderr


def test_a_deleted_journal_is_refused_by_every_command_and_restoring_it_brings_the_refund_back(till):
    cfg, s = till
    backup = cfg.data_dir.parent / "backup.sqlite3"
    src = sqlite3.connect(journal_file(cfg))
    dst = sqlite3.connect(backup)
    src.backup(dst)
    src.close()
    dst.close()
    for p in cfg.data_dir.glob("journal.sqlite3*"):
        p.unlink()
    for args in COMMANDS:
        r = ecpos(cfg, *args, env=PIN_ENV)
        assert r.returncode == 2, (args, r.stderr)
        assert "[journal_missing]" in r.stderr and "从备份恢复" in r.stderr, (args, r.stderr)
    assert not journal_file(cfg).exists()  # not recreated empty: the queued refund is not silently gone
    shutil.copy(backup, journal_file(cfg))
    [row] = ecpos_json(cfg, "journal")
    assert row["status"] == "refund_queued"
    verify(cfg, 0)


def test_a_brand_new_till_starts_normally_with_a_configured_key_dir(make_cfg, tmp_path):
    cfg = make_cfg("pharmacy", {"center.url": "http://127.0.0.1:9", "journal.key_dir": str(tmp_path / "k")})
    assert ecpos_json(cfg, "operator", "list") == []
    assert (tmp_path / "k" / "chain.key").exists() and (tmp_path / "k" / "chain.head").exists()
    assert not default_dir(cfg.data_dir).exists()
    verify(cfg, 0)


def _old_release_journal(path: Path) -> None:
    """A journal as the previous release left it: its schema, rows, and no chain."""
    path.parent.mkdir(parents=True)
    c = sqlite3.connect(path)
    from terminal.journal import audit
    c.executescript(journal_mod.SCHEMA + audit.SCHEMA + pins.SCHEMA)
    c.execute("INSERT INTO sales(profile, opter, pid, created_at, day, status, status_at, setl_id, "
              "medfee_sumamt) VALUES ('pharmacy','c1',1,'t','2026-11-28','refund_queued','t','S1','37.50')")
    c.execute("INSERT INTO refunds(sale_id, setl_id, amount, reason, cashier, supervisor, status, created_at) "
              "VALUES (1,'S1','37.50','顾客退药','c1','s1','queued','t')")
    c.execute("INSERT INTO outbox(kind, ref, created_at) VALUES ('refund','1','t')")
    audit.append(c, "refund_queued", "s1", refund_id=1)
    c.execute("INSERT INTO operators(id, role, salt, pin_hash, params, created_at, changed_at) "
              "VALUES ('s1','supervisor','00','00','n=16384,r=8,p=1','t','t')")
    c.commit()
    c.close()


def test_a_journal_of_the_previous_release_is_chained_once_and_audited(tmp_path):
    path = tmp_path / "data" / "journal.sqlite3"
    _old_release_journal(path)
    j = Journal(path)
    migrated = j.query("SELECT tbl, key FROM chain WHERE op='m' ORDER BY seq")
    assert [(r["tbl"], r["key"]) for r in migrated] == [("sales", 1), ("refunds", 1), ("outbox", 1), ("audit", 1),
                                                         ("operators", 1)]
    [event] = j.query("SELECT data FROM audit WHERE event='journal_chained'")
    assert json.loads(event["data"])["refunds"] == 1
    assert j.verify_rows().ok and j.verify_chain().ok
    entries = j.verify_rows().entries
    j.close()
    j = Journal(path)  # opened again: nothing chained twice
    assert j.verify_rows().entries == entries
    j.close()
    c = sqlite3.connect(path)
    c.execute(f"DROP TRIGGER chain{chain.VERSION}_refunds_u")
    c.execute("UPDATE refunds SET status='refunded'")
    c.commit()
    c.close()
    j = Journal(path)
    assert not j.verify_rows().ok
    j.close()


def _new_sale(j: Journal, opter: str) -> int:
    """A pending sale, written as ecpos writes sales (terminal/sale/sales.py)."""
    store = SaleStore(j)
    with store.tx() as c:
        return store.open(c, "pharmacy", opter)


def _move(j: Journal, sale_id: int, to: str, **fields) -> None:
    store = SaleStore(j)
    with store.tx() as c:
        store.move(c, sale_id, to, **fields)


NO_CENTER = {"center.url": "http://127.0.0.1:9"}  # these tests never call the platform
V1_CHAINED = ("sales", "refunds", "outbox", "audit")  # what the triggers of chain version 1 chained
assert chain.chained_by(1) == V1_CHAINED


def _older_journal(cfg, monkeypatch, version: int = 1) -> None:
    """A journal as the release with that chain version left it: its chainN_* triggers on the tables it
    chained only, staff, a sale and a wrong PIN written under them, so the rows of the tables it did not
    chain are not in the chain. Made by this code with that release's two settings: its triggers come from
    the same template (chain.trigger_sql)."""
    tables = chain.chained_by(version)
    with monkeypatch.context() as m:
        m.setattr(chain, "VERSION", version)
        m.setattr(chain, "CHAINED", tables)
        staff(cfg)
        j = Journal.for_config(cfg)
        _move(j, _new_sale(j, "c1"), "settled", medfee_sumamt="12.00")
        with pytest.raises(OperatorError):
            pins.verify(j, "s1", "0000")  # one failure booked in pin_failures
        j.close()
    c = sqlite3.connect(journal_file(cfg))
    names = list(chain.installed_triggers(c))
    c.close()
    assert sorted({n.split("_", 1)[1].rsplit("_", 1)[0] for n in names}) == sorted(tables)
    assert all(n.startswith(f"chain{version}_") for n in names)


def _chain(cfg, where: str = "1") -> list[tuple]:
    c = sqlite3.connect(journal_file(cfg))
    try:
        return c.execute(f"SELECT tbl, key, op FROM chain WHERE {where} ORDER BY seq").fetchall()
    finally:
        c.close()


@pytest.mark.parametrize("version", range(1, chain.VERSION))
def test_a_journal_of_an_older_chain_version_gets_the_tables_it_did_not_chain_chained_once(
        make_cfg, monkeypatch, version):
    cfg = make_cfg("pharmacy", NO_CENTER)
    _older_journal(cfg, monkeypatch, version)
    new = [t for t in chain.CHAINED if t not in chain.chained_by(version)]
    assert ("operators" in new) == (version == 1) and "pin_failures" in new
    c = sqlite3.connect(journal_file(cfg))
    rows = {t: [k for k, in c.execute(f"SELECT rowid FROM {t} ORDER BY rowid")] for t in new}
    c.close()
    assert rows["pin_failures"] == [1] and rows.get("operators", [1, 2]) == [1, 2]  # c1, s1
    assert all(_chain(cfg, f"tbl='{t}'") == [] for t in new)
    out = verify(cfg, 0)  # this process opens it: older triggers replaced, new tables chained as found
    assert _chain(cfg, "op='t'") == []  # no tampering note: older triggers, not dropped ones
    for t in new:
        assert _chain(cfg, f"tbl='{t}'") == [(t, k, "m") for k in rows[t]]
    c = sqlite3.connect(journal_file(cfg))
    [event] = [json.loads(d) for d, in c.execute("SELECT data FROM audit WHERE event='journal_chained'")]
    have = list(chain.installed_triggers(c))
    c.close()
    assert f"chain version {version} did not chain: {', '.join(new)}" in event["why"]
    assert all(event[t] == len(rows[t]) for t in new)
    assert len(have) == 3 * len(chain.CHAINED) and all(n.startswith(f"chain{chain.VERSION}_") for n in have)
    head = head_file(cfg)
    again = verify(cfg, 0)  # a usual open: nothing chained twice, nothing written
    assert again["chain"]["entries"] == out["chain"]["entries"] and head_file(cfg) == head
    r = shell(cfg, "UPDATE operators SET role='supervisor' WHERE id='c1'")
    assert r.returncode != 0 and "no such function" in r.stderr
    edit_behind_ecpos(cfg, "UPDATE operators SET role='supervisor' WHERE id='c1';")
    out = verify(cfg, 2)
    assert (out["chain"]["table"], out["chain"]["row"]) == ("operators", 1)
    assert "operators row 1 changed outside ecpos" in out["chain"]["reason"]


def test_a_row_edited_under_chain_version_1_is_still_reported_after_the_upgrade(make_cfg, monkeypatch):
    cfg = make_cfg("pharmacy", NO_CENTER)
    _older_journal(cfg, monkeypatch)
    behind_ecpos(journal_file(cfg), "UPDATE sales SET medfee_sumamt='1.00'", "chain1_%")
    out = verify(cfg, 2)
    assert "sales 1 changed outside ecpos" in out["chain"]["reason"]
    assert "operators" not in out["chain"]["reason"]  # newly chained, not reported as added
    assert _chain(cfg, "tbl='operators'") == [("operators", 1, "m"), ("operators", 2, "m")]


def test_triggers_renamed_to_look_like_chain_version_1_do_not_launder_an_operator_edit(make_cfg, monkeypatch):
    cfg = make_cfg("pharmacy", NO_CENTER)
    staff(cfg)  # this release: the operators rows are in the chain
    c = sqlite3.connect(journal_file(cfg))
    for name in chain.installed_triggers(c):
        c.execute(f"DROP TRIGGER {name}")
    c.execute("UPDATE operators SET role='supervisor' WHERE id='c1'")
    with monkeypatch.context() as m:  # the forger puts back what version 1 had
        m.setattr(chain, "VERSION", 1)
        m.setattr(chain, "CHAINED", V1_CHAINED)
        for sql in chain.expected_triggers(c).values():
            c.execute(sql)
    c.commit()
    c.close()
    out = verify(cfg, 2)
    assert "operators 1 changed outside ecpos" in out["chain"]["reason"]
    assert _chain(cfg, "tbl='operators' AND op='m'") == []


def test_a_new_column_rechains_its_table_but_not_an_edit_made_before(tmp_path, monkeypatch):
    path = tmp_path / "data" / "journal.sqlite3"
    j = Journal(path)
    sid = _new_sale(j, "c1")
    _move(j, sid, "settled", medfee_sumamt="12.00")
    j.close()
    monkeypatch.setattr(journal_mod, "COLUMNS", [("sales", "extra", "TEXT NOT NULL DEFAULT ''")])
    j = Journal(path)
    assert j.verify_rows().ok
    assert j.query("SELECT op FROM chain WHERE tbl='sales' ORDER BY seq DESC LIMIT 1")[0]["op"] == "m"
    _move(j, sid, "settled", note="x")  # the new triggers cover the new column's rows
    assert j.verify_rows().ok
    j.close()
    # Someone edits behind ecpos and restores the triggers; then an upgrade reshapes the rows: the
    # edit is found before the re-chaining, so it is not laundered.
    behind_ecpos(path, "UPDATE sales SET medfee_sumamt='1.00'", f"chain{chain.VERSION}_%")
    monkeypatch.setattr(journal_mod, "COLUMNS", [("sales", "extra", "TEXT NOT NULL DEFAULT ''"),
                                                 ("sales", "extra2", "TEXT NOT NULL DEFAULT ''")])
    j = Journal(path)
    proof = j.verify_rows()
    j.close()
    assert not proof.ok and "sales 1 changed outside ecpos" in proof.reason


def test_two_connections_writing_keep_one_chain_and_the_newest_head(tmp_path):
    path = tmp_path / "data" / "journal.sqlite3"
    a, b = Journal(path), Journal(path)
    for n in range(5):
        _new_sale(a if n % 2 else b, f"c{n}")
    assert a.verify_rows().ok and a.chain_head()[0] == 5 == b.verify_rows().entries
    a.close()
    b.close()


def test_verify_while_another_connection_keeps_writing_sees_one_snapshot(tmp_path):
    import threading
    path = tmp_path / "data" / "journal.sqlite3"
    reader, writer = Journal(path), Journal(path)
    sid = _new_sale(writer, "c1")
    stop, writes = threading.Event(), []

    def sell():
        while not stop.is_set():
            _move(writer, sid, "pending", note=str(len(writes)))
            writes.append(1)
    t = threading.Thread(target=sell)
    t.start()
    try:
        proofs = []
        while len(proofs) < 30 or len(writes) < 30:  # verifies interleaved with the other side's commits
            proofs.append(reader.verify_rows())
    finally:
        stop.set()
        t.join()
    assert all(p.ok for p in proofs), [p for p in proofs if not p.ok][:1]
    reader.close()
    writer.close()


def test_no_sm3_in_the_crypto_backend_fails_loudly(tmp_path, monkeypatch):
    from cryptography.exceptions import UnsupportedAlgorithm

    def no_sm3(*a, **kw):
        raise UnsupportedAlgorithm("sm3 is not supported by this backend")
    monkeypatch.setattr(chain.hmac, "HMAC", no_sm3)
    with pytest.raises(ChainError) as e:
        Journal(tmp_path / "data" / "journal.sqlite3")
    assert e.value.key == "chain_sm3_unavailable" and e.value.exit_code == 2 and "SM3" in e.value.message


def test_a_lost_key_is_refused(tmp_path):
    path = tmp_path / "data" / "journal.sqlite3"
    j = Journal(path)
    _new_sale(j, "c1")
    j.close()
    (default_dir(path.parent) / "chain.key").unlink()
    with pytest.raises(ChainError) as e:
        Journal(path)
    assert e.value.key == "chain_key_missing" and "从备份恢复" in e.value.message


def test_a_torn_head_slot_falls_back_to_the_other_and_the_head_only_moves_forward(tmp_path):
    keys = TillKeys(tmp_path / "k")
    keys.advance(0, "")
    keys.advance(3, "c" * 64)
    keys.advance(7, "d" * 64)
    keys.advance(5, "e" * 64)  # a process that committed earlier writes late: ignored
    assert keys.head() == Head(7, "d" * 64)
    raw = bytearray(keys.head_path.read_bytes())
    at = raw.index(b'"seq":7')
    raw[at + 6] = ord("9")  # a torn write of the newest slot (power cut): its CRC no longer matches
    keys.head_path.write_bytes(bytes(raw))
    assert keys.head() == Head(3, "c" * 64)  # the previous head: behind the journal, never ahead of it
    keys.sync()
    assert stat.S_IMODE(keys.head_path.stat().st_mode) == 0o600


def test_config_names_the_key_dir(tmp_path):
    cfg = config.load(profile="pharmacy", data_dir=tmp_path / "d", env={})
    assert cfg.journal.key_dir == ""


def test_closing_a_journal_ends_its_head_syncer(tmp_path):
    """Each journal's head is synced by a background thread; closing the journal syncs and ends it, so a
    process that opens journal after journal (reports over other tills') does not keep one thread each."""
    import threading

    def syncers() -> int:
        return sum(1 for t in threading.enumerate() if t.name == "chain-head-sync" and t.is_alive())

    before = syncers()
    for n in range(5):
        j = Journal(tmp_path / f"till{n}" / "journal.sqlite3")
        _move(j, _new_sale(j, "c1"), "settled", medfee_sumamt="12.00")  # a chained write: the head moves
        assert before + 1 <= syncers() <= before + 2  # the head's (and its witness's, once it has moved)
        j.close()
        assert syncers() == before
        again = Journal(tmp_path / f"till{n}" / "journal.sqlite3")  # the head it left is the chain's end
        try:
            assert TillKeys(default_dir(tmp_path / f"till{n}")).head().seq == again.query(
                "SELECT max(seq) s FROM chain")[0]["s"]
        finally:
            again.close()


def test_a_refund_is_refused_on_a_sale_or_a_supervisor_changed_behind_ecpos(sim, make_cfg):
    # The forger who drops the triggers, edits and puts them back is caught by `journal --verify`; a refund must
    # not pay out on such rows before anyone runs it: it checks the sale's and the supervisor's rows itself.
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    staff(cfg)
    j = Journal.for_config(cfg)
    operators.add(j, "c2", "cashier", PIN)
    j.close()
    person = sim.person("active", insutype="310")
    with Counter(cfg) as c:
        first = c.settle(c.presettle(c.identify(sim.code(person["psn_no"])), ITEMS))
        second = c.settle(c.presettle(c.identify(sim.code(person["psn_no"])), ITEMS))

    def refund(setl_id: str, supervisor: str):
        return ecpos(cfg, "refund", setl_id, "--reason", "顾客退药", "--cashier", "c1", "--supervisor", supervisor,
                     env=PIN_ENV)

    # the cash part of the first sale raised: the drawer would hand it out
    edit_behind_ecpos(cfg, f"UPDATE sales SET psn_cash_pay='500.00' WHERE setl_id='{first.setl_id}';")
    r = refund(first.setl_id, "s1")
    assert r.returncode == 2 and "[refund_record_tampered]" in r.stderr and "被改动过" in r.stderr, r.stderr
    # a cashier made supervisor with the real supervisor's PIN hash copied in
    edit_behind_ecpos(cfg, "UPDATE operators SET role='supervisor', (salt, pin_hash, params) = "
                           "(SELECT salt, pin_hash, params FROM operators WHERE id='s1') WHERE id='c2';")
    r = refund(second.setl_id, "c2")
    assert r.returncode == 2 and "[refund_record_tampered]" in r.stderr and "c2" in r.stderr, r.stderr
    assert sim.ledger()["refunds"] == []  # nothing went to the platform for either

    out = ecpos_json(cfg, "refund", second.setl_id, "--reason", "顾客退药", "--cashier", "c1", "--supervisor", "s1",
                     env=PIN_ENV)  # an untouched sale, the real supervisor
    assert out["status"] == "refunded"
    whys = [json.loads(a["data"]).get("why")  # each refusal is in the audit trail, with why
            for a in journal_rows(cfg, "SELECT data FROM audit WHERE event='refund_refused'")]
    assert whys == ["refund_record_tampered", "refund_record_tampered"]
