"""Pictures drawn over decoded footage without leaving yuv420p: a sprite (text on its plate, a logo) converted once
to Y, U and V with its alpha, premultiplied, the colour planes at half size, then blended per frame with integer
numpy arithmetic inside its own box only; and the whole frame dimmed toward a colour through a lookup table.

Converting every frame to RGB and back would cost more than encoding it; this costs a few multiplies per pixel
the sprite covers.
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np
from PIL import Image

from tools.brand.contrast import RGB
from tools.engines.draft.kit import Box

Planes = tuple[np.ndarray, np.ndarray, np.ndarray]

# RGB (0..1) to limited-range Y, U, V: ITU-R BT.601 (what untagged and SD footage is read as) and BT.709 (HD).
MATRICES: dict[str, np.ndarray] = {
    "bt601": np.array([[65.481, 128.553, 24.966], [-37.797, -74.203, 112.0], [112.0, -93.786, -18.214]]),
    "bt709": np.array([[46.559, 156.629, 15.812], [-25.664, -86.336, 112.0], [112.0, -101.730, -10.270]]),
}
OFFSETS = np.array([16.0, 128.0, 128.0])


def to_yuv(rgb: np.ndarray, matrix: str = "bt601") -> np.ndarray:
    """RGB pixels (..., 3, 0..255) as Y, U, V (..., 3, floats)."""
    return (rgb.astype(np.float32) / 255.0) @ MATRICES[matrix].T.astype(np.float32) + OFFSETS.astype(np.float32)


def to_rgb(yuv: np.ndarray, matrix: str = "bt601") -> np.ndarray:
    """Y, U, V (..., 3) back to RGB (..., 3, 0..255 floats)."""
    inverse = np.linalg.inv(MATRICES[matrix]).astype(np.float32)
    return np.clip((yuv.astype(np.float32) - OFFSETS.astype(np.float32)) @ inverse.T * 255.0, 0, 255)


class Overlay:
    """An RGBA image ready to blend into yuv420p planes at any even position and opacity."""

    def __init__(self, image: Image.Image, matrix: str = "bt601") -> None:
        rgba = image if image.mode == "RGBA" else image.convert("RGBA")
        if rgba.width % 2 or rgba.height % 2:  # whole chroma samples: pad to even sizes with clear pixels
            even = Image.new("RGBA", (rgba.width + rgba.width % 2, rgba.height + rgba.height % 2), (0, 0, 0, 0))
            even.paste(rgba, (0, 0))
            rgba = even
        px = np.asarray(rgba, dtype=np.float32)
        alpha = px[..., 3] / 255.0
        yuv = to_yuv(px[..., :3], matrix)
        self.width, self.height = rgba.size
        # Alpha in 0..256 and colour premultiplied by it: a blend is (dst * (256 - a) + c) >> 8, which stays
        # below 2**16 (a mix of two 8-bit values, times 256), so 16-bit arithmetic holds it.
        self.a = np.round(alpha * 256).astype(np.uint16)
        self.y = np.round(yuv[..., 0] * alpha * 256).astype(np.uint16)
        half = (self.height // 2, 2, self.width // 2, 2)
        alpha2 = alpha.reshape(half).mean(axis=(1, 3))
        self.a2 = np.round(alpha2 * 256).astype(np.uint16)
        self.u = np.round((yuv[..., 1] * alpha).reshape(half).mean(axis=(1, 3)) * 256).astype(np.uint16)
        self.v = np.round((yuv[..., 2] * alpha).reshape(half).mean(axis=(1, 3)) * 256).astype(np.uint16)
        self._faded: tuple[int, tuple[np.ndarray, ...]] | None = None
        self._full = (256 - self.a, self.y + 128, 256 - self.a2, self.u + 128, self.v + 128)

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height

    def _at(self, opacity: float) -> tuple[np.ndarray, ...]:
        """(256 - alpha) and the premultiplied colour (rounding added) of Y, then of U and V, at an opacity
        (quantised to 1/64; the last one is kept for held frames)."""
        level = round(min(1.0, max(0.0, opacity)) * 64)
        if level >= 64:
            return self._full
        if self._faded is None or self._faded[0] != level:
            a, y, a2, u, v = ((p.astype(np.uint32) * level >> 6).astype(np.uint16) for p in
                              (self.a, self.y, self.a2, self.u, self.v))  # fmt: skip
            # Rounded apart, a colour could pass 255 times its alpha, and the blend 16 bits: held under it.
            y, u, v = np.minimum(y, a * 255), np.minimum(u, a2 * 255), np.minimum(v, a2 * 255)
            self._faded = (level, (256 - a, y + 128, 256 - a2, u + 128, v + 128))
        return self._faded[1]

    def blend(self, planes: Planes, x: int, y: int, opacity: float = 1.0) -> Box:
        """Draw with the top-left at (x, y) (moved to even), clipped to the frame; returns the box drawn."""
        if opacity <= 0.01:
            return (0, 0, 0, 0)
        x, y = x - x % 2, y - y % 2
        luma, cb, cr = planes
        height, width = luma.shape
        x0, y0, x1, y1 = max(0, x), max(0, y), min(width, x + self.width), min(height, y + self.height)
        if x1 <= x0 or y1 <= y0:
            return (0, 0, 0, 0)
        a, py, a2, pu, pv = self._at(opacity)
        _mix(luma[y0:y1, x0:x1], a[y0 - y : y1 - y, x0 - x : x1 - x], py[y0 - y : y1 - y, x0 - x : x1 - x])
        h0, h1, w0, w1 = y0 // 2, y1 // 2, x0 // 2, x1 // 2
        sy, sx = (y0 - y) // 2, (x0 - x) // 2
        window = (slice(sy, sy + h1 - h0), slice(sx, sx + w1 - w0))
        _mix(cb[h0:h1, w0:w1], a2[window], pu[window])
        _mix(cr[h0:h1, w0:w1], a2[window], pv[window])
        return (x0, y0, x1, y1)


def _mix(dst: np.ndarray, clear: np.ndarray, colour: np.ndarray) -> None:
    """dst = dst * (1 - alpha) + colour, in place: `clear` is 256 - alpha (alpha in 0..256), `colour` is
    premultiplied by alpha, times 256, plus 128 to round."""
    mixed = np.multiply(dst, clear, dtype=np.uint16)
    mixed += colour
    mixed >>= 8
    dst[...] = mixed


@lru_cache(maxsize=256)
def _dim_tables(y: float, u: float, v: float, level: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    k = level / 64
    values = np.arange(256, dtype=np.float32)
    return tuple(np.clip(np.round(values * (1 - k) + c * k), 0, 255).astype(np.uint8) for c in (y, u, v))  # type: ignore[return-value]


def dim(src: Planes, dst: Planes, colour: RGB, strength: float, matrix: str = "bt601") -> None:
    """`dst` = `src` mixed toward `colour` by `strength` (0..1, quantised to 1/64): footage dimmed under a card."""
    yuv = to_yuv(np.array(colour, dtype=np.float32), matrix)
    level = round(min(1.0, max(0.0, strength)) * 64)
    tables = _dim_tables(round(float(yuv[0]), 2), round(float(yuv[1]), 2), round(float(yuv[2]), 2), level)
    for table, plane, out in zip(tables, src, dst, strict=True):
        out[...] = cv2.LUT(plane, table)


def mean_colour(planes: Planes, box: Box, matrix: str = "bt601") -> RGB:
    """The mean colour of the frame over `box` (clipped): the ground something drawn there is seen against."""
    luma, cb, cr = planes
    x0, y0 = max(0, box[0]), max(0, box[1])
    x1, y1 = min(luma.shape[1], box[2]), min(luma.shape[0], box[3])
    if x1 - x0 < 2 or y1 - y0 < 2:
        return (128, 128, 128)
    yuv = np.array(
        [
            luma[y0:y1, x0:x1].mean(),
            cb[y0 // 2 : y1 // 2, x0 // 2 : x1 // 2].mean(),
            cr[y0 // 2 : y1 // 2, x0 // 2 : x1 // 2].mean(),
        ]
    )
    r, g, b = (round(float(c)) for c in to_rgb(yuv, matrix))
    return (r, g, b)


def ground_range(planes: Planes, box: Box, matrix: str = "bt601") -> tuple[RGB, RGB]:
    """The darkest and the lightest the frame is over `box` (its 2nd and 98th percentiles of luma, in the box's
    mean hue): what words drawn there must stand out from."""
    luma, cb, cr = planes
    x0, y0 = max(0, box[0]), max(0, box[1])
    x1, y1 = min(luma.shape[1], box[2]), min(luma.shape[0], box[3])
    if x1 - x0 < 2 or y1 - y0 < 2:
        return (0, 0, 0), (255, 255, 255)
    step = max(1, min(x1 - x0, y1 - y0) // 64)  # a few thousand samples are enough
    low, high = np.percentile(luma[y0:y1:step, x0:x1:step], [2, 98])
    u = float(cb[y0 // 2 : y1 // 2 : step, x0 // 2 : x1 // 2 : step].mean())
    v = float(cr[y0 // 2 : y1 // 2 : step, x0 // 2 : x1 // 2 : step].mean())
    dark, light = (to_rgb(np.array([level, u, v]), matrix) for level in (low, high))
    return tuple(round(float(c)) for c in dark), tuple(round(float(c)) for c in light)  # type: ignore[return-value]
