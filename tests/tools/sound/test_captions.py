"""Captions: phrases of the voice-over's words, SRT and WebVTT read back with pysubs2, and the captions burned into
a draft and into finished footage, read off the decoded frames (Tesseract) where a word is spoken: inside the
format's safe zone, the spoken word on the kit's accent, the ad's other words above them, none when turned off."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import av
import numpy as np
import pysubs2
import pytest
from PIL import Image

from tests.fakes.brand import kit_and_files
from tests.fakes.footage import write_footage
from tests.fakes.ocr import needs_tesseract, read_words
from tools.brand.colours import mix
from tools.brand.contrast import contrast
from tools.brief import AdCopy
from tools.engines.base import RenderJob
from tools.engines.draft.engine import DraftResult, brand_stage, render_draft
from tools.engines.draft.kit import Box
from tools.engines.draft.provider import DRAFT
from tools.finish.compose import finish
from tools.sound.captions import HOLD, ROW_CHARS, ROW_WORDS, ROWS, Captions, captions_for, phrases, srt, vtt
from tools.sound.speech import SoundSpec, Speech, SpokenLine, Word

SCRIPT = [
    ("Meet Lumen, the glowing desk lamp.", 0.2, 1.5),
    ("Sixteen million colours, app control and forty hours of battery for calm evenings.", 1.6, 3.6),
]
COPY = AdCopy(headline="Spectra One", tagline="Light up your nights", cta="Shop now")


def line(text: str, start: float, end: float) -> SpokenLine:
    """A spoken line whose words share its time evenly, each heard for most of its share."""
    words = text.split()
    step = (end - start) / len(words)
    return SpokenLine(text=text, start=start, end=end, words=[
        Word(text=w, start=round(start + k * step, 3), end=round(start + (k + 0.85) * step, 3))
        for k, w in enumerate(words)])  # fmt: skip


def speech(script: list[tuple[str, float, float]] = SCRIPT) -> Speech:
    lines = [line(*x) for x in script]
    return Speech(samples=np.zeros(48_000 * 4, np.float32), lines=lines, voice="test")


def job(captions: bool = True, spoken: Speech | None = None, width: int = 360, height: int = 640) -> RenderJob:
    brief = 'A 4 second vertical ad for the Spectra One lamp: "Light up your nights". Shop now'
    return RenderJob(job_id="captions", brief=brief, prompt=brief, model=DRAFT, duration_s=4, aspect="9:16",
                     resolution="360p", width=width, height=height, fps=12, template="social-media", copy=COPY,
                     sound=SoundSpec(voice="joe", captions=captions), speech=spoken or speech())  # fmt: skip


def frame_at(path: Path, t: float) -> Image.Image:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        rate = float(stream.average_rate or 1)
        for n, frame in enumerate(container.decode(stream)):
            if n >= round(t * rate):
                return frame.to_image()
    raise AssertionError(f"no frame at {t} s")


def words_in(image: Image.Image, box: Box) -> set[str]:
    crop = image.crop(box)
    return read_words(crop.resize((crop.width * 3, crop.height * 3), Image.Resampling.LANCZOS))


def near(image: Image.Image, colour: tuple[int, int, int], tol: int = 40) -> np.ndarray:
    px = np.asarray(image.convert("RGB")).astype(int)
    return np.abs(px - np.array(colour)).max(axis=2) < tol


def plain(word: Word) -> str:
    """A word as OCR gives it back: lower case, no punctuation around it."""
    return word.text.strip(".,").lower()


def heard(line: int, word: int, fps: float) -> tuple[float, Word]:
    """The time of the frame nearest the middle of a word of the script, and the word."""
    spoken = speech().lines[line].words[word]
    return round((spoken.start + spoken.end) / 2 * fps) / fps, spoken


# --- phrases and sidecars ----------------------------------------------------------------------------------


def test_phrases_keep_to_their_line_and_rows() -> None:
    lines = speech().lines
    shown = phrases(lines)
    assert [w.text for p in shown for w in p.words] == [w.text for ln in lines for w in ln.words]
    for p in shown:
        assert 1 <= len(p.rows) <= ROWS
        assert all(len(row) <= ROW_WORDS and len(" ".join(w.text for w in row)) <= ROW_CHARS for row in p.rows)
        assert sum(p.words[0] in ln.words and p.words[-1] in ln.words for ln in lines) == 1, "across a line"
    # Each shows from its first word until the next phrase, or a little after its last word.
    for p, after in zip(shown, [*shown[1:], None], strict=True):
        assert p.start == p.words[0].start
        assert p.end == pytest.approx(min(p.words[-1].end + HOLD, after.start if after else 99))
    assert len(shown) >= 3  # the long line took two phrases


@pytest.mark.parametrize("kind", ["srt", "vtt"])
def test_the_sidecars_parse_back_with_the_words_and_their_times(kind: str) -> None:
    lines = speech().lines
    text = srt(lines) if kind == "srt" else vtt(lines)
    assert text.startswith("WEBVTT") == (kind == "vtt")
    events = pysubs2.SSAFile.from_string(text, format_=kind).events
    shown = phrases(lines)
    assert len(events) == len(shown)
    read = [w for e in events for w in e.plaintext.split()]
    assert read == [w.text for ln in lines for w in ln.words]  # the script's words, in order
    for event, p in zip(events, shown, strict=True):
        words = p.words
        assert event.plaintext.split() == [w.text for w in words]
        assert abs(event.start / 1000 - words[0].start) <= 0.3
        assert words[-1].end - 0.001 <= event.end / 1000 <= words[-1].end + HOLD + 0.001  # held a little after


def test_the_stage_keeps_the_caption_band_free_only_when_captions_show() -> None:
    on = brand_stage(job(), [])
    captions = captions_for(job(), on)
    assert captions is not None and captions.band > 0
    assert on.safe == (*on.zone[:3], on.zone[3] - captions.band)
    for index in range(len(captions.phrases)):
        x, y = captions.place(index)
        w, h = captions.picture(index, 0).size
        left, top, right, bottom = on.zone
        assert left <= x and x + w <= right and y + h == bottom and y >= on.safe[3], "in the band, in the zone"
    for off in (job(captions=False), dataclasses.replace(job(), speech=None)):
        stage = brand_stage(off, [])
        assert captions_for(off, stage) is None and stage.safe == stage.zone


def test_the_spoken_word_is_on_the_accent_and_the_rest_in_ink() -> None:
    stage = brand_stage(job(), [])
    captions = Captions(stage, speech().lines)
    p = stage.palette
    first, last = (np.asarray(captions.picture(0, k).image.convert("RGB")) for k in (0, 4))
    pills = []
    for px in (first, last):
        pill = np.abs(px.astype(int) - np.array(p.accent)).max(axis=2) < 8
        ink = np.abs(px.astype(int) - np.array(p.ink)).max(axis=2) < 8
        assert pill.sum() > 50 and ink.sum() > 50
        pills.append(np.nonzero(pill)[1].mean())
    assert pills[1] > pills[0] + 40, "the pill moved from the first word to the last"


def test_captions_are_in_the_kits_face_and_colours_and_read_over_any_ground() -> None:
    kit, files = kit_and_files("dark")
    made = dataclasses.replace(job(), brand=kit)
    stage = brand_stage(made, [], files)
    captions = captions_for(made, stage)
    assert captions is not None and captions.font.path == stage.faces["bold"]  # the kit's body font
    p = stage.palette
    picture = captions.picture(0, 0).image
    px = np.asarray(picture)
    assert (np.abs(px[..., :3].astype(int) - np.array(p.accent)).max(axis=2) < 8).sum() > 50  # the kit's accent
    plate = px[px.shape[0] // 2, 2]  # the plate's edge, beside the words
    assert tuple(plate[:3]) == p.bg
    for ground in ((0, 0, 0), (255, 255, 255)):
        seen = mix(ground, p.bg, plate[3] / 255)
        assert contrast(p.ink, seen) >= 4.5, (ground, seen)


# --- burned in ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def drafts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, DraftResult]]:
    """The same 4 s 360x640 draft with captions and without."""
    out = {}
    for name, made in (("on", job()), ("off", job(captions=False))):
        dest = tmp_path_factory.mktemp(name) / "draft.mp4"
        out[name] = (dest, render_draft(made, [], dest))
    return out


@pytest.mark.render
@needs_tesseract
@pytest.mark.parametrize("spoken", [(0, 1), (1, 8)])
def test_a_draft_shows_the_spoken_phrase_in_the_safe_zone(drafts: dict[str, tuple[Path, DraftResult]],
                                                          spoken: tuple[int, int]) -> None:  # fmt: skip
    dest, result = drafts["on"]
    t, word = heard(*spoken, fps=12)
    stage = brand_stage(job(), [])
    captions = captions_for(job(), stage)
    assert captions is not None and (span := captions.at(t)) is not None
    x, y = captions.place(span.phrase)
    w, h = captions.picture(span.phrase, span.word).size
    box = (x, y, x + w, y + h)
    frame = frame_at(dest, t)
    assert word in captions.phrases[span.phrase].words
    others = {plain(w) for w in captions.phrases[span.phrase].words} - {plain(word)}
    read = words_in(frame, box)
    assert others <= read, (others, read)  # the phrase's other words, in ink on the plate
    left, top, right, bottom = stage.zone
    assert left <= box[0] and box[2] <= right and top <= box[1] and box[3] <= bottom
    # The spoken word stands on the accent, the others not: the pill reads as that word alone.
    pill = near(frame.crop(box), stage.palette.accent)
    ys, xs = np.nonzero(pill)
    assert len(xs) > 40
    inside = frame.crop(box).crop((xs.min(), ys.min(), xs.max(), ys.max()))
    assert plain(word) in words_in(inside, (0, 0, inside.width, inside.height))
    # The draft's own words never sit under the captions.
    assert result.text_boxes and all(b[3] <= box[1] for b in result.text_boxes)


@pytest.mark.render
@needs_tesseract
def test_captions_off_shows_none(drafts: dict[str, tuple[Path, DraftResult]]) -> None:
    dest, result = drafts["off"]
    stage = brand_stage(job(captions=False), [])
    frame = frame_at(dest, 0.9)
    left, top, right, bottom = stage.zone
    band = (0, bottom - round(0.15 * stage.height), stage.width, stage.height)
    assert not {"meet", "lumen", "glowing", "desk", "lamp"} & words_in(frame, band)
    assert result.safe == stage.zone


@pytest.mark.render
@needs_tesseract
def test_the_finisher_burns_them_over_footage(tmp_path: Path) -> None:
    footage = write_footage(tmp_path / "footage.mp4", 360, 640, 4.0, 10, audio=False).path
    made = job()
    result = finish(footage, tmp_path / "ad.mp4", made)
    stage = brand_stage(made, [])
    captions = captions_for(made, stage)
    assert captions is not None
    t, word = heard(1, 9, fps=10)
    span = captions.at(t)
    assert span is not None
    phrase = captions.phrases[span.phrase]
    x, y = captions.place(span.phrase)
    w, h = captions.picture(span.phrase, span.word).size
    boxes = [b for b, (first, last) in result.text_times.items() if first <= t <= last and b[1] >= y - 2]
    assert len(boxes) == 1, result.text_times
    box = boxes[0]
    first, last = result.text_times[box]
    assert first == pytest.approx(phrase.start, abs=0.1) and last == pytest.approx(phrase.end, abs=0.15)
    left, top, right, bottom = stage.zone
    assert left <= box[0] and box[2] <= right and box[3] <= bottom
    others = [b for b, (a, z) in result.text_times.items() if b != box and a <= t <= z]
    assert others and all(b[3] <= box[1] for b in others), "the ad's words stay above the captions"
    assert word in phrase.words
    frame = frame_at(tmp_path / "ad.mp4", t)
    others = {plain(w) for w in phrase.words} - {plain(word)}
    read = words_in(frame, (x - 2, y - 2, x + w + 2, y + h + 2))
    assert others <= read, (others, read)
    pill = near(frame.crop(box), stage.palette.accent)
    ys, xs = np.nonzero(pill)
    assert len(xs) > 40, "the spoken word on the accent"
    assert plain(word) in words_in(frame.crop(box), (xs.min(), ys.min(), xs.max(), ys.max()))
