"""Card reader seam: a social-security card (社保卡) or ID card reader gives the certificate type and number
for patients without a 医保码. Today the number is typed at the counter; a reader model plugs in here by
implementing `read()`, and the card dialog offers a 读卡 button when `make_reader` returns one.

No reader is configured by default: readers are sold with vendor SDKs (often Windows-only DLLs) that differ
by province, so none is assumed.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class CardRead:
    """What a reader returns: 02 居民身份证 or 03 社会保障卡, the number, the holder's name if the card has it."""

    cert_type: str
    cert_no: str
    name: str = ""


class CardReader(Protocol):
    """A card reader device."""

    def read(self) -> CardRead | None:
        """Read the card on the reader; None when no card is present. Raises OSError on a device fault."""


def make_reader(cfg) -> CardReader | None:
    """The configured reader, or None (manual entry only)."""
    return None
