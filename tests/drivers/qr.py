"""Test helpers: QR images and small MJPG videos written with OpenCV."""
import cv2
import numpy as np
import segno


def qr_image(text: str, size: int = 200, invert: bool = False) -> np.ndarray:
    """A grayscale QR code of about size x size pixels, with its quiet zone."""
    m = np.pad(np.array(segno.make_qr(text, error="m").matrix, dtype=np.uint8), 4)
    img = np.where(m == 1, 0, 255).astype(np.uint8)
    img = cv2.resize(img, (size, size), interpolation=cv2.INTER_NEAREST)
    return 255 - img if invert else img


def frame_with(text=None, w=320, h=240, invert=False) -> np.ndarray:
    """A BGR frame: gray background, optionally a code in the middle."""
    frame = np.full((h, w), 150, np.uint8)
    if text is not None:
        q = qr_image(text, min(w, h) - 40, invert)
        y, x = (h - q.shape[0]) // 2, (w - q.shape[1]) // 2
        frame[y:y + q.shape[0], x:x + q.shape[1]] = q
    return cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)


def write_video(path, frames, fps=30.0) -> str:
    """Write BGR frames to an MJPG .avi and return its path."""
    h, w = frames[0].shape[:2]
    out = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (w, h))
    assert out.isOpened(), "MJPG writer unavailable"
    for f in frames:
        out.write(f)
    out.release()
    return str(path)
