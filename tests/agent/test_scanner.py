"""The headless agent reads codes at its own scan box: a real pty serial box (as tests/ui use), a real
`ecpos agent`; the caller never sends the code. A code read while no sale waits is ignored and said so."""
from __future__ import annotations

import json
import threading

import httpx

from tests.agent.conftest import bill
from tests.waiting import wait_until
from ui.demo.vpty import VirtualScanBox


def test_the_agents_own_scan_box_fills_the_waiting_sale(sim, agent):
    box = VirtualScanBox()
    try:
        proc, http, cfg = agent("pharmacy", **{"devices.scanner": "serial", "devices.serial_port": box.path,
                                               "devices.serial_terminator": "CR"})
        wait_until(lambda: http.get("/v1/status").json()["scanner"]["state"] == "connected", timeout=20)
        events: list[str] = []

        def listen():
            with httpx.Client(base_url=proc.url, headers=proc.headers, timeout=30) as c:
                # Last-Event-ID 0: everything kept, so nothing published before the stream opened is missed
                with c.stream("GET", "/v1/events", headers={"Last-Event-ID": "0"}) as r:
                    for line in r.iter_lines():
                        if line.startswith("event: "):
                            events.append(line[7:])
                            if line == "event: sale.quoted":
                                return
        t = threading.Thread(target=listen, daemon=True)
        t.start()

        box.scan(sim.code(sim.person("active")["psn_no"]))  # nobody waits for it
        wait_until(lambda: "device.scan_ignored" in events, timeout=20)

        sale = http.post("/v1/sales", json=bill(), headers={"Idempotency-Key": "box-1"}).json()
        assert sale["state"] == "waiting_for_code"
        box.scan(sim.code(sim.person("active", insutype="310")["psn_no"]))
        quoted = wait_until(lambda: (v := http.get(f"/v1/sales/{sale['sale_id']}").json())["state"] == "quoted" and v,
                            timeout=30)
        assert quoted["split"]["medfee_sumamt"] == "43.80"
        t.join(10)
        assert events.index("device.scan_ignored") < events.index("sale.code_read") < events.index("sale.quoted")
    finally:
        box.close()


def test_scanner_none_alone_lets_the_caller_send_codes_with_the_vendor_library(sim, agent):
    """docs/agent.md: `scanner = "none"` when the caller sends codes. With the default adapter (the vendor's
    library, vendor_scan auto -> the library drives the box itself) POST …/code was refused (vendor_scan_code)
    until vendor_scan = "off" was set too; the code now goes to the platform's 1162 decode (issue 21 item 8)."""
    from tests.agent.conftest import bill
    _, http, _ = agent("pharmacy", **{"credential.adapter": "library"})
    made = http.post("/v1/sales", json=bill("ERP-V1"), headers={"Idempotency-Key": "v-1"})
    assert made.status_code == 201 and made.json()["state"] == "waiting_for_code", made.text
    code = sim.code(sim.person("active", insutype="310")["psn_no"])
    got = http.post(f"/v1/sales/{made.json()['sale_id']}/code", json={"qr": code})
    assert got.status_code == 200 and got.json()["state"] == "quoted", got.text
