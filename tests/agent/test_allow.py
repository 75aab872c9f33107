"""[agent] allow: callers from loopback only, unless their address is listed (the token is needed either way)."""
from __future__ import annotations

import socket

import httpx
import pytest


def own_address() -> str | None:
    """This machine's address on its default route (a UDP connect sends nothing)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed, only picks the interface
        ip = s.getsockname()[0]
    except OSError:
        return None
    finally:
        s.close()
    return None if ip.startswith("127.") else ip


@pytest.mark.parametrize("listed", [False, True])
def test_a_caller_from_another_address_needs_to_be_listed(sim, agent, listed):
    ip = own_address()
    if ip is None:
        pytest.skip("no non-loopback address on this machine")
    proc, http, cfg = agent("pharmacy", **{"agent.host": "0.0.0.0", "agent.allow": [ip] if listed else []})
    port = proc.url.rsplit(":", 1)[1]
    with httpx.Client(base_url=f"http://{ip}:{port}", headers=proc.headers, timeout=30) as remote:
        r = remote.get("/v1/status")
        if listed:
            assert r.status_code == 200 and r.json()["profile"] == "pharmacy"
        else:
            assert r.status_code == 403 and r.json()["error"]["key"] == "client_not_allowed", r.text
            assert ip in r.json()["error"]["message"]
        assert remote.get("/v1/status", headers={"Authorization": "Bearer wrong"}).status_code in (401, 403)
    assert http.get("/v1/status").status_code == 200  # loopback always
