"""make_source builds the configured source from [devices]."""
import pytest

from drivers.camera import Camera
from drivers.events import ScannerError
from drivers.serial_box import SerialBox
from drivers.sources import make_source
from terminal.config import load


def devices(tmp_path, **keys):
    lines = ["[devices]"] + [f"{k} = {v!r}".replace("'", '"') for k, v in keys.items()]
    f = tmp_path / "c.toml"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load(config_file=f, data_dir=tmp_path, env={}).devices


def test_serial_from_config(tmp_path):
    src = make_source(devices(tmp_path, scanner="serial", serial_port="/dev/ttyACM7",
                              serial_framing="7E1", serial_terminator="CRLF"), print)
    assert isinstance(src, SerialBox)
    assert (src.port, src.bytesize, src.parity, src.framer.terminator) == ("/dev/ttyACM7", 7, "E", "CRLF")


def test_serial_without_port_is_a_clear_error(tmp_path):
    with pytest.raises(ScannerError, match="serial_port"):
        make_source(devices(tmp_path, scanner="serial"), print)


def test_camera_wedge_none(tmp_path):
    cam = make_source(devices(tmp_path, scanner="camera", camera="demo.avi", camera_watchdog_s=1.5), print)
    assert isinstance(cam, Camera) and cam.target == "demo.avi" and cam.watchdog_s == 1.5
    assert make_source(devices(tmp_path, scanner="wedge"), print) is None
    assert make_source(devices(tmp_path, scanner="none"), print) is None
