"""Receipt printer: lays out a receipt, encodes Chinese as GB18030 for ESC/POS, keeps a plain-text copy.

The printer is chosen by [printer] kind: file (the default: ESC/POS bytes into the data directory's
receipts/ folder), usb, serial or network through python-escpos. Names and ID numbers are masked here
whatever the caller passes (masking is idempotent), so a receipt can never carry them in clear.
"""
from __future__ import annotations

import logging
import os
import re
import shutil
import sys
import tempfile
import threading
from pathlib import Path

from terminal import privacy
from terminal.errors import EcposError
# What a receipt says and its layout are the core's (the same text headless and in the app).
from terminal.receipt import Receipt, ReceiptLine, _center, layout, text_width  # noqa: F401  (re-exported)

ENCODING = "gb18030"
# FS & : Chinese character mode on GB18030/GBK printers (ignored by printers without it).
CHINESE_MODE = b"\x1c\x26"


class PrinterError(EcposError):
    """The receipt could not be printed; the sale itself is not affected."""

    key = "printer_error"


_escpos_lock = threading.Lock()


def escpos_cache() -> None:
    """Import python-escpos so it leaves no folder in /tmp: at import it makes a new temporary folder
    (mkdtemp, evaluated even when ESCPOS_CAPABILITIES_PICKLE_DIR names another) for its pickled printer
    database. It is pointed at ecpos's cache folder instead, and the empty folder it made there removed."""
    with _escpos_lock:
        if "escpos.capabilities" in sys.modules:
            return
        import platformdirs
        cache = Path(platformdirs.user_cache_dir("ecpos")) / "escpos"
        scratch = cache / "import"
        scratch.mkdir(parents=True, exist_ok=True)
        os.environ.setdefault("ESCPOS_CAPABILITIES_PICKLE_DIR", str(cache))
        saved, tempfile.tempdir = tempfile.tempdir, str(scratch)
        root = logging.getLogger()
        handlers = list(root.handlers)
        try:
            import escpos.capabilities  # noqa: F401
        finally:
            tempfile.tempdir = saved
            shutil.rmtree(scratch, ignore_errors=True)
            # escpos.capabilities calls logging.basicConfig() at import: a stderr handler on the root logger
            # that would print every ecpos event, and unscrubbed tracebacks, to the console
            for h in root.handlers:
                if h not in handlers:
                    root.removeHandler(h)


def escpos_bytes(r: Receipt, width: int = 32) -> bytes:
    """ESC/POS bytes for the receipt: init, Chinese mode, bold title, GB18030 body, feed and cut."""
    escpos_cache()
    from escpos.printer import Dummy
    lines = layout(r, width)
    d = Dummy()
    d.hw("INIT")
    d._raw(CHINESE_MODE)
    d.set(align="center", bold=True, double_height=True)
    d._raw((lines[0].strip() + "\n").encode(ENCODING, errors="replace"))
    d.set(align="left", normal_textsize=True)
    d._raw(("\n".join(lines[1:]) + "\n").encode(ENCODING, errors="replace"))
    d.cut()
    return d.output


_SAFE = re.compile(r"[^0-9A-Za-z_.-]")


def _private_dir(folder: Path) -> None:
    """The receipts folder, owner only (0700): receipts name patients, even masked."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    privacy.restrict(folder, folder=True)  # also tightens a folder made before this rule (Windows: an ACL)


def _private_write(path: Path, data: bytes) -> None:
    """Write a file owner-only (0600) from its first byte."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    if sys.platform != "win32":  # Windows has no fchmod: the folder's inheritable ACL covers the file
        os.fchmod(fd, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


class ReceiptPrinter:
    """Prints receipts to the configured device and keeps a plain-text copy beside them."""

    def __init__(self, cfg):
        self.kind = cfg.printer.kind
        self.target = cfg.printer.target
        self.width = int(cfg.printer.width)
        self.folder = Path(self.target) if (self.kind == "file" and self.target) \
            else Path(cfg.data_dir) / "receipts"

    def describe(self) -> str:
        """Where receipts go, for the settings page."""
        return f"{self.kind}: {self.target or self.folder}"

    def _device(self):
        escpos_cache()
        from escpos import printer as p
        if self.kind == "usb":
            vid, pid = (int(x, 16) for x in self.target.split(":")[:2])
            return p.Usb(vid, pid)
        if self.kind == "serial":
            return p.Serial(devfile=self.target)
        host, _, port = self.target.partition(":")
        return p.Network(host, port=int(port or 9100))

    def print(self, receipt: Receipt) -> Path:
        """Print one receipt; returns the plain-text copy's path. Raises PrinterError on a device fault."""
        _private_dir(self.folder)
        stem = _SAFE.sub("_", receipt.setl_id) or "receipt"
        if receipt.reprint:
            stem += "-reprint"
        text_path = self.folder / f"{stem}.txt"
        _private_write(text_path, ("\n".join(layout(receipt, self.width)) + "\n").encode("utf-8"))
        data = escpos_bytes(receipt, self.width)
        try:
            if self.kind == "file":
                _private_write(self.folder / f"{stem}.bin", data)
            else:
                dev = self._device()
                try:
                    dev._raw(data)
                finally:
                    dev.close()
        except Exception as e:  # escpos raises many device-specific types
            raise PrinterError("小票打印失败，请检查打印机纸张和连接后重打；结算已完成不受影响",
                               detail=f"{type(e).__name__}: {e}") from e
        return text_path

    def print_lines(self, name: str, title: str, lines: list[str]) -> Path:
        """Print a plain report (day close) under `name`; returns the plain-text copy's path."""
        _private_dir(self.folder)
        stem = _SAFE.sub("_", name) or "report"
        body = [_center(title, self.width), "-" * self.width, *lines]
        text_path = self.folder / f"{stem}.txt"
        _private_write(text_path, ("\n".join(body) + "\n").encode("utf-8"))
        escpos_cache()
        from escpos.printer import Dummy
        d = Dummy()
        d.hw("INIT")
        d._raw(CHINESE_MODE)
        d._raw(("\n".join(body) + "\n").encode(ENCODING, errors="replace"))
        d.cut()
        try:
            if self.kind == "file":
                _private_write(self.folder / f"{stem}.bin", d.output)
            else:
                dev = self._device()
                try:
                    dev._raw(d.output)
                finally:
                    dev.close()
        except Exception as e:  # escpos raises many device-specific types
            raise PrinterError("报表打印失败，请检查打印机后重打", detail=f"{type(e).__name__}: {e}") from e
        return text_path
