"""The till's books opened for the back office: the journal of the configured data directory, for work that reads
or keeps it without selling — the operators, a shift's handover, the catalogue, a reprint, the reports and the
chain's check. Selling opens it through the till's one Counter (terminal/counter.py), with the platform's client.

    with books.opened(cfg) as journal:
        ...                                   # closed (its chain head written) however the block ends
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from terminal.journal.journal import Journal


@contextmanager
def opened(cfg, *, accept_older: bool = False) -> Iterator[Journal]:
    """The configured till's journal, open for the block. `accept_older`: a journal restored from a copy older than
    its chain's head opens anyway, for `ecpos journal --accept-restored` to record the loss."""
    journal = Journal.for_config(cfg, accept_older=accept_older)
    try:
        yield journal
    finally:
        journal.close()
