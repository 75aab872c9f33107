"""The background pusher the app and `ecpos agent` start: a daemon thread that pushes the journal whenever
something waits, retries with exponential backoff (and jitter, so a hundred tills coming back do not knock
together) while PostgreSQL is down, and never touches the sale's own journal connection."""
from __future__ import annotations

import random
import threading

from fleet import db
from fleet.push import PushReport, Till, push
from terminal import logs


class BackgroundPusher:
    """start() / wake() after a sale / stop(); last and error say how the latest pass went."""

    def __init__(self, dsn: str, journal_path, till: Till, *, interval_s: float = 5.0,
                 max_backoff_s: float = 60.0, batch: int = 500):
        self.dsn, self.journal_path, self.till = dsn, journal_path, till
        self.interval_s, self.max_backoff_s, self.batch = interval_s, max_backoff_s, batch
        self.last: PushReport | None = None
        self.error = ""  # the key of the latest failure, "" after a good pass
        self.failures = 0
        self.passes = 0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fleet-push", daemon=True)

    def start(self) -> "BackgroundPusher":
        self._thread.start()
        return self

    def wake(self) -> None:
        """Push soon (e.g. right after a sale was journaled) instead of at the next interval."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the batch in flight (its transaction commits or rolls back whole)."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def delay(self) -> float:
        """Seconds to wait before the next pass: the interval, or the backoff after failures."""
        if not self.failures:
            return self.interval_s
        base = min(self.max_backoff_s, self.interval_s * 2 ** min(self.failures, 16))
        return base * random.uniform(0.5, 1.0)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.last = push(self.dsn, self.journal_path, self.till, batch=self.batch, max_batches=20)
                self.error, self.failures = "", 0
            except db.FleetError as e:
                self.error, self.failures = e.key, self.failures + 1
                logs.event("fleet_push_retry", till=self.till.name, error=e.key, failures=self.failures)
            except Exception as e:  # a bug must not kill the pusher silently, nor the app
                self.error, self.failures = "internal_error", self.failures + 1
                logs.event("fleet_push_retry", till=self.till.name, error=type(e).__name__,
                           failures=self.failures)
            self.passes += 1
            if self.last and self.last.queue and not self.failures:
                continue  # more waiting: go on at once
            self._wake.wait(self.delay())
            self._wake.clear()


def start(cfg, journal_path=None) -> BackgroundPusher | None:
    """Start pushing this till's journal when [fleet] dsn (or ECPOS_FLEET_DSN) is set; None otherwise."""
    if not cfg.fleet.dsn:
        return None
    path = journal_path or cfg.data_dir / "journal.sqlite3"
    return BackgroundPusher(cfg.fleet.dsn, path, Till.of(cfg), interval_s=cfg.fleet.push_interval_s,
                            max_backoff_s=cfg.fleet.max_backoff_s, batch=cfg.fleet.batch).start()
