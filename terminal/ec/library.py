"""The vendor-library path: NationEcTrans loaded with ctypes into this interpreter (its own bitness)."""
from __future__ import annotations

import ctypes
import json
import os
import sys
from pathlib import Path
from typing import Any

from terminal.ec.binfmt import NotALibrary, interpreter_bits, library_bits
from terminal.ec.credential import LibraryLoadError
from terminal.ec.host32 import nationec_host as host

OUT_MAX = host.OUT_MAX
REPO = Path(__file__).resolve().parents[2]


VENDOR_DLL = "NationECCode.dll"  # the vendor's file name on Windows, and our reference build's there


def default_library(bits: int) -> Path:
    """The reference build of `make lib` in this checkout (Windows: mingw's NationECCode.dll)."""
    if sys.platform == "win32":
        return REPO / "build" / f"win{bits}" / VENDOR_DLL
    return REPO / "build" / f"lib{bits}" / "libnationec.so"


def install_dirs() -> list[Path]:
    """Where ecpos is installed: the program's own folder (a frozen build's, or the bundled Python's) first."""
    dirs = [Path(sys.executable).resolve().parent, Path(sys.prefix).resolve()]
    return list(dict.fromkeys(dirs))


def find_library(name: str, path_env: str | None = None) -> Path:
    """[credential] library as a path: a bare file name (NationECCode.dll) is looked up the way the vendor's
    installers expect, in ecpos's install folder, then each folder on PATH; anything else is taken as given.
    Not found: the install-folder path, so check_file names where the file was expected."""
    path = Path(name).expanduser()
    if path.name != name:
        return path
    found = [d / name for d in install_dirs()]
    env = os.environ.get("PATH", "") if path_env is None else path_env
    found += [Path(d) / name for d in env.split(os.pathsep) if d]
    return next((p for p in found if p.is_file()), found[0])


def check_file(path: Path) -> int:
    """The library's bitness, or LibraryLoadError saying what is wrong with the file."""
    if not path.is_file():
        hint = "（参考库请先执行 make lib）" if path.parent.parent == REPO / "build" else ""
        raise LibraryLoadError(f"找不到医保电子凭证库文件：{path}{hint}；请检查配置 [credential] library",
                               detail=f"missing {path}")
    try:
        return library_bits(path)
    except (NotALibrary, OSError) as e:
        raise LibraryLoadError(f"医保电子凭证库文件无法识别：{path}；请确认是厂商提供的动态库",
                               detail=str(e)) from None


def encode_request(request: dict[str, Any], encoding: str) -> bytes:
    """The request JSON in the library's charset (a char the charset lacks is sent as a \\u escape of four hex digits)."""
    try:
        return json.dumps(request, ensure_ascii=False, separators=(",", ":")).encode(encoding)
    except UnicodeEncodeError:
        return json.dumps(request, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def decode_answer(status: bytes, raw: bytes, encoding: str) -> dict[str, Any]:
    """The answer dict the library wrote; an error answer (code -4) when it is not a JSON object."""
    st = status.decode("ascii", "replace")
    try:
        answer = json.loads(raw.decode(encoding, "replace"))
    except (ValueError, RecursionError):
        answer = None
    if not isinstance(answer, dict):
        return {"code": -4, "message": "医保电子凭证库应答无效", "data": None,
                "extra": {"status": st, "detail": f"library answer is not a JSON object ({len(raw)} bytes)"}}
    if st != "0000" and str(answer.get("code")) in ("0", ""):
        # a failure status with a success body: trust the status, never a half answer
        return {"code": -4, "message": "医保电子凭证库应答无效", "data": None,
                "extra": {"status": st, "detail": "failure status with a success answer"}}
    return answer


class LibraryTrans:
    """NationEcTrans in this process; thread-safe as the library is (a buffer per call)."""

    kind = "library"

    def __init__(self, path: str | os.PathLike, url: str, encoding: str = "gbk", export: str = "NationEcTrans"):
        self.path = Path(path)
        bits, mine = check_file(self.path), interpreter_bits()
        if bits != mine:
            raise LibraryLoadError(
                f"医保电子凭证库是{bits}位，而本程序（Python）是{mine}位，无法直接加载：请换用{mine}位的库，"
                f"或在配置 [credential] 中设置 bridge = \"auto\"（由{bits}位桥接进程加载）",
                detail=f"{self.path}: library {bits}-bit, interpreter {mine}-bit, bridge off")
        self.bits = bits
        self.url = url
        self.encoding = encoding
        self._dll_dir = None
        try:
            if sys.platform == "win32":
                # since Python 3.8 a DLL's own dependencies are found through this, not PATH
                self._dll_dir = os.add_dll_directory(str(self.path.parent))
                self._lib = ctypes.WinDLL(str(self.path))  # __stdcall
            else:
                self._lib = ctypes.CDLL(str(self.path))
            self._fn = host.bind(self._lib, export)
        except AttributeError as e:
            raise LibraryLoadError(f"医保电子凭证库 {self.path} 没有导出函数 {export}；请在配置 [credential] export 中"
                                   f"选择该库提供的接口（NationEcTrans 或 EcQuery）", detail=str(e)) from None
        except OSError as e:
            raise LibraryLoadError(f"医保电子凭证库加载失败：{self.path}；请确认库文件完整且依赖齐全",
                                   detail=str(e)) from None

    def describe(self) -> str:
        return f"library {self.path} ({self.bits}-bit, in process, {self._fn.ec_export})"

    def trans(self, request: dict[str, Any]) -> dict[str, Any]:
        """One NationEcTrans call: request dict in, answer dict out."""
        try:
            status, raw = host.call(self._fn, self.url.encode(self.encoding), encode_request(request, self.encoding))
        except host.BufferOverrun as e:
            return {"code": -4, "message": "医保电子凭证库写越界", "data": None, "extra": {"detail": str(e)}}
        return decode_answer(status, raw, self.encoding)

    def close(self) -> None:
        if self._dll_dir is not None:
            self._dll_dir.close()
            self._dll_dir = None
