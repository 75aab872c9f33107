"""Webcam scanning (OpenCV): capture on its own thread, frame watchdog, decoder chain, de-duplication."""
from __future__ import annotations

import os
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
        self.announced = False  # CONNECTED reported for this opening

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
    """Codes from a webcam index ("0") or a video / image-sequence path (tests, demos).

    A live camera is read by two workers so the cheap decoder never waits for the heavy ones: the
    capture thread runs zxing-cpp on every frame as soon as it is read, and a second thread runs the
    rest of the chain on the newest frame zxing did not read; whichever reads a code first emits it. A
    third thread only watches (frame watchdog, reopening). Files are played in lockstep and get the
    whole chain on every frame on the watching thread, so a test sees every frame decoded.
    """

    kind = "camera"
    join_s = 3.0  # a decode of a full frame may be under way

    def __init__(self, on_scan: ScanCallback, on_status: Optional[StatusCallback] = None, *,
                 source: str = "0", watchdog_s: float = 2.0, chain: Optional[DecoderChain] = None,
                 realtime: Optional[bool] = None, confirm: int = 2, gone_frames: int = 10,
                 gone_s: float = 1.0, reopen_s: float = 0.5, rest_fps: float = 8.0, open_timeout_s: float = 10.0,
                 open_capture: Callable[[Any], Any] = _open_capture):
        src = str(source).strip()
        super().__init__(on_scan, on_status, device=src)
        self.is_device = src.isdigit()
        self.target: Any = int(src) if self.is_device else src
        self.watchdog_s = watchdog_s
        self.chain = chain or DecoderChain()
        self.first, self.rest = self.chain.split()
        # A file plays at its own frame rate unless asked to run flat out (tests).
        self.realtime = (not self.is_device) if realtime is None else realtime
        self.confirm = max(1, confirm)  # reads a code from a fallback decoder needs (nearby frames)
        self.gone_frames, self.gone_s, self.reopen_s = gone_frames, gone_s, reopen_s
        self.open_capture = open_capture
        self.open_timeout_s = max(open_timeout_s, watchdog_s)
        # zxing alone costs a few ms a frame, so it takes every frame the camera delivers (a cap would
        # make it wait out a period while a newer frame is ready); the rest of the chain costs ~60 ms
        # on a frame without a code (bench/decode.py), so a waiting kiosk runs it at most rest_fps
        # times a second: a fraction of one core, and never in zxing's way.
        self.rest_period = 1.0 / rest_fps if rest_fps > 0 else 0.0
        self._seen: dict[str, _Seen] = {}
        self._pending: dict[str, tuple[int, int]] = {}  # fallback reads: text -> (count, rest decode no)
        self._lock = threading.Lock()  # both workers record what they read
        self._frame_no = 0
        self._rest_no = 0
        self._newest: Optional[_Feed] = None  # the second worker's slot while a device is read
        self.frames_decoded = 0
        self.rest_decoded = 0
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
                    if feed.stop.is_set():
                        break  # abandoned by the watchdog while read() hung
                    # zxing right here, on the frame just read: the same newest-frame loop as zxing-cpp
                    # alone, no hand-over to another thread first
                    feed.last_fresh = time.monotonic()
                    feed.delivered += 1
                    self._decode(frame, feed.last_fresh, self._newest)
                else:
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
        # The second worker: the newest frame zxing did not read waits here for the rest of the chain.
        newest = _Feed(lockstep=False)
        rest = None
        if self.is_device and self.rest.steps:
            self._newest = newest
            rest = threading.Thread(target=self._rest_loop, args=(newest,), daemon=True,
                                    name=f"camera-rest-{self.device}")
            rest.start()
        try:
            while not self._stop.is_set():
                if feed is None:
                    if ever:
                        self.reopened += 1
                        self._set_status(RECONNECTING, "正在重新打开摄像头")
                    feed = self._open_feed()
                frame = None
                if feed.lockstep:  # a file: its frames come here, decoded on this thread
                    try:
                        frame = feed.frames.get(timeout=0.05)
                    except queue.Empty:
                        pass
                else:  # a device: its capture thread decodes; this one watches it
                    self._stop.wait(0.05)
                now = time.monotonic()
                if frame is not None:
                    feed.delivered += 1
                if feed.delivered and not feed.announced:
                    feed.announced = True
                    self._set_status(CONNECTED)
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
                self._decode(frame, now, None)  # a file: the whole chain on this very frame
        finally:
            self._newest = None
            newest.stop.set()
            if feed is not None:
                feed.stop.set()
            if rest is not None:
                rest.join(timeout=self.join_s)

    def _decode(self, frame: np.ndarray, now: float, newest: Optional[_Feed]) -> None:
        """zxing on the frame; when it reads nothing, the rest of the chain: on the second worker (newest
        frame wins) for a device, right here for a file."""
        self._frame_no += 1
        n = self._frame_no
        found = self.first.decode(frame)
        if found:
            self._record(found, n, now)
        elif newest is not None:
            newest.put((n, frame, now))
        else:
            self._rest_decode(n, frame, now)
        self.frames_decoded += 1
        self._forget(n, now)

    def _rest_loop(self, newest: _Feed) -> None:
        """Second worker: the rest of the chain on the newest frame, at most rest_fps a second."""
        try:  # Linux: a thread's own nice value; the heavy steps yield the CPU to zxing's worker
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
        except (AttributeError, OSError):
            pass
        while not self._stop.is_set():
            try:
                n, frame, seen_at = newest.frames.get(timeout=0.05)
            except queue.Empty:
                continue
            started = time.monotonic()
            self._rest_decode(n, frame, seen_at)
            if self.rest_period:
                self._stop.wait(max(0.0, self.rest_period - (time.monotonic() - started)))

    def _rest_decode(self, n: int, frame: np.ndarray, now: float) -> None:
        found = self.rest.decode(frame) if self.rest.steps else []
        with self._lock:
            self._rest_no += 1
            self.rest_decoded += 1
            confirmed = []
            for d in found:
                if d.step.startswith("zxing"):  # zxing checks the code's error correction itself
                    confirmed.append(d)
                    continue
                # the fallback decoders must read the same text in `confirm` nearby decodes
                count, last = self._pending.get(d.text, (0, 0))
                count = count + 1 if self._rest_no - last <= 5 else 1
                self._pending[d.text] = (count, self._rest_no)
                if count >= self.confirm:
                    confirmed.append(d)
            for text, (_, seen) in list(self._pending.items()):
                if self._rest_no - seen > 5:
                    del self._pending[text]
        if confirmed:
            self._record(confirmed, n, now)

    def _record(self, found: list, n: int, now: float) -> None:
        """Codes read on frame n (by either worker): emit each once while it stays in view."""
        emit = []
        with self._lock:
            for d in found:
                s = self._seen.get(d.text)
                if s is None:
                    s = self._seen[d.text] = _Seen(0, n, now)
                s.count += 1
                s.last_frame, s.last_time = max(s.last_frame, n), max(s.last_time, now)
                if not s.emitted:
                    s.emitted = True
                    emit.append(d.text)
        for text in emit:
            self._emit(text)

    def _forget(self, n: int, now: float) -> None:
        with self._lock:
            for text, s in list(self._seen.items()):
                if n - s.last_frame >= self.gone_frames and now - s.last_time >= self.gone_s:
                    del self._seen[text]  # out of view long enough: showing it again is a new scan
                    self._pending.pop(text, None)
