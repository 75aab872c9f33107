"""`ecpos agent`: the local API for a HIS or ERP, headless."""
from __future__ import annotations

import argparse

from cmdline.options import load_config
from config import PROFILES


def cmd_agent(args: argparse.Namespace) -> int:
    """Serve the agent API until SIGTERM/SIGINT."""
    # why: FastAPI, uvicorn and psycopg load only for `ecpos agent` (every command imports this module)
    from agent.server import serve
    from fleet import background
    cfg = load_config(args, profile=args.profile)
    pusher = background.start(cfg)  # replicates the journal when [fleet] dsn is set; never blocks a sale
    try:
        return serve(cfg, args.host, args.port)
    finally:
        if pusher:
            pusher.stop()


def register(sub) -> None:
    """Add `ecpos agent` to the parser."""
    p = sub.add_parser("agent", help="the local API a HIS/ERP drives (FastAPI on loopback)")
    p.add_argument("--profile", choices=PROFILES)
    p.add_argument("--host", help="address to bind (default [agent] host, 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default [agent] port, 17777; 0 picks a free one)")
    p.set_defaults(func=cmd_agent)
