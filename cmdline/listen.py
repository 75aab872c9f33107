"""A listening socket for ecpos's HTTP faces (the agent, the fleet page): bound before serving, so `--port 0`
can print the port it got, and TCP-flagged so answers are not held back by Nagle."""
from __future__ import annotations

import socket

from terminal.errors import EcposError


def bind(host: str, port: int, *, key: str, hint: str) -> socket.socket:
    """A listening socket (port 0: any free one); EcposError(key) saying `hint` (where to set another port)
    when the port cannot be used."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named: asyncio sets TCP_NODELAY only on sockets whose proto says TCP; with proto 0 every
    # answer waited ~40 ms for Nagle and the client's delayed ACK (bench/agent.py found it)
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        raise EcposError(f"端口无法使用：{host}:{port}（{e.strerror or e}）；请换一个端口（{hint}）", key=key) from None
    sock.listen(128)
    return sock
