"""Webcam scanning (OpenCV): capture on its own thread, frame watchdog, decoder chain, de-duplication."""
from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Optional

import cv2
import numpy as np

from drivers.decoders import DecoderChain
from drivers.events import CONNECTED, ERROR, RECONNECTING, ScanCallback, ThreadedSource, StatusCallback


def _open_capture(target: Any) -> Any:
    return cv2.VideoCapture(target)


class _Feed:
    """One opening of the capture device: its thread, its frames, when it last delivered a fresh one."""

    def __init__(self, lockstep: bool):
        self.stop = threading.Event()
        self.frames: queue.Queue = queue.Queue(maxsize=1)
        self.lockstep = lockstep  # files: hand over every frame; devices: keep only the newest
        self.started = time.monotonic()
        self.last_fresh = self.started
        self.opened = False  # the capture device finished opening (webcams can take seconds)
        self.failed = ""
        self.delivered = 0

    def put(self, frame: np.ndarray) -> None:
        self.last_fresh = time.monotonic()
        if self.lockstep:
            while not self.stop.is_set():
                try:
                    self.frames.put(frame, timeout=0.05)
                    return
                except queue.Full:
                    continue
        else:
            try:
                self.frames.get_nowait()  # drop the stale frame: decode what the camera sees now
            except queue.Empty:
                pass
            self.frames.put_nowait(frame)


@dataclass
class _Seen:
    count: int
    last_frame: int
    last_time: float
    emitted: bool = False


class Camera(ThreadedSource):
    """Codes from a webcam index ("0") or a video / image-sequence path (tests, demos)."""

    kind = "camera"
    join_s = 3.0  # a decode of a full frame may be under way

    def __init__(self, on_scan: ScanCallback, on_status: Optional[StatusCallback] = None, *,
                 source: str = "0", watchdog_s: float = 2.0, chain: Optional[DecoderChain] = None,
                 realtime: Optional[bool] = None, confirm: int = 2, gone_frames: int = 10,
                 gone_s: float = 1.0, reopen_s: float = 0.5, full_every: int = 3,
                 max_fps: float = 15.0, open_timeout_s: float = 10.0,
                 open_capture: Callable[[Any], Any] = _open_capture):
        src = str(source).strip()
        super().__init__(on_scan, on_status, device=src)
        self.is_device = src.isdigit()
        self.target: Any = int(src) if self.is_device else src
        self.watchdog_s = watchdog_s
        self.chain = chain or DecoderChain()
        # A file plays at its own frame rate unless asked to run flat out (tests).
        self.realtime = (not self.is_device) if realtime is None else realtime
        self.confirm = max(1, confirm)  # frames a code from a fallback decoder must be seen in
        self.gone_frames, self.gone_s, self.reopen_s = gone_frames, gone_s, reopen_s
        self.open_capture = open_capture
        # An empty frame costs the whole chain (~60 ms, bench/decode.py): on the frames in between only
        # the zxing steps run, and a live camera is decoded at most max_fps times a second, so a
        # waiting terminal uses a fraction of one core.
        self.full_every = max(1, full_every)
        self.open_timeout_s = max(open_timeout_s, watchdog_s)
        self.min_period = 1.0 / max_fps if self.is_device and max_fps > 0 else 0.0
        self._seen: dict[str, _Seen] = {}
        self._frame_no = 0
        self.frames_decoded = 0
        self.reopened = 0

    @classmethod
    def from_config(cls, devices, on_scan: ScanCallback,
                    on_status: Optional[StatusCallback] = None) -> "Camera":
        """Build from the [devices] section."""
        return cls(on_scan, on_status, source=devices.camera, watchdog_s=devices.camera_watchdog_s)


    # -- capture thread --------------------------------------------------------------------
    def _capture(self, feed: _Feed) -> None:
        cap = self.open_capture(self.target)
        try:
            if cap is None or not cap.isOpened():
                feed.failed = f"无法打开摄像头 {self.device}"
                return
            feed.last_fresh, feed.opened = time.monotonic(), True
            fps = cap.get(cv2.CAP_PROP_FPS) if self.realtime else 0
            period = 1.0 / fps if fps and 0 < fps <= 240 else 0.0
            last_sig = None
            while not feed.stop.is_set():
                ok, frame = cap.read()
                if not ok or frame is None:
                    feed.stop.wait(0.02)  # end of file or a hiccup: the watchdog decides
                    continue
                if self.is_device:
                    # Some backends keep returning the last frame after an unplug: an exact repeat
                    # of a live sensor's frame does not happen, so it does not count as fresh.
                    sig = frame[::16, ::16].tobytes()
                    if sig == last_sig:
                        feed.stop.wait(0.005)
                        continue
                    last_sig = sig
                feed.put(frame)
                if period:
                    feed.stop.wait(period)
        finally:
            if cap is not None:
                cap.release()

    def _open_feed(self) -> _Feed:
        feed = _Feed(lockstep=not self.is_device)
        threading.Thread(target=self._capture, args=(feed,), name=f"capture-{self.device}",
                         daemon=True).start()
        return feed

    # -- decode / supervise thread ---------------------------------------------------------
    def _run(self) -> None:
        feed: Optional[_Feed] = None
        ever = False
        try:
            while not self._stop.is_set():
                if feed is None:
                    if ever:
                        self.reopened += 1
                        self._set_status(RECONNECTING, "正在重新打开摄像头")
                    feed = self._open_feed()
                try:
                    frame = feed.frames.get(timeout=0.05)
                except queue.Empty:
                    frame = None
                now = time.monotonic()
                if frame is None:
                    reason = feed.failed
                    if not reason and not feed.opened and now - feed.started > self.open_timeout_s:
                        reason = f"摄像头 {self.device} 打开超时"
                    elif not reason and feed.opened and now - feed.last_fresh > self.watchdog_s:
                        reason = f"摄像头 {self.watchdog_s:g} 秒无新画面"
                    if reason:
                        self._set_status(ERROR, reason)
                        feed.stop.set()  # a capture thread stuck in read() is abandoned, not waited on
                        feed, ever = None, True
                        self._stop.wait(self.reopen_s if "无法打开" in reason else 0)
                    continue
                if feed.delivered == 0:
                    self._set_status(CONNECTED)
                feed.delivered += 1
                self._process(frame, now)
                if self.min_period:
                    self._stop.wait(max(0.0, self.min_period - (time.monotonic() - now)))
        finally:
            if feed is not None:
                feed.stop.set()

    def _process(self, frame: np.ndarray, now: float) -> None:
        self._frame_no += 1
        n = self._frame_no
        found = self.chain.decode(frame, fast_only=(n - 1) % self.full_every != 0)
        self.frames_decoded += 1
        for d in found:
            s = self._seen.get(d.text)
            if s is None or n - s.last_frame > 5:  # confirmation needs the code in nearby frames
                s = self._seen[d.text] = _Seen(0, n, now, s.emitted if s else False)
            s.count += 1
            s.last_frame, s.last_time = n, now
            # zxing-cpp checks the code's error correction itself: one frame is enough; the fallback
            # decoders must see the same text in `confirm` frames before it counts.
            need = 1 if d.step.startswith("zxing") else self.confirm
            if not s.emitted and s.count >= need:
                s.emitted = True
                self._emit(d.text)
        for text, s in list(self._seen.items()):
            if n - s.last_frame >= self.gone_frames and now - s.last_time >= self.gone_s:
                del self._seen[text]  # out of view long enough: showing it again is a new scan
