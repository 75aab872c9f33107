"""Build the configured scan source from [devices] (the Qt wedge itself is built in ui/qt_wedge.py)."""
from __future__ import annotations

from typing import Optional

from drivers.events import ScanCallback, Source, StatusCallback


def make_source(devices, on_scan: ScanCallback,
                on_status: Optional[StatusCallback] = None) -> Optional[Source]:
    """The Source for devices.scanner; None for "none", and for "wedge" without an evdev device
    (then the UI installs ui.qt_wedge.QtWedge, which needs the Qt application)."""
    kind = devices.scanner
    # why: only the configured source's dependency loads (pyserial, OpenCV, evdev: Linux only)
    if kind == "serial":
        from drivers.serial_box import SerialBox  # why: as above
        return SerialBox.from_config(devices, on_scan, on_status)
    if kind == "camera":
        from drivers.camera import Camera  # why: as above
        return Camera.from_config(devices, on_scan, on_status)
    if kind == "wedge" and devices.wedge_evdev:
        from drivers.wedge_evdev import EvdevWedge  # why: as above
        return EvdevWedge(on_scan, on_status, path=devices.wedge_evdev, gap_ms=devices.wedge_gap_ms,
                          min_length=devices.wedge_min_length)
    return None
