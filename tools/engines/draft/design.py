"""What every motion design of the draft shares: the stage, palette, background, text helpers and the wipe
between scenes (`Design`), and how logos and other graphics are shown whole (on their own alpha, lit from behind
when their colour would not stand out from the ground; only an opaque one on a card).
"""

from __future__ import annotations

import math

from PIL import Image, ImageChops, ImageFilter, ImageOps, ImageStat

from tools.brand.colours import mix
from tools.brand.contrast import RGB, contrast, luminance
from tools.brief import AdCopy
from tools.engines.draft.kit import (
    RefImage,
    Sprite,
    Stage,
    card,
    ease_in_out,
    gradient_background,
    lettered,
    pill,
    rounded_mask,
    with_shadow,
)
from tools.engines.draft.palette import Palette

# Type scale, in layout units (1% of the frame's short side).
DISPLAY = 10.0
TITLE = 8.0
BODY = 6.2
LABEL = 4.0
CTA = 5.2


class Design:
    """Shared parts of every design: the stage, palette, background and text helpers."""

    bg: Image.Image  # the design's background, drawn by each design when it is made

    def __init__(self, stage: Stage, refs: list[RefImage], copy: AdCopy) -> None:
        self.s = stage
        self.p = stage.palette
        self.refs = refs
        self.copy = copy
        self.W, self.H = stage.width, stage.height
        self.u = stage.u
        self.fps = stage.fps
        self.D = stage.duration
        sl, st, sr, sb = stage.safe
        self.safe_w, self.safe_h = sr - sl, sb - st
        self.cuts: list[float] = []  # scene changes that are wiped in
        self.opening = 0.0  # when the opening beat ends (a hook variation goes before it); set by each design
        self.end_start = self.D  # when the end card starts; set by each design that has one
        self.wipe_len = 0.4
        self._frozen: tuple[int, Image.Image] | None = None

    def t(self, i: int) -> float:
        return i / self.fps

    def light(self, base: RGB, towards: RGB, amount: float = 0.3) -> RGB:
        """A soft light colour between `base` and `towards`, never so light or dark that text stops reading."""
        p = self.p
        glow = mix(base, towards, amount)
        for _ in range(12):
            if min(contrast(c, glow) for c in (p.ink, p.muted, p.accent_ink)) >= 4.6:
                break
            glow = mix(glow, base, 0.25)
        return glow

    def background(self, glow_at: tuple[float, float] = (0.5, 0.42)) -> Image.Image:
        """The palette's gradient with a soft glow of the accent, never so light that text stops reading."""
        p = self.p
        glow = self.light(p.bg2, p.accent, 0.3)
        return gradient_background(self.W, self.H, p.bg, p.bg2, 35.0, glow=glow, glow_at=glow_at)

    def drifting_light(self, period: float = 12.0, size: float = 0.9) -> _Glow:
        """A soft light that circles slowly over the background: plain grounds never stand still."""
        return _Glow(self, self.light(self.p.bg2, self.p.accent, 0.45), period, size)

    def fields(self) -> list[tuple[RGB, RGB, RGB]]:
        """Colour fields for full-frame type: (fill, text colour, a light to move over the fill). The variant
        changes which comes first."""
        p = self.p
        pairs = [(p.accent, p.on_accent), (p.bg2, p.ink), (p.bg, p.ink)]
        k = self.s.variant % len(pairs)
        return [(fill, ink, _field_light(fill, ink)) for fill, ink in pairs[k:] + pairs[:k]]

    def ground_at(self, img: Image.Image, box: tuple[float, float, float, float]) -> RGB:
        """The mean colour of `img` over a box (clipped to the frame): the ground a logo is seen against."""
        x0, y0 = max(0, round(box[0])), max(0, round(box[1]))
        x1, y1 = min(img.width, round(box[2])), min(img.height, round(box[3]))
        if x1 <= x0 or y1 <= y0:
            return self.p.bg
        patch = img.crop((x0, y0, x1, y1)).convert("RGB").reduce(max(1, min(x1 - x0, y1 - y0) // 16))
        return tuple(round(v) for v in ImageStat.Stat(patch).mean[:3])  # type: ignore[return-value]

    def button(self, text: str, size: float, max_w: float) -> Sprite:
        """A call-to-action pill in the accent colour."""
        p = self.p
        block = self.s.text(text, "bold", max_w - 2.2 * size, size * 2.6, size, max_lines=2)
        pad_x, pad_y = round(size * 1.1), round(size * 0.6)
        w = min(max(block.width + 2 * pad_x, round((block.height + 2 * pad_y) * 2.6)), round(max_w))
        h = block.height + 2 * pad_y
        img = Image.new("RGBA", (w, h), p.accent + (0,))
        img.putalpha(pill(w, h) if block.height < size * 1.6 else rounded_mask(w, h, round(size * 0.6)))
        return lettered(block, p.on_accent, img, ((w - block.width) // 2, (h - block.height) // 2), text)

    def plain(self, text: str, weight: str, size: float, max_w: float, ink: RGB) -> Sprite:
        """Text alone as a sprite (to pop it in with the same motion as boxes and buttons)."""
        block = self.s.text(text, weight, max_w, size * 2.4, size, max_lines=2, align="left")
        return lettered(block, ink, text=text)

    def label(self, text: str, weight: str, size: float, max_w: float, fill: RGB, ink: RGB) -> Sprite:
        """Text on a rounded box (captions over images)."""
        pad_x, pad_y = round(size * 0.55), round(size * 0.36)
        block = self.s.text(text, weight, max_w - 2 * pad_x, size * 4.2, size, max_lines=3)
        w, h = block.width + 2 * pad_x, block.height + 2 * pad_y
        img = Image.new("RGBA", (w, h), fill + (0,))
        img.putalpha(rounded_mask(w, h, round(size * 0.3)))
        return lettered(block, ink, img, (pad_x, pad_y), text)

    def draw_text_sprite(
        self,
        frame: Image.Image,
        sprite: Sprite,
        cx: float,
        cy: float,
        scale: float = 1.0,
        opacity: float = 1.0,
    ) -> None:
        self.s.probe_sprite(frame, sprite, cx, cy, scale, opacity)
        box = sprite.draw(frame, cx, cy, scale, opacity)
        if opacity > 0.01 and box[2] > box[0]:
            self.s.text_boxes.add(box)
            self.s.show("text", box, opacity * min(1.0, scale))
            if opacity >= 0.5 and sprite.text:
                self.s.said.add(sprite.text)

    def draw(self, i: int, frame: Image.Image) -> None:
        """Draw frame `i` over every pixel of `frame` (an RGBX image the size of the stage).

        Just after each time in `self.cuts` the new scene is wiped in from the left over the last frame of the
        old one, behind a narrow accent band (never a whole frame of one colour).
        """
        self.s.shown.clear()
        window = self._wipe_window(i)
        if window is None:
            self._frozen = None
            self.scene(i, frame)
            return
        first, k, n = window
        if self._frozen is None or self._frozen[0] != first:
            old = Image.new("RGBX", (self.W, self.H))
            self.scene(first - 1, old)
            self._frozen = (first, old)
        self.scene(i, frame)
        x = round(self.W * ease_in_out((k + 1) / (n + 1)))
        if x < self.W:
            frame.paste(self._frozen[1].crop((x, 0, self.W, self.H)), (x, 0))
        band = max(2, round(self.W * 0.03))
        frame.paste(self.p.accent, (max(0, x - band), 0, min(self.W, x), self.H))

    def _wipe_window(self, i: int) -> tuple[int, int, int] | None:
        """(first frame of the new scene, frame number within the wipe, wipe length) when `i` is in a wipe."""
        n = max(2, round(self.wipe_len * self.fps))
        for at in self.cuts:
            first = math.ceil(at * self.fps - 1e-6)
            if 1 <= first <= i < first + n:
                return first, i - first, n
        return None

    def scene(self, i: int, frame: Image.Image) -> None:  # pragma: no cover - every design overrides it
        """Draw frame `i` of the design's scenes (without wipes) over every pixel of `frame`."""
        raise NotImplementedError

    def frame(self, i: int) -> Image.Image:
        """Frame `i` as a new RGB image (for previews and tests; the encoder path draws in place)."""
        canvas = Image.new("RGBX", (self.W, self.H))
        self.draw(i, canvas)
        return canvas.convert("RGB")


class _Glow:
    """A soft round light that circles slowly over a plain background (drawn once, pasted per frame).

    It moves along an ellipse at a steady speed, so any two moments a few seconds apart differ.
    """

    def __init__(self, design: Design, colour: RGB, period: float, size: float) -> None:
        self.W, self.H = design.W, design.H
        self.colour = colour
        self.period = period
        self.mask = _blob(max(8, int(design.s.short * size)), 190)

    def draw(self, frame: Image.Image, t: float, colour: RGB | None = None) -> None:
        a = 2 * math.pi * t / self.period - math.pi / 2
        cx = self.W * (0.5 + 0.26 * math.cos(a))
        cy = self.H * (0.46 + 0.2 * math.sin(a))
        size = self.mask.width
        frame.paste(colour or self.colour, (round(cx - size / 2), round(cy - size / 2)), self.mask)


def _fit(w: float, h: float, max_w: float, max_h: float) -> tuple[int, int]:
    scale = min(max_w / w, max_h / h)
    return max(2, round(w * scale)), max(2, round(h * scale))


def logo_image(
    ref: RefImage,
    max_w: float,
    max_h: float,
    radius: float,
    ground: RGB | None = None,
    palette: Palette | None = None,
) -> Image.Image:
    """The logo at display size, shown whole. A transparent logo (or a product cut out of its backdrop) is drawn
    on its own alpha, never on a card: when its colour would not stand out from the `ground` it is seen against
    (contrast below 3:1) it is lit from behind along its own shape (a brand kit's light logo is chosen before it
    comes to that, `Marks.logo_on`). Only an opaque logo, which has no shape of its own to show, is a card: on a
    plate of its own ground colour."""
    img = ref.image
    if ref.has_alpha:
        lost = ground is not None and contrast(ref.opaque_mean, ground) < LOGO_CONTRAST
        if ref.cut_out and palette is not None:  # a product stands on the background colour itself
            lost = contrast(ref.opaque_mean, palette.bg) < LOGO_CONTRAST
        out = img.resize(_fit(img.width, img.height, max_w, max_h), Image.Resampling.LANCZOS)
        ref.drop()
        if lost and ground is not None:
            out = backlit(out, ref.opaque_mean, ground, palette, spread=0.07)
        if ref.cut_out:  # a product off its backdrop stands on the background, with a soft shadow under it
            out = with_shadow(out, radius, (0, round(radius * 0.6)), mix(palette.bg, (0, 0, 0), 0.6) if palette
                              else (0, 0, 0), strength=0.5)[0]  # fmt: skip
        return out
    pad_frac = 0.14 if ref.plate is not None else 0.0
    size = _fit(img.width, img.height, max_w / (1 + 2 * pad_frac), max_h / (1 + 2 * pad_frac))
    resized = img.convert("RGB").resize(size, Image.Resampling.LANCZOS)
    ref.drop()
    pad = round(min(size) * pad_frac) if ref.plate is not None else 0
    return card(resized, round(radius), ref.plate, pad)


def backlit(img: Image.Image, colour: RGB, ground: RGB, palette: Palette | None, spread: float) -> Image.Image:
    """`img` (RGBA, of `colour`) with a soft light behind it that follows its own shape: the `ground` lightened (or
    darkened) as little as it takes to stand out well from `colour` (6:1, so its soft edge still does at 3:1), so
    what was lost on the ground stands out again, with no card around it. `spread` is the light's reach, a share
    of the image's short side; the image grows by about that on every side."""
    options: list[RGB] = [(255, 255, 255), (0, 0, 0), *([palette.ink] if palette is not None else [])]
    light = ground
    for t in (k / 20 for k in range(1, 21)):
        found = [mix(ground, towards, t) for towards in options if contrast(mix(ground, towards, t), colour) >= 6.0]
        if found:
            light = found[0]
            break
    reach = max(2, round(min(img.size) * spread))
    pad = reach + 2
    alpha = Image.new("L", (img.width + 2 * pad, img.height + 2 * pad), 0)
    alpha.paste(img.getchannel("A"), (pad, pad))
    # The light is soft: it is worked out at a quarter of the size (a wide rank filter at full size takes seconds).
    k = 4 if reach >= 16 else 1
    small = alpha.reduce(k) if k > 1 else alpha
    size = 2 * max(1, reach // (3 * k)) + 1
    glow = small.filter(ImageFilter.MaxFilter(size)).filter(ImageFilter.GaussianBlur(reach / (2.5 * k)))
    glow = glow.resize(alpha.size, Image.Resampling.BILINEAR)
    glow = ImageChops.lighter(glow.point(lambda v: min(255, round(v * 1.8))), alpha)
    out = Image.new("RGBA", alpha.size, light + (0,))
    out.putalpha(glow)
    out.alpha_composite(img, (pad, pad))
    return out


LOGO_CONTRAST = 3.0


def _backdrop(ref: RefImage, w: int, h: int, tint: RGB, blur: float) -> Image.Image:
    """The image covering the frame, blurred and tinted: the ground under a contained image."""
    small = ImageOps.fit(ref.rgb(), (max(2, w // 4), max(2, h // 4)), Image.Resampling.BILINEAR)
    small = small.filter(ImageFilter.GaussianBlur(blur / 4))
    small = Image.blend(small, Image.new("RGB", small.size, tint), 0.45)
    return small.resize((w, h), Image.Resampling.BICUBIC).convert("RGBX")


def _field_light(fill: RGB, ink: RGB) -> RGB:
    """A light (or shade) to move over a colour field: the most visible one that `ink` still reads on."""
    best, best_d = fill, 0.0
    for towards in ((255, 255, 255), (0, 0, 0)):
        for amount in (0.45, 0.35, 0.25, 0.18, 0.12):
            cand = mix(fill, towards, amount)
            d = abs(luminance(cand) - luminance(fill)) / (max(luminance(cand), luminance(fill)) + 0.05)
            if contrast(ink, cand) >= 4.6 and d > best_d:
                best, best_d = cand, d
    return best


def _blob(size: int, peak: int = 110) -> Image.Image:
    """A soft round light: a radial mask, drawn once."""
    radial = ImageOps.invert(Image.radial_gradient("L").resize((size, size), Image.Resampling.BILINEAR))
    return radial.point(lambda v: int((v / 255) ** 2.4 * peak))
