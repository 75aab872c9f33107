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


EXPORTS = ("NationEcTrans", "EcQuery")


def bind(lib, export: str = "NationEcTrans") -> ctypes._CFuncPtr:  # type: ignore[name-defined]
    """The library's export with its prototype set: NationEcTrans(url, in, out) or EcQuery(in, out)."""
    fn = getattr(lib, export)
    fn.argtypes = ([ctypes.c_char_p] if export == "NationEcTrans" else []) + [ctypes.c_char_p, ctypes.c_void_p]
    fn.restype = ctypes.c_char_p
    fn.ec_export = export
    return fn


def call(fn, url: bytes, request: bytes) -> tuple[bytes, bytes]:
    """(status, answer) from one call; a fresh buffer each call keeps it thread-safe. EcQuery takes no url
    (the library has its own)."""
    buf = ctypes.create_string_buffer(OUT_MAX + _GUARD)
    ctypes.memmove(ctypes.addressof(buf) + OUT_MAX, _CANARY, _GUARD)
    if getattr(fn, "ec_export", "NationEcTrans") == "EcQuery":
        status = fn(request, ctypes.addressof(buf))
    else:
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

        def __init__(self, host, port, path: str = "", export: str = "NationEcTrans", **kwargs):
            libtype = "windll" if sys.platform == "win32" else "cdll"
            self.load_error = ""
            try:
                super().__init__(path, libtype, host, port)
                self._fn = bind(self.lib, export if export in EXPORTS else "NationEcTrans")
            except (OSError, AttributeError) as e:
                # Serve anyway with a system library in its place and report the reason over RPC at once:
                # a server that exits here leaves the client waiting its whole connect timeout.
                self.load_error = f"{type(e).__name__}: {e}"
                self._fn = None
                super().__init__("kernel32" if sys.platform == "win32" else "c", libtype, host, port)

        def trans_bytes(self, url: bytes, request: bytes) -> tuple[bytes, bytes]:
            """One NationEcTrans call inside the server."""
            if self._fn is None:
                raise OSError(f"library not loaded: {self.load_error}")
            return call(self._fn, url, request)

        def bits(self) -> int:
            """The server's pointer size in bits (32)."""
            return ctypes.sizeof(ctypes.c_void_p) * 8
