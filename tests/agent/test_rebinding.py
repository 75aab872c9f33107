"""The agent against callers that are not a HIS: a web page that reached loopback through DNS rebinding, and
sockets that open and never finish a request. Real sockets against a real `ecpos agent` process.

DNS rebinding: a page of evil.example has its name pointed at 127.0.0.1, so the browser sends it to the agent
as the page's own origin, with `Host: evil.example` and `Origin: http://evil.example`
(https://en.wikipedia.org/wiki/DNS_rebinding; the Host/Origin check is the usual guard, e.g. Jupyter's
`allow_remote_access` and its local_hostnames). A valid token does not make those welcome."""
from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit


from agent.server import HEADER_S, IDLE_S
from tests.agent.conftest import bill
from tests.engine.helpers import journal_rows


def test_a_foreign_host_or_origin_is_refused_even_with_the_token(sim, agent):
    proc, http, cfg = agent("pharmacy", **{"agent.cors_origins": ["http://his.hospital.local:8080"]})
    port = urlsplit(proc.url).port
    key = {"Idempotency-Key": "rebind-1"}
    for host in (f"evil.example:{port}", "evil.example", f"127.0.0.1.nip.io:{port}"):
        r = http.post("/v1/sales", json=bill(), headers={**key, "Host": host})
        assert r.status_code == 403 and r.json()["error"]["key"] == "host_not_allowed", r.text
    for origin in ("http://evil.example", f"http://127.0.0.1:{port}", "null"):
        r = http.post("/v1/sales", json=bill(), headers={**key, "Origin": origin})
        assert r.status_code == 403 and r.json()["error"]["key"] == "origin_not_allowed", r.text
    assert journal_rows(cfg, "SELECT COUNT(*) n FROM agent_sales")[0]["n"] == 0
    # what a HIS sends: an address or localhost, and a listed page's origin
    for host in (f"localhost:{port}", f"127.0.0.1:{port}", "localhost"):
        assert http.get("/v1/status", headers={"Host": host}).status_code == 200
    r = http.post("/v1/sales", json=bill(), headers={**key, "Origin": "http://his.hospital.local:8080"})
    assert r.status_code == 201, r.text


def _slow_sockets(address, n: int) -> list[socket.socket]:
    socks = []
    for i in range(n):
        s = socket.create_connection(address, timeout=5)
        if i % 2:
            s.sendall(b"GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # headers begun, never ended
        socks.append(s)
    return socks


def _closed_within(s: socket.socket, seconds: float) -> bool:
    """The agent closed the socket (EOF or reset) within `seconds`."""
    s.settimeout(seconds)
    try:
        while s.recv(4096):
            pass
        return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def test_twenty_slow_sockets_are_closed_and_do_not_hold_the_agent(agent):
    proc, http, cfg = agent("pharmacy")
    address = urlsplit(proc.url).hostname, urlsplit(proc.url).port
    t0 = time.monotonic()
    socks = _slow_sockets(address, 20)
    try:
        # trickle one more header byte now and then: each byte arrives well within any per-read timeout
        for _ in range(3):
            for s in socks[1::2]:
                s.sendall(b"X")
            assert http.get("/v1/status").status_code == 200  # the agent still answers meanwhile
            time.sleep(1)
        closed = [_closed_within(s, HEADER_S + 5 - (time.monotonic() - t0)) for s in socks]
        assert closed == [True] * 20
        assert time.monotonic() - t0 < HEADER_S + 5
    finally:
        for s in socks:
            s.close()


def test_an_idle_kept_alive_connection_is_closed(agent):
    """uvicorn's timeout_keep_alive, set to IDLE_S: this guards the setting (uvicorn's default is the same 5 s)."""
    proc, http, cfg = agent("pharmacy")
    address = urlsplit(proc.url).hostname, urlsplit(proc.url).port
    with socket.create_connection(address, timeout=5) as s:
        s.sendall(f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        assert s.recv(4096).startswith(b"HTTP/1.1 200")
        t0 = time.monotonic()
        assert _closed_within(s, IDLE_S + 5)
        assert time.monotonic() - t0 < IDLE_S + 3


def test_headers_beyond_64_kib_close_the_connection(agent):
    proc, http, cfg = agent("pharmacy")
    address = urlsplit(proc.url).hostname, urlsplit(proc.url).port
    with socket.create_connection(address, timeout=5) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        try:
            for _ in range(80):
                s.sendall(b"X-Pad: " + b"a" * 1024 + b"\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        assert _closed_within(s, 5)
