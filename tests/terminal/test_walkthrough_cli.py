"""Walkthrough as a hospital IT admin: wrong configs, data dirs and inputs give a message that says what to do
(Chinese text + English key), the contract's exit code, and never a Python traceback."""
from __future__ import annotations

import io
import json

import pytest

from ecpos.main import main
from terminal import logs


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for var in ("ECPOS_CONFIG", "ECPOS_DATA_DIR", "ECPOS_CENTER_URL", "ECPOS_PROFILE", "ECPOS_PIN",
                "ECPOS_SUPERVISOR_PIN", "ECPOS_CREDENTIAL_ADAPTER", "ECPOS_CREDENTIAL_LIBRARY"):
        monkeypatch.delenv(var, raising=False)
    yield
    logs.close_file()  # release the data dir's log file


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def site(tmp_path, text: str):
    p = tmp_path / "site.toml"
    p.write_text(text, encoding="utf-8")
    return str(p)


@pytest.mark.parametrize("text, key, words", [
    ('[institution]\nfixmedins_code = "P1"\n', "config_value", ["institution.fixmedins_code", "12"]),
    ('[report]\nec_rate_target = "abc"\n', "config_value", ["report.ec_rate_target", "0.90"]),
    ('[refund]\nmax_queued_total = "lots"\n', "config_value", ["refund.max_queued_total"]),
    ('[center]\nurl = "notaurl"\n', "config_value", ["center.url", "http://"]),
    ('[refund]\nmax_age_dayz = 3\n', "config_unknown_key", ["refund.max_age_dayz", "max_age_days"]),
])
def test_wrong_config_value_is_a_message_not_a_traceback(capsys, tmp_path, text, key, words):
    rc, _, err = run(capsys, "--config", site(tmp_path, text), "--data-dir", str(tmp_path / "d"),
                     "stats", "--from", "2026-11-01", "--to", "2026-11-02")
    assert rc == 2
    assert "Traceback" not in err
    assert f"[{key}]" in err
    assert "配置" in err  # the admin reads Chinese first
    for w in words:
        assert w in err


def test_config_path_is_a_directory(capsys, tmp_path):
    rc, _, err = run(capsys, "--config", str(tmp_path), "--data-dir", str(tmp_path / "d"), "journal")
    assert rc == 2 and "Traceback" not in err
    assert "[config_missing]" in err or "[config_unreadable]" in err
    assert str(tmp_path) in err


def test_bad_profile_from_the_environment_names_the_variable(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("ECPOS_PROFILE", "shop")
    rc, _, err = run(capsys, "--data-dir", str(tmp_path / "d"), "journal")
    assert rc == 2 and "[config_value]" in err
    assert "ECPOS_PROFILE" in err and "pharmacy" in err


def test_data_dir_that_is_a_file(capsys, tmp_path):
    f = tmp_path / "afile"
    f.write_text("x")
    rc, _, err = run(capsys, "--data-dir", str(f), "journal")
    assert rc == 2 and "Traceback" not in err
    assert str(f) in err and "--data-dir" in err


def test_unexpected_error_prints_no_traceback(capsys, monkeypatch, tmp_path):
    from ecpos import commands

    def boom(args):
        raise RuntimeError("disk on fire")
    monkeypatch.setattr(commands, "cmd_journal", boom)
    rc, _, err = run(capsys, "--data-dir", str(tmp_path / "d"), "journal")
    assert rc == 1
    assert "Traceback" not in err
    assert "[internal_error]" in err and "disk on fire" in err


def test_verify_rejection_shows_the_english_key(capsys, tmp_path):
    rc, _, err = run(capsys, "--data-dir", str(tmp_path / "d"), "verify", "--qr", "134567890123456789")
    assert rc == 2
    assert "微信付款码" in err and "[code_rejected]" in err


def test_refund_without_pin_says_how_to_give_one(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("ECPOS_PIN", "2468")
    for op, role in (("c1", "cashier"), ("s1", "supervisor")):
        assert run(capsys, "--data-dir", str(tmp_path / "d"), "operator", "add", op, "--role", role)[0] == 0
    monkeypatch.setattr("sys.stdin", io.StringIO())  # no terminal to prompt on (ECPOS_PIN: the cashier's)
    rc, _, err = run(capsys, "--data-dir", str(tmp_path / "d"), "refund", "S1", "--reason", "退药",
                       "--cashier", "c1", "--supervisor", "s1")
    assert rc == 2 and "[refund_no_pin]" in err
    assert "ECPOS_SUPERVISOR_PIN" in err


def test_passwd_for_unknown_operator_says_what_to_do(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("ECPOS_PIN", "4321")
    rc, _, err = run(capsys, "--data-dir", str(tmp_path / "d"), "operator", "passwd", "nobody")
    assert rc == 2 and "[operator_unknown]" in err
    assert "ecpos operator add" in err or "ecpos operator list" in err


def test_empty_operator_list_says_how_to_add_one(capsys, tmp_path):
    rc, out, err = run(capsys, "--data-dir", str(tmp_path / "d"), "operator", "list")
    assert rc == 0
    assert "ecpos operator add" in out + err
    rc, out, _ = run(capsys, "--data-dir", str(tmp_path / "d"), "operator", "list", "--json")
    assert rc == 0 and json.loads(out) == []


def test_events_go_to_the_data_dirs_log_file(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("ECPOS_PIN", "4321")
    d = tmp_path / "d"
    rc, _, _ = run(capsys, "--data-dir", str(d), "operator", "passwd", "nobody")
    assert rc == 2
    log = d / "ecpos.log"
    assert log.exists()
    assert "operator_unknown" in log.read_text(encoding="utf-8")
    assert (log.stat().st_mode & 0o077) == 0  # owner only, like the journal


def test_broken_audit_chain_says_what_to_do(capsys, monkeypatch, tmp_path):
    import sqlite3
    monkeypatch.setenv("ECPOS_PIN", "2468")
    d = tmp_path / "d"
    assert run(capsys, "--data-dir", str(d), "operator", "add", "s1", "--role", "supervisor")[0] == 0
    c = sqlite3.connect(d / "journal.sqlite3")
    for (name,) in c.execute("SELECT name FROM sqlite_master WHERE type='trigger' AND tbl_name='audit'").fetchall():
        c.execute(f"DROP TRIGGER {name}")  # someone with the file and a SQLite shell
    c.execute("UPDATE audit SET actor='mallory'")
    c.commit()
    c.close()
    rc, out, err = run(capsys, "--data-dir", str(d), "journal", "--verify")
    assert rc == 2
    assert "审计链被篡改" in out + err and "[audit_chain_broken]" in err
    assert "信息科" in err  # who to call; the file must be kept as it is


def test_too_short_refund_reason_says_how_long(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("ECPOS_SUPERVISOR_PIN", "2468")
    rc, _, err = run(capsys, "--data-dir", str(tmp_path / "d"), "refund", "S1", "--reason", "x",
                     "--cashier", "c1", "--supervisor", "s1")
    assert rc == 2 and "[refund_no_reason]" in err
    assert "2 个字" in err  # a reason was given: say why it is not enough


def test_sim_code_without_a_service_db_says_where_to_point(capsys, tmp_path):
    """`sim serve --db A` then `sim code` (default <data dir>/sim.db): the code would be one no service knows."""
    missing = tmp_path / "d" / "sim.db"
    rc, out, err = run(capsys, "--data-dir", str(tmp_path / "d"), "sim", "code", "3201000000000001")
    assert rc == 2 and out == ""
    assert str(missing) in err and "--db" in err and "--url" in err and "[sim_db_missing]" in err
    assert not missing.exists()


def test_reconcile_of_a_day_without_sales_reads_plainly(capsys, sim, tmp_path):
    rc, out, _ = run(capsys, "--data-dir", str(tmp_path / "d"), "--center", sim.url, "reconcile", "--date",
                     "2026-01-05")
    assert rc == 0
    first = out.splitlines()[0]
    assert first.startswith("全部险种") and "0 笔" in first  # not " 41 : 0 笔" with blank fields


def test_config_saved_by_notepad_with_a_bom_is_read(capsys, tmp_path):
    p = tmp_path / "site.toml"
    p.write_bytes('\ufeff[institution]\nfixmedins_name = "示例医院"\n'.encode("utf-8"))
    rc, out, err = run(capsys, "--config", str(p), "config")
    assert rc == 0, err
    assert json.loads(out)["config"]["institution"]["fixmedins_name"] == "示例医院"


def test_config_saved_as_gbk_says_to_save_as_utf8(capsys, tmp_path):
    p = tmp_path / "site.toml"
    p.write_bytes('[institution]\nfixmedins_name = "示例医院"\n'.encode("gbk"))
    rc, _, err = run(capsys, "--config", str(p), "config")
    assert rc == 2 and "Traceback" not in err
    assert "[config_encoding]" in err and "UTF-8" in err and str(p) in err


def test_bad_center_url_from_the_environment_does_not_blame_a_profile_file(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("ECPOS_CENTER_URL", " http://127.0.0.1:9")
    rc, _, err = run(capsys, "--data-dir", str(tmp_path / "d"), "sync")
    assert rc == 2 and "[config_value]" in err and "ECPOS_CENTER_URL" in err
    assert "pharmacy.toml" not in err  # nobody wrote the URL there
