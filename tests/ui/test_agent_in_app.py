"""[agent] enabled_in_app: `ecpos app` serves the agent API over its own Counter. A bill the HIS pushes goes into
the cashier's cart, the code shown at the app's own scan box goes to that bill, and the HIS confirms over HTTP
— a real Qt window (offscreen), a real pty scan box, the reference service. tests/acceptance/test_his_bill.py
drives the same with the cashier's keys."""
from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.qt

TOKEN = "in-app-token-0123456789"


def test_pushed_bill_is_in_the_cart_takes_the_scan_and_settles(terminal, qtbot, monkeypatch):
    monkeypatch.setenv("ECPOS_AGENT_TOKEN", TOKEN)
    d = terminal("pharmacy", overrides={"agent.enabled_in_app": True, "agent.port": 0})
    qtbot.waitUntil(lambda: d.ctx.agent.url.startswith("http://127.0.0.1:"), timeout=20000)
    bar = d.window.message_bar
    with httpx.Client(base_url=d.ctx.agent.url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30) as http:
        r = http.post("/v1/sales", headers={"Idempotency-Key": "his-1"}, json={
            "external_id": "HIS-0001", "items": [{"code": "XA01", "name": "阿莫西林胶囊", "qty": "2", "price": "12.50"}]})
        assert r.status_code == 201, r.text
        sid = r.json()["sale_id"]
        qtbot.waitUntil(lambda: "HIS-0001" in bar.text() and "25.00" in bar.text(), timeout=30000)
        qtbot.waitUntil(lambda: d.sale.bill.rowCount() == 1, timeout=30000)  # the HIS's line in the cart

        d.show_code("active", insutype="310")  # through the app's own scan box
        qtbot.waitUntil(lambda: http.get(f"/v1/sales/{sid}").json()["state"] == "quoted", timeout=30000)
        qtbot.waitUntil(lambda: d.sale.state == "quoted", timeout=30000)  # the cart shows its quote

        done = http.post(f"/v1/sales/{sid}/confirm").json()
        assert done["state"] == "settled" and done["setl_id"]
        qtbot.waitUntil(lambda: d.sale.state == "settled", timeout=30000)  # the page follows the core
    assert [s["setl_id"] for s in d.sim.ledger()["settlements"]] == [done["setl_id"]]
