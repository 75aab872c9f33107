"""1162 without a library, as real decode services answer it (samples: newtouch-cloud/openhis ClassHelper.cs;
tests/conformance/README.md): {code: 0, type, message, data{…}} verifies, {success: false, code: 500159,
message} refuses with its words shown, in the platform envelope or posted bare."""
from __future__ import annotations

import json

import pytest
import requests

from terminal.ec.credential import CredentialError
from terminal.ec.decode1162 import Http1162Trans
from terminal.wire.platform import PlatformClient
from tests.conformance.helpers import SAMPLES
from tests.engine.helpers import ecpos


class _Answer:
    def __init__(self, body: bytes):
        self.status_code, self.content = 200, body


class _Session(requests.Session):
    """Answers every POST with one recorded body (what a real decode service sent)."""

    def __init__(self, body: bytes):
        super().__init__()
        self.body, self.sent = body, []

    def post(self, url, data=None, **kw):  # noqa: D401
        self.sent.append((url, json.loads(data)))
        return _Answer(self.body)


@pytest.mark.parametrize("framing", ["envelope", "bare"])
def test_recorded_decode_answers_verify_or_refuse(make_cfg, framing):
    from terminal.ec.adapter import Adapter

    cfg = make_cfg("pharmacy", {"credential.adapter": "http", "credential.decode_framing": framing,
                                "center.url": "http://127.0.0.1:9"})
    ok = _Session((SAMPLES / "answers/1162_success.json").read_bytes())
    adapter = Adapter(cfg, Http1162Trans(PlatformClient(cfg, session=ok), framing, "http://127.0.0.1:9/decode"))
    cred = adapter.verify("4243754826492874240001130000")
    assert cred.ec_token.startswith("130000ec") and cred.insu_org == "130300" and cred.id_type == "01"
    url, body = ok.sent[0]
    if framing == "bare":  # the decode data alone, no envelope
        assert url.endswith("/decode") and body["ecQrCode"] == "4243754826492874240001130000" and "infno" not in body
    else:
        assert body["infno"] == "1162" and body["input"]["data"]["ecQrCode"]
    no = _Session((SAMPLES / "answers/1162_refused_500159.json").read_bytes())
    adapter = Adapter(cfg, Http1162Trans(PlatformClient(cfg, session=no), framing, "http://127.0.0.1:9/decode"))
    with pytest.raises(CredentialError) as ei:
        adapter.verify("4243754826492874240001130001")
    e = ei.value
    assert (e.code, e.exit_code, e.situation) == ("500159", 4, "not_ec_code")
    assert "请使用医保电子凭证二维码" in e.message and "请出示医保码" in e.message


@pytest.mark.parametrize("framing", ["envelope", "bare"])
def test_ecpos_verify_against_a_midplatform_decode_service(sim, make_cfg, framing):
    sim.settings(decode_midplatform=True)   # the enveloped 1162 answers in the 中台 shape too
    cfg = make_cfg("pharmacy", {"credential.adapter": "http", "credential.decode_framing": framing})
    r = ecpos(cfg, "verify", "--qr", sim.code(sim.person("active")["psn_no"]), "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["ecToken"]
    r = ecpos(cfg, "verify", "--qr", "XYZ-123", "--json")   # not a 医保码, and nothing the terminal can prove
    assert r.returncode == 4
    out = json.loads(r.stdout)
    assert out["code"] == "500159" and "请使用医保电子凭证二维码" in r.stderr + out.get("service_message", "")
