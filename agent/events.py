"""Server-sent events: a hub any thread publishes to and each `GET /v1/events` stream reads from.

Events carry a growing id; the last few hundred are kept so a caller that reconnects with Last-Event-ID
gets what it missed (as EventSource does by itself).
"""
from __future__ import annotations

import asyncio
import itertools
import json
import threading
from collections import deque
from dataclasses import dataclass
from typing import AsyncIterator

KEEP = 500


@dataclass(frozen=True)
class Event:
    """One event: id, type (e.g. sale.quoted) and JSON-ready data."""

    id: int
    type: str
    data: dict

    def sse(self) -> dict:
        """The event as sse-starlette's dict (id, event, data)."""
        return {"id": str(self.id), "event": self.type, "data": json.dumps(self.data, ensure_ascii=False)}


class Hub:
    """Fan-out of events to the streams of one event loop; publish() is safe from any thread."""

    def __init__(self):
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._recent: deque[Event] = deque(maxlen=KEEP)
        self._queues: set[asyncio.Queue] = set()
        self._listeners: list = []
        self.loop: asyncio.AbstractEventLoop | None = None

    def listen(self, fn) -> None:
        """Call fn(event) on every publish, on the publishing thread (the app hands it to Qt's loop)."""
        self._listeners.append(fn)

    def publish(self, type_: str, **data) -> Event:
        """Record an event and hand it to every open stream."""
        with self._lock:
            ev = Event(next(self._ids), type_, data)
            self._recent.append(ev)
            queues = list(self._queues)
        for fn in self._listeners:
            fn(ev)
        loop = self.loop
        if loop is not None and not loop.is_closed():
            for q in queues:
                loop.call_soon_threadsafe(q.put_nowait, ev)
        return ev

    def since(self, last_id: int) -> list[Event]:
        """Kept events after last_id (a reconnecting stream's catch-up)."""
        with self._lock:
            return [e for e in self._recent if e.id > last_id]

    async def stream(self, last_id: int | None = None) -> AsyncIterator[Event]:
        """Events from now on, after the kept ones newer than last_id (None: none of the kept ones), until the
        caller stops reading."""
        q: asyncio.Queue = asyncio.Queue()
        with self._lock:
            self._queues.add(q)
            backlog = [e for e in self._recent if e.id > last_id] if last_id is not None else []
        try:
            seen = 0
            for ev in backlog:
                seen = ev.id
                yield ev
            while True:
                ev = await q.get()
                if ev.id > seen:
                    yield ev
        finally:
            with self._lock:
                self._queues.discard(q)
