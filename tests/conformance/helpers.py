"""Sample loading for the conformance tests (sources in tests/conformance/README.md)."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

SAMPLES = Path(__file__).with_name("samples")


def load(name: str) -> dict:
    """A sample as the client reads an answer: numbers with a fraction as Decimal, never float."""
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"), parse_float=Decimal)


def names(kind: str) -> list[str]:
    """The sample files of a kind ("answers" or "requests")."""
    return sorted(f"{kind}/{p.name}" for p in (SAMPLES / kind).glob("*.json"))
