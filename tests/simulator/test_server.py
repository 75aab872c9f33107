"""The service process and its HTTP side: clean shutdown, concurrent retries of one msgid, gateway
signatures, admin endpoints."""
import signal
import threading

import pytest
import requests

from terminal import config as config_mod
from terminal.errors import PlatformRefused
from terminal.wire.platform import PlatformClient
from tests.simulator.helpers import drug_input, identify, presettle, signed_in


def test_sigterm_and_sigint_stop_cleanly_and_the_db_survives(sim_factory, make_cfg):
    s = sim_factory()
    code = s.code("3201000000000001")
    s.stop()
    assert s.returncode == 0
    s.start()
    s.proc.send_signal(signal.SIGINT)
    assert s.proc.wait(timeout=10) == 0
    s.proc = None
    s.start()
    ans = requests.post(s.url + "/localcfc/api/hsecfc/localQrCodeQuery",
                        json={"transType": "ec.query", "data": {"ecQrCode": code}}, timeout=5).json()
    assert ans["code"] == 0   # issued before the restarts, still valid and unused
    s.stop()


def test_concurrent_copies_of_one_settlement_take_effect_once(shared_sim, pc):
    who = identify(pc, shared_sim, "3201000000000001")
    pre = presettle(pc, who)
    env = pc.envelope("2102", drug_input(who, mdtrt_id=pre["mdtrt_id"]))
    answers, gate = [], threading.Barrier(8)

    def send():
        client = PlatformClient(pc.cfg, msgids=pc.msgids)
        gate.wait()
        answers.append(client.send(env))

    threads = [threading.Thread(target=send) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(answers) == 8 and all(a == answers[0] for a in answers)
    assert [s["msgid"] for s in shared_sim.ledger()["settlements"]].count(env["msgid"]) == 1


def test_gateway_signature_when_required(shared_sim, cfg, tmp_path):
    shared_sim.settings(tif_token="s3cret")
    try:
        with pytest.raises(PlatformRefused, match="网关拒绝请求 HTTP 401"):
            signed_in(cfg)
        layer = tmp_path / "tif.toml"
        layer.write_text(f'[center]\nurl = "{shared_sim.url}"\n[gateway]\nsigner = "tif"\npaasid = "p1"\n'
                         'token = "s3cret"\n', encoding="utf-8")
        tif = config_mod.load(profile="pharmacy", config_file=layer, data_dir=cfg.data_dir, env={})
        assert signed_in(tif).sign_no
    finally:
        shared_sim.settings(tif_token="")


def test_admin_endpoints(shared_sim):
    url = shared_sim.url
    assert requests.get(url + "/admin/health", timeout=5).json() == {"ok": True}
    assert requests.post(url + "/admin/faults", json={"spec": "2101:delay:5"}, timeout=5).json()["faults"] == \
        [{"target": "2101", "kind": "delay", "arg": "5", "left": None}]
    assert requests.post(url + "/admin/faults", json={"clear": True}, timeout=5).json() == {"faults": []}
    assert requests.post(url + "/admin/code", json={"psn_no": "nobody"}, timeout=5).status_code == 400
    assert requests.get(url + "/admin/nothing", timeout=5).status_code == 404
    assert requests.post(url + "/elsewhere", json={}, timeout=5).status_code == 404
    garbage = requests.post(url + "/fsi/api/rsfComIfsService/callService", data=b"{not json", timeout=5).json()
    assert garbage["infcode"] == -1 and garbage["err_msg"] == "请求报文格式错误"


@pytest.mark.parametrize("length", ["-1", "abc"])
def test_a_bad_content_length_is_answered_as_a_malformed_request(shared_sim, length):
    import socket
    host, port = shared_sim.url.split("//")[1].split(":")
    with socket.create_connection((host, int(port)), timeout=5) as s:
        s.sendall(f"POST /fsi/api/rsfComIfsService/callService HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n"
                  "Content-Type: application/json\r\n\r\n{}".encode())
        reply = b""
        while b"\r\n\r\n" not in reply or not reply.endswith(b"}"):
            chunk = s.recv(65536)   # before the fix: the server waited for EOF, this timed out
            if not chunk:
                break
            reply += chunk
    assert reply.startswith(b"HTTP/1.0 200") and "请求报文格式错误" in reply.decode("utf-8")
