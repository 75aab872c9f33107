"""Channels as data: national and zhejiang on both sides. The Zhejiang facts (per-service URLs, 2203A/2206A/
2207A, FSI_LOCAL, x-ca-key / x-ca-signature = "<seconds>:" + HEX(HMAC-SM3(secret, "<seconds>\\n" + body)))
come from a public Zhejiang test harness (tests/conformance/README.md)."""
from __future__ import annotations

import json

import pytest

from simulator import checker
from simulator.process import SimProcess
from terminal.wire import channels, signing
from terminal.counter import Counter
from terminal.errors import PlatformRefused
from terminal.wire.platform import PlatformClient
from tests.engine.helpers import ecpos, items_file

SECRET = "fAtUGnYYI8ywzIz-test"


@pytest.fixture(scope="module")
def zj_sim(tmp_path_factory):
    s = SimProcess(tmp_path_factory.mktemp("zj"), channel="zhejiang", ca_secret=SECRET).start()
    yield s
    s.stop()


def zj_cfg(make_cfg, sim, profile="pharmacy", **over):
    return make_cfg(profile, {"credential.adapter": "http", "center.channel": "zhejiang", "center.url": sim.url,
                              "gateway.token": SECRET, **over})


def _hmac_sm3_by_hand(key: bytes, msg: bytes) -> str:
    """RFC 2104 HMAC over gmssl's own SM3 (a second implementation): the signer is SM3, never SHA-256."""
    from gmssl import func, sm3
    h = lambda b: bytes.fromhex(sm3.sm3_hash(func.bytes_to_list(b)))  # noqa: E731
    key = key.ljust(64, b"\0")
    return h(bytes(k ^ 0x5C for k in key) + h(bytes(k ^ 0x36 for k in key) + msg)).hex().upper()


def test_the_signature_is_over_the_utf8_bytes_sent():
    body = json.dumps({"infno": "9001", "input": {"signIn": {"opter_no": "123"}}}).encode()
    headers = signing.hmac_sm3_signer("H33018300564", SECRET, clock=lambda: 1642748862)(body)
    assert headers["x-ca-key"] == "H33018300564"
    ts, _, mac = headers["x-ca-signature"].partition(":")
    assert ts == "1642748862" and mac == _hmac_sm3_by_hand(SECRET.encode(), b"1642748862\n" + body)
    # Chinese text (every real body has names): the UTF-8 bytes sent are MACed, never a GB2312 re-encoding
    # (PROTOCOL.md §2b: the harness's test_sm3 shows the vendor DLL fed GB2312 MACs the UTF-8 text).
    body = json.dumps({"opter_name": "测试"}, ensure_ascii=False).encode("utf-8")
    mac = signing.hmac_sm3_signer("K", SECRET, clock=lambda: 1)(body)["x-ca-signature"][2:]
    assert mac == _hmac_sm3_by_hand(SECRET.encode(), b"1\n" + body)
    assert mac != _hmac_sm3_by_hand(SECRET.encode(), b"1\n" + body.decode().encode("gb2312"))


def test_channel_files_rename_and_reshape_only_on_the_wire():
    zj = channels.load("zhejiang")
    env = {"infno": "2203", "recer_sys_code": "YBXT", "infver": "V1.0", "cainfo": "",
           "input": {"mdtrtinfo": [{"mdtrt_id": "1"}], "diseinfo": [{"diag_code": "J00"}]}}
    out = zj.outgoing(env)
    assert out["infno"] == "2203A" and out["recer_sys_code"] == "FSI_LOCAL" and out["infver"] == "1.0"
    assert out["input"]["mdtrtinfo"] == {"mdtrt_id": "1"} and out["input"]["diseinfo"] == {"diag_code": "J00"}
    assert env["infno"] == "2203" and isinstance(env["input"]["mdtrtinfo"], list)   # the journal's copy
    assert zj.outgoing({**env, "infno": "1101"})["recer_sys_code"] == "MBS_LOCAL"
    # A 2601 names the reversed transaction as it was sent.
    rev = zj.outgoing({"infno": "2601", "input": {"data": {"omsgid": "x", "oinfno": "2207"}}})
    assert rev["input"]["data"]["oinfno"] == "2207A" and rev["recer_sys_code"] == "FSI_LOCAL"
    assert zj.outgoing({"infno": "2601", "input": {"data": {"oinfno": "2208"}}})["input"]["data"]["oinfno"] == "2208"
    assert zj.path("2207") == "/fsi/api/outpatientSettleService/saveSettletmentA" and zj.wire_infno("2207") == "2207A"
    assert channels.load("national").outgoing(env) is env


# PROTOCOL.md §2b's table, copied here on its own (never read from config/channels/zhejiang.toml): what the
# client sends must agree with the public harness, not with itself.
ZJ_PATHS = {
    "9001": "signInSignOutService/signIn", "9002": "signInSignOutService/signOut",
    "1201": "fsiFixMedInsService/queryFixMedIns", "1101": "fsiPsnInfoService/queryPsnInfo",
    "2201": "outpatientDocInfoService/outpatientRregistration",
    "2202": "outpatientDocInfoService/outpatientRegistrationCancel",
    "2203A": "outpatientDocInfoService/outpatientMdtrtinfoUpA", "2204": "outpatientDocInfoService/outpatientFeeListUp",
    "2205": "outpatientDocInfoService/outpatientFeeListUpCancel", "2206A": "outpatientSettleService/preSettletmentA",
    "2207A": "outpatientSettleService/saveSettletmentA", "2208": "outpatientSettleService/cancleSettletment",
    "2601": "reverseService/revsMethod", "3201": "ybSettlementStmtService/stmt",
    "3202": "ybSettlementStmtService/stmtDetail",
}


ZJ_SCHEMA_NUMBERS = {"2203A": "2203", "2206A": "2206", "2207A": "2207"}


class _Tap:
    """A proxy on the wire: records each request's path, headers and body bytes, forwards it unchanged."""

    def __init__(self, upstream: str):
        import http.client
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from urllib.parse import urlsplit

        seen = self.seen = []
        up = urlsplit(upstream)

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {k.lower(): v for k, v in self.headers.items()}
                seen.append((self.path, headers, body))
                c = http.client.HTTPConnection(up.hostname, up.port, timeout=30)
                c.request("POST", self.path, body, {k: v for k, v in headers.items() if k != "host"})
                r = c.getresponse()
                data = r.read()
                self.send_response(r.status)
                self.send_header("Content-Type", r.getheader("Content-Type") or "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                c.close()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_the_clients_zhejiang_requests_on_the_wire(zj_sim, make_cfg, tmp_path):
    tap = _Tap(zj_sim.url)
    try:
        cfg = zj_cfg(make_cfg, zj_sim, "clinic", **{"center.url": tap.url})
        items = items_file(tmp_path, ("XJ01CAA040A001010100007", "阿莫西林胶囊", "2", "12.50"))
        r = ecpos(cfg, "settle", "--qr", zj_sim.code(zj_sim.person("active", insutype="390")["psn_no"]),
                  "--items", str(items), "--json")
        assert r.returncode == 0, r.stderr + r.stdout
        day = json.loads(r.stdout)["setl_time"][:10]
        r = ecpos(cfg, "reconcile", "--date", day, "--json")     # 3201 (and 5203) the Zhejiang way
        assert r.returncode == 0 and json.loads(r.stdout)["status"] == "ok", r.stderr + r.stdout
    finally:
        tap.close()
    sent = {}
    for path, headers, body in tap.seen:
        env = json.loads(body.decode("utf-8"))           # UTF-8 on the wire
        if "infno" not in env:
            continue                                      # the credential service's own request
        sent[env["infno"]] = env
        if env["infno"] in ZJ_PATHS:
            assert path == "/fsi/api/" + ZJ_PATHS[env["infno"]], env["infno"]
        assert set(h for h in headers if h.startswith("x-")) == {"x-ca-key", "x-ca-signature"}
        assert headers["x-ca-key"] == cfg.institution.fixmedins_code
        ts, _, mac = headers["x-ca-signature"].partition(":")
        assert mac == _hmac_sm3_by_hand(SECRET.encode(), ts.encode() + b"\n" + body), env["infno"]
        assert env["recer_sys_code"] == ("MBS_LOCAL" if env["infno"] in ("1101", "1201") else "FSI_LOCAL")
        assert env["infver"] == "1.0"
        national = ZJ_SCHEMA_NUMBERS.get(env["infno"], env["infno"])
        assert checker.warnings(checker.load("zhejiang"), env, national) == [], env["infno"]   # nothing doubtful
    assert {"9001", "1101", "2201", "2203A", "2204", "2206A", "2207A", "3201"} <= set(sent), sorted(sent)
    stmt = sent["3201"]["input"]["data"]
    assert (stmt["stmt_begndate"], stmt["stmt_enddate"]) == (day, f"{day} 23:59:59")   # as the harness sends them
    assert cfg.institution.fixmedins_name in sent["2207A"]["fixmedins_name"]    # Chinese, signed as sent
    assert isinstance(sent["2203A"]["input"]["diseinfo"], dict) and isinstance(sent["2204"]["input"]["feedetail"], dict)


@pytest.mark.parametrize("profile", ["pharmacy", "clinic"])
def test_a_sale_and_a_visit_settle_on_the_zhejiang_channel(zj_sim, make_cfg, tmp_path, profile):
    cfg = zj_cfg(make_cfg, zj_sim, profile)
    items = items_file(tmp_path, ("XJ01CAA040A001010100007", "阿莫西林胶囊", "2", "12.50"))
    r = ecpos(cfg, "settle", "--qr", zj_sim.code(zj_sim.person("active", insutype="390")["psn_no"]),
              "--items", str(items), "--json")
    assert r.returncode == 0, r.stderr + r.stdout
    with Counter(cfg) as c:
        sent = [x["infno"] for x in c.journal.query("SELECT infno FROM requests ORDER BY sent_at")]
    # The journal keeps national numbers (sync and reversal reason with them); the wire carried 2207A.
    assert ("2207" in sent) == (profile == "clinic") and not any(i.endswith("A") for i in sent)
    settled = zj_sim.ledger()["settlements"]
    assert settled and settled[-1]["infno"] == ("2207" if profile == "clinic" else "2102")


def test_the_zhejiang_gateway_and_router_refuse(zj_sim, make_cfg):
    # A wrong secret: the gateway turns every request away (HTTP 401) before the platform.
    bad = PlatformClient(zj_cfg(make_cfg, zj_sim, **{"gateway.token": "wrong"}))
    with pytest.raises(PlatformRefused) as ei:
        bad.call("9001", {"signIn": {"opter_no": "1", "mac": "00", "ip": "127.0.0.1"}})
    assert ei.value.key == "gateway_refused"
    # Signed right but sent the national way (one URL, 2207 not 2207A): 未知交易编号, as the real one says.
    zj = PlatformClient(zj_cfg(make_cfg, zj_sim))
    plain = zj.channel
    zj.channel = channels.Channel("one-url", recer_sys_code="FSI_LOCAL")   # signed, but every call to callService
    with pytest.raises(PlatformRefused, match=r"未知交易编号\[9001\]"):
        zj.call("9001", {"signIn": {"opter_no": "1", "mac": "00", "ip": "127.0.0.1"}})
    zj.channel = plain
    zj.sign_no = zj.call("9001", {"signIn": {"opter_no": "1", "mac": "00", "ip": "127.0.0.1"}})["signinoutb"]["sign_no"]
    # Any other path of the platform: 未知交易编号 too (the routing is data: simulator/schema/zhejiang.toml).
    zj.channel = channels.Channel("elsewhere", recer_sys_code="FSI_LOCAL", default_path="/fsi/api/nowhere/signIn")
    with pytest.raises(PlatformRefused, match=r"未知交易编号\[9001\]"):
        zj.call("9001", {"signIn": {"opter_no": "1", "mac": "00", "ip": "127.0.0.1"}})
    zj.channel = plain
    env = zj.envelope("2207", {"data": {}})
    zj.channel = channels.load("national")   # 2207 (not 2207A) on the per-service URL
    zj.url = zj.base + "/fsi/api/outpatientSettleService/saveSettletmentA"
    with pytest.raises(PlatformRefused, match=r"未知交易编号\[2207\]"):
        zj.send(env)


def test_the_scripted_demo_runs_on_the_zhejiang_channel(tmp_path):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("ECPOS_")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    r = subprocess.run([sys.executable, "-m", "ecpos", "--data-dir", str(tmp_path), "demo", "--headless",
                        "--channel", "zhejiang"], capture_output=True, text=True, timeout=180, env=env)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    assert "demo finished: sale and refund done" in r.stdout


def test_a_lost_2207A_is_reversed_naming_2207A(zj_sim, make_cfg, tmp_path):
    # The harness's 2601 named the settlement as it went (oinfno "2207A") and the platform found it; the journal
    # keeps 2207, the wire says 2207A, and the service reverses it.
    from decimal import Decimal

    from terminal.counter import Item
    from terminal.errors import PlatformUnknown

    cfg = zj_cfg(make_cfg, zj_sim, "clinic")
    zj_sim.faults("2207:garble:infcode_null")            # settled and committed, the answer arrives broken
    try:
        with Counter(cfg) as c:
            visit = c.register(c.identify(zj_sim.code(zj_sim.person("active", insutype="390")["psn_no"])),
                               "A03", "D001")
            with pytest.raises(PlatformUnknown):
                c.settle(c.presettle(visit, [Item("XA01", "阿莫西林胶囊", Decimal("1"), Decimal("9.00"))]))
            report = c.sync()
            [rev] = c.journal.query("SELECT request FROM requests WHERE infno='2601'")
    finally:
        zj_sim.clear_faults()
    assert [r["rslt"] for r in report.reversed] == ["reversed"]
    assert json.loads(rev["request"])["input"]["data"]["oinfno"] == "2207"     # the journal: national
    [reversal] = zj_sim.ledger()["reversals"]
    assert reversal["rslt"] == "reversed" and reversal["oinfno"] == "2207"
    assert [s["status"] for s in zj_sim.ledger()["settlements"] if s["setl_id"] == reversal["ref"]] == ["reversed"]
