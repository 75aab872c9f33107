"""Receipt printer: lays out a receipt, encodes Chinese as GB18030 for ESC/POS, keeps a plain-text copy.

The printer is chosen by [printer] kind: file (the default: ESC/POS bytes into the data directory's
receipts/ folder), usb, serial or network through python-escpos. Names and ID numbers are masked here
whatever the caller passes (masking is idempotent), so a receipt can never carry them in clear.
"""
from __future__ import annotations

import atexit
import json
import logging
import os
import pickle
import platform
import re
import shutil
import sys
import tempfile
import threading
import time
from importlib.util import find_spec
from pathlib import Path

import platformdirs

from terminal.journal import privacy
from terminal.errors import EcposError
# What a receipt says and its layout are the core's (the same text headless and in the app).
from terminal.sale.receipt import Receipt, ReceiptLine, center, layout, text_width  # noqa: F401  (re-exported)

ENCODING = "gb18030"
# FS & : Chinese character mode on GB18030/GBK printers (ignored by printers without it).
CHINESE_MODE = b"\x1c\x26"


class PrinterError(EcposError):
    """The receipt could not be printed; the sale itself is not affected."""

    key = "printer_error"


class DrawerNotOpened(PrinterError):
    """The drawer's pulse did not reach the printer; the sale is not affected."""

    key = "drawer_not_opened"


_escpos_lock = threading.Lock()


def _capabilities_dir() -> str:
    """A folder holding a complete capabilities pickle for python-escpos to read at import.

    escpos/capabilities.py (python-escpos 3.1) pickles its printer database into one file per Python version
    and rewrites it in place (open "wb", then dump) whenever it looks missing or older than the JSON: a second
    ecpos process importing meanwhile read a half-written pickle (EOFError) and a settled sale's command ended
    as an internal error. Here the pickle is checked and, when it needs writing, written to a temporary file
    and renamed over (atomic), so every process reads a whole one and escpos never writes it. When the user's
    cache cannot be written (a read-only home), a private folder of this process is used instead."""
    source = Path(os.environ.get("ESCPOS_CAPABILITIES_FILE")
                  or Path(find_spec("escpos").origin).parent / "capabilities.json")
    try:
        folder = Path(os.environ.get("ESCPOS_CAPABILITIES_PICKLE_DIR")
                      or Path(platformdirs.user_cache_dir("ecpos")) / "escpos")
        target = folder / f"{platform.python_version()}.capabilities.pickle"
        try:
            if target.stat().st_mtime >= source.stat().st_mtime:
                with open(target, "rb") as f:
                    if "profiles" in pickle.load(f):
                        return str(folder)
        except Exception:  # missing, stale, truncated or not a pickle: written again below
            pass
        folder.mkdir(parents=True, exist_ok=True)
        with open(source, encoding="utf-8") as f:
            data = json.load(f)  # the same database escpos reads with yaml.safe_load, 200x faster
        fd, tmp = tempfile.mkstemp(prefix=target.name, dir=folder)
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(data, f, protocol=2)
            now = max(source.stat().st_mtime, time.time())
            os.utime(tmp, (now, now))  # never older than the JSON, or escpos would rewrite it itself
            os.replace(tmp, target)
        except BaseException:
            os.unlink(tmp)
            raise
        return str(folder)
    except OSError:
        private = tempfile.mkdtemp(prefix="ecpos-escpos-")
        atexit.register(shutil.rmtree, private, True)
        return private


def escpos_cache() -> None:
    """Import python-escpos safely, whatever other ecpos process imports it at the same moment.

    At import it reads its printer database from a pickle (prepared above) and, on the way, makes a new
    temporary folder it then ignores (`environ.get(..., mkdtemp())` evaluates mkdtemp even when the folder is
    named). That one call is answered with the pickle's folder, creating nothing: a folder shared by all
    processes and removed after each import used to be removed under another process's import."""
    with _escpos_lock:
        if "escpos.capabilities" in sys.modules:
            return
        os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = folder = _capabilities_dir()
        real = tempfile.mkdtemp

        def mkdtemp(*args, **kwargs):
            # only escpos.capabilities' own call; any other thread's mkdtemp goes through untouched
            if sys._getframe(1).f_globals.get("__name__") == "escpos.capabilities":
                return folder
            return real(*args, **kwargs)
        root = logging.getLogger()
        handlers = list(root.handlers)
        tempfile.mkdtemp = mkdtemp
        try:
            import escpos.capabilities  # noqa: F401
        finally:
            tempfile.mkdtemp = real
            # escpos.capabilities calls logging.basicConfig() at import: a stderr handler on the root logger
            # that would print every ecpos event, and unscrubbed tracebacks, to the console
            for h in root.handlers:
                if h not in handlers:
                    root.removeHandler(h)


def escpos_bytes(r: Receipt, width: int = 32) -> bytes:
    """ESC/POS bytes for the receipt: init, Chinese mode, bold title, GB18030 body, feed and cut."""
    escpos_cache()
    from escpos.printer import Dummy  # why: after escpos_cache() (python-escpos reads its pickle at import)
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
        from escpos import printer as p  # why: after escpos_cache(), as in escpos_bytes
        if self.kind == "usb":
            vid, pid = (int(x, 16) for x in self.target.split(":")[:2])
            return p.Usb(vid, pid)
        if self.kind == "serial":
            return p.Serial(devfile=self.target)
        host, _, port = self.target.partition(":")
        return p.Network(host, port=int(port or 9100))

    def print(self, receipt: Receipt) -> Path:
        """Print one receipt; returns the plain-text copy's path. Raises PrinterError on any printing trouble
        (device, folder, python-escpos itself): a settled sale stands whatever happens here."""
        stem = (_SAFE.sub("_", receipt.setl_id) or "receipt") + ("-reprint" if receipt.reprint else "")
        return self._out(stem, layout(receipt, self.width), lambda: escpos_bytes(receipt, self.width),
                         "小票打印失败，请检查打印机纸张和连接后重打（ecpos reprint）；结算已完成不受影响")

    def print_lines(self, name: str, title: str, lines: list[str]) -> Path:
        """Print a plain report (day close) under `name`; returns the plain-text copy's path."""
        body = [center(title, self.width), "-" * self.width, *lines]

        def data() -> bytes:
            escpos_cache()
            from escpos.printer import Dummy  # why: after escpos_cache(), as in escpos_bytes
            d = Dummy()
            d.hw("INIT")
            d._raw(CHINESE_MODE)
            d._raw(("\n".join(body) + "\n").encode(ENCODING, errors="replace"))
            d.cut()
            return d.output
        return self._out(_SAFE.sub("_", name) or "report", body, data, "报表打印失败，请检查打印机后重打")

    def open_drawer(self, pin: int = 2) -> None:
        """Pulse the cash drawer on the printer's DK port: ESC p m t1 t2 (python-escpos cashdraw: m 0 for connector
        pin 2, 1 for pin 5; 50 x 2 ms on and off). A file printer appends it to receipts/drawer.bin. Raises
        DrawerNotOpened (a PrinterError) on any trouble: a message for the cashier, never the sale's failure."""
        try:
            escpos_cache()
            from escpos.printer import Dummy  # why: after escpos_cache(), as in escpos_bytes
            d = Dummy()
            d.cashdraw(pin)
            if self.kind == "file":
                _private_dir(self.folder)
                fd = os.open(self.folder / "drawer.bin", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
                with os.fdopen(fd, "ab") as f:
                    f.write(d.output)
                return
            dev = self._device()
            try:
                dev._raw(d.output)
            finally:
                dev.close()
        except Exception as e:  # the device's many error types; none may touch the sale
            raise DrawerNotOpened("钱箱未能打开：请检查打印机电源和钱箱连线，或用钥匙打开",
                                  detail=f"{type(e).__name__}: {e}") from e

    def _out(self, stem: str, text: list[str], data, message: str) -> Path:
        """The plain-text copy first (kept even when the device fails), then the ESC/POS bytes to the device."""
        try:
            _private_dir(self.folder)
            text_path = self.folder / f"{stem}.txt"
            _private_write(text_path, ("\n".join(text) + "\n").encode("utf-8"))
            raw = data()
            if self.kind == "file":
                _private_write(self.folder / f"{stem}.bin", raw)
            else:
                dev = self._device()
                try:
                    dev._raw(raw)
                finally:
                    dev.close()
        except Exception as e:  # escpos and the devices raise many types; none may end a settled sale
            raise PrinterError(message, detail=f"{type(e).__name__}: {e}") from e
        return text_path
