"""Running the agent: the Desk, its background work (sync, status, the scanner) and uvicorn.

`ecpos agent` calls serve(); `ecpos app` starts the same in a thread (InApp) when [agent] enabled_in_app is
set, over the app's own Counter and without a scanner of its own (the app's scanner hands it the code while
a pushed sale waits).
"""
from __future__ import annotations

import logging
import socket
import sys
import threading

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from agent import auth
from agent.api import create_app
from agent.desk import Desk
from cmdline import listen
from drivers.sources import make_source
from terminal import logs
from terminal.errors import EcposError

WATCH_S = 1.0  # how often the journal is read for sales resolved outside a request
# A caller's connection: a request's headers must arrive whole within HEADER_S of the connection (or of the
# previous answer) and within HEADER_BYTES; a kept-alive connection idle for IDLE_S is closed (uvicorn's
# timeout_keep_alive). uvicorn 0.55 bounds only the idle time after an answer: a connection that sent nothing,
# or trickled its headers a byte at a time, stayed open for ever (20 such sockets held the agent 30 s and more).
HEADER_S = 10.0
HEADER_BYTES = 64 * 1024
IDLE_S = 5.0


def _bounded_protocol():
    """uvicorn's httptools protocol with the header deadline and size above."""
    class Bounded(HttpToolsProtocol):
        _timer = None
        _seen = 0

        def connection_made(self, transport) -> None:
            super().connection_made(transport)
            self._await_headers()

        def _await_headers(self) -> None:
            self._seen = 0
            self._timer = self.loop.call_later(HEADER_S, self._cut)

        def _headers_done(self) -> None:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

        def _cut(self) -> None:
            self._timer = None
            if not self.transport.is_closing():
                logs.event("agent_connection_cut", why="headers_late")
                self.transport.close()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self._timer is not None:  # the headers are still not whole (a body that follows them never counts)
                self._seen += len(data)
                if self._seen > HEADER_BYTES and not self.transport.is_closing():
                    self._headers_done()
                    logs.event("agent_connection_cut", why="headers_too_large")
                    self.transport.close()

        def on_headers_complete(self) -> None:
            self._headers_done()
            super().on_headers_complete()

        def on_response_complete(self) -> None:
            idle = not self.pipeline  # else the next request's headers are already in
            super().on_response_complete()
            if idle and not self.transport.is_closing():
                self._await_headers()

        def connection_lost(self, exc) -> None:
            self._headers_done()
            super().connection_lost(exc)

    return Bounded


class Background:
    """Sync every [agent] sync_every seconds (and once at start), watch the journal in between; every round,
    cancel sales that waited longer than [agent] code_wait for their code."""

    def __init__(self, desk: Desk, every: float):
        self.desk, self.every = desk, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="agent-background", daemon=True)

    def start(self) -> "Background":
        """Start the background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop it and wait for the round in progress."""
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        waited = self.every  # sync at once: a restart after a crash resolves what it left
        while not self._stop.is_set():
            try:
                self.desk.expire_waiting()
                if waited >= self.every:
                    waited = 0.0
                    self.desk.sync()
                else:
                    self.desk.watch()
            except EcposError as e:
                logs.event("agent_background_failed", error=e.key)
            except Exception:  # a bug here must not stop the next round
                logging.getLogger("ecpos").exception("agent background round failed")
            self._stop.wait(WATCH_S)
            waited += WATCH_S


def attach_scanner(desk: Desk):
    """The configured scan source feeding the sale waiting for a code; None when there is none."""
    try:
        source = make_source(desk.cfg.devices, lambda ev: threading.Thread(
            target=desk.scanned, args=(ev.text,), daemon=True).start(), desk.scanner_changed)
        if source is not None:
            source.start()
        return source
    except EcposError as e:  # headless without a scanner still serves codes the caller posts
        logs.event("agent_scanner_unavailable", error=e.key)
        print(f"扫码器不可用：{e.message}；仍可通过 POST /v1/sales/{{id}}/code 提交码 [{e.key}]", file=sys.stderr)
        return None


def bind(host: str, port: int) -> socket.socket:
    """The agent's listening socket (port 0: any free one), so the real port is known before serving."""
    return listen.bind(host, port, key="agent_port", hint="--port 或 [agent] port")


def build(cfg, host: str, port: int, counter=None, hub=None):
    """(uvicorn server, socket, desk, background) ready to run; counter: the app's own (InApp)."""
    token = auth.load_token(cfg)
    sock = bind(host, port)
    desk = Desk(cfg, hub, counter)
    app = create_app(desk, token, tuple(cfg.agent.allow), tuple(cfg.agent.cors_origins), names=(host,))
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on", timeout_graceful_shutdown=3,
                            http=_bounded_protocol(), timeout_keep_alive=IDLE_S)
    return uvicorn.Server(config), sock, desk, Background(desk, cfg.agent.sync_every)


def serve(cfg, host: str | None = None, port: int | None = None) -> int:
    """Serve until SIGTERM/SIGINT; prints `listening on http://HOST:PORT` first (flushed)."""
    server, sock, desk, background = build(cfg, host or cfg.agent.host,
                                           cfg.agent.port if port is None else port)
    h, p = sock.getsockname()[:2]
    scanner = attach_scanner(desk)
    background.start()
    print(f"listening on http://{h}:{p}", flush=True)
    try:
        server.run(sockets=[sock])
    finally:
        background.stop()
        if scanner is not None:
            scanner.stop()
        desk.close()
        sock.close()
    return 0


class InApp:
    """The agent running inside another program (the Qt app) over that program's Counter — one Counter per
    journal, so a pushed bill is a sale of the app's own script: url, desk, stop(). hub: events, listened to
    before the first request can come."""

    def __init__(self, cfg, counter, hub=None):
        self.server, sock, self.desk, self._background = build(cfg, cfg.agent.host, cfg.agent.port, counter, hub)
        h, p = sock.getsockname()[:2]
        self.url = f"http://{h}:{p}"
        self.server.install_signal_handlers = lambda: None  # the host program owns the signals

        def run():
            self._background.start()
            try:
                self.server.run(sockets=[sock])
            finally:
                self._background.stop()
                sock.close()
        self._thread = threading.Thread(target=run, name="agent-http", daemon=True)
        self._thread.start()
        logs.event("agent_in_app", url=self.url)

    def stop(self) -> None:
        """Stop serving (the Counter is the host program's: it closes it)."""
        self.server.should_exit = True
        self._thread.join(timeout=10)
        self.desk.close()
