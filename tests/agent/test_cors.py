"""A browser-based HIS calls the agent from its own pages ([agent] cors_origins): headless chromium loads a page
of a listed origin that pushes a bill with its code and confirms it through fetch() — the browser's preflight,
the token, the answers read by the page — and the same page from an origin not listed is stopped by the browser
before its bill reaches the agent. Without origins configured the agent sends no CORS headers at all.

CORS preflight and `Access-Control-Allow-Origin`: https://fetch.spec.whatwg.org/#http-cors-protocol; Starlette's
CORSMiddleware: https://www.starlette.io/middleware/#corsmiddleware."""
from __future__ import annotations

import json
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from tests.agent.conftest import TOKEN, bill
from tests.engine.helpers import journal_rows

PAGE = """<!doctype html><meta charset="utf-8"><title>HIS</title>
<script>
async function settle(agent, token, qr) {
  const auth = {"Authorization": "Bearer " + token, "Content-Type": "application/json"};
  const made = await fetch(agent + "/v1/sales", {method: "POST", body: JSON.stringify(BILL(qr)),
                           headers: {...auth, "Idempotency-Key": "web-" + qr.slice(-12)}});
  const sale = await made.json();
  const done = await fetch(agent + "/v1/sales/" + sale.sale_id + "/confirm", {method: "POST", headers: auth});
  return (await done.json()).state;
}
</script>"""


@pytest.fixture
def his_pages(tmp_path):
    """A web server for the HIS's page: its port (the page is at http://127.0.0.1:PORT/his.html and, another
    origin for the browser, http://localhost:PORT/his.html)."""
    items = json.dumps(bill()["items"], ensure_ascii=False)
    (tmp_path / "his.html").write_text(PAGE.replace(
        "<script>", f"<script>\nconst BILL = qr => ({{external_id: 'WEB-1', items: {items}, qr: qr}});"),
        encoding="utf-8")
    srv = ThreadingHTTPServer(("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(tmp_path)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv.server_address[1]
    srv.shutdown()
    srv.server_close()


def run_in_page(drv, url: str, agent_url: str, qr: str) -> str:
    drv.get(url)
    return drv.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "settle(arguments[0], arguments[1], arguments[2]).then(done, e => done('refused: ' + e));",
        agent_url, TOKEN, qr)


def test_a_listed_page_settles_through_the_agent_and_an_unlisted_one_is_stopped(sim, agent, his_pages, browser):
    listed = f"http://127.0.0.1:{his_pages}"
    proc, http, cfg = agent("pharmacy", **{"agent.cors_origins": [listed]})
    person = sim.person("active", insutype="310")

    assert run_in_page(browser, listed + "/his.html", proc.url, sim.code(person["psn_no"])) == "settled"
    outcome = run_in_page(browser, f"http://localhost:{his_pages}/his.html", proc.url, sim.code(person["psn_no"]))
    assert outcome.startswith("refused: TypeError"), outcome  # the browser's "Failed to fetch"

    # the unlisted page's bill never reached the agent: the preflight was refused
    assert [r["external_id"] for r in journal_rows(cfg, "SELECT external_id FROM agent_sales")] == ["WEB-1"]
    assert len(sim.ledger()["settlements"]) == 1


def test_the_preflight_answers_listed_origins_only_and_without_origins_no_cors_headers(sim, agent):
    page = "http://his.hospital.local:8080"
    proc, http, cfg = agent("pharmacy", **{"agent.cors_origins": [page]})
    ask = {"Access-Control-Request-Method": "POST",
           "Access-Control-Request-Headers": "authorization,content-type,idempotency-key",
           "Access-Control-Request-Private-Network": "true"}
    with httpx.Client(base_url=proc.url, timeout=30) as anon:  # a preflight carries no token
        ok = anon.options("/v1/sales", headers={"Origin": page, **ask})
        assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == page
        assert ok.headers["access-control-allow-private-network"] == "true"
        assert "idempotency-key" in ok.headers["access-control-allow-headers"].lower()
        other = anon.options("/v1/sales", headers={"Origin": "http://elsewhere.example", **ask})
        assert other.status_code == 400 and "access-control-allow-origin" not in other.headers
        # a refusal is readable by the page too, so it can say why (no token here)
        refused = anon.get("/v1/status", headers={"Origin": page})
        assert refused.status_code == 401 and refused.headers["access-control-allow-origin"] == page

    plain, _, _ = agent("pharmacy")
    with httpx.Client(base_url=plain.url, headers=plain.headers, timeout=30) as c:
        # no origins listed: a web page is refused even with the token (DNS rebinding, test_rebinding.py)
        r = c.get("/v1/status", headers={"Origin": page})
        assert r.status_code == 403 and r.json()["error"]["key"] == "origin_not_allowed"
        assert not any(h.startswith("access-control-") for h in r.headers)
        assert c.get("/v1/status").status_code == 200
