"""The Python client in docs/agent.md, copied out of the page and run against a real agent: a sale pushed,
scanned at the caller, confirmed, refunded — so the page an HIS developer copies cannot rot."""
from __future__ import annotations

import re
from pathlib import Path

from tests.agent.conftest import TOKEN, bill
from tests.engine.helpers import SUPERVISOR_PIN

DOC = Path(__file__).resolve().parents[2] / "docs" / "agent.md"


def client_class():
    text = DOC.read_text(encoding="utf-8")
    block = re.search(r"<!-- tests/agent/test_docs_client.py runs this block.*?-->\n```python\n(.*?)```", text, re.S)
    assert block, "the client block is gone from docs/agent.md"
    scope: dict = {}
    exec(compile(block.group(1), str(DOC), "exec"), scope)
    return scope["EcposAgent"]


def test_the_documented_client_settles_and_refunds(sim, agent):
    proc, http, cfg = agent("pharmacy")
    EcposAgent = client_class()
    client = EcposAgent(proc.url, TOKEN)
    person = sim.person("active", insutype="310")
    sale = client.push("ERP-DOC-1", bill()["items"], key="doc-1")
    assert sale["state"] == "waiting_for_code"
    client.code(sale["sale_id"], sim.code(person["psn_no"]))
    quoted = client.wait(sale["sale_id"], until=("quoted",))
    assert quoted["split"]["medfee_sumamt"] == "43.80"
    done = client.confirm(sale["sale_id"])
    assert done["state"] == "settled" and done["setl_id"]
    again = client.push("ERP-DOC-1", bill()["items"], key="doc-1")  # a retried push: the same sale
    assert again["sale_id"] == sale["sale_id"] and again["state"] == "settled"
    r = client.refund(done["setl_id"], "顾客退药", "c1", "s1", SUPERVISOR_PIN)
    assert r["status"] == "refunded"
    try:
        EcposAgent(proc.url, "wrong").sale(sale["sale_id"])
    except RuntimeError as e:
        assert "401 unauthorized" in str(e)
    else:
        raise AssertionError("a wrong token was accepted")
