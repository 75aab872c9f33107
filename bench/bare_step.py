"""A bare FastAPI + uvicorn app whose one route only waits in the thread pool, as a step of the agent waits on
the platform: bench/agent.py measures through it what any thread-pool API costs on this machine (the floor
the agent's added latency is compared with). Prints its port, then serves until terminated."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import uvicorn
from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

app = FastAPI()


@app.post("/step/{ms}")
async def step(ms: float) -> dict:
    await run_in_threadpool(time.sleep, ms / 1000)
    return {"state": "quoted"}


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from cmdline.listen import bind  # the agent's own listening socket (TCP_NODELAY as it has)
    sock = bind("127.0.0.1", 0, key="bench_port", hint="--port")
    print(sock.getsockname()[1], flush=True)
    uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False)).run(sockets=[sock])
