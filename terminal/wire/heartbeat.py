"""Is the insurance platform answering right now? A cheap request, no transaction: an HTTP GET of the
platform's address. Any answer below 500 means the platform's server is there (it may well say 404 or 405
to a GET); a refused or timed-out connection, or a gateway's 5xx, means it is not. No msgid is used and
nothing reaches the platform's ledger, so the till can ask every few seconds while it is idle (Counter.heartbeat;
whether the platform serves requests, which a probe alone cannot say, is terminal/counter.py answering)."""
from __future__ import annotations

import time
from dataclasses import dataclass

import requests

PROBE_TIMEOUT_S = 3.0  # never longer than this, whatever [center] timeouts say: it only asks "are you there"


@dataclass(frozen=True)
class Beat:
    """One probe: online, when (time.time()) and what was seen (for the log and a tooltip)."""

    online: bool
    at: float
    seen: str


def probe(cfg, session: requests.Session | None = None) -> Beat:
    """GET the platform address once; a Beat saying whether anything answered."""
    url = cfg.center.url.rstrip("/") + cfg.center.platform_path
    wait = min(float(cfg.center.connect_timeout), PROBE_TIMEOUT_S)
    try:
        r = (session or requests).get(url, timeout=(wait, wait), verify=cfg.center.ca_bundle or True,
                                      allow_redirects=False, stream=True)
        r.close()  # the status line is the answer; the body is not read
    except requests.RequestException as e:
        return Beat(False, time.time(), type(e).__name__)
    return Beat(r.status_code < 500, time.time(), f"HTTP {r.status_code}")
