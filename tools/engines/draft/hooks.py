"""A hook variation: another opening before the original, so the first second is the one thing that differs.

The hook takes the first second or so of the original (a fifth of the clip in whole beats of the music, 0.9 to
1.6 s) and the original's opening beat plays faster in the time left of it (at most twice as fast: the opening
then reaches into the next beat); after that every frame is the original's: the same shots, words and end card.
The hook is either the offer and price, big, on the accent colour ("the price first"), or a tight close-up of the
product pushing in ("a product close-up first").
"""

from __future__ import annotations

from PIL import Image

from tools.brief import AdCopy
from tools.brief.variations import Change
from tools.engines.draft.design import DISPLAY, TITLE, Design
from tools.engines.draft.kit import KenBurns, RefImage, Stage, clamp, ease_out, ease_out_back, lerp, progress
from tools.engines.draft.text import TextBlock

HOOKS = (Change.hook_price, Change.hook_closeup)


class Hooked(Design):
    """The design `inner` with a hook over the start of its opening."""

    def __init__(self, stage: Stage, refs: list[RefImage], copy: AdCopy, inner: type[Design]) -> None:
        super().__init__(stage, refs, copy)
        s, u = stage, self.u
        self.inner = inner(stage, refs, copy)
        self.end_start = self.inner.end_start
        beats = max(1, round(min(clamp(0.2 * self.D, 0.9, 1.6), self.D / 3) / s.beat))  # whole beats, as cuts are
        self.hook_frames = round(beats * s.beat * self.fps)
        self.end_of_opening = max(self.inner.opening, 2 * beats * s.beat)  # the original plays at most twice as fast
        self.closeup: KenBurns | None = None
        self.words: list[TextBlock] = []
        if s.change == Change.hook_closeup and refs:
            hero = next((r for r in refs if not r.graphic(max(self.W, self.H))), refs[0])
            box = hero.subject or (0.0, 0.0, 1.0, 1.0)
            self.focus = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
            image = hero.image
            if hero.has_alpha:  # a cut-out, larger than the frame, on the palette's ground
                product = image.crop(image.getchannel("A").getbbox() or (0, 0, *image.size))
                scale = min(1.5 * self.W / product.width, 0.9 * self.H / product.height)
                product = product.resize((round(product.width * scale), round(product.height * scale)))
                image = Image.new("RGB", (max(self.W, product.width), max(self.H, product.height)), self.p.bg)
                image.paste(product, ((image.width - product.width) // 2, (image.height - product.height) // 2),
                            product.getchannel("A"))  # fmt: skip
                self.focus = (0.5, 0.5)
            self.closeup = KenBurns(image.convert("RGB"), self.W, self.H, (1.0, 1.15))
        else:  # the price first: the price big, the offer under it (either alone when the copy has one)
            big, small = DISPLAY * 2.2 * u, TITLE * u
            lead, under = (copy.price, copy.offer) if copy.price else (copy.offer, "")
            self.words = [
                s.text(x, "black" if n == 0 else "bold", self.safe_w * 0.92, self.safe_h * (0.4 if n == 0 else 0.2),
                       big if n == 0 else small, max_lines=3)
                for n, x in enumerate(x for x in (lead, under) if x)
            ]  # fmt: skip
        self.fill, self.ink = self.p.accent, self.p.on_accent
        self.cuts = [self.hook_frames / self.fps]
        self.wipe_len = 0.3

    def scene(self, i: int, frame: Image.Image) -> None:
        if i >= self.hook_frames:
            self.inner.draw(self._original_frame(i), frame)
            return
        t, end = self.t(i), self.hook_frames / self.fps
        if self.closeup is not None:
            x = progress(t, 0.0, end)
            frame.paste(self.closeup.view(lerp(1.0, 1.15, ease_out(x)), *self.focus), (0, 0))
            return
        frame.paste(self.fill, (0, 0, self.W, self.H))
        s, u = self.s, self.u
        k = progress(t, 0.0, 0.35)
        pop = 0.0 if k <= 0 else min(1.0, 0.75 + 0.25 * ease_out_back(k))
        gap = 2.5 * u
        height = sum(b.height for b in self.words) + gap * max(0, len(self.words) - 1)
        y = (s.safe[1] + s.safe[3] - height) / 2 + (1 - pop) * 4 * u
        for n, block in enumerate(self.words):
            opacity = clamp(k * 2.5) if n == 0 else ease_out(progress(t, 0.2, 0.5))
            s.paste_text(frame, block, (self.W - block.width) / 2, y, self.ink, opacity)
            y += block.height + gap

    def _original_frame(self, i: int) -> int:
        """The original's frame shown at frame `i` after the hook: its opening sped up into the time the hook left,
        then frame for frame."""
        a, b = self.hook_frames, round(self.end_of_opening * self.fps)
        return i if i >= b else round((i - a) * b / (b - a))
