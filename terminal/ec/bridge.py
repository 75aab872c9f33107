"""The bridge: a library of the other bitness hosted in msl-loadlib's 32-bit server (loopback only).

Started on first use, restarted when it has died, stopped by close() or at interpreter exit. A call whose
request may have reached the library before the server died is not resent (an ec.query code is single
use): it fails as CredentialUnavailable and the next call starts a fresh server.
"""
from __future__ import annotations

import atexit
import http.client
import os
import subprocess
import sys
import threading
import warnings
from pathlib import Path
from typing import Any

import msl.loadlib
from msl.loadlib import Client64
from msl.loadlib._constants import server_filename
from msl.loadlib.exceptions import ConnectionTimeoutError, ResponseTimeoutError, Server32Error

from terminal import logs
from terminal.ec.binfmt import interpreter_bits
from terminal.ec.credential import CredentialUnavailable, LibraryLoadError
from terminal.ec.library import check_file, decode_answer, encode_request

HOST_DIR = Path(__file__).resolve().parent / "host32"
HOST_MODULE = "nationec_host"
_preflight_ok: set[str] = set()
_preflight_lock = threading.Lock()


def _server_exe() -> Path:
    return Path(msl.loadlib.__file__).parent / server_filename


def preflight(timeout: float) -> None:
    """Fail fast when the 32-bit server cannot run at all (e.g. Debian without lib32z1).

    msl-loadlib waits its whole connect timeout for a server that died at once; `--version` dies just as
    fast and its stderr names the missing piece.
    """
    exe = _server_exe()
    with _preflight_lock:
        if str(exe) in _preflight_ok:
            return
        try:
            r = subprocess.run([str(exe), "--version"], capture_output=True, timeout=timeout)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise LibraryLoadError("32位桥接进程无法运行，请检查 msl-loadlib 安装", detail=f"{exe}: {e}") from None
        if r.returncode != 0:
            err = r.stderr.decode(errors="replace").strip()[-600:]
            hint = "（Debian/Ubuntu 请安装 lib32z1）" if "libz" in err else ""
            raise LibraryLoadError(f"32位桥接进程无法运行{hint}", detail=f"{exe} exited {r.returncode}: {err}")
        _preflight_ok.add(str(exe))


class BridgeTrans:
    """NationEcTrans of a 32-bit library called through msl-loadlib's Server32/Client64."""

    kind = "bridge"

    def __init__(self, path: str | os.PathLike, url: str, encoding: str = "gbk", *,
                 start_timeout: float = 10.0, call_timeout: float = 60.0, export: str = "NationEcTrans"):
        self.path = Path(path).resolve()
        bits, mine = check_file(self.path), interpreter_bits()
        if bits != 32 or mine != 64:
            raise LibraryLoadError(
                f"桥接只能由64位程序加载32位库：此库是{bits}位、本程序是{mine}位；"
                f"请设置 [credential] bridge = \"off\" 或换用32位库",
                detail=f"{self.path}: library {bits}-bit, interpreter {mine}-bit, bridge on")
        if any(c in str(self.path) for c in ";="):  # msl-loadlib passes kwargs as "k=v;k=v"
            raise LibraryLoadError("库文件路径不能含有 ';' 或 '='，请移动库文件", detail=str(self.path))
        self.bits = bits
        self.url = url
        self.encoding = encoding
        self.export = export
        self.start_timeout = start_timeout
        self.call_timeout = call_timeout
        self._client = None
        self._lock = threading.Lock()
        self.starts = 0
        atexit.register(self.close)

    def describe(self) -> str:
        return f"library {self.path} ({self.bits}-bit, through the 32-bit bridge, {self.export})"

    # -- server lifecycle -------------------------------------------------------------------------
    def _start(self):
        preflight(min(self.start_timeout, 10.0))
        try:
            # Windows: the vendor DLL's own dependencies sit beside it (found via add_dll_directory, not PATH)
            dll_dir = str(self.path.parent) if sys.platform == "win32" else None
            client = Client64(HOST_MODULE, append_sys_path=str(HOST_DIR), host="127.0.0.1",
                              add_dll_directory=dll_dir, timeout=self.start_timeout,
                              rpc_timeout=self.call_timeout, path=str(self.path), export=self.export)
        except ConnectionTimeoutError as e:
            reason = str(getattr(e, "reason", "") or e).strip()[-800:]
            raise LibraryLoadError("32位桥接进程启动失败，请查看日志；可调大 [credential] bridge_timeout",
                                   detail=reason) from None
        except Exception as e:  # the server reported why it could not load the library
            raise LibraryLoadError(f"32位桥接进程无法加载医保电子凭证库：{self.path}",
                                   detail=f"{type(e).__name__}: {e}"[-800:]) from None
        try:
            load_error = client.request32("load_error")
        except Exception as e:  # it started but does not answer: as good as not started
            load_error = f"no answer after start: {type(e).__name__}: {e}"
        if load_error:
            self._discard(client)
            raise LibraryLoadError(f"32位桥接进程无法加载医保电子凭证库：{self.path}；请确认库文件完整且依赖齐全",
                                   detail=str(load_error)[-800:])
        self.starts += 1
        logs.event("ec_bridge_started", pid=self.server_pid(client), launcher=self._proc(client).pid
                   if self._proc(client) else None, library=str(self.path))
        return client

    @staticmethod
    def _proc(client) -> subprocess.Popen | None:
        # msl-loadlib keeps the server's Popen privately; liveness needs it
        return getattr(getattr(client, "_client", None), "_proc", None)

    def server_pid(self, client=None) -> int | None:
        """Process id of the 32-bit Python serving calls while one runs.

        server32 is a one-file frozen program: a launcher process (launcher_pid) runs this child.
        """
        meta = getattr(getattr(client or self._client, "_client", None), "_meta32", None) or {}
        return int(meta["pid"]) if "pid" in meta else None

    def launcher_pid(self) -> int | None:
        """Process id of the server32 program msl-loadlib started (the frozen launcher)."""
        proc = self._proc(self._client)
        return proc.pid if proc is not None else None

    def _alive(self, client) -> bool:
        proc = self._proc(client)
        return proc is None or proc.poll() is None

    def _discard(self, client) -> None:
        """Stop a server (politely if it still answers) and free its files; never raises."""
        if client is None:
            return
        inner = getattr(client, "_client", None)
        proc = self._proc(client)
        try:
            if proc is not None and proc.poll() is None:
                with warnings.catch_warnings(record=True) as forced:
                    warnings.simplefilter("always")
                    try:
                        client.shutdown_server32(kill_timeout=2)
                    finally:
                        if forced:
                            # msl-loadlib gave up waiting: it sent SIGTERM and set returncode itself
                            # without reaping (then may raise), which would leave the launcher <defunct>;
                            # reap (or kill) it below.
                            proc.returncode = None
        except Exception:  # a half-dead server: fall through to the hard way
            pass
        try:
            if proc is not None and proc.poll() is None:
                proc.kill()
            if proc is not None:
                proc.wait(timeout=5)
                for stream in (proc.stdout, proc.stderr):
                    if stream is not None:
                        stream.close()
            if inner is not None:
                conn = getattr(inner, "_conn", None)
                if conn is not None:
                    conn.close()
                    inner._conn = None  # so Client64.__del__ does not try to talk to it again
                inner._cleanup_zombie_and_files()
        except Exception as e:
            logs.event("ec_bridge_cleanup_failed", error=f"{type(e).__name__}: {e}")

    def close(self) -> None:
        """Stop the 32-bit server (also called at interpreter exit)."""
        with self._lock:
            client, self._client = self._client, None
        self._discard(client)
        atexit.unregister(self.close)

    # -- calls ------------------------------------------------------------------------------------
    def server_bits(self) -> int:
        """The pointer size of the process hosting the library (32), starting it if needed."""
        with self._lock:
            if self._client is None or not self._alive(self._client):
                self._discard(self._client)
                self._client = self._start()
            return int(self._client.request32("bits"))

    def trans(self, request: dict[str, Any]) -> dict[str, Any]:
        """One NationEcTrans call in the 32-bit server."""
        url, req = self.url.encode(self.encoding), encode_request(request, self.encoding)
        with self._lock:
            for attempt in (1, 2):
                if self._client is not None and not self._alive(self._client):
                    logs.event("ec_bridge_died", pid=self.server_pid())
                    self._discard(self._client)
                    self._client = None
                if self._client is None:
                    self._client = self._start()
                try:
                    status, raw = self._client.request32("trans_bytes", url, req)
                    return decode_answer(status, raw, self.encoding)
                except (ConnectionRefusedError, BrokenPipeError, http.client.CannotSendRequest) as e:
                    # the request never reached the server: a fresh server may take it once
                    self._discard(self._client)
                    self._client = None
                    if attempt == 2:
                        raise CredentialUnavailable("-1", detail=f"bridge: {type(e).__name__}: {e}") from None
                except Server32Error as e:
                    raise CredentialUnavailable("-4", detail=f"bridge server error: {e}"[:500]) from None
                except (ResponseTimeoutError, OSError, http.client.HTTPException) as e:
                    # it may have reached the library: do not resend; the next call restarts the server
                    self._discard(self._client)
                    self._client = None
                    raise CredentialUnavailable("-3", detail=f"bridge lost: {type(e).__name__}: {e}") from None
        raise CredentialUnavailable("-1", detail="bridge: no attempt left")
