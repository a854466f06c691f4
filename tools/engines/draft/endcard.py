"""The words every design shares outside its story: the sale's name as a kicker over the headline, and the end
card that closes the video.

The end card stacks, top to bottom: the end text (the closing line), the offer (big, the hook when there is no
price), the price, the conditions (legal-line size, muted, under the offer and price so they are never read as
the price), the promo code on an ink badge, the call to action as the accent button, the website or handle, and
the brand kit's legal line, small. The end text and the website are drawn nowhere else, so they close the video.
When the card does not fit its box, its type shrinks until it does.
"""

from __future__ import annotations

import math

from PIL import Image

from tools.brand.contrast import RGB
from tools.brief import AdCopy
from tools.engines.draft.design import BODY, CTA, DISPLAY, LABEL, TITLE, Design
from tools.engines.draft.kit import Box, Sprite, clamp, ease_out_back, lettered, progress, rounded_mask


def words(design: Design, text: str, weight: str, size: float, max_w: float, ink: RGB, align: str = "center") -> Sprite:
    """Text alone as a sprite (up to three lines), so it pops in like boxes and buttons."""
    block = design.s.text(text, weight, max_w, size * 3.6, size, max_lines=3, align=align)
    return lettered(block, ink, text=text)


def kicker(design: Design, sale: str, max_w: float, scale: float = 1.0) -> Sprite | None:
    """The sale's name as a small accent label, set above the headline."""
    if not sale:
        return None
    p = design.p
    return design.label(sale, "black", LABEL * design.u * 1.15 * scale, max_w, p.accent, p.on_accent)


def code_badge(design: Design, code: str, size: float, max_w: float) -> Sprite:
    """A promo code on an ink badge with a rounded edge: a coupon, not a button."""
    p = design.p
    pad_x, pad_y = round(size * 0.8), round(size * 0.45)
    block = design.s.text(code, "bold", max_w - 2 * pad_x, size * 2.6, size, max_lines=2)
    w, h = block.width + 2 * pad_x, block.height + 2 * pad_y
    img = Image.new("RGBA", (w, h), p.ink + (0,))
    img.putalpha(rounded_mask(w, h, round(size * 0.35)))
    return lettered(block, p.bg, img, (pad_x, pad_y), code)


def card_time(copy: AdCopy, legal: str, step: float = 0.1) -> float:
    """Seconds from an end card's start until its last word is seen (half its pop in), as `EndCard.draw` pops its
    words `step` apart: a design whose nearest beat leaves less starts the card a beat sooner."""
    lines = (copy.end_text or copy.headline, copy.offer, copy.price, copy.code, copy.cta, copy.website, legal)
    return 0.08 + step * (sum(bool(x) for x in lines) + len(copy.conditions)) + 0.35 / 2


class EndCard:
    """The closing card's words for one copy, laid out in a box under an optional lead (a logo or product card,
    drawn by the design; a line the lead already says, such as a wordmark, is not repeated)."""

    def __init__(self, design: Design, copy: AdCopy, box: Box, *, lead_h: float = 0.0, head: str = "",
                 align: str = "center", scale: float = 1.0, lead_says: str = "") -> None:  # fmt: skip
        self.d = design
        self.box = box
        self.align = align
        x0, y0, x1, y1 = box
        w, h = x1 - x0, y1 - y0
        self.lead_scale = 1.0
        for k in range(9):  # the lead gives way to half its size first, then the type shrinks until the card fits
            f = scale * 0.88**k
            self.items = [x for x in self._items(copy, copy.end_text or head, w, f) if x[1].text != lead_says]
            self.gap = 3.2 * design.u * f
            if self._total(lead_h * 0.5) <= h:
                break
        # The lead takes what the words leave, less the gap under it.
        self.lead_scale = min(1.0, max(0.3, (h - self._total(0.0) - self.gap) / lead_h)) if lead_h else 1.0
        self.lead_h = lead_h * self.lead_scale
        y = y0 + (h - self._total(self.lead_h)) / 2
        self.lead_cy = y + self.lead_h / 2
        y += self.lead_h + (self.gap if lead_h else 0)
        self.ys: list[float] = []
        for _, sprite in self.items:
            self.ys.append(y + sprite.size[1] / 2)
            y += sprite.size[1] + self.gap

    def _total(self, lead: float) -> float:
        hs = [s.size[1] for _, s in self.items]
        return sum(hs) + lead + self.gap * max(0, len(hs) - (0 if lead else 1))

    def _items(self, copy: AdCopy, head: str, w: float, f: float) -> list[tuple[str, Sprite]]:
        d, p, u, a = self.d, self.d.p, self.d.u, self.align
        items: list[tuple[str, Sprite]] = []
        if head:
            items.append(("head", words(d, head, "black", TITLE * u * f, w, p.ink, a)))
        if copy.offer:
            size = (TITLE if copy.price else DISPLAY * 1.05) * u * f
            items.append(
                ("offer", words(d, copy.offer, "black", size, w, p.accent_ink if not copy.price else p.ink, a))
            )
        if copy.price:
            items.append(("price", words(d, copy.price, "black", DISPLAY * 1.2 * u * f, w, p.ink, a)))
        items += [
            ("conditions", words(d, c, "medium", LABEL * 1.1 * u * max(f, 0.8), w, p.muted, a)) for c in copy.conditions
        ]
        if copy.code:
            items.append(("code", code_badge(d, copy.code, BODY * u * f, w)))
        if copy.cta:
            items.append(("cta", d.button(copy.cta, CTA * 1.15 * u * f, w)))
        if copy.website:
            items.append(("website", words(d, copy.website, "bold", BODY * u * f, w, p.ink, a)))
        if legal := d.s.marks.legal:
            items.append(("legal", words(d, legal, "medium", LABEL * u * max(f, 0.8), w, p.muted, a)))
        return items

    def cx(self, width: float) -> float:
        x0, _, x1, _ = self.box
        return x0 + width / 2 if self.align == "left" else (x0 + x1) / 2

    def draw(self, frame: Image.Image, t: float, start: float, step: float = 0.1) -> None:
        """The card's words popping in one after another from `start`, the button pulsing once settled."""
        for n, ((name, sprite), cy) in enumerate(zip(self.items, self.ys, strict=True)):
            a = start + 0.08 + step * (n + 1)
            k = progress(t, a, a + 0.35)
            pop = ease_out_back(k) if k > 0 else 0.0
            scale = min(1.0, 0.8 + 0.2 * pop)
            if name == "cta":
                settle = max(0.0, t - a - 0.6)
                scale *= 1.0 - 0.035 * (0.5 - 0.5 * math.cos(settle * 6.0)) if settle > 0 else 1.0
            # Text sprites reach full opacity at once; only the pop scales them.
            self.d.draw_text_sprite(frame, sprite, self.cx(sprite.size[0]), cy, scale, clamp(k * 2.5))
