"""What the finisher draws over footage, where and when: the ad's copy in beats timed to the footage, the logo in
a corner, and the end card over the last quarter (at least 2 s, at most half), with the footage dimmed under it.

The words are the draft's: its stage (the kit's palette, fonts, logos and legal line), its text fitting, its labels,
code badge, button and end card layout (`EndCard`). Over footage the words stand on a plate of the palette's background,
as opaque as it takes to set them at 7:1 (AAA) over any footage, black to white: the footage keeps moving, and a bright
subject may come under them later in their beat. The end card dims the whole frame a little (the footage keeps playing
under it) and its words stand on a panel as opaque as the footage under it needs, measured on the frame where it first
shows (its darkest and lightest there, widened by `MARGIN` toward black and white, as it may change under the card).
Every picture is made once and converted to yuv420p once (`Overlay`); per frame only its opacity and its place change:
words fade in while they rise a little, and fade out at the end of their beat.

A variation's one change is drawn here too (tools/brief/variations.py), over the same footage: its copy comes in
the headline order it asks for (`Variant.copy_for`, by the caller), a layout variation hangs the words from the
top of the safe area and puts the corner logo at the bottom, and a price-first hook opens on the price and offer,
big on an accent panel, before the opening's words (which then come in faster, as the draft's hook does). The
colourway is the stage's palette; the footage's cuts are the model's, so pacing and a close-up are not drawn.

When the brief asks the logo to move ("the logo spins"), the end card's logo comes in that way (the draft's
`Mover`): only the frames of the move make a picture each, then the logo holds. The product is the footage's
own (the model was asked its motion), and the corner logo stays still.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from PIL import Image

from tools.brand.colours import mix
from tools.brand.contrast import RGB, contrast
from tools.brief import AdCopy
from tools.brief.variations import Change
from tools.engines.draft.design import BODY, DISPLAY, TITLE, Design, logo_image
from tools.engines.draft.endcard import EndCard, code_badge, kicker
from tools.engines.draft.kit import Box, RefImage, Sprite, Stage, ease_out, lettered, progress, rounded_mask
from tools.engines.draft.motion import Mover, mover_for
from tools.finish.overlay import Overlay

AA = 4.5
AAA = 7.0  # what plates aim for: words over moving footage read at a glance, not just pass
EXTREMES: tuple[RGB, RGB] = ((0, 0, 0), (255, 255, 255))  # the darkest and lightest footage could be
MARGIN = 0.5  # how far the darkest and lightest footage measured under words is taken toward black and white
DIM = 0.45  # how far the footage is mixed toward the background under the end card
END_CARD_SHARE = 0.25
END_CARD_MIN = 2.0
CORNER_H = 8  # the corner logo's greatest height, in layout units
END_FIELDS = ("end_text", "offer", "price", "conditions", "code", "cta", "website")
MOVE_MAX = 1.2  # the longest a move of the end card's logo takes (a brief's "the logo spins"), in seconds
HOOK_SHARE, HOOK_MIN, HOOK_MAX = 0.2, 0.9, 1.6  # a price-first hook: a fifth of the footage, 0.9 to 1.6 s


Grounds = tuple[RGB, RGB]  # the darkest and the lightest of the footage under something drawn


@dataclass
class Cue:
    """One picture over the footage: where it rests (top-left), when it shows, how it moves in and out. Words on a
    plate are made (`build`) on the first frame they show, for the footage under them there."""

    overlay: Overlay | None
    x: int
    y: int
    start: float
    end: float
    fade: float  # seconds to fade in (and, three quarters of it, out)
    slide: int  # pixels it rises while fading in
    words: str = ""  # what it says ("" for a logo)
    size: tuple[int, int] = (0, 0)
    build: Callable[[Grounds], Overlay] | None = None
    moving: Moving | None = None  # a logo coming in as the brief asks: a picture per frame while it moves

    @property
    def span(self) -> Box:
        """Everywhere it is drawn, from its lowest place to where it rests."""
        return (self.x, self.y, self.x + self.size[0], self.y + self.size[1] + self.slide)

    def ready(self, grounds: Callable[[Box], Grounds]) -> Overlay:
        """Its picture, made now for the footage under it when it was not made before."""
        if self.overlay is None:
            assert self.build is not None
            self.overlay = self.build(grounds(self.span))
        return self.overlay

    def placed(self, t: float, grounds: Callable[[Box], Grounds]) -> tuple[Overlay, int, int, float] | None:
        """Its picture at `t`, where its top-left is then and its opacity; None when it is not seen."""
        opacity, dy = self.at(t)
        if opacity <= 0.01:
            return None
        if self.moving is not None and self.moving.mover.moving(t):
            return self.moving.at(t, opacity)
        return self.ready(grounds), self.x, self.y + dy, opacity

    def at(self, t: float) -> tuple[float, int]:
        """Its opacity and how far below its resting place it is at `t` seconds."""
        if t < self.start or t >= self.end:
            return 0.0, 0
        k = ease_out(progress(t, self.start, self.start + self.fade))
        out = 1.0 - progress(t, self.end - 0.75 * self.fade, self.end)
        return min(k, out), round(self.slide * (1 - k))


@dataclass
class Moving:
    """An image moved by the draft's `Mover` about its resting centre (cx, cy) on a frame of size `frame`: only
    the frames of the move make a picture each; after it, the cue's own overlay holds."""

    mover: Mover
    image: Image.Image
    cx: float
    cy: float
    frame: tuple[int, int]
    matrix: str

    def at(self, t: float, opacity: float) -> tuple[Overlay, int, int, float] | None:
        posed = self.mover.posed(self.frame, self.image, self.cx, self.cy, t)
        if posed is None:
            return None
        image, x, y, share = posed
        return Overlay(image, self.matrix), x, y, opacity * share


@dataclass
class AdPlan:
    """Every cue of one finished ad, and the end card's dim: from `card_start`, the footage is mixed toward
    `dim_colour`, up to `dim_strength` after `card_fade` seconds."""

    cues: list[Cue] = field(default_factory=list)
    card_start: float | None = None
    card_fade: float = 0.5
    dim_colour: RGB = (0, 0, 0)

    def dim_at(self, t: float) -> float:
        if self.card_start is None or t < self.card_start:
            return 0.0
        return DIM * ease_out(progress(t, self.card_start, self.card_start + self.card_fade))


def card_length(duration: float) -> float:
    """The end card's length: a quarter of the footage, at least 2 s, never more than half."""
    return min(max(END_CARD_SHARE * duration, END_CARD_MIN), duration / 2)


def least_cover(inks: list[tuple[RGB, float]], cover: RGB, grounds: Grounds = EXTREMES, low: float = 0.5) -> float:
    """The least opacity of `cover` over footage between `grounds` (darkest, lightest) at which every (ink,
    ratio) reads; by default over any footage, from black to white."""
    for step in range(round(low * 20), 21):
        k = step / 20
        if all(contrast(ink, mix(x, cover, k)) >= ratio + 0.1 for ink, ratio in inks for x in grounds):
            return k
    return 1.0


def widened(grounds: Grounds) -> Grounds:
    """Measured grounds taken `MARGIN` of the way toward black and white: footage moves after it is measured."""
    return mix(grounds[0], EXTREMES[0], MARGIN), mix(grounds[1], EXTREMES[1], MARGIN)


class Layout:
    """The sprites of one ad over footage of the stage's size, made with the draft's design helpers."""

    def __init__(self, stage: Stage, copy: AdCopy, matrix: str) -> None:
        self.s = stage
        self.d = Design(stage, [], copy)
        self.p = stage.palette
        self.u = stage.u
        self.matrix = matrix
        self.slide = 2 * round(1.25 * self.u)  # even: chroma rows move with it
        left, top, right, bottom = stage.safe
        self.safe: Box = (left, top, right, bottom)
        self.max_w = (right - left) * 0.92

    def plated(self, text: str, weight: str, size: float, lines: int) -> Sprite:
        """Words in the palette's ink on a rounded plate of its background, opaque enough to read over any
        footage."""
        pad_x, pad_y = round(size * 0.6), round(size * 0.38)
        block = self.s.text(text, weight, self.max_w - 2 * pad_x, size * (1.25 * lines + 0.6), size, max_lines=lines)
        w, h = block.width + 2 * pad_x, block.height + 2 * pad_y

        alpha = least_cover([(self.p.ink, AAA)], self.p.bg)
        plate = Image.new("RGBA", (w, h), self.p.bg + (0,))
        plate.putalpha(rounded_mask(w, h, round(size * 0.35)).point(lambda v: round(v * alpha)))
        return lettered(block, self.p.ink, plate, (pad_x, pad_y), text)

    def overlay(self, sprite: Sprite | Image.Image) -> Overlay:
        return Overlay(sprite.image if isinstance(sprite, Sprite) else sprite, self.matrix)

    def stack(self, sprites: list[Sprite], start: float, end: float, top: bool = False) -> list[Cue]:
        """Sprites stacked and centred, the stack's foot on the safe area's (less the slide), or with `top` its
        head on the safe area's; the band on the corner logo's side (the top, or the bottom in a layout variation)
        leaves the logo's row free. They come in one after another from `start`, all leaving at `end`."""
        gap = round(1.4 * self.u)
        total = sum(s.size[1] for s in sprites) + gap * (len(sprites) - 1)
        left, head, right, bottom = self.safe
        logo_row = round(CORNER_H * self.u) + gap
        if top:
            y = head + (0 if self.s.swapped else logo_row)
        else:
            y = bottom - self.slide - total - (logo_row if self.s.swapped else 0)
        fade = min(0.4, max(0.12, (end - start) * 0.25))
        cues = []
        for k, sprite in enumerate(sprites):
            w, h = sprite.size
            x = round((left + right - w) / 2)
            at = start + 0.1 + 0.12 * k
            cues.append(Cue(self.overlay(sprite), x, y, at, end, fade, self.slide, sprite.text, (w, h)))
            y += h + gap
        return cues

    def opening(self, copy: AdCopy) -> list[Sprite]:
        items: list[Sprite] = [s for s in [kicker(self.d, copy.sale, self.max_w)] if s is not None]
        if copy.headline:
            items.append(self.plated(copy.headline, "black", TITLE * self.u, 2))
        if copy.tagline:
            items.append(self.plated(copy.tagline, "medium", BODY * 0.8 * self.u, 2))
        return items

    def middle(self, copy: AdCopy) -> list[list[Sprite]]:
        beats: list[list[Sprite]] = [[self.plated(f, "bold", BODY * self.u, 2)] for f in copy.features]
        deal: list[Sprite] = []
        if copy.offer:
            deal.append(self.plated(copy.offer, "black", TITLE * self.u, 2))
        if copy.price:
            deal.append(self.plated(copy.price, "black", DISPLAY * self.u, 1))
        if copy.code:
            deal.append(code_badge(self.d, copy.code, BODY * self.u, self.max_w))
        return [*beats, deal] if deal else beats


def plan_ad(
    stage: Stage,
    copy: AdCopy,
    duration: float,
    logo: RefImage | None,
    ground: Callable[[Box], RGB],
    matrix: str = "bt601",
    avoid: Callable[[float, float], Sequence[Box]] | None = None,
) -> AdPlan:
    """The cues of an ad over `duration` seconds of footage, with `copy` in the order the stage's variation shows
    it. `logo` is an attached logo (None: the kit's, if any); `ground` is the footage's mean colour over a box
    (from its first frame), which picks the kit's logo or light logo for the corner. `avoid` gives where the
    subject is between two times: each beat's words go to their band (the safe area's foot, or its head in a
    layout variation), else to the other band when that covers the subject less over the beat."""
    lay = Layout(stage, copy, matrix)
    plan = AdPlan()
    has_card = bool(copy.texts())
    card_start = duration - card_length(duration) if has_card else duration
    plan.card_fade = min(0.5, (duration - card_start) * 0.3)
    opening, middle = lay.opening(copy), lay.middle(copy)
    beats = ([opening] if opening else []) + middle
    times = _beat_times(len(beats), bool(opening and middle), card_start)
    if stage.change == Change.hook_price and (copy.price or copy.offer) and times:
        hook = min(max(HOOK_SHARE * duration, HOOK_MIN), HOOK_MAX, 0.45 * card_start)
        plan.cues.append(_price_hook(lay, copy, hook))
        times = _after_hook(times, hook)
    for k, (sprites, (at, length)) in enumerate(zip(beats, times, strict=True)):
        last = k == len(beats) - 1
        stop = min(duration, card_start + plan.card_fade if last and has_card else at + length)
        cues = lay.stack(sprites, at, stop, top=stage.swapped)
        if avoid is not None and (subject := avoid(at, stop)) and _covered(cues, subject):
            other = lay.stack(sprites, at, stop, top=not stage.swapped)
            cues = min(cues, other, key=lambda c: _covered(c, subject))
        plan.cues += cues
    corner_end = card_start + plan.card_fade if has_card else duration + 1
    if (corner := _corner_logo(lay, logo, ground, corner_end)) is not None:
        plan.cues.append(corner)
    if has_card:
        plan.card_start = card_start
        plan.dim_colour = stage.palette.bg
        plan.cues += _end_card(lay, copy, logo, card_start, duration, plan.card_fade)
    return plan


def _covered(cues: list[Cue], boxes: Sequence[Box]) -> int:
    """How many pixels of the subject's boxes the cues' words cover, summed."""
    return sum(
        max(0, min(a[2], b[2]) - max(a[0], b[0])) * max(0, min(a[3], b[3]) - max(a[1], b[1]))
        for a in (c.span for c in cues if c.words)
        for b in boxes
    )


def _beat_times(count: int, opens: bool, card_start: float) -> list[tuple[float, float]]:
    """When each beat of words starts and how long it holds: an opening with beats after it holds 0.4 of the
    time before the end card, and the other beats share the rest."""
    lengths = [0.4 * card_start if (opens and k == 0) else 0.0 for k in range(count)]
    rest = (card_start - sum(lengths)) / max(1, sum(1 for n in lengths if n == 0))
    times, at = [], 0.0
    for length in lengths:
        times.append((at, length or rest))
        at += length or rest
    return times


def _after_hook(times: list[tuple[float, float]], hook: float) -> list[tuple[float, float]]:
    """The beats after a hook of `hook` seconds: the first comes in faster in the time left of it (at most twice
    as fast); when it reaches into the next beat, the later beats share the time left in their proportions, so
    the end card keeps its time."""
    (at, length), *rest = times
    end = max(at + length, hook + length / 2)
    if not rest:
        return [(hook, end - hook)]
    start, stop = rest[0][0], rest[-1][0] + rest[-1][1]
    k = (stop - end) / (stop - start)
    return [(hook, end - hook), *((end + (t - start) * k, held * k) for t, held in rest)]


def _price_hook(lay: Layout, copy: AdCopy, end: float) -> Cue:
    """The price big (or the offer alone), the offer under it, on an accent panel across the safe area's middle:
    a price-first hook, shown from the first frame until `end`."""
    s, u, p = lay.s, lay.u, lay.p
    left, top, right, bottom = lay.safe
    lead, under = (copy.price, copy.offer) if copy.price else (copy.offer, "")
    width = (right - left) * 0.92
    blocks = [s.text(text, "black" if n == 0 else "bold", width * 0.84, (bottom - top) * (0.3 if n == 0 else 0.16),
                     (DISPLAY * 2.6 if n == 0 else TITLE * 1.2) * u, max_lines=3)
              for n, text in enumerate(x for x in (lead, under) if x)]  # fmt: skip
    gap, pad = round(2 * u), round(5 * u)
    w = round(min(width, max(b.width for b in blocks) + 2 * pad))
    h = sum(b.height for b in blocks) + gap * (len(blocks) - 1) + 2 * pad
    panel = Image.new("RGBA", (w, h), p.accent + (0,))
    panel.putalpha(rounded_mask(w, h, round(3 * u)))
    y = pad
    for block in blocks:
        panel.paste(p.on_accent, (round((w - block.width) / 2), y), block.mask)
        y += block.height + gap
    said = " ".join(x for x in (lead, under) if x)
    x, y = round((left + right - w) / 2), round((top + bottom - h) / 2)
    return Cue(lay.overlay(panel), x, y, 0.0, end, min(0.3, end * 0.25), lay.slide, said, (w, h))


def _corner_logo(lay: Layout, logo: RefImage | None, ground: Callable[[Box], RGB], end: float) -> Cue | None:
    """The logo small in a top corner of the safe area (the left one on vertical video, whose right column the
    apps cover), or the bottom one in a layout variation (the words are at the top), the kit's logo or light
    logo by the ground under it, drawn on its own alpha."""
    u, (left, top, right, bottom) = lay.u, lay.safe
    max_w, max_h = 22 * u, CORNER_H * u
    y0 = round(bottom - max_h) if lay.s.swapped else top
    box = (left, y0, round(left + max_w), round(y0 + max_h))
    if not lay.s.vertical:
        box = (round(right - max_w), y0, right, round(y0 + max_h))
    seen = ground(box)
    ref = logo or lay.s.marks.logo_on(seen)
    if ref is None:
        return None
    image = logo_image(ref, max_w, max_h, u, seen, lay.p)
    x = box[0] if lay.s.vertical else box[2] - image.width
    y = box[3] - image.height if lay.s.swapped else top
    return Cue(lay.overlay(image), x, y, 0.0, end, 0.5, 0, size=image.size)


def _end_card(lay: Layout, copy: AdCopy, logo: RefImage | None, start: float, duration: float,
              card_fade: float) -> list[Cue]:  # fmt: skip
    """The draft's end card (end text, offer, price, conditions, code, the CTA button, website, legal line) under
    the logo shown large, coming in one after another on a panel over the dimmed footage."""
    left, top, right, bottom = lay.safe
    box = (left, top, right, bottom - lay.slide)
    ref = logo or lay.s.marks.logo_on(lay.p.bg)
    lead_h = (bottom - top) * (0.22 if lay.s.vertical else 0.26) if ref is not None else 0.0
    said = [getattr(copy, name) for name in END_FIELDS]
    head = "" if any(said) else next(iter(copy.texts()), "")  # a card with nothing else says the headline
    card = EndCard(lay.d, copy, box, lead_h=lead_h, head=head)
    cues: list[Cue] = []
    fade = min(0.35, (duration - start) * 0.2)
    if ref is not None and card.lead_h > 0:
        image = logo_image(ref, (right - left) * 0.6, card.lead_h, 2 * lay.u, lay.p.bg, lay.p)
        x, y = round(card.cx(image.width) - image.width / 2), round(card.lead_cy - image.height / 2)
        cue = Cue(lay.overlay(image), x, y, start + 0.1, duration + 1, fade, lay.slide, size=image.size)
        if mover := mover_for(lay.s, "logo", cue.start, min(MOVE_MAX, 0.6 * (duration - cue.start))):
            cue.slide = 0  # the move is how it comes in
            cue.moving = Moving(mover, image, x + image.width / 2, y + image.height / 2, (lay.s.width, lay.s.height),
                                lay.matrix)  # fmt: skip
        cues.append(cue)
    for k, ((_, sprite), cy) in enumerate(zip(card.items, card.ys, strict=True)):
        w, h = sprite.size
        x, y = round(card.cx(w) - w / 2), round(cy - h / 2)
        cue = Cue(lay.overlay(sprite), x, y, start + 0.2 + 0.08 * k, duration + 1, fade, lay.slide, sprite.text, (w, h))
        cues.append(cue)
    if not cues:
        return []
    pad = round(3 * lay.u)
    x0, y0 = min(c.x for c in cues) - pad, min(c.y for c in cues) - pad
    x1, y1 = max(c.x + c.size[0] for c in cues) + pad, max(c.y + c.size[1] for c in cues) + lay.slide + pad
    p = lay.p
    inks = [(p.ink, AAA), (p.muted, AA), (p.accent_ink, AA)]

    def panel(grounds: Grounds) -> Overlay:
        # Over footage already mixed DIM toward the background, the panel adds what the words still need.
        cover = least_cover(inks, p.bg, widened(grounds), low=DIM)
        image = Image.new("RGBA", (x1 - x0, y1 - y0), p.bg + (0,))
        alpha = max(0.0, 1 - (1 - cover) / (1 - DIM))
        image.putalpha(rounded_mask(x1 - x0, y1 - y0, round(3 * lay.u)).point(lambda v: round(v * alpha)))
        return lay.overlay(image)

    back = Cue(None, x0, y0, start, duration + 1, card_fade, 0, size=(x1 - x0, y1 - y0), build=panel)
    return [back, *cues]
