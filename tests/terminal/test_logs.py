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
