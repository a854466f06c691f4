"""The storyboard: the beats between a template's opening and its end card, so a draft of any length keeps
telling something new.

A 60 s brand animation used to be one logo card for a minute, and a 30 s showcase went round the same two
captions four times. Here the middle of a clip is cut into beats of a few seconds, each starting on a beat of
the music, and each beat is one of three shots:

- a reference filling the frame (its move carries on from its last visit: a pan, a push-in, a reveal), with the
  beat's line as a caption;
- kinetic type: the line, big, rising onto a colour field of the palette with a light moving over it;
- the mark: the logo (or a cut-out product) on the background, pushing in from a new place each time, with the
  line under it.

Lines go round in order (each feature on its own beat); shots go round the references; colour fields and mark
positions cycle too, so no beat repeats the one before it, even when the brief gives one line and no picture.
The seed shifts where each cycle starts, so takes of a brief cut differently; a pacing variation cuts twice as
often, a layout variation puts the captions at the top and the graphics under them.
"""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

from tools.engines.draft.design import Design
from tools.engines.draft.kit import Box, Sprite, clamp, ease_out, ease_out_back, progress
from tools.engines.draft.shots import _Shots


@dataclass(frozen=True)
class Beat:
    """One beat of the storyboard: from `a` to `b` seconds, what is shown and which line goes with it."""

    a: float
    b: float
    kind: str  # "shot", "type" or "mark"
    index: int  # the reference (shot), colour field (type) or position (mark)
    visit: int  # how many times this shot was shown before
    line: int  # which line of `lines`, -1 for none

    @property
    def shot(self) -> tuple[str, int, int]:
        return (self.kind, self.index, self.visit)


def graphics_area(design: Design) -> Box:
    """Where a storyboard's graphics go: the safe zone but its caption's end (the bottom; the top when the layout
    is swapped)."""
    sl, st, sr, sb = design.s.safe
    room = round(design.safe_h * 0.7)
    return (sl, sb - room, sr, sb) if design.s.swapped else (sl, st, sr, st + room)


MARK_POSES = ((0.5, 0.44, 1.0), (0.34, 0.42, 0.82), (0.66, 0.46, 0.82), (0.5, 0.4, 1.18))


class Storyboard:
    """Beats from `start` to `end` (about `length` seconds each) over a design's references, lines and mark."""

    def __init__(
        self,
        design: Design,
        start: float,
        end: float,
        length: float,
        lines: list[str],
        shots: _Shots | None,
        mark: Sprite | None,
    ) -> None:
        self.d = design
        s, u = design.s, design.u
        self.shots, self.mark = shots, mark
        sl, st, sr, sb = s.safe
        safe_w, safe_h = sr - sl, sb - st
        big = 10.0 * u * (1.15 if s.vertical else 1.0)
        self.type_blocks = [s.text(x, "black", safe_w * 0.92, safe_h * 0.55, big, max_lines=4) for x in lines]
        cap = 6.2 * u * (1.1 if s.vertical else 0.95)
        self.captions = [design.label(x, "bold", cap, safe_w * 0.95, design.p.ink, design.p.bg) for x in lines]
        self.mark_lines = [s.text(x, "bold", safe_w * 0.9, safe_h * 0.2, 6.2 * u, max_lines=2) for x in lines]
        self.fields = design.fields()
        self.glow = design.drifting_light(period=9.0, size=1.1)
        n = max(1, round((end - start) / (length * s.pace)))
        edges = [start, *(s.on_beat(start + (end - start) * k / n) for k in range(1, n)), end]
        kinds = self._kinds(bool(shots), bool(lines), mark is not None)
        v = s.variant
        self.beats: list[Beat] = []
        visits: dict[int, int] = {}
        for k, (a, b) in enumerate(zip(edges, edges[1:], strict=False)):
            if b - a < 1e-6:
                continue
            kind = kinds[(k + v) % len(kinds)]
            if kind == "shot" and shots:
                shot_no = sum(1 for x in self.beats if x.kind == "shot")
                index = (shot_no + v) % len(shots)
                visit = visits.get(index, 0)
                visits[index] = visit + 1
            elif kind == "type":
                index, visit = (k + v) % len(self.fields), 0
            else:
                index, visit = (k + v) % len(MARK_POSES), 0
            self.beats.append(Beat(a, b, kind, index, visit, (k + v) % len(lines) if lines else -1))

    @staticmethod
    def _kinds(shots: bool, lines: bool, mark: bool) -> list[str]:
        if shots:
            return ["shot", "shot", "type"] if lines else ["shot"]
        if mark and lines:
            return ["type", "mark"]
        return ["mark"] if mark and not lines else ["type"]  # with neither: colour fields in turn

    def at(self, t: float) -> Beat | None:
        for beat in self.beats:
            if beat.a <= t < beat.b:
                return beat
        return None

    def draw(self, frame: Image.Image, t: float, beat: Beat) -> None:
        d, s, u = self.d, self.d.s, self.d.u
        n = round((t - beat.a) * d.fps)
        k = progress(t, beat.a + 0.05, beat.a + 0.45)
        if beat.kind == "shot" and self.shots:
            self.shots[beat.index].draw(frame, n, beat.visit)
            if beat.line >= 0:
                cap = self.captions[beat.line]
                scale = min(1.0, 0.8 + 0.2 * ease_out_back(k)) if k > 0 else 0.0
                cy = s.safe[1] + cap.size[1] / 2 + 1.5 * u if s.swapped else s.safe[3] - cap.size[1] / 2 - 1.5 * u
                d.draw_text_sprite(frame, cap, d.W / 2, cy, scale, clamp(k * 2))
        elif beat.kind == "type":
            fill, ink, light = self.fields[beat.index]
            frame.paste(fill, (0, 0, d.W, d.H))
            self.glow.draw(frame, t, light)
            if beat.line >= 0:
                block = self.type_blocks[beat.line]
                rise = ease_out(k)
                drift = progress(t, beat.a, beat.b) * 1.5 * u  # the words keep moving while they hold
                y = (s.safe[1] + s.safe[3] - block.height) / 2 + (1 - rise) * 4 * u - drift
                s.paste_text(frame, block, (d.W - block.width) / 2, y, ink, clamp(rise * 1.5))
        else:
            frame.paste(d.bg, (0, 0))
            self.glow.draw(frame, t)
            self._draw_mark(frame, t, beat, k)

    def _draw_mark(self, frame: Image.Image, t: float, beat: Beat, k: float) -> None:
        d, s, u = self.d, self.d.s, self.d.u
        sl, st, sr, sb = s.safe
        fx, fy, size = MARK_POSES[beat.index]
        push = 1.0 + 0.08 * progress(t, beat.a, beat.b)  # a slow push-in all through the beat
        scale = size * push * (0.9 + 0.1 * ease_out(k))
        line = self.mark_lines[beat.line] if beat.line >= 0 else None
        if line is not None and self.mark is not None and line.text == self.mark.text:
            line = None  # the mark already says it
        room = (sb - st) - (line.height + 3 * u if line is not None else 0)
        assert self.mark is not None
        fit = min(1.0, room * 0.85 / (self.mark.size[1] * size * 1.08), (sr - sl) / (self.mark.size[0] * 1.2 * size))
        cx = sl + (sr - sl) * fx
        cy = st + room * fy / 0.88
        s.probe_sprite(frame, self.mark, cx, cy, scale * fit, clamp(k * 2))
        box = self.mark.draw(frame, cx, cy, scale * fit, clamp(k * 2))
        s.show("subject", box, clamp(k * 2))
        if self.mark.text and k >= 0.25:
            s.said.add(self.mark.text)
        if line is not None:
            lk = ease_out(progress(t, beat.a + 0.2, beat.a + 0.6))
            y = min(sb - line.height, box[3] + 3 * u) + (1 - lk) * 2 * u
            x = min(max(sl, (box[0] + box[2] - line.width) / 2), sr - line.width)  # under the mark, in the frame
            s.paste_text(frame, line, x, y, d.p.ink, lk)
