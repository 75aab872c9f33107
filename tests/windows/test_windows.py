"""ecpos on Windows, as a till runs it: the journal and receipts private by ACL, the headless demo's sale and
refund from the command line, the main window drawn offscreen (a screenshot kept for a human to look at)."""
from __future__ import annotations

import ctypes
import locale
import os
import subprocess
import sys
from ctypes import wintypes
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "build" / "win" / "screenshots"
ADMINISTRATORS = "S-1-5-32-544"


def aces(dacl: int) -> list[tuple[str, int, int]]:
    """(SID, access mask, inheritance flags) of each entry of a DACL in memory."""
    adv = ctypes.WinDLL("advapi32", use_last_error=True)
    adv.GetAce.argtypes = [ctypes.c_void_p, wintypes.DWORD, ctypes.POINTER(ctypes.c_void_p)]
    adv.ConvertSidToStringSidW.argtypes = [ctypes.c_void_p, ctypes.POINTER(wintypes.LPWSTR)]
    out = []
    for i in range(ctypes.c_uint16.from_address(dacl + 4).value):  # ACL.AceCount
        ace = ctypes.c_void_p()
        assert adv.GetAce(dacl, i, ctypes.byref(ace))
        text = wintypes.LPWSTR()
        assert adv.ConvertSidToStringSidW(ace.value + 8, ctypes.byref(text))  # header, mask, then the SID
        out.append((text.value, ctypes.c_uint32.from_address(ace.value + 4).value,
                    ctypes.c_uint8.from_address(ace.value + 1).value))
    return out


def test_private_files_get_an_acl_for_the_account_and_administrators_only(make_cfg):
    """What privacy.restrict sets on Windows instead of 0600/0700. Wine 8 keeps no file ACL (it reads back one
    made from the Unix mode), so the DACL is checked as built, and the journal, its WAL and the receipts are
    made through it without error (os.fchmod, which Windows lacks, used to stop the receipt)."""
    from drivers.printer import _private_dir, _private_write
    from terminal.journal import privacy
    from terminal.journal.journal import Journal

    me = os.environ.get("USERNAME")
    for folder, inherit in ((False, 0), (True, 3)):  # 3: OBJECT_INHERIT | CONTAINER_INHERIT
        dacl = privacy.owner_only_dacl(folder)
        try:
            entries = aces(dacl.value)
        finally:
            ctypes.windll.kernel32.LocalFree(dacl)
        sids = [sid for sid, _, _ in entries]
        assert len(sids) == 2 and sids[1] == ADMINISTRATORS and sids[0].startswith("S-1-5-21-"), (me, entries)
        assert all(mask in (0x10000000, 0x1F01FF) and flags == inherit for _, mask, flags in entries), entries
    cfg = make_cfg("pharmacy")
    journal = Journal.for_config(cfg)
    journal.close()
    receipts = Path(cfg.data_dir) / "receipts"
    _private_dir(receipts)
    _private_write(receipts / "r.txt", "张*".encode("utf-8"))
    assert (receipts / "r.txt").read_text(encoding="utf-8") == "张*"


def test_headless_demo_sells_and_refunds_from_the_command_line(tmp_path):
    """`ecpos demo --headless` as a till's IT person runs it: the embedded reference service, the socket scan
    box (Windows has no pty), the scripted sale and refund; its output in the ANSI code page (GBK here)."""
    assert ctypes.windll.kernel32.GetACP() == 936  # a zh-CN Windows, as the tills are
    r = subprocess.run([sys.executable, "-m", "ecpos", "--data-dir", str(tmp_path / "d"), "demo", "--headless"],
                       cwd=ROOT, capture_output=True, encoding=locale.getencoding(), errors="replace",
                       stdin=subprocess.DEVNULL, timeout=300)
    out = r.stdout
    assert r.returncode == 0, out[-3000:] + r.stderr[-3000:]
    assert "scan box socket://127.0.0.1:" in out and "settled: setl_id" in out and "refund refunded" in out
    assert "demo finished: sale and refund done" in out
    receipts = list((tmp_path / "d" / "pharmacy" / "data" / "receipts").glob("*.txt"))
    assert len(receipts) == 1 and "3201**********" in receipts[0].read_text(encoding="utf-8")


def test_main_window_offscreen_shows_the_patient_and_is_saved(sim, tmp_path, qtbot):
    """The app's main window on Windows (offscreen: Wine has no display here), a code scanned through the
    socket scan box; the screenshot stays in build/win/screenshots for a human to look at."""
    from ui.demo.director import Director

    d = Director(sim, tmp_path / "t", "pharmacy", "zh_CN")
    try:
        qtbot.waitUntil(lambda: d.ctx.till_open, timeout=30000)
        qtbot.waitUntil(lambda: d.ctx.scanner.status is not None and d.ctx.scanner.status.state == "connected",
                        timeout=20000)
        person = sim.person("active")
        d.box.scan(sim.code(person["psn_no"]))
        qtbot.waitUntil(lambda: d.sale.patient is not None, timeout=30000)
        assert d.sale.card.name.text() == person["name"]
        path = d.shot(SHOTS, "windows-main-window")
        assert path is not None and path.stat().st_size > 20000
    finally:
        d.close()
