"""The motion designs of the draft renderer, one per template.

Each design prepares its layers once (`__init__`) and then draws frame `i` (`scene`) from them with cheap
operations only. Timings scale with the clip's length (2 to 120 s) within limits that keep motion readable, and
long clips keep moving: pictures follow an endless slow path, captions come round again, a soft light drifts
over plain backgrounds. Scene changes are wipes with a narrow accent band, never a frame of one flat colour.
Logos and other graphics are shown whole, over the brand background, on their own alpha (lit from behind when
their colour would not stand out from it). A logo or product the brief asks to move ("the logo spins") comes in
that way (draft/motion.py).
"""

from __future__ import annotations

import math

from PIL import Image, ImageChops, ImageDraw, ImageOps

from tools.brand.colours import mix
from tools.brand.contrast import RGB, contrast
from tools.brief import AdCopy
from tools.engines.draft.design import (
    BODY,
    DISPLAY,
    LABEL,
    LOGO_CONTRAST,
    Design,
    _fit,
    backlit,
    logo_image,
)
from tools.engines.draft.endcard import EndCard, card_time, kicker
from tools.engines.draft.kit import (
    Box,
    KenBurns,
    RefImage,
    Sprite,
    Stage,
    Sweep,
    card,
    clamp,
    ease_in_out,
    ease_out,
    ease_out_back,
    faded,
    lerp,
    lettered,
    logo_score,
    progress,
    rounded_mask,
    soft_shadow,
    vertical_scrim,
    with_shadow,
)
from tools.engines.draft.motion import Mover, Subject, mover_for
from tools.engines.draft.shots import _FrameShot, _Shots
from tools.engines.draft.story import Storyboard, graphics_area
from tools.engines.draft.text import TextBlock


def _unique(texts: list[str]) -> list[str]:
    """The non-empty texts, each once, in order."""
    return list(dict.fromkeys(x for x in texts if x))


def _pick_logo(refs: list[RefImage]) -> tuple[RefImage | None, list[RefImage]]:
    if not refs:
        return None, []
    best = max(range(len(refs)), key=lambda k: (logo_score(refs[k]), -k))
    return refs[best], [r for k, r in enumerate(refs) if k != best]


# --- brand animation ---------------------------------------------------------------------------------------


class BrandAnimation(Design):
    """The logo revealed (scale, fade, light sweep) over the brand palette, the tagline, then an end card."""

    def __init__(self, stage: Stage, refs: list[RefImage], copy: AdCopy) -> None:
        super().__init__(stage, refs, copy)
        s, p, u, W, H = stage, self.p, self.u, self.W, self.H
        sl, st, sr, sb = s.safe
        self.bg = self.background(glow_at=(0.5, 0.42))
        max_lw = self.safe_w * (0.46 if s.wide else 0.72)
        max_lh = H * (0.34 if s.wide else 0.22 if s.vertical else 0.3)
        # The ground the logo is seen against: the background around the middle of the safe zone.
        cy = st + self.safe_h * 0.42
        ground = self.ground_at(self.bg, (W / 2 - max_lw / 2, cy - max_lh / 2, W / 2 + max_lw / 2, cy + max_lh / 2))
        kit_logo = s.marks.logo_on(ground)
        logo_ref, self.others = (kit_logo, refs) if kit_logo is not None else _pick_logo(refs)
        self.wordmark = logo_ref is None
        name = ""
        if logo_ref is not None:
            self.logo = Sprite(logo_image(logo_ref, max_lw, max_lh, 2.2 * u, ground, p))
        elif name := copy.headline or copy.tagline or ("" if copy.features else copy.offer):  # the name as a wordmark
            self.logo = lettered(s.text(name, "black", self.safe_w * 0.9, max_lh, 2 * DISPLAY * u), p.ink, text=name)
        else:  # no logo and no words: a ring in the brand's colours stands in for the mark
            d = round(min(max_lw, max_lh) * 0.8)
            ring = Image.new("RGBA", (d, d), p.accent + (0,))
            ImageDraw.Draw(ring).ellipse((0, 0, d - 1, d - 1), outline=p.accent + (255,), width=max(2, d // 9))
            self.logo = Sprite(ring)
        self.sweep = Sweep(self.logo.alpha, (255, 255, 255), 0.55)
        self.glow = self.drifting_light(period=12.0, size=1.0)
        gap = 3.6 * u
        D = self.D
        self.reveal = clamp(0.3 * D, 0.9, 2.2)
        self.end_len = clamp(0.3 * D, 0.9, 3.0)
        self.end_start = s.on_beat(D - self.end_len, minimum=min(D - 0.5, self.reveal + 0.5))
        self.end_len = D - self.end_start
        story_from = s.on_beat(self.reveal + clamp(0.12 * D, 0.6, 1.6))
        story_time = self.end_start - story_from
        lines = _unique([copy.headline, copy.tagline, *copy.features, copy.offer, copy.price])
        # The story between the message and the end card: the other references full-bleed, kinetic type of
        # each line of the copy, and the logo from new angles, a beat every few seconds.
        self.story: Storyboard | None = None
        if story_time >= 1.2 * s.pace:  # a pacing variation cuts to a story sooner
            length = clamp(story_time / max(1, len(lines) + len(self.others)), 1.2, 3.4)
            frames = round(length * self.fps) + 2
            visits = math.ceil(story_time / length / max(1, len(self.others)))
            area = graphics_area(self)  # graphics stay clear of the caption
            shots = _Shots(
                [_FrameShot(self, ref, k, frames, area=area, visits=visits) for k, ref in enumerate(self.others)]
            )
            self.story = Storyboard(self, story_from, self.end_start, length, lines, shots, self.logo)
        # Under the logo: the headline (when the logo is an image) and the tagline; the features the story has
        # no beat for too, so no word is dropped from a short clip.
        told = {lines[b.line] for b in self.story.beats if b.line >= 0} if self.story else set()
        under = [x for x in _unique([copy.headline, copy.tagline]) if x != name]
        if not set(copy.features) <= told:
            under += [x for x in copy.features if x not in under]
        tag_size = BODY * u * (1.1 if s.vertical else 1.0) * (0.8 if len(under) > 2 else 1.0)
        self.kicker = kicker(self, copy.sale, self.safe_w * 0.9)
        kick_h = self.kicker.size[1] + gap if self.kicker else 0
        room = self.safe_h - self.logo.size[1] - kick_h - 2 * gap - max(2, round(0.6 * u))
        self.under = [  # the headline bold over the tagline and features
            s.text(x, "black" if x == copy.headline else "medium", self.safe_w * 0.9,
                   max(8.0, room / max(1, len(under))), tag_size * (1.25 if x == copy.headline else 1.0), max_lines=3)
            for x in under
        ]  # fmt: skip
        self.bar_w, self.bar_h = round(10 * u), max(2, round(0.6 * u))
        under_h = sum(b.height for b in self.under) + 1.2 * u * max(0, len(self.under) - 1)
        stack = kick_h + self.logo.size[1] + gap + self.bar_h + (gap + under_h if self.under else 0)
        top = st + (self.safe_h - stack) / 2
        self.kicker_cy = top + (self.kicker.size[1] / 2 if self.kicker else 0)
        top += kick_h
        self.logo_cy = top + self.logo.size[1] / 2
        self.bar_y = round(top + self.logo.size[1] + gap)
        self.tag_y = self.bar_y + self.bar_h + gap
        if s.swapped and self.under:  # a layout variation: the words over the bar, the logo under them
            self.tag_y = top
            self.bar_y = round(top + under_h + gap)
            self.logo_cy = self.bar_y + self.bar_h + gap + self.logo.size[1] / 2
        # End card: the logo smaller over the closing words (end text, offer, price, conditions, code, call to
        # action, website).
        self.end_scale = 0.7
        self.end = EndCard(
            self, copy, s.safe, lead_h=self.logo.size[1] * self.end_scale, head=copy.headline, lead_says=self.logo.text
        )
        self.end_scale *= self.end.lead_scale
        self.end_logo_cy = self.end.lead_cy
        # Timeline.
        self.sweep_start = self.reveal * 0.55
        self.sweep_len = clamp(0.45 * D, 0.6, 1.1)
        self.hold_end = story_from if self.story else self.end_start
        self.opening = self.hold_end
        self.story_from = story_from if self.story else D + 1
        self.cuts = ([*(b.a for b in self.story.beats)] if self.story else []) + [self.end_start]
        self.wipe_len = min(0.4, self.end_len * 0.3)
        # The logo comes in, and comes back on the end card, the way the brief asks it to move (if it does).
        self.mover = mover_for(s, "logo", 0.08, self.reveal)
        self.end_mover = mover_for(s, "logo", self.end_start + 0.05, self.end_len * 0.6)

    def scene(self, i: int, frame: Image.Image) -> None:
        t = self.t(i)
        beat = self.story.at(t) if self.story is not None and t < self.end_start else None
        if beat is not None and self.story is not None:
            self.story.draw(frame, t, beat)
            return
        frame.paste(self.bg, (0, 0))
        self.glow.draw(frame, t)
        if t < self.end_start:
            self._draw_reveal(frame, t)
        else:
            self._draw_end(frame, t)

    def _draw_reveal(self, frame: Image.Image, t: float) -> None:
        p, u = self.p, self.u
        x = progress(t, 0.08, self.reveal * 0.85)
        scale = lerp(0.8, 1.0, ease_out(x)) if self.mover is None else 1.0  # a move asked for is the reveal
        sweep_end = self.sweep_start + self.sweep_len
        sweep_at = progress(t, self.sweep_start, sweep_end)
        # After the sweep the logo keeps moving: a slow settle back, over however long the message holds.
        scale *= 1.0 - 0.05 * ease_in_out(progress(t, sweep_end, max(sweep_end, self.hold_end)))
        opacity = ease_out(progress(t, 0.04, self.reveal * 0.6)) if self.mover is None else 1.0
        cx, cy = self.W / 2, self.logo_cy
        moving = self.mover is not None and self.mover.moving(t)
        if self.mover is not None and moving:
            box = self.mover.draw(frame, self.logo, cx, round(cy), t, scale)
        else:
            self.s.probe_sprite(frame, self.logo, cx, round(cy), scale, opacity)
            box = self.logo.draw(frame, cx, round(cy), scale, opacity)
        self.s.show("subject", box, opacity)
        if self.wordmark and opacity > 0.01:
            self.s.text_boxes.add(box)
            if opacity >= 0.5 and self.logo.text:
                self.s.said.add(self.logo.text)
        if 0 < sweep_at < 1 and scale > 0.999 and not moving:
            lw, lh = self.logo.size
            self.sweep.draw(frame, round(cx - lw / 2), round(round(cy) - lh / 2), ease_in_out(sweep_at))
        grow = ease_out(progress(t, self.reveal * 0.55, self.reveal * 1.05))
        bw = round(self.bar_w * grow)
        if bw > 1:
            x0 = round(self.W / 2 - bw / 2)
            frame.paste(p.accent, (x0, self.bar_y, x0 + bw, self.bar_y + self.bar_h))
        if self.kicker is not None:
            k = progress(t, 0.1, 0.5)
            self.draw_text_sprite(frame, self.kicker, self.W / 2, self.kicker_cy, 0.9 + 0.1 * ease_out(k), clamp(k * 2))
        y0 = self.tag_y
        for n, block in enumerate(self.under):
            start = min(self.reveal * 0.7 + 0.25 * n, self.hold_end - 0.6)
            k = ease_out(progress(t, start, start + 0.5))
            self.s.paste_text(frame, block, (self.W - block.width) / 2, y0 + (1 - k) * 2.5 * u, p.ink, k)
            y0 += block.height + 1.2 * u

    def _draw_end(self, frame: Image.Image, t: float) -> None:
        k = ease_out(progress(t, self.end_start, self.end_start + 0.5))
        scale = lerp(0.86, 1.0, k) * self.end_scale
        if self.end_mover is not None:  # the move asked for brings the logo in again
            box = self.end_mover.draw(frame, self.logo, self.W / 2, self.end_logo_cy, t, self.end_scale)
            k = 1.0 if t >= self.end_mover.start else 0.0
        else:
            self.s.probe_sprite(frame, self.logo, self.W / 2, self.end_logo_cy, scale, k)
            box = self.logo.draw(frame, self.W / 2, self.end_logo_cy, scale, k)
        self.s.show("subject", box, k)
        if self.wordmark:
            self.s.text_boxes.add(box)
            if k >= 0.5 and self.logo.text:
                self.s.said.add(self.logo.text)
        self.end.draw(frame, t, self.end_start)


# --- product showcase --------------------------------------------------------------------------------------


class _Shot:
    """A product image laid out on the stage: a Ken Burns card (photos) or a floating cut-out."""

    def __init__(self, design: Design, ref: RefImage, area: Box, bg: Image.Image) -> None:
        self.design = design
        u, p = design.u, design.p
        aw, ah = area[2] - area[0], area[3] - area[1]
        self.cutout = ref.has_alpha
        w, h = _fit(*ref.size, aw, ah)
        self.cx, self.cy = (area[0] + area[2]) / 2, (area[1] + area[3]) / 2
        self.w, self.h = w, h
        self.x0, self.y0 = round(self.cx - w / 2), round(self.cy - h / 2)
        shadow_colour = mix(p.bg, (0, 0, 0), 0.6)
        if self.cutout:
            img = ref.image.resize((w, h), Image.Resampling.LANCZOS)
            ref.drop()
            if contrast(ref.opaque_mean, p.bg) < LOGO_CONTRAST:  # a product lost on the background is lit from behind
                img = backlit(img, ref.opaque_mean, design.ground_at(bg, area), p, spread=0.07)
            shadowed, shift = with_shadow(img, 2.4 * u, (0, round(1.6 * u)), shadow_colour, strength=0.55)
            self.sprite = Sprite(shadowed)
            self.shift = shift
            self.settled = bg
        else:
            self.kb = KenBurns(ref.rgb(), w, h, (1.0, 1.16), keep=ref.subject)
            ref.drop()
            self.mask = rounded_mask(w, h, round(2.2 * u))
            self.shadow, self.pad = soft_shadow(self.mask, 2.6 * u, 0.6)
            self.shadow_colour = shadow_colour
            self.drop = round(1.4 * u)
            # The background with this card's shadow drawn in, for the frames where the card sits still, and
            # its four corners outside the rounded edge: what is under them is kept and pasted back over a
            # square-pasted card (cheaper than pasting the card through its mask).
            self.settled = bg.copy()
            self._draw_shadow(self.settled, 1.0)
            r = round(2.2 * u) + 1
            self.corners = []
            for cx, cy in ((0, 0), (w - r, 0), (0, h - r), (w - r, h - r)):
                box = (self.x0 + cx, self.y0 + cy, self.x0 + cx + r, self.y0 + cy + r)
                outside = ImageOps.invert(self.mask.crop((cx, cy, cx + r, cy + r)))
                self.corners.append((box, outside))

    def _draw_shadow(self, frame: Image.Image, opacity: float) -> None:
        x, y = self.x0 - self.pad, self.y0 - self.pad + self.drop
        box = (x, y, x + self.shadow.width, y + self.shadow.height)
        frame.paste(self.shadow_colour, box, faded(self.shadow, opacity))

    # Moves for photos: (zoom from, zoom to, focus from, focus to); a pull-out and pans across the picture.
    MOVES = (
        (1.0, 1.16, (0.5, 0.5), (0.3, 0.35)),
        (1.16, 1.04, (0.7, 0.6), (0.4, 0.4)),
        (1.08, 1.16, (0.2, 0.5), (0.8, 0.5)),
        (1.16, 1.16, (0.5, 0.2), (0.5, 0.8)),
    )
    # Poses for cut-outs: (scale from, scale to, x offset as a share of the area's width).
    POSES = ((0.92, 1.0, 0.0), (1.0, 0.86, -0.06), (0.8, 0.9, 0.06), (1.02, 1.08, 0.0))

    def _pose(self, x: float, move: int, opacity: float, closer: float = 1.0) -> tuple[float, float, float]:
        """A cut-out's scale and centre at progress x of move number `move`, `closer` times as close."""
        a, b, dx = self.POSES[move % len(self.POSES)]
        scale = lerp(a, b, x) * lerp(0.96, 1.0, opacity) * closer
        return scale, self.cx - self.shift[0] * scale + dx * self.w, self.cy - self.shift[1] * scale

    def _panel(self, x: float, move: int, closer: float = 1.0) -> Image.Image:
        """A photo's panel at progress x of move number `move`, `closer` times as close."""
        z0, z1, f0, f1 = self.MOVES[move % len(self.MOVES)]
        lo, hi = self.kb.zoom
        z = lerp(lo, hi, clamp((lerp(z0, z1, x) - 1.0) / 0.16))
        return self.kb.view(z * closer, lerp(f0[0], f1[0], x), lerp(f0[1], f1[1], x))

    def draw_moving(self, frame: Image.Image, mover: Mover, t: float, x: float, move: int) -> None:
        """The shot coming in the way the brief asks (a spin, a slide, ...) at time `t`, at progress x of move
        number `move`: where it then stays, so the move ends where the shot carries on."""
        if self.cutout:
            scale, cx, cy = self._pose(x, move, 1.0)
            box = mover.draw(frame, self.sprite, cx, cy, t, scale)
        else:
            card = self._panel(x, move).convert("RGBA")
            card.putalpha(self.mask)
            box = mover.draw_image(frame, card, self.x0 + self.w / 2, self.y0 + self.h / 2, t)
        self.design.s.show("subject", box)

    def draw(
        self, frame: Image.Image, x: float, opacity: float, settled: bool, move: int = 0, closer: float = 1.0
    ) -> None:
        """Draw the shot at progress x of move number `move` (each beat of the showcase moves differently), `closer`
        times as close (a cut in to the product)."""
        if opacity <= 0.01:
            return
        if self.cutout:
            scale, cx, cy = self._pose(x, move, opacity, closer)
            box = self.sprite.draw(frame, cx, cy, scale, opacity)
            self.design.s.show("subject", box, opacity)
            return
        panel = self._panel(x, move, closer)
        self.design.s.show("subject", (self.x0, self.y0, self.x0 + self.w, self.y0 + self.h), opacity)
        if settled and opacity >= 1.0:
            under = [(box, frame.crop(box), outside) for box, outside in self.corners]
            frame.paste(panel, (self.x0, self.y0))
            for box, patch, outside in under:
                frame.paste(patch, box, outside)
            return
        self._draw_shadow(frame, opacity)
        frame.paste(panel, (self.x0, self.y0), faded(self.mask, opacity))


class ProductShowcase(Design):
    """The product with pan and zoom, feature captions in sequence, and a price or call-to-action end card."""

    def __init__(self, stage: Stage, refs: list[RefImage], copy: AdCopy) -> None:
        super().__init__(stage, refs, copy)
        s, u, W, H = stage, self.u, self.W, self.H
        sl, st, sr, sb = s.safe
        logo, products = _pick_logo(refs) if len(refs) > 1 else (None, refs)
        if logo is not None and logo_score(logo) < 2.5:
            logo, products = None, refs
        # When captions show, the product keeps above their band: a product at the foot ends where the safe area
        # does, and the words under a product move up with it, keeping their room.
        lift = s.caption_band
        foot = sb if lift else round(H * (0.9 if s.vertical or s.wide else 0.93))
        if s.wide and s.swapped:  # a layout variation: the product on the left, the words on the right
            self.product_area: Box = (sl, round(H * 0.1), round(W * 0.53), foot)
            text_box: Box = (round(W * 0.57), st, sr, sb)
            self.align = "left"
        elif s.wide:
            self.product_area = (round(W * 0.47), round(H * 0.1), sr, foot)
            text_box = (sl, st, round(W * 0.43), sb)
            self.align = "left"
        elif s.swapped:  # a layout variation: the words on top, the product under them
            text_box = (sl, st, sr, round(H * (0.44 if s.vertical else 0.4)))
            self.product_area = (round(W * 0.08), round(H * (0.48 if s.vertical else 0.45)), round(W * 0.92), foot)
            self.align = "center"
        else:
            top = round(H * (0.08 if s.vertical else 0.07))
            bottom = round(H * (0.52 if s.vertical else 0.55)) - lift
            self.product_area = (round(W * 0.08), top, round(W * 0.92), bottom)
            text_box = (sl, round(H * (0.56 if s.vertical else 0.6)) - lift, sr, sb)
            self.align = "center"
        if not products:  # no references: the copy takes the whole safe zone
            text_box = (sl, st, sr, sb)
            self.align = "center"
        self.text_box = text_box
        tw, th = text_box[2] - text_box[0], text_box[3] - text_box[1]
        self.bg = self.background(glow_at=(0.72, 0.5) if s.wide else (0.5, 0.3))
        self.shots = [_Shot(self, r, self.product_area, self.bg) for r in products]
        alone = 1.0 if products else 1.35  # without a product picture the words take the whole frame
        big = DISPLAY * u * alone
        opener = copy.headline or ("" if copy.features else copy.offer)  # the offer opens an ad with no headline
        self.headline = s.text(opener, "black", tw, th * 0.7, big, max_lines=3, align=self.align) if opener else None
        self.small_head = (
            s.text(copy.headline, "bold", tw, th * 0.22, LABEL * u * 1.1 * alone, max_lines=2, align=self.align)
            if copy.headline
            else None
        )
        self.tagline = (
            s.text(copy.tagline, "medium", tw, th * 0.25, BODY * u * alone, max_lines=2, align=self.align)
            if copy.tagline
            else None
        )
        head_h = (self.small_head.height + 3 * u) if self.small_head else 0
        number_h = LABEL * u * 1.6 * alone
        feats = copy.features[:8]
        self.features = [
            s.text(f, "bold", tw, th - head_h - number_h - 6 * u, BODY * u * 1.1 * alone, max_lines=3, align=self.align)
            for f in feats
        ]
        # Numbers only count something when there are two features or more.
        self.numbers = [
            s.text(f"{k + 1:02d}", "black", tw, number_h, LABEL * u * alone, max_lines=1, align=self.align)
            for k in range(len(feats) if len(feats) >= 2 else 0)
        ]
        self.logo_sprite = None
        ground = self.ground_at(self.bg, text_box)
        if (kit_logo := s.marks.logo_on(ground)) is not None:
            self.logo_sprite = Sprite(logo_image(kit_logo, 34 * u, 14 * u, u, ground, self.p))
        elif logo is not None:
            self.logo_sprite = Sprite(logo_image(logo, 18 * u, 8 * u, u, ground, self.p))
        # The sale's name over the headline; the end card closes with the offer, price, conditions, code, call
        # to action and website (and the headline again, or the end text).
        self.kicker = kicker(self, copy.sale, tw, 1.0 if products else 1.3)
        lead_h = self.logo_sprite.size[1] if self.logo_sprite else 0.0
        self.end = EndCard(self, copy, text_box, lead_h=lead_h, head=copy.headline, align=self.align, scale=alone)
        # Without a picture the background itself moves: a soft light circles over it.
        self.glow = self.drifting_light(period=12.0) if not self.shots else None
        D = self.D
        self.intro = s.on_beat(clamp(0.2 * D, 0.7, 2.0), minimum=s.beat)
        self.opening = self.intro
        self.end_len = clamp(0.28 * D, 0.9, 2.8)
        self.end_start = max(self.intro, s.on_beat(D - self.end_len))
        if D - self.end_start < (needs := card_time(copy, s.marks.legal, 0.12)):  # the nearest beat left too little
            self.end_start = max(self.intro, s.beat_before(D - needs))
        self.end_len = D - self.end_start
        # Each feature on a beat of its own, the product moving differently in each; the time left in a long
        # clip goes to a storyboard (the product full-frame and from new angles, kinetic type of the copy).
        span = self.end_start - self.intro
        n = len(self.features)
        feature_time = min(span, n * 3.4) if n else 0.0
        if span - feature_time < 2.0:
            feature_time = span
        count = max(n, math.ceil(feature_time / 3.4)) if n else 0
        edges = [self.intro + feature_time * k / count for k in range(count + 1)] if count else [self.intro]
        edges[1:-1] = [s.on_beat(x) for x in edges[1:-1]]
        self.feature_beats = list(zip(edges, edges[1:], strict=False))
        self.story: Storyboard | None = None
        if span - feature_time >= 1.2:
            lines = _unique([*copy.features, copy.headline, copy.tagline, copy.offer, copy.price])
            length = clamp((span - feature_time) / max(1, len(lines)), 2.0, 3.4)
            frames = round(length * self.fps) + 2
            visits = math.ceil((span - feature_time) / length / max(1, len(products)))
            area = graphics_area(self)  # graphics stay clear of the caption
            shots = _Shots([_FrameShot(self, r, k, frames, area=area, visits=visits) for k, r in enumerate(products)])
            mark = self.logo_sprite or (None if products else self.headline_mark(copy))
            self.story = Storyboard(self, self.intro + feature_time, self.end_start, length, lines, shots, mark)
        self.cuts = [b.a for b in self.story.beats] + [self.end_start] if self.story else []
        # The product comes in, and the logo onto the end card, the way the brief asks them to move (if it does).
        self.mover = mover_for(s, "product", 0.05, self.intro) if self.shots else None
        self.end_mover = mover_for(s, "logo", self.end_start, self.end_len * 0.6) if self.logo_sprite else None

    def headline_mark(self, copy: AdCopy) -> Sprite | None:
        """Without a picture or a logo, the headline set big stands in for the mark."""
        if not copy.headline:
            return None
        word = self.s.text(copy.headline, "black", self.safe_w * 0.9, self.safe_h * 0.4, 2 * DISPLAY * self.u)
        return lettered(word, self.p.ink, text=copy.headline)

    def _text_x(self, width: float) -> float:
        x0, _, x1, _ = self.text_box
        return x0 if self.align == "left" else (x0 + x1 - width) / 2

    def _beat(self, t: float) -> tuple[int, float, float]:
        """The feature beat at `t` (-1 before the first), with its start and end."""
        for k, (a, b) in enumerate(self.feature_beats):
            if a <= t < b:
                return k, a, b
        if t >= self.end_start:
            return len(self.feature_beats), self.end_start, self.D
        return -1, 0.0, self.intro

    def scene(self, i: int, frame: Image.Image) -> None:
        t = self.t(i)
        beat = self.story.at(t) if self.story is not None and t < self.end_start else None
        if beat is not None and self.story is not None:
            self.story.draw(frame, t, beat)
            return
        if self.shots:
            k, a, b = self._beat(t)
            # A pacing variation cuts the picture within each beat, on a beat of the music (the words keep theirs):
            # in close, another move.
            parts = round(1 / self.s.pace) if t < self.end_start else 1
            inner = [x for n in range(1, parts) if a < (x := self.s.on_beat(a + (b - a) * n / parts)) < b]
            part = sum(1 for x in inner if t >= x)
            edges = [a, *inner, b]
            move = progress(t, edges[part], edges[part + 1])
            shot = self.shots[(k + 1 + part + self.s.variant) % len(self.shots)]  # another seed: other shots
            enter = ease_out(progress(t, a, a + (min(0.7, self.intro * 0.8) if a == 0 else 0.3)))
            if (len(self.shots) == 1 and a > 0) or part:
                enter = 1.0  # the same product moving on, or a cut within the beat: no fade
            settled = enter >= 1.0
            x = ease_in_out(move) * 0.8 + move * 0.2
            if self.mover is not None and k < 0 and self.mover.moving(t):
                frame.paste(self.bg, (0, 0))
                shot.draw_moving(frame, self.mover, t, x, k + 1 + self.s.variant)
            else:
                frame.paste(shot.settled if settled else self.bg, (0, 0))
                shot.draw(frame, x, enter, settled, k + 1 + self.s.variant + 2 * part, 1.35 if part % 2 else 1.0)
        else:
            frame.paste(self.bg, (0, 0))
            if self.glow is not None:
                self.glow.draw(frame, t)
        if t >= self.end_start:
            self._draw_end(frame, t)
        elif self.features and t >= self.intro:
            self._draw_feature(frame, t)
        if t < self.end_start and (t < self.intro + 0.3 or not self.features):
            self._draw_opening(frame, t)

    def _draw_opening(self, frame: Image.Image, t: float) -> None:
        """The sale's name, the headline over an accent bar and the tagline."""
        p, u = self.p, self.u
        _, y0, _, y1 = self.text_box
        shown = ease_out(progress(t, 0.15, 0.75))
        out = 1 - progress(t, self.intro, self.intro + 0.3) if self.features else 1.0
        bar_h = max(2, round(0.6 * u))
        kick_h = self.kicker.size[1] + 2.5 * u if self.kicker is not None else 0.0
        head_h = self.headline.height + 2.5 * u + bar_h if self.headline is not None else 0.0
        tag_h = self.tagline.height + 2.5 * u if self.tagline is not None else 0.0
        y = (y0 + y1 - kick_h - head_h - tag_h) / 2 + (1 - shown) * 3 * u
        if self.kicker is not None:
            kw, kh = self.kicker.size
            self.draw_text_sprite(frame, self.kicker, self._text_x(kw) + kw / 2, y + kh / 2, 1.0, shown * out)
            y += kick_h
        if self.headline is not None:
            self.s.paste_text(frame, self.headline, self._text_x(self.headline.width), y, p.ink, shown * out)
            bar_w = round(9 * u * ease_out(progress(t, 0.35, 0.95)))
            if bar_w > 1 and shown * out > 0.05:
                bx, by = round(self._text_x(bar_w)), round(y + self.headline.height + 2.5 * u)
                frame.paste(mix(p.bg, p.accent, shown * out), (bx, by, bx + bar_w, by + bar_h))
            y += head_h + 2.5 * u
        if self.tagline is not None:
            k = ease_out(progress(t, 0.3, 0.9))
            self.s.paste_text(frame, self.tagline, self._text_x(self.tagline.width), y, p.muted, k * out)

    def _draw_feature(self, frame: Image.Image, t: float) -> None:
        p, u, s = self.p, self.u, self.s
        _, y0, _, y1 = self.text_box
        k, a, b = self._beat(t)
        if k < 0 or k >= len(self.feature_beats):
            return
        enter = ease_out(progress(t, a + 0.1, a + 0.1 + min(0.4, (b - a) * 0.3)))
        leave = 1 - progress(t, b - min(0.25, (b - a) * 0.2), b) if k < len(self.feature_beats) - 1 else 1.0
        opacity = enter * leave
        feat = self.features[k % len(self.features)]
        num = self.numbers[k % len(self.numbers)] if self.numbers else None
        gap = 2.0 * u
        bar_h = max(2, round(0.6 * u))
        block_h = (num.height + gap if num is not None else 0) + bar_h + gap + feat.height
        head_h = 0.0
        if self.small_head is not None:
            head_h = self.small_head.height + 3 * u
        top = y0 + ((y1 - y0) - head_h - block_h) / 2
        if self.small_head is not None:
            fade_in = ease_out(progress(t, self.intro + 0.1, self.intro + 0.5))
            s.paste_text(frame, self.small_head, self._text_x(self.small_head.width), top, p.muted, fade_in)
            top += head_h
        dy = (1 - enter) * 2.5 * u
        if num is not None:
            s.paste_text(frame, num, self._text_x(num.width), top + dy, p.accent_ink, opacity)
            top += num.height + gap
        bar_w = round(9 * u * enter)
        by = round(top)
        if bar_w > 1 and opacity > 0.05:
            bx = round(self._text_x(bar_w))
            frame.paste(mix(p.bg, p.accent, opacity), (bx, by, bx + bar_w, by + bar_h))
        s.paste_text(frame, feat, self._text_x(feat.width), by + bar_h + gap + dy, p.ink, opacity)

    def _draw_end(self, frame: Image.Image, t: float) -> None:
        if self.logo_sprite is not None:
            k = ease_out(progress(t, self.end_start, self.end_start + 0.45))
            cx = self.end.cx(self.logo_sprite.size[0] * self.end.lead_scale)
            if self.end_mover is not None:
                self.end_mover.draw(frame, self.logo_sprite, cx, self.end.lead_cy, t, self.end.lead_scale)
            else:
                self.logo_sprite.draw(frame, cx, self.end.lead_cy + (1 - k) * 2.5 * self.u, self.end.lead_scale, k)
        self.end.draw(frame, t, self.end_start, 0.12)


# --- social media ------------------------------------------------------------------------------------------


class SocialMedia(Design):
    """Vertical first: a hook line in the first second, quick cuts with captions in the safe zone, CTA end card."""

    def __init__(self, stage: Stage, refs: list[RefImage], copy: AdCopy) -> None:
        super().__init__(stage, refs, copy)
        s, p, u = stage, self.p, self.u
        sl, st, sr, sb = s.safe
        D = self.D
        # Cuts every two beats of the music (about a second), the hook and the end card on beats too.
        self.hook_end = min(s.on_beat(clamp(0.2 * D, 0.8, 2.0), minimum=s.beat), D)
        self.opening = self.hook_end
        self.end_len = clamp(0.25 * D, 0.7, 2.4)
        self.end_start = max(self.hook_end, s.on_beat(D - self.end_len))
        if D - self.end_start < (needs := card_time(copy, s.marks.legal)):  # the nearest beat left too little
            self.end_start = max(self.hook_end, s.beat_before(D - needs))
        if self.end_start >= D - 0.3:
            self.end_start = D
        cut_time = self.end_start - self.hook_end
        self.n_cuts = max(1, round(cut_time / (2 * s.beat * s.pace))) if cut_time > 0.3 else 0
        if not self.n_cuts:
            self.end_start = self.hook_end
        self.end_len = D - self.end_start
        self.cut_len = cut_time / self.n_cuts if self.n_cuts else 0.0
        self.cuts = [self.end_start] if self.end_start < D else []
        self.wipe_len = min(0.36, self.end_len * 0.3)
        self.bg = self.background(glow_at=(0.5, 0.35))
        # Colour fields (no references): fill, text colour and a light that moves over the fill, as far from
        # the fill as it can be while the words on it keep their contrast.
        self.colour_fields = self.fields()
        self.glow = self.drifting_light(period=9.0, size=1.1)
        # Hook: big words in an accent box, upper part of the safe zone.
        scale = 1.1 if s.vertical else 0.85
        hook_text = copy.headline or copy.tagline or ("" if copy.features else copy.offer)
        self.hook = (
            self.label(hook_text, "black", DISPLAY * u * scale, self.safe_w, p.accent, p.on_accent)
            if hook_text
            else None
        )
        self.hook_cy = st + self.safe_h * (0.28 if s.vertical else 0.36)
        if s.swapped:  # a layout variation: the hook low, the captions at the top
            self.hook_cy = sb - self.safe_h * (0.28 if s.vertical else 0.36)
        self.kicker = kicker(self, copy.sale, self.safe_w * 0.9, scale * 1.1)
        # Captions: the features, then the other lines of the copy, in light boxes at the bottom of the safe zone,
        # so there is text on screen the whole time. A cut too short for each line its own shows several at once.
        lines = [x for x in _unique([copy.tagline, *copy.features, copy.offer, copy.price]) if x != hook_text]
        caps = (lines or ([hook_text] if hook_text else []))[:12]
        self.per_cut = math.ceil(len(caps) / self.n_cuts) if self.n_cuts and len(caps) > self.n_cuts else 1
        cap_size = BODY * u * (1.15 if s.vertical else 0.95) * (0.85 if self.per_cut > 1 else 1.0)
        self.captions = [self.label(c, "bold", cap_size, self.safe_w * 0.95, p.ink, p.bg) for c in caps]
        # Logos and graphics are shown whole between the hook and the captions, never under them.
        band_top = round(self.hook_cy + self.hook.size[1] / 2 + 2 * u) if self.hook is not None else st
        cap_h = max((c.size[1] for c in self.captions), default=0) * self.per_cut
        band_bottom = round(sb - cap_h - 3.5 * u) if self.captions else sb
        if s.swapped:
            band_top = round(st + cap_h + 3.5 * u) if self.captions else st
            band_bottom = round(self.hook_cy - self.hook.size[1] / 2 - 2 * u) if self.hook is not None else sb
        if band_bottom - band_top < self.safe_h * 0.25:
            band_top, band_bottom = st, sb
        shot_frames = round(max(self.hook_end, self.cut_len) * self.fps) + 1
        area = (sl, band_top, sr, band_bottom)
        visits = math.ceil((self.n_cuts + 1) / len(refs)) if refs else 1
        self.shots = _Shots(
            [_FrameShot(self, r, k, shot_frames, punch=0.08, area=area, visits=visits) for k, r in enumerate(refs)]
        )
        # Without references the cuts are colour fields and the captions big words on them.
        self.field_caps = (
            [
                s.text(
                    c,
                    "black",
                    self.safe_w,
                    self.safe_h * 0.6 / self.per_cut,
                    DISPLAY * u * scale / self.per_cut**0.5,
                    max_lines=4,
                )  # fmt: skip
                for c in caps
            ]
            if not refs
            else []
        )
        self.end_card = None
        lead: Subject = "logo"  # what the end card shows: the brand's logo, an attached logo, or the product
        side = self.safe_h * (0.36 if s.vertical else 0.46) * (0.7 if copy.end_text or copy.headline else 1.0)
        mid = (st + sb) / 2
        ground = self.ground_at(self.bg, (sl, mid - side, sr, mid))
        if (kit_logo := s.marks.logo_on(ground)) is not None:  # the brand's logo closes the ad, on its own alpha
            self.end_card = Sprite(logo_image(kit_logo, self.safe_w * 0.7, side * 0.8, 2 * u, ground, p))
        elif refs:
            hero, _ = _pick_logo(refs) if any(r.has_alpha for r in refs) else (refs[0], refs[1:])
            assert hero is not None
            lead = "logo" if logo_score(hero) >= 2.5 else "product"
            if hero.has_alpha:
                img = logo_image(hero, self.safe_w * 0.8, side, 2 * u, ground, p)
            else:
                size = _fit(*hero.size, self.safe_w * 0.86, side)
                img = card(hero.image.convert("RGB").resize(size, Image.Resampling.LANCZOS), round(2.4 * u))
                hero.drop()
            self.end_card = Sprite(with_shadow(img, 2 * u, (0, round(1.2 * u)), strength=0.5)[0])
        # End card: the product card over the closing words (the headline again or the end text, the offer,
        # price, conditions, code, call to action and website).
        lead_h = self.end_card.size[1] if self.end_card is not None else 0.0
        self.end = EndCard(self, copy, s.safe, lead_h=lead_h, head=copy.headline, scale=scale)
        # The end card's logo or product comes in the way the brief asks it to move (if it does).
        on_end = self.end_card is not None and self.end_start < D
        self.end_mover = mover_for(s, lead, self.end_start + 0.08, self.end_len * 0.6) if on_end else None

    def _caps(self, c: int) -> list[int]:
        """The captions of cut `c`: one in turn, or the cut's share of them when there are more than cuts."""
        n = len(self.captions)
        if self.per_cut == 1:
            return [c % n] if n else []
        return list(range(c * self.per_cut, min(n, (c + 1) * self.per_cut)))

    def _shot(self, frame: Image.Image, index: int, n: int, t: float) -> tuple[RGB, RGB] | None:
        """Draw frame `n` of shot `index`; for colour fields, returns (fill, text colour)."""
        if self.shots:
            # Each reference comes round in turn, its move carrying on from the visit before.
            self.shots[index % len(self.shots)].draw(frame, n, index // len(self.shots))
            return None
        fill, ink, light = self.colour_fields[index % len(self.colour_fields)]
        frame.paste(fill, (0, 0, self.W, self.H))
        self.glow.draw(frame, t, light)
        return fill, ink

    def scene(self, i: int, frame: Image.Image) -> None:
        t = self.t(i)
        u, s = self.u, self.s
        if t < self.hook_end:
            if self.shots:
                self._shot(frame, 0, i, t)
            else:
                frame.paste(self.bg, (0, 0))
                self.glow.draw(frame, t)
            k = progress(t, 0.04, 0.3)
            scale = min(1.0, 0.7 + 0.3 * ease_out_back(k)) if k > 0 else 0.0
            if self.kicker is not None:
                top = self.hook_cy - (self.hook.size[1] / 2 + 1.5 * u if self.hook is not None else 0)
                self.draw_text_sprite(
                    frame, self.kicker, self.W / 2, top - self.kicker.size[1] / 2, 1.0, clamp(k * 2.5)
                )
            if self.hook is not None:
                self.draw_text_sprite(frame, self.hook, self.W / 2, self.hook_cy, scale, clamp(k * 2.5))
        elif t < self.end_start:
            c = min(self.n_cuts - 1, int((t - self.hook_end) / self.cut_len))
            a = self.hook_end + c * self.cut_len
            colour_field = self._shot(frame, c + 1, i - round(a * self.fps), t)
            if self.shots and self.captions:
                k = progress(t, a, a + 0.24)  # on screen from the cut's first frame, popping into place
                scale = min(1.0, 0.86 + 0.14 * ease_out_back(k))
                if s.swapped:  # a layout variation: the captions hang from the top of the safe zone
                    top = s.safe[1] + 1.5 * u
                    for n in self._caps(c):
                        cap = self.captions[n]
                        self.draw_text_sprite(frame, cap, self.W / 2, top + cap.size[1] / 2, scale)
                        top += cap.size[1] + u
                else:
                    bottom = s.safe[3] - 1.5 * u
                    for n in reversed(self._caps(c)):
                        cap = self.captions[n]
                        self.draw_text_sprite(frame, cap, self.W / 2, bottom - cap.size[1] / 2, scale)
                        bottom -= cap.size[1] + u
            elif colour_field is not None and self.field_caps:
                blocks = [self.field_caps[n] for n in self._caps(c)]
                k = ease_out(progress(t, a, a + 0.26))
                gap = 2 * u
                y = (s.safe[1] + s.safe[3] - sum(b.height for b in blocks) - gap * (len(blocks) - 1)) / 2
                for block in blocks:
                    s.paste_text(frame, block, (self.W - block.width) / 2, y + (1 - k) * 3 * u, colour_field[1],
                                 clamp(0.5 + k))  # fmt: skip
                    y += block.height + gap
        else:
            frame.paste(self.bg, (0, 0))
            self._draw_end(frame, t)

    def _draw_end(self, frame: Image.Image, t: float) -> None:
        if self.end_card is not None:
            k = progress(t, self.end_start + 0.08, self.end_start + 0.43)
            pop = ease_out_back(k) if k > 0 else 0.0
            scale = min(1.0, 0.85 + 0.15 * pop) * self.end.lead_scale
            if self.end_mover is not None:
                self.end_mover.draw(frame, self.end_card, self.W / 2, self.end.lead_cy, t, self.end.lead_scale)
            else:
                self.end_card.draw(frame, self.W / 2, self.end.lead_cy, scale, clamp(k * 2))
        self.end.draw(frame, t, self.end_start)


# --- prompt ------------------------------------------------------------------------------------------------


class PromptVideo(Design):
    """No template: the copy over the references with gentle motion.

    A brief with nothing to say on screen ("a 3 second teaser") gets no words: the references (or a soft light
    over the brief's palette) move on their own.
    """

    def __init__(self, stage: Stage, refs: list[RefImage], copy: AdCopy) -> None:
        # The brand kit's logo comes round with the references (without any, it is the picture).
        if (kit_logo := stage.marks.logo_on(stage.palette.bg)) is not None:
            refs = [*refs, kit_logo]
        super().__init__(stage, refs, copy)
        s, p, u, W, H = stage, self.p, self.u, self.W, self.H
        sl, st, sr, sb = s.safe
        D = self.D
        # The words in display order, a beat each; a clip too short for that gives a beat several lines. The
        # call to action, website, end text and the kit's legal line close the clip together, on its last beat.
        legal = s.marks.legal
        closing = [x for x in (copy.cta, copy.website, copy.end_text, legal) if x]
        # Each line is a unit of its own, but conditions ride small under the offer or price they qualify.
        units: list[list[str]] = []
        for x in copy.texts():
            if x in closing:
                continue
            if x in copy.conditions and units:
                units[-1].append(x)
            else:
                units.append([x])
        slots = max(1, int(D / 1.2) - (1 if closing else 0))
        per = math.ceil(len(units) / max(1, slots)) if units else 1
        groups = [[x for unit in units[k : k + per] for x in unit] for k in range(0, len(units), per)]
        size = BODY * u * (1.25 if s.vertical else 1.15)
        if not refs:
            size *= 1.5
        room = self.safe_h * (0.34 if refs else 0.6)
        small = LABEL * u * 1.2

        def blocks(lines: list[str]) -> list[TextBlock]:
            f = 1.0 if len([x for x in lines if x not in copy.conditions]) == 1 else 0.75
            return [
                s.text(x, "medium", self.safe_w * 0.92, room / len(lines), small, max_lines=2 if x != legal else 4)
                if x in copy.conditions or x == legal
                else s.text(x, "black", self.safe_w * 0.92, room / len(lines), size * f, max_lines=3)
                for x in lines
            ]

        self.groups = [blocks(g) for g in groups]
        self.closing = blocks(closing) if closing else []
        self.bg = self.background(glow_at=(0.3, 0.3))
        self.blocks = [b for g in [*self.groups, self.closing] for b in g]
        heights = [self._height(g) for g in [*self.groups, self.closing]]
        text_h = max(heights, default=0)
        text_top = sb - text_h
        # Beats of at most 3.5 s on the music's beats: a new shot (the references in turn, each time with
        # another move) and the next line in each.
        n_text = len(self.groups) + (1 if self.closing else 0)
        count = max(n_text, math.ceil(D / 3.5)) if (self.blocks or refs) else 1
        # A pacing variation cuts the picture within each beat; the words keep their beats.
        self.per = round(1 / s.pace)
        count *= self.per
        edges = [D * k / count for k in range(count + 1)]
        edges[1:-1] = [s.on_beat(x) for x in edges[1:-1]]
        self.edges = edges
        self.opening = edges[self.per]
        self.fade = min(0.6, min(b - a for a, b in zip(edges, edges[1:], strict=False)) * 0.25)
        frames = round((max(b - a for a, b in zip(edges, edges[1:], strict=False)) + self.fade) * self.fps) + 2
        # Contained images sit high in tall frames, leaving the lower third to the words.
        anchor = 0.32 if self.H > self.W * 1.1 else 0.5
        area = (sl, st, sr, round(text_top - 3 * u)) if self.blocks else (sl, st, sr, sb)
        if s.swapped and self.blocks:  # a layout variation: the words at the top, the picture under them
            area = (sl, round(st + text_h + 3 * u), sr, sb)
        shots = [
            _FrameShot(self, refs[(k + s.variant) % len(refs)], k, frames, anchor_y=anchor, area=area)
            for k in range(count if refs else 0)
        ]
        self.kbs = _Shots(shots)
        # The first picture (a logo or a product, shown whole) comes in the way the brief asks it to move, if it does.
        self.mover = None
        if shots and shots[0].movable:
            subject: Subject = "logo" if logo_score(shots[0].ref) >= 2.5 else "product"
            self.mover = mover_for(s, subject, 0.05, edges[1] - self.fade)
        self.scrim: Image.Image | None = None
        if self.kbs and self.blocks:
            # A lower third on a scrim dense enough for the text to read over any image (an upper third, the
            # scrim turned over, in a layout variation).
            self.scrim_top = max(0, int(text_top - 16 * u))
            mask = vertical_scrim(W, H - self.scrim_top, p.bg, 0.0, 1.0)
            self.scrim = _floor_scrim(mask, int(text_top - 2.5 * u - self.scrim_top), _scrim_alpha(p.ink, p.bg))
            if s.swapped:
                reach = min(H, int(st + text_h + 16 * u))
                mask = vertical_scrim(W, reach, p.bg, 0.0, 1.0)
                floor = _floor_scrim(mask, int(reach - st - text_h - 2.5 * u), _scrim_alpha(p.ink, p.bg))
                self.scrim, self.scrim_top = ImageOps.flip(floor), 0
        self.text_bottom = sb
        self.glow = self.drifting_light(period=12.0) if not self.kbs else None
        self.colour_fields = self.fields()

    def _height(self, blocks: list[TextBlock]) -> float:
        return sum(b.height for b in blocks) + 1.5 * self.u * max(0, len(blocks) - 1)

    def _lines(self, k: int) -> list[TextBlock]:
        """The lines of beat `k`: the closing words on the last beat, the others in turn before it."""
        last = (len(self.edges) - 2) // self.per
        if self.closing and k == last:
            return self.closing
        return self.groups[k % len(self.groups)] if self.groups else []

    def _beat(self, t: float) -> tuple[int, float, float]:
        for k, (a, b) in enumerate(zip(self.edges, self.edges[1:], strict=False)):
            if t < b:
                return k, a, b
        return len(self.edges) - 2, self.edges[-2], self.edges[-1]

    def _n(self, k: int, i: int) -> int:
        """Frame `i` of the clip as frame n of shot k (shots start half a fade early)."""
        return i - round((self.edges[k] - self.fade / 2) * self.fps)

    def _image(self, frame: Image.Image, i: int) -> None:
        t = self.t(i)
        k, a, b = self._beat(t)
        if self.mover is not None and k == 0 and self.mover.moving(t):
            self.kbs[0].draw_moving(frame, self._n(0, i), self.mover, t)
            return
        shots = self.kbs.shots  # one picture moving to its next place cuts there: a blend would show it twice
        if k > 0 and t < a + self.fade / 2 and shots[k - 1].ref is not shots[k].ref:  # cross-fade from the last shot
            prev, cur = self.kbs[k - 1].image(self._n(k - 1, i)), self.kbs[k].image(self._n(k, i))
            frame.paste(Image.blend(prev, cur, clamp(0.5 + (t - a) / self.fade)), (0, 0))
        elif k + 1 < len(self.kbs) and t >= b - self.fade / 2 and shots[k].ref is not shots[k + 1].ref:  # into the next
            cur, nxt = self.kbs[k].image(self._n(k, i)), self.kbs[k + 1].image(self._n(k + 1, i))
            frame.paste(Image.blend(cur, nxt, clamp((t - (b - self.fade / 2)) / self.fade)), (0, 0))
        else:
            self.kbs[k].draw(frame, self._n(k, i))

    def scene(self, i: int, frame: Image.Image) -> None:
        t = self.t(i)
        p, u, s = self.p, self.u, self.s
        if self.kbs:
            self._image(frame, i)
            if self.scrim is not None:
                frame.paste(p.bg, (0, self.scrim_top, self.W, self.scrim_top + self.scrim.height), self.scrim)
        k, a, b = self._beat(t)
        if not self.kbs and not self.blocks and len(self.edges) > 2:  # nothing but the palette: a field a beat
            fill, _, light = self.colour_fields[k % len(self.colour_fields)]
            frame.paste(fill, (0, 0, self.W, self.H))
            if self.glow is not None:
                self.glow.draw(frame, t + 4.0 * k, light)
        elif not self.kbs:
            frame.paste(self.bg, (0, 0))
            if self.glow is not None:  # the light jumps to a new place on each beat, then drifts on
                self.glow.draw(frame, t + 4.0 * k)
        if not self.blocks:
            return
        k, a, b = k // self.per, self.edges[k // self.per * self.per], self.edges[(k // self.per + 1) * self.per]
        enter = ease_out(progress(t, a + 0.1, a + min(0.8, 0.1 + (b - a) * 0.3)))
        leave = 1 - progress(t, b - 0.35, b) if b < self.edges[-1] else 1.0
        lines = self._lines(k)
        height = self._height(lines)
        drift = (1 - enter) * 2.5 * u - progress(t, a, b) * 1.2 * u
        if not self.kbs:
            y = (s.safe[1] + s.safe[3] - height) / 2 + drift
        elif s.swapped:  # a layout variation: the words hang from the top of the safe zone
            y = s.safe[1] + max(0.0, drift)
        else:
            y = self.text_bottom - height + min(0.0, drift)
        for block in lines:
            s.paste_text(frame, block, (self.W - block.width) / 2, y, p.ink, enter * leave)
            y += block.height + 1.5 * u


def _scrim_alpha(ink: RGB, scrim: RGB) -> float:
    """The smallest scrim opacity at which `ink` text reads (>= 4.5) over even a white image."""
    for k in range(50, 101):
        a = k / 100
        if min(contrast(ink, mix(c, scrim, a)) for c in ((255, 255, 255), (128, 128, 128), (0, 0, 0))) >= 4.8:
            return a
    return 1.0


def _floor_scrim(mask: Image.Image, from_y: int, alpha: float) -> Image.Image:
    """The scrim with at least `alpha` opacity from row `from_y` down."""
    floor = Image.new("L", mask.size, 0)
    floor.paste(round(alpha * 255), (0, max(0, from_y), mask.width, mask.height))
    return ImageChops.lighter(mask, floor)


DESIGNS: dict[str, type[Design]] = {
    "brand-animation": BrandAnimation,
    "product-showcase": ProductShowcase,
    "social-media": SocialMedia,
    "prompt": PromptVideo,
}
