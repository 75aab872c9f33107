"""Calls NationEcTrans through ctypes: used in-process and, for a library of the other bitness, as the
module msl-loadlib's 32-bit server imports (it is found by file name, so it needs only the stdlib and
msl.loadlib: never import terminal/ from here).
"""
from __future__ import annotations

import ctypes
import sys

OUT_MAX = 20480   # bytes of out_buf the library may write, terminator included (the vendor's figure)
_GUARD = 64       # canary bytes after the buffer: a library writing past OUT_MAX is caught, not ignored
_CANARY = b"\xa5" * _GUARD


class BufferOverrun(RuntimeError):
    """The library wrote past the bytes the ABI allows."""


def bind(lib) -> ctypes._CFuncPtr:  # type: ignore[name-defined]
    """NationEcTrans of a loaded library with its prototype set."""
    fn = lib.NationEcTrans
    fn.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_void_p]
    fn.restype = ctypes.c_char_p
    return fn


def call(fn, url: bytes, request: bytes) -> tuple[bytes, bytes]:
    """(status, answer) from one NationEcTrans call; a fresh buffer each call keeps it thread-safe."""
    buf = ctypes.create_string_buffer(OUT_MAX + _GUARD)
    ctypes.memmove(ctypes.addressof(buf) + OUT_MAX, _CANARY, _GUARD)
    status = fn(url, request, ctypes.addressof(buf))
    raw = buf.raw
    if raw[OUT_MAX:] != _CANARY:
        raise BufferOverrun(f"NationEcTrans wrote past its {OUT_MAX}-byte buffer")
    answer = raw[:OUT_MAX]
    end = answer.find(b"\0")
    return (status or b""), (answer if end < 0 else answer[:end])


try:
    from msl.loadlib import Server32
except ImportError:  # msl-loadlib absent: the in-process path still works
    Server32 = None

if Server32 is not None:
    class NationEcServer32(Server32):
        """Hosts the library in msl-loadlib's 32-bit server; the client calls trans_bytes()."""

        def __init__(self, host, port, path: str = "", **kwargs):
            super().__init__(path, "windll" if sys.platform == "win32" else "cdll", host, port)
            self._fn = bind(self.lib)

        def trans_bytes(self, url: bytes, request: bytes) -> tuple[bytes, bytes]:
            """One NationEcTrans call inside the server."""
            return call(self._fn, url, request)

        def bits(self) -> int:
            """The server's pointer size in bits (32)."""
            return ctypes.sizeof(ctypes.c_void_p) * 8
