"""Personal data stays masked in the journal when an answer carries `data` as a JSON-encoded string (some
versions of the credential answer do; PROTOCOL.md: accept both)."""
from __future__ import annotations

import json

from terminal import config
from terminal.journal.journal import Journal

ID_NO, NAME, TOKEN = "320102198001011234", "张三丰", "320100ec" + "a" * 30


def test_string_encoded_data_is_masked_in_the_journal(tmp_path):
    cfg = config.load(profile="pharmacy", data_dir=tmp_path / "d", center_url="http://127.0.0.1:9", env={})
    j = Journal.for_config(cfg)
    env = {"infno": "1162", "msgid": "M1", "input": {"data": {"ecQrCode": "1" * 28}}}
    j.request_sent(env)
    inner = {"idNo": ID_NO, "userName": NAME, "ecToken": TOKEN, "birthday": "1980-01-01", "insuOrg": "320100"}
    j.request_answered("M1", "ok", answer={"data": json.dumps(inner, ensure_ascii=False),
                                           "extra": json.dumps({"familyAccount": {"holderName": NAME}},
                                                               ensure_ascii=False)})
    j.close()
    raw = (tmp_path / "d" / "journal.sqlite3").read_bytes()
    for secret in (ID_NO, NAME, TOKEN, "1980-01-01"):
        assert secret.encode("utf-8") not in raw
    j = Journal.for_config(cfg)
    stored = json.loads(json.loads(j.request("M1")["answer"])["data"])
    j.close()
    assert stored["idNo"] == "3201**********1234" and stored["insuOrg"] == "320100"
