"""Studio product photos drawn in code, each with its true mask: the evaluation set of the draft's cut-out.

Products are signed distance fields (so edges are anti-aliased and the mask is exact), shaded as rounded solids lit
from the upper left, with specular highlights, on a sweep (flat or graded, vignetted) with a soft contact shadow,
and sensor noise; some are saved as JPEG. Shapes are laid out in a 1200 x 900 design space scaled to the photo.

    photo(name) -> (RGB image, bool mask True on the product); NAMES lists them; iou(cut, mask) scores a cut-out.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np
from PIL import Image

F = np.float32
RGB = tuple[float, float, float]


class Canvas:
    """A photo being drawn: float RGB pixels, the product's true mask, and the design grid."""

    def __init__(self, w: int, h: int, seed: int) -> None:
        self.w, self.h, self.s = w, h, w / 1200  # s: pixels per design unit
        self.x = ((np.arange(w, dtype=F) + 0.5) / F(self.s))[None, :]
        self.y = ((np.arange(h, dtype=F) + 0.5) / F(self.s))[:, None]
        self.img = np.zeros((h, w, 3), F)
        self.mask = np.zeros((h, w), bool)
        self.rng = np.random.default_rng(seed)

    # --- shapes (design units, negative inside) ---

    def ellipse(self, cx: float, cy: float, a: float, b: float) -> np.ndarray:
        dx, dy = (self.x - cx) / a, (self.y - cy) / b
        k = np.sqrt(dx * dx + dy * dy) + F(1e-6)
        grad = np.sqrt((dx / a) ** 2 + (dy / b) ** 2) / k + F(1e-6)
        return (k - 1) / grad

    def box(self, cx: float, cy: float, hw: float, hh: float, r: float) -> np.ndarray:
        qx, qy = np.abs(self.x - cx) - (hw - r), np.abs(self.y - cy) - (hh - r)
        return np.hypot(np.maximum(qx, 0), np.maximum(qy, 0)) + np.minimum(np.maximum(qx, qy), 0) - r

    def capsule(self, x0: float, y0: float, x1: float, y1: float, r: float) -> np.ndarray:
        px, py, bx, by = self.x - x0, self.y - y0, x1 - x0, y1 - y0
        t = np.clip((px * bx + py * by) / (bx * bx + by * by), 0, 1)
        return np.hypot(px - t * bx, py - t * by) - r

    @staticmethod
    def union(a: np.ndarray, b: np.ndarray, k: float) -> np.ndarray:
        h = np.clip(0.5 + 0.5 * (b - a) / k, 0, 1)
        return b + (a - b) * h - k * h * (1 - h)

    # --- drawing ---

    def sweep(self, top: RGB, bottom: RGB, vignette: float = 0.04) -> None:
        """The backdrop: a vertical gradient, a little darker towards the corners."""
        v = (self.y / 900).astype(F)[:, :, None]
        self.img[:] = np.array(top, F) + (np.array(bottom, F) - np.array(top, F)) * v
        r2 = ((self.x / 1200 - 0.5) ** 2 + (self.y / 900 - 0.5) ** 2) * 2
        self.img *= (1 - vignette * r2)[:, :, None]

    def shadow(self, cx: float, cy: float, a: float, b: float, blur: float, strength: float) -> None:
        """A soft shadow on the floor: the backdrop darkened, most in the middle, fading over `blur` units."""
        d = np.maximum(self.capsule(cx - a + b, cy, cx + a - b, cy, b), 0)
        self.img *= (1 - strength * np.exp(-((d / blur) ** 2)))[:, :, None]

    def coverage(self, d: np.ndarray) -> np.ndarray:
        return np.clip(F(0.5) - d * F(self.s), 0, 1)

    def solid(
        self,
        d: np.ndarray,
        colour: RGB,
        bevel: float = 30,
        rim: float = 0.75,
        side: float = 0.2,
        part: bool = True,
    ) -> None:
        """A rounded solid: lit flat in its middle, darker over its rounded rim (`rim`: the shade at the very edge),
        lighter on the upper left and darker on the lower right (`side`). `part`: the product's (in the mask)."""
        t = np.clip(-d / bevel, 0, 1)
        height = np.sqrt(1 - (1 - t) ** 2)
        gy, gx = np.gradient(d)
        norm = np.hypot(gx, gy) + F(1e-6)
        facing = (gx * -0.6 + gy * -0.8) / norm  # > 0 where the rim faces the light (upper left)
        shade = np.maximum(rim + (1 - rim) * height + side * (1 - height) * facing, 0)
        cov = self.coverage(d)[:, :, None]
        self.img *= 1 - cov
        self.img += (np.array(colour, F) * shade[:, :, None]) * cov
        if part:
            self.mask |= d < 0

    def glass(self, d: np.ndarray, tint: RGB, edge: float = 14, dark: float = 0.55) -> None:
        """Clear glass: the backdrop seen through it, tinted, darker where the glass bends light at its edge."""
        inside = np.maximum(-d, 0)
        f = 1 - dark * np.exp(-inside / edge)
        cov = self.coverage(d)[:, :, None]
        self.img *= 1 - cov + cov * (np.array(tint, F) * f[:, :, None])
        self.mask |= d < 0

    def shine(self, d: np.ndarray, width: float, strength: float, within: np.ndarray) -> None:
        """A specular highlight: the pixels pulled towards white along a thin shape, kept inside `within`."""
        a = strength * np.exp(-((np.maximum(d, 0) / width) ** 2)) * self.coverage(within)
        self.img += (255 - self.img) * a[:, :, None]

    def finish(self, noise: float = 1.6, jpeg: int | None = None) -> tuple[Image.Image, np.ndarray]:
        for c in range(3):
            self.img[:, :, c] += self.rng.normal(0, noise, (self.h, self.w)).astype(F)
        img = Image.fromarray(np.clip(np.rint(self.img), 0, 255).astype(np.uint8), "RGB")
        if jpeg is not None:
            out = io.BytesIO()
            img.save(out, "JPEG", quality=jpeg)
            img = Image.open(io.BytesIO(out.getvalue())).convert("RGB")
        return img, self.mask


# --- products ---


def sneaker(c: Canvas, upper: RGB, sole: RGB, stripes: RGB | None = None, laces: RGB = (240, 240, 238)) -> None:
    """A sneaker side on: a rounded sole, the upper over it, a dark collar, laces, stripes crossing the upper."""
    c.shadow(600, 665, 430, 22, 55, 0.45)
    c.shadow(600, 655, 400, 8, 10, 0.5)  # where the sole meets the floor
    body = c.union(c.ellipse(560, 530, 390, 125), c.box(840, 450, 120, 135, 70), 60)
    body = np.maximum(body, c.y - 600)
    c.solid(body, upper, bevel=40, rim=0.7)
    c.solid(c.ellipse(840, 335, 85, 22), (45, 42, 40), bevel=8, rim=0.6)  # the collar's opening
    if stripes is not None:
        for x0 in (500, 610):
            band = np.maximum(c.capsule(x0, 650, x0 + 170, 360, 22), body)
            c.solid(band, stripes, bevel=10, rim=0.92, side=0.05)
    for i in range(5):
        x = 420 + 62 * i
        y = 430 - 10 * i
        c.solid(c.capsule(x, y, x + 40, y - 38, 7), laces, bevel=5, rim=0.8)
    c.shine(c.capsule(300, 455, 700, 420, 4), 18, 0.35, body)
    sole_d = c.union(c.box(600, 622, 420, 36, 34), c.ellipse(195, 600, 50, 40), 20)
    c.solid(sole_d, sole, bevel=22, rim=0.78, side=0.12)
    c.solid(np.maximum(c.box(600, 652, 415, 6, 5), sole_d), [v * 0.72 for v in sole], bevel=3, rim=0.9)  # tread
    c.shine(c.capsule(220, 604, 980, 604, 2), 6, 0.4, sole_d)


def bottle(c: Canvas, tint: RGB, cap: RGB, label: RGB) -> None:
    """A clear glass bottle with a cap and a paper label."""
    c.shadow(600, 790, 150, 16, 40, 0.35)
    body = c.union(c.box(600, 560, 140, 230, 60), c.box(600, 260, 45, 120, 20), 60)
    c.glass(body, tint)
    c.shine(c.capsule(500, 380, 500, 740, 3), 9, 0.75, body)
    c.shine(c.capsule(690, 420, 690, 700, 2), 5, 0.5, body)
    c.solid(np.maximum(c.box(600, 560, 160, 90, 4), body), label, bevel=40, rim=0.8, side=0.05)
    for i in range(3):  # printed lines on the label
        c.solid(c.box(600, 525 + 30 * i, 90 - 20 * i, 7, 3), (60, 70, 80), bevel=2, rim=1, side=0)
    c.solid(c.box(600, 135, 52, 40, 10), cap, bevel=14, rim=0.75)


def mug(c: Canvas, colour: RGB) -> None:
    """A mug with a handle: the backdrop shows through the handle."""
    c.shadow(560, 745, 230, 18, 45, 0.4)
    body = c.union(c.box(540, 510, 190, 230, 24), c.ellipse(540, 735, 190, 14), 10)
    handle = np.maximum(np.abs(np.hypot(c.x - 730, c.y - 500) - 105) - 26, 700 - c.x)
    c.solid(c.union(body, handle, 6), colour, bevel=45, rim=0.7)
    c.solid(c.ellipse(540, 282, 180, 22), [v * 0.55 for v in colour], bevel=10, rim=0.8)  # the inside
    c.shine(c.capsule(440, 320, 440, 700, 4), 14, 0.45, body)


def can(c: Canvas, colour: RGB, label: RGB) -> None:
    """A can whose wide paper label reaches both sides of the outline."""
    c.shadow(600, 760, 170, 16, 40, 0.4)
    body = c.box(600, 470, 160, 290, 18)
    c.solid(body, colour, bevel=110, rim=0.55, side=0.15)
    band = np.maximum(c.box(600, 480, 200, 130, 0), body)
    c.solid(band, label, bevel=110, rim=0.7, side=0.1)
    c.solid(np.maximum(c.box(600, 440, 110, 14, 6), body), (200, 40, 40), bevel=3, rim=1, side=0)
    c.shine(c.capsule(540, 200, 540, 740, 4), 12, 0.5, body)


def box_pack(c: Canvas, colour: RGB, label: RGB) -> None:
    """A flat carton with a white label touching its left edge, and a long soft shadow."""
    c.shadow(650, 760, 300, 30, 70, 0.55)
    face = c.box(600, 480, 230, 290, 8)
    c.solid(face, colour, bevel=8, rim=0.8, side=0.1)
    c.solid(np.maximum(c.box(470, 560, 140, 120, 0), face), label, bevel=8, rim=0.85, side=0.1)
    c.solid(c.box(470, 540, 90, 10, 4), (40, 40, 40), bevel=2, rim=1, side=0)


def headphones(c: Canvas, colour: RGB) -> None:
    """Over-ear headphones: a headband arch and two cups, the backdrop showing under the arch."""
    c.shadow(600, 760, 330, 20, 45, 0.5)
    arch = np.maximum(np.abs(np.hypot(c.x - 600, c.y - 520) - 260) - 24, c.y - 560)
    cups = c.union(c.box(345, 600, 70, 120, 60), c.box(855, 600, 70, 120, 60), 1)
    c.solid(c.union(arch, cups, 20), colour, bevel=30, rim=0.85, side=1.5)  # a rim light from the upper left
    c.shine(c.capsule(470, 268, 730, 268, 3), 8, 0.4, arch)  # along the band, not at its inner rim


def scene(draw: Callable[[Canvas], None], size: tuple[int, int], seed: int, sweep: tuple[RGB, RGB], **kw: object):
    def make() -> tuple[Image.Image, np.ndarray]:
        c = Canvas(*size, seed)
        c.sweep(*sweep)
        draw(c)
        return c.finish(**kw)  # type: ignore[arg-type]

    return make


WHITE = ((246, 246, 246), (240, 240, 241))
LIGHT = ((232, 232, 234), (222, 222, 225))
M = (1200, 900)
SCENES = {
    "sneaker white sole, white sweep": scene(lambda c: sneaker(c, (30, 45, 90), (247, 247, 245)), M, 1, WHITE),
    "white stripes, light sweep": scene(
        lambda c: sneaker(c, (200, 35, 45), (245, 245, 243), stripes=(248, 248, 248)), M, 2, LIGHT
    ),
    "white sneaker, light on light": scene(
        lambda c: sneaker(c, (238, 238, 236), (248, 248, 246), laces=(200, 200, 205)), M, 3, LIGHT
    ),
    "glass bottle, white sweep": scene(
        lambda c: bottle(c, (0.9, 0.96, 0.92), (250, 250, 250), (248, 246, 240)), M, 4, WHITE
    ),
    "black headphones, dark sweep": scene(lambda c: headphones(c, (24, 24, 27)), M, 5, ((72, 72, 76), (56, 56, 60))),
    "white mug with handle": scene(lambda c: mug(c, (246, 246, 244)), M, 6, LIGHT),
    "can, label to both sides": scene(lambda c: can(c, (20, 130, 140), (248, 248, 246)), M, 7, WHITE),
    "carton, label at the edge, long shadow": scene(
        lambda c: box_pack(c, (235, 120, 40), (250, 250, 250)), M, 8, LIGHT
    ),
    "gradient sweep, orange sneaker": scene(
        lambda c: sneaker(c, (240, 120, 30), (246, 246, 244), stripes=(250, 250, 250)),
        M,
        9,
        ((200, 200, 206), (248, 248, 250)),
    ),
    "JPEG q70 sneaker white sole": scene(lambda c: sneaker(c, (30, 45, 90), (247, 247, 245)), M, 10, WHITE, jpeg=70),
    "JPEG q75 glass bottle": scene(
        lambda c: bottle(c, (0.92, 0.95, 0.97), (30, 30, 30), (245, 245, 245)), M, 11, LIGHT, jpeg=75
    ),
    "small 600x450 JPEG white stripes": scene(
        lambda c: sneaker(c, (20, 20, 24), (246, 246, 244), stripes=(247, 247, 247)), (600, 450), 12, WHITE, jpeg=85
    ),
    "6 MP JPEG white sneaker": scene(
        lambda c: sneaker(c, (236, 236, 234), (247, 247, 245), laces=(190, 190, 196)), (2828, 2121), 13, LIGHT, jpeg=90
    ),
}
NAMES = list(SCENES)


def iou(cut: Image.Image | None, truth: np.ndarray) -> float:
    """Intersection over union of a cut-out's kept pixels (alpha >= 128) with the true mask (0 for no cut-out)."""
    if cut is None:
        return 0.0
    kept = np.asarray(cut.getchannel("A")) >= 128
    return float((kept & truth).sum() / (kept | truth).sum())


def photo(name: str) -> tuple[Image.Image, np.ndarray]:
    """The photo called `name` and its true mask (True on the product), drawn afresh (deterministic)."""
    return SCENES[name]()
