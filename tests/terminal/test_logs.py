import logging

from terminal import logs


def test_id_numbers_quoted_by_the_platform_never_reach_the_log(caplog):
    with caplog.at_level(logging.INFO, logger="ecpos"):
        logs.event("platform_refused", err_msg="参保人320102198001011234（张三）无有效参保记录",
                   old_id="320102800101123", msgid="P320102000012026112318450000001", setl_id="3201002026112300000001")
    assert "320102198001011234" not in caplog.text and "3201**********1234" in caplog.text
    assert "320102800101123" not in caplog.text
    # Identifiers that are not ID numbers stay readable: msgids, settlement ids, psn_no.
    assert "P320102000012026112318450000001" in caplog.text and "3201002026112300000001" in caplog.text


def test_the_log_file_rotates_and_every_file_stays_owner_only(tmp_path, monkeypatch):
    monkeypatch.setattr(logs, "MAX_BYTES", 2000)
    logs.to_file(tmp_path / "ecpos.log")
    try:
        for n in range(200):
            logs.event("sale_settled", n=n, setl_id="3201002026112300000001", certno="320102198001011234")
    finally:
        logs.close_file()
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["ecpos.log"] + [f"ecpos.log.{i}" for i in range(1, logs.BACKUPS + 1)]
    for p in tmp_path.iterdir():
        assert p.stat().st_mode & 0o777 == 0o600, p.name
        assert p.stat().st_size <= 2000 and "320102198001011234" not in p.read_text(encoding="utf-8")
    assert '"n":199' in (tmp_path / "ecpos.log").read_text(encoding="utf-8")
