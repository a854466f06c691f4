"""Captions: the voice-over's words shown phrase by phrase, the word being spoken highlighted, and the same phrases
written as SRT and WebVTT sidecars.

A phrase is a few words of one script line (at most `ROW_WORDS` words and `ROW_CHARS` characters a row, `ROWS`
rows), shown from its first word until the next phrase starts or `HOLD` seconds after its last word. On screen
(`Captions`) each phrase is a plate of the kit's background, as opaque as the finisher's plates need to read over
any footage, with its words in the kit's ink and the spoken word on an accent pill, in the kit's bold face; it sits
centred at the foot of the format's safe zone, in a band the stage keeps free of the ad's other words
(`Stage.caption_band`). Each phrase's picture is drawn once per word, when first shown.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pysubs2
from PIL import Image, ImageDraw, ImageFont

from tools.engines.base import RenderJob
from tools.engines.draft.kit import Box, Sprite, Stage, rounded_mask
from tools.engines.draft.text import face_for, font_file
from tools.finish.cues import AAA, Cue, Grounds, least_cover
from tools.finish.overlay import Overlay
from tools.sound.speech import SpokenLine, Word

ROW_WORDS, ROW_CHARS, ROWS = 5, 30, 2
HOLD = 0.4  # seconds a phrase stays after its last word when the next one is not due yet
SIZE = 5.2  # the captions' type size, in layout units (1% of the frame's short side)
GAP = 1.5  # between the caption band and the design's safe area, in layout units
WEIGHT = "bold"  # the kit's body face takes this weight's place
PAD_X, PAD_Y = 0.7, 0.4  # the plate's padding around the words, in ems
PILL_X, PILL_Y = 0.18, 0.1  # the pill's around the spoken word, in ems
LEADING = 1.3  # one row's baseline to the next, in ems


@dataclass(frozen=True)
class Phrase:
    """Words shown together, row by row, from `start` to `end` (seconds from the video's start)."""

    rows: tuple[tuple[Word, ...], ...]
    start: float
    end: float

    @property
    def words(self) -> list[Word]:
        return [w for row in self.rows for w in row]

    @property
    def text(self) -> str:
        """Its rows, a line each."""
        return "\n".join(" ".join(w.text for w in row) for row in self.rows)

    @property
    def said(self) -> str:
        return " ".join(w.text for w in self.words)


@dataclass(frozen=True)
class Span:
    """A time a phrase shows with one of its words highlighted."""

    start: float
    end: float
    phrase: int
    word: int


def _chars(words: Sequence[Word]) -> int:
    return len(" ".join(w.text for w in words))


def _fits(words: Sequence[Word]) -> bool:
    return len(words) <= ROW_WORDS and _chars(words) <= ROW_CHARS


def _greedy_rows(words: Sequence[Word]) -> list[list[Word]]:
    rows: list[list[Word]] = []
    for word in words:
        if rows and _fits([*rows[-1], word]):
            rows[-1].append(word)
        else:
            rows.append([word])
    return rows


def _rows(words: Sequence[Word]) -> tuple[tuple[Word, ...], ...]:
    """A phrase's words in one row, or two of even length when one would be too long."""
    if len(_greedy_rows(words)) == 1:
        return (tuple(words),)
    splits = [k for k in range(1, len(words)) if _fits(words[:k]) and _fits(words[k:])]
    k = min(splits, key=lambda k: max(_chars(words[:k]), _chars(words[k:])), default=len(_greedy_rows(words)[0]))
    return tuple(words[:k]), tuple(words[k:])


def _split_line(words: Sequence[Word]) -> list[tuple[tuple[Word, ...], ...]]:
    """One line's words in as few phrases as hold them: of the ways to cut it, the one whose phrases are nearest
    in length, cut after punctuation where it can be (no lone word at the end, no clause torn apart)."""
    n = len(words)
    count = math.ceil(len(_greedy_rows(words)) / ROWS)
    while True:
        target = _chars(words) / count
        # best[j][i]: the least cost of the first i words in j phrases, and where the last of them starts
        best: list[list[tuple[float, int]]] = [[(math.inf, 0)] * (n + 1) for _ in range(count + 1)]
        best[0][0] = (0.0, 0)
        for j in range(1, count + 1):
            for i in range(1, n + 1):
                for a in range(i - 1, -1, -1):
                    part = words[a:i]
                    if len(_greedy_rows(part)) > ROWS:
                        break
                    if best[j - 1][a][0] == math.inf:
                        continue
                    torn = i < n and not words[i - 1].text.endswith((",", ".", "!", "?", ";", ":"))
                    cost = best[j - 1][a][0] + ((_chars(part) - target) / target) ** 2 + (0.3 if torn else 0.0)
                    if cost < best[j][i][0]:
                        best[j][i] = (cost, a)
        if best[count][n][0] < math.inf:
            cuts, i = [], n
            for j in range(count, 0, -1):
                a = best[j][i][1]
                cuts.append(words[a:i])
                i = a
            return [_rows(part) for part in reversed(cuts)]
        count += 1


def phrases(lines: Sequence[SpokenLine]) -> list[Phrase]:
    """The phrases of the spoken lines, in time order, never across a line."""
    said = [[w for w in line.words if w.text.strip()] for line in lines]
    grouped = [rows for words in said if words for rows in _split_line(words)]
    out: list[Phrase] = []
    for k, rows in enumerate(grouped):
        first, last = rows[0][0], rows[-1][-1]
        end = last.end + HOLD
        if k + 1 < len(grouped):
            end = min(end, grouped[k + 1][0][0].start)
        out.append(Phrase(rows, first.start, max(end, first.start)))
    return out


def _subtitles(lines: Sequence[SpokenLine]) -> pysubs2.SSAFile:
    subs = pysubs2.SSAFile()
    for phrase in phrases(lines):
        text = phrase.text.replace("\n", r"\N")
        subs.append(pysubs2.SSAEvent(start=round(phrase.start * 1000), end=round(phrase.end * 1000), text=text))
    return subs


def srt(lines: list[SpokenLine]) -> str:
    """The captions as SubRip: one cue per phrase, its rows as lines, times to the millisecond."""
    return _subtitles(lines).to_string("srt")


def vtt(lines: list[SpokenLine]) -> str:
    """The captions as WebVTT: one cue per phrase, its rows as lines, times to the millisecond."""
    return _subtitles(lines).to_string("vtt")


@dataclass
class _Layout:
    """Where each word of a phrase is drawn in its picture (left, baseline) and the picture's size."""

    size: tuple[int, int]
    at: list[tuple[int, int]] = field(default_factory=list)
    widths: list[int] = field(default_factory=list)


class Captions:
    """One video's captions on a stage: the phrases, the band they need, and each picture, drawn once."""

    def __init__(self, stage: Stage, lines: Sequence[SpokenLine]) -> None:
        self.stage = stage
        self.phrases = phrases(lines)
        self.spans = _spans(self.phrases)
        self._starts = [s.start for s in self.spans]
        u = stage.u
        left, _, right, _ = stage.zone
        face = face_for(" ".join(w.text for p in self.phrases for w in p.words), WEIGHT, stage.faces)
        self.font = _fitted(face, self.phrases, (right - left) * 0.92, SIZE * u)
        size = self.font.size
        self.pad_x, self.pad_y = round(size * PAD_X), round(size * PAD_Y)
        self.pill_x, self.pill_y = round(size * PILL_X), round(size * PILL_Y)
        self.step = round(size * LEADING)
        _, top, _, bottom = self.font.getbbox("Hgjy", anchor="ls")
        self.ascent, self.descent = -round(top), round(bottom)
        rows = max((len(p.rows) for p in self.phrases), default=0)
        self.band = self._height(rows) + round(GAP * u) if rows else 0
        self._layouts: dict[int, _Layout] = {}
        self._pictures: dict[tuple[int, int], Sprite] = {}

    def _height(self, rows: int) -> int:
        return 2 * self.pad_y + 2 * self.pill_y + self.ascent + self.descent + self.step * (rows - 1)

    def _layout(self, index: int) -> _Layout:
        if index in self._layouts:
            return self._layouts[index]
        phrase, space = self.phrases[index], _space(self.font)
        widths = [[round(self.font.getlength(w.text)) for w in row] for row in phrase.rows]
        row_w = [sum(ws) + round(space * (len(ws) - 1)) for ws in widths]
        width = max(row_w) + 2 * (self.pad_x + self.pill_x)
        layout = _Layout((width, self._height(len(phrase.rows))))
        for k, ws in enumerate(widths):
            x = (width - row_w[k]) / 2
            baseline = self.pad_y + self.pill_y + self.ascent + k * self.step
            for w in ws:
                layout.at.append((round(x), baseline))
                layout.widths.append(w)
                x += w + space
        self._layouts[index] = layout
        return layout

    def picture(self, phrase: int, word: int) -> Sprite:
        """Phrase `phrase` with its word `word` on the accent pill (RGBA, drawn on first use)."""
        key = (phrase, word)
        if key in self._pictures:
            return self._pictures[key]
        p, lay = self.stage.palette, self._layout(phrase)
        w, h = lay.size
        image = Image.new("RGBA", (w, h), p.bg + (0,))
        cover = least_cover([(p.ink, AAA)], p.bg)  # the plate reads over any ground, black to white
        image.putalpha(rounded_mask(w, h, round(self.font.size * 0.45)).point(lambda v: round(v * cover)))
        draw = ImageDraw.Draw(image)
        x, baseline = lay.at[word]
        pill = (x - self.pill_x, baseline - self.ascent - self.pill_y, x + lay.widths[word] + self.pill_x,
                baseline + self.descent + self.pill_y)  # fmt: skip
        draw.rounded_rectangle(pill, round(self.font.size * 0.3), fill=p.accent + (255,))
        for k, spoken in enumerate(self.phrases[phrase].words):
            ink = p.on_accent if k == word else p.ink
            draw.text(lay.at[k], spoken.text, font=self.font, fill=ink + (255,), anchor="ls")
        if any(k[0] != phrase for k in self._pictures):  # phrases come in turn: the last one's are done with
            self._pictures.clear()
        sprite = self._pictures[key] = Sprite(image, self.phrases[phrase].said)
        return sprite

    def place(self, phrase: int) -> tuple[int, int]:
        """The top-left of a phrase's picture: centred in the safe zone, its foot on the zone's."""
        left, _, right, bottom = self.stage.zone
        w, h = self._layout(phrase).size
        return round((left + right - w) / 2), bottom - h

    def at(self, t: float) -> Span | None:
        """What shows at `t` seconds: the phrase and its highlighted word, None between phrases."""
        k = bisect.bisect_right(self._starts, t) - 1
        if k < 0 or t >= self.spans[k].end:
            return None
        return self.spans[k]

    def cues(self, matrix: str) -> list[Cue]:
        """The captions as the finisher's cues: a cue per word spoken, its phrase's picture with that word
        highlighted (converted to `matrix` YUV when it first shows), popping on and off with no fade."""

        def build(span: Span) -> Callable[[Grounds], Overlay]:
            return lambda _: Overlay(self.picture(span.phrase, span.word).image, matrix)

        cues: list[Cue] = []
        for span in self.spans:
            x, y = self.place(span.phrase)
            cues.append(_Spoken(None, x, y, span.start, span.end, 0.0, 0, self.phrases[span.phrase].said,
                                self._layout(span.phrase).size, build=build(span)))  # fmt: skip
        return cues

    def draw(self, frame: Image.Image, t: float) -> Box | None:
        """The caption of `t` drawn on an RGB(X) frame; where it was drawn, None when none shows."""
        if (span := self.at(t)) is None:
            return None
        sprite = self.picture(span.phrase, span.word)
        x, y = self.place(span.phrase)
        frame.paste(sprite.rgbx, (x, y), sprite.alpha)
        return (x, y, x + sprite.size[0], y + sprite.size[1])


class _Spoken(Cue):
    """A caption's cue: its picture is let go once its word is over (a long voice-over has hundreds)."""

    def placed(self, t: float, grounds: Callable[[Box], Grounds]) -> tuple[Overlay, int, int, float] | None:
        if t >= self.end:
            self.overlay = None
            return None
        return super().placed(t, grounds)


def _spans(shown: list[Phrase]) -> list[Span]:
    """Each word's time highlighted: from its start (the phrase's, for the first) to the next word's start (the
    phrase's end, for the last), never before the word before it ends being highlighted."""
    spans: list[Span] = []
    for index, phrase in enumerate(shown):
        words, start = phrase.words, phrase.start
        for k in range(len(words)):
            end = min(phrase.end, words[k + 1].start) if k + 1 < len(words) else phrase.end
            if end > start:
                spans.append(Span(start, end, index, k))
                start = end
            if k + 1 < len(words):
                start = max(start, words[k + 1].start)
    return spans


def _space(font: ImageFont.FreeTypeFont) -> float:
    """The room between two words: a space clear of the pill around either."""
    return font.getlength(" ") + PILL_X * font.size


def _row_width(font: ImageFont.FreeTypeFont, row: Sequence[Word]) -> float:
    """A row's width on its plate: its words, the room between them, and the plate's and the pill's padding."""
    words = sum(round(font.getlength(w.text)) for w in row)
    return words + round(_space(font) * (len(row) - 1)) + 2 * (round(font.size * PAD_X) + round(font.size * PILL_X))


def _fitted(face: str, shown: list[Phrase], width: float, size: float) -> ImageFont.FreeTypeFont:
    """The face at the largest size, at most `size`, at which every row fits `width` (a row of 30 characters
    fits at about 4 units in a vertical frame; only a word longer than that shrinks them further)."""
    rows = [row for p in shown for row in p.rows]
    px = max(8, round(size))
    while px > 8 and any(_row_width(font_file(face, px), row) > width for row in rows):
        px -= 1
    return font_file(face, px)


def captions_for(job: RenderJob, stage: Stage) -> Captions | None:
    """The job's captions on its stage: when it has a voice-over with words and asks for captions."""
    if job.speech is None or not job.sound.captions or not job.speech.words:
        return None
    return Captions(stage, job.speech.lines)
