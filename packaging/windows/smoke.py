"""`make windows-smoke`: `ecpos verify` under the Windows Python (Wine) through ecpos's own library adapter and
the x64 NationECCode.dll (stdcall, GBK across the ABI), against the reference service running here on Linux
over loopback. Prints `ok` and exits 0, or says what failed and exits 1."""
from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[2])]

import winenv  # noqa: E402  (packaging/windows; "packaging" itself is PyPI's)
from simulator.process import SimProcess  # noqa: E402

DLL64 = winenv.ROOT / "build" / "win64" / "NationECCode.dll"


def main() -> int:
    t0 = time.monotonic()
    winenv.setup()
    if not DLL64.is_file():
        print(f"windows-smoke: {DLL64} missing (make lib builds it where mingw-w64 is installed)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="ecpos-winsmoke-") as tmp:
        sim = SimProcess(Path(tmp) / "sim").start()
        try:
            person = sim.person("active")
            # the library reads its code from the request: the till's scanner read it ("off": not vendor mode)
            (Path(tmp) / "win.toml").write_text(
                '[credential]\nadapter = "library"\nlibrary = ""\nbridge = "off"\nvendor_scan = "off"\n',
                encoding="utf-8")
            t1 = time.monotonic()
            r = winenv.python(["-m", "ecpos", "--center", sim.url, "--data-dir", winenv.winpath(Path(tmp) / "data"),
                               "--config", winenv.winpath(Path(tmp) / "win.toml"), "verify",
                               "--qr", sim.code(person["psn_no"]), "--json"], timeout=120, check=False)
            verify_s = time.monotonic() - t1
        finally:
            sim.stop()
    try:
        doc = json.loads(r.stdout[r.stdout.index("{"):])
    except ValueError:
        doc = {}
    adapter = doc.get("adapter", "")
    ok = (r.returncode == 0 and doc.get("status") == "ok" and "NationECCode.dll" in adapter and "64-bit" in adapter
          and doc.get("userName") == person["name"])
    if not ok:
        print(f"windows-smoke: ecpos verify under Wine exited {r.returncode}:\n{r.stdout[-3000:]}", file=sys.stderr)
        return 1
    print(f"windows-smoke: {adapter}: {doc['userName']} {doc['idNo']} "
          f"(verify {verify_s:.1f} s, whole smoke {time.monotonic() - t0:.1f} s)")
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
