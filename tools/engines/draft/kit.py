"""Building blocks of the draft renderer: the stage (frame size, safe zones, palette), easing, references,
pre-rendered layers and the cheap per-frame operations that move them.

Everything expensive (resampling a reference with LANCZOS, drawing text, blurring shadows, gradients) happens
once, before the first frame; per frame only crops, BILINEAR resizes of display-sized images and pastes.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps, ImageStat

from tools.brand.contrast import RGB, contrast
from tools.brief import FIELD, AdCopy, Motion
from tools.brief.variations import Change
from tools.delivery.placements import SAFE_MARGINS, Box
from tools.engines.draft.cutout import cut_out
from tools.engines.draft.palette import Palette
from tools.engines.draft.text import Faces, TextBlock, fit_text, undrawable

# --- copy that can be read --------------------------------------------------------------------------------

# The smallest size each field may be drawn at, in % of the frame's short side (3.4 is 36 px at 1080 wide), the
# lines it may take across the text-safe width, and its weight: what is longer would shrink out of legibility.
LEGIBLE: dict[str, tuple[float, int, str]] = {
    "headline": (3.4, 2, "black"),
    "tagline": (2.6, 3, "medium"),
    "features": (2.6, 3, "bold"),
    "price": (3.4, 1, "black"),
    "cta": (2.6, 2, "bold"),
    "end_text": (3.4, 3, "black"),
}


def copy_refusal(copy: AdCopy, width: int, height: int, aspect: str) -> str | None:
    """Why the draft cannot show this copy legibly in this format (a field too long to read at its smallest
    size, or characters no font here draws, such as emoji), naming the field; None when it can."""
    left, _, right, _ = SAFE_MARGINS.get(aspect, (0.07, 0.07, 0.07, 0.07))
    box_w = round(width * (1 - left - right) * 0.9)
    for name, (size_u, lines, weight) in LEGIBLE.items():
        values = getattr(copy, name)
        many = isinstance(values, list)
        for n, text in enumerate(values if many else [values], 1):
            if not text:
                continue
            label = f"{FIELD[name].noun} {n}" if many else FIELD[name].noun
            if missing := undrawable(text, weight):
                return f"The {label} has {missing}, which the video cannot draw: remove it or say it in words."
            size = max(8, round(size_u * min(width, height) / 100))

            def fits(words: str, size: int = size, lines: int = lines, weight: str = weight) -> bool:
                block = fit_text(words, weight, box_w, round(size * (1.2 * lines + 1)), size_max=size,
                                 size_min=size, max_lines=lines)  # fmt: skip
                return block.size >= size and len(block.lines) <= lines

            if not fits(text):
                low, high = 1, len(text)  # the longest start of it that fits: the limit to name
                while low < high - 1:
                    mid = (low + high) // 2
                    low, high = (mid, high) if fits(text[:mid]) else (low, mid)
                return (
                    f"The {label} is too long to read in a {aspect} video: keep it to about {low} characters "
                    f"(it has {len(text)}), or move some of it to another field."
                )
    return None


# --- easing ------------------------------------------------------------------------------------------------


def clamp(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return lo if x < lo else hi if x > hi else x


def progress(t: float, start: float, end: float) -> float:
    """Where `t` is between `start` and `end`, from 0 to 1."""
    if end <= start:
        return 1.0 if t >= start else 0.0
    return clamp((t - start) / (end - start))


def ease_out(x: float) -> float:
    return 1 - (1 - x) ** 3


def ease_in_out(x: float) -> float:
    return 4 * x**3 if x < 0.5 else 1 - (-2 * x + 2) ** 3 / 2


def ease_out_back(x: float, overshoot: float = 1.4) -> float:
    c3 = overshoot + 1
    return 1 + c3 * (x - 1) ** 3 + overshoot * (x - 1) ** 2


def lerp(a: float, b: float, x: float) -> float:
    return a + (b - a) * x


# --- references --------------------------------------------------------------------------------------------


class RefImage:
    """A reference image ready to lay out: upright, RGBA, trimmed of transparent borders.

    What a layout needs to know (size, transparency, a plain ground, how few colours) is measured once; the
    pixels can be dropped (`drop`) and are decoded again from the bytes when next used, so a render with many
    references holds only the few it is drawing.
    """

    def __init__(self, data: bytes, max_side: int) -> None:
        self.data = data
        self.max_side = max_side
        self._cut: Image.Image | None = None  # the alpha of a product cut out of its backdrop
        img = self._decode()
        self.has_alpha = _lowest(img.getchannel("A")) < 250
        # The uniform border colour of an opaque image (a logo or a product on a plain backdrop), if any.
        self.plate: RGB | None = None if self.has_alpha else _border_colour(img)
        # A plain backdrop is cut away: the product stands on the brand background, and the backdrop's colour
        # is neither shown as a box nor taken as a brand colour.
        self.cut_out = False
        if self.plate is not None and (cut := cut_out(img, self.plate)) is not None:
            self._cut = cut.getchannel("A")
            img = self._decode()
            self.has_alpha, self.plate, self.cut_out = True, None, True
        self._image: Image.Image | None = img
        self.size = img.size
        colours = img.convert("RGB").resize((64, 64)).getcolors(4096)
        self.few_colours = colours is not None and len(colours) < 600
        scale = min(1.0, 64 / max(img.size))
        size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
        self.thumb = img.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)  # for the palette
        # Where the subject is (fractions of the image) when it stands on a plain ground: a crop must keep it.
        self.subject: tuple[float, float, float, float] | None = None
        if self.plate is not None:
            self.subject = _subject_box(self.thumb, self.plate)
        self.opaque_mean = opaque_mean(self.thumb)

    def graphic(self, frame_long_side: int) -> bool:
        """A logo or other graphic rather than a photo: transparent, a flat-coloured logo on a plain ground, or too
        small to fill a frame. Graphics are shown whole, never cropped or blown up to cover the frame."""
        return logo_score(self) >= 2.5 or max(self.size) < 0.4 * frame_long_side

    def _decode(self) -> Image.Image:
        img: Image.Image = Image.open(io.BytesIO(self.data))
        if img.format == "JPEG":
            img.draft("RGB", (self.max_side, self.max_side))
        img = ImageOps.exif_transpose(img)
        if img.mode in ("I;16", "I;16B", "I;16L", "I"):
            img = img.point(lambda v: v / 256).convert("L")
        if img.mode == "P" and "transparency" in img.info:
            img = img.convert("RGBA")
        img = img.convert("RGBA")
        if max(img.size) >= 2 * self.max_side:  # far bigger than any use: shrink by a whole factor (cheap)
            img = img.reduce(max(img.size) // self.max_side)
        if self._cut is not None:
            img.putalpha(self._cut)
        alpha = img.getchannel("A")
        if _lowest(alpha) < 250:
            box = alpha.point(lambda a: 255 if a > 8 else 0).getbbox()
            # A fully transparent image has nothing to show: keep a small empty one.
            img = Image.new("RGBA", (8, 8), (0, 0, 0, 0)) if box is None else img.crop(box)
        return img

    @property
    def image(self) -> Image.Image:
        """The pixels (RGBA), decoded again if they were dropped."""
        if self._image is None:
            self._image = self._decode()
        return self._image

    def drop(self) -> None:
        """Let go of the pixels until they are needed again."""
        self._image = None

    @property
    def aspect(self) -> float:
        return self.size[0] / self.size[1]

    def rgb(self) -> Image.Image:
        return self.image.convert("RGB")


def load_reference(data: bytes, max_side: int) -> RefImage:
    """Decode image bytes: EXIF orientation applied, alpha kept, downscaled to at most `max_side`."""
    return RefImage(data, max_side)


def _border_colour(img: Image.Image) -> RGB | None:
    """The colour of an image's edge when the edge is nearly uniform (a logo or product on a plain ground)."""
    small = img.resize((48, 48), Image.Resampling.BILINEAR, reducing_gap=2.0).convert("RGB")
    edge = [_pixel(small, (x, 0)) for x in range(48)] + [_pixel(small, (x, 47)) for x in range(48)]
    edge += [_pixel(small, (0, y)) for y in range(48)] + [_pixel(small, (47, y)) for y in range(48)]
    mean = tuple(sum(c[i] for c in edge) / len(edge) for i in range(3))
    spread = max(max(abs(c[i] - mean[i]) for i in range(3)) for c in edge)
    r, g, b = (round(v) for v in mean)
    return (r, g, b) if spread < 28 else None


def _pixel(img: Image.Image, xy: tuple[int, int]) -> tuple[int, ...]:
    """One pixel of an image of several bands (Pillow types `getpixel` for every mode at once)."""
    px = img.getpixel(xy)
    if not isinstance(px, tuple):
        raise TypeError(f"a {img.mode} image has one band")
    return px


def _lowest(band: Image.Image) -> float:
    """The lowest value of a one-band image (Pillow types `getextrema` for every mode at once)."""
    low, _ = band.getextrema()
    if isinstance(low, tuple):
        raise TypeError(f"a {band.mode} image has several bands")
    return low


def _subject_box(thumb: Image.Image, plate: RGB) -> tuple[float, float, float, float] | None:
    """The box (fractions of the image) of the pixels that differ from the plain ground."""
    rgb = thumb.convert("RGB")
    diff = ImageChops.difference(rgb, Image.new("RGB", rgb.size, plate)).convert("L")
    box = diff.point(lambda v: 255 if v > 24 else 0).getbbox()
    if box is None:
        return None
    w, h = rgb.size
    return (box[0] / w, box[1] / h, box[2] / w, box[3] / h)


def opaque_mean(img: Image.Image) -> RGB:
    """The mean colour of an image's opaque pixels (what the eye takes as a logo's colour)."""
    small = img.convert("RGBA")
    if max(small.size) > 96:
        small = small.resize(
            (max(1, small.width * 96 // max(small.size)), max(1, small.height * 96 // max(small.size))),
            Image.Resampling.BILINEAR,
        )
    alpha = small.getchannel("A").point(lambda a: 255 if a >= 128 else 0)
    if alpha.getbbox() is None:
        return (128, 128, 128)
    stat = ImageStat.Stat(small.convert("RGB"), alpha)
    return tuple(round(v) for v in stat.mean[:3])  # type: ignore[return-value]


def logo_score(ref: RefImage) -> float:
    """How much an image looks like a logo: transparency or a plain ground, and few colours."""
    score = 2.0 if ref.has_alpha and not ref.cut_out else (1.0 if ref.plate is not None or ref.cut_out else 0.0)
    return score + (1.0 if ref.few_colours else 0.0)


# --- stage -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lettering:
    """Words about to be drawn in one colour: what a contrast check needs of them."""

    text: str
    size: int  # the font's size in pixels
    colour: RGB
    mask: Image.Image  # the glyphs' coverage over `box`
    box: Box  # where in the frame
    plate: Image.Image | None = None  # what they sit on within their layer (a label's box), RGBA over `box`


@dataclass
class Marks:
    """What a brand kit puts in every video besides its colours and fonts: its logo and light logo (decoded like
    references), and its legal line."""

    logo: RefImage | None = None
    logo_light: RefImage | None = None
    legal: str = ""

    def logo_on(self, ground: RGB) -> RefImage | None:
        """The kit's logo that stands out best from `ground`: the main one unless the light one stands out more."""
        logos = [r for r in (self.logo, self.logo_light) if r is not None]
        return max(logos, key=lambda r: contrast(r.opaque_mean, ground), default=None)


Probe = Callable[[Image.Image, Lettering], None]
"""Called with the frame as it is just before words are drawn on it at full opacity (contrast checks)."""


@dataclass
class Stage:
    """One render's frame geometry, timing, palette and the record of what was drawn where."""

    width: int
    height: int
    fps: int
    frames: int
    aspect: str
    palette: Palette
    template: str = "prompt"  # the template drawn, whose mood the music has
    beat: float = 0.5  # seconds per beat of the music: scene changes land on multiples of it
    variant: int = 0  # the variation's seed: shot order, crops and emphasis differ (0: the original's)
    change: Change | None = None  # the one thing a variation changes (tools/brief/variations.py)
    text_boxes: set[Box] = field(default_factory=set)  # every box text was drawn in, over the whole render
    # What a viewer sees in the frame being drawn: ("text" or "subject", box) for each thing drawn at half
    # opacity or more. Reset at the start of each frame.
    shown: list[tuple[str, Box]] = field(default_factory=list)
    said: set[str] = field(default_factory=set)  # every text drawn at half opacity or more, over the whole render
    faces: Faces = field(default_factory=dict)  # the brand kit's fonts, by weight
    probe: Probe | None = None  # sees every text layer before it is drawn (tests measure contrast with it)
    marks: Marks = field(default_factory=Marks)  # the brand kit's logos and legal line
    notice: str = ""  # what the user is told about how the video follows the brand kit
    motion: Motion | None = None  # how the brief asks the logo or the product to move (draft/motion.py draws it)
    moved: set[str] = field(default_factory=set)  # what the design moves that way: "logo", "product"
    caption_band: int = 0  # pixels at the foot of the safe zone kept for captions (tools/sound/captions.py)
    # The shares of the frame kept clear of words (left, top, right, bottom) for the placement the video is made
    # for; None: the format's own (SAFE_MARGINS).
    margins: tuple[float, float, float, float] | None = None

    def on_beat(self, t: float, minimum: float = 0.0) -> float:
        """`t` moved to the nearest beat of the music (at least `minimum`)."""
        return max(minimum, round(t / self.beat) * self.beat)

    def beat_before(self, t: float, minimum: float = 0.0) -> float:
        """The last beat of the music at or before `t` (at least `minimum`): an end card starting there has at
        least the time it asked for, at any tempo (the nearest beat can take most of a beat from it)."""
        return max(minimum, math.floor(t / self.beat + 1e-6) * self.beat)

    def show(self, kind: str, box: Box, opacity: float = 1.0) -> None:
        """Record that a subject or a text is on screen in this frame."""
        if opacity >= 0.5 and box[2] > box[0] and box[3] > box[1]:
            self.shown.append((kind, box))

    @property
    def duration(self) -> float:
        return self.frames / self.fps

    @property
    def short(self) -> int:
        return min(self.width, self.height)

    @property
    def pace(self) -> float:
        """How long pictures hold before they cut, against the original (a pacing variation cuts twice as often)."""
        return 0.5 if self.change == Change.pacing else 1.0

    @property
    def swapped(self) -> bool:
        """Whether the words and the picture swap places (a layout variation)."""
        return self.change == Change.layout

    @property
    def u(self) -> float:
        """A layout unit: 1% of the short side."""
        return self.short / 100

    @property
    def zone(self) -> Box:
        """The text-safe zone: what the placement's (or the format's platforms') bars and buttons leave in view."""
        left, top, right, bottom = self.margins or SAFE_MARGINS.get(self.aspect, (0.07, 0.07, 0.07, 0.07))
        w, h = self.width, self.height
        return (round(w * left), round(h * top), round(w * (1 - right)), round(h * (1 - bottom)))

    @property
    def safe(self) -> Box:
        """Where designs (and the finisher's words) lay out: the safe zone, less the caption band at its foot when
        captions show, so no word of the ad sits under a caption."""
        left, top, right, bottom = self.zone
        return (left, top, right, bottom - self.caption_band)

    @property
    def vertical(self) -> bool:
        return self.height > self.width * 1.3

    @property
    def wide(self) -> bool:
        return self.width > self.height * 1.3

    def text(
        self,
        text: str,
        weight: str,
        max_w: float,
        max_h: float,
        size: float,
        *,
        max_lines: int = 3,
        align: str = "center",
        min_size: float | None = None,
    ) -> TextBlock:
        return fit_text(
            text,
            weight,
            max(8, int(max_w)),
            max(8, int(max_h)),
            size_max=max(8, int(size)),
            size_min=max(8, int(min_size if min_size is not None else size * 0.45)),
            max_lines=max_lines,
            align=align,
            faces=self.faces,
        )

    def probe_sprite(self, frame: Image.Image, sprite: Sprite, cx: float, cy: float, scale: float = 1.0,
                     opacity: float = 1.0) -> None:  # fmt: skip
        """Show the probe the words of a sprite about to be drawn at full opacity."""
        if self.probe is None or opacity < 0.995 or scale <= 0.01:
            return
        if (words := letters_at(sprite, sprite.placed(cx, cy, scale))) is not None:
            self.probe(frame, words)

    def paste_text(
        self,
        frame: Image.Image,
        block: TextBlock,
        x: float,
        y: float,
        colour: RGB,
        opacity: float = 1.0,
        *,
        record: bool = True,
    ) -> None:
        """Draw a text block with its top-left at (x, y)."""
        if opacity <= 0.01:
            return
        x, y = round(x), round(y)
        box = (x, y, x + block.width, y + block.height)
        if self.probe is not None and opacity >= 0.999:
            self.probe(frame, Lettering(block.text, block.size, colour, block.mask, box))
        frame.paste(colour, box, faded(block.mask, opacity))
        if record:
            self.text_boxes.add(box)
            self.show("text", box, opacity)
            if opacity >= 0.5:
                self.said.add(block.text)


@lru_cache(maxsize=64)
def _fade_lut(level: int) -> tuple[int, ...]:
    return tuple(v * level // 64 for v in range(256))


def faded(mask: Image.Image, opacity: float) -> Image.Image:
    """A mask at an opacity (quantised to 1/64 steps, so identical inputs give identical pixels)."""
    level = round(clamp(opacity) * 64)
    if level >= 64:
        return mask
    return mask.point(list(_fade_lut(level)))


# --- layers ------------------------------------------------------------------------------------------------


@lru_cache(maxsize=32)
def rounded_mask(w: int, h: int, radius: int) -> Image.Image:
    """An antialiased rounded-rectangle mask (drawn at 3x and reduced)."""
    k = 3
    big = Image.new("L", (w * k, h * k), 0)
    ImageDraw.Draw(big).rounded_rectangle((0, 0, w * k - 1, h * k - 1), radius * k, fill=255)
    return big.resize((w, h), Image.Resampling.BOX)


def pill(w: int, h: int) -> Image.Image:
    return rounded_mask(w, h, h // 2)


def soft_shadow(mask: Image.Image, blur: float, strength: float = 0.55) -> tuple[Image.Image, int]:
    """A blurred copy of a mask for a drop shadow, and the padding added on each side."""
    pad = int(blur * 2.5) + 2
    canvas = Image.new("L", (mask.width + 2 * pad, mask.height + 2 * pad), 0)
    canvas.paste(mask, (pad, pad))
    shadow = canvas.filter(ImageFilter.GaussianBlur(blur))
    return shadow.point(lambda v: int(v * strength)), pad


def gradient_background(
    w: int,
    h: int,
    a: RGB,
    b: RGB,
    angle_deg: float = 35.0,
    glow: RGB | None = None,
    glow_at: tuple[float, float] = (0.5, 0.45),
    glow_size: float = 0.9,
) -> Image.Image:
    """A diagonal two-colour gradient with an optional soft radial glow, drawn once per render.

    The masks are made at a quarter of the size and scaled up: they are smooth, so nothing is lost.
    """
    qw, qh = max(2, w // 4), max(2, h // 4)
    diag = int(math.hypot(qw, qh)) + 4
    ramp = Image.linear_gradient("L").resize((diag, diag), Image.Resampling.BILINEAR)
    ramp = ramp.rotate(angle_deg, resample=Image.Resampling.BILINEAR)
    left, top = (diag - qw) // 2, (diag - qh) // 2
    mask = ramp.crop((left, top, left + qw, top + qh)).resize((w, h), Image.Resampling.BILINEAR)
    img = Image.composite(Image.new("RGB", (w, h), b), Image.new("RGB", (w, h), a), mask)
    if glow is not None:
        size = max(2, int(max(qw, qh) * glow_size))
        radial = ImageOps.invert(Image.radial_gradient("L").resize((size, size), Image.Resampling.BILINEAR))
        radial = radial.point(lambda v: int((v / 255) ** 2.2 * 150))
        layer = Image.new("L", (qw, qh), 0)
        layer.paste(radial, (int(qw * glow_at[0] - size / 2), int(qh * glow_at[1] - size / 2)))
        layer = layer.resize((w, h), Image.Resampling.BILINEAR)
        img = Image.composite(Image.new("RGB", (w, h), glow), img, layer)
    return img.convert("RGBX")


def vertical_scrim(w: int, h: int, colour: RGB, start: float, strength: float = 0.92) -> Image.Image:
    """A mask that is clear above `start` (fraction of height) and ramps to `strength` at the bottom."""
    ramp = Image.linear_gradient("L").resize((1, 256))
    mask = Image.new("L", (1, h), 0)
    top = int(h * start)
    body = ramp.resize((1, max(1, h - top)), Image.Resampling.BILINEAR).point(
        lambda v: int(min(255, v * 1.6) * strength)
    )
    mask.paste(body, (0, top))
    return mask.resize((w, h), Image.Resampling.NEAREST)


class KenBurns:
    """An image that fills a w x h panel and slowly zooms and pans across it.

    The source is resampled once (LANCZOS) to the panel size at the middle of the zoom, so each frame is one
    BILINEAR resize of a display-sized crop that is never more than a few percent off 1:1. With `keep` (the
    subject's box, fractions of the image) the zoom and pan never crop into the subject.
    """

    def __init__(
        self,
        image: Image.Image,
        w: int,
        h: int,
        zoom: tuple[float, float] = (1.0, 1.12),
        focus: tuple[tuple[float, float], tuple[float, float]] = ((0.5, 0.5), (0.5, 0.5)),
        mode: str = "RGBX",
        keep: tuple[float, float, float, float] | None = None,
    ) -> None:
        self.w, self.h = max(2, w), max(2, h)
        self.zs = (zoom[0] + zoom[1]) / 2  # the zoom at which source pixels map 1:1 onto the panel
        self.focus = focus
        self.keep = keep
        scale = max(self.w * self.zs / image.width, self.h * self.zs / image.height)
        size = (max(self.w, math.ceil(image.width * scale)), max(self.h, math.ceil(image.height * scale)))
        self.src = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0).convert(mode)
        if keep is not None:  # no zoom so deep that the subject no longer fits the view
            kw = max(0.05, keep[2] - keep[0]) * self.src.width * 1.06
            kh = max(0.05, keep[3] - keep[1]) * self.src.height * 1.06
            deepest = max(zoom[0], min(self.w * self.zs / kw, self.h * self.zs / kh))
            zoom = (zoom[0], min(zoom[1], deepest))
        self.zoom = zoom

    def view(self, z: float, fx: float, fy: float) -> Image.Image:
        """The panel at zoom z with the view's top-left at fraction (fx, fy) of the room left to pan."""
        vw, vh = self.w * self.zs / z, self.h * self.zs / z
        scale_fit = min(self.src.width / vw, self.src.height / vh)
        if scale_fit < 1:  # the source is narrower than the view at this zoom: shrink the view to fit
            vw, vh = vw * scale_fit, vh * scale_fit
        x0 = (self.src.width - vw) * clamp(fx)
        y0 = (self.src.height - vh) * clamp(fy)
        if self.keep is not None:  # slide the view back over the subject
            k0, k1 = self.keep[0] * self.src.width, self.keep[2] * self.src.width
            x0 = clamp(x0, max(0.0, k1 - vw), max(0.0, min(k0, self.src.width - vw)))
            k0, k1 = self.keep[1] * self.src.height, self.keep[3] * self.src.height
            y0 = clamp(y0, max(0.0, k1 - vh), max(0.0, min(k0, self.src.height - vh)))
        return self.src.resize((self.w, self.h), Image.Resampling.BILINEAR, box=(x0, y0, x0 + vw, y0 + vh))

    def at(self, x: float) -> Image.Image:
        """The panel at progress x in [0, 1] of the move."""
        z = lerp(self.zoom[0], self.zoom[1], x)
        fx = lerp(self.focus[0][0], self.focus[1][0], x)
        fy = lerp(self.focus[0][1], self.focus[1][1], x)
        return self.view(z, fx, fy)

    def loop(self, t: float, period: float = 10.0) -> Image.Image:
        """The panel `t` seconds into an endless move: zoomed in enough to leave room to pan, the view circles
        at a steady speed while the zoom breathes, so no two moments a few seconds apart look alike."""
        lo = lerp(self.zoom[0], self.zoom[1], 0.7)
        z = lerp(lo, self.zoom[1], 0.5 - 0.5 * math.cos(2 * math.pi * t / (period * 1.7)))
        a = 2 * math.pi * t / period
        return self.view(z, 0.5 + 0.5 * math.cos(a), 0.5 + 0.5 * math.sin(a))


class Drift:
    """An image filling the frame that drifts by a whole number of pixels per frame.

    Frames need no resampling, only a clipped paste, which makes full-frame motion nearly free. An optional
    punch-in (a zoom that settles onto the drift in the first frames) gives cuts their snap.
    """

    def __init__(
        self,
        image: Image.Image,
        w: int,
        h: int,
        frames: int,
        speed: int,
        direction: tuple[int, int] = (1, 0),
        punch: float = 0.0,
        punch_frames: int = 0,
    ) -> None:
        self.w, self.h = w, h
        self.frames = max(1, frames)
        self.dx, self.dy = direction[0] * speed, direction[1] * speed
        travel_x, travel_y = abs(self.dx) * (self.frames - 1), abs(self.dy) * (self.frames - 1)
        scale = max((w + travel_x) / image.width, (h + travel_y) / image.height)
        size = (max(w + travel_x, math.ceil(image.width * scale)), max(h + travel_y, math.ceil(image.height * scale)))
        self.src = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0).convert("RGBX")
        room_x, room_y = size[0] - w - travel_x, size[1] - h - travel_y
        self.x0 = room_x // 2 + (travel_x if self.dx < 0 else 0)
        self.y0 = room_y // 2 + (travel_y if self.dy < 0 else 0)
        self.punch, self.punch_frames = punch, punch_frames

    def _origin(self, n: int) -> tuple[int, int]:
        n = min(max(n, 0), self.frames - 1)
        return self.x0 + self.dx * n, self.y0 + self.dy * n

    def _zoom(self, n: int) -> float:
        if self.punch <= 0 or n >= self.punch_frames:
            return 1.0
        return 1.0 + self.punch * (1 - ease_out(n / self.punch_frames))

    def draw(self, frame: Image.Image, n: int) -> None:
        """Frame `n` of the drift over the whole frame."""
        self.draw_at(frame, n, n)

    def draw_at(self, frame: Image.Image, n: int, punch_n: int) -> None:
        """The drift at frame `n` of its travel, punched in as at frame `punch_n` (a cut back to it)."""
        if self._zoom(punch_n) > 1.0:
            frame.paste(self.image(n, punch_n), (0, 0))
        else:
            x, y = self._origin(n)
            frame.paste(self.src, (-x, -y))

    def image(self, n: int, punch_n: int | None = None) -> Image.Image:
        """Frame `n` of the drift as a new image."""
        x, y = self._origin(n)
        z = self._zoom(n if punch_n is None else punch_n)
        if z > 1.0:
            vw, vh = self.w / z, self.h / z
            cx, cy = x + self.w / 2, y + self.h / 2
            box = (cx - vw / 2, cy - vh / 2, cx + vw / 2, cy + vh / 2)
            return self.src.resize((self.w, self.h), Image.Resampling.BILINEAR, box=box)
        return self.src.crop((x, y, x + self.w, y + self.h))


def drift_speed(short_side: int) -> int:
    """Pixels per frame for a slow drift: one at 720p, more on bigger frames."""
    return max(1, round(short_side / 720))


@dataclass(frozen=True)
class Letters:
    """Words set into a sprite: their colour, size, glyph mask and where in the sprite."""

    text: str
    size: int
    colour: RGB
    mask: Image.Image
    at: tuple[int, int]


class Sprite:
    """An RGBA image drawn centred at a point, with scale and opacity, onto an RGBX frame."""

    def __init__(
        self, image: Image.Image, text: str = "", letters: Letters | None = None, plate: Image.Image | None = None
    ) -> None:
        self.text = text  # the words drawn in it, if any
        self.letters = letters  # how they are drawn, when they are (not a logo's own lettering)
        self.plate = plate  # the sprite without its words (a label's box), None when the words stand alone
        self.image = image if image.mode == "RGBA" else image.convert("RGBA")
        self.alpha = self.image.getchannel("A")
        self.rgbx = self.image.convert("RGBX")
        self.opaque = _lowest(self.alpha) >= 250
        self._scaled: tuple[float, Image.Image, Image.Image] | None = None

    @property
    def size(self) -> tuple[int, int]:
        return self.image.size

    def scaled(self, scale: float) -> tuple[Image.Image, Image.Image]:
        """The sprite's colour (RGBX) and alpha at a scale; the last one is cached for held frames. Scales are
        rounded to steps of 1/400 (a pixel or two on a frame-sized sprite), so a slow zoom resamples every few
        frames instead of every frame."""
        scale = round(scale * 400) / 400
        if abs(scale - 1.0) < 1e-4:
            return self.rgbx, self.alpha
        if self._scaled is not None and self._scaled[0] == scale:
            return self._scaled[1], self._scaled[2]
        w = max(1, round(self.image.width * scale))
        h = max(1, round(self.image.height * scale))
        img = self.image.resize((w, h), Image.Resampling.BILINEAR)  # premultiplied: no dark fringes
        self._scaled = (scale, img.convert("RGBX"), img.getchannel("A"))
        return self._scaled[1], self._scaled[2]

    def placed(self, cx: float, cy: float, scale: float = 1.0) -> Box:
        """Where the sprite is drawn centred at (cx, cy) at `scale`."""
        scale = round(scale * 400) / 400
        w, h = (self.image.width, self.image.height) if abs(scale - 1.0) < 1e-4 else (
            max(1, round(self.image.width * scale)), max(1, round(self.image.height * scale)))  # fmt: skip
        x, y = round(cx - w / 2), round(cy - h / 2)
        return (x, y, x + w, y + h)

    def draw(self, frame: Image.Image, cx: float, cy: float, scale: float = 1.0, opacity: float = 1.0) -> Box:
        if opacity <= 0.01 or scale <= 0.01:
            return (0, 0, 0, 0)
        rgbx, alpha = self.scaled(scale)
        x, y = round(cx - rgbx.width / 2), round(cy - rgbx.height / 2)
        if opacity < 0.995:
            frame.paste(rgbx, (x, y), faded(alpha, opacity))
        elif self.opaque and rgbx is self.rgbx:
            frame.paste(rgbx, (x, y))
        else:
            frame.paste(rgbx, (x, y), alpha)
        return (x, y, x + rgbx.width, y + rgbx.height)


def lettered(block: TextBlock, colour: RGB, plate: Image.Image | None = None, at: tuple[int, int] = (0, 0),
             text: str | None = None) -> Sprite:  # fmt: skip
    """Words in `colour` as a sprite: alone, or set on a plate (an RGBA shape such as a label's box) at `at`;
    `text` is what they say, as given (the block's text is cleaned for drawing)."""
    if plate is None:
        img = Image.new("RGBA", block.mask.size, colour + (0,))
        img.putalpha(block.mask)
    else:
        img = plate.copy()
        img.paste(colour, at, block.mask)
    said = block.text if text is None else text
    return Sprite(img, said, Letters(said, block.size, colour, block.mask, at), plate)


def letters_at(sprite: Sprite, box: Box) -> Lettering | None:
    """The words of a sprite drawn over `box` (its place at some scale), for a probe."""
    words = sprite.letters
    if words is None:
        return None
    k = (box[2] - box[0]) / sprite.size[0]
    mask, plate = words.mask, sprite.plate
    wx, wy = words.at
    if plate is not None:
        plate = plate.crop((wx, wy, wx + mask.width, wy + mask.height))
    if abs(k - 1.0) > 1e-3:
        size = (max(1, round(mask.width * k)), max(1, round(mask.height * k)))
        mask = mask.resize(size, Image.Resampling.BILINEAR)
        plate = plate.resize(size, Image.Resampling.BILINEAR) if plate is not None else None
    x, y = box[0] + round(wx * k), box[1] + round(wy * k)
    return Lettering(words.text, round(words.size * k), words.colour, mask, (x, y, x + mask.width, y + mask.height),
                     plate)  # fmt: skip


def card(image: Image.Image, radius: int, plate: RGB | None = None, pad: int = 0) -> Image.Image:
    """An image on a rounded card (RGBA), optionally on a plate of its own ground colour with padding."""
    if plate is not None and pad > 0:
        base = Image.new("RGB", (image.width + 2 * pad, image.height + 2 * pad), plate)
        base.paste(image.convert("RGB"), (pad, pad))
        image = base
    out = image.convert("RGB").convert("RGBA")
    out.putalpha(rounded_mask(out.width, out.height, radius))
    return out


def with_shadow(
    sprite_img: Image.Image,
    blur: float,
    offset: tuple[int, int],
    colour: RGB = (0, 0, 0),
    strength: float = 0.5,
) -> tuple[Image.Image, tuple[int, int]]:
    """An RGBA image with a soft drop shadow baked in, and where the original's centre moved to."""
    shadow, pad = soft_shadow(sprite_img.getchannel("A"), blur, strength)
    w = max(sprite_img.width + 2 * pad + abs(offset[0]), shadow.width + abs(offset[0]))
    h = max(sprite_img.height + 2 * pad + abs(offset[1]), shadow.height + abs(offset[1]))
    out = Image.new("RGBA", (w, h), colour + (0,))
    sx, sy = max(0, offset[0]), max(0, offset[1])
    shade = Image.new("RGBA", shadow.size, colour + (0,))
    shade.putalpha(shadow)
    out.alpha_composite(shade, (sx, sy))
    ox, oy = max(0, -offset[0]) + pad, max(0, -offset[1]) + pad
    out.alpha_composite(sprite_img, (ox, oy))
    centre_shift = (ox + sprite_img.width / 2 - w / 2, oy + sprite_img.height / 2 - h / 2)
    return out, (round(centre_shift[0]), round(centre_shift[1]))


class Sweep:
    """A diagonal band of light that crosses an RGBA image once, clipped to the image's own alpha."""

    def __init__(self, alpha: Image.Image, colour: RGB = (255, 255, 255), strength: float = 0.55) -> None:
        self.alpha = alpha
        self.colour = colour
        w, h = alpha.size
        self.band_w = max(8, int(max(w, h) * 0.22))
        band = Image.new("L", (self.band_w, 1), 0)
        for x in range(self.band_w):
            v = math.sin(math.pi * x / (self.band_w - 1)) ** 2
            band.putpixel((x, 0), int(255 * v * strength))
        # A wide strip: dark, band, dark; skewed so the band is diagonal.
        strip_w = w + h + 2 * self.band_w
        strip = Image.new("L", (strip_w + h, h), 0)
        row = Image.new("L", (strip_w, 1), 0)
        row.paste(band, (strip_w // 2 - self.band_w // 2, 0))
        for y in range(h):
            strip.paste(row, (y // 2, y))
        self.strip = strip
        self.strip_w = strip_w

    def draw(self, frame: Image.Image, x: int, y: int, at: float) -> None:
        """Draw the sweep with the image's top-left at (x, y); `at` runs 0 to 1 across the image."""
        if at <= 0 or at >= 1:
            return
        w, h = self.alpha.size
        travel = w + h // 2 + self.band_w
        offset = int(self.strip_w // 2 - self.band_w // 2 - (at * travel - self.band_w))
        window = self.strip.crop((offset, 0, offset + w, h))
        mask = ImageChops.multiply(window, self.alpha)
        frame.paste(self.colour, (x, y, x + w, y + h), mask)
