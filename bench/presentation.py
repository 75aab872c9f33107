"""Presentation benchmark: a patient raises a phone to a 720p kiosk camera; how long after the code first
becomes readable does each reader have it?

    python bench/presentation.py [--seed 1] [--trials 10] [--frames 72]

Each trial is one generated 30 fps clip (1280x720): the phone enters from an edge, moving fast at first
(motion blur along its path), the camera's auto-exposure settles from over- or under-exposed once the
bright screen is in view, and the hand keeps jittering after it stops. A publisher thread plays the clip in
real time; each reader takes the newest frame whenever it is free, as with a webcam:

- zxing alone: zxing-cpp on the whole frame in a loop;
- chain, one worker: drivers.decoders.DecoderChain on every newest frame (the camera before this change);
- camera: drivers.camera.Camera as the kiosk runs it (zxing on every frame, the rest of the chain on a
  second worker over the newest frame, the first answer wins), fed through its open_capture hook.

The first readable frame is the first frame the whole chain reads offline (a superset of what zxing alone
reads). Each loop's delay is the time from that frame's publication to the loop's correct read; a loop
that never reads it counts as a miss. Prints every trial's delays, then p50/p90 per loop and checks the
goal: the camera's p90 <= zxing alone's in the same run.
"""
from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

import phone_frames  # noqa: E402
from drivers import decoders  # noqa: E402
from drivers.camera import Camera  # noqa: E402

W, H, FPS = 1280, 720, 30.0


# -- the clip -------------------------------------------------------------------------------------
def motion_kernel(dx: float, dy: float) -> np.ndarray | None:
    """A line kernel along the movement during the exposure (half the frame period)."""
    sx, sy = dx * 0.5, dy * 0.5
    length = math.hypot(sx, sy)
    if length < 1.5:
        return None
    k = (int(math.ceil(length)) + 2) | 1
    c = k // 2
    kern = np.zeros((k, k), np.float32)
    cv2.line(kern, (round(c - sx / 2), round(c - sy / 2)), (round(c + sx / 2), round(c + sy / 2)), 1.0, 1)
    return kern / max(kern.sum(), 1e-6)


def clip(rng: random.Random, frames: int) -> tuple[str, list[np.ndarray]]:
    """One presentation: (the code's text, BGR frames at 30 fps)."""
    nrng = np.random.default_rng(rng.getrandbits(32))
    text = phone_frames.dynamic_code(rng)
    screen = phone_frames.phone_screen(rng, text, dark=False).astype(np.float32)
    phone = cv2.copyMakeBorder(screen, 30, 30, 20, 20, cv2.BORDER_CONSTANT, value=20)
    ph, pw = phone.shape
    th = H * rng.uniform(0.6, 0.9)
    tw = th * pw / ph
    end = np.float32([W / 2 + rng.uniform(-0.12, 0.12) * W, H / 2 + rng.uniform(-0.05, 0.05) * H])
    edge = rng.choice(("left", "right", "bottom", "top"))
    start = {"left": (-tw, end[1] + rng.uniform(-80, 80)), "right": (W + tw, end[1] + rng.uniform(-80, 80)),
             "bottom": (end[0] + rng.uniform(-150, 150), H + th), "top": (end[0] + rng.uniform(-150, 150), -th)}
    start = np.float32(start[edge])
    enter = rng.randint(4, 10)                     # frames before the phone appears
    travel = rng.uniform(0.35, 0.8) * FPS          # frames to reach the kiosk
    tilt_end = rng.uniform(-12, 12)
    gain0 = rng.choice((rng.uniform(1.5, 2.2), rng.uniform(0.3, 0.55)))  # auto-exposure starts wrong
    settle = rng.uniform(0.15, 0.45) * FPS         # its time constant, in frames
    base = phone_frames._background(rng, W, H, nrng)
    src = np.float32([[0, 0], [pw, 0], [pw, ph], [0, ph]])
    out, prev, jitter = [], None, np.zeros(2, np.float32)
    for i in range(frames):
        t = (i - enter) / travel
        if t < 0:
            centre, tilt = start.copy(), tilt_end + 25
        else:
            ease = 1 - (1 - min(t, 1.0)) ** 3       # fast in, slowing down
            centre, tilt = start + (end - start) * ease, tilt_end + 25 * (1 - ease)
        if t >= 1:
            jitter = 0.8 * jitter + np.float32([nrng.normal(0, 2.5), nrng.normal(0, 2.5)])
            centre = centre + jitter
            tilt += nrng.normal(0, 0.6)
        vel = (centre - prev) if prev is not None else np.zeros(2, np.float32)
        prev = centre
        a = math.radians(tilt)
        rot = np.float32([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
        corners = np.float32([[-tw / 2, -th / 2], [tw / 2, -th / 2], [tw / 2, th / 2], [-tw / 2, th / 2]])
        dst = corners @ rot.T + centre
        M = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
        warped = cv2.warpPerspective(phone, M, (W, H), flags=cv2.INTER_LINEAR)
        mask = cv2.warpPerspective(np.ones_like(phone), M, (W, H), flags=cv2.INTER_LINEAR)
        kern = motion_kernel(float(vel[0]), float(vel[1]))
        if kern is not None:
            warped, mask = cv2.filter2D(warped, -1, kern), cv2.filter2D(mask, -1, kern)
        frame = base * (1 - mask) + warped * mask
        # auto-exposure reacts once the bright screen fills part of the view
        in_view = float(mask.mean())
        since = max(0.0, i - enter - travel * 0.3) if in_view > 0.05 else 0.0
        gain = 1 + (gain0 - 1) * math.exp(-since / settle)
        frame = frame * gain + nrng.normal(0, 4, (H, W)).astype(np.float32)
        gray = np.clip(frame, 0, 255).astype(np.uint8)
        ok, jpg = cv2.imencode(".jpg", cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR),
                               [cv2.IMWRITE_JPEG_QUALITY, 80])  # a webcam's MJPG
        out.append(cv2.imdecode(jpg, cv2.IMREAD_COLOR))
    return text, out


# -- real-time playback ----------------------------------------------------------------------------
class Player:
    """Publishes the clip's frames at 30 fps (then holds the last one) and says when each appeared."""

    def __init__(self, frames: list[np.ndarray], hold_s: float = 1.5):
        self.frames, self.hold_s = frames, hold_s
        self.cond = threading.Condition()
        self.index, self.published, self.done = -1, [], False

    def start(self) -> None:
        threading.Thread(target=self._play, daemon=True).start()

    def _play(self) -> None:
        t0 = time.monotonic()
        for i in range(len(self.frames)):
            wait = t0 + i / FPS - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            with self.cond:
                self.index = i
                self.published.append(time.monotonic())
                self.cond.notify_all()
        time.sleep(self.hold_s)
        with self.cond:
            self.done = True
            self.cond.notify_all()

    def newest(self, after: int) -> tuple[int, np.ndarray | None]:
        """Block until a frame newer than `after` is out: (its index, a copy); (-1, None) at the end."""
        with self.cond:
            self.cond.wait_for(lambda: self.index > after or self.done)
            if self.index <= after:
                return -1, None
            frame = self.frames[self.index].copy()
            frame[0, 0, 0] = self.index % 256  # a live sensor never repeats a frame exactly
            return self.index, frame


class PlayerCapture:
    """cv2.VideoCapture's face over a Player, for Camera's open_capture hook."""

    def __init__(self, player: Player):
        self.player, self.last = player, -1

    def isOpened(self) -> bool:
        return True

    def get(self, prop) -> float:
        return FPS

    def read(self):
        i, frame = self.player.newest(self.last)
        if frame is None:
            return False, None
        self.last = i
        return True, frame

    def release(self) -> None:
        pass


def loop(player: Player, decode, text: str) -> float | None:
    """A newest-frame loop: the time of the first correct read, None if none."""
    last = -1
    while True:
        i, frame = player.newest(last)
        if frame is None:
            return None
        last = i
        if text in decode(frame):
            return time.monotonic()


def run_loop(frames, text, decode) -> tuple[float | None, Player]:
    player = Player(frames)
    player.start()
    return loop(player, decode, text), player


def run_camera(frames, text) -> tuple[float | None, Player]:
    player = Player(frames)
    got, done = [], threading.Event()

    def on_scan(ev):
        if ev.text == text:
            got.append(time.monotonic())
            done.set()

    cam = Camera(on_scan, source="0", watchdog_s=30, open_capture=lambda t: PlayerCapture(player))
    cam.start()
    player.start()
    while not done.is_set() and not player.done:
        done.wait(0.05)
    cam.stop()
    return (got[0] if got else None), player


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(math.ceil(q * len(xs))) - 1)] if xs else float("nan")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--trials", type=int, default=10)
    ap.add_argument("--frames", type=int, default=72, help="frames per clip (30 fps)")
    args = ap.parse_args(argv)
    cv2.setNumThreads(1)  # one core per decoder, as on a kiosk PC
    rng = random.Random(args.seed)
    chain = decoders.DecoderChain()
    zx = decoders.step_function(decoders.FIRST_STEP)
    loops = {
        "zxing alone": lambda f: zx(decoders.gray(f)),
        "chain, one worker": lambda f: [d.text for d in chain.decode(f)],
        "camera": None,
    }
    delays: dict[str, list[float]] = {name: [] for name in loops}
    misses = {name: 0 for name in loops}
    print(f"{args.trials} clips of {args.frames} frames, {W}x{H} at {FPS:g} fps (seed {args.seed}); "
          f"delay after the first readable frame, ms")
    print(f"{'clip':>4} {'readable':>8} {'zxing@':>6}  " + "  ".join(f"{n:>17}" for n in loops))
    for trial in range(args.trials):
        text, frames = clip(rng, args.frames)
        readable = [text in [d.text for d in chain.decode(f)] for f in frames]
        zx_readable = [text in zx(decoders.gray(f)) for f in frames]
        if not any(readable):
            print(f"{trial:>4} no frame readable: skipped")
            continue
        first = readable.index(True)
        zfirst = zx_readable.index(True) if any(zx_readable) else -1
        order = list(loops) if trial % 2 == 0 else list(loops)[::-1]  # neither goes first every time
        row = {}
        for name in order:
            if name == "camera":
                at, player = run_camera(frames, text)
            else:
                at, player = run_loop(frames, text, loops[name])
            if at is None:
                misses[name] += 1
                row[name] = "miss"
            else:
                ms = (at - player.published[first]) * 1000
                delays[name].append(ms)
                row[name] = f"{ms:.0f}"
        print(f"{trial:>4} {first:>8} {zfirst:>6}  " + "  ".join(f"{row[n]:>17}" for n in loops))
    print(f"\n{'loop':<18} {'p50 ms':>8} {'p90 ms':>8} {'max ms':>8} {'misses':>7}")
    for name in loops:
        xs = delays[name]
        print(f"{name:<18} {pct(xs, .5):8.1f} {pct(xs, .9):8.1f} {max(xs, default=float('nan')):8.1f} "
              f"{misses[name]:>7}")
    cam90, zx90 = pct(delays["camera"], .9), pct(delays["zxing alone"], .9)
    ok = cam90 <= zx90 and misses["camera"] <= misses["zxing alone"]
    print(f"\nSUMMARY camera p50 {pct(delays['camera'], .5):.1f} ms p90 {cam90:.1f} ms vs zxing alone "
          f"p50 {pct(delays['zxing alone'], .5):.1f} ms p90 {zx90:.1f} ms -> goal {'MET' if ok else 'NOT MET'}")
    print(f"rerun: .venv/bin/python bench/presentation.py --seed {args.seed} --trials {args.trials} "
          f"--frames {args.frames}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
