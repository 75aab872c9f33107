"""Camera source through cv2.VideoCapture on generated MJPG videos and image sequences."""
import threading

import cv2

from drivers.camera import Camera
from drivers.decoders import DecoderChain, Decoded
from drivers.events import CONNECTED, ERROR, STOPPED
from tests.drivers.qr import frame_with, write_video
from tests.waiting import wait_until

A = "1100000000000000000000000001"
B = "2200000000000000000000000002"


class Recorder:
    def __init__(self):
        self.texts, self.states = [], []

    def scan(self, ev):
        assert ev.source == "camera"
        self.texts.append(ev.text)

    def status(self, st):
        self.states.append(st)


def clip(*parts):
    """parts: (text or None, frame count) -> frames."""
    return [frame_with(text) for text, n in parts for _ in range(n)]


def test_codes_found_once_each_while_in_view(tmp_path):
    frames = clip((None, 3), (A, 20), (None, 12), (B, 20), (None, 3))
    path = write_video(tmp_path / "ab.avi", frames)
    rec = Recorder()
    cam = Camera(rec.scan, rec.status, source=path, realtime=False, watchdog_s=30, gone_s=0)
    cam.start()
    try:
        wait_until(lambda: cam.frames_decoded >= len(frames), 30)
        assert rec.texts == [A, B]  # 20 frames each, one emit each
        assert rec.states[0].state == CONNECTED and rec.states[0].device == path
    finally:
        cam.stop()
    assert cam.status.state == STOPPED


def test_same_code_shown_again_after_leaving_view_is_a_new_scan(tmp_path):
    path = write_video(tmp_path / "aa.avi", clip((A, 6), (None, 12), (A, 6)))
    rec = Recorder()
    cam = Camera(rec.scan, source=path, realtime=False, watchdog_s=30, gone_frames=10, gone_s=0)
    cam.start()
    try:
        wait_until(lambda: cam.frames_decoded >= 24, 30)
        assert rec.texts == [A, A]
    finally:
        cam.stop()


def test_short_absence_does_not_repeat(tmp_path):
    path = write_video(tmp_path / "a_a.avi", clip((A, 6), (None, 3), (A, 6)))
    rec = Recorder()
    cam = Camera(rec.scan, source=path, realtime=False, watchdog_s=30, gone_frames=10, gone_s=0)
    cam.start()
    try:
        wait_until(lambda: cam.frames_decoded >= 15, 30)
        assert rec.texts == [A]
    finally:
        cam.stop()


def test_fallback_decoder_needs_confirmation_across_frames(tmp_path):
    path = write_video(tmp_path / "flash.avi", clip((A, 1), (None, 8), (B, 3), (None, 2)))
    rec = Recorder()
    cam = Camera(rec.scan, source=path, realtime=False, watchdog_s=30, confirm=2,
                 chain=DecoderChain(["opencv:gray"]))
    cam.start()
    try:
        wait_until(lambda: cam.frames_decoded >= 14, 30)
        assert rec.texts == [B]  # A flashed in one frame only
    finally:
        cam.stop()


class LiveCapture:
    """A webcam: a new frame every 1/30 s, the last one held (with sensor noise) once the list ends."""

    def __init__(self, frames):
        self.frames, self.i, self.gate = frames, 0, threading.Event()

    def isOpened(self):
        return True

    def get(self, prop):
        return 30.0

    def read(self):
        frame = self.frames[min(self.i, len(self.frames) - 1)].copy()
        frame[0, 0, 0] = self.i % 256  # a live sensor never repeats a frame exactly
        self.i += 1
        self.gate.wait(1 / 30)  # the device's frame period
        return True, frame

    def release(self):
        self.gate.set()


class StuckChain:
    """The rest of the chain, stuck in a slow decode until released."""

    steps = ("slow:gray",)

    def __init__(self, answer=None):
        self.gate, self.calls, self.answer = threading.Event(), 0, answer

    def decode(self, frame):
        self.calls += 1
        if self.answer is None:
            self.gate.wait(10)
            return []
        return [Decoded(self.answer, "zbar:crop")]


def test_zxing_answers_while_the_rest_of_the_chain_is_busy():
    cap = LiveCapture(clip((None, 3), (A, 30)))
    rec = Recorder()
    cam = Camera(rec.scan, source="0", watchdog_s=30, open_capture=lambda t: cap)
    assert cam.first.steps == ("zxing:gray",) and "zxing:gray" not in cam.rest.steps
    cam.rest = stuck = StuckChain()
    cam.start()
    try:
        wait_until(lambda: rec.texts == [A], 10)
        assert stuck.calls == 1 and not stuck.gate.is_set()  # the slow worker is still on its frame
    finally:
        stuck.gate.set()
        cam.stop()


def test_the_rest_of_the_chain_reads_on_its_own_worker_with_confirmation():
    cap = LiveCapture(clip((None, 60)))
    rec = Recorder()
    cam = Camera(rec.scan, source="0", watchdog_s=30, confirm=2, rest_fps=0,
                 open_capture=lambda t: cap)
    cam.rest = StuckChain(answer=B)  # reads B on every frame zxing found nothing on
    cam.start()
    try:
        wait_until(lambda: rec.texts == [B], 10)
        assert cam.rest_decoded >= 2  # one fallback read is not enough
        wait_until(lambda: cam.rest_decoded >= 6, 10)
        assert rec.texts == [B]  # still in view: once
    finally:
        cam.stop()


def test_watchdog_fires_on_a_stalled_source_and_reopens(tmp_path):
    path = write_video(tmp_path / "short.avi", clip((A, 4)))
    rec = Recorder()
    cam = Camera(rec.scan, rec.status, source=path, realtime=False, watchdog_s=0.3)
    cam.start()
    try:
        wait_until(lambda: any(s.state == ERROR for s in rec.states), 10)
        err = next(s for s in rec.states if s.state == ERROR)
        assert "无新画面" in err.reason
        # reopened: the file plays again and the source is connected again
        wait_until(lambda: [s.state for s in rec.states].count(CONNECTED) >= 2, 10)
        assert cam.reopened >= 1
        assert rec.texts.count(A) >= 1
    finally:
        cam.stop()


class HangingCapture:
    """A capture whose read() never returns until released: a camera gone silent."""

    def __init__(self):
        self.gate = threading.Event()
        self.reads = 0

    def isOpened(self):
        return True

    def get(self, prop):
        return 0.0

    def read(self):
        self.reads += 1
        if self.reads == 1:
            return True, frame_with(None)
        self.gate.wait()
        return False, None

    def release(self):
        self.gate.set()


def test_watchdog_fires_while_read_hangs():
    caps = []

    def opener(target):
        caps.append(HangingCapture())
        return caps[-1]

    rec = Recorder()
    cam = Camera(rec.scan, rec.status, source="0", watchdog_s=0.2, open_capture=opener)
    cam.start()
    try:
        wait_until(lambda: any(s.state == ERROR for s in rec.states), 5)
        wait_until(lambda: len(caps) >= 2, 5)  # a new capture was opened despite the hung one
    finally:
        cam.stop()
        for c in caps:
            c.gate.set()


def test_image_sequence_path(tmp_path):
    for i, text in enumerate([None, B, B, None]):
        cv2.imwrite(str(tmp_path / f"frame_{i:03d}.png"), frame_with(text))
    rec = Recorder()
    cam = Camera(rec.scan, source=str(tmp_path / "frame_%03d.png"), realtime=False, watchdog_s=30)
    cam.start()
    try:
        wait_until(lambda: cam.frames_decoded >= 4, 10)
        assert rec.texts == [B]
    finally:
        cam.stop()


def test_unopenable_source_reports_error(tmp_path):
    rec = Recorder()
    cam = Camera(rec.scan, rec.status, source=str(tmp_path / "missing.avi"), reopen_s=0.05)
    cam.start()
    try:
        wait_until(lambda: any(s.state == ERROR for s in rec.states), 5)
        assert "无法打开" in next(s for s in rec.states if s.state == ERROR).reason
    finally:
        cam.stop()
