"""`make dist`: the PyInstaller one-folder bundle (dist/ecpos/) and a .deb that installs it with systemd units.

    python packaging/build.py [--dist DIR] [--work DIR] [--no-deb]

The .deb (dpkg-deb, no debhelper needed) puts the bundle in /opt/ecpos, `ecpos` on the PATH, an empty site
layer in /etc/ecpos/site.toml (a conffile), user units for the till app and the sync timer, and a system unit
for the kiosk (its own bare X server, restart on failure).
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "packaging"
sys.path.insert(0, str(ROOT))

from ecpos import __version__  # noqa: E402

DEPENDS = "libc6, adduser, libzbar0, libfontconfig1, libxkbcommon-x11-0, libxcb-cursor0, libegl1, libgl1, libdbus-1-3"
RECOMMENDS = "fonts-noto-cjk, xinit, xserver-xorg-core"


def bundle(dist: Path, work: Path) -> Path:
    """Run PyInstaller on packaging/ecpos.spec; returns dist/ecpos."""
    # our packages are found from the source tree (the spec collects their submodules by name)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
                    "--distpath", str(dist), "--workpath", str(work), str(HERE / "ecpos.spec")],
                   check=True, cwd=ROOT, env=env)
    return dist / "ecpos"


def deb(app: Path, dist: Path) -> Path:
    """dist/ecpos_<version>_amd64.deb from the bundle."""
    root = dist / "deb-root"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(app, root / "opt" / "ecpos", symlinks=True)
    (root / "usr" / "bin").mkdir(parents=True)
    os.symlink("/opt/ecpos/ecpos", root / "usr" / "bin" / "ecpos")
    units = HERE / "deb" / "systemd"
    for name, where in (("ecpos-till.service", "user"), ("ecpos-sync.service", "user"),
                        ("ecpos-sync.timer", "user"), ("ecpos-kiosk.service", "system"),
                        ("ecpos-agent.service", "system")):
        dest = root / "usr" / "lib" / "systemd" / where
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copy(units / name, dest / name)
    (root / "etc" / "ecpos").mkdir(parents=True)
    shutil.copy(HERE / "deb" / "site.toml", root / "etc" / "ecpos" / "site.toml")
    shutil.copy(HERE / "deb" / "cashiers", root / "etc" / "ecpos" / "cashiers")
    (root / "usr" / "share" / "applications").mkdir(parents=True)
    shutil.copy(HERE / "deb" / "ecpos.desktop", root / "usr" / "share" / "applications" / "ecpos.desktop")
    control = root / "DEBIAN"
    control.mkdir()
    size_kb = sum(f.lstat().st_size for f in root.rglob("*") if not f.is_dir() or f.is_symlink()) // 1024
    (control / "control").write_text(
        f"Package: ecpos\nVersion: {__version__}\nArchitecture: amd64\nMaintainer: ecpos <ecpos@localhost>\n"
        f"Installed-Size: {size_kb}\nDepends: {DEPENDS}\nRecommends: {RECOMMENDS}\nSection: misc\n"
        "Priority: optional\nDescription: 医保电子凭证扫码结算终端 (medical-insurance e-credential terminal)\n"
        " Reads the patient's 医保码, settles with the insurance platform, refunds offline from its\n"
        " journal; the cashier app, the self-service kiosk and the `ecpos` command.\n", encoding="utf-8")
    (control / "conffiles").write_text("/etc/ecpos/site.toml\n/etc/ecpos/cashiers\n")
    for script in ("postinst", "prerm", "postrm"):
        shutil.copy(HERE / "deb" / script, control / script)
        os.chmod(control / script, 0o755)
    out = dist / f"ecpos_{__version__}_amd64.deb"
    subprocess.run(["dpkg-deb", "--root-owner-group", "-Zgzip", "-z6", "--build", str(root), str(out)],
                   check=True, stdout=subprocess.DEVNULL)
    shutil.rmtree(root)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dist", default=str(ROOT / "dist"))
    ap.add_argument("--work", default=str(ROOT / "build" / "pyinstaller"))
    ap.add_argument("--no-deb", action="store_true")
    args = ap.parse_args(argv)
    if not (ROOT / "build" / "lib64" / "libnationec.so").exists():
        print("warning: build/lib64/libnationec.so missing (make lib): the bundle uses the http adapter",
              file=sys.stderr)
    t0 = time.monotonic()
    app = bundle(Path(args.dist), Path(args.work))
    size = sum(f.lstat().st_size for f in app.rglob("*") if not f.is_dir() or f.is_symlink()) / 2**20
    print(f"bundle: {app} ({size:.0f} MB, {time.monotonic() - t0:.0f} s)")
    if not args.no_deb:
        t1 = time.monotonic()
        out = deb(app, Path(args.dist))
        print(f"deb: {out} ({out.stat().st_size / 2**20:.0f} MB, {time.monotonic() - t1:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
