"""A bare FastAPI + uvicorn app whose one route only waits in the thread pool, as a step of the agent waits on
the platform: bench/agent.py measures through it what any thread-pool API costs on this machine (the floor
the agent's added latency is compared with). Prints its port, then serves until terminated."""
from __future__ import annotations

import socket
import time

import uvicorn
from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

app = FastAPI()


@app.post("/step/{ms}")
async def step(ms: float) -> dict:
    await run_in_threadpool(time.sleep, ms / 1000)
    return {"state": "quoted"}


if __name__ == "__main__":
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # as agent/server.bind
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    print(sock.getsockname()[1], flush=True)
    uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False)).run(sockets=[sock])
