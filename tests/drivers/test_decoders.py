"""Decoder chain and `ecpos decode`: codes read, inverted codes read, nothing read from noise."""
import json

import cv2
import numpy as np

from drivers import decoders
from drivers.decoders import DecoderChain, decode_file
from ecpos.main import main
from tests.drivers.qr import frame_with

CODE = "1357924680135792468013579246"


def test_each_decoder_reads_a_clean_code():
    g = decoders.gray(frame_with(CODE))
    for name, fn in decoders.DECODERS.items():
        assert fn(g) == [CODE], name
    assert set(decoders.available()) >= {"zxing", "opencv"}


def test_chain_reads_inverted_and_scaled_codes():
    chain = DecoderChain()
    assert [d.text for d in chain.decode(frame_with(CODE, invert=True))] == [CODE]
    small = cv2.resize(frame_with(CODE, 640, 480), (320, 240), interpolation=cv2.INTER_AREA)
    found = chain.decode(small)
    assert [d.text for d in found] == [CODE] and found[0].step in chain.steps


def test_chain_reads_nothing_from_noise_or_blank():
    chain = DecoderChain()
    rng = np.random.default_rng(3)
    assert chain.decode(frame_with(None)) == []
    assert chain.decode(rng.integers(0, 255, (240, 320), dtype=np.uint8)) == []


def test_chain_falls_through_to_a_later_step():
    chain = DecoderChain(["opencv:crop", "zxing:invert"])  # the crop misses a code at the edge
    frame = np.full((480, 640), 200, np.uint8)
    frame[0:160, 0:160] = cv2.resize(decoders.gray(frame_with(CODE, 200, 200)), (160, 160))
    (d,) = chain.decode(frame)
    assert d.text == CODE and d.step == "zxing:invert"


def test_unknown_decoders_are_skipped(monkeypatch):
    monkeypatch.delitem(decoders.DECODERS, "zbar", raising=False)
    chain = DecoderChain(["zbar:gray", "zxing:gray"])
    assert chain.steps == ("zxing:gray",)


def test_decode_file_and_cli(tmp_path, capsys):
    good = tmp_path / "code.png"
    cv2.imwrite(str(good), frame_with(CODE))
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), frame_with(None))
    bad = tmp_path / "not-an-image.png"
    bad.write_text("hello")
    assert decode_file(good) == [CODE]
    assert main(["decode", str(good), str(blank)]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert lines == [{"image": str(good), "codes": [CODE]}, {"image": str(blank), "codes": []}]
    assert main(["decode", str(bad)]) == 2
    out = capsys.readouterr()
    assert json.loads(out.out)["codes"] == [] and "image_unreadable" in out.err
