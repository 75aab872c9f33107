"""The receipt text of a settled sale, read from its journal row (so it survives a restart): the core's
receipt (terminal/receipt.py), the same layout as the printed one; the patient masked as the journal keeps it.
"""
from __future__ import annotations

from terminal.receipt import for_row, layout


def receipt_text(cfg, sale: dict) -> str:
    """The plain-text receipt of a journal sale row (settled)."""
    return "\n".join(layout(for_row(cfg, sale), cfg.printer.width))
