"""A reference filling the frame (`_FrameShot`) and the few shots kept prepared at a time (`_Shots`): every
design shows references this way, and the storyboard's beats (`story.py`) cut between them.
"""

from __future__ import annotations

import math

from PIL import Image

from tools.engines.draft.design import Design, _backdrop, _fit, logo_image
from tools.engines.draft.kit import (
    Box,
    Drift,
    KenBurns,
    RefImage,
    Sprite,
    clamp,
    drift_speed,
    ease_out,
    lerp,
    progress,
)
from tools.engines.draft.motion import Mover


class _FrameShot:
    """A reference filling the frame for `frames` frames, in one of three ways:

    - a photo whose shape is close to the frame's: full-bleed and drifting;
    - another photo (or a product on a plain ground, which a crop would cut): contained at full width over a
      blurred, tinted copy of itself, slowly zooming without cutting into the subject (the usual way a photo is
      posted as a vertical video);
    - a logo or other graphic: whole, inside `area` (where no text goes), over the brand background, growing
      slowly; on its own alpha, lit from behind when its colour would not stand out from the background.

    Its frame-sized layers are made on first use and dropped by `release`, so a long clip with many shots keeps
    only the few it is showing in memory (see `_Shots`). A shot shown again (`visit` 1, 2, ...) carries on its
    move where the last visit left it, so coming back to a reference never repeats what was on screen before.
    """

    DIRECTIONS = ((1, 0), (-1, 0), (0, 1), (-1, -1))
    # Where a graphic stands on each appearance: (x, y) from -1 to 1 across the room left in its area, and size.
    POSES = ((0.0, 0.0, 0.9), (-0.6, 0.2, 0.7), (0.6, -0.2, 0.7), (0.0, 0.1, 0.8), (0.0, -0.1, 0.9))

    def __init__(
        self,
        design: Design,
        ref: RefImage,
        k: int,
        frames: int,
        punch: float = 0.0,
        anchor_y: float = 0.5,
        area: Box | None = None,
        visits: int = 1,
    ) -> None:
        self.design, self.ref, self.k, self.punch, self.anchor_y = design, ref, k, punch, anchor_y
        self.frames = max(2, frames)
        self.visits = max(1, min(4, visits))  # a drift travels on over this many visits, then starts again
        self.area = area or design.s.safe
        # Graphics and anything transparent (a product cut out of its backdrop) are shown whole on the background.
        self.graphic = ref.graphic(max(design.W, design.H)) or ref.has_alpha
        close = abs(math.log(ref.aspect / (design.W / design.H))) < math.log(1.35)
        self.full = close and not self.graphic and ref.subject is None
        self.drift: Drift | None = None
        self.ground: Image.Image | None = None
        self.kb: KenBurns | None = None
        self.sprite: Sprite | None = None

    def prepare(self) -> None:
        d, ref, k = self.design, self.ref, self.k
        W, H, u = d.W, d.H, d.u
        if self.graphic:
            self.ground = d.bg
            x0, y0, x1, y1 = self.area
            max_w = min(x1 - x0, ref.size[0] * 2.0)
            max_h = min(y1 - y0, ref.size[1] * 2.0)
            ground = d.ground_at(d.bg, self.area)
            self.sprite = Sprite(logo_image(ref, max_w, max_h, 2 * u, ground, d.p))
            self.centre = ((x0 + x1) / 2, (y0 + y1) / 2)  # where the sprite is drawn, centred
        elif self.full:
            speed = drift_speed(min(W, H))
            self.drift = Drift(
                ref.rgb(),
                W,
                H,
                self.frames * self.visits,
                speed,
                self.DIRECTIONS[(k + d.s.variant) % 4],
                self.punch,
                round(d.fps * 0.3),
            )
        else:
            self.ground = _backdrop(ref, W, H, d.p.bg, 6 * u)
            w, h = _fit(*ref.size, W, H * 0.8)
            self.corner = ((W - w) // 2, round((H - h) * self.anchor_y))  # where the panel is pasted
            focus = (0.5 + 0.12 * (-1) ** k, 0.5)
            zoom = (1.0 + self.punch * 0.5, 1.1)
            self.kb = KenBurns(ref.rgb(), w, h, zoom, ((0.5, 0.5), focus), keep=ref.subject)
        ref.drop()

    @property
    def ready(self) -> bool:
        return self.drift is not None or self.kb is not None or self.sprite is not None

    def release(self) -> None:
        self.drift = self.ground = self.kb = self.sprite = None

    def _x(self, n: int) -> float:
        return ease_out(clamp(n / (self.frames - 1)))

    def draw(self, frame: Image.Image, n: int, visit: int = 0) -> None:
        """Frame `n` of the shot's `visit`-th appearance."""
        looped = (visit * self.frames + n) / self.design.fps  # seconds on screen over all visits
        if self.drift is not None:
            if visit % self.visits:  # travel on from where the last visit stopped (the punch-in comes again)
                self.drift.draw_at(frame, (visit % self.visits) * self.frames + n, n)
            else:
                self.drift.draw(frame, n)
        elif self.sprite is not None and self.ground is not None:
            frame.paste(self.ground, (0, 0))
            box = self.sprite.draw(frame, *self._placed(self.sprite, n, visit))
            self.design.s.show("subject", box)
            return
        elif self.kb is not None and self.ground is not None:
            frame.paste(self.ground, (0, 0))
            panel = self.kb.loop(looped, 10.0) if visit else self.kb.at(self._x(n))
            frame.paste(panel, self.corner)
        self.design.s.show("subject", (0, 0, self.design.W, self.design.H))

    def _placed(self, sprite: Sprite, n: int, visit: int) -> tuple[float, float, float]:
        """Where a graphic is drawn (centre and scale) at frame `n` of its `visit`-th appearance: each appearance
        from another place and size (a cut, not a loop), growing in and circling slowly."""
        looped = (visit * self.frames + n) / self.design.fps
        px, py, size = self.POSES[(visit + self.k + self.design.s.variant) % len(self.POSES)]
        x0, y0, x1, y1 = self.area
        sw, sh = sprite.size
        cx = self.centre[0] + px * max(0.0, (x1 - x0) - sw * size) / 2
        cy = self.centre[1] + py * max(0.0, (y1 - y0) - sh * size) / 2
        a = 2 * math.pi * looped / 7.0
        r = 1.5 * self.design.u * progress(looped, 0.0, 1.0)
        scale = size * lerp(0.9, 1.0, ease_out(progress(n, 0, self.design.fps * 0.6)))
        scale *= 1.0 + 0.06 * progress(n, 0, self.frames)  # a push-in through the shot
        return cx + r * math.sin(a), cy - r * (1 - math.cos(a)), scale

    @property
    def movable(self) -> bool:
        """Whether the shot can move as a brief asks: a graphic or a contained picture (not one filling the frame)."""
        return not self.full

    def draw_moving(self, frame: Image.Image, n: int, mover: Mover, t: float) -> None:
        """Frame `n` of the shot's first appearance, its graphic or picture coming in the way the brief asks."""
        if self.sprite is not None and self.ground is not None:
            frame.paste(self.ground, (0, 0))
            cx, cy, scale = self._placed(self.sprite, n, 0)
            self.design.s.show("subject", mover.draw(frame, self.sprite, cx, cy, t, scale))
        elif self.kb is not None and self.ground is not None:
            frame.paste(self.ground, (0, 0))
            panel = self.kb.at(self._x(n)).convert("RGBA")
            x, y = self.corner
            self.design.s.show("subject", mover.draw_image(frame, panel, x + panel.width / 2, y + panel.height / 2, t))

    def image(self, n: int, visit: int = 0) -> Image.Image:
        if self.drift is not None and not visit:
            return self.drift.image(n)
        out = Image.new("RGBX", (self.design.W, self.design.H))
        self.draw(out, n, visit)
        return out


class _Shots:
    """Shots in use, at most `keep` of them prepared at a time (the least recently used is released)."""

    def __init__(self, shots: list[_FrameShot], keep: int = 2) -> None:
        self.shots = shots
        self.keep = keep
        self.live: list[_FrameShot] = []

    def __len__(self) -> int:
        return len(self.shots)

    def __bool__(self) -> bool:
        return bool(self.shots)

    def __getitem__(self, index: int) -> _FrameShot:
        shot = self.shots[index]
        if shot in self.live:
            self.live.remove(shot)
        elif not shot.ready:
            shot.prepare()
        self.live.append(shot)
        while len(self.live) > self.keep:
            self.live.pop(0).release()
        return shot
