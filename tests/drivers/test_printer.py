"""Receipts: width-true layout with CJK, masking whatever the caller passes, GB18030 ESC/POS bytes,
a plain-text copy in the data directory, and a device fault reported as PrinterError."""
from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal

import pytest

from drivers.printer import PrinterError, Receipt, ReceiptLine, ReceiptPrinter, escpos_bytes, layout, text_width
from terminal.config import load

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def receipt(**kw) -> Receipt:
    base = dict(title="示例大药房", setl_id="S-001", when="2026-11-23 10:00:00", patient_name="欧阳小明",
                patient_id="320102198001011234", insutype_name="职工基本医疗保险",
                lines=(ReceiptLine("阿莫西林胶囊 0.25g*24粒 非常长的药品名称会被截断", Decimal(2), Decimal("25.00")),),
                totals=(("费用合计", Decimal("25.00")), ("现金支付", Decimal("0"))))
    return Receipt(**{**base, **kw})


@pytest.mark.parametrize("width", [32, 48])
def test_layout_fits_the_paper_and_masks(width):
    lines = layout(receipt(), width)
    assert all(text_width(line) <= width for line in lines)
    text = "\n".join(lines)
    assert "欧***" in text and "3201**********1234" in text
    assert "欧阳小明" not in text and "320102198001011234" not in text
    assert "25.00" in text and "0.00" in text


def test_escpos_bytes_are_gb18030_with_cut():
    data = escpos_bytes(receipt())
    assert data.startswith(b"\x1b@")                        # initialise
    assert "医保电子凭证结算单".encode("gb18030") in data
    assert "示例大药房".encode("utf-8") not in data
    assert b"\x1dV" in data                                 # cut


def test_file_printer_writes_bytes_and_text_copy(tmp_path):
    cfg = load(profile="pharmacy", data_dir=tmp_path, env={})
    path = ReceiptPrinter(cfg).print(receipt(setl_id="../S/1"))
    assert path.parent == tmp_path / "receipts" and path.name == ".._S_1.txt"
    assert "3201**********1234" in path.read_text(encoding="utf-8")
    assert path.with_suffix(".bin").read_bytes().startswith(b"\x1b@")


def test_network_printer_fault_is_a_printer_error(tmp_path):
    cfg_file = tmp_path / "p.toml"
    cfg_file.write_text('[printer]\nkind = "network"\ntarget = "127.0.0.1:9"\n', encoding="utf-8")
    cfg = load(profile="pharmacy", config_file=cfg_file, data_dir=tmp_path, env={})
    with pytest.raises(PrinterError) as e:
        ReceiptPrinter(cfg).print(receipt())
    assert "打印" in e.value.message
    assert (tmp_path / "receipts" / "S-001.txt").exists()   # the text copy is kept even so


def test_python_escpos_leaves_no_console_logging(tmp_path):
    """python-escpos calls logging.basicConfig() when imported (escpos/capabilities.py): a stderr handler on the
    root logger that printed every ecpos event to the console. A fresh process imports it the way ecpos does and
    logs an event: nothing reaches stderr, and the root logger has no handler."""
    code = ("import logging; from drivers.printer import escpos_cache; escpos_cache();"
            "from terminal import logs; logs.event('printer_probe', certno='320102199001011234');"
            "print(len(logging.getLogger().handlers))")
    env = {**os.environ, "PYTHONPATH": ROOT, "XDG_CACHE_HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "0"
    assert "printer_probe" not in out.stderr and out.stderr.strip() == ""
