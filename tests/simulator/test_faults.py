"""Every fault kind, seen through PlatformClient: error, delay (read timeout), drop (effect committed), reset
(unprocessed, unknown to the till), down (connection refused)."""
import subprocess
import sys

import pytest
import requests

from terminal.errors import PlatformRefused, PlatformUnknown, PlatformUnreachable
from terminal.wire.platform import PlatformClient
from tests.simulator.helpers import ITEMS_TOTAL, by_msgid, drug_input, identify, presettle
from tests.simulator.test_credential import ec_query
from tests.waiting import wait_until


@pytest.fixture(autouse=True)
def no_faults_left(shared_sim):
    yield
    shared_sim.clear_faults()


@pytest.fixture
def impatient(cfg, make_cfg, shared_sim, pc):
    """A client with a 0.3 s read timeout sharing pc's msgid source (same institution)."""
    fast = make_cfg("pharmacy", {"center.url": shared_sim.url, "center.read_timeout": 0.3})
    client = PlatformClient(fast, msgids=pc.msgids)
    client.sign_no = pc.sign_no
    return client


def test_error_refuses_without_processing(shared_sim, pc):
    who = identify(pc, shared_sim, "3201000000000001")
    shared_sim.faults("2101:error")
    env = pc.envelope("2101", drug_input(who))
    with pytest.raises(PlatformRefused) as e:
        pc.send(env)
    assert e.value.err_msg == "系统繁忙，请稍后重试"
    shared_sim.faults("2101:error:交易超时")
    with pytest.raises(PlatformRefused, match="交易超时"):
        pc.send(env)
    shared_sim.clear_faults()
    assert pc.send(env)["output"]["setlinfo"]["medfee_sumamt"] == ITEMS_TOTAL   # not stored: same msgid works


def test_delay_past_the_read_timeout_is_unknown_but_processed(shared_sim, pc, impatient):
    who = identify(pc, shared_sim, "3201000000000001")
    pre = presettle(pc, who)
    shared_sim.faults("2102:delay:1500")
    env = impatient.envelope("2102", drug_input(who, mdtrt_id=pre["mdtrt_id"]))
    with pytest.raises(PlatformUnknown):
        impatient.send(env)
    # The 0.3 s ran from the send, so on a loaded machine the client can give up while the service is still
    # processing: wait for its commit rather than read the ledger before it.
    mine = wait_until(lambda: [s for s in shared_sim.ledger()["settlements"] if s["msgid"] == env["msgid"]],
                      timeout=10, message="the delayed 2102 was never processed")
    assert [s["status"] for s in mine] == ["settled"]


def test_short_delay_still_answers(shared_sim, pc):
    shared_sim.faults("9001:delay:50,ec.query:delay:50")
    assert pc.call("9001", {"signIn": {"opter_no": "0001", "mac": "00-00-00-00-00-00", "ip": "127.0.0.1"}})["signinoutb"]["sign_no"]
    assert ec_query(shared_sim, shared_sim.code("3201000000000001"))["code"] == 0


def test_drop_commits_then_loses_the_answer(shared_sim, pc):
    who = identify(pc, shared_sim, "3201000000000016")
    pre = presettle(pc, who)
    shared_sim.faults("2102:drop")
    env = pc.envelope("2102", drug_input(who, mdtrt_id=pre["mdtrt_id"]))
    with pytest.raises(PlatformUnknown):
        pc.send(env)
    row = by_msgid(shared_sim.ledger(), env["msgid"])
    assert row["status"] == "settled" and row["medfee_sumamt"] == "37.80"
    shared_sim.clear_faults()
    assert pc.send(env)["output"]["setlinfo"]["setl_id"] == row["setl_id"]   # retry: the stored answer


def test_counted_drop_fires_once(shared_sim, pc):
    shared_sim.faults("9001:drop:1")
    with pytest.raises(PlatformUnknown):
        pc.call("9001", {"signIn": {"opter_no": "0001", "mac": "00-00-00-00-00-00", "ip": "127.0.0.1"}})
    assert pc.call("9001", {"signIn": {"opter_no": "0001", "mac": "00-00-00-00-00-00", "ip": "127.0.0.1"}})["signinoutb"]["sign_no"]


def test_down_refuses_connections_and_processes_nothing(shared_sim, pc):
    who = identify(pc, shared_sim, "3201000000000001")
    shared_sim.faults("*:down")
    env = pc.envelope("2102", drug_input(who))
    with pytest.raises(PlatformUnreachable, match="refused"):  # nothing reached anyone: not an unknown outcome
        pc.send(env)
    with pytest.raises(requests.ConnectionError, match="refused"):
        requests.post(shared_sim.url + "/localcfc/api/hsecfc/localQrCodeQuery", json={}, timeout=5)
    assert shared_sim.ledger()   # admin endpoints are not faulted (their own port)
    shared_sim.clear_faults()
    assert env["msgid"] not in {x["msgid"] for x in shared_sim.ledger()["settlements"]}
    pre = presettle(pc, who)     # the same port serves again
    assert pre["mdtrt_id"]


def test_reset_loses_the_request_before_the_platform(shared_sim, pc):
    who = identify(pc, shared_sim, "3201000000000001")
    pre = presettle(pc, who)
    shared_sim.faults("2102:reset:1")
    env = pc.envelope("2102", drug_input(who, mdtrt_id=pre["mdtrt_id"]))
    with pytest.raises(PlatformUnknown):  # the till cannot tell it from a lost answer
        pc.send(env)
    assert env["msgid"] not in {x["msgid"] for x in shared_sim.ledger()["settlements"]}


def test_ec_query_error_and_drop(shared_sim):
    shared_sim.faults("ec.query:error")
    code = shared_sim.code("3201000000000001")
    assert ec_query(shared_sim, code) == {"code": 500100, "message": "系统繁忙，请稍后重试", "data": None,
                                          "extra": {}}
    shared_sim.clear_faults()
    shared_sim.faults("ec.query:drop")
    with pytest.raises(requests.ConnectionError):
        ec_query(shared_sim, code)
    shared_sim.clear_faults()
    assert ec_query(shared_sim, code)["code"] == 500161   # the dropped query spent it


def test_faults_at_start_and_bad_specs(sim_factory, make_cfg):
    s = sim_factory(faults="*:down")
    try:
        pc = PlatformClient(make_cfg("pharmacy", {"center.url": s.url}))
        with pytest.raises(PlatformUnreachable):
            pc.call("9001", {"signIn": {"opter_no": "0001", "mac": "00-00-00-00-00-00", "ip": "127.0.0.1"}})
        s.clear_faults()
        assert pc.call("1101", {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": "320102198001011238"}})
        r = requests.post(s.admin_url + "/admin/faults", json={"spec": "2102:explode"}, timeout=5)
        assert r.status_code == 400 and "KIND" in r.json()["error"]
        r = requests.post(s.admin_url + "/admin/faults", json={"spec": "2601:down"}, timeout=5)
        assert r.status_code == 400 and "2601:reset" in r.json()["error"]
    finally:
        s.stop()
    bad = subprocess.run([sys.executable, "-m", "ecpos", "sim", "serve", "--port", "0", "--faults", "x:delay"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "delay needs milliseconds" in bad.stderr
