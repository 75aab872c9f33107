"""PlatformClient against a scriptable loopback server: envelope, signing, and the three failure kinds."""
import hashlib
import json
import logging
import socket
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from terminal import config
from terminal.errors import PlatformRefused, PlatformUnknown, PlatformUnreachable
from terminal.wire.platform import PlatformClient


class Script(BaseHTTPRequestHandler):
    """Answers according to server.mode; remembers what it received."""

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.seen.append((dict(self.headers), json.loads(body)))
        mode = self.server.mode
        if mode == "drop":
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if mode == "slow":
            self.server.release.wait(5)
        if mode == "redirect":  # a gateway sending the POST elsewhere: followed as a GET, a 404 would come back
            self.send_response(302)
            self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status, payload = {
            "ok": (200, {"infcode": 0, "output": {"setlinfo": {"acct_pay": 12.30}}}),
            "ok_string": (200, {"infcode": "0", "output": {}}),
            "slow": (200, {"infcode": 0, "output": {}}),
            "refused": (200, {"infcode": -1, "err_msg": "参保人不存在"}),
            "refused_string": (200, {"infcode": "-1", "err_msg": "签到失败"}),
            "refused_silent": (200, {"infcode": -1}),
            "down": (503, {}),
            "forbidden": (403, {}),
            "oops": (500, {}),
            "garbage": (200, "<html>gateway</html>"),
            "no_infcode": (200, {"hello": 1}),
        }[mode]
        data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *a):
        pass


@pytest.fixture
def server():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Script)
    srv.seen, srv.mode, srv.release = [], "ok", threading.Event()
    t = threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True)
    t.start()
    yield srv
    srv.release.set()
    srv.shutdown()
    srv.server_close()


def client_for(url, tmp_path, **env):
    cfg = config.load(data_dir=tmp_path, center_url=url, env=env)
    return PlatformClient(cfg)


def test_envelope_fields_and_amounts_as_decimal(server, tmp_path):
    c = client_for(f"http://127.0.0.1:{server.server_port}", tmp_path)
    c.sign_no = "SIGN123"
    out = c.call("1101", {"data": {"mdtrt_cert_type": "01"}}, insuplc_admdvs="440300")
    assert out["setlinfo"]["acct_pay"] == Decimal("12.30")
    headers, env = server.seen[-1]
    assert env["infno"] == "1101" and len(env["msgid"]) == 30
    assert env["msgid"].startswith("P32010200001")
    assert env["sign_no"] == "SIGN123" and env["insuplc_admdvs"] == "440300"
    assert env["opter_type"] == "1" and env["recer_sys_code"] == "YBXT" and env["infver"] == "V1.0"
    assert len(env["inf_time"]) == 19 and env["input"] == {"data": {"mdtrt_cert_type": "01"}}
    assert "x-tif-signature" not in {k.lower() for k in headers}


def test_retry_keeps_the_msgid(server, tmp_path):
    c = client_for(f"http://127.0.0.1:{server.server_port}", tmp_path)
    env = c.envelope("2102", {})
    c.send(env)
    c.send(env)
    assert server.seen[0][1]["msgid"] == server.seen[1][1]["msgid"]
    assert c.envelope("2102", {})["msgid"] != env["msgid"]


def test_tif_signature_headers_and_no_secret_in_logs(server, tmp_path, caplog):
    site = tmp_path / "gw.toml"
    site.write_text('[gateway]\nsigner = "tif"\npaasid = "pharm01"\n', encoding="utf-8")
    cfg = config.load(config_file=site, data_dir=tmp_path, center_url=f"http://127.0.0.1:{server.server_port}",
                      env={"ECPOS_GATEWAY_TOKEN": "tok-XYZ-987"})
    with caplog.at_level(logging.DEBUG, logger="ecpos"):
        PlatformClient(cfg).call("9001", {"signIn": {}})
    headers = {k.lower(): v for k, v in server.seen[-1][0].items()}
    assert headers["x-tif-paasid"] == "pharm01"
    # PROTOCOL.md §2: signature = sha256(timestamp + token + nonce + timestamp), computed here by hand.
    ts, nonce = headers["x-tif-timestamp"], headers["x-tif-nonce"]
    assert ts.isdigit() and nonce
    assert headers["x-tif-signature"] == hashlib.sha256((ts + "tok-XYZ-987" + nonce + ts).encode()).hexdigest()
    assert "tok-XYZ-987" not in caplog.text and "platform_ok" in caplog.text


# For a request that moves money only the platform's own refusal (infcode -1 with err_msg) means nothing happened:
# a gateway's 503 or 302 may come after the platform processed it (issue 20: a 503 after a processed 2102 was
# read as "unreachable", the retry charged twice). A query may still take a gateway's 4xx as a refusal.
@pytest.mark.parametrize("infno, mode, error, text", [
    ("2102", "refused", PlatformRefused, "参保人不存在"),
    ("2102", "refused_string", PlatformRefused, "签到失败"),
    ("2102", "refused_silent", PlatformUnknown, "infcode"),
    ("2102", "down", PlatformUnknown, "HTTP 503"),
    ("2102", "forbidden", PlatformUnknown, "HTTP 403"),
    ("2102", "redirect", PlatformUnknown, "HTTP 302"),
    ("2102", "oops", PlatformUnknown, "500"),
    ("2102", "garbage", PlatformUnknown, "unreadable"),
    ("2102", "no_infcode", PlatformUnknown, "infcode"),
    ("2102", "drop", PlatformUnknown, "lost"),
    ("2601", "forbidden", PlatformUnknown, "HTTP 403"),
    ("1101", "forbidden", PlatformRefused, "403"),
    ("1101", "down", PlatformUnknown, "HTTP 503"),
    ("1101", "redirect", PlatformUnknown, "HTTP 302"),
])
def test_failures_are_typed(server, tmp_path, infno, mode, error, text):
    server.mode = mode
    c = client_for(f"http://127.0.0.1:{server.server_port}", tmp_path)
    with pytest.raises(error) as e:
        c.call(infno, {})
    assert type(e.value) is error
    assert text in str(e.value) and e.value.infno == infno and len(e.value.msgid) == 30
    assert e.value.message  # a Chinese sentence for the cashier
    assert len(server.seen) == 1  # sent once; a redirect is not followed


def test_infcode_as_string_is_accepted(server, tmp_path):
    server.mode = "ok_string"
    assert client_for(f"http://127.0.0.1:{server.server_port}", tmp_path).call("9001", {}) == {}


def test_read_timeout_is_unknown(server, tmp_path):
    server.mode = "slow"
    site = tmp_path / "t.toml"
    site.write_text("[center]\nread_timeout = 0.3\n", encoding="utf-8")
    cfg = config.load(config_file=site, data_dir=tmp_path,
                      center_url=f"http://127.0.0.1:{server.server_port}", env={})
    with pytest.raises(PlatformUnknown, match="no answer"):
        PlatformClient(cfg).call("2102", {})


def test_nothing_listening_is_unreachable(tmp_path):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # the port is now closed: connect is refused
    with pytest.raises(PlatformUnreachable) as e:
        client_for(f"http://127.0.0.1:{port}", tmp_path).call("2102", {})
    assert e.value.exit_code == 3


def test_tls_is_verified_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    cfg = config.load(data_dir=tmp_path, env={})
    assert PlatformClient(cfg).verify is True
    # the environment's CA bundle, as requests takes it (the session no longer reads the environment per request)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/site/ca.pem")
    assert PlatformClient(cfg).verify == "/etc/site/ca.pem"
    site = tmp_path / "ca.toml"
    site.write_text('[center]\nca_bundle = "/etc/ssl/certs/ca-certificates.crt"\n', encoding="utf-8")
    assert PlatformClient(config.load(config_file=site, data_dir=tmp_path, env={})).verify.endswith(".crt")


def test_an_untrusted_certificate_is_unreachable_not_unknown(tmp_path):
    """Certificate verification fails in the TLS handshake, before a byte of the request is sent."""
    import shutil
    import ssl
    import subprocess

    if not shutil.which("openssl"):
        pytest.skip("openssl command not available to make a self-signed certificate")
    key, crt = tmp_path / "k.pem", tmp_path / "c.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(crt), "-days", "1", "-subj", "/CN=127.0.0.1"], check=True, capture_output=True)
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Script)
    srv.seen, srv.mode, srv.release = [], "ok", threading.Event()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(crt, key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    t = threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True)
    t.start()
    try:
        with pytest.raises(PlatformUnreachable) as e:
            client_for(f"https://127.0.0.1:{srv.server_port}", tmp_path).call("2102", {})
        assert "certificate" in str(e.value).lower() and srv.seen == []
    finally:
        srv.shutdown()
        srv.server_close()


def test_cainfo_has_a_seam_for_an_encrypted_password(make_cfg):
    # Some provinces want the card/credential password, encrypted their way, in cainfo (PROTOCOL.md §2b).
    from terminal.wire.platform import PlatformClient

    seen = []

    def cainfo(infno, inp):
        seen.append(infno)
        return f"ENC[{infno}]"

    cfg = make_cfg("pharmacy", {"center.url": "http://127.0.0.1:9"})
    assert PlatformClient(cfg).envelope("2101", {})["cainfo"] == ""
    assert PlatformClient(cfg, cainfo=cainfo).envelope("2101", {"druginfo": {}})["cainfo"] == "ENC[2101]"
    assert seen == ["2101"]


def test_the_environments_proxy_is_taken_for_the_platform_unless_no_proxy_names_it(tmp_path, monkeypatch):
    # read once when the client is made, as requests would read it on every request
    for k in ("HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.site:3128")
    cfg = config.load(data_dir=tmp_path, center_url="http://10.8.0.5:8080", env={})
    assert PlatformClient(cfg).session.proxies.get("http") == "http://proxy.site:3128"
    monkeypatch.setenv("NO_PROXY", "10.8.0.5")
    assert not PlatformClient(cfg).session.proxies.get("http")


class KeepAlive(BaseHTTPRequestHandler):
    """HTTP/1.1 with kept-alive connections, like a gateway. A connection that idled longer than
    server.idle_close seconds is dropped when the next request arrives on it, unanswered: what a till sees when
    the gateway closed it while idle and the close crossed the request on the wire."""

    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        self.server.connections += 1
        self.last = None

    def do_POST(self):
        import time
        body = self.rfile.read(int(self.headers["Content-Length"]))
        env = json.loads(body)
        if self.last is not None and time.monotonic() - self.last > self.server.idle_close:
            self.server.dropped.append(env["infno"])
            self.close_connection = True
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
            return
        data = json.dumps({"infcode": 0, "output": {"ok": env["infno"]}}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if env["infno"] in self.server.drip:  # a byte at a time: each read is quick, the answer never ends
            try:
                for i in range(len(data)):
                    self.wfile.write(data[i:i + 1])
                    self.wfile.flush()
                    time.sleep(0.2)
            except OSError:  # the till cut it off
                self.close_connection = True
            return
        self.wfile.write(data)
        self.last = time.monotonic()

    def log_message(self, *a):
        pass


@pytest.fixture
def gateway():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), KeepAlive)
    srv.connections, srv.dropped, srv.idle_close, srv.drip = 0, [], 0.8, ()
    threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True).start()
    yield srv
    srv.shutdown()
    srv.server_close()


def test_connections_are_kept_for_a_burst(gateway, tmp_path):
    c = client_for(f"http://127.0.0.1:{gateway.server_port}", tmp_path)
    for infno in ("9001", "1101", "2101", "2102"):
        assert c.call(infno, {}) == {"ok": infno}
    assert gateway.connections == 1


def test_a_settlement_never_goes_on_a_connection_that_idled(gateway, tmp_path):
    """The gateway drops connections idle for 0.8 s; the till keeps them for 4 s ([center] keepalive_idle), but
    a money request takes a new one after a second of quiet, so the settlement is answered, not unknown."""
    import time
    c = client_for(f"http://127.0.0.1:{gateway.server_port}", tmp_path)
    assert c.call("2101", {}) == {"ok": "2101"}
    time.sleep(1.2)
    assert c.call("2102", {}) == {"ok": "2102"}
    assert gateway.dropped == [] and gateway.connections == 2


def test_the_deadline_holds_on_a_kept_alive_connection(gateway, tmp_path):
    """The overall deadline cuts off an answer dripping in on a connection an earlier request opened."""
    import time
    site = tmp_path / "t.toml"
    site.write_text("[center]\nconnect_timeout = 0.5\nread_timeout = 0.5\n", encoding="utf-8")
    c = PlatformClient(config.load(config_file=site, data_dir=tmp_path,
                                   center_url=f"http://127.0.0.1:{gateway.server_port}", env={}))
    gateway.drip = ("2102",)
    assert c.call("2101", {}) == {"ok": "2101"}
    t0 = time.monotonic()
    with pytest.raises(PlatformUnknown, match="no complete answer within 1 s"):
        c.call("2102", {})
    assert time.monotonic() - t0 < 3 and gateway.connections == 1


def test_tls_trouble_after_the_request_is_unknown(tmp_path):
    """The handshake went through and the request was written; the TLS session then breaks (no close_notify,
    a cut-off record): the platform may have the request, so a settlement is unknown, not unreachable."""
    import ssl

    from bench.slowlink import make_cert  # a self-signed certificate for 127.0.0.1

    crt, key = make_cert(tmp_path)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(crt, key)
    server = socket.create_server(("127.0.0.1", 0))
    got = []

    def serve():
        raw, _ = server.accept()
        tls = ctx.wrap_socket(raw, server_side=True)
        data = b""
        while b'"input"' not in data:  # the whole request, body included
            data += tls.recv(65536)
        got.append(data)
        tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n{\"infcode\": 0, ")
        # no close_notify: the TCP connection is reset under the TLS session
        tls.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
        socket.socket.close(tls)

    threading.Thread(target=serve, daemon=True).start()
    site = tmp_path / "ca.toml"
    site.write_text(f'[center]\nca_bundle = "{crt}"\n', encoding="utf-8")
    c = PlatformClient(config.load(config_file=site, data_dir=tmp_path,
                                   center_url=f"https://127.0.0.1:{server.getsockname()[1]}", env={}))
    with pytest.raises(PlatformUnknown):
        c.call("2102", {})
    assert got and b"2102" in got[0]
    server.close()
