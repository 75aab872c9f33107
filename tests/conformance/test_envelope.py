"""The SM4 + SM2 envelope of PROTOCOL.md §3 end to end (format after newtouch-cloud/openhis sm2sm4/SMUtil.cs,
SignUtil.cs; tests/conformance/README.md): the terminal seals, the reference service (its own reading of the
format) verifies signData and decrypts encData, and refuses anything else."""
from __future__ import annotations

import json

import pytest

from simulator.envelope import open_envelope
from terminal.wire import channels, envelope, gm
from terminal.errors import PlatformRefused
from terminal.wire.platform import PlatformClient

APP, SECRET = "1GB7A6L9J0P3E1608D0A0000F84B2DF1", "appSecret-0123456789abcdef"
PRIVATE = "3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8"
PUBLIC = gm.sm2_public_key(PRIVATE)


def test_sealed_by_the_terminal_opened_by_the_service():
    body = json.dumps({"infno": "9001", "opter_name": "收银员"}, ensure_ascii=False).encode()
    wrapper = json.loads(envelope.seal(body, APP, SECRET, PRIVATE, clock=lambda: 1700000000))
    assert wrapper["encType"] == "SM4" and wrapper["signType"] == "SM2" and wrapper["timestamp"] == "1700000000000"
    assert wrapper["encData"] == wrapper["encData"].upper() and "收银员" not in json.dumps(wrapper)
    inner, why = open_envelope(wrapper, APP, SECRET, PUBLIC)
    assert why == "" and inner == {"infno": "9001", "opter_name": "收银员"}
    tampered = dict(wrapper, encData=wrapper["encData"][:-2] + ("00" if wrapper["encData"][-2:] != "00" else "11"))
    assert open_envelope(tampered, APP, SECRET, PUBLIC)[1] == "验签失败(signData)"
    assert open_envelope(wrapper, APP, "another-secret", PUBLIC)[1]          # other key, other Z_A: refused
    assert open_envelope({"infno": "9001"}, APP, SECRET, PUBLIC)[1].startswith("报文未加密")


def test_the_service_requires_the_envelope_when_asked(sim, make_cfg):
    sim.settings(envelope_app_id=APP, envelope_app_secret=SECRET, envelope_public_key=PUBLIC)
    cfg = make_cfg("pharmacy", {"gateway.app_id": APP, "gateway.app_secret": SECRET,
                                "gateway.sm2_private_key": PRIVATE})
    pc = PlatformClient(cfg)
    sign_in = {"signIn": {"opter_no": "1", "mac": "00", "ip": "127.0.0.1"}}
    with pytest.raises(PlatformRefused) as ei:   # plain JSON: turned away
        pc.call("9001", sign_in)
    assert ei.value.key == "gateway_refused"
    pc.channel = channels.Channel("national-sm", options={"envelope": "sm4_sm2"})
    assert pc.call("9001", sign_in)["signinoutb"]["sign_no"]
