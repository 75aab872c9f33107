"""`make test-windows`: the curated Windows suite, run by pytest under the Windows Python (Wine), then a
summary of which parts ran, which were skipped and why. Exit 0 only when nothing failed.

The 32-bit parts need 32-bit Windows under Wine (Debian's wine32:i386, `make windows-deps32`); without it they
are skipped, and the reason printed."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent)]

import winenv  # noqa: E402  (packaging/windows; "packaging" itself is PyPI's)

# (what a part shows, the tests) — each runs under the Windows Python, in one pytest session
PARTS = [
    ("x64 NationECCode.dll in process: GBK round trips, error answers, timeouts, vendor mode (named-pipe box)",
     "tests/ec/test_library.py"),
    ("ecpos verify: library (x64), http, bridge (x86); a vendor DLL found in the install folder / on PATH",
     "tests/ec/test_verify_cli.py"),
    ("x86 NationECCode.dll through the bridge (msl-loadlib's server32-windows.exe)", "tests/ec/test_bridge.py"),
    ("a sale through the main window: keys, socket scan box, receipt",
     "tests/ui/test_pharmacy_sale.py::test_full_sale_through_pty_scan_box"),
    ("Windows itself: owner-only ACL, headless demo sale and refund, main window screenshot", "tests/windows"),
]
REPORT = winenv.WIN / "suite.xml"


def wine32_missing() -> str:
    """Why the 32-bit parts cannot run here ("" when they can)."""
    r = subprocess.run(["dpkg", "-s", "wine32:i386"], capture_output=True)
    if r.returncode == 0:
        return ""
    return ("wine32:i386 is not installed, so Wine runs no 32-bit Windows program (msl-loadlib's "
            "server32-windows.exe hosts the x86 DLL); `make windows-deps32` tries to install it (on this "
            "machine's mirror the i386 security index was mid-sync and apt reported breaks)")


def main() -> int:
    t0 = time.monotonic()
    winenv.setup()
    no32 = wine32_missing()
    REPORT.unlink(missing_ok=True)
    args = ["-m", "pytest", "-p", "no:cacheprovider", "-q", "-rfE", "--timeout", "300",
            f"--junitxml={winenv.winpath(REPORT)}", *[tests for _, tests in PARTS]]
    r = winenv.python(args, timeout=25 * 60, check=False, extra_env={"ECPOS_NO_WIN32": no32} if no32 else None)
    print(r.stdout[-6000:])
    summary = summarize()
    print(f"test-windows: {time.monotonic() - t0:.0f} s, Wine {winenv.wine_version()}, Windows Python "
          f"{winenv.PY_TAG}, ANSI code page 936")
    for line in summary:
        print(line)
    if no32:
        print(f"  32-bit parts not run: {no32}")
    return 0 if r.returncode == 0 else 1


def summarize() -> list[str]:
    """One line per part: passed / skipped / failed, from pytest's JUnit report."""
    if not REPORT.exists():
        return ["  (no report: pytest did not finish)"]
    counts = {what: {"passed": 0, "skipped": 0, "failed": 0} for what, _ in PARTS}
    for case in ET.parse(REPORT).iter("testcase"):
        path = case.get("classname", "").replace(".", "/")
        what = next((w for w, tests in PARTS if path.startswith(tests.split("::")[0].removesuffix(".py"))), None)
        if what is None:
            continue
        kind = ("failed" if case.find("failure") is not None or case.find("error") is not None
                else "skipped" if case.find("skipped") is not None else "passed")
        counts[what][kind] += 1
    return [f"  {c['passed']:3d} passed {c['skipped']:3d} skipped {c['failed']:3d} failed  {what}"
            for what, c in counts.items()]


if __name__ == "__main__":
    sys.exit(main())
