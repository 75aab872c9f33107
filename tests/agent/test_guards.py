"""What the agent refuses before anything reaches the platform: no or a wrong token (401), bad fields (422
naming the field), a body over 1 MiB (413), an unknown sale (404); every error in one shape with a Chinese
message and an English key."""
from __future__ import annotations

import httpx

from tests.agent.conftest import bill
from tests.engine.helpers import journal_rows


def sent(cfg) -> int:
    return journal_rows(cfg, "SELECT COUNT(*) n FROM requests")[0]["n"]


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_token_fields_size_and_unknown_sale_are_refused_and_nothing_is_sent(sim, agent):
    proc, http, cfg = agent("pharmacy")
    key = {"Idempotency-Key": "g-1"}
    with httpx.Client(base_url=proc.url, timeout=30) as anon:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic dGVzdA=="}):
            r = anon.post("/v1/sales", json=bill(), headers={**headers, **key})
            assert r.status_code == 401 and r.json()["error"]["key"] == "unauthorized", r.text
            assert r.headers["www-authenticate"] == "Bearer"
        assert anon.get("/healthz").json() == {"status": "ok"}
        assert anon.get("/openapi.json").json()["info"]["title"] == "ecpos agent"

    cases = [
        (bill(items=[{"code": "XA01", "name": "阿莫西林胶囊", "qty": "1", "price": 12.5}]), "items.0.price"),
        (bill(items=[{"code": "XA01", "name": "阿莫西林胶囊", "qty": "1", "price": "12.5.0"}]), "items.0.price"),
        (bill(items=[]), "items"),
        ({"items": bill()["items"]}, "external_id"),
        (bill(colour="red"), "colour"),
        (bill(items=[{"code": "XA01", "name": "阿莫西林胶囊", "qty": "1", "price": "1.00", "lot": "x"}]),
         "items.0.lot"),
    ]
    for body, field in cases:
        r = http.post("/v1/sales", json=body, headers=key)
        assert r.status_code == 422, (field, r.text)
        err = r.json()["error"]
        assert err["key"] == "invalid_request" and err["field"] == field and field in err["message"], err
        assert has_chinese(err["message"])
    r = http.post("/v1/sales", json=bill(), headers={})
    assert r.status_code == 422 and r.json()["error"]["field"] == "Idempotency-Key"
    for raw in (b"{not json", b"\xff\xfe{\x00"):  # not JSON; not even UTF-8 (schemathesis found this one)
        r = http.post("/v1/sales", content=raw, headers={**key, "Content-Type": "application/json"})
        assert r.status_code == 422 and r.json()["error"]["key"] == "invalid_request", r.text
    # the core's own item rule (a quantity must be above 0) answers 422 too, with the core's words
    r = http.post("/v1/sales", json=bill(items=[{"code": "XA01", "name": "阿莫西林胶囊", "qty": "0", "price": "1"}]),
                  headers=key)
    assert r.status_code == 422 and r.json()["error"]["key"] == "items_number" and has_chinese(r.json()["error"]["message"])

    big = bill(items=[{"code": "XA01", "name": "阿" * 200, "qty": "1", "price": "1.00"}] * 3000)
    r = http.post("/v1/sales", json=big, headers=key)
    assert r.status_code == 413 and r.json()["error"]["key"] == "body_too_large"

    def chunks():  # no Content-Length: the limit counts the streamed body
        for _ in range(40):
            yield b" " * 32768
    try:
        r = http.post("/v1/sales", content=chunks(), headers={**key, "Content-Type": "application/json"})
        assert r.status_code == 413
    except (httpx.RemoteProtocolError, httpx.WriteError):
        pass  # answered 413 and closed while the body still streamed in: on a loaded machine the close's reset
        #       can reach the client before the answer does (RFC 9112 §9.6); either way nothing was taken

    r = http.get("/v1/sales/s_nosuchsale")
    assert r.status_code == 404 and r.json()["error"]["key"] == "sale_not_found"
    assert http.post("/v1/sales/s_nosuchsale/confirm").status_code == 404
    assert http.get("/v1/nothing").json()["error"]["key"] == "not_found"
    assert sent(cfg) == 0  # no request reached the platform (not even a sign-in)
