"""Schemathesis against the agent's own /openapi.json (bounded examples per operation, data that fits the
schema and data that does not, random sale ids and a real one): no answer is a 5xx, every answer — errors
included — has a documented status, content type and body matching its schema, and none ignores the token.
The event stream (GET /v1/events) never ends, so it is left to test_sales.py.

Schemathesis: https://schemathesis.readthedocs.io/en/stable/explanations/pytest/ (loading the schema from a
running service, a case per generated request, `case.validate_response` with chosen checks).
"""
from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, ignored_auth,
                                               response_schema_conformance, status_code_conformance)

from tests.agent.conftest import bill

EXAMPLES = 25
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          ignored_auth]


def test_every_operation_answers_within_its_schema(sim, agent):
    proc, http, cfg = agent("pharmacy")
    person = sim.person("active")
    sale = http.post("/v1/sales", json=bill(qr=sim.code(person["psn_no"])), headers={"Idempotency-Key": "st-1"})
    assert sale.json()["state"] == "quoted", sale.text
    schema = schemathesis.openapi.from_url(proc.url + "/openapi.json")
    ran = []
    plans = [(GenerationMode.POSITIVE, None), (GenerationMode.NEGATIVE, None),
             (GenerationMode.POSITIVE, {"sale_id": sale.json()["sale_id"]})]
    for result in schema.get_all_operations():
        op = result.ok()
        for mode, path in plans:
            if op.path == "/v1/events" or (path and "{sale_id}" not in op.path):
                continue
            run_operation(op, mode, path, proc, ran)
    codes = {(m, p, s) for m, p, s in ran}
    for expected in [("POST", "/v1/sales", 409), ("POST", "/v1/sales", 422), ("GET", "/v1/sales/{sale_id}", 200),
                     ("GET", "/v1/sales/{sale_id}", 404), ("POST", "/v1/refunds", 422), ("GET", "/v1/status", 200)]:
        assert expected in codes, expected
    assert len(ran) >= 150
    assert http.get("/healthz").status_code == 200  # still serving after all of it


def run_operation(op, mode, path, proc, ran) -> None:
    """Bounded examples of one operation in one mode, each answer checked."""
    @given(case=op.as_strategy(generation_mode=mode, path_parameters=path))
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def run(case):
        response = case.call(base_url=proc.url, headers=proc.headers, timeout=30)
        case.validate_response(response, checks=CHECKS, headers=proc.headers)
        ran.append((op.method.upper(), op.path, response.status_code))
    try:
        run()
    except Unsatisfiable:
        assert mode == GenerationMode.NEGATIVE, op.path  # nothing to get wrong in GET /healthz, /v1/status
