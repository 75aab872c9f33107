"""Fixtures of the credential-adapter tests: the built libraries, a canned HTTP peer, a clean environment."""
from __future__ import annotations

import os
import socket
import socketserver
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WINDOWS = sys.platform == "win32"  # under the Windows Python (make test-windows): mingw's stdcall DLLs
LIB64 = ROOT / "build" / ("win64/NationECCode.dll" if WINDOWS else "lib64/libnationec.so")
LIB32 = ROOT / "build" / ("win32/NationECCode.dll" if WINDOWS else "lib32/libnationec.so")


@pytest.fixture(scope="session")
def lib64() -> Path:
    """The 64-bit reference library, built by `make lib` if this checkout has none yet (on Windows
    `make test-windows` built it on the Linux side)."""
    if not WINDOWS:
        subprocess.run(["make", "-s", "lib"], cwd=ROOT, check=True, capture_output=True)
    assert LIB64.is_file()
    return LIB64


def m32_problem() -> str:
    """Why a 32-bit library cannot be built here ("" when it can)."""
    probe = ROOT / "build" / "lib32" / ".probe-test"
    probe.parent.mkdir(parents=True, exist_ok=True)
    r = subprocess.run(["gcc", "-m32", "-x", "c", "-o", str(probe), "-"], input=b"int main(void){return 0;}\n",
                       capture_output=True)
    probe.unlink(missing_ok=True)
    return "" if r.returncode == 0 else r.stderr.decode(errors="replace").strip()[-300:] or "gcc -m32 failed"


@pytest.fixture(scope="session")
def lib32(lib64) -> Path:
    """The 32-bit reference library; skips only where `gcc -m32` cannot build (never in CI). On Windows the
    bridge's 32-bit server needs 32-bit Windows: under Wine, wine32, which test-windows names when missing."""
    if WINDOWS:
        if os.environ.get("ECPOS_NO_WIN32"):
            pytest.skip(f"32-bit Windows parts not run: {os.environ['ECPOS_NO_WIN32']}")
        assert LIB32.is_file(), f"{LIB32} missing: make lib builds it where i686-w64-mingw32-gcc is installed"
        return LIB32
    if not LIB32.is_file():
        why = m32_problem()
        if why and not os.environ.get("CI"):
            pytest.skip(f"32-bit library not buildable here: gcc -m32 cannot link (install gcc-multilib): {why}")
        pytest.fail(f"build/lib32/libnationec.so missing although gcc -m32 works ({why or 'probe ok'}); run make lib")
    return LIB32


@pytest.fixture(autouse=True)
def _nationec_env():
    """The library reads NATIONEC_* from the environment; no test leaks its settings into the next."""
    saved = {k: v for k, v in os.environ.items() if k.startswith("NATIONEC_")}
    yield
    for k in [k for k in os.environ if k.startswith("NATIONEC_")]:
        del os.environ[k]
    os.environ.update(saved)


class Canned(socketserver.ThreadingTCPServer):
    """A loopback peer that reads one HTTP request and answers with whatever bytes a test set."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _CannedHandler)
        self.reply: bytes | callable = b""
        self.requests: list[bytes] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/localcfc/api/hsecfc/localQrCodeQuery"

    def answer(self, body: bytes, status: str = "200 OK", headers: str | None = None) -> None:
        """Reply with an HTTP response around body."""
        if headers is None:
            headers = f"Content-Type: application/json;charset=utf-8\r\nContent-Length: {len(body)}\r\n"
        self.reply = f"HTTP/1.1 {status}\r\n{headers}Connection: close\r\n\r\n".encode() + body


class _CannedHandler(socketserver.BaseRequestHandler):
    def handle(self):
        data = b""
        self.request.settimeout(5)
        try:
            while b"\r\n\r\n" not in data:
                chunk = self.request.recv(65536)
                if not chunk:
                    return
                data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            while len(body) < length:
                chunk = self.request.recv(65536)
                if not chunk:
                    break
                body += chunk
            self.server.requests.append(body)
            reply = self.server.reply(body) if callable(self.server.reply) else self.server.reply
            if reply:
                self.request.sendall(reply)
            self.request.shutdown(socket.SHUT_WR)
        except OSError:
            pass


@pytest.fixture
def canned():
    """A Canned peer on a free loopback port, stopped after the test."""
    server = Canned()
    t = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    t.start()
    yield server
    server.shutdown()
    server.server_close()
