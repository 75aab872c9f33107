"""QR decoders (zxing-cpp, pyzbar, OpenCV) and the measured chain of preprocessing + decoder steps."""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Callable, Iterable, Optional, Sequence

import cv2
import numpy as np

_log = logging.getLogger("ecpos")

try:
    import zxingcpp
except ImportError:  # degrade: the chain runs with whatever decoders are present
    zxingcpp = None
try:
    from pyzbar import pyzbar
except (ImportError, OSError):  # pyzbar present but the zbar shared library missing
    pyzbar = None


@dataclass(frozen=True)
class Decoded:
    """One code found: its text and the step (preprocess+decoder) that found it."""

    text: str
    step: str


def gray(frame: np.ndarray) -> np.ndarray:
    """8-bit single channel."""
    return frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)


# -- decoders: grayscale image in, list of texts out ------------------------------------------
def zxing(img: np.ndarray) -> list[str]:
    """zxing-cpp, QR only (it tries inverted and downscaled images itself)."""
    return [r.text for r in zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.QRCode)
            if r.valid and r.text]


def zbar(img: np.ndarray) -> list[str]:
    """pyzbar (ZBar), QR only."""
    out = []
    for r in pyzbar.decode(img, symbols=[pyzbar.ZBarSymbol.QRCODE]):
        try:
            out.append(r.data.decode("utf-8"))
        except UnicodeDecodeError:
            continue
    return [t for t in out if t]


_cv_detector = None


def opencv(img: np.ndarray) -> list[str]:
    """OpenCV QRCodeDetector."""
    global _cv_detector
    if _cv_detector is None:
        _cv_detector = cv2.QRCodeDetector()
    try:
        ok, texts, _, _ = _cv_detector.detectAndDecodeMulti(img)
    except cv2.error:
        return []
    return [t for t in texts if t] if ok else []


DECODERS: dict[str, Callable[[np.ndarray], list[str]]] = {}
if zxingcpp is not None:
    DECODERS["zxing"] = zxing
if pyzbar is not None:
    DECODERS["zbar"] = zbar
DECODERS["opencv"] = opencv


# -- preprocessing: grayscale in, grayscale out -------------------------------------------------
def centre_crop(img: np.ndarray, frac: float = 0.6) -> np.ndarray:
    """The middle of the frame, where a shown phone usually is."""
    h, w = img.shape[:2]
    ch, cw = int(h * frac), int(w * frac)
    y, x = (h - ch) // 2, (w - cw) // 2
    return img[y:y + ch, x:x + cw]


def invert(img: np.ndarray) -> np.ndarray:
    """Dark-mode screens: light modules on dark."""
    return cv2.bitwise_not(img)


def scale(img: np.ndarray, f: float) -> np.ndarray:
    """Resize by f (area when shrinking, cubic when growing)."""
    return cv2.resize(img, None, fx=f, fy=f,
                      interpolation=cv2.INTER_AREA if f < 1 else cv2.INTER_CUBIC)


_clahe = cv2.createCLAHE(clipLimit=3.0, tileGridSize=(8, 8))


def equalise(img: np.ndarray) -> np.ndarray:
    """Local contrast (CLAHE): flattens glare and dim screens."""
    return _clahe.apply(img)


def sharpen(img: np.ndarray) -> np.ndarray:
    """Unsharp mask: undoes some focus blur."""
    blur = cv2.GaussianBlur(img, (0, 0), 2.0)
    return cv2.addWeighted(img, 1.8, blur, -0.8, 0)


PREPROCESS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "gray": lambda g: g,
    "crop": centre_crop,
    "invert": invert,
    "crop-invert": lambda g: invert(centre_crop(g)),
    "half": lambda g: scale(g, 0.5),
    "crop-x2": lambda g: scale(centre_crop(g, 0.5), 2.0),
    "clahe": equalise,
    "sharpen": sharpen,
    "crop-sharpen": lambda g: sharpen(centre_crop(g)),
}

# Chosen by measurement: `python bench/decode.py --seed 2 --frames 162 --select` tries every decoder x
# preprocessing step on phone-screen frames and orders them greedily by new reads per ms on the frames
# still unread: zxing on a half-size frame reads most in 0.4 ms, then zxing on the centre crop and on a
# 2x crop (small codes); zbar on the crop and OpenCV on the half frame add the last few. Each single
# decoder also runs once on the plain frame (zxing's own inversion covers dark mode), so the chain reads
# at least what any one decoder reads. Validated on seed 1 (the default bench run).
DEFAULT_STEPS: tuple[str, ...] = (
    "zxing:half", "zxing:crop", "zxing:crop-x2", "zxing:gray",
    "zbar:crop", "opencv:half", "zbar:gray", "opencv:gray",
)

# zxing-cpp alone on the plain frame: a few ms, and it reads most frames a live camera will read.
FIRST_STEP = "zxing:gray"


def step_function(name: str) -> Callable[[np.ndarray], list[str]]:
    """'decoder:preprocess' -> function of a grayscale frame."""
    dec, _, pre = name.partition(":")
    decode, prep = DECODERS[dec], PREPROCESS[pre or "gray"]
    return lambda g: decode(prep(g))


class DecoderChain:
    """Try the steps in order on one frame; stop at the first that reads a code."""

    def __init__(self, steps: Optional[Sequence[str]] = None):
        wanted = tuple(DEFAULT_STEPS if steps is None else steps)
        self.steps = tuple(s for s in wanted if s.partition(":")[0] in DECODERS)
        missing = sorted({s.partition(":")[0] for s in wanted} - set(DECODERS))
        if missing:
            _log.warning("decoders_missing %s", ",".join(missing))
        self._fns = [(s, step_function(s)) for s in self.steps]

    def split(self) -> tuple["DecoderChain", "DecoderChain"]:
        """(zxing-cpp on the whole frame, the other steps): the camera runs them on two workers."""
        first = [s for s in self.steps if s == FIRST_STEP]
        return DecoderChain(first), DecoderChain([s for s in self.steps if s not in first])

    def decode(self, frame: np.ndarray) -> list[Decoded]:
        """All codes the first successful step reads (empty when none does)."""
        g = gray(frame)
        for name, fn in self._fns:
            try:
                texts = fn(g)
            except Exception as e:  # one decoder's crash on an odd frame must not stop the others
                _log.warning("decoder_failed %s %s", name, e)
                continue
            if texts:
                return [Decoded(t, name) for t in dict.fromkeys(texts)]
        return []


def decode_file(path: str, chain: Optional[DecoderChain] = None) -> Optional[list[str]]:
    """Texts of the codes in an image file; None if the file cannot be read as an image."""
    if not os.path.isfile(path):
        return None  # (imread would also print an OpenCV warning)
    img = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    if img is None:
        return None
    return [d.text for d in (chain or DecoderChain()).decode(img)]


def available() -> Iterable[str]:
    """Names of the decoders that can run here."""
    return tuple(DECODERS)
