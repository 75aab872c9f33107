"""Agent fixtures: a real `ecpos agent` process against the `sim` fixture, and an httpx client for it."""
from __future__ import annotations

import httpx
import pytest

from agent.process import AgentProcess
from tests.engine.helpers import staff

TOKEN = "test-token-0123456789"


@pytest.fixture
def agent(sim, make_cfg):
    """Factory: agent(profile="pharmacy", **{"section.key": value}) -> (AgentProcess, httpx.Client, cfg).
    Cashier c1 and supervisor s1 exist; the code comes from the caller (no scanner)."""
    made = []

    def make(profile: str = "pharmacy", env: dict | None = None, **over):
        cfg = make_cfg(profile, {"credential.adapter": "http", "devices.scanner": "none", **over})
        staff(cfg)
        proc = AgentProcess(cfg.sources[-1], cfg.data_dir, TOKEN, profile).start(env)
        client = httpx.Client(base_url=proc.url, headers=proc.headers, timeout=30)
        made.append((proc, client))
        return proc, client, cfg
    yield make
    for proc, client in made:
        client.close()
        proc.stop()


def bill(external_id: str = "ERP-0001", **extra) -> dict:
    """A pharmacy bill of two lines, 43.80 yuan."""
    return {"external_id": external_id,
            "items": [{"code": "XA01", "name": "阿莫西林胶囊", "qty": "2", "price": "12.50", "rxno": "RX1"},
                      {"code": "XB02", "name": "布洛芬缓释胶囊", "qty": "1", "price": "18.80"}], **extra}
