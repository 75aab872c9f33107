"""The virtual scan box closes its descriptors once: a second close (a test unplugs it, the teardown closes
it again) must not close whatever has taken those numbers since."""
import os

import pytest

from ui.demo.vpty import VirtualScanBox


def test_second_close_leaves_a_reused_descriptor_alone():
    box = VirtualScanBox()
    number = box.master
    box.close()                       # unplugged
    r, w = os.pipe()
    os.dup2(w, number)                # someone else now owns that number
    try:
        box.close()                   # the teardown's close
        os.fstat(number)              # still open: not closed under its new owner
        with pytest.raises(OSError):
            box.scan("1234")          # an unplugged box says so, it writes nowhere
    finally:
        for fd in (r, w, number):
            try:
                os.close(fd)
            except OSError:
                pass
