"""Seeded generator of phone-screen camera frames showing a 医保码 (or not), for bench/decode.py."""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Optional

import cv2
import numpy as np
import segno

KINDS = ("plain", "perspective", "blur", "noise", "glare", "inverted", "moire", "small", "nocode")


@dataclass
class Frame:
    image: np.ndarray
    text: Optional[str]  # None: no code in the frame
    kind: str
    size: str


def dynamic_code(rng: random.Random) -> str:
    """28 digits, first 1-9: the shape of a dynamic 医保码."""
    return str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(27))


def qr_matrix(text: str, module: int) -> np.ndarray:
    """The code as a white-on-black-free 8-bit image (dark modules 0), 4-module quiet zone."""
    m = np.array(segno.make_qr(text, error="m").matrix, dtype=np.uint8)
    m = np.pad(m, 4)
    img = np.where(m == 1, 0, 255).astype(np.uint8)
    return np.kron(img, np.ones((module, module), dtype=np.uint8))


def phone_screen(rng: random.Random, text: Optional[str], dark: bool) -> np.ndarray:
    """A portrait screen like the 医保码 page: header bar, code, a few text lines."""
    h, w = 900, 480
    bg, fg = (30, 240) if dark else (240, 30)
    screen = np.full((h, w), bg, np.uint8)
    cv2.rectangle(screen, (0, 0), (w, 90), 90 if not dark else 60, -1)  # coloured header in gray
    for i in range(4):
        y = 640 + i * 50
        cv2.putText(screen, "".join(rng.choice("ABCDEFGH0123456789 ") for _ in range(14)),
                    (40, y), cv2.FONT_HERSHEY_SIMPLEX, 0.9, fg, 2)
    if text is not None:
        q = qr_matrix(text, 10)
        if dark:
            q = 255 - q
        q = cv2.resize(q, (400, 400), interpolation=cv2.INTER_NEAREST)
        screen[170:570, 40:440] = q
    return screen


def _background(rng: random.Random, w: int, h: int, nrng: np.random.Generator) -> np.ndarray:
    base = rng.randint(60, 200)
    gx = np.linspace(0, rng.uniform(-60, 60), w, dtype=np.float32)
    gy = np.linspace(0, rng.uniform(-60, 60), h, dtype=np.float32)[:, None]
    bg = base + gx + gy + nrng.normal(0, 8, (h, w)).astype(np.float32)
    return np.clip(bg, 0, 255)


def make_frame(rng: random.Random, w: int, h: int, kind: str) -> Frame:
    """One frame of the given kind at w x h (BGR)."""
    nrng = np.random.default_rng(rng.getrandbits(32))
    text = None if kind == "nocode" else dynamic_code(rng)
    dark = kind == "inverted"
    screen = phone_screen(rng, text, dark).astype(np.float32)
    if kind == "nocode" and rng.random() < 0.5:
        # a QR-like pattern that is not a code: finder-ish squares and random modules
        junk = np.where(nrng.random((33, 33)) < 0.5, 0, 255).astype(np.uint8)
        screen[170:570, 40:440] = cv2.resize(junk, (400, 400), interpolation=cv2.INTER_NEAREST)
    phone = cv2.copyMakeBorder(screen, 30, 30, 20, 20, cv2.BORDER_CONSTANT, value=20)
    ph, pw = phone.shape
    # where the phone lands: height as a share of the frame, then a tilt
    share = rng.uniform(0.28, 0.45) if kind == "small" else rng.uniform(0.55, 0.95)
    th = h * share
    tw = th * pw / ph
    cx, cy = w / 2 + rng.uniform(-0.15, 0.15) * w, h / 2 + rng.uniform(-0.08, 0.08) * h
    jitter = 0.22 if kind == "perspective" else 0.06
    dst = np.float32([[cx - tw / 2, cy - th / 2], [cx + tw / 2, cy - th / 2],
                      [cx + tw / 2, cy + th / 2], [cx - tw / 2, cy + th / 2]])
    dst += np.float32([[rng.uniform(-jitter, jitter) * tw, rng.uniform(-jitter, jitter) * th]
                       for _ in range(4)])
    angle = np.deg2rad(rng.uniform(-25, 25))
    rot = np.float32([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    dst = (dst - [cx, cy]) @ rot.T + [cx, cy]
    M = cv2.getPerspectiveTransform(np.float32([[0, 0], [pw, 0], [pw, ph], [0, ph]]), dst.astype(np.float32))
    frame = _background(rng, w, h, nrng)
    warped = cv2.warpPerspective(phone, M, (w, h), flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.ones_like(phone), M, (w, h), flags=cv2.INTER_LINEAR)
    frame = frame * (1 - mask) + warped * mask
    contrast = rng.uniform(0.4, 1.0)
    frame = 128 + (frame - 128) * contrast
    if kind == "glare" or rng.random() < 0.15:
        gx, gy = cx + rng.uniform(-0.12, 0.12) * w, cy + rng.uniform(-0.2, 0.1) * h
        sx, sy = rng.uniform(0.05, 0.18) * w, rng.uniform(0.05, 0.18) * h
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        blob = np.exp(-(((xx - gx) / sx) ** 2 + ((yy - gy) / sy) ** 2))
        frame = frame + blob * rng.uniform(150, 260)
    if kind == "moire" or rng.random() < 0.1:
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        period, ang = rng.uniform(3.0, 7.0), rng.uniform(0, np.pi)
        wave = np.sin((xx * np.cos(ang) + yy * np.sin(ang)) * 2 * np.pi / period)
        frame = frame * (1 + rng.uniform(0.08, 0.2) * wave)
    if kind == "blur" or rng.random() < 0.3:
        sigma = rng.uniform(1.5, 3.5) if kind == "blur" else rng.uniform(0.5, 1.5)
        if rng.random() < 0.4:  # hand shake: a short motion streak
            k = max(3, int(sigma * 3)) | 1
            kern = np.zeros((k, k), np.float32)
            kern[k // 2, :] = 1.0 / k
            rotm = cv2.getRotationMatrix2D((k / 2 - 0.5, k / 2 - 0.5), rng.uniform(0, 180), 1.0)
            kern = cv2.warpAffine(kern, rotm, (k, k))
            frame = cv2.filter2D(frame, -1, kern / max(kern.sum(), 1e-6))
        else:
            frame = cv2.GaussianBlur(frame, (0, 0), sigma)
    noise = rng.uniform(15, 38) if kind == "noise" else rng.uniform(1, 10)
    frame = frame + nrng.normal(0, noise, frame.shape).astype(np.float32)
    frame = np.clip(frame, 0, 255).astype(np.uint8)
    tint = np.float32([rng.uniform(0.85, 1.1), 1.0, rng.uniform(0.85, 1.1)])
    bgr = np.clip(cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR) * tint, 0, 255).astype(np.uint8)
    ok, jpg = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, rng.randint(55, 90)])
    return Frame(cv2.imdecode(jpg, cv2.IMREAD_COLOR), text, kind, f"{w}x{h}")


def frames(seed: int, count: int, sizes=((640, 480), (1280, 720))):
    """`count` frames, alternating sizes, kinds spread evenly, reproducible from `seed`."""
    rng = random.Random(seed)
    for i in range(count):
        w, h = sizes[i % len(sizes)]
        yield make_frame(rng, w, h, KINDS[(i // len(sizes)) % len(KINDS)])
