"""The `sim` and `make_cfg` fixtures: a real subprocess, admin helpers, restart on the same DB."""
import requests

from terminal.wire.platform import PlatformClient


def test_sim_serves_codes_and_restarts_on_same_db(sim, make_cfg):
    assert requests.get(sim.url + "/admin/health", timeout=5).json() == {"ok": True}
    code = sim.code(sim.person("active", insutype="310")["psn_no"])
    assert len(code) == 28 and code.isdigit() and code[0] != "0"
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    assert cfg.center.url == sim.url and cfg.credential.adapter == "http"
    out = PlatformClient(cfg).call("1162", {"data": {"ecQrCode": code, "businessType": "02121"}})
    assert out["data"]["ecToken"].startswith("320100ec")
    port = sim.port
    sim.stop()
    sim.start()
    assert sim.port == port  # same port when still free
    # the code was spent before the restart and stays spent (it lives in the DB)
    answer = requests.post(sim.url + "/localcfc/api/hsecfc/localQrCodeQuery",
                           json={"transType": "ec.query", "data": {"ecQrCode": code}}, timeout=5).json()
    assert answer["code"] == 500161
