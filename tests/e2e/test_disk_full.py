"""A full disk during a sale: a clear message, exit 3, no traceback, nothing lost (sync settles the outcome).

The data directory is a real 8 MB tmpfs, filled while the platform works on the 2102, so the journal cannot
record the answer. Runs in a user and mount namespace (`unshare -rm`), so no root is needed where the kernel
allows unprivileged namespaces; elsewhere the test is skipped.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from tests.engine.helpers import ROOT, items_file

SCRIPT = r"""
set -u
mount -t tmpfs -o size=8m tmpfs "$MNT"
mkdir "$MNT/data"
run() { "$PY" -m ecpos --config "$CONF" --data-dir "$MNT/data" "$@"; }
run settle --qr "$QR" --items "$ITEMS" --json >"$OUT/settle.out" 2>"$OUT/settle.err" &
pid=$!
# Wait until the 2102 is journaled and on its way (the platform holds its answer for a while), then fill up.
"$PY" - "$MNT/data/journal.sqlite3" <<'EOF'
import sqlite3, sys, time
end = time.monotonic() + 30
while time.monotonic() < end:
    try:
        c = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
        if c.execute("SELECT 1 FROM requests WHERE infno='2102' AND state='sending'").fetchone():
            sys.exit(0)
    except sqlite3.Error:
        pass
    time.sleep(0.02)
sys.exit(1)
EOF
echo $? >"$OUT/waited"
dd if=/dev/zero of="$MNT/fill" bs=64k 2>/dev/null
wait $pid
echo $? >"$OUT/settle.rc"
rm "$MNT/fill"
run sync --json >"$OUT/sync.out" 2>"$OUT/sync.err"
echo $? >"$OUT/sync.rc"
run journal --json >"$OUT/journal.out" 2>"$OUT/journal.err"
"""


def _namespaces_work() -> bool:
    if not shutil.which("unshare"):
        return False
    r = subprocess.run(["unshare", "-rm", "sh", "-c", "mount -t tmpfs tmpfs /mnt"], capture_output=True)
    return r.returncode == 0


@pytest.mark.skipif(not _namespaces_work(), reason="needs unprivileged user+mount namespaces (unshare -rm)")
def test_full_disk_while_settling_exits_3_without_traceback_and_sync_resolves_it(sim, make_cfg, tmp_path):
    cfg = make_cfg("pharmacy", {"credential.adapter": "http"})
    person = sim.person("active", insutype="310")
    items = items_file(tmp_path, ("XA01", "阿莫西林胶囊", "2", "12.50"))
    out = tmp_path / "out"
    mnt = tmp_path / "mnt"
    out.mkdir()
    mnt.mkdir()
    sim.faults("2102:delay:1500")  # processed at once, answered 1.5 s later: the disk fills meanwhile
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "ECPOS_PROFILE": "pharmacy", "PY": sys.executable,
           "CONF": cfg.sources[-1], "MNT": str(mnt), "OUT": str(out), "QR": sim.code(person["psn_no"]),
           "ITEMS": str(items), "HOME": str(tmp_path)}
    subprocess.run(["unshare", "-rm", "sh", "-c", SCRIPT], env=env, cwd=ROOT, timeout=120, check=True)

    assert (out / "waited").read_text().strip() == "0"
    err = (out / "settle.err").read_text()
    assert (out / "settle.rc").read_text().strip() == "3", err
    assert "Traceback" not in err and "[disk_full]" in err and "磁盘已满" in err and "请勿重复收费" in err
    assert json.loads((out / "settle.out").read_text())["status"] == "unknown"
    # The platform settled it; once there is space again, sync finds the request and reverses it.
    sync = json.loads((out / "sync.out").read_text())
    assert (out / "sync.rc").read_text().strip() == "0", (out / "sync.err").read_text()
    assert [r["rslt"] for r in sync["reversed"]] == ["reversed"]
    [sale] = json.loads((out / "journal.out").read_text())
    assert sale["status"] == "reversed"
    assert [s["status"] for s in sim.ledger()["settlements"]] == ["reversed"]
