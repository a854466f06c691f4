"""The motion a brief asks of the logo or the product (`tools.brief.motion`), drawn: a spin about the vertical axis
(in perspective, its back a darker mirror image), a turn in the picture's plane, a flip about the horizontal axis,
a zoom in from small, a slide in from off the frame. A design asks `mover_for` for a `Mover` where the logo or the
product comes on screen and draws it through the mover until the move ends (the finisher blends each frame's
`posed` image over footage); the stage records what moved, so the user is told only what the video does.

Each frame of a move is one transform of a display-sized image (premultiplied, so no dark fringe at the edges).
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from PIL import Image

from tools.brief import Motion
from tools.engines.draft.kit import Box, Sprite, Stage, clamp, ease_out, faded, lerp, progress

Subject = Literal["logo", "product"]
Offset = tuple[float, float]
Posed = tuple[Image.Image | None, tuple[float, float]]  # an image as a move shows it, and where its centre is

SECONDS = {"spin": 1.5, "rotate": 1.2, "flip": 0.6, "zoom_in": 0.9, "slide_in": 0.8}  # how long each move takes
BACK = 0.62  # how light the back of a spinning or flipping image is (a share of its front's light)
TURNS = 2 * math.pi + math.pi / 2  # a spin starts edge-on and turns a quarter more than once round


def mover_for(stage: Stage, subject: Subject, start: float, longest: float | None = None) -> Mover | None:
    """A mover for the `subject` coming on screen at `start` (its move at most `longest` seconds), when the brief
    asks that subject to move; the stage then records that it moved."""
    motion = stage.motion
    if motion is None or motion.target not in (subject, "both"):
        return None
    stage.moved.add(subject)
    length = SECONDS[motion.kind] if longest is None else min(SECONDS[motion.kind], max(0.3, longest))
    return Mover(motion, start, length)


def told(motion: Motion, moved: set[str]) -> str:
    """The line the user reads about the motion the video does ("The logo spins in.")."""
    target = "both" if moved >= {"logo", "product"} else next(iter(moved))
    return motion.model_copy(update={"target": target}).sentence()


class Mover:
    """One move of one image, from `start` for `length` seconds; before it the image is not shown (it comes in),
    after it the design draws the image as usual."""

    def __init__(self, motion: Motion, start: float, length: float) -> None:
        self.kind, self.direction = motion.kind, motion.direction
        self.start, self.end = start, start + length
        self._faces: tuple[Image.Image, Image.Image, Image.Image] | None = None  # (image, front, back) of the last

    def moving(self, t: float) -> bool:
        return t < self.end

    def draw(self, frame: Image.Image, sprite: Sprite, cx: float, cy: float, t: float, scale: float = 1.0,
             opacity: float = 1.0) -> Box:  # fmt: skip
        """The sprite at time `t`: moving while the move lasts, else as it is."""
        if not self.moving(t):
            return sprite.draw(frame, cx, cy, scale, opacity)
        return self.draw_image(frame, sprite.image, cx, cy, t, scale, opacity)

    def draw_image(self, frame: Image.Image, image: Image.Image, cx: float, cy: float, t: float, scale: float = 1.0,
                   opacity: float = 1.0) -> Box:  # fmt: skip
        """An RGBA image centred at (cx, cy) as the move has it at time `t`; where it was drawn."""
        posed = self.posed(frame.size, image, cx, cy, t, scale) if opacity > 0.01 else None
        if posed is None:
            return (0, 0, 0, 0)
        out, left, top, share = posed
        opacity *= share
        alpha = out.getchannel("A")
        frame.paste(out.convert("RGBX"), (left, top), faded(alpha, opacity) if opacity < 0.995 else alpha)
        return (left, top, left + out.width, top + out.height)

    def posed(self, frame: tuple[int, int], image: Image.Image, cx: float, cy: float, t: float,
              scale: float = 1.0) -> tuple[Image.Image, int, int, float] | None:  # fmt: skip
        """An RGBA image centred at (cx, cy) on a frame of size `frame` as the move has it at time `t`: the image
        turned, scaled or slid, its top-left, and the share of its opacity the move gives it (a zoom starts
        clear); None while it is not seen (before the move, or edge-on). The finisher blends it into yuv."""
        x = progress(t, self.start, self.end)
        if t < self.start:
            return None
        out, (ox, oy) = self._pose(image, x, scale)
        if out is None:
            return None
        dx, dy = self._offset(frame, out.size, cx, cy, x)
        share = clamp(x * 5) if self.kind == "zoom_in" else 1.0
        return out, round(cx + dx - ox), round(cy + dy - oy), share

    def _pose(self, image: Image.Image, x: float, scale: float) -> Posed:
        """The image as the move shows it at progress `x`, and where in it the image's centre is."""
        if self.kind == "spin":
            return self._turned(image, TURNS * (1 - x) ** 2, "y", scale)
        if self.kind == "flip":
            return self._turned(image, math.pi * (1 - x) ** 2, "x", scale)
        if self.kind == "zoom_in":
            scale *= lerp(0.12, 1.0, ease_out(x))
        elif self.kind == "rotate":
            scale *= lerp(0.55, 1.0, ease_out(x))
        w, h = max(1, round(image.width * scale)), max(1, round(image.height * scale))
        out = image.convert("RGBa").resize((w, h), Image.Resampling.BILINEAR)
        if self.kind == "rotate":
            out = out.rotate(-360 * (1 - ease_out(x)), Image.Resampling.BILINEAR, expand=True)
        return out.convert("RGBA"), (out.width / 2, out.height / 2)

    def _offset(self, frame: tuple[int, int], size: tuple[int, int], cx: float, cy: float, x: float) -> Offset:
        """How far from its place a sliding image is at progress `x`: from just off the frame's edge to none."""
        if self.kind != "slide_in":
            return 0.0, 0.0
        W, H = frame
        w, h = size
        away = 1 - ease_out(x)
        side = self.direction or ("right" if cx > W / 2 else "left")  # unsaid: from the nearer side
        return {
            "left": (-(cx + w / 2 + 2) * away, 0.0),
            "right": ((W - cx + w / 2 + 2) * away, 0.0),
            "top": (0.0, -(cy + h / 2 + 2) * away),
            "bottom": (0.0, (H - cy + h / 2 + 2) * away),
        }[side]

    def _turned(self, image: Image.Image, angle: float, axis: str, scale: float) -> Posed:
        """The image turned by `angle` about its vertical (`axis` "y") or horizontal ("x") axis, seen in
        perspective; its back (a mirror image, as it would be) darker. None while it is edge-on."""
        w, h = image.width * scale, image.height * scale
        c, s = math.cos(angle), math.sin(angle)
        if abs(c) * (w if axis == "y" else h) < 1.5:
            return None, (0.0, 0.0)
        d = 3.0 * max(w, h)  # the eye's distance: a gentle perspective
        src = [(0.0, 0.0), (image.width, 0.0), (image.width, image.height), (0.0, image.height)]
        dst = []
        for sx, sy in ((-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)):
            if axis == "y":
                k = d / (d + sx * s)
                dst.append((sx * c * k, sy * k))
            else:
                k = d / (d + sy * s)
                dst.append((sx * k, sy * c * k))
        x0, y0 = min(p[0] for p in dst), min(p[1] for p in dst)
        size = (max(1, math.ceil(max(p[0] for p in dst) - x0)), max(1, math.ceil(max(p[1] for p in dst) - y0)))
        face = self._face(image, back=c < 0)
        coeffs = _perspective([(px - x0, py - y0) for px, py in dst], src)
        out = face.transform(size, Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BILINEAR)
        return out.convert("RGBA"), (-x0, -y0)

    def _face(self, image: Image.Image, back: bool) -> Image.Image:
        """The image premultiplied (RGBa), or its back: the same, darker (made once per image)."""
        if self._faces is None or self._faces[0] is not image:
            front = image.convert("RGBa")
            r, g, b, a = front.split()
            dim = [band.point(lambda v: round(v * BACK)) for band in (r, g, b)]
            self._faces = (image, front, Image.merge("RGBa", (*dim, a)))
        return self._faces[2] if back else self._faces[1]


def _perspective(dst: list[tuple[float, float]], src: list[tuple[float, float]]) -> tuple[float, ...]:
    """Pillow's PERSPECTIVE coefficients that take each output point of `dst` to the input point of `src`."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs += [u, v]
    return tuple(float(k) for k in np.linalg.solve(np.array(rows), np.array(rhs)))
